//! Words in English and Brazilian Portuguese, for whoever shows a JE08's
//! failures and findings to a person.
//!
//! Each crate keeps the sentences of its own values in one table made with
//! [`messages!`](crate::messages): an enum whose variants carry both
//! translations, so a key without both does not compile and
//! [`table_problems`] rejects empty texts and placeholders that differ.
//! A value that can be said in words implements [`Describe`]; its English
//! `Display` is `describe(Tr::EN)`, so the English of a log line, of the
//! command line and of the window is the same sentence, written once.

use serde::{Deserialize, Serialize};

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// English.
    En,
    /// Português (Brasil).
    PtBr,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::PtBr];

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
        }
    }

    /// Pick from a BCP 47 locale tag: any Portuguese locale gives PtBr.
    pub fn from_locale(tag: Option<&str>) -> Lang {
        match tag {
            Some(t) if t.to_ascii_lowercase().starts_with("pt") => Lang::PtBr,
            _ => Lang::En,
        }
    }
}

/// A table of texts with both translations (made by [`messages!`](crate::messages)).
pub trait Text: Copy + 'static {
    /// Every key of the table.
    const ALL: &'static [Self];
    /// English text.
    fn en(self) -> &'static str;
    /// Brazilian Portuguese text.
    fn pt_br(self) -> &'static str;
}

/// Translator for one language (cheap to copy into drawing functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    /// English: what `Display` says, and the command line and logs.
    pub const EN: Tr = Tr(Lang::En);

    /// The text of `msg`.
    pub fn t<M: Text>(self, msg: M) -> &'static str {
        match self.0 {
            Lang::En => msg.en(),
            Lang::PtBr => msg.pt_br(),
        }
    }

    /// The text of `msg` with `{0}`, `{1}`… replaced by `args`.
    pub fn f<M: Text>(self, msg: M, args: &[&str]) -> String {
        let mut text = self.t(msg).to_string();
        for (k, arg) in args.iter().enumerate() {
            text = text.replace(&format!("{{{k}}}"), arg);
        }
        text
    }
}

/// A value said in words in the reader's language: a failure, a finding.
/// Its English is its `Display`.
pub trait Describe {
    /// The sentence in `tr`'s language.
    fn describe(&self, tr: Tr) -> String;
}

/// What is wrong with a text table: empty texts, and placeholders (`{0}`…)
/// that differ between the languages. Each table's tests assert it is empty.
pub fn table_problems<M: Text + std::fmt::Debug>() -> Vec<String> {
    let placeholders =
        |text: &str| -> Vec<usize> { (0..10).filter(|k| text.contains(&format!("{{{k}}}"))).collect() };
    let mut problems = Vec::new();
    for &msg in M::ALL {
        if msg.en().trim().is_empty() {
            problems.push(format!("{msg:?} has no English text"));
        }
        if msg.pt_br().trim().is_empty() {
            problems.push(format!("{msg:?} has no Portuguese text"));
        }
        if placeholders(msg.en()) != placeholders(msg.pt_br()) {
            problems.push(format!("{msg:?}: the placeholders differ between the languages"));
        }
    }
    problems
}

/// Declare a text table: `messages! { pub enum Name { Key => "English", "Português"; … } }`
/// makes the enum `Name` (each variant's doc shows its English text) and its
/// [`Text`](crate::i18n::Text) implementation.
#[macro_export]
macro_rules! messages {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($key:ident => $en:literal, $pt:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(#[doc = concat!("```text\n", $en, "\n```")] $key,)*
        }

        impl $crate::i18n::Text for $name {
            const ALL: &'static [Self] = &[$($name::$key,)*];

            fn en(self) -> &'static str {
                match self { $($name::$key => $en,)* }
            }

            fn pt_br(self) -> &'static str {
                match self { $($name::$key => $pt,)* }
            }
        }
    };
}

/// `Display` for values said in words: the English of their [`Describe`].
/// `english_display!(A, B)` implements `Display`; `english_display!(errors:
/// A, B)` also implements `std::error::Error` (without a source).
#[macro_export]
macro_rules! english_display {
    (errors: $($ty:ty),+ $(,)?) => {
        $(
            $crate::english_display!($ty);
            impl ::std::error::Error for $ty {}
        )+
    };
    ($($ty:ty),+ $(,)?) => {
        $(
            impl ::std::fmt::Display for $ty {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(&$crate::i18n::Describe::describe(self, $crate::i18n::Tr::EN))
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::messages! {
        enum Sample {
            Hello => "hello {0}", "olá {0}";
            Broken => "two {0} {1}", "dois {0}";
        }
    }

    #[test]
    fn locale_picks_the_language_and_arguments_fill_in() {
        assert_eq!(Lang::from_locale(Some("pt-BR")), Lang::PtBr);
        assert_eq!(Lang::from_locale(Some("pt_PT.UTF-8")), Lang::PtBr);
        assert_eq!(Lang::from_locale(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
        assert_eq!(Tr(Lang::PtBr).f(Sample::Hello, &["mundo"]), "olá mundo");
        assert_eq!(Tr::EN.t(Sample::Hello), "hello {0}");
    }

    #[test]
    fn a_table_with_mismatched_placeholders_is_reported() {
        assert_eq!(
            table_problems::<Sample>(),
            vec!["Broken: the placeholders differ between the languages".to_string()]
        );
    }
}
