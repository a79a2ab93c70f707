//! The Batch page's jobs that reach a meter over both doors: saving a
//! profile (the Modbus settings alone, or with the HTTP blocks, which
//! reboots the meter twice) and the commissioning report with its optional
//! HTTP-blocks and MQTT checks.

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use super::{
    CommAction, CommCause, CommFailure, CommResult, batch_access, blocking, meter_address, progress,
    write_pdf,
};
use crate::backend::{Event, EventSink, JobId};
use crate::commissioning::profile::{self, Profile};
use crate::commissioning::provision::BatchRow;
use crate::commissioning::report::{self, InspectError, InspectOptions, NotReached, ReportHeader};
use crate::commissioning::sampler::WindowOptions;
use crate::commissioning::wiring_check::WiringCheck;
use crate::i18n::Tr;
use je08_client::endpoint::MeterAddress;
use je08_client::modbus::{ClientConfig, DEFAULT_PORT, ModbusClient};
use je08_net::mqtt_link::{CredentialFiles, SetupError};
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, Secret};
use je08_protocol::mqtt::BrokerUrl;

/// What a saved profile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileScope {
    /// The Modbus settings and the HTTP blocks: the meter reboots into the
    /// other mode and back, so its energy counters restart from zero.
    Whole,
    /// The Modbus settings only (no reboot).
    ModbusOnly,
}

/// The report's optional checks, as chosen in the window.
#[derive(Debug, Clone, Default)]
pub struct ReportChecks {
    /// Read each meter's HTTP blocks (it reboots twice first).
    pub http_blocks: bool,
    /// Broker of the MQTT check; `None`: each meter's own broker, when its
    /// HTTP blocks were read and name one.
    pub broker: Option<BrokerUrl>,
    /// How to log in to that broker (or to each meter's own), PEM files not
    /// read yet.
    pub credentials: CredentialFiles,
    /// Site, panel, customer and technician, printed on the report.
    pub header: ReportHeader,
}

impl ReportChecks {
    /// The inspection options for `window` (the PEM files are read and checked).
    pub fn options(&self, window: WindowOptions) -> Result<InspectOptions, SetupError> {
        let mut options = InspectOptions::new(window);
        options.origin = je08_client::journal::Origin::Window;
        options.http_blocks = self.http_blocks;
        options.set_mqtt_login(self.broker.clone(), &self.credentials)?;
        Ok(options)
    }
}

/// Read a meter's configuration (`scope`) and write it as a profile.
pub(super) async fn save_profile(
    (sink, job): (&EventSink, JobId),
    address: &str,
    path: PathBuf,
    scope: ProfileScope,
    password: Option<Secret>,
    cancel: &CancellationToken,
) -> Result<CommResult, CommFailure> {
    let action = CommAction::SaveProfile;
    let failed = |e| CommFailure::new(action, CommCause::Profile(Box::new(e)));
    let meter = meter_address(action, address)?;
    let profile = match scope {
        ProfileScope::ModbusOnly => {
            let mut c = ModbusClient::new(meter.modbus.clone(), ClientConfig::default());
            let captured = super::cancellable(action, cancel, profile::capture(&mut c, String::new())).await;
            c.disconnect().await;
            captured?.map_err(failed)?
        }
        // Never dropped halfway: cancelling returns the meter to its mode.
        ProfileScope::Whole => {
            let access = batch_access(password);
            profile::capture_all(&meter, &access, String::new(), progress(sink, job), cancel)
                .await
                .map_err(failed)?
        }
    };
    // The window saves profiles for other meters: no calibration gains.
    let profile = profile.for_other_meters();
    let http = profile.http.is_some();
    let target = path.clone();
    blocking(action, move || Profile::save(&profile, &target))
        .await?
        .map_err(failed)?;
    Ok(CommResult::ProfileSaved { path, http })
}

/// Wiring-check every meter (with the chosen HTTP and MQTT checks) and
/// write the report in `tr`'s language.
pub(super) async fn report(
    (sink, job): (&EventSink, JobId),
    (addresses, provisioned): (&[String], &[BatchRow]),
    (password, checks): (Option<Secret>, ReportChecks),
    window: WindowOptions,
    (path, tr): (PathBuf, Tr),
    cancel: &CancellationToken,
) -> Result<CommResult, CommFailure> {
    let action = CommAction::Report;
    let access = batch_access(password);
    let options = checks
        .options(window)
        .map_err(|e| CommFailure::new(action, CommCause::BrokerLogin(e)))?;
    let no_fix = |_: &WiringCheck| false;
    let mut checked = Vec::new();
    for (i, address) in addresses.iter().enumerate() {
        // Not raced against `cancel`: a meter rebooted for its HTTP blocks
        // is returned to application mode before the wiring check starts.
        let result = match MeterAddress::parse(address, DEFAULT_PORT, DEFAULT_HTTP_PORT) {
            Err(why) => Err(NotReached {
                meter: address.clone(),
                why: InspectError::Address(why),
            }),
            Ok(meter) => report::inspect(&meter, &access, &options, &no_fix, cancel).await,
        };
        if cancel.is_cancelled() {
            return Err(CommFailure::new(action, CommCause::Cancelled));
        }
        checked.push(result);
        sink.send(Event::Progress {
            job,
            fraction: Some((i + 1) as f32 / addresses.len().max(1) as f32),
        });
    }
    let unreachable = checked.iter().filter_map(|c| c.as_ref().err().cloned()).collect();
    let document = report::document(tr, &checks.header, &checked, provisioned);
    write_pdf(action, document, path.clone()).await?;
    Ok(CommResult::Report { path, unreachable })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use je08_net::mqtt_link::Password;

    fn window() -> WindowOptions {
        WindowOptions {
            samples: 1,
            interval: Duration::from_millis(1),
        }
    }

    #[test]
    fn a_given_broker_is_used_for_every_meter_and_credentials_alone_go_to_their_own() {
        let none = ReportChecks::default().options(window()).expect("options");
        assert!(none.broker.is_none() && none.own_broker.is_none() && !none.http_blocks);
        let tech = CredentialFiles {
            user: Some("tech".into()),
            password: Some(Password::new("pw")),
            ..CredentialFiles::default()
        };
        let given = ReportChecks {
            broker: Some("mqtt://127.0.0.1:1884".parse().expect("url")),
            credentials: tech.clone(),
            ..ReportChecks::default()
        };
        let login = given.options(window()).expect("options").broker.expect("broker");
        assert_eq!(
            (login.broker.port, login.credentials.user.as_deref()),
            (1884, Some("tech"))
        );
        assert!(login.credentials.password.is_some());
        let own = ReportChecks {
            http_blocks: true,
            credentials: tech,
            ..ReportChecks::default()
        };
        let options = own.options(window()).expect("options");
        assert!(options.http_blocks && options.broker.is_none());
        assert_eq!(options.own_broker.and_then(|c| c.user).as_deref(), Some("tech"));
        let missing_ca = ReportChecks {
            credentials: CredentialFiles {
                ca: Some("/nonexistent/ca.pem".into()),
                ..CredentialFiles::default()
            },
            ..ReportChecks::default()
        };
        assert!(matches!(
            missing_ca.options(window()),
            Err(SetupError::Pem(p)) if p.file == "/nonexistent/ca.pem"
        ));
    }

    #[test]
    fn a_client_certificate_and_key_reach_the_broker_login() {
        let dir = std::env::temp_dir().join(format!("je08-report-identity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).expect("ca");
        let client_key = rcgen::KeyPair::generate().expect("key");
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let client = rcgen::CertificateParams::new(Vec::<String>::new())
            .expect("params")
            .signed_by(&client_key, &issuer)
            .expect("client");
        let file = |name: &str, pem: String| {
            let path = dir.join(name);
            std::fs::write(&path, pem).expect("write");
            path
        };
        let checks = ReportChecks {
            broker: Some("mqtts://127.0.0.1:8883".parse().expect("url")),
            credentials: CredentialFiles {
                ca: Some(file("ca.pem", ca.pem())),
                cert: Some(file("client.pem", client.pem())),
                key: Some(file("client.key", client_key.serialize_pem())),
                ..CredentialFiles::default()
            },
            ..ReportChecks::default()
        };
        let login = checks.options(window()).expect("options").broker.expect("broker");
        let tls = login.credentials.tls.expect("TLS files");
        assert!(tls.identity().is_some(), "the client certificate is presented");
        let mut no_key = checks.clone();
        no_key.credentials.key = Some(dir.join("missing.key"));
        assert!(no_key.options(window()).is_err(), "an unreadable key is refused");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
