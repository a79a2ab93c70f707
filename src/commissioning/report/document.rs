//! The report's layout: one section per meter, in the reader's language.

use super::{MeterReport, NotReached};
use crate::commissioning::pdf::{Block, Document};
use crate::commissioning::profile::flatten;
use crate::commissioning::provision::{BatchRow, result_text};
use crate::commissioning::wiring_check::WiringCheck;
use crate::commissioning::wiring_text::{finding_text, severity_text};
use crate::i18n::{Describe, Msg, Tr};
use je08_protocol::registers::label;
use je08_protocol::validate::settings_words;

/// The report of a batch in `tr`'s language: a title page header, the
/// meters set up from the box in this session (when any), then one section
/// per meter (unreachable meters listed with the reason). Register names,
/// numbers, units and addresses stay as they are.
pub fn document(tr: Tr, meters: &[Result<MeterReport, NotReached>], provisioned: &[BatchRow]) -> Document {
    let title = tr.t(Msg::RepTitle).to_string();
    let mut blocks = vec![
        Block::Title(title.clone()),
        Block::Text(tr.f(
            Msg::RepGenerated,
            &[
                &meters.len().to_string(),
                &chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            ],
        )),
    ];
    provisioned_blocks(tr, provisioned, &mut blocks);
    for (i, m) in meters.iter().enumerate() {
        if i > 0 || !provisioned.is_empty() {
            blocks.push(Block::PageBreak);
        }
        match m {
            Err(NotReached { meter, why }) => {
                blocks.push(Block::Heading(tr.f(Msg::RepMeter, &[meter])));
                blocks.push(Block::Text(tr.f(Msg::RepNotReached, &[&why.describe(tr)])));
            }
            Ok(r) => meter_blocks(tr, r, &mut blocks),
        }
    }
    Document {
        title,
        page_of: tr.t(Msg::DocPageOf).into(),
        blocks,
    }
}

/// The batch table of the "Set up new meters" wizard; why a meter failed
/// follows the table, one paragraph each.
fn provisioned_blocks(tr: Tr, rows: &[BatchRow], blocks: &mut Vec<Block>) {
    if rows.is_empty() {
        return;
    }
    blocks.push(Block::Heading(tr.t(Msg::ReportNewMeters).to_owned()));
    blocks.push(Block::Table {
        header: vec![
            "#".into(),
            tr.t(Msg::RepDeviceId).into(),
            tr.t(Msg::RepName).into(),
            tr.t(Msg::SetupNewAddress).into(),
            tr.t(Msg::Result).into(),
            tr.t(Msg::SetupTime).into(),
            tr.t(Msg::SetupTook).into(),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    row.n.to_string(),
                    row.id.to_string(),
                    row.name.clone(),
                    row.address.map(|a| a.to_string()).unwrap_or_default(),
                    match row.result {
                        Ok(()) => tr.t(Msg::SetupResultJoined).to_owned(),
                        Err(_) => tr.f(Msg::SetupResultFailed, &["…"]),
                    },
                    row.at.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
                    format!("{:.0} s", row.took.as_secs_f64()),
                ]
            })
            .collect(),
    });
    for row in rows.iter().filter(|r| r.result.is_err()) {
        blocks.push(Block::Text(format!(
            "#{} ({}): {}",
            row.n,
            row.id,
            result_text(row, tr)
        )));
    }
}

fn identity(tr: Tr, r: &MeterReport, blocks: &mut Vec<Block>) {
    let d = &r.check.snapshot.device;
    let mut fields = vec![(tr.t(Msg::RepDeviceId).to_string(), d.id.to_string())];
    if let Some(i) = &r.info {
        fields.extend([
            (tr.t(Msg::RepName).to_string(), i.name.clone()),
            ("MAC".to_string(), i.mac.clone()),
            ("IP".to_string(), i.ip.clone()),
            (tr.t(Msg::Mode).to_string(), i.mode.describe(tr)),
        ]);
    }
    fields.extend([
        (tr.t(Msg::DocEspFirmware).into(), d.esp_version.to_string()),
        (tr.t(Msg::DocStmFirmware).into(), d.stm32_version.to_string()),
        (tr.t(Msg::RepUptime).into(), format!("{} s", d.uptime_s)),
        ("Wi-Fi".into(), format!("{} ({} dBm)", d.wifi_mode, d.rssi_dbm)),
    ]);
    blocks.push(Block::Fields(fields));
}

fn settings_table(tr: Tr, r: &MeterReport, blocks: &mut Vec<Block>) {
    let changed = r.as_found != r.as_left;
    blocks.push(Block::Heading(tr.f(
        Msg::RepSettingsHeading,
        &[tr.t(if changed {
            Msg::RepChanged
        } else {
            Msg::RepUnchanged
        })],
    )));
    blocks.push(Block::Table {
        header: vec![
            tr.t(Msg::RepRegister).into(),
            tr.t(Msg::RepAddress).into(),
            tr.t(Msg::RepAsFound).into(),
            tr.t(Msg::RepAsLeft).into(),
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
                        tr.t(Msg::RepChanged).into()
                    },
                ]
            })
            .collect(),
    });
    match &r.http_blocks {
        None => blocks.push(Block::Text(tr.t(Msg::RepHttpNotRead).into())),
        Some(b) => {
            blocks.push(Block::Heading(tr.t(Msg::RepHttpHeading).into()));
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
                header: vec![tr.t(Msg::RepField).into(), tr.t(Msg::RepValue).into()],
                rows,
            });
        }
    }
}

fn verdict(tr: Tr, title: Msg, c: &WiringCheck, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.f(
        Msg::RepVerdict,
        &[
            tr.t(title),
            &c.report.samples.to_string(),
            tr.t(if c.report.healthy {
                Msg::RepHealthy
            } else {
                Msg::RepNotHealthy
            }),
        ],
    )));
    if c.report.findings.is_empty() {
        blocks.push(Block::Text(tr.t(Msg::RepNoFinding).into()));
    }
    for f in &c.report.findings {
        blocks.push(Block::Text(format!(
            "[{}, {:.0}%] {}",
            severity_text(tr, f.severity),
            100.0 * f.confidence,
            finding_text(tr, f)
        )));
    }
}

fn readings(tr: Tr, c: &WiringCheck, blocks: &mut Vec<Block>) {
    let m = &c.snapshot.measurements;
    blocks.push(Block::Heading(tr.t(Msg::RepReadings).into()));
    let row = |name: Msg, v: [f64; 3], d: usize| {
        let mut r = vec![tr.t(name).to_string()];
        r.extend(v.iter().map(|x| format!("{x:.d$}")));
        r
    };
    blocks.push(Block::Table {
        header: vec!["".into(), "A".into(), "B".into(), "C".into()],
        rows: vec![
            row(Msg::RepVoltageV, m.voltage_v.to_array(), 0),
            row(Msg::RepCurrentA, m.current_a.to_array(), 1),
            row(Msg::RepActiveKw, m.active_power_kw.phases(), 1),
            row(Msg::RepReactiveKvar, m.reactive_power_kvar.phases(), 1),
            row(Msg::RepPowerFactor, m.power_factor.phases(), 3),
        ],
    });
    blocks.push(Block::Text(tr.f(
        Msg::RepTotals,
        &[
            &format!("{:.1}", m.active_power_kw.total),
            &format!("{:.1}", m.reactive_power_kvar.total),
            &format!("{:.3}", m.power_factor.total),
            &format!("{:.2}", m.frequency_hz),
            &format!("{:.1}", m.energy_kwh.total),
        ],
    )));
}

/// The MQTT check in `tr`'s language (the CLI's `MqttCheck::summary` is
/// the English line).
/// The session's journal entries of the meter: the changes between as found and as left.
fn session_changes(tr: Tr, r: &MeterReport, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.t(Msg::RepJournalHeading).into()));
    if r.journal.is_empty() {
        blocks.push(Block::Text(tr.t(Msg::RepJournalNone).into()));
        return;
    }
    for e in &r.journal {
        let changes = crate::commissioning::journal_export::changes_text(e);
        let what = if changes.is_empty() {
            e.asked.clone()
        } else {
            format!("{}: {changes}", e.asked)
        };
        let when = e.time_utc.format("%Y-%m-%d %H:%M:%S UTC").to_string();
        blocks.push(Block::Text(
            tr.f(Msg::RepJournalLine, &[&when, &what, e.outcome.as_str(), &e.id]),
        ));
    }
}

fn meter_blocks(tr: Tr, r: &MeterReport, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.f(
        Msg::RepMeterHeading,
        &[&r.meter, &r.check.snapshot.device.id.to_string()],
    )));
    identity(tr, r, blocks);
    settings_table(tr, r, blocks);
    verdict(tr, Msg::RepWiringCheck, &r.check, blocks);
    if let Some(fix) = &r.fix {
        let fields: Vec<String> = fix
            .fields
            .iter()
            .map(|f| {
                tr.f(
                    Msg::RepFixField,
                    &[
                        &f.name,
                        &f.before.to_string(),
                        &f.wanted.unwrap_or(f.read_back).to_string(),
                        &f.read_back.to_string(),
                    ],
                )
            })
            .collect();
        let msg = if fix.written_ok {
            Msg::RepFixSaved
        } else {
            Msg::RepFixNotVerified
        };
        blocks.push(Block::Text(tr.f(msg, &[&fields.join(", ")])));
        verdict(tr, Msg::RepWiringAfterFix, &fix.after, blocks);
    }
    let last = r.fix.as_ref().map_or(&r.check, |f| &f.after);
    readings(tr, last, blocks);
    session_changes(tr, r, blocks);
    blocks.push(Block::Heading(tr.t(Msg::RepMqttCheck).into()));
    blocks.push(Block::Text(match &r.mqtt {
        Some(m) => m.describe(tr),
        None => tr.t(Msg::RepMqttNotChecked).into(),
    }));
    for note in &r.notes {
        blocks.push(Block::Text(tr.f(Msg::RepNote, &[&note.describe(tr)])));
    }
}
