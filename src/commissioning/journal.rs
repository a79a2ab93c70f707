//! Writing the activity journal (`je08_client::journal`) from the changes
//! the command line and the window make: one call per change site turns its
//! result into an entry — before → asked → confirmed on read-back, and done,
//! refused or failed with the reason — and appends it.
//!
//! Secrets never reach an entry: configuration fields whose name says
//! password or key are recorded as "(changed)" only.

use je08_client::flash::FlashError;
use je08_client::http::HttpError;
use je08_client::journal::{Change, Entry, Journal, Kind, Origin, Outcome};
use je08_client::modbus::ModbusError;
use je08_client::params::{EnergyResetOutcome, ParamsError, SettingsOutcome};
use je08_protocol::http_api::Info;
use serde_json::Value;

use super::calibrate::{CalibrateError, CalibrationOutcome};
use super::profile::{ApplyStatus, MeterResult, Profile};
use crate::i18n::{Describe, Tr};
use je08_protocol::analysis::calibration::CalibrationPlan;

/// The version written into every entry: package version and git commit.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("JE08_GIT_COMMIT"),
    ")"
);

/// A new entry of this kind for the meter at `address`, stamped now.
pub fn entry(origin: Origin, kind: Kind, address: &str, asked: &str) -> Entry {
    Entry::new(origin, kind, address, asked, VERSION)
}

/// Append `entry` to the user's journal. A journal that cannot be written
/// does not undo the change already made: it is said as a warning.
pub fn append(entry: &Entry) {
    let written = Journal::open_default().and_then(|j| j.append(entry));
    if let Err(e) = written {
        tracing::warn!("the activity journal could not be written: {e}");
    }
}

/// A change refused before anything was sent (a bad value): journaled as refused.
pub fn refused_before_sending(origin: Origin, kind: Kind, address: &str, asked: &str, reason: &str) {
    append(&entry(origin, kind, address, asked).ended(Outcome::Refused, Some(reason.to_string())));
}

/// Whether a Modbus failure is the meter saying no (an exception reply).
fn modbus_refused(e: &ModbusError) -> bool {
    e.exception().is_some()
}

/// Whether an HTTP failure is the meter saying no (4xx: rejected, invalid, wrong mode, login).
fn http_refused(e: &HttpError) -> bool {
    matches!(
        e,
        HttpError::Rejected { .. }
            | HttpError::Invalid { .. }
            | HttpError::WrongMode { .. }
            | HttpError::Unauthorized { .. }
    )
}

/// How a failed settings write or energy reset ended.
fn params_outcome(e: &ParamsError) -> Outcome {
    match e {
        ParamsError::Concurrent(_) => Outcome::Refused,
        ParamsError::Modbus { source, .. } if modbus_refused(source) => Outcome::Refused,
        ParamsError::Modbus { .. } => Outcome::Failed,
    }
}

/// Journal a settings write (`je08 set`, the Parameters tab, a profile's
/// Modbus part): every field asked or changed, before → asked → read back.
pub fn settings(origin: Origin, address: &str, asked: &str, result: &Result<SettingsOutcome, ParamsError>) {
    let e = entry(origin, Kind::Settings, address, asked);
    append(&match result {
        Ok(outcome) => {
            let changes = outcome
                .fields
                .iter()
                .filter(|f| f.wanted.is_some() || f.changed())
                .map(|f| {
                    Change::new(
                        &f.name,
                        Some(f.before.to_string()),
                        f.wanted.map(|w| w.to_string()),
                        Some(f.read_back.to_string()),
                    )
                })
                .collect();
            let e = e.device(Some(outcome.device_id)).changes(changes);
            if outcome.is_ok() {
                e.ended(Outcome::Done, None)
            } else {
                e.ended(
                    Outcome::Failed,
                    Some(format!(
                        "{} setting(s) did not read back as written",
                        outcome.mismatches.len()
                    )),
                )
            }
        }
        Err(err) => e.ended(params_outcome(err), Some(err.to_string())),
    });
}

/// Journal an energy reset: each family's total before and after.
pub fn energy_reset(
    origin: Origin,
    address: &str,
    asked: &str,
    result: &Result<EnergyResetOutcome, ParamsError>,
) {
    let e = entry(origin, Kind::EnergyReset, address, asked);
    append(&match result {
        Ok(outcome) => {
            let family = |name: &str, r: Option<je08_client::params::EnergyReset>| {
                r.map(|r| {
                    Change::new(
                        name,
                        Some(r.before.to_string()),
                        Some("0".into()),
                        Some(r.after.to_string()),
                    )
                })
            };
            let changes = [
                family("kWh total", outcome.kwh),
                family("kVArh total", outcome.kvarh),
            ]
            .into_iter()
            .flatten()
            .collect();
            let e = e.device(Some(outcome.device_id)).changes(changes);
            if outcome.is_ok() {
                e.ended(Outcome::Done, None)
            } else {
                e.ended(
                    Outcome::Failed,
                    Some("the energy total did not go down after the reset".into()),
                )
            }
        }
        Err(err) => e.ended(params_outcome(err), Some(err.to_string())),
    });
}

/// Journal a mode switch, reboot or network reset over HTTP: the mode the
/// meter answered in afterwards (`/api/info`), when it came back.
pub fn web_action(
    origin: Origin,
    kind: Kind,
    address: &str,
    asked: &str,
    result: Result<Option<&Info>, &HttpError>,
) {
    let e = entry(origin, kind, address, asked);
    append(&match result {
        Ok(Some(info)) => e
            .device(Some(info.id))
            .changes(vec![Change::new("mode", None, None, Some(info.mode.to_string()))])
            .ended(Outcome::Done, None),
        Ok(None) => e.ended(Outcome::Done, None),
        Err(err) => {
            let outcome = if http_refused(err) {
                Outcome::Refused
            } else {
                Outcome::Failed
            };
            e.ended(outcome, Some(err.to_string()))
        }
    });
}

/// A configuration block as read before, asked, and read back after.
#[derive(Debug, Clone, Copy)]
pub struct BlockWrite<'a> {
    /// The block's name (`connectivity`, `protocols`, `ct`).
    pub block: &'a str,
    /// As read before writing, when read.
    pub before: Option<&'a Value>,
    /// As asked.
    pub asked: &'a Value,
    /// As read back after writing, when read.
    pub after: Option<&'a Value>,
}

/// The writes of a settings plan in words, for the entry's "asked".
pub fn asked_settings(plan: &je08_protocol::validate::WritePlan, defaults: bool) -> String {
    let mut words: Vec<String> = plan
        .writes()
        .iter()
        .map(|(a, v)| format!("{} = {v}", je08_protocol::registers::Register::at(*a).name))
        .collect();
    if defaults {
        words.insert(0, "restore default gains".into());
    }
    format!("set {}", words.join(", "))
}

/// Journal a configuration block written over HTTP: each field that was
/// asked to change or changed, before → asked → read back; secrets as
/// "(changed)" only.
pub fn config_block(
    origin: Origin,
    address: &str,
    device_id: Option<u32>,
    write: &BlockWrite<'_>,
    result: Result<(), &HttpError>,
) {
    let mut changes = Vec::new();
    field_changes(
        write.block,
        write.before,
        Some(write.asked),
        write.after,
        &mut changes,
    );
    let e = entry(
        origin,
        Kind::Config,
        address,
        &format!("write the {} block", write.block),
    )
    .device(device_id)
    .changes(changes);
    append(&match result {
        Ok(()) => e.ended(Outcome::Done, None),
        Err(err) => {
            let outcome = if http_refused(err) {
                Outcome::Refused
            } else {
                Outcome::Failed
            };
            e.ended(outcome, Some(err.to_string()))
        }
    });
}

/// Whether a configuration field holds a secret.
fn is_secret(field: &str) -> bool {
    let leaf = field.rsplit('.').next().unwrap_or(field);
    leaf.contains("password") || leaf.contains("key") || leaf.contains("secret")
}

/// The leaves of `asked` that differ from `before` or `after`, by dotted path.
fn field_changes(
    path: &str,
    before: Option<&Value>,
    asked: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<Change>,
) {
    if let Some(Value::Object(fields)) = asked {
        for (name, value) in fields {
            let path = format!("{path}.{name}");
            let (was, now) = (before.and_then(|v| v.get(name)), after.and_then(|v| v.get(name)));
            field_changes(&path, was, Some(value), now, out);
        }
        return;
    }
    let asked = asked.filter(|v| !v.is_null());
    if is_secret(path) {
        if asked.is_some() {
            out.push(Change::secret(path));
        }
        return;
    }
    let text = |v: Option<&Value>| v.map(|v| v.to_string());
    if asked.is_some() && (before != asked || after != asked) {
        out.push(Change::new(path, text(before), text(asked), text(after)));
    }
}

/// Lowercase hex SHA-256 of `bytes` (firmware images, certificates).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a certificate slot received: the certificate's subject, expiry and
/// SHA-256 fingerprint (of its DER), or nothing for a private key.
#[derive(Debug, Clone, Copy)]
pub struct CertUpload<'a> {
    /// Subject distinguished name.
    pub subject: &'a str,
    /// End of validity (UTC).
    pub not_after: &'a str,
    /// SHA-256 fingerprint.
    pub sha256: &'a str,
}

/// Journal a certificate slot uploaded (`Some` for a certificate, `None`
/// for a private key, recorded only as changed) or deleted (`deleted`).
pub fn certificate(
    origin: Origin,
    address: &str,
    slot: &str,
    upload: Option<&CertUpload<'_>>,
    deleted: bool,
    result: Result<(), &HttpError>,
) {
    let (asked, changes) = if deleted {
        (
            format!("delete the {slot}"),
            vec![Change::new(slot, None, Some("(deleted)".into()), None)],
        )
    } else if let Some(c) = upload {
        let changes = vec![
            Change::new(format!("{slot}.subject"), None, Some(c.subject.to_string()), None),
            Change::new(
                format!("{slot}.not_after"),
                None,
                Some(c.not_after.to_string()),
                None,
            ),
            Change::new(format!("{slot}.sha256"), None, Some(c.sha256.to_string()), None),
        ];
        (format!("upload the {slot}"), changes)
    } else {
        (format!("upload the {slot}"), vec![Change::secret(slot)])
    };
    let e = entry(origin, Kind::Certificate, address, &asked).changes(changes);
    append(&match result {
        Ok(()) => e.ended(Outcome::Done, None),
        Err(err) => {
            let outcome = if http_refused(err) {
                Outcome::Refused
            } else {
                Outcome::Failed
            };
            e.ended(outcome, Some(err.to_string()))
        }
    });
}

/// SHA-256 fingerprint of the first certificate in a PEM text (of its DER).
pub fn pem_fingerprint(pem: &str) -> Option<String> {
    x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .ok()
        .map(|(_, p)| sha256_hex(&p.contents))
}

/// A firmware push as asked: the image and how it travels.
#[derive(Debug, Clone, Copy)]
pub struct FirmwarePush<'a> {
    /// The meter's HTTP address.
    pub address: &'a str,
    /// ESP firmware version before, when read.
    pub before: Option<&'a str>,
    /// The image's own version, when it names one.
    pub image_version: Option<&'a str>,
    /// SHA-256 of the image.
    pub image_sha256: &'a str,
    /// `http` or `espota`.
    pub method: &'a str,
}

/// Journal a firmware push: version before → image → running after, the
/// image's SHA-256 and the method.
pub fn firmware(origin: Origin, push: &FirmwarePush<'_>, result: Result<&Info, &FlashError>) {
    let asked = format!(
        "push firmware {} via {}",
        push.image_version.unwrap_or("(unnamed)"),
        push.method
    );
    let confirmed = result.ok().map(|i| i.esp_version.to_string());
    let changes = vec![
        Change::new(
            "esp_version",
            push.before.map(str::to_string),
            push.image_version.map(str::to_string),
            confirmed,
        ),
        Change::new("image_sha256", None, Some(push.image_sha256.to_string()), None),
    ];
    let e = entry(origin, Kind::Firmware, push.address, &asked).changes(changes);
    append(&match result {
        Ok(info) => e.device(Some(info.id)).ended(Outcome::Done, None),
        Err(err @ FlashError::BadImage(_)) => e.ended(Outcome::Refused, Some(err.to_string())),
        Err(FlashError::Http(h)) if http_refused(h) => e.ended(Outcome::Refused, Some(h.to_string())),
        Err(err) => e.ended(Outcome::Failed, Some(err.to_string())),
    });
}

/// A calibration as planned: where, which gain, against what.
#[derive(Debug, Clone, Copy)]
pub struct Calibration<'a> {
    /// The meter's Modbus address.
    pub address: &'a str,
    /// Its device id.
    pub device_id: u32,
    /// Phase, quantity, reference, gain and error before, new gain.
    pub plan: &'a CalibrationPlan,
    /// The reference instrument as typed.
    pub instrument: Option<&'a str>,
}

/// Journal a calibration: phase, quantity, reference value and instrument,
/// gain before → planned → read back, error before → after. Returns the
/// entry's id, which the calibration certificate cites.
pub fn calibration(
    origin: Origin,
    made: &Calibration<'_>,
    result: &Result<CalibrationOutcome, CalibrateError>,
) -> String {
    let p = made.plan;
    let asked = format!(
        "calibrate phase {} {:?} against {:.3} {} ({})",
        p.phase,
        p.quantity,
        p.reference,
        p.quantity.unit(),
        made.instrument.unwrap_or("instrument not given")
    );
    let gain = |confirmed: Option<String>| {
        Change::new(
            je08_protocol::registers::Register::at(p.register).name,
            Some(p.old_gain.to_string()),
            Some(p.new_gain.to_string()),
            confirmed,
        )
    };
    let e = entry(origin, Kind::Calibration, made.address, &asked).device(Some(made.device_id));
    let e = match result {
        Ok(o) => {
            let error = Change::new(
                "error %",
                Some(format!("{:+.3}", p.error_before_percent)),
                None,
                Some(format!("{:+.3}", o.error_after_percent)),
            );
            let read_back = o.field.as_ref().map(|f| f.read_back.to_string());
            let e = e.changes(vec![gain(read_back), error]);
            if o.written_ok {
                e.ended(Outcome::Done, None)
            } else {
                e.ended(
                    Outcome::Failed,
                    Some("the new gain did not read back as written".into()),
                )
            }
        }
        Err(err) => {
            let outcome = match err {
                CalibrateError::Params(p) => params_outcome(p),
                CalibrateError::Remeasure(_) => Outcome::Failed,
                _ => Outcome::Refused,
            };
            e.changes(vec![gain(None)])
                .ended(outcome, Some(err.describe(Tr::EN)))
        }
    };
    append(&e);
    e.id
}

/// Journal one meter's profile application (not a dry run): field by
/// field what it held, what the profile gave it and what was read back.
pub fn profile_applied(origin: Origin, profile: &Profile, result: &MeterResult) {
    let asked = match profile.meta.description.trim() {
        "" => format!(
            "apply a profile saved from meter {}",
            profile.meta.source_device_id
        ),
        description => format!("apply the profile \"{description}\""),
    };
    let changes = result
        .diff
        .iter()
        .map(|d| {
            Change::new(
                format!("{}.{}", d.block, d.field),
                Some(d.current.clone()),
                Some(d.wanted.clone()),
                d.read_back.clone(),
            )
        })
        .collect();
    let e = entry(origin, Kind::Profile, &result.meter, &asked)
        .device(result.device_id)
        .changes(changes);
    let reason = result.reason.as_ref().map(|r| r.describe(Tr::EN));
    append(&match result.status {
        ApplyStatus::Ok | ApplyStatus::Changed | ApplyStatus::WouldChange => e.ended(Outcome::Done, None),
        ApplyStatus::Failed | ApplyStatus::Cancelled => e.ended(Outcome::Failed, reason),
    });
}

/// Journal a provisioning step (a meter from the box joined to a network),
/// for the provisioning workflow to call once per meter: `changes` must not
/// hold secrets (use [`Change::secret`] for the Wi-Fi password);
/// `result` is `Err(reason)` when the meter refused or the step failed.
pub fn record_provisioning(
    origin: Origin,
    address: &str,
    device_id: Option<u32>,
    asked: &str,
    changes: Vec<Change>,
    result: Result<(), (Outcome, String)>,
) {
    let e = entry(origin, Kind::Provisioning, address, asked)
        .device(device_id)
        .changes(changes);
    append(&match result {
        Ok(()) => e.ended(Outcome::Done, None),
        Err((outcome, reason)) => e.ended(outcome, Some(reason)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_fields_list_changes_and_hide_secrets() {
        let before = json!({"ssid": "old", "password": null, "dhcp": true});
        let asked = json!({"ssid": "plant", "password": "hunter2-secret", "dhcp": true});
        let after = json!({"ssid": "plant", "password": null, "dhcp": true});
        let mut out = Vec::new();
        field_changes("wifi", Some(&before), Some(&asked), Some(&after), &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        let field = |name: &str| out.iter().find(|c| c.field == name).unwrap();
        assert_eq!(field("wifi.password").asked.as_deref(), Some("(changed)"));
        assert_eq!(field("wifi.ssid").confirmed.as_deref(), Some("\"plant\""));
        assert!(!format!("{out:?}").contains("hunter2"));
    }
}
