//! The whole firmware update of one meter, shared by `je08 flash` and the
//! configurator window: validate the image, reboot into update mode when
//! needed, push it over HTTP or espota, then wait until the meter runs the
//! new version. Nothing is sent for an image that fails validation.

use std::net::SocketAddr;
use std::time::Duration;

use super::texts::ClientMsg;
use bytes::Bytes;
use je08_protocol::i18n::{Describe, Tr};

use super::http::{HttpError, MeterHttp, Progress};
use super::ota::{self, OtaError};
use je08_protocol::firmware;
use je08_protocol::http_api::{Info, Mode, Secret};

/// How the image travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `POST /update` on the meter's HTTP port.
    Http,
    /// ArduinoOTA/espota to this UDP address.
    Espota(SocketAddr),
}

/// Where the update is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Rebooting into update mode (the energy counters restart from zero).
    EnteringUpdate,
    /// Sending the image (progress follows).
    Sending,
    /// Image accepted; waiting for the meter to restart with it.
    Confirming,
}

/// What went wrong during an update; said in words by its [`Describe`]
/// (its English is its `Display`).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum FlashError {
    /// The image failed validation (the first failed check): nothing was sent.
    BadImage(Box<firmware::Check>),
    /// An HTTP step failed.
    #[from]
    Http(HttpError),
    /// The espota push failed.
    #[from]
    Ota(OtaError),
}

impl Describe for FlashError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::BadImage(check) => tr.f(ClientMsg::ImageRefused, &[&check.describe(tr)]),
            Self::Http(err) => err.describe(tr),
            Self::Ota(err) => err.describe(tr),
        }
    }
}

je08_protocol::english_display!(errors: FlashError);

/// Update the meter behind `client` with `image`; `deadline` bounds each
/// reboot. `step` is told before each step, `progress` during the sending.
/// Returns what the meter reports once it runs the new image.
pub async fn flash(
    client: &MeterHttp,
    password: Option<&Secret>,
    image: Bytes,
    via: Via,
    deadline: Duration,
    step: &(dyn Fn(Step) + Send + Sync),
    progress: Progress<'_>,
) -> Result<Info, FlashError> {
    let report = firmware::validate(&image);
    if let Some(failed) = report.first_failure() {
        return Err(FlashError::BadImage(Box::new(failed.clone())));
    }
    let version = report.version;
    let mut info = client.info().await?;
    if info.mode != Mode::Update {
        step(Step::EnteringUpdate);
        info = client.switch_mode(Mode::Update, deadline).await?;
    }
    step(Step::Sending);
    match via {
        Via::Http => {
            client.push_firmware(image, progress).await?;
        }
        Via::Espota(addr) => {
            ota::push(addr, password, &image, progress).await?;
        }
    }
    step(Step::Confirming);
    Ok(client.confirm_version(&info, version, deadline).await?)
}
