//! What the command line adds to a failure: the flag or command that fixes
//! it. Library errors say what failed, on which meter and what to do there;
//! which of this program's options does it is the command line's to say,
//! so the window never shows a flag it has no use for.

use crate::commissioning::calibrate::CalibrateError;
use crate::commissioning::profile::{ApplyFailure, ProfileError};
use crate::commissioning::sampler::SampleError;
use crate::commissioning::wiring_check::FixError;
use je08_client::discovery::mdns::MdnsBrowseError;
use je08_client::flash::FlashError;
use je08_client::http::HttpError;
use je08_client::modbus::ModbusError;
use je08_client::ota::OtaError;

/// The advice for the first error in `err`'s chain that has one.
pub fn for_error(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<ModbusError>() {
            modbus(e)
        } else if let Some(e) = cause.downcast_ref::<HttpError>() {
            http(e)
        } else if let Some(e) = cause.downcast_ref::<OtaError>() {
            ota(e)
        } else if cause.downcast_ref::<MdnsBrowseError>().is_some() {
            Some("use --no-mdns and --scan instead".to_owned())
        } else if let Some(e) = cause.downcast_ref::<FlashError>() {
            match e {
                FlashError::Http(e) => http(e),
                FlashError::Ota(e) => ota(e),
                FlashError::BadImage(_) => None,
            }
        } else if let Some(e) = cause.downcast_ref::<SampleError>() {
            sample(e)
        } else if let Some(e) = cause.downcast_ref::<FixError>() {
            match e {
                FixError::Params(e) => e.modbus().and_then(modbus),
                FixError::Recheck(e) => sample(e),
                FixError::NothingToFix | FixError::Invalid(_) => None,
            }
        } else if let Some(e) = cause.downcast_ref::<CalibrateError>() {
            match e {
                CalibrateError::Sample(e) | CalibrateError::Remeasure(e) => sample(e),
                CalibrateError::Params(e) => e.modbus().and_then(modbus),
                CalibrateError::Refused(_) | CalibrateError::Invalid(_) => None,
            }
        } else if let Some(e) = cause.downcast_ref::<ProfileError>() {
            profile(e)
        } else {
            None
        }
    })
}

/// The advice for a meter that a profile could not be applied to, for
/// the result table (the JSON keeps the sentence alone).
pub fn for_apply(failure: &ApplyFailure) -> Option<String> {
    match failure {
        ApplyFailure::WrongMode { meter, .. } => Some(switch_to_application(meter)),
        ApplyFailure::SettingsUnread(e) => modbus(e),
        ApplyFailure::Write(e) => e.modbus().and_then(modbus),
        ApplyFailure::InfoUnread(e)
        | ApplyFailure::EnterConfiguration(e)
        | ApplyFailure::Http(e)
        | ApplyFailure::NotReturned(e) => http(e),
        _ => None,
    }
}

fn modbus(err: &ModbusError) -> Option<String> {
    match err {
        ModbusError::Timeout { .. } => Some("or allow more time with --timeout".to_owned()),
        _ => None,
    }
}

fn sample(err: &SampleError) -> Option<String> {
    match err {
        SampleError::Modbus(e) => modbus(e),
        SampleError::Cancelled | SampleError::SettingsChanged { .. } => None,
    }
}

fn profile(err: &ProfileError) -> Option<String> {
    match err {
        ProfileError::Modbus(e) => modbus(e),
        ProfileError::Http(e) => http(e),
        ProfileError::WrongMode { meter, .. } => Some(switch_to_application(meter)),
        ProfileError::NotReturned { meter, mode, .. } | ProfileError::Interrupted { meter, mode } => {
            Some(format!("switch it back with `je08 mode {meter} {mode}`"))
        }
        _ => None,
    }
}

fn switch_to_application(meter: &str) -> String {
    format!("switch with `je08 mode {meter} application`")
}

fn http(err: &HttpError) -> Option<String> {
    match err {
        HttpError::Unauthorized { .. } => Some(PASSWORD.to_owned()),
        HttpError::WrongMode { meter, needed, .. } => {
            Some(format!("switch with `je08 mode {meter} {needed}`"))
        }
        _ => None,
    }
}

fn ota(err: &OtaError) -> Option<String> {
    match err {
        OtaError::Unauthorized { .. } | OtaError::PasswordNeeded { .. } => Some(PASSWORD.to_owned()),
        _ => None,
    }
}

/// How to give the interface password on the command line.
const PASSWORD: &str = "pass the right interface password with --password or JE08_PASSWORD";

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::http_api::Mode;

    #[test]
    fn advice_names_the_flag_or_command_and_the_library_sentence_does_not() {
        let refused = HttpError::Unauthorized {
            meter: "10.0.0.9:80".into(),
        };
        assert!(!refused.to_string().contains("--"), "{refused}");
        let err = anyhow::Error::new(refused).context("reading the settings");
        assert_eq!(for_error(&err).as_deref(), Some(PASSWORD));
        let wrong_mode = anyhow::Error::new(FlashError::Http(HttpError::WrongMode {
            meter: "10.0.0.9:80".into(),
            needed: Mode::Configuration,
            detail: "not in configuration mode".into(),
        }));
        assert_eq!(
            for_error(&wrong_mode).as_deref(),
            Some("switch with `je08 mode 10.0.0.9:80 configuration`")
        );
        assert_eq!(for_error(&anyhow::anyhow!("something else")), None);
    }

    #[test]
    fn a_meter_left_in_another_mode_gets_the_command_that_switches_it() {
        let not_returned = ProfileError::NotReturned {
            meter: "10.0.0.9:80".into(),
            mode: Mode::Application,
            source: HttpError::Unauthorized {
                meter: "10.0.0.9:80".into(),
            },
        };
        assert!(!not_returned.to_string().contains("je08 mode"), "{not_returned}");
        assert_eq!(
            for_error(&anyhow::Error::new(not_returned)).as_deref(),
            Some("switch it back with `je08 mode 10.0.0.9:80 application`")
        );
        let wrong_mode = ApplyFailure::WrongMode {
            meter: "10.0.0.9:80".into(),
            mode: Mode::Configuration,
        };
        assert!(!wrong_mode.to_string().contains("je08 mode"), "{wrong_mode}");
        assert_eq!(
            for_apply(&wrong_mode).as_deref(),
            Some("switch with `je08 mode 10.0.0.9:80 application`")
        );
    }
}
