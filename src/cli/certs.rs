//! `je08 certs check|status|upload|delete`: the certificate pre-flight on
//! files, before they are used with a broker or uploaded to a meter, and the
//! MQTT TLS material stored on a meter (configuration mode). Uploads pass the
//! pre-flight first; the meter never gives content back.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use crate::commissioning::journal::{self, CertUpload, pem_fingerprint};
use je08_client::journal::Origin;
use je08_net::certs::{PemFile, Report, check};
use je08_protocol::http_api::{CertKind, UnknownSlot};

use super::web::WebTarget;

/// The `je08 certs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Check a CA certificate and optionally a client certificate and key
    /// (exit status 1 when anything is wrong).
    #[command(
        after_help = "Examples:\n  je08 certs check --ca ca.pem\n  je08 certs check --ca ca.pem --cert client.pem --key client.key"
    )]
    Check(CheckArgs),
    /// Which slots of a meter hold a PEM (and its size); never the content.
    #[command(after_help = "Examples:\n  je08 certs status 10.0.0.21\n  je08 certs status 10.0.0.21 --json")]
    Status {
        /// The meter.
        #[command(flatten)]
        target: WebTarget,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check, then upload the CA and optionally the client certificate and key.
    #[command(
        after_help = "Examples:\n  je08 certs upload 10.0.0.21 --ca ca.pem\n  je08 certs upload 10.0.0.21 --ca ca.pem --cert client.pem --key client.key"
    )]
    Upload {
        /// The meter.
        #[command(flatten)]
        target: WebTarget,
        /// CA certificate (PEM) the broker's certificate is signed by.
        #[arg(long, value_name = "FILE")]
        ca: PathBuf,
        /// Client certificate (PEM).
        #[arg(long, value_name = "FILE", requires = "key")]
        cert: Option<PathBuf>,
        /// Client private key (PEM); its content is never printed.
        #[arg(long, value_name = "FILE", requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Empty slots of a meter.
    #[command(
        after_help = "Examples:\n  je08 certs delete 10.0.0.21 client_cert client_key\n  je08 certs delete 10.0.0.21 ca"
    )]
    Delete {
        /// The meter.
        #[command(flatten)]
        target: WebTarget,
        /// Slots to empty: ca, client_cert, client_key.
        #[arg(required = true, value_parser = parse_kind)]
        kinds: Vec<CertKind>,
    },
}

fn parse_kind(text: &str) -> Result<CertKind, UnknownSlot> {
    text.parse()
}

/// Options of `je08 certs check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca: PathBuf,
    /// Client certificate (PEM).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Client private key (PEM); its content is never printed.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `je08 certs …`.
pub async fn run(action: Action) -> anyhow::Result<ExitCode> {
    let args = match action {
        Action::Check(args) => args,
        Action::Status { target, json } => return status(&target, json).await,
        Action::Upload {
            target,
            ca,
            cert,
            key,
        } => return upload(&target, ca, cert, key).await,
        Action::Delete { target, kinds } => {
            let client = target.client()?;
            for kind in kinds {
                let deleted = client.delete_cert(kind).await;
                let address = target.meter.to_string();
                journal::certificate(
                    Origin::Cli,
                    &address,
                    &kind.to_string(),
                    None,
                    true,
                    deleted.as_ref().copied(),
                );
                deleted?;
                outln!("meter {}: {kind} deleted", target.meter)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let report = check_files(&args);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for c in &report.certificates {
            outln!(
                "{}: {} (issuer {}), {}, valid {} to {}",
                c.file,
                c.subject,
                c.issuer,
                c.key,
                c.not_before,
                c.not_after
            )?;
        }
        for p in &report.problems {
            outln!("problem: {p}")?;
        }
        if report.is_ok() {
            outln!("ok: the meter can use these files")?;
        }
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_files(args: &CheckArgs) -> Report {
    let mut unreadable = Vec::new();
    let mut read = |p: &PathBuf| PemFile::read(p).map_err(|e| unreadable.push(e)).ok();
    let ca = read(&args.ca);
    let cert = args.cert.as_ref().and_then(&mut read);
    let key = args.key.as_ref().and_then(&mut read);
    let mut report = match (&ca, &cert, &key) {
        (Some(ca), Some(c), Some(k)) => check(ca, Some((c, k)), SystemTime::now()),
        (Some(ca), _, _) => check(ca, None, SystemTime::now()),
        _ => Report::default(),
    };
    unreadable.extend(report.problems);
    report.problems = unreadable;
    report
}

async fn status(target: &WebTarget, json: bool) -> anyhow::Result<ExitCode> {
    let status = target.client()?.cert_status().await?;
    if json {
        outln!("{}", serde_json::to_string(&status)?)?;
    } else {
        for kind in CertKind::ALL {
            let slot = status.slot(kind);
            if slot.loaded {
                outln!("{kind:<12} loaded ({} bytes)", slot.bytes)?;
            } else {
                outln!("{kind:<12} empty")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn upload(
    target: &WebTarget,
    ca: PathBuf,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let report = check_files(&CheckArgs {
        ca: ca.clone(),
        cert: cert.clone(),
        key: key.clone(),
        json: false,
    });
    if !report.is_ok() {
        for problem in &report.problems {
            errln!("problem: {problem}");
        }
        anyhow::bail!("certificate pre-flight failed: nothing was sent to the meter");
    }
    let mut files = vec![(CertKind::Ca, ca)];
    if let (Some(c), Some(k)) = (cert, key) {
        files.push((CertKind::ClientCert, c));
        files.push((CertKind::ClientKey, k));
    }
    let client = target.client()?;
    for (kind, path) in files {
        let file = PemFile::read(&path)?;
        let text = String::from_utf8(file.bytes).map_err(|_| anyhow::anyhow!("{} is not text", file.name))?;
        let uploaded = client.upload_cert(kind, &text).await;
        let summary = report.certificates.iter().find(|c| c.file == file.name);
        let fingerprint = pem_fingerprint(&text).unwrap_or_default();
        let cert = summary
            .filter(|_| kind != CertKind::ClientKey)
            .map(|c| CertUpload {
                subject: &c.subject,
                not_after: &c.not_after,
                sha256: &fingerprint,
            });
        let address = target.meter.to_string();
        journal::certificate(
            Origin::Cli,
            &address,
            &kind.to_string(),
            cert.as_ref(),
            false,
            uploaded.as_ref().copied(),
        );
        uploaded?;
        outln!("meter {}: {kind} uploaded ({} bytes)", target.meter, text.len())?;
    }
    Ok(ExitCode::SUCCESS)
}
