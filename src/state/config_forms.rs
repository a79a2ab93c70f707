//! Editable forms for the meter's connectivity, protocols and CT blocks
//! (spec §4). Numbers are typed as text and checked as they are typed; the
//! whole block is then checked with the protocol's own `validate()`, so an
//! invalid form cannot be saved. Passwords start empty: empty keeps the
//! meter's password (`null` in the PUT), anything typed replaces it; the
//! meter never gives a password back.

use crate::backend::web::ConfigBlock;
use je08_protocol::http_api::{Connectivity, Ct, FACTORY_PASSWORD, FieldErrors, Problem, Protocols, Secret};

/// A typed password that `Debug` never shows.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PasswordText(pub String);

impl std::fmt::Debug for PasswordText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<empty>"
        } else {
            "<redacted>"
        })
    }
}

impl PasswordText {
    /// `None` (keep the stored one) when empty.
    pub fn secret(&self) -> Option<Secret> {
        (!self.0.is_empty()).then(|| Secret::new(self.0.clone()))
    }

    /// The typed password, else the factory default: what an empty
    /// interface password field (to log in, not to change it) means.
    pub fn or_factory(&self) -> Secret {
        self.secret().unwrap_or_else(|| Secret::new(FACTORY_PASSWORD))
    }
}

/// A block as typed: the block if every field is valid, else every bad field.
pub type Checked<T> = Result<T, FieldErrors>;

fn number(errors: &mut FieldErrors, field: &str, text: &str) -> u32 {
    text.trim().parse().unwrap_or_else(|_| {
        errors.push(field, Problem::NotANumber);
        0
    })
}

fn finish<T>(block: T, parse: FieldErrors, validate: impl Fn(&T) -> Result<(), FieldErrors>) -> Checked<T> {
    if !parse.0.is_empty() {
        return Err(parse);
    }
    validate(&block).map(|()| block)
}

/// The CT block as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct CtForm {
    /// Ratio N (N×5 A : 5 A).
    pub ratio: String,
    /// Invert phases A, B, C.
    pub invert: [bool; 3],
}

impl CtForm {
    /// The form for a block read from the meter.
    pub fn new(block: &Ct) -> Self {
        Self {
            ratio: block.ratio.to_string(),
            invert: block.invert,
        }
    }

    /// The block, or every bad field.
    pub fn check(&self) -> Checked<Ct> {
        let mut errs = FieldErrors::default();
        let ratio = number(&mut errs, "ratio", &self.ratio);
        finish(
            Ct {
                ratio,
                invert: self.invert,
            },
            errs,
            Ct::validate,
        )
    }
}

/// The protocols block as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolsForm {
    /// Text and switches, numbers as last read.
    pub base: Protocols,
    /// Modbus TCP port.
    pub modbus_port: String,
    /// Broker port.
    pub mqtt_port: String,
    /// Seconds between DATA publications.
    pub interval_s: String,
    /// New broker password (empty keeps it).
    pub mqtt_password: PasswordText,
}

impl ProtocolsForm {
    /// The form for a block read from the meter.
    pub fn new(block: &Protocols) -> Self {
        Self {
            base: block.redacted(),
            modbus_port: block.modbus.port.to_string(),
            mqtt_port: block.mqtt.port.to_string(),
            interval_s: block.mqtt.interval_s.to_string(),
            mqtt_password: PasswordText::default(),
        }
    }

    /// The block, or every bad field.
    pub fn check(&self) -> Checked<Protocols> {
        let mut errs = FieldErrors::default();
        let mut block = self.base.clone();
        block.modbus.port = number(&mut errs, "modbus.port", &self.modbus_port);
        block.mqtt.port = number(&mut errs, "mqtt.port", &self.mqtt_port);
        block.mqtt.interval_s = number(&mut errs, "mqtt.interval_s", &self.interval_s);
        block.mqtt.password = self.mqtt_password.secret();
        finish(block, errs, Protocols::validate)
    }
}

/// The connectivity block as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectivityForm {
    /// Text and switches as last read (passwords `None`).
    pub base: Connectivity,
    /// New Wi-Fi password (empty keeps it).
    pub wifi_password: PasswordText,
    /// New interface password (empty keeps it).
    pub interface_password: PasswordText,
}

impl ConnectivityForm {
    /// The form for a block read from the meter.
    pub fn new(block: &Connectivity) -> Self {
        Self {
            base: block.redacted(),
            wifi_password: PasswordText::default(),
            interface_password: PasswordText::default(),
        }
    }

    /// The block, or every bad field.
    pub fn check(&self) -> Checked<Connectivity> {
        let mut block = self.base.clone();
        block.password = self.wifi_password.secret();
        block.interface_password = self.interface_password.secret();
        finish(block, FieldErrors::default(), Connectivity::validate)
    }
}

/// The three forms of a meter in configuration mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Forms {
    /// Connectivity.
    pub connectivity: ConnectivityForm,
    /// Protocols.
    pub protocols: ProtocolsForm,
    /// CT.
    pub ct: CtForm,
}

impl Forms {
    /// Replace the form of a block the meter just confirmed.
    pub fn reload(&mut self, block: &ConfigBlock) {
        match block {
            ConfigBlock::Connectivity(b) => self.connectivity = ConnectivityForm::new(b),
            ConfigBlock::Protocols(b) => self.protocols = ProtocolsForm::new(b),
            ConfigBlock::Ct(b) => self.ct = CtForm::new(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_login_field_means_the_factory_password_and_a_typed_one_wins() {
        assert_eq!(PasswordText::default().or_factory().expose(), FACTORY_PASSWORD);
        let typed = PasswordText("typed password".into());
        assert_eq!(typed.or_factory().expose(), "typed password");
        assert_eq!(format!("{typed:?}"), "<redacted>");
    }

    #[test]
    fn forms_check_numbers_then_the_whole_block() {
        let mut ct = CtForm::new(&Ct {
            ratio: 100,
            invert: [false; 3],
        });
        assert_eq!(ct.check().unwrap().ratio, 100);
        ct.ratio = "x".into();
        assert_eq!(ct.check().unwrap_err().0[0].field, "ratio");
        ct.ratio = "500".into();
        assert_eq!(
            ct.check().unwrap_err().for_field("ratio"),
            Some(&Problem::OutOfRange {
                value: 500,
                min: 20,
                max: 400
            })
        );

        let mut p = ProtocolsForm::new(&Protocols::factory(7));
        assert_eq!(p.check().unwrap().mqtt.password, None, "empty keeps the password");
        p.mqtt_password.0 = "n3w".into();
        assert_eq!(
            p.check().unwrap().mqtt.password.as_ref().map(Secret::expose),
            Some("n3w")
        );
        assert_eq!(format!("{:?}", p.mqtt_password), "<redacted>");

        let c = ConnectivityForm::new(&Connectivity::factory(7));
        assert_eq!(c.base.password, None, "a form never holds the read password");
        assert!(c.check().is_ok());
    }
}
