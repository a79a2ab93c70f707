//! Connection plumbing that both ends of a JE08's wire share — the
//! configurator's clients and the virtual meter: capped exponential
//! reconnect backoff, TLS material (PEM files, the pre-flight a meter's
//! ESP8266 would make, the rustls client set-up) and one MQTT connection
//! kept alive.
#![warn(missing_docs)]

pub mod backoff;
pub mod certs;
pub mod mqtt_link;
pub mod texts;
