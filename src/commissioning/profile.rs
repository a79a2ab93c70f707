//! Configuration profiles: save one meter's whole configuration to TOML and
//! apply it to many meters ([`apply`]), each with a dry-run diff, write,
//! read back and a result.
//!
//! A profile (format 2) holds the metering settings (Modbus registers 9–19)
//! and, optionally, the HTTP connectivity and protocols blocks (the HTTP CT
//! block is the same registers 16–19, kept once under `settings`).
//!
//! - Secrets (Wi-Fi, interface and MQTT passwords) are never written to the
//!   file and never read from it: applying keeps each meter's own.
//! - Per-meter identity is never copied blindly: the static IP address is
//!   left out (each meter keeps its own); the device name, the MQTT client
//!   id and the topics are stored as templates where the source meter's id
//!   becomes `{id}` (replaced by each target's id on apply), and the device
//!   name and client id are left out when they do not contain the id.
//!
//! - One meter's calibration never travels: a profile holds no calibration
//!   gains (registers 9–15) and each meter keeps its own; a per-meter
//!   backup (the same format, `backup_of` naming the device id) holds them
//!   and is applied to that meter only ([`FileKind`]).
//!
//! Formats 1 and 2 (which always held gains) still load, as profiles whose
//! gains are ignored.

mod apply;
mod capture;
mod error;
mod kind;
#[cfg(test)]
mod props;
mod template;

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub(crate) use apply::flatten;
pub use apply::{Access, ApplyFailure, ApplyStatus, FieldDiff, MeterResult, Step, apply};
pub use capture::{CAPTURE_STEPS, capture, capture_all};
pub use error::{BlockErrors, ProfileError, ProfileProblem};
pub use kind::{FileKind, ProfileSettings, gains_text};
pub use template::{check_template, render, templated};

use je08_protocol::http_api::{
    Connectivity, Ds18b20Config, ModbusConfig, MqttConfig, Protocols, TlsConfig, WifiMode,
};
use je08_protocol::readings::Settings;
use je08_protocol::validate::{WritePlan, settings_words};

/// Current profile file format (3: gains only in a backup).
pub const FORMAT: u32 = 3;
/// Format 2: settings (gains always included) and HTTP blocks.
pub const FORMAT_V2: u32 = 2;
/// Oldest format still read (Modbus settings only).
pub const FORMAT_V1: u32 = 1;

/// Where a profile came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileMeta {
    /// File format version.
    pub format: u32,
    /// Device id of the meter it was saved from (informative only).
    pub source_device_id: u32,
    /// When it was saved: a quoted RFC 3339 text, as je08 writes it, or a
    /// bare TOML date-time, as a person typing the file may.
    #[serde(deserialize_with = "saved_at")]
    pub saved_at: DateTime<Utc>,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The device id this file is a backup of (with its calibration gains),
    /// the only meter it is applied to; `None`: a profile for any meter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_of: Option<u32>,
}

/// Read `saved_at` from a quoted RFC 3339 text or a bare TOML date-time.
fn saved_at<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(deserializer)? {
        Written::Text(text) => text,
        Written::Toml(datetime) => datetime.to_string(),
    };
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| serde::de::Error::custom(format!("saved_at {text:?}: {e}")))
}

/// A meter configuration without identity and without secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Origin.
    pub meta: ProfileMeta,
    /// Metering settings (CT ratio, inversions; gains in a backup only).
    pub settings: ProfileSettings,
    /// The HTTP settings blocks (`None`: Modbus settings only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpProfile>,
    /// The file, not a backup, held calibration gains (an earlier
    /// version's profile): they were dropped when it was read.
    #[serde(skip)]
    pub gains_ignored: bool,
}

/// The HTTP settings blocks of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpProfile {
    /// Wi-Fi and addressing, without the static IP and the passwords.
    pub connectivity: ConnectivityProfile,
    /// Modbus, MQTT (without the password) and the temperature sensor.
    pub protocols: ProtocolsProfile,
}

/// The connectivity block without identity (static IP) and secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectivityProfile {
    /// Station or access point.
    pub wifi_mode: WifiMode,
    /// Network to join or serve.
    pub ssid: String,
    /// DHCP (station only).
    pub dhcp: bool,
    /// Network mask.
    pub netmask: String,
    /// Default gateway.
    pub gateway: String,
    /// DNS server.
    pub dns: String,
    /// Device name template (`{id}`: the meter's id); absent: each meter
    /// keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// The protocols block without secrets, identity as templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolsProfile {
    /// Modbus TCP server.
    pub modbus: ModbusConfig,
    /// MQTT client.
    pub mqtt: MqttProfile,
    /// Temperature sensor.
    pub ds18b20: Ds18b20Config,
}

/// MQTT settings without the password; client id and topics as templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttProfile {
    /// Run the MQTT client.
    pub enabled: bool,
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: u32,
    /// Client id template; absent: each meter keeps its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// User name.
    pub username: String,
    /// Publish topic template.
    pub publish_topic: String,
    /// Subscribe topic template.
    pub subscribe_topic: String,
    /// Seconds between DATA publications.
    pub interval_s: u32,
    /// TLS options.
    pub tls: TlsConfig,
}

impl HttpProfile {
    /// The profile of a meter's blocks: passwords and the static IP left
    /// out, `source_id` inside the device name, client id and topics turned
    /// into `{id}`.
    pub fn from_blocks(connectivity: &Connectivity, protocols: &Protocols, source_id: u32) -> Self {
        let m = &protocols.mqtt;
        Self {
            connectivity: ConnectivityProfile {
                wifi_mode: connectivity.wifi_mode,
                ssid: connectivity.ssid.clone(),
                dhcp: connectivity.dhcp,
                netmask: connectivity.netmask.clone(),
                gateway: connectivity.gateway.clone(),
                dns: connectivity.dns.clone(),
                device_name: templated(&connectivity.device_name, source_id),
            },
            protocols: ProtocolsProfile {
                modbus: protocols.modbus.clone(),
                mqtt: MqttProfile {
                    enabled: m.enabled,
                    host: m.host.clone(),
                    port: m.port,
                    client_id: templated(&m.client_id, source_id),
                    username: m.username.clone(),
                    publish_topic: templated(&m.publish_topic, source_id)
                        .unwrap_or_else(|| m.publish_topic.clone()),
                    subscribe_topic: templated(&m.subscribe_topic, source_id)
                        .unwrap_or_else(|| m.subscribe_topic.clone()),
                    interval_s: m.interval_s,
                    tls: m.tls,
                },
                ds18b20: protocols.ds18b20,
            },
        }
    }

    /// The blocks to write on meter `id` whose stored blocks are `current`:
    /// the profile with `{id}` rendered, the meter's own static IP and
    /// (where the profile leaves them out) name and client id, and `null`
    /// passwords so the meter keeps its own.
    pub fn blocks_for(&self, id: u32, current: (&Connectivity, &Protocols)) -> (Connectivity, Protocols) {
        let (conn, proto) = current;
        let c = &self.connectivity;
        let connectivity = Connectivity {
            wifi_mode: c.wifi_mode,
            ssid: c.ssid.clone(),
            password: None,
            dhcp: c.dhcp,
            ip: conn.ip.clone(),
            netmask: c.netmask.clone(),
            gateway: c.gateway.clone(),
            dns: c.dns.clone(),
            device_name: c
                .device_name
                .as_ref()
                .map_or_else(|| conn.device_name.clone(), |t| render(t, id)),
            interface_password: None,
        };
        let m = &self.protocols.mqtt;
        let protocols = Protocols {
            modbus: self.protocols.modbus.clone(),
            mqtt: MqttConfig {
                enabled: m.enabled,
                host: m.host.clone(),
                port: m.port,
                client_id: m
                    .client_id
                    .as_ref()
                    .map_or_else(|| proto.mqtt.client_id.clone(), |t| render(t, id)),
                username: m.username.clone(),
                password: None,
                publish_topic: render(&m.publish_topic, id),
                subscribe_topic: render(&m.subscribe_topic, id),
                interval_s: m.interval_s,
                tls: m.tls,
            },
            ds18b20: self.protocols.ds18b20,
        };
        (connectivity, protocols)
    }

    /// Validate the blocks this profile gives meter `id` at `ip` (named
    /// `name`, MQTT client `client_id` where the profile leaves them out).
    pub fn validate_for(&self, id: u32, ip: &str, name: &str, client_id: &str) -> Result<(), BlockErrors> {
        let mut conn = Connectivity::factory(id);
        conn.ip = ip.to_owned();
        conn.device_name = name.to_owned();
        let mut proto = Protocols::factory(id);
        proto.mqtt.client_id = client_id.to_owned();
        let (conn, proto) = self.blocks_for(id, (&conn, &proto));
        BlockErrors::check(&conn, &proto)
    }

    /// Whole-profile validation independent of the target: templates are
    /// well formed and the blocks are valid for the shortest and the
    /// longest id (with the gateway standing in for the static IP).
    pub fn validate(&self) -> Result<(), ProfileProblem> {
        let c = &self.connectivity;
        let m = &self.protocols.mqtt;
        for (field, text) in [
            ("connectivity.device_name", c.device_name.as_deref()),
            ("mqtt.client_id", m.client_id.as_deref()),
            ("mqtt.publish_topic", Some(m.publish_topic.as_str())),
            ("mqtt.subscribe_topic", Some(m.subscribe_topic.as_str())),
        ] {
            if let Some(text) = text {
                check_template(field, text)?;
            }
        }
        let ip = if c.dhcp { String::new() } else { c.gateway.clone() };
        for id in [0, u32::MAX] {
            self.validate_for(id, &ip, "JE08", "je08")
                .map_err(ProfileProblem::Blocks)?;
        }
        Ok(())
    }
}

impl Profile {
    /// Parse and validate a profile (format 1 or 2): every setting within its
    /// register's range, templates well formed, HTTP blocks valid.
    pub fn from_toml(text: &str, path: &str) -> Result<Self, ProfileError> {
        Self::parse(text).map_err(|problem| ProfileError::Invalid {
            path: path.to_string(),
            problem,
        })
    }

    fn parse(text: &str) -> Result<Self, ProfileProblem> {
        let mut profile: Profile = toml::from_str(text).map_err(|e| {
            let detail = e.to_string();
            if detail.contains("password") {
                ProfileProblem::Secret { detail }
            } else {
                ProfileProblem::Toml { detail }
            }
        })?;
        match profile.meta.format {
            FORMAT | FORMAT_V2 => {}
            FORMAT_V1 if profile.http.is_none() => {}
            FORMAT_V1 => return Err(ProfileProblem::HttpInFormat1),
            format => return Err(ProfileProblem::Format { format }),
        }
        let words: Vec<(u16, i64)> = settings_words(&profile.settings.for_meter(&Settings::factory()))
            .into_iter()
            .map(|(a, v)| (a, i64::from(v)))
            .collect();
        WritePlan::new(&words).map_err(ProfileProblem::Setting)?;
        if let Some(http) = &profile.http {
            http.validate()?;
        }
        if profile.meta.backup_of.is_none() && profile.settings.gains.is_some() {
            profile.settings.gains = None;
            profile.gains_ignored = true;
        }
        Ok(profile)
    }

    /// This backup as a profile for other meters: no gains, no device id.
    pub fn for_other_meters(mut self) -> Self {
        self.meta.backup_of = None;
        self.settings.gains = None;
        self
    }

    /// A profile or the backup of one meter, as the dry run says it.
    pub fn kind(&self) -> FileKind {
        match self.meta.backup_of {
            Some(id) => FileKind::Backup {
                id,
                gains: self.settings.gain_list(),
            },
            None => FileKind::Profile {
                gains_ignored: self.gains_ignored,
            },
        }
    }

    /// The TOML text, with a comment saying what it is and what is left out.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let what = match self.meta.backup_of {
            Some(id) => {
                format!("backup of meter {id} with its calibration gains, applied to meter {id} only")
            }
            None => "configuration profile, without calibration gains: each meter keeps its own".into(),
        };
        Ok(format!(
            "# je08 {what} (format {FORMAT}).\n\
             # Secrets (Wi-Fi, interface and MQTT passwords) and the static IP address are\n\
             # never stored here: each meter keeps its own. {{id}} stands for each meter's id.\n{}",
            toml::to_string_pretty(self)?
        ))
    }

    /// Read a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        Self::from_toml(&text, &shown)
    }

    /// Write the profile atomically.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        let shown = path.display().to_string();
        let text = self.to_toml().map_err(|e| ProfileError::Invalid {
            path: shown.clone(),
            problem: ProfileProblem::Toml {
                detail: e.to_string(),
            },
        })?;
        je08_client::store::atomic::write_atomically(path, text.as_bytes()).map_err(|e| ProfileError::Write {
            path: shown,
            detail: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::http_api::Secret;

    fn source_blocks() -> (Connectivity, Protocols) {
        let mut conn = Connectivity::factory(990);
        conn.wifi_mode = WifiMode::St;
        conn.ssid = "PLANT".into();
        conn.ip = "10.1.2.90".into();
        conn.gateway = "10.1.2.1".into();
        conn.dns = "10.1.2.1".into();
        conn.device_name = "Line 3 meter 990".into();
        let mut proto = Protocols::factory(990);
        proto.mqtt.client_id = "plant-990".into();
        proto.mqtt.password = Some(Secret::new("mqtt-secret"));
        proto.mqtt.publish_topic = "site9/990/data".into();
        (conn, proto)
    }

    fn profile(http: Option<HttpProfile>) -> Profile {
        Profile {
            meta: ProfileMeta {
                format: FORMAT,
                source_device_id: 990,
                saved_at: Utc::now(),
                description: String::new(),
                backup_of: None,
            },
            settings: ProfileSettings {
                gains: None,
                ..ProfileSettings::with_gains(&Settings::factory())
            },
            http,
            gains_ignored: false,
        }
    }

    #[test]
    fn identity_becomes_templates_and_secrets_stay_out() {
        let (conn, proto) = source_blocks();
        let http = HttpProfile::from_blocks(&conn, &proto, 990);
        assert_eq!(
            http.connectivity.device_name.as_deref(),
            Some("Line 3 meter {id}")
        );
        assert_eq!(http.protocols.mqtt.client_id.as_deref(), Some("plant-{id}"));
        assert_eq!(http.protocols.mqtt.publish_topic, "site9/{id}/data");
        let text = profile(Some(http.clone())).to_toml().expect("toml");
        assert!(!text.contains("secret") && !text.contains("10.1.2.90"), "{text}");
        assert!(!text.contains("password ="), "{text}");
        let back = Profile::from_toml(&text, "t").expect("reads back");
        assert_eq!(back.http, Some(http.clone()));
        let mut target = Connectivity::factory(5);
        target.ip = "10.1.2.5".into();
        let (c, p) = http.blocks_for(5, (&target, &Protocols::factory(5)));
        assert_eq!(
            (c.device_name.as_str(), c.ip.as_str(), p.mqtt.client_id.as_str()),
            ("Line 3 meter 5", "10.1.2.5", "plant-5")
        );
        assert_eq!((c.password, p.mqtt.password), (None, None));
        assert!(http.validate_for(5, "10.1.2.5", "x", "y").is_ok());
        let outside = http.validate_for(5, "10.9.9.5", "x", "y");
        assert!(
            outside.is_err_and(|e| e.protocols.0.is_empty() && e.to_string().contains("gateway")),
            "a meter outside the gateway's subnet is refused"
        );
    }

    #[test]
    fn saved_at_is_read_quoted_or_as_a_bare_toml_date_time() {
        let file = |saved_at: &str| {
            format!(
                "[meta]\nformat = 3\nsource_device_id = 0\nsaved_at = {saved_at}\n\n\
                 [settings]\nct_ratio = 150\n\n[settings.invert]\na = false\nb = false\nc = false\n"
            )
        };
        let quoted = Profile::from_toml(&file("\"2026-12-01T08:00:00Z\""), "t").expect("quoted");
        let bare = Profile::from_toml(&file("2026-12-01T05:00:00-03:00"), "t").expect("bare");
        assert_eq!(quoted.meta.saved_at, bare.meta.saved_at);
        assert_eq!(bare.settings.ct_ratio, 150);
        let wrong = Profile::from_toml(&file("\"yesterday\""), "t").unwrap_err();
        assert!(wrong.to_string().contains("yesterday"), "{wrong}");
    }

    #[test]
    fn names_without_the_id_are_left_out() {
        let (mut conn, mut proto) = source_blocks();
        conn.device_name = "Main board".into();
        proto.mqtt.client_id = "meter".into();
        let http = HttpProfile::from_blocks(&conn, &proto, 990);
        assert_eq!(http.connectivity.device_name, None);
        assert_eq!(http.protocols.mqtt.client_id, None);
        let mut target = Connectivity::factory(7);
        target.device_name = "Kept".into();
        let (c, _) = http.blocks_for(7, (&target, &Protocols::factory(7)));
        assert_eq!(c.device_name, "Kept");
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let (conn, proto) = source_blocks();
        let good = profile(Some(HttpProfile::from_blocks(&conn, &proto, 990)))
            .to_toml()
            .expect("toml");
        let with_secret = good.replace(
            "[http.protocols.mqtt]\n",
            "[http.protocols.mqtt]\npassword = \"x\"\n",
        );
        let err = Profile::from_toml(&with_secret, "p").unwrap_err();
        assert!(
            matches!(
                &err,
                ProfileError::Invalid {
                    problem: ProfileProblem::Secret { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("secrets are never read"), "{err}");
        let bad_template = good.replace("site9/{id}/data", "site9/{idx}/data");
        let err = Profile::from_toml(&bad_template, "p").unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile p is not a valid je08 profile: mqtt.publish_topic: \"site9/{idx}/data\": the only placeholder is {id}"
        );
        let bad_interval = good.replace("interval_s = 5", "interval_s = 0");
        let err = Profile::from_toml(&bad_interval, "p").unwrap_err();
        assert!(
            matches!(
                &err,
                ProfileError::Invalid {
                    problem: ProfileProblem::Blocks(_),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("interval_s"), "{err}");
        let v1 = profile(None)
            .to_toml()
            .expect("toml")
            .replace("format = 3", "format = 1");
        assert!(Profile::from_toml(&v1, "p").is_ok_and(|p| p.http.is_none()));
        let v4 = good.replace("format = 3", "format = 4");
        assert_eq!(
            Profile::from_toml(&v4, "p").unwrap_err().to_string(),
            "profile p is not a valid je08 profile: format 4 is not supported (this version reads formats 1 to 3)"
        );
    }
}
