//! State of the Live tab: the plot window, pause and the plotted quantity.

use super::history::Channel;
use crate::i18n::Msg;

/// State of the Live tab.
#[derive(Debug, Clone)]
pub struct LiveState {
    /// Plot window, seconds.
    pub window_s: u32,
    /// When paused: the right edge of the frozen window (UNIX seconds).
    pub paused_at: Option<f64>,
    /// The plotted quantity.
    pub quantity: Quantity,
}

impl LiveState {
    /// Start with a window of `window_s` seconds.
    pub fn new(window_s: u32) -> Self {
        Self {
            window_s: window_s.clamp(60, 3600),
            paused_at: None,
            quantity: Quantity::Voltage,
        }
    }
}

/// A plotted quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Phase voltages.
    Voltage,
    /// Currents.
    Current,
    /// Active power.
    Active,
    /// Reactive power.
    Reactive,
    /// Apparent power.
    Apparent,
    /// Power factor.
    PowerFactor,
    /// Frequency.
    Frequency,
    /// Temperature.
    Temperature,
}

impl Quantity {
    /// Every quantity in display order.
    pub const ALL: [Quantity; 8] = [
        Quantity::Voltage,
        Quantity::Current,
        Quantity::Active,
        Quantity::Reactive,
        Quantity::Apparent,
        Quantity::PowerFactor,
        Quantity::Frequency,
        Quantity::Temperature,
    ];

    /// Its name in the selector.
    pub fn msg(self) -> Msg {
        match self {
            Quantity::Voltage => Msg::Voltage,
            Quantity::Current => Msg::Current,
            Quantity::Active => Msg::ActivePower,
            Quantity::Reactive => Msg::ReactivePower,
            Quantity::Apparent => Msg::ApparentPower,
            Quantity::PowerFactor => Msg::PowerFactor,
            Quantity::Frequency => Msg::Frequency,
            Quantity::Temperature => Msg::Temperature,
        }
    }

    /// Its unit.
    pub fn unit(self) -> &'static str {
        match self {
            Quantity::Voltage => "V",
            Quantity::Current => "A",
            Quantity::Active => "kW",
            Quantity::Reactive => "kVAr",
            Quantity::Apparent => "kVA",
            Quantity::PowerFactor => "",
            Quantity::Frequency => "Hz",
            Quantity::Temperature => "°C",
        }
    }

    /// The series to draw: (channel, series label index: 0–2 phase, 3 total).
    pub fn channels(self) -> Vec<(Channel, usize)> {
        let phases = |f: fn(usize) -> Channel, total: bool| {
            (0..if total { 4 } else { 3 })
                .map(|k| (f(k), k))
                .collect::<Vec<_>>()
        };
        match self {
            Quantity::Voltage => phases(Channel::Voltage, false),
            Quantity::Current => phases(Channel::Current, false),
            Quantity::Active => phases(Channel::Active, true),
            Quantity::Reactive => phases(Channel::Reactive, true),
            Quantity::Apparent => phases(Channel::Apparent, true),
            Quantity::PowerFactor => phases(Channel::PowerFactor, true),
            Quantity::Frequency => vec![(Channel::Frequency, 3)],
            Quantity::Temperature => vec![(Channel::Temperature, 3)],
        }
    }
}

/// Plot windows offered, seconds.
pub const WINDOWS: [u32; 4] = [60, 300, 900, 3600];
