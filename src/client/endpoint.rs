//! `HOST[:PORT]` as typed on the command line or in the UI.

use std::fmt;

/// A meter's network address: host name or IP, and TCP port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Endpoint {
    /// Parse `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT` or a bare IPv6
    /// address; a missing port becomes `default_port`.
    pub fn parse(text: &str, default_port: u16) -> Result<Self, String> {
        let text = text.trim();
        let bad = |why: &str| format!("'{text}' is not a meter address ({why}); use HOST or HOST:PORT");
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| bad("missing ']'"))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(p.strip_prefix(':').ok_or_else(|| bad("junk after ']'"))?),
                ),
            }
        } else if text.matches(':').count() == 1 {
            let (host, port) = text.split_once(':').unwrap_or((text, ""));
            (host, Some(port))
        } else {
            (text, None)
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad("empty or blank host"));
        }
        let port = match port {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(bad("the port must be 1–65535")),
                Ok(port) => port,
            },
        };
        Ok(Self {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl From<std::net::SocketAddr> for Endpoint {
    fn from(addr: std::net::SocketAddr) -> Self {
        Self {
            host: addr.ip().to_string(),
            port: addr.port(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let e = |s| Endpoint::parse(s, 502).map(|e| e.to_string());
        assert_eq!(e("192.168.4.1").unwrap(), "192.168.4.1:502");
        assert_eq!(e("127.0.0.1:1502").unwrap(), "127.0.0.1:1502");
        assert_eq!(e("meter-7.local").unwrap(), "meter-7.local:502");
        assert_eq!(e("[::1]:1502").unwrap(), "[::1]:1502");
        assert_eq!(e("[::1]").unwrap(), "[::1]:502");
        assert_eq!(e("::1").unwrap(), "[::1]:502");
    }

    #[test]
    fn refuses_junk_with_a_hint() {
        for bad in [
            "",
            ":502",
            "host:0",
            "host:70000",
            "host:x",
            "[::1",
            "[::1]x",
            "a b",
        ] {
            let err = Endpoint::parse(bad, 502).unwrap_err();
            assert!(err.contains("HOST:PORT"), "{bad}: {err}");
        }
    }
}
