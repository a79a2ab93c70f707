//! `--lang`: the language of the PDFs `je08 report` and `je08 calibrate`
//! write, and of the headers and conventions of `--format csv-locale` and
//! `xlsx` exports (`je08 record`, `je08 log`; pt-BR: `;` and decimal comma).
//! English by default (not the OS locale), so a script gives the same
//! document on every machine.

use crate::i18n::{Lang, Tr};

/// A document language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LangArg {
    /// English.
    #[default]
    #[value(name = "en")]
    En,
    /// Brazilian Portuguese.
    #[value(name = "pt-BR")]
    PtBr,
}

impl LangArg {
    /// The translator for this language.
    pub fn tr(self) -> Tr {
        Tr(match self {
            LangArg::En => Lang::En,
            LangArg::PtBr => Lang::PtBr,
        })
    }
}
