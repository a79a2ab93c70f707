//! The window's per-page state that is not persisted: which page and tab
//! show, what each of them holds, the open question, the language.

use std::collections::HashMap;

use super::commission::CommishState;
use super::configuration::ConfigState;
use super::discovered::DiscoveryState;
use super::firmware::FirmwareState;
use super::intent::Confirm;
use super::live::LiveState;
use super::mqtt::MqttState;
use super::navigation::{Page, Tab};
use super::parameters::ParamsForm;
use super::setup::SetupState;
use super::support::SupportState;
use crate::backend::MeterKey;
use crate::i18n::Lang;

/// Per-page UI state that is not persisted.
pub struct ViewState {
    /// Current language.
    pub lang: Lang,
    /// Selected meter.
    pub selected: Option<MeterKey>,
    /// Central page.
    pub page: Page,
    /// Meter tab.
    pub tab: Tab,
    /// Text of the "add by address" field.
    pub add_address: String,
    /// Live tab state (window, pause).
    pub live: LiveState,
    /// Parameter forms per meter.
    pub params: HashMap<MeterKey, ParamsForm>,
    /// Configuration tab state.
    pub config: ConfigState,
    /// Firmware tab state.
    pub firmware: FirmwareState,
    /// Commissioning views' state.
    pub commish: CommishState,
    /// MQTT view state.
    pub mqtt: MqttState,
    /// "Find meters" panel state.
    pub discovery: DiscoveryState,
    /// "Set up new meters" wizard state.
    pub setup: SetupState,
    /// The Help menu: About, diagnostics, the last run's crash.
    pub support: SupportState,
    /// The History tab: each meter's journal entries as last read, or why not.
    pub history: HashMap<MeterKey, Result<Vec<je08_client::journal::Entry>, String>>,
    /// The Journal page: its filters and the page of entries shown.
    pub journal: super::journal_page::JournalPage,
    /// The exports: their format, the one waiting for its file, the last result.
    pub exports: super::exports::ExportState,
    /// Name and notes being edited: (meter, name, notes).
    pub edit: Option<(MeterKey, String, String)>,
    /// Open question.
    pub confirm: Option<Confirm>,
    /// A transient notice (e.g. "busy").
    pub notice: Option<String>,
}
