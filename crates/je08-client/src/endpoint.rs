//! `HOST[:PORT]` as typed on the command line or in the UI.

use std::fmt;

use super::texts::ClientMsg;
use je08_protocol::i18n::{Describe, Tr};

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
    pub fn parse(text: &str, default_port: u16) -> Result<Self, AddressError> {
        let text = text.trim();
        let bad = |fault| AddressError {
            text: text.to_owned(),
            fault,
        };
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad(AddressFault::MissingBracket))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| bad(AddressFault::JunkAfterBracket))?,
                    ),
                ),
            }
        } else if text.matches(':').count() == 1 {
            let (host, port) = text.split_once(':').unwrap_or((text, ""));
            (host, Some(port))
        } else {
            (text, None)
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad(AddressFault::BlankHost));
        }
        if host.contains(['[', ']']) {
            return Err(bad(AddressFault::StrayBracket));
        }
        let port = match port {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(bad(AddressFault::BadPort)),
                Ok(port) => port,
            },
        };
        Ok(Self {
            host: host.to_string(),
            port,
        })
    }
}

/// Text that is not a meter address: what was typed and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError {
    /// The text as typed (trimmed).
    pub text: String,
    /// What is wrong with it.
    pub fault: AddressFault,
}

/// What is wrong with a typed address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressFault {
    /// `[` without its `]`.
    MissingBracket,
    /// Something other than `:PORT` after `]`.
    JunkAfterBracket,
    /// No host, or blanks in it.
    BlankHost,
    /// A `[` or `]` inside the host (only `[V6]` brackets a host).
    StrayBracket,
    /// The port is not a number from 1 to 65535.
    BadPort,
    /// What follows `,` is not `http=PORT` with a port from 1 to 65535.
    BadHttpPort,
}

impl Describe for AddressFault {
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::MissingBracket => ClientMsg::AddrMissingBracket,
            Self::JunkAfterBracket => ClientMsg::AddrJunkAfterBracket,
            Self::BlankHost => ClientMsg::AddrBlankHost,
            Self::StrayBracket => ClientMsg::AddrStrayBracket,
            Self::BadPort => ClientMsg::AddrBadPort,
            Self::BadHttpPort => ClientMsg::AddrBadHttpPort,
        })
        .to_owned()
    }
}

impl Describe for AddressError {
    fn describe(&self, tr: Tr) -> String {
        tr.f(
            ClientMsg::AddrNotAnAddress,
            &[&self.text, &self.fault.describe(tr)],
        )
    }
}

je08_protocol::english_display!(errors: AddressError);

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

/// A meter's two addresses: Modbus TCP and its HTTP API. On a real meter both
/// are the same host (ports 502 and 80); simulators on one machine differ by
/// port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeterAddress {
    /// Modbus TCP endpoint.
    pub modbus: Endpoint,
    /// HTTP API endpoint.
    pub http: Endpoint,
}

impl MeterAddress {
    /// The same host with the given ports.
    pub fn new(host: &str, modbus_port: u16, http_port: u16) -> Self {
        Self {
            modbus: Endpoint {
                host: host.to_owned(),
                port: modbus_port,
            },
            http: Endpoint {
                host: host.to_owned(),
                port: http_port,
            },
        }
    }

    /// Parse `HOST[:MODBUS_PORT][,http=HTTP_PORT]`; missing ports take the
    /// defaults.
    pub fn parse(text: &str, modbus_default: u16, http_default: u16) -> Result<Self, AddressError> {
        let (modbus, http) = match text.split_once(',') {
            None => (text, None),
            Some((modbus, rest)) => {
                let port = rest
                    .trim()
                    .strip_prefix("http=")
                    .and_then(|p| p.parse::<u16>().ok())
                    .filter(|p| *p != 0)
                    .ok_or_else(|| AddressError {
                        text: text.trim().to_owned(),
                        fault: AddressFault::BadHttpPort,
                    })?;
                (modbus, Some(port))
            }
        };
        let modbus = Endpoint::parse(modbus, modbus_default)?;
        let http = Endpoint {
            host: modbus.host.clone(),
            port: http.unwrap_or(http_default),
        };
        Ok(Self { modbus, http })
    }
}

impl fmt::Display for MeterAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},http={}", self.modbus, self.http.port)
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
    fn meter_addresses_carry_both_ports() {
        let a = MeterAddress::parse("127.0.0.1:1502,http=8080", 502, 80).unwrap();
        assert_eq!(
            (a.modbus.port, a.http.port, a.http.host.as_str()),
            (1502, 8080, "127.0.0.1")
        );
        assert_eq!(a.to_string(), "127.0.0.1:1502,http=8080");
        let b = MeterAddress::parse("meter-7.local", 502, 80).unwrap();
        assert_eq!((b.modbus.port, b.http.port), (502, 80));
        assert!(MeterAddress::parse("h:1,http=0", 502, 80).is_err());
        assert!(MeterAddress::parse("h:1,https=8", 502, 80).is_err());
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
            let err = Endpoint::parse(bad, 502).unwrap_err().to_string();
            assert!(err.contains("HOST:PORT"), "{bad}: {err}");
        }
        assert_eq!(
            Endpoint::parse("host:x", 502).unwrap_err().to_string(),
            "'host:x' is not a meter address (the port must be 1–65535); use HOST or HOST:PORT"
        );
        assert_eq!(
            Endpoint::parse("host:x", 502)
                .unwrap_err()
                .describe(Tr(je08_protocol::i18n::Lang::PtBr)),
            "'host:x' não é um endereço de medidor (a porta deve estar entre 1 e 65535); use HOST ou HOST:PORTA"
        );
        let faults = ["[::1", "[::1]x", "a b", "host:0", "[[::1]", "1:2],x:"]
            .map(|t| Endpoint::parse(t, 502).unwrap_err().fault);
        assert_eq!(
            faults,
            [
                AddressFault::MissingBracket,
                AddressFault::JunkAfterBracket,
                AddressFault::BlankHost,
                AddressFault::BadPort,
                AddressFault::StrayBracket,
                AddressFault::StrayBracket
            ]
        );
    }
}
