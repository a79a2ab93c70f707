//! What the client takes from a meter's HTTP answer: a body read chunk by
//! chunk up to a cap (the API's largest answer is a few KiB), words quoted
//! from it in a short excerpt, and an `/api/info` whose fields are in the
//! range a JE08 can send.

use je08_protocol::http_api::Info;

/// Largest body read from a meter.
pub(super) const MAX_BODY: usize = 256 * 1024;
/// Most characters quoted from what a meter sent.
const MAX_QUOTE: usize = 300;
/// Longest text field of `/api/info` (names and SSIDs hold at most 32).
const MAX_INFO_TEXT: usize = 64;

/// A body read up to a cap.
#[derive(Debug)]
pub(super) struct Body {
    /// The bytes read, at most the cap.
    pub(super) bytes: Vec<u8>,
    /// Whether the body went on beyond the cap (and was left unread).
    pub(super) cut: bool,
}

/// Read the body of `resp` chunk by chunk, stopping after `cap` bytes. The
/// request's deadline covers the body too.
pub(super) async fn read_capped(resp: &mut reqwest::Response, cap: usize) -> Result<Body, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = cap - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body { bytes, cut: true });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body { bytes, cut: false })
}

/// `text` on one line, whitespace and control characters collapsed to one
/// space, cut after [`MAX_QUOTE`] characters (marked with `…`).
pub(super) fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            gap = count > 0;
            continue;
        }
        let needed = 1 + usize::from(gap);
        if count + needed > MAX_QUOTE {
            out.push('…');
            break;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(c);
        count += needed;
    }
    out
}

/// The first field of `info` no JE08 can send, with its value quoted: an
/// uptime beyond its 32-bit counter, a text longer than
/// [`MAX_INFO_TEXT`] characters or holding control characters.
pub(super) fn impossible_field(info: &Info) -> Option<(&'static str, String)> {
    if info.uptime_s > u64::from(u32::MAX) {
        return Some(("uptime_s", info.uptime_s.to_string()));
    }
    [
        ("devtype", &info.devtype),
        ("subtype", &info.subtype),
        ("name", &info.name),
        ("mac", &info.mac),
        ("ip", &info.ip),
        ("esp_version", &info.esp_version),
        ("stm32_version", &info.stm32_version),
        ("wifi.ssid", &info.wifi.ssid),
    ]
    .into_iter()
    .find(|(_, text)| text.chars().count() > MAX_INFO_TEXT || text.chars().any(char::is_control))
    .map(|(field, text)| (field, format!("{:?}", excerpt(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_one_short_line() {
        assert_eq!(excerpt("  <h1>Not\r\n\tFound</h1>\n"), "<h1>Not Found</h1>");
        let cut = excerpt(&"x".repeat(1000));
        assert_eq!(cut.chars().count(), MAX_QUOTE + 1);
        assert!(cut.ends_with('…'), "{cut}");
        let cut = excerpt(&"word ".repeat(1000));
        assert!(cut.chars().count() <= MAX_QUOTE + 1, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(excerpt(&"é".repeat(MAX_QUOTE)), "é".repeat(MAX_QUOTE));
    }
}
