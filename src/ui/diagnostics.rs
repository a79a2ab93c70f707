//! The Diagnostics tab: signal, uptime, reset reason in words, error
//! counters, versions and Wi-Fi role.

use eframe::egui::{self, RichText};

use crate::i18n::{Msg, Tr};
use crate::state::model::MeterRow;
use je08_protocol::readings::{ResetCause, WifiMode};

/// Uptime as "3 d 04:05:06".
pub fn format_uptime(seconds: u32) -> String {
    let (d, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    if d > 0 {
        format!("{d} d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

fn rssi_quality(rssi: i16) -> Msg {
    match rssi {
        r if r >= -55 => Msg::SignalExcellent,
        r if r >= -67 => Msg::SignalGood,
        r if r >= -80 => Msg::SignalFair,
        _ => Msg::SignalPoor,
    }
}

fn cause_msg(cause: ResetCause) -> Msg {
    match cause {
        ResetCause::OptionByteLoader => Msg::ResetOptionByte,
        ResetCause::NresetPin => Msg::ResetPin,
        ResetCause::PowerOn => Msg::ResetPowerOn,
        ResetCause::Software => Msg::ResetSoftware,
        ResetCause::IndependentWatchdog => Msg::ResetIwdg,
        ResetCause::WindowWatchdog => Msg::ResetWwdg,
        ResetCause::LowPower => Msg::ResetLowPower,
    }
}

/// Draw the Diagnostics tab.
pub fn diagnostics_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow) {
    let Some(s) = meter.latest.as_deref() else {
        ui.label(tr.t(Msg::WaitingForData));
        return;
    };
    let d = &s.device;
    let warn = ui.visuals().warn_fg_color;
    egui::Grid::new("diagnostics")
        .num_columns(2)
        .spacing([24.0, 8.0])
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, label: Msg, value: RichText| {
                ui.label(tr.t(label));
                ui.label(value.size(17.0));
                ui.end_row();
            };
            row(ui, Msg::DeviceId, RichText::new(d.id.to_string()).monospace());
            row(
                ui,
                Msg::EspVersion,
                RichText::new(d.esp_version.to_string()).monospace(),
            );
            row(
                ui,
                Msg::Stm32Version,
                RichText::new(d.stm32_version.to_string()).monospace(),
            );
            let wifi = match d.wifi_mode {
                WifiMode::Station => tr.t(Msg::WifiStation).to_string(),
                WifiMode::AccessPoint => tr.t(Msg::WifiAccessPoint).to_string(),
                WifiMode::Unknown(raw) => format!("{} ({raw})", tr.t(Msg::Unknown)),
            };
            row(ui, Msg::WifiMode, RichText::new(wifi));
            row(
                ui,
                Msg::Rssi,
                RichText::new(format!("{} dBm · {}", d.rssi_dbm, tr.t(rssi_quality(d.rssi_dbm)))),
            );
            row(
                ui,
                Msg::Uptime,
                RichText::new(format_uptime(d.uptime_s)).monospace(),
            );
            let causes = d.reset_reason.causes();
            let mut words: Vec<String> = causes
                .into_iter()
                .map(|c| tr.t(cause_msg(c)).to_string())
                .collect();
            words.extend(
                d.reset_reason
                    .unknown_bits()
                    .into_iter()
                    .map(|b| tr.f(Msg::UnknownBit, &[&b.to_string()])),
            );
            if words.is_empty() {
                words.push(tr.t(Msg::NoneReported).to_string());
            }
            row(ui, Msg::ResetReason, RichText::new(words.join(", ")));
            let fails = RichText::new(d.stm32_fails.to_string()).monospace();
            row(
                ui,
                Msg::Stm32Fails,
                if d.stm32_fails > 10 {
                    fails.color(warn)
                } else {
                    fails
                },
            );
            let errs = RichText::new(s.measurements.temperature_errors.to_string()).monospace();
            row(
                ui,
                Msg::Ds18b20Errors,
                if s.measurements.temperature_errors > 0 {
                    errs.color(warn)
                } else {
                    errs
                },
            );
            let temp = s
                .measurements
                .temperature_c
                .map_or_else(|| tr.t(Msg::NoSensor).to_string(), |t| format!("{t:.1} °C"));
            row(ui, Msg::Temperature, RichText::new(temp));
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_naturally() {
        assert_eq!(format_uptime(59), "00:00:59");
        assert_eq!(format_uptime(3 * 86_400 + 4 * 3600 + 5 * 60 + 6), "3 d 04:05:06");
    }
}
