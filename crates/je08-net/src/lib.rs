//! Connection plumbing that both ends of a JE08's wire share — the
//! configurator's clients and the virtual meter: capped exponential
//! reconnect backoff, certificates (PEM files and the pre-flight a meter's
//! ESP8266 would make), the broker login with its TLS material, and one
//! MQTT connection kept alive. Its failures and findings are said through
//! `Describe`, from one text table ([`texts`]).
#![warn(missing_docs)]

pub mod backoff;
pub mod certs;
pub mod mqtt_link;
pub mod texts;
