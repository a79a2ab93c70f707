//! The commissioning report: per meter identity, firmware, settings,
//! wiring-check verdicts and a snapshot of readings, as a PDF document.

use super::pdf::{Block, Document};
use super::wiring_check::WiringCheck;
use crate::protocol::registers::label;
use crate::protocol::validate::settings_words;

/// One page section per meter from its wiring check (which carries the
/// settings in force and the last reading).
pub fn document(checks: &[Result<WiringCheck, (String, String)>]) -> Document {
    let title = "JE08 commissioning report".to_string();
    let mut blocks = vec![
        Block::Title(title.clone()),
        Block::Text(format!(
            "{} meter(s), generated {}",
            checks.len(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        )),
    ];
    for (i, c) in checks.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        match c {
            Err((meter, reason)) => {
                blocks.push(Block::Heading(format!("Meter {meter}")));
                blocks.push(Block::Text(format!("NOT REACHED: {reason}")));
            }
            Ok(c) => meter_blocks(c, &mut blocks),
        }
    }
    Document { title, blocks }
}

fn meter_blocks(c: &WiringCheck, blocks: &mut Vec<Block>) {
    let d = &c.snapshot.device;
    let m = &c.snapshot.measurements;
    blocks.push(Block::Heading(format!("Meter {} (device id {})", c.meter, d.id)));
    blocks.push(Block::Fields(vec![
        ("Device id".into(), d.id.to_string()),
        ("ESP8266 firmware".into(), d.esp_version.to_string()),
        ("STM32 firmware".into(), d.stm32_version.to_string()),
        ("Uptime".into(), format!("{} s", d.uptime_s)),
        ("Wi-Fi".into(), format!("{} ({} dBm)", d.wifi_mode, d.rssi_dbm)),
    ]));
    blocks.push(Block::Heading("Settings (as found = as left)".into()));
    blocks.push(Block::Table {
        header: vec!["register".into(), "address".into(), "value".into()],
        rows: settings_words(&c.settings)
            .into_iter()
            .map(|(a, v)| vec![label(a), a.to_string(), v.to_string()])
            .collect(),
    });
    blocks.push(Block::Heading(format!(
        "Wiring check ({} samples): {}",
        c.report.samples,
        if c.report.healthy {
            "healthy"
        } else {
            "NOT healthy"
        }
    )));
    if c.report.findings.is_empty() {
        blocks.push(Block::Text("No finding.".into()));
    }
    for f in &c.report.findings {
        blocks.push(Block::Text(format!(
            "[{:?}, {:.0}%] {}",
            f.severity,
            100.0 * f.confidence,
            f.message
        )));
    }
    blocks.push(Block::Heading("Readings".into()));
    let row = |name: &str, v: [f64; 3], d: usize| {
        let mut r = vec![name.to_string()];
        r.extend(v.iter().map(|x| format!("{x:.d$}")));
        r
    };
    blocks.push(Block::Table {
        header: vec!["".into(), "A".into(), "B".into(), "C".into()],
        rows: vec![
            row("voltage (V)", m.voltage_v.to_array(), 0),
            row("current (A)", m.current_a.to_array(), 1),
            row("active power (kW)", m.active_power_kw.phases(), 1),
            row("reactive power (kVAr)", m.reactive_power_kvar.phases(), 1),
            row("power factor", m.power_factor.phases(), 3),
        ],
    });
    blocks.push(Block::Text(format!(
        "Total {:.1} kW, {:.1} kVAr, PF {:.3}, {:.2} Hz, energy {:.1} kWh",
        m.active_power_kw.total,
        m.reactive_power_kvar.total,
        m.power_factor.total,
        m.frequency_hz,
        m.energy_kwh.total
    )));
}
