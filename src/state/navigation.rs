//! Where the window is: the page that fills it and the selected meter's tab.

use crate::i18n::Msg;

/// Which page fills the central area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The selected meter's tabs.
    Meter,
    /// The MQTT broker view.
    Mqtt,
    /// Batch actions on ticked meters.
    Batch,
    /// The "Set up new meters" wizard.
    Setup,
    /// The activity journal of all meters.
    Journal,
}

/// The meter tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Live readings, plots, phasors, energy.
    Live,
    /// Gains, CT ratio, inversion.
    Parameters,
    /// Modes, configuration blocks, certificates.
    Configuration,
    /// Firmware update.
    Firmware,
    /// Health and versions.
    Diagnostics,
    /// Wiring check and fix.
    Wiring,
    /// Calibration wizard.
    Calibration,
    /// Recording to CSV.
    Recording,
    /// Raw registers and Modbus traffic (support).
    Registers,
    /// What je08 changed on the meter (the activity journal).
    History,
}

impl Tab {
    /// Every tab in display order.
    pub const ALL: [Tab; 10] = [
        Tab::Live,
        Tab::Parameters,
        Tab::Configuration,
        Tab::Firmware,
        Tab::Diagnostics,
        Tab::Wiring,
        Tab::Calibration,
        Tab::Recording,
        Tab::Registers,
        Tab::History,
    ];

    /// Its label.
    pub fn msg(self) -> Msg {
        match self {
            Tab::Live => Msg::TabLive,
            Tab::Parameters => Msg::TabParameters,
            Tab::Configuration => Msg::TabConfiguration,
            Tab::Firmware => Msg::TabFirmware,
            Tab::Diagnostics => Msg::TabDiagnostics,
            Tab::Wiring => Msg::TabWiring,
            Tab::Calibration => Msg::TabCalibration,
            Tab::Recording => Msg::TabRecording,
            Tab::Registers => Msg::TabRegisters,
            Tab::History => Msg::TabHistory,
        }
    }
}
