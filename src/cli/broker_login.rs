//! The broker login on the command line: one group of flags
//! ([`BrokerLoginArgs`]: `--broker URL --user --mqtt-password --ca --cert
//! --key`) shared by `je08 mqtt`, `je08 sim`, `je08 report` and
//! `je08 discover`, the client id of the commands that watch a broker
//! ([`ClientArgs`]), and the command line's advice on a broker failure
//! ([`said`]): the library's sentence names what failed, the command line
//! adds which flag to give or check.
//!
//! The MQTT password is `--mqtt-password` everywhere because `je08 sim` and
//! `je08 report` use `--password` for the meters' interface password;
//! `je08 mqtt` and `je08 discover`, where `--password` was the MQTT
//! password, still accept it. The simulator's former spellings (`--mqtt`,
//! `--mqtt-user`, `--mqtt-ca`, `--mqtt-cert`, `--mqtt-key`) stay accepted
//! everywhere, hidden from the help.

use je08_net::backoff::BackoffPolicy;
use je08_net::mqtt_link::RECONNECT;
use std::path::PathBuf;
use std::time::Duration;

use je08_net::mqtt_link::{
    BrokerLogin, CredentialFiles, LinkError, LinkOptions, LinkTiming, Password, SetupError,
};
use je08_protocol::i18n::{Describe, Tr};
use je08_protocol::mqtt::BrokerUrl;

/// Largest reconnect delay of the command line's clients (a person waits).
const BACKOFF_CAP: Duration = Duration::from_secs(10);

/// A broker and how to log in to it.
#[derive(Debug, Clone, clap::Args)]
pub struct BrokerLoginArgs {
    /// Broker URL: mqtt://HOST[:PORT] or mqtts://HOST[:PORT] (TLS).
    #[arg(long, value_name = "URL", alias = "mqtt", value_parser = BrokerUrlParser)]
    pub broker: Option<BrokerUrl>,
    /// MQTT user name.
    #[arg(long, value_name = "USER", alias = "mqtt-user")]
    pub user: Option<String>,
    /// MQTT password (prefer the environment variable: it stays out of `ps`).
    #[arg(
        id = "mqtt_password",
        long = "mqtt-password",
        value_name = "PASSWORD",
        env = "JE08_MQTT_PASSWORD",
        hide_env_values = true,
        value_parser = password
    )]
    pub password: Option<Password>,
    /// CA certificate (PEM) that signs the broker's certificate (mqtts://).
    #[arg(long, value_name = "FILE", alias = "mqtt-ca")]
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM), for brokers that require one.
    #[arg(long, value_name = "FILE", requires = "key", alias = "mqtt-cert")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of --cert.
    #[arg(long, value_name = "FILE", requires = "cert", alias = "mqtt-key")]
    pub key: Option<PathBuf>,
}

/// Parses a `--broker` URL. clap's own refusal would quote the text as
/// typed, password included; this one says [`BadBrokerUrl`]'s sentence,
/// whose text has the password replaced by `***`.
///
/// [`BadBrokerUrl`]: je08_protocol::mqtt::BadBrokerUrl
#[derive(Debug, Clone, Copy)]
pub struct BrokerUrlParser;

impl clap::builder::TypedValueParser for BrokerUrlParser {
    type Value = BrokerUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<BrokerUrl, clap::Error> {
        value.to_string_lossy().parse::<BrokerUrl>().map_err(|err| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{err}\n")).with_cmd(cmd)
        })
    }
}

/// Parse a password flag into a value that never prints.
fn password(text: &str) -> Result<Password, std::convert::Infallible> {
    Ok(Password::new(text))
}

impl BrokerLoginArgs {
    /// The credentials as given, PEM files not read yet.
    pub fn credentials(&self) -> CredentialFiles {
        CredentialFiles {
            user: self.user.clone(),
            password: self.password.clone(),
            ca: self.ca.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
        }
    }

    /// The login to `broker` with these credentials (PEM files read and checked).
    pub fn login_to(&self, broker: BrokerUrl) -> Result<BrokerLogin, SetupError> {
        BrokerLogin::load(broker, &self.credentials())
    }

    /// The login to `--broker`; `None` without it.
    pub fn login(&self) -> Result<Option<BrokerLogin>, SetupError> {
        self.broker.clone().map(|b| self.login_to(b)).transpose()
    }
}

/// The broker login and the MQTT client id of the commands that watch a
/// broker (`je08 mqtt`, `je08 discover --broker`).
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("mqtt_password", |a| a.alias("password")))]
pub struct ClientArgs {
    /// Broker, credentials and TLS files.
    #[command(flatten)]
    pub login: BrokerLoginArgs,
    /// MQTT client id (default: je08-cli-<random>).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
}

impl ClientArgs {
    /// The link options for `--broker` (`None` without it): PEM files read
    /// and checked, reconnects capped at 10 s.
    pub fn link(&self) -> Result<Option<LinkOptions>, SetupError> {
        let Some(login) = self.login.login()? else {
            return Ok(None);
        };
        let client_id = self
            .client_id
            .clone()
            .unwrap_or_else(|| format!("je08-cli-{:08x}", rand::random::<u32>()));
        let timing = LinkTiming {
            reconnect: BackoffPolicy {
                cap: BACKOFF_CAP,
                ..RECONNECT
            },
            ..LinkTiming::default()
        };
        LinkOptions::builder(login, client_id)
            .timing(timing)
            .build()
            .map(Some)
    }
}

/// What to do about `error` on the command line, when a flag is the answer.
pub fn advice(error: &LinkError) -> Option<&'static str> {
    Some(match error {
        LinkError::Setup(SetupError::CaRequired { .. }) => "give it with --ca",
        LinkError::Setup(SetupError::TlsForPlainBroker { .. }) => {
            "a plain broker takes no --ca, --cert or --key"
        }
        LinkError::Setup(SetupError::IdentityIncomplete) => "give both --cert and --key",
        LinkError::Setup(SetupError::IdentityWithoutTls) => "give --ca too, with an mqtts:// URL",
        LinkError::UnknownCa(_) => "check the --ca file",
        LinkError::ClientCertRejected { .. } => "check --cert and --key",
        LinkError::BadCredentials(_) | LinkError::NotAuthorized(_) => {
            "check --user and --mqtt-password (or JE08_MQTT_PASSWORD)"
        }
        _ => return None,
    })
}

/// The line the command line prints for a broker failure: the library's
/// sentence, then the advice when one applies.
pub fn said(error: &LinkError) -> String {
    let sentence = error.describe(Tr::EN);
    match advice(error) {
        Some(advice) => format!("{sentence}; {advice}"),
        None => sentence,
    }
}

/// [`said`] as an error of a command.
pub fn setup_failed(error: SetupError) -> anyhow::Error {
    anyhow::Error::msg(said(&error.into()))
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command, Nested};

    #[test]
    fn advice_names_the_flag_after_the_sentence() {
        let line = said(&LinkError::UnknownCa("mqtts://b:8883".into()));
        assert_eq!(
            line,
            "TLS: the certificate of mqtts://b:8883 is not signed by the given CA (wrong CA file?); check the --ca file"
        );
        let refused = LinkError::Refused("mqtt://b:1883".into());
        assert_eq!(said(&refused), refused.to_string(), "no advice applies");
    }

    #[test]
    fn every_broker_command_takes_the_same_flags() {
        for command in [
            &["je08", "mqtt", "watch"][..],
            &["je08", "sim"],
            &["je08", "report", "h", "--out", "r.pdf"],
            &["je08", "discover"],
        ] {
            let mut args = command.to_vec();
            args.extend([
                "--broker",
                "mqtts://b",
                "--user",
                "op",
                "--mqtt-password",
                "pw",
                "--ca",
                "ca.pem",
                "--cert",
                "c.pem",
                "--key",
                "k.pem",
            ]);
            let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let login = match cli.command {
                Some(Command::Mqtt(Nested { action })) => match action {
                    crate::cli::mqtt::Action::Watch(w) => w.broker.login,
                    crate::cli::mqtt::Action::Send(s) => s.broker.login,
                },
                Some(Command::Sim(a)) => a.broker,
                Some(Command::Report(a)) => a.broker,
                Some(Command::Discover(a)) => a.broker.login,
                _ => unreachable!(),
            };
            let given = login.credentials();
            assert_eq!(login.broker.as_ref().map(|b| b.port), Some(8883), "{args:?}");
            assert_eq!(given.user.as_deref(), Some("op"));
            assert_eq!(given.password.as_ref().map(Password::expose), Some("pw"));
            assert!(given.ca.is_some() && given.cert.is_some() && given.key.is_some());
            assert!(!format!("{login:?}").contains("pw"), "{login:?}");
        }
    }

    #[test]
    fn former_spellings_still_parse() {
        let cli = Cli::try_parse_from([
            "je08",
            "sim",
            "--mqtt",
            "mqtt://b:1884",
            "--mqtt-user",
            "op",
            "--mqtt-ca",
            "ca.pem",
            "--mqtt-cert",
            "c.pem",
            "--mqtt-key",
            "k.pem",
            "--password",
            "interface",
        ])
        .unwrap();
        let Some(Command::Sim(sim)) = cli.command else {
            unreachable!()
        };
        assert_eq!(sim.broker.broker.map(|b| b.port), Some(1884));
        assert_eq!(sim.broker.user.as_deref(), Some("op"));
        assert!(sim.broker.ca.is_some() && sim.broker.cert.is_some() && sim.broker.key.is_some());
        assert_eq!(
            sim.password.as_deref(),
            Some("interface"),
            "--password stays the interface's"
        );
        let cli = Cli::try_parse_from([
            "je08",
            "mqtt",
            "watch",
            "--broker",
            "mqtt://b",
            "--password",
            "pw",
        ])
        .unwrap();
        let Some(Command::Mqtt(Nested { action })) = cli.command else {
            unreachable!()
        };
        let crate::cli::mqtt::Action::Watch(watch) = action else {
            unreachable!()
        };
        assert_eq!(
            watch.broker.login.password.as_ref().map(Password::expose),
            Some("pw")
        );
        assert!(
            Cli::try_parse_from(["je08", "mqtt", "watch"]).is_err(),
            "--broker is required"
        );
    }
}
