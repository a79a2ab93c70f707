//! The Parameters form: gains, CT ratio (as a ratio or as primary amps),
//! per-phase inversion, each field validated as it is typed against the
//! register map; an invalid form yields no settings to write.

use crate::backend::JobId;
use crate::i18n::{Msg, Tr};
use je08_protocol::readings::{Gains, Inversions, PhaseGains, Settings};
use je08_protocol::registers::addr;
use je08_protocol::texts::ProtocolMsg;
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
            FieldError::NotANumber => tr.t(ProtocolMsg::NotANumber).to_string(),
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

    /// The CT field's text for `ratio` in the current entry mode.
    pub fn ct_display(&self, ratio: u16) -> String {
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
