//! What a frame's drawing asks for: [`Action`]s collected while drawing and
//! applied after the frame, and the [`Confirm`] questions asked before
//! something irreversible.

use std::path::PathBuf;

use super::commission::Intent;
use super::navigation::{Page, Tab};
use crate::backend::exports::{Job, Origin};
use crate::backend::link::EnergyKind;
use crate::backend::web::{FlashMethod, WebJob};
use crate::backend::{Command, FilePurpose, JobId, MeterKey};
use crate::i18n::Lang;
use je08_client::discovery::Source;
use je08_protocol::mode::Mode;
use je08_protocol::mqtt::Command as MqttCommand;
use je08_protocol::readings::Settings;

/// A question the user must answer before something irreversible happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Zero the energy counters.
    ResetEnergy(MeterKey, EnergyKind),
    /// Restore default gains.
    RestoreDefaults(MeterKey),
    /// Remove a meter from the list.
    Forget(MeterKey),
    /// Send an MQTT command that changes the meter (energy resets).
    MqttCommand(String, MqttCommand),
    /// Reboot a meter into another mode (zeroes its energy counters).
    SwitchMode(MeterKey, Mode),
    /// Update a meter's firmware with a validated image.
    Flash(MeterKey, PathBuf, FlashMethod),
}

/// A user intent gathered during a frame and applied after drawing.
#[derive(Debug)]
pub enum Action {
    /// Show a meter.
    Select(MeterKey),
    /// Switch the central page.
    Page(Page),
    /// Switch the meter tab.
    Tab(Tab),
    /// Change the language.
    Lang(Lang),
    /// Add a meter by address.
    Add(String, Source),
    /// Follow a meter to the address discovery now sees it at (the user
    /// confirmed the move).
    FollowMove(MeterKey),
    /// Save a meter's name and notes.
    SaveDetails(MeterKey, String, String),
    /// Ask a question first.
    Ask(Confirm),
    /// The user said yes to the open question.
    Confirmed,
    /// The user closed the question.
    Dismiss,
    /// Write settings to a meter: what the form was loaded from, and what
    /// it asks for.
    Write(MeterKey, Settings, Settings),
    /// Cancel a job.
    Cancel(JobId),
    /// Open a file dialog.
    PickFile(FilePurpose),
    /// Publish an MQTT command to a meter.
    MqttSend(String, MqttCommand),
    /// Send a raw command.
    Send(Command),
    /// Connect the MQTT view to the broker as typed (its password stored
    /// first, when one is typed).
    ConnectBroker,
    /// A commissioning request (wiring, calibration, recording, batch).
    Commission(Intent),
    /// Scan the range typed in the "Find meters" panel.
    Scan,
    /// Run a job on a meter's HTTP API or espota.
    Web(MeterKey, WebJob),
    /// A click in the "Set up new meters" wizard.
    Setup(SetupIntent),
    /// Read the Journal page's entries: the newest that pass the filters,
    /// or (`true`) the page older than the one shown.
    JournalSearch(bool),
    /// Save a table or a picture: ask where (the dialog), then write it.
    Export(Origin, Job, String),
    /// The export's save dialog answered (`None`: dismissed).
    ExportTo(Option<PathBuf>),
    /// A click in the Help menu or the About window.
    Support(SupportIntent),
}

/// A click in the Help menu, the About window or a support notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupportIntent {
    /// Open (or close) the About window.
    About(bool),
    /// Save the diagnostics zip: where, or `None` to ask in a save dialog.
    SaveDiagnostics(Option<PathBuf>),
    /// Show the log folder in the OS's file manager.
    OpenLogFolder,
    /// Close the support notices (saved diagnostics, last crash).
    DismissNotices,
}

/// A click in the "Set up new meters" wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupIntent {
    /// Look for a meter on its access point.
    Look,
    /// Stop looking, or cancel the set-up under way.
    Cancel,
    /// Set up the meter found.
    Start,
    /// Put the meter in hand aside and look for the next one.
    Next,
    /// Choose the batch's profile.
    PickProfile,
    /// Apply no profile.
    ClearProfile,
    /// Fill the Wi-Fi password in from the keychain.
    LoadPassword,
    /// Save the batch table as CSV.
    SaveCsv,
}
