//! The report's layout: who and where it is for, a summary, one section
//! per meter, the signatures; every sentence in the reader's language
//! (failures reduced to their [`Reason`](super::reason::Reason)). Register
//! names, numbers, units and addresses stay as they are.

use super::header::ReportHeader;
use super::reason::Reason;
use super::{FixSummary, MeterReport, NotReached};
use crate::commissioning::journal_export::{kind_word, outcome_word};
use crate::commissioning::mqtt_check::{MqttCheck, MqttProblem};
use crate::commissioning::pdf::{self, Block, Document, Phasors, Table};
use crate::commissioning::profile::flatten;
use crate::commissioning::provision::{BatchRow, result_text};
use crate::commissioning::wiring_check::WiringCheck;
use crate::commissioning::wiring_text::{finding_text, rewire_text, severity_text};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::journal::Entry;
use je08_protocol::analysis::phasor;
use je08_protocol::analysis::wiring::Remedy;
use je08_protocol::registers::label;
use je08_protocol::validate::settings_words;

/// The report of a batch in `tr`'s language: the header fields and a
/// summary, the meters set up from the box in this session (when any),
/// one section per meter (unreachable meters with the reason), and the
/// technician's and customer's signature block.
pub fn document(
    tr: Tr,
    header: &ReportHeader,
    meters: &[Result<MeterReport, NotReached>],
    provisioned: &[BatchRow],
) -> Document {
    let title = tr.t(Msg::RepTitle).to_string();
    let mut blocks = vec![Block::Title(title.clone())];
    blocks.push(Block::Fields(header_fields(tr, header, meters.len())));
    summary(tr, meters, &mut blocks);
    provisioned_blocks(tr, provisioned, &mut blocks);
    for m in meters {
        blocks.push(Block::PageBreak);
        match m {
            Err(NotReached { meter, why }) => {
                blocks.push(Block::Heading(tr.f(Msg::RepMeter, &[meter])));
                blocks.push(Block::Text(tr.f(Msg::RepNotReached, &[&why.in_report(tr)])));
            }
            Ok(r) => meter_blocks(tr, r, &mut blocks),
        }
    }
    signatures(tr, header, &mut blocks);
    Document {
        title,
        language: pdf::language(tr).into(),
        page_of: tr.t(Msg::DocPageOf).into(),
        blocks,
    }
}

fn header_fields(tr: Tr, h: &ReportHeader, count: usize) -> Vec<(String, String)> {
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M %:z").to_string();
    vec![
        (tr.t(Msg::RepSite).into(), h.site.clone()),
        (tr.t(Msg::RepPanel).into(), h.panel.clone()),
        (tr.t(Msg::RepCustomer).into(), h.customer.clone()),
        (tr.t(Msg::RepTechnician).into(), h.technician.clone()),
        (tr.t(Msg::RepDate).into(), now),
        (tr.t(Msg::RepMetersCount).into(), count.to_string()),
    ]
}

fn healthy_word(tr: Tr, healthy: bool) -> String {
    tr.t(if healthy {
        Msg::RepHealthy
    } else {
        Msg::RepNotHealthy
    })
    .into()
}

/// One row per meter: reached or not, the wiring's verdict.
fn summary(tr: Tr, meters: &[Result<MeterReport, NotReached>], blocks: &mut Vec<Block>) {
    if meters.is_empty() {
        return;
    }
    blocks.push(Block::Heading(tr.t(Msg::RepSummary).into()));
    let rows = meters
        .iter()
        .map(|m| match m {
            Ok(r) => vec![
                r.meter.clone(),
                r.check.snapshot.device.id.to_string(),
                r.info.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
                tr.t(Msg::RepReached).into(),
                healthy_word(tr, last_check(r).report.healthy),
            ],
            Err(NotReached { meter, .. }) => vec![
                meter.clone(),
                String::new(),
                String::new(),
                tr.t(Msg::RepNotReachedShort).into(),
                String::new(),
            ],
        })
        .collect();
    let header = [
        Msg::RepMeterCol,
        Msg::RepDeviceId,
        Msg::RepName,
        Msg::Result,
        Msg::RepWiringCol,
    ]
    .map(|m| tr.t(m).to_string())
    .to_vec();
    blocks.push(Block::Table(
        Table::new(header, rows).widths(&[3.0, 2.0, 3.0, 2.0, 2.0]),
    ));
}

/// The batch table of the "Set up new meters" wizard; why a meter failed
/// follows the table, one paragraph each.
/// Column weights of the new meters' table: the address column holds the
/// longest `IPv4:port` (21 characters) and the id column a 10-digit id on
/// one line.
const PROVISIONED_WIDTHS: [f32; 7] = [0.5, 1.4, 1.7, 3.0, 1.3, 2.7, 0.8];

fn provisioned_blocks(tr: Tr, rows: &[BatchRow], blocks: &mut Vec<Block>) {
    if rows.is_empty() {
        return;
    }
    blocks.push(Block::Heading(tr.t(Msg::ReportNewMeters).to_owned()));
    let header = vec![
        "#".into(),
        tr.t(Msg::RepDeviceId).into(),
        tr.t(Msg::RepName).into(),
        tr.t(Msg::SetupNewAddress).into(),
        tr.t(Msg::Result).into(),
        tr.t(Msg::SetupTime).into(),
        tr.t(Msg::SetupTook).into(),
    ];
    let table_rows = rows
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
        .collect();
    blocks.push(Block::Table(
        Table::new(header, table_rows).widths(&PROVISIONED_WIDTHS),
    ));
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
    let mut rows = vec![
        vec![tr.t(Msg::RepDeviceId).to_string(), d.id.to_string()],
        vec![tr.t(Msg::CertAddress).to_string(), r.meter.clone()],
    ];
    if let Some(i) = &r.info {
        rows.extend([
            vec![tr.t(Msg::RepName).to_string(), i.name.clone()],
            vec!["MAC".to_string(), i.mac.clone()],
            vec!["IP".to_string(), i.ip.clone()],
            vec![tr.t(Msg::Mode).to_string(), i.mode.describe(tr)],
        ]);
    }
    let s = &r.as_left;
    rows.extend([
        vec![tr.t(Msg::DocEspFirmware).into(), d.esp_version.to_string()],
        vec![tr.t(Msg::DocStmFirmware).into(), d.stm32_version.to_string()],
        vec![
            tr.t(Msg::RepCtRatio).into(),
            tr.f(
                Msg::RepCtRatioValue,
                &[&s.ct_ratio.to_string(), &s.ct_primary_a().to_string()],
            ),
        ],
        vec![tr.t(Msg::RepUptime).into(), format!("{} s", d.uptime_s)],
        vec!["Wi-Fi".into(), format!("{} ({} dBm)", d.wifi_mode, d.rssi_dbm)],
    ]);
    blocks.push(Block::Heading(tr.t(Msg::RepIdentity).into()));
    blocks.push(Block::Table(
        Table::new(vec![tr.t(Msg::RepField).into(), tr.t(Msg::RepValue).into()], rows).widths(&[1.0, 2.0]),
    ));
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
    let rows = settings_words(&r.as_found)
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
        .collect();
    let header = [
        Msg::RepRegister,
        Msg::RepAddress,
        Msg::RepAsFound,
        Msg::RepAsLeft,
        Msg::RepChanged,
    ]
    .map(|m| tr.t(m).to_string())
    .to_vec();
    blocks.push(Block::Table(
        Table::new(header, rows).widths(&[150.0, 60.0, 95.0, 95.0, 95.0]),
    ));
    match &r.http_blocks {
        None => blocks.push(Block::Note(tr.t(Msg::RepHttpNotRead).into())),
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
            blocks.push(Block::Table(
                Table::new(vec![tr.t(Msg::RepField).into(), tr.t(Msg::RepValue).into()], rows)
                    .widths(&[1.2, 1.8]),
            ));
        }
    }
}

/// The verdict as a heading, then the findings with their advice.
fn verdict(tr: Tr, title: Msg, c: &WiringCheck, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.f(
        Msg::RepVerdict,
        &[
            tr.t(title),
            &c.report.samples.to_string(),
            &healthy_word(tr, c.report.healthy),
        ],
    )));
    if c.report.findings.is_empty() {
        blocks.push(Block::Text(tr.t(Msg::RepNoFinding).into()));
        return;
    }
    let rows = c
        .report
        .findings
        .iter()
        .map(|f| {
            let advice = match &f.remedy {
                Remedy::Nothing => tr.t(Msg::NothingToDo).to_owned(),
                Remedy::WriteRegisters { writes } => {
                    let list: Vec<String> = writes
                        .iter()
                        .map(|(a, v)| format!("{} = {v}", label(*a)))
                        .collect();
                    tr.f(Msg::RepAdviceWrite, &[&list.join(", ")])
                }
                Remedy::Rewire { .. } => rewire_text(tr, f),
            };
            vec![
                format!(
                    "{} ({:.0} %)",
                    severity_text(tr, f.severity),
                    100.0 * f.confidence
                ),
                finding_text(tr, f),
                advice,
            ]
        })
        .collect();
    let header = [Msg::RepSeverityCol, Msg::RepFindingCol, Msg::RepAdviceCol]
        .map(|m| tr.t(m).to_string())
        .to_vec();
    blocks.push(Block::Table(Table::new(header, rows).widths(&[1.2, 3.0, 3.0])));
}

fn fix_blocks(tr: Tr, fix: &FixSummary, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.t(Msg::RepFixHeading).into()));
    let rows = fix
        .fields
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.before.to_string(),
                f.wanted.map_or_else(|| "—".into(), |w| w.to_string()),
                f.read_back.to_string(),
            ]
        })
        .collect();
    let header = [
        Msg::RepRegister,
        Msg::RepAsFound,
        Msg::RepWrittenCol,
        Msg::RepReadBackCol,
    ]
    .map(|m| tr.t(m).to_string())
    .to_vec();
    blocks.push(Block::Table(
        Table::new(header, rows).widths(&[150.0, 95.0, 95.0, 155.0]),
    ));
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

fn readings(tr: Tr, c: &WiringCheck, blocks: &mut Vec<Block>) {
    let m = &c.snapshot.measurements;
    blocks.push(Block::Heading(tr.t(Msg::RepReadings).into()));
    let row = |name: Msg, v: [f64; 3], d: usize| {
        let mut r = vec![tr.t(name).to_string()];
        r.extend(v.iter().map(|x| format!("{x:.d$}")));
        r
    };
    blocks.push(Block::Table(
        Table::new(
            vec![String::new(), "A".into(), "B".into(), "C".into()],
            vec![
                row(Msg::RepVoltageV, m.voltage_v.to_array(), 0),
                row(Msg::RepCurrentA, m.current_a.to_array(), 1),
                row(Msg::RepActiveKw, m.active_power_kw.phases(), 1),
                row(Msg::RepReactiveKvar, m.reactive_power_kvar.phases(), 1),
                row(Msg::RepPowerFactor, m.power_factor.phases(), 3),
            ],
        )
        .widths(&[2.2, 1.0, 1.0, 1.0]),
    ));
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

/// The phasor diagram of the last check and its angles, measured against
/// what a correct wiring gives at the same load angle.
fn phasor_blocks(tr: Tr, c: &WiringCheck, blocks: &mut Vec<Block>) {
    let m = &c.snapshot.measurements;
    let load = c.report.load_angle_deg.unwrap_or_else(|| {
        m.reactive_power_kvar
            .total
            .atan2(m.active_power_kw.total)
            .to_degrees()
    });
    let measured = phasor::phasors(m);
    let expected = phasor::expected(m, load);
    let mut legend = vec![
        tr.t(Msg::RepPhasorLegend).to_owned(),
        tr.f(Msg::RepLoadAngle, &[&format!("{load:.0}")]),
    ];
    if !measured.voltage_angles_measured {
        legend.push(tr.t(Msg::PhasorNominal).to_owned());
    }
    blocks.push(Block::Heading(tr.t(Msg::RepPhasorsHeading).into()));
    blocks.push(Block::Phasors(Phasors {
        measured,
        expected,
        legend,
    }));
    let angle = |a: f64| format!("{a:.0}°");
    let rows = (0..3)
        .map(|k| {
            vec![
                ["A", "B", "C"][k].to_string(),
                angle(measured.voltage[k].angle_deg),
                angle(expected.voltage[k].angle_deg),
                angle(measured.current[k].angle_deg),
                angle(expected.current[k].angle_deg),
            ]
        })
        .collect();
    let header = vec![
        tr.t(Msg::RepPhaseCol).into(),
        format!("{} — {}", tr.t(Msg::RepVoltageAngle), tr.t(Msg::RepMeasured)),
        format!("{} — {}", tr.t(Msg::RepVoltageAngle), tr.t(Msg::RepExpected)),
        format!("{} — {}", tr.t(Msg::RepCurrentAngle), tr.t(Msg::RepMeasured)),
        format!("{} — {}", tr.t(Msg::RepCurrentAngle), tr.t(Msg::RepExpected)),
    ];
    blocks.push(Block::Table(
        Table::new(header, rows).widths(&[0.6, 1.0, 1.0, 1.0, 1.0]),
    ));
}

/// The journal's rows of an entry: one per field changed (as found →
/// asked → as left), or one for a change without fields.
fn journal_rows(tr: Tr, e: &Entry) -> Vec<Vec<String>> {
    let when = e.time_utc.format("%Y-%m-%d %H:%M:%S").to_string();
    let head = [when, kind_word(tr, e.kind).to_owned()];
    let tail = [outcome_word(tr, e.outcome).to_owned(), e.id.clone()];
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    if e.changes.is_empty() {
        let blank = ["—".to_string(), String::new(), String::new(), String::new()];
        return vec![head.into_iter().chain(blank).chain(tail).collect()];
    }
    e.changes
        .iter()
        .map(|c| {
            let middle = [
                c.field.clone(),
                dash(&c.before),
                dash(&c.asked),
                dash(&c.confirmed),
            ];
            head.iter()
                .cloned()
                .chain(middle)
                .chain(tail.iter().cloned())
                .collect()
        })
        .collect()
}

/// The session's journal entries of the meter: as found → changes → as left.
fn session_changes(tr: Tr, r: &MeterReport, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.t(Msg::RepJournalHeading).into()));
    if r.journal.is_empty() {
        blocks.push(Block::Text(tr.t(Msg::RepJournalNone).into()));
        return;
    }
    let rows = r.journal.iter().flat_map(|e| journal_rows(tr, e)).collect();
    let header = [
        Msg::RepTimeCol,
        Msg::RepKindCol,
        Msg::RepField,
        Msg::RepAsFound,
        Msg::RepAskedCol,
        Msg::RepReadBackCol,
        Msg::Result,
        Msg::RepEntryCol,
    ]
    .map(|m| tr.t(m).to_string())
    .to_vec();
    blocks.push(Block::Table(
        Table::new(header, rows).widths(&[56.0, 68.0, 95.0, 40.0, 40.0, 46.0, 56.0, 94.0]),
    ));
}

/// The check the meter was left with: after the fix, or as found.
fn last_check(r: &MeterReport) -> &WiringCheck {
    r.fix.as_ref().map_or(&r.check, |f| &f.after)
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
        fix_blocks(tr, fix, blocks);
    }
    let last = last_check(r);
    readings(tr, last, blocks);
    phasor_blocks(tr, last, blocks);
    session_changes(tr, r, blocks);
    blocks.push(Block::Heading(tr.t(Msg::RepMqttCheck).into()));
    blocks.push(Block::Text(match &r.mqtt {
        Some(m) => mqtt_sentence(tr, m),
        None => tr.t(Msg::RepMqttNotChecked).into(),
    }));
    if !r.notes.is_empty() {
        blocks.push(Block::Heading(tr.t(Msg::RepNotesHeading).into()));
        for note in &r.notes {
            blocks.push(Block::Text(tr.f(Msg::RepNote, &[&note.in_report(tr)])));
        }
    }
}

/// What the MQTT check saw; a broker that could not be reached is said
/// with a translated reason, not the library's or the system's words.
fn mqtt_sentence(tr: Tr, m: &MqttCheck) -> String {
    let reason = (!m.seen())
        .then_some(m.problem.as_ref())
        .flatten()
        .and_then(MqttProblem::link_error)
        .and_then(Reason::of_link);
    match reason {
        Some(reason) => tr.f(Msg::RepMqttNotSeen, &[&m.topic, &m.broker, reason.text(tr)]),
        None => m.describe(tr),
    }
}

/// The acceptance sentence and the technician's and customer's lines.
fn signatures(tr: Tr, header: &ReportHeader, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(tr.t(Msg::RepAcceptance).into()));
    blocks.push(Block::Text(tr.t(Msg::RepAcceptanceText).into()));
    blocks.push(header.signature_block(tr));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use je08_client::mqtt::SendError;
    use je08_net::mqtt_link::LinkError;

    fn not_reached(err: LinkError) -> MqttCheck {
        MqttCheck {
            broker: "mqtt://10.0.0.5:1883".into(),
            topic: "je08/7/data".into(),
            info_seen: false,
            data_seen: false,
            within_s: None,
            problem: Some(MqttProblem::Missing {
                info: false,
                data: false,
                seconds: 15,
                because: Some(Box::new(MqttProblem::NotReached(SendError::NotConnected(Some(
                    err,
                ))))),
            }),
        }
    }

    #[test]
    fn an_unreachable_broker_is_said_in_the_reports_language_without_system_words() {
        let refused = not_reached(LinkError::Network {
            broker: "mqtt://10.0.0.5:1883".into(),
            reason: "Connection refused (os error 111)".into(),
        });
        let pt = mqtt_sentence(Tr(Lang::PtBr), &refused);
        assert!(pt.contains("o broker recusou a conexão"), "{pt}");
        assert!(
            pt.contains("je08/7/data") && pt.contains("mqtt://10.0.0.5:1883"),
            "{pt}"
        );
        assert!(
            !pt.contains("os error") && !pt.contains("Connection refused"),
            "{pt}"
        );
        let tls = not_reached(LinkError::Tls {
            broker: "mqtts://10.0.0.5:8883".into(),
            reason: "invalid peer certificate: BadEncoding".into(),
        });
        let en = mqtt_sentence(Tr(Lang::En), &tls);
        assert!(
            en.contains("(TLS) to the broker failed") && !en.contains("BadEncoding"),
            "{en}"
        );
    }

    #[test]
    fn the_longest_address_and_device_id_of_a_new_meter_stay_on_one_line() {
        use crate::commissioning::provision::BatchRow;
        let row = BatchRow {
            n: 10,
            id: u32::MAX,
            name: "QGBT-12 Bomba de recalque".into(),
            address: Some("255.255.255.255:65535".parse().unwrap()),
            result: Ok(()),
            at: chrono::Local::now(),
            took: std::time::Duration::from_secs(120),
        };
        for lang in [Lang::En, Lang::PtBr] {
            let mut blocks = Vec::new();
            provisioned_blocks(Tr(lang), std::slice::from_ref(&row), &mut blocks);
            let doc = Document {
                blocks,
                ..Document::default()
            };
            let lines = pdf::laid_out_lines(&doc);
            for whole in ["255.255.255.255:65535", "4294967295"] {
                assert!(lines.iter().any(|l| l == whole), "{whole} cut: {lines:?}");
            }
        }
    }

    #[test]
    fn a_seen_meter_and_a_translated_refusal_keep_their_own_sentences() {
        let mut seen = not_reached(LinkError::BadCredentials("mqtt://b".into()));
        assert_eq!(mqtt_sentence(Tr(Lang::En), &seen), seen.describe(Tr(Lang::En)));
        seen.info_seen = true;
        seen.data_seen = true;
        seen.within_s = Some(1.5);
        seen.problem = None;
        assert_eq!(
            mqtt_sentence(Tr(Lang::PtBr), &seen),
            seen.describe(Tr(Lang::PtBr))
        );
    }
}
