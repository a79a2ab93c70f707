//! Removing secrets from what goes to support: every JSON field whose name
//! suggests a secret, and a password inside a URL (`user:password@`).

use serde_json::Value;

/// What a removed value is replaced with.
pub const REMOVED: &str = "(removed)";

/// Parts of a field name that mark its value as secret (compared in lower case).
const SECRET_NAMES: [&str; 9] = [
    "password",
    "passwd",
    "secret",
    "token",
    "key",
    "psk",
    "credential",
    "auth",
    "cookie",
];

/// Whether a field named `name` may hold a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_lowercase();
    SECRET_NAMES.iter().any(|part| name.contains(part))
}

/// Replace, anywhere in `value`, the value of every field whose name
/// suggests a secret with [`REMOVED`], and the password of every URL in a
/// string with `***`; the number of values changed.
pub fn json(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(name, inner)| {
                if is_secret_name(name) && !inner.is_null() && *inner != Value::String(REMOVED.into()) {
                    *inner = Value::String(REMOVED.into());
                    1
                } else {
                    json(inner)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(json).sum(),
        Value::String(text) => match url_password(text) {
            Some(clean) => {
                *text = clean;
                1
            }
            None => 0,
        },
        _ => 0,
    }
}

/// `text` with the password of every `scheme://user:password@` replaced by
/// `***`, or `None` when it holds none.
pub fn url_password(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(start) = rest.find("://") {
        let (head, tail) = rest.split_at(start + 3);
        out.push_str(head);
        let end = tail.find(['/', ' ', '"', '\'']).unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at && &authority[colon + 1..at] != "***" => {
                out.push_str(&authority[..=colon]);
                out.push_str("***");
                out.push_str(&authority[at..]);
                changed = true;
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_and_url_passwords_are_removed_everywhere() {
        let mut value = serde_json::json!({
            "broker_url": "mqtts://op:S3cret@broker:8883/x",
            "meters": [{"address": "10.0.0.2:502", "interface_password": "pw1", "notes": "ok"}],
            "mqtt": {"clientKey": "-----BEGIN", "api_token": 7, "user": "op"},
            "plain": "mqtt://broker:1883",
        });
        assert_eq!(json(&mut value), 4);
        let text = value.to_string();
        for secret in ["S3cret", "pw1", "BEGIN", "7"] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(value["broker_url"], "mqtts://op:***@broker:8883/x");
        assert_eq!(value["meters"][0]["notes"], "ok");
        assert_eq!(value["mqtt"]["user"], "op");
        assert_eq!(value["plain"], "mqtt://broker:1883");
        assert_eq!(json(&mut value), 0, "nothing left to remove");
    }
}
