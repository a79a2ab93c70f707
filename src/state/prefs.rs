//! Preferences that survive a restart (stored through eframe's persistence,
//! next to the window geometry). Secrets never go here.

use serde::{Deserialize, Serialize};

use super::model::Endpoints;
use crate::commissioning::export::Format;
use crate::commissioning::report::ReportHeader;
use crate::i18n::Lang;

/// Storage key of the preferences.
pub const KEY: &str = "je08.prefs";

/// A meter the user added, remembered across runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMeter {
    /// Modbus address.
    pub address: String,
    /// User-chosen name; empty once it is kept in the remembered-meters
    /// store (older versions kept it here).
    pub name: String,
    /// Free notes; empty once kept in the remembered-meters store.
    pub notes: String,
    /// Device id, when known: the store's name shows before the meter answers.
    #[serde(default)]
    pub id: Option<u32>,
    /// HTTP API and espota addresses, when not the defaults.
    #[serde(default)]
    pub endpoints: Endpoints,
}

/// Persisted preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Language chosen by the user; `None` follows the OS locale.
    pub lang: Option<Lang>,
    /// Remembered meters.
    pub meters: Vec<SavedMeter>,
    /// Plot time window in seconds.
    pub plot_window_s: u32,
    /// Last MQTT broker URL.
    pub broker_url: String,
    /// The commissioning report's site, panel, customer and technician.
    pub report_header: ReportHeader,
    /// The file format of recordings and exports last chosen.
    pub export_format: Format,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            lang: None,
            meters: Vec::new(),
            plot_window_s: 60,
            broker_url: "mqtt://127.0.0.1:1883".into(),
            report_header: ReportHeader::default(),
            export_format: Format::Csv,
        }
    }
}
