//! `{id}` templates of per-meter identity (device name, MQTT client id,
//! topics).

use super::ProfileProblem;
use je08_protocol::mqtt::ID_PLACEHOLDER;

/// `text` with every whole number equal to `id` (a run of digits with no
/// letter or digit on either side) replaced by `{id}`; `None` when `text`
/// does not contain the id.
pub fn templated(text: &str, id: u32) -> Option<String> {
    let id = id.to_string();
    let mut out = String::with_capacity(text.len() + 4);
    let mut found = false;
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits = &rest[start..];
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let letter_before = out.chars().last().is_some_and(|c| c.is_ascii_alphabetic());
        let letter_after = digits[end..].starts_with(|c: char| c.is_ascii_alphabetic());
        if digits[..end] == id && !letter_before && !letter_after {
            out.push_str(ID_PLACEHOLDER);
            found = true;
        } else {
            out.push_str(&digits[..end]);
        }
        rest = &digits[end..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// A template with `{id}` replaced by `id`.
pub fn render(template: &str, id: u32) -> String {
    template.replace(ID_PLACEHOLDER, &id.to_string())
}

/// A template may hold `{id}` but no other braces; `field` names it in
/// the refusal.
pub fn check_template(field: &str, text: &str) -> Result<(), ProfileProblem> {
    if text.replace(ID_PLACEHOLDER, "").contains(['{', '}']) {
        return Err(ProfileProblem::Template {
            field: field.to_owned(),
            text: text.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_numbers_become_templates() {
        assert_eq!(templated("JE08-8", 8).as_deref(), Some("JE08-{id}"));
        assert_eq!(
            templated("site1/je08/1/data", 1).as_deref(),
            Some("site1/je08/{id}/data")
        );
        assert_eq!(templated("meter990", 990), None);
        assert_eq!(templated("meter 9900", 990), None);
        assert_eq!(templated("990", 990).as_deref(), Some("{id}"));
        assert_eq!(render("je08/{id}/data", 42), "je08/42/data");
        assert!(check_template("t", "a{id}b").is_ok());
        assert!(check_template("t", "a{ID}b").is_err());
        assert!(check_template("t", "a}").is_err());
    }
}
