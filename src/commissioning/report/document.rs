//! The report's layout: one section per meter.

use super::{MeterReport, NotReached};
use crate::commissioning::pdf::{Block, Document};
use crate::commissioning::profile::flatten;
use crate::commissioning::wiring_check::WiringCheck;
use crate::protocol::registers::label;
use crate::protocol::validate::settings_words;

/// The report of a batch: a title page header, then one section per meter
/// (unreachable meters listed with the reason).
pub fn document(meters: &[Result<MeterReport, NotReached>]) -> Document {
    let title = "JE08 commissioning report".to_string();
    let mut blocks = vec![
        Block::Title(title.clone()),
        Block::Text(format!(
            "{} meter(s), generated {}",
            meters.len(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        )),
    ];
    for (i, m) in meters.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::PageBreak);
        }
        match m {
            Err((meter, reason)) => {
                blocks.push(Block::Heading(format!("Meter {meter}")));
                blocks.push(Block::Text(format!("NOT REACHED: {reason}")));
            }
            Ok(r) => meter_blocks(r, &mut blocks),
        }
    }
    Document { title, blocks }
}

fn identity(r: &MeterReport, blocks: &mut Vec<Block>) {
    let d = &r.check.snapshot.device;
    let mut fields = vec![("Device id".to_string(), d.id.to_string())];
    if let Some(i) = &r.info {
        fields.extend([
            ("Name".to_string(), i.name.clone()),
            ("MAC".to_string(), i.mac.clone()),
            ("IP".to_string(), i.ip.clone()),
            ("Mode".to_string(), i.mode.to_string()),
        ]);
    }
    fields.extend([
        ("ESP8266 firmware".into(), d.esp_version.to_string()),
        ("STM32 firmware".into(), d.stm32_version.to_string()),
        ("Uptime".into(), format!("{} s", d.uptime_s)),
        ("Wi-Fi".into(), format!("{} ({} dBm)", d.wifi_mode, d.rssi_dbm)),
    ]);
    blocks.push(Block::Fields(fields));
}

fn settings_table(r: &MeterReport, blocks: &mut Vec<Block>) {
    let changed = r.as_found != r.as_left;
    blocks.push(Block::Heading(format!(
        "Settings as found / as left ({})",
        if changed { "changed" } else { "unchanged" }
    )));
    blocks.push(Block::Table {
        header: vec![
            "register".into(),
            "address".into(),
            "as found".into(),
            "as left".into(),
            String::new(),
        ],
        rows: settings_words(&r.as_found)
            .into_iter()
            .zip(settings_words(&r.as_left))
            .map(|((a, found), (_, left))| {
                vec![
                    label(a),
                    a.to_string(),
                    found.to_string(),
                    left.to_string(),
                    if found == left {
                        String::new()
                    } else {
                        "changed".into()
                    },
                ]
            })
            .collect(),
    });
    match &r.http_blocks {
        None => blocks.push(Block::Text(
            "HTTP blocks not read (they need configuration mode: `je08 report --http-blocks`).".into(),
        )),
        Some(b) => {
            blocks.push(Block::Heading(
                "HTTP blocks as found = as left (the report writes none; passwords are never shown)".into(),
            ));
            let mut rows: Vec<Vec<String>> = Vec::new();
            for (name, fields) in [
                ("connectivity", flatten(&b.connectivity)),
                ("protocols", flatten(&b.protocols)),
            ] {
                rows.extend(
                    fields
                        .into_iter()
                        .filter(|(f, _)| !f.ends_with("password"))
                        .map(|(f, v)| vec![format!("{name}.{f}"), v]),
                );
            }
            blocks.push(Block::Table {
                header: vec!["field".into(), "value".into()],
                rows,
            });
        }
    }
}

fn verdict(title: &str, c: &WiringCheck, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(format!(
        "{title} ({} samples): {}",
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
}

fn readings(c: &WiringCheck, blocks: &mut Vec<Block>) {
    let m = &c.snapshot.measurements;
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

fn meter_blocks(r: &MeterReport, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(format!(
        "Meter {} (device id {})",
        r.meter, r.check.snapshot.device.id
    )));
    identity(r, blocks);
    settings_table(r, blocks);
    verdict("Wiring check", &r.check, blocks);
    if let Some(fix) = &r.fix {
        let fields: Vec<String> = fix
            .fields
            .iter()
            .map(|f| {
                format!(
                    "{} {} -> {} (read back {})",
                    f.name,
                    f.before,
                    f.wanted.unwrap_or(f.read_back),
                    f.read_back
                )
            })
            .collect();
        blocks.push(Block::Text(format!(
            "Wiring fix applied{}: {}",
            if fix.written_ok {
                " and saved"
            } else {
                " but NOT verified"
            },
            fields.join(", ")
        )));
        verdict("Wiring check after the fix", &fix.after, blocks);
    }
    let last = r.fix.as_ref().map_or(&r.check, |f| &f.after);
    readings(last, blocks);
    blocks.push(Block::Heading("MQTT check".into()));
    blocks.push(Block::Text(match &r.mqtt {
        Some(m) => format!("MQTT: {}", m.summary()),
        None => "MQTT: not checked (no broker given and none configured on the meter).".into(),
    }));
    for note in &r.notes {
        blocks.push(Block::Text(format!("Note: {note}")));
    }
}
