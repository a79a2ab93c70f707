//! The Parameters tab: gains, CT ratio (as a ratio or as primary amps),
//! per-phase inversion. Every field is validated as it is typed against the
//! register map; an invalid form cannot be written. "Write" runs write →
//! SAVE_PARAMS → read back → compare and shows the outcome field by field.

use eframe::egui::{self, RichText};

use super::app::{Action, Confirm};
use super::link_text;
use super::model::{JobKind, MeterEntry, Model};
use super::widgets::OK_COLOR;
use crate::backend::{JobId, JobOutcome, LinkState};
use crate::i18n::{Msg, Tr};
use je08_protocol::readings::{Gains, Inversions, PhaseGains, Settings};
use je08_protocol::registers::addr;
use je08_protocol::validate::{WriteError, validate_write};

/// How the CT is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CtMode {
    /// RELACAO_TC directly (100 = 500 A/5 A).
    #[default]
    Ratio,
    /// Primary current in amps (500 or "500/5").
    PrimaryAmps,
}

/// Why a field cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// Not a whole number.
    NotANumber,
    /// Outside the register's range (`min`–`max` in the units typed).
    OutOfRange(i64, i64),
    /// Primary amps not a multiple of 5.
    NotMultipleOfFive,
}

impl FieldError {
    /// The message in the current language.
    pub fn text(&self, tr: Tr) -> String {
        match self {
            FieldError::NotANumber => tr.t(Msg::NotANumber).to_string(),
            FieldError::OutOfRange(min, max) => tr.f(Msg::OutOfRange, &[&min.to_string(), &max.to_string()]),
            FieldError::NotMultipleOfFive => tr.t(Msg::NotMultipleOfFive).to_string(),
        }
    }
}

fn parse_int(text: &str) -> Result<i64, FieldError> {
    text.trim().parse::<i64>().map_err(|_| FieldError::NotANumber)
}

fn check(register: u16, value: i64, shown_scale: i64) -> Result<u16, FieldError> {
    validate_write(register, value).map_err(|err| match err {
        WriteError::OutOfRange { min, max, .. } => {
            FieldError::OutOfRange(i64::from(min) * shown_scale, i64::from(max) * shown_scale)
        }
        _ => FieldError::NotANumber,
    })
}

/// Validate one gain field for `register`.
pub fn parse_gain(register: u16, text: &str) -> Result<u16, FieldError> {
    check(register, parse_int(text)?, 1)
}

/// Parse the CT field into RELACAO_TC. In primary-amps mode "500",
/// "500 A", "500/5" and "500 A/5 A" all mean ratio 100.
pub fn parse_ct(mode: CtMode, text: &str) -> Result<u16, FieldError> {
    match mode {
        CtMode::Ratio => check(addr::RELACAO_TC, parse_int(text)?, 1),
        CtMode::PrimaryAmps => {
            let primary = text.split('/').next().unwrap_or("");
            let primary = primary.trim().trim_end_matches(['A', 'a']).trim();
            if let Some((_, secondary)) = text.split_once('/') {
                let secondary = secondary.trim().trim_end_matches(['A', 'a']).trim();
                if secondary != "5" {
                    return Err(FieldError::NotANumber);
                }
            }
            let amps = parse_int(primary)?;
            if amps % 5 != 0 {
                return Err(FieldError::NotMultipleOfFive);
            }
            check(addr::RELACAO_TC, amps / 5, 5)
        }
    }
}

/// The editable form of one meter.
#[derive(Debug, Clone, Default)]
pub struct ParamsForm {
    /// The settings the form was loaded from.
    pub loaded: Option<Settings>,
    /// GANHO_FREQUENCIA text.
    pub frequency_gain: String,
    /// GANHO_TENSAO_A/B/C texts.
    pub voltage_gain: [String; 3],
    /// GANHO_CORRENTE_A/B/C texts.
    pub current_gain: [String; 3],
    /// How the CT is typed.
    pub ct_mode: CtMode,
    /// CT text.
    pub ct_text: String,
    /// INVERTE_TC_FASE_A/B/C.
    pub invert: [bool; 3],
    /// The last restore-defaults job already folded into the form.
    pub applied_job: Option<JobId>,
}

/// The validated form: the settings, or the error of each bad field.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Frequency gain error.
    pub frequency: Option<FieldError>,
    /// Voltage gain errors.
    pub voltage: [Option<FieldError>; 3],
    /// Current gain errors.
    pub current: [Option<FieldError>; 3],
    /// CT error.
    pub ct: Option<FieldError>,
    /// Settings when every field is valid.
    pub settings: Option<Settings>,
}

impl ParamsForm {
    /// Fill every field from `s`.
    pub fn load(&mut self, s: &Settings) {
        self.loaded = Some(*s);
        self.frequency_gain = s.gains.frequency.to_string();
        self.voltage_gain = s.gains.voltage.to_array().map(|g| g.to_string());
        self.current_gain = s.gains.current.to_array().map(|g| g.to_string());
        self.ct_text = self.ct_display(s.ct_ratio);
        self.invert = s.invert.to_array();
    }

    fn ct_display(&self, ratio: u16) -> String {
        match self.ct_mode {
            CtMode::Ratio => ratio.to_string(),
            CtMode::PrimaryAmps => format!("{} A/5 A", u32::from(ratio) * 5),
        }
    }

    /// Validate every field.
    pub fn check(&self) -> Checked {
        const V: [u16; 3] = [addr::GANHO_TENSAO_A, addr::GANHO_TENSAO_B, addr::GANHO_TENSAO_C];
        const I: [u16; 3] = [
            addr::GANHO_CORRENTE_A,
            addr::GANHO_CORRENTE_B,
            addr::GANHO_CORRENTE_C,
        ];
        let f = parse_gain(addr::GANHO_FREQUENCIA, &self.frequency_gain);
        let v: [Result<u16, FieldError>; 3] =
            std::array::from_fn(|k| parse_gain(V[k], &self.voltage_gain[k]));
        let i: [Result<u16, FieldError>; 3] =
            std::array::from_fn(|k| parse_gain(I[k], &self.current_gain[k]));
        let ct = parse_ct(self.ct_mode, &self.ct_text);
        let settings = match (&f, &v, &i, &ct) {
            (Ok(f), [Ok(va), Ok(vb), Ok(vc)], [Ok(ia), Ok(ib), Ok(ic)], Ok(ct)) => Some(Settings {
                ct_ratio: *ct,
                invert: Inversions::from_array(self.invert),
                gains: Gains {
                    frequency: *f,
                    voltage: PhaseGains::from_array([*va, *vb, *vc]),
                    current: PhaseGains::from_array([*ia, *ib, *ic]),
                },
            }),
            _ => None,
        };
        Checked {
            frequency: f.err(),
            voltage: v.map(Result::err),
            current: i.map(Result::err),
            ct: ct.err(),
            settings,
        }
    }
}

/// Draw the Parameters tab.
pub fn parameters_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    form: &mut ParamsForm,
    actions: &mut Vec<Action>,
) {
    if let Some((id, job)) = model.latest_job(meter.key, JobKind::RestoreDefaults)
        && let Some(JobOutcome::Done(Some(s))) = &job.outcome
        && form.applied_job != Some(id)
    {
        form.applied_job = Some(id);
        form.load(s);
    }
    if form.loaded.is_none() {
        match meter.latest.as_deref() {
            Some(s) => form.load(&s.settings),
            None => {
                ui.label(tr.t(Msg::WaitingForData));
                return;
            }
        }
    }
    let checked = form.check();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.label(RichText::new(tr.t(Msg::Gains)).strong().size(16.0));
            ui.weak(tr.t(Msg::GainsHint));
            // Columns at least as wide as a field: a grid cell only offers
            // the width its column had last frame, which would squeeze the
            // first fields to the width of their "Phase A" header.
            egui::Grid::new("gains")
                .num_columns(4)
                .min_col_width(FIELD_WIDTH)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    ui.label("");
                    for p in [Msg::PhaseA, Msg::PhaseB, Msg::PhaseC] {
                        ui.label(RichText::new(tr.t(p)).strong());
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::VoltageGain));
                    for (k, phase) in PHASES.iter().enumerate() {
                        field_ui(
                            ui,
                            &tr.f(Msg::VoltageGainOf, &[phase]),
                            &mut form.voltage_gain[k],
                            checked.voltage[k].as_ref(),
                            tr,
                        );
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::CurrentGain));
                    for (k, phase) in PHASES.iter().enumerate() {
                        field_ui(
                            ui,
                            &tr.f(Msg::CurrentGainOf, &[phase]),
                            &mut form.current_gain[k],
                            checked.current[k].as_ref(),
                            tr,
                        );
                    }
                    ui.end_row();
                    ui.label(tr.t(Msg::FrequencyGain));
                    field_ui(
                        ui,
                        tr.t(Msg::FrequencyGain),
                        &mut form.frequency_gain,
                        checked.frequency.as_ref(),
                        tr,
                    );
                    ui.end_row();
                });
            ui.add_space(10.0);
            ui.label(RichText::new(tr.t(Msg::CurrentTransformer)).strong().size(16.0));
            ui.horizontal(|ui| {
                let before = form.ct_mode;
                ui.radio_value(&mut form.ct_mode, CtMode::Ratio, tr.t(Msg::CtAsRatio));
                ui.radio_value(&mut form.ct_mode, CtMode::PrimaryAmps, tr.t(Msg::CtAsAmps));
                if before != form.ct_mode
                    && let Ok(ratio) = parse_ct(before, &form.ct_text)
                {
                    form.ct_text = form.ct_display(ratio);
                }
            });
            ui.horizontal(|ui| {
                field_ui(ui, tr.t(Msg::CtRatio), &mut form.ct_text, checked.ct.as_ref(), tr);
                if let Ok(ratio) = parse_ct(form.ct_mode, &form.ct_text) {
                    ui.weak(tr.f(
                        Msg::CtMeans,
                        &[&ratio.to_string(), &(u32::from(ratio) * 5).to_string()],
                    ));
                }
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label(tr.t(Msg::InvertCurrent));
                for (flag, phase) in form.invert.iter_mut().zip(PHASES) {
                    ui.checkbox(flag, tr.f(Msg::PhaseN, &[phase]));
                }
            });
            ui.add_space(12.0);
            write_bar_ui(ui, tr, meter, model, form, &checked, actions);
            outcome_ui(ui, tr, meter, model);
        });
}

const PHASES: [&str; 3] = ["A", "B", "C"];

/// Width of a number field.
const FIELD_WIDTH: f32 = 110.0;

fn field_ui(ui: &mut egui::Ui, label: &str, text: &mut String, error: Option<&FieldError>, tr: Tr) {
    ui.vertical(|ui| {
        let mut edit = egui::TextEdit::singleline(text)
            .desired_width(FIELD_WIDTH)
            .font(egui::TextStyle::Monospace);
        if error.is_some() {
            edit = edit.text_color(ui.visuals().error_fg_color);
        }
        ui.add(edit).accessible_name(label);
        if let Some(err) = error {
            ui.colored_label(ui.visuals().error_fg_color, err.text(tr));
        }
    });
}

fn write_bar_ui(
    ui: &mut egui::Ui,
    tr: Tr,
    meter: &MeterEntry,
    model: &Model,
    form: &mut ParamsForm,
    checked: &Checked,
    actions: &mut Vec<Action>,
) {
    let online = meter.link == LinkState::Online;
    let busy = model.busy(meter.key);
    let changed = checked.settings.is_some() && checked.settings != form.loaded;
    ui.horizontal(|ui| {
        let can_write = online && !busy && checked.settings.is_some();
        let write =
            egui::Button::new(RichText::new(tr.t(Msg::Write)).size(16.0)).min_size(egui::vec2(120.0, 30.0));
        if ui.add_enabled(can_write, write).clicked()
            && let Some(settings) = checked.settings
        {
            actions.push(Action::Write(meter.key, settings));
        }
        if ui
            .add_enabled(online && !busy, egui::Button::new(tr.t(Msg::RestoreDefaults)))
            .clicked()
        {
            actions.push(Action::Ask(Confirm::RestoreDefaults(meter.key)));
        }
        if ui
            .add_enabled(
                meter.latest.is_some(),
                egui::Button::new(tr.t(Msg::ReloadFromMeter)),
            )
            .clicked()
            && let Some(s) = meter.latest.as_deref()
        {
            form.load(&s.settings);
        }
        if checked.settings.is_none() {
            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::FixErrorsFirst));
        } else if !online {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::MeterNotOnline));
        } else if changed {
            ui.weak(tr.t(Msg::UnsavedChanges));
        }
        if busy {
            ui.spinner();
            if let Some((id, _)) = model
                .jobs
                .iter()
                .rev()
                .find(|(_, j)| j.meter == meter.key && j.outcome.is_none())
                && ui.button(tr.t(Msg::Cancel)).clicked()
            {
                actions.push(Action::Cancel(*id));
            }
        }
    });
}

fn outcome_ui(ui: &mut egui::Ui, tr: Tr, meter: &MeterEntry, model: &Model) {
    let Some((_, job)) = model.latest_job(meter.key, JobKind::WriteSettings) else {
        return;
    };
    ui.add_space(8.0);
    match &job.outcome {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr.t(Msg::Writing));
            });
        }
        Some(JobOutcome::Written(fields)) => {
            let all_ok = fields.iter().all(|f| f.confirmed());
            if fields.is_empty() {
                ui.label(tr.t(Msg::NothingToWrite));
            } else if all_ok {
                ui.colored_label(OK_COLOR, tr.t(Msg::WriteConfirmed));
            } else {
                ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::WriteMismatch));
            }
            egui::Grid::new("write_outcome")
                .num_columns(4)
                .striped(true)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    for h in [Msg::Register, Msg::Written, Msg::ReadBack, Msg::Result] {
                        ui.label(RichText::new(tr.t(h)).strong());
                    }
                    ui.end_row();
                    for f in fields {
                        ui.monospace(f.name());
                        ui.monospace(f.wanted.to_string());
                        ui.monospace(f.actual.map_or_else(|| "—".into(), |a| a.to_string()));
                        if f.confirmed() {
                            ui.colored_label(OK_COLOR, tr.t(Msg::Confirmed));
                        } else {
                            ui.colored_label(ui.visuals().error_fg_color, tr.t(Msg::Differs));
                        }
                        ui.end_row();
                    }
                });
        }
        Some(JobOutcome::Done(_) | JobOutcome::Web(_)) => {
            ui.colored_label(OK_COLOR, tr.t(Msg::WriteConfirmed));
        }
        Some(JobOutcome::LinkFailed(why)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{}: {}", tr.t(Msg::WriteFailed), link_text::describe(tr, why)),
            );
        }
        Some(JobOutcome::Cancelled) => {
            ui.colored_label(ui.visuals().warn_fg_color, tr.t(Msg::WriteCancelled));
        }
        Some(
            JobOutcome::Failed(_)
            | JobOutcome::Commissioning(_)
            | JobOutcome::WebFailed(_)
            | JobOutcome::CommFailed(_),
        ) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_is_accepted_as_ratio_or_primary_amps() {
        assert_eq!(parse_ct(CtMode::Ratio, "100"), Ok(100));
        assert_eq!(parse_ct(CtMode::PrimaryAmps, "500 A/5 A"), Ok(100));
        assert_eq!(parse_ct(CtMode::PrimaryAmps, "500/5"), Ok(100));
        assert_eq!(parse_ct(CtMode::PrimaryAmps, "2000"), Ok(400));
        assert_eq!(
            parse_ct(CtMode::PrimaryAmps, "502"),
            Err(FieldError::NotMultipleOfFive)
        );
        assert_eq!(
            parse_ct(CtMode::PrimaryAmps, "50"),
            Err(FieldError::OutOfRange(100, 2000))
        );
        assert_eq!(
            parse_ct(CtMode::PrimaryAmps, "500/1"),
            Err(FieldError::NotANumber)
        );
        assert_eq!(
            parse_ct(CtMode::Ratio, "10"),
            Err(FieldError::OutOfRange(20, 400))
        );
        assert_eq!(parse_ct(CtMode::Ratio, "x"), Err(FieldError::NotANumber));
    }

    #[test]
    fn one_bad_field_blocks_the_whole_form() {
        let mut form = ParamsForm::default();
        form.load(&Settings::factory());
        assert!(form.check().settings.is_some());
        form.voltage_gain[1] = "1600".into();
        let checked = form.check();
        assert!(checked.settings.is_none());
        assert_eq!(checked.voltage[1], Some(FieldError::OutOfRange(500, 1500)));
    }
}
