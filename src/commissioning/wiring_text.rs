//! A wiring-check finding in the user's language: the window's Wiring tab
//! and the commissioning report both word `analysis::wiring::Finding`
//! through here (the library's English `message` stays the CLI's text).

use crate::i18n::{Msg, Tr};
use je08_protocol::analysis::wiring::{Finding, FindingKind, Severity};

/// The severity's word.
pub fn severity_text(tr: Tr, s: Severity) -> &'static str {
    tr.t(match s {
        Severity::Info => Msg::SeverityInfo,
        Severity::Warning => Msg::SeverityWarning,
        Severity::Fault => Msg::SeverityFault,
    })
}

/// The finding in the user's language.
pub fn finding_text(tr: Tr, f: &Finding) -> String {
    let p = |x: f64, d: usize| format!("{x:.d$}");
    match &f.kind {
        FindingKind::MissingVoltage { phase, volts } => {
            tr.f(Msg::FindMissingVoltage, &[&phase.to_string(), &p(*volts, 0)])
        }
        FindingKind::LineVoltageInconsistent {
            first,
            second,
            measured_v,
            expected_v,
            angle_deg,
        } => tr.f(
            Msg::FindLineVoltage,
            &[
                &first.to_string(),
                &second.to_string(),
                &p(*measured_v, 0),
                &p(*expected_v, 0),
                &p(*angle_deg, 0),
            ],
        ),
        FindingKind::NoLoad { phase, amps } => tr.f(Msg::FindNoLoad, &[&phase.to_string(), &p(*amps, 1)]),
        FindingKind::ReversedCt { phase } => {
            tr.f(Msg::FindReversedCt, &[&phase.to_string(), phase.ct_input()])
        }
        FindingKind::CtOnWrongPhase {
            channel,
            carries,
            reversed,
        } => {
            let msg = if *reversed {
                Msg::FindWrongPhaseReversed
            } else {
                Msg::FindWrongPhase
            };
            tr.f(
                msg,
                &[channel.ct_input(), &channel.to_string(), &carries.to_string()],
            )
        }
        FindingKind::AnglesInconsistent { angles_deg } => {
            let list: Vec<String> = angles_deg
                .iter()
                .map(|(ph, a)| format!("{ph}: {a:.0}°"))
                .collect();
            tr.f(Msg::FindAngles, &[&list.join(", ")])
        }
        FindingKind::CtRatioMismatch {
            configured_a,
            expected_a,
        } => tr.f(
            Msg::FindCtRatio,
            &[&configured_a.to_string(), &expected_a.to_string()],
        ),
        FindingKind::CurrentAboveRating {
            phase,
            amps,
            rating_a,
        } => tr.f(
            Msg::FindAboveRating,
            &[&phase.to_string(), &p(*amps, 1), &rating_a.to_string()],
        ),
        FindingKind::CtOversized { percent_of_rating } => {
            tr.f(Msg::FindCtOversized, &[&p(*percent_of_rating, 1)])
        }
        FindingKind::CurrentUnbalance { percent } => tr.f(Msg::FindCurrentUnbalance, &[&p(*percent, 0)]),
        FindingKind::VoltageUnbalance { percent } => tr.f(Msg::FindVoltageUnbalance, &[&p(*percent, 1)]),
    }
}

/// The rewiring advice in the user's language (the library's English
/// sentence is the hover text).
pub fn rewire_text(tr: Tr, f: &Finding) -> String {
    match &f.kind {
        FindingKind::MissingVoltage { phase, .. } => tr.f(Msg::DoCheckVoltageWire, &[&phase.to_string()]),
        FindingKind::LineVoltageInconsistent { first, second, .. } => tr.f(
            Msg::DoCheckLineVoltage,
            &[&first.to_string(), &second.to_string()],
        ),
        FindingKind::CtOnWrongPhase {
            channel,
            carries,
            reversed,
        } => {
            let msg = if *reversed {
                Msg::DoMoveCtTurned
            } else {
                Msg::DoMoveCt
            };
            tr.f(
                msg,
                &[&carries.to_string(), &channel.to_string(), channel.ct_input()],
            )
        }
        FindingKind::CtRatioMismatch { expected_a, .. } => {
            tr.f(Msg::DoUnsupportedCt, &[&expected_a.to_string()])
        }
        _ => tr.t(Msg::DoRewire).to_string(),
    }
}
