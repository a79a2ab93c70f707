//! PEM text for a certificate slot (`PUT /api/certs/{slot}`, spec §4) and
//! the TLS files the configurator reads for a broker.
//!
//! The first byte picks how the rest is used: as the text itself, or as the
//! parts (label, DER bytes, line width, indentation, text around) of a PEM
//! built here, so that well-formed blocks with odd labels and layouts are
//! reached too.
//!
//! Checks: what the meter's shape check (`check_pem`) accepts fits a slot,
//! and the configurator's own pre-flight (`je08_net::certs::check`, another
//! PEM parser) finds in it what the slot holds: certificates only in `ca`
//! and `client_cert`, exactly one private key in `client_key`. Refusals can
//! be said in both languages.
#![no_main]

use std::time::SystemTime;

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine;
use je08_fuzz::said_in_every_language;
use je08_net::certs::{Issue, PemFile, check};
use je08_protocol::http_api::{CertKind, MAX_CERT_BYTES, check_pem, check_pem_shape};
use libfuzzer_sys::fuzz_target;

/// Labels a slot may meet, and some it must refuse.
const LABELS: [&str; 8] = [
    "CERTIFICATE",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "PUBLIC KEY",
    "X509 CRL",
    "CERTIFICATE REQUEST",
];

/// One block of a built PEM.
#[derive(Debug, Arbitrary)]
struct Block {
    label: u8,
    own_label: Option<String>,
    der: Vec<u8>,
    width: u8,
    indent: bool,
}

/// A PEM built from parts.
#[derive(Debug, Arbitrary)]
struct Built {
    before: String,
    blocks: Vec<Block>,
    after: String,
    crlf: bool,
}

impl Built {
    fn text(&self) -> String {
        let newline = if self.crlf { "\r\n" } else { "\n" };
        let mut out = self.before.clone();
        for block in &self.blocks {
            let label = block
                .own_label
                .clone()
                .unwrap_or_else(|| LABELS[usize::from(block.label) % LABELS.len()].to_owned());
            let indent = if block.indent { "  " } else { "" };
            out.push_str(&format!("{indent}-----BEGIN {label}-----{newline}"));
            let body = base64::engine::general_purpose::STANDARD.encode(&block.der);
            let width = usize::from(block.width.max(4));
            for line in body.as_bytes().chunks(width) {
                out.push_str(indent);
                out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
                out.push_str(newline);
            }
            out.push_str(&format!("{indent}-----END {label}-----{newline}"));
        }
        out.push_str(&self.after);
        out
    }
}

/// The pre-flight's problems with the file named `name`.
fn issues_of(name: &str, problems: &[je08_net::certs::Problem]) -> Vec<Issue> {
    problems
        .iter()
        .filter(|p| p.file == name)
        .map(|p| p.issue.clone())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let Ok(built) = Built::arbitrary_take_rest(Unstructured::new(rest)) else {
            return;
        };
        built.text()
    };
    let shape = check_pem_shape(&text);
    if let Err(err) = &shape {
        said_in_every_language(err);
    }
    let now = SystemTime::now();
    let file = PemFile::new("slot.pem", text.as_bytes());
    let empty = PemFile::new("other.pem", Vec::new());
    for kind in CertKind::ALL {
        let Err(err) = check_pem(kind, &text) else {
            assert!(shape.is_ok(), "{kind} accepted a text the shape check refuses");
            assert!(text.len() <= MAX_CERT_BYTES);
            let issues = match kind {
                CertKind::Ca | CertKind::ClientCert => {
                    issues_of("slot.pem", &check(&file, None, now).problems)
                }
                CertKind::ClientKey => {
                    issues_of("slot.pem", &check(&empty, Some((&empty, &file)), now).problems)
                }
            };
            for issue in issues {
                assert!(
                    matches!(
                        issue,
                        Issue::Unparsable { .. }
                            | Issue::Expired { .. }
                            | Issue::NotYetValid { .. }
                            | Issue::CertKeyUnusable { .. }
                    ),
                    "the {kind} slot accepts what the pre-flight refuses: {issue:?}\n{text}"
                );
            }
            continue;
        };
        said_in_every_language(&err);
    }
});
