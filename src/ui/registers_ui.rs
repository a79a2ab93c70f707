//! The Registers tab, for support: all 110 registers as last read (address,
//! name, access, raw word, decoded value), the ones that changed since the
//! reading before highlighted, and the session's last Modbus exchanges
//! (frames in hex, timing, how each ended, exceptions by name), which can
//! be copied as text. Read-only: writes stay in the validated Parameters tab.

use std::time::UNIX_EPOCH;

use eframe::egui::{self, Color32, RichText};

use crate::i18n::{Describe, Msg, Tr};
use crate::state::model::MeterRow;
use je08_client::modbus::traffic::{Ending, Exchange, hex};
use je08_protocol::raw_table::raw_rows;

/// Background of a register that changed since the reading before.
const CHANGED: Color32 = Color32::from_rgb(90, 80, 20);

/// Draw the tab.
pub fn registers_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow) {
    ui.weak(tr.t(Msg::RegistersReadOnly));
    let traffic = meter
        .traffic
        .as_ref()
        .map(|log| log.snapshot())
        .unwrap_or_default();
    ui.columns(2, |columns| {
        table_ui(&mut columns[0], tr, meter);
        traffic_ui(&mut columns[1], tr, &traffic);
    });
}

fn table_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterRow) {
    let Some(block) = &meter.registers.now else {
        ui.weak(tr.t(Msg::RegistersNone));
        return;
    };
    egui::ScrollArea::vertical().id_salt("registers").show(ui, |ui| {
        egui::Grid::new("registers_table")
            .num_columns(5)
            .striped(true)
            .spacing([14.0, 2.0])
            .show(ui, |ui| {
                for head in [
                    tr.t(Msg::Address),
                    tr.t(Msg::Name),
                    tr.t(Msg::RegistersAccess),
                    tr.t(Msg::RegistersRaw),
                    tr.t(Msg::RegistersValue),
                ] {
                    ui.label(RichText::new(head).strong());
                }
                ui.end_row();
                for row in raw_rows(block) {
                    let changed = meter.registers.changed(row.addr);
                    let cell = |text: String| {
                        let text = RichText::new(text).monospace();
                        if changed {
                            text.background_color(CHANGED)
                        } else {
                            text
                        }
                    };
                    ui.label(cell(row.addr.to_string()));
                    ui.label(cell(row.name.clone()));
                    ui.label(cell(row.access_text().to_owned()));
                    ui.label(cell(row.raw.to_string()));
                    ui.label(cell(row.decoded.clone()));
                    ui.end_row();
                }
            });
    });
}

fn traffic_ui(ui: &mut egui::Ui, tr: Tr, traffic: &[Exchange]) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr.f(Msg::RegistersTraffic, &[&traffic.len().to_string()])).strong());
        if ui
            .add_enabled(!traffic.is_empty(), egui::Button::new(tr.t(Msg::RegistersCopy)))
            .clicked()
        {
            ui.ctx().copy_text(traffic_text(tr, traffic));
        }
    });
    egui::ScrollArea::vertical().id_salt("traffic").show(ui, |ui| {
        for exchange in traffic.iter().rev() {
            let ending = ending_text(tr, &exchange.ending);
            let head = format!(
                "{} · {} · {:.1} ms · {ending}",
                clock(exchange),
                exchange.op.describe(tr),
                exchange.took.as_secs_f64() * 1000.0
            );
            match exchange.ending {
                Ending::Answered => ui.label(RichText::new(head).strong()),
                _ => ui.colored_label(ui.visuals().error_fg_color, head),
            };
            if !exchange.request.is_empty() {
                ui.monospace(format!("→ {}", hex(&exchange.request)));
            }
            if let Some(reply) = &exchange.reply {
                ui.add(egui::Label::new(RichText::new(format!("← {}", hex(reply))).monospace()).wrap());
            }
            ui.add_space(4.0);
        }
    });
}

/// When an exchange was sent, UTC `HH:MM:SS.mmm`.
fn clock(exchange: &Exchange) -> String {
    let since = exchange.at.duration_since(UNIX_EPOCH).unwrap_or_default();
    chrono::DateTime::<chrono::Utc>::from(UNIX_EPOCH + since)
        .format("%H:%M:%S%.3f")
        .to_string()
}

/// How an exchange ended, in words.
fn ending_text(tr: Tr, ending: &Ending) -> String {
    match ending {
        Ending::Answered => tr.t(Msg::RegistersAnswered).to_owned(),
        Ending::Exception(exception) => exception.describe(tr),
        Ending::Timeout => tr.t(Msg::RegistersTimeout).to_owned(),
        Ending::Io(detail) | Ending::Protocol(detail) => detail.clone(),
    }
}

/// The traffic as plain text, oldest first, for the clipboard.
fn traffic_text(tr: Tr, traffic: &[Exchange]) -> String {
    let mut out = String::new();
    for exchange in traffic {
        out.push_str(&format!(
            "{} UTC  {}  {:.1} ms  {}\n",
            clock(exchange),
            exchange.op.describe(tr),
            exchange.took.as_secs_f64() * 1000.0,
            ending_text(tr, &exchange.ending)
        ));
        if !exchange.request.is_empty() {
            out.push_str(&format!("  -> {}\n", hex(&exchange.request)));
        }
        if let Some(reply) = &exchange.reply {
            out.push_str(&format!("  <- {}\n", hex(reply)));
        }
    }
    out
}
