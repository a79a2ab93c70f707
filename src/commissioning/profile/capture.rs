//! Saving a meter's configuration as a profile: the Modbus settings alone
//! ([`capture`], no reboot) or with the HTTP blocks ([`capture_all`]).
//!
//! The Modbus settings are served in application mode and the HTTP blocks
//! in configuration mode only, so [`capture_all`] reads what the meter
//! serves in the mode it is in, reboots into the other mode, reads there and
//! reboots back. Once it has left its mode the meter is always taken back:
//! cancelling stops before the next read, and the work runs as its own task
//! so that dropping the future halfway does not strand the meter either.

use std::time::{Duration, Instant};

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use super::{Access, FORMAT, HttpProfile, Profile, ProfileError, ProfileMeta, ProfileSettings};
use je08_client::endpoint::MeterAddress;
use je08_client::http::MeterHttp;
use je08_client::modbus::ModbusClient;
use je08_protocol::codec::decode;
use je08_protocol::http_api::{Connectivity, Info, Mode, Protocols};

/// Steps [`capture_all`] reports progress in: read in the meter's mode,
/// reboot into the other, read there, reboot back.
pub const CAPTURE_STEPS: usize = 4;

/// How long to wait for Modbus after the HTTP API is back from a reboot.
const MODBUS_AFTER_BOOT: Duration = Duration::from_secs(5);

/// Read a meter's Modbus settings (no HTTP blocks, no reboot) as its
/// backup, with its calibration gains: [`Profile::for_other_meters`] makes
/// it a profile.
pub async fn capture(client: &mut ModbusClient, description: String) -> Result<Profile, ProfileError> {
    let snapshot = decode(&client.read_map().await?);
    Ok(Profile {
        meta: ProfileMeta {
            format: FORMAT,
            source_device_id: snapshot.device.id,
            saved_at: Utc::now(),
            description,
            backup_of: Some(snapshot.device.id),
        },
        settings: ProfileSettings::with_gains(&snapshot.settings),
        http: None,
        gains_ignored: false,
    })
}

/// Read a meter's whole configuration as its backup (with its calibration
/// gains; [`Profile::for_other_meters`] makes it a profile): the Modbus settings (in
/// application mode) and the HTTP blocks (in configuration mode). The meter
/// reboots into the other mode and back into the mode it was in, so its
/// energy accumulators restart from zero. `progress` gets (steps done,
/// [`CAPTURE_STEPS`]). `cancel` stops before the next read; a meter that
/// has left its mode is still returned to it ([`ProfileError::Cancelled`]
/// says whether it rebooted).
pub async fn capture_all(
    meter: &MeterAddress,
    access: &Access,
    description: String,
    progress: impl FnMut(usize, usize) + Send + 'static,
    cancel: &CancellationToken,
) -> Result<Profile, ProfileError> {
    let http = access.http(meter);
    let info = http.info().await?;
    let start = info.mode;
    if start == Mode::Update {
        return Err(ProfileError::WrongMode {
            meter: meter.http.to_string(),
            mode: start,
        });
    }
    let trip = Trip {
        meter: meter.clone(),
        access: access.clone(),
        http,
        start,
        cancel: cancel.clone(),
        progress,
    };
    tokio::spawn(trip.run(info, description))
        .await
        .unwrap_or_else(|e| {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
            Err(ProfileError::Interrupted {
                meter: meter.http.to_string(),
                mode: start,
            })
        })
}

/// One visit to the other mode and back.
struct Trip<P> {
    meter: MeterAddress,
    access: Access,
    http: MeterHttp,
    start: Mode,
    cancel: CancellationToken,
    progress: P,
}

impl<P: FnMut(usize, usize) + Send> Trip<P> {
    async fn run(mut self, info: Info, description: String) -> Result<Profile, ProfileError> {
        let (mut profile, (connectivity, protocols)) = if self.start == Mode::Application {
            let profile = read_settings(&self.meter, &self.access, description, Duration::ZERO).await?;
            let http = self.http.clone();
            let blocks = self.visit(Mode::Configuration, read_blocks(&http)).await?;
            (profile, blocks)
        } else {
            let blocks = read_blocks(&self.http).await?;
            let (meter, access) = (self.meter.clone(), self.access.clone());
            let read = read_settings(&meter, &access, description, MODBUS_AFTER_BOOT);
            (self.visit(Mode::Application, read).await?, blocks)
        };
        if profile.meta.source_device_id != info.id {
            return Err(ProfileError::Mismatch {
                meter: self.meter.to_string(),
                modbus_id: profile.meta.source_device_id,
                http_id: info.id,
            });
        }
        profile.http = Some(HttpProfile::from_blocks(&connectivity, &protocols, info.id));
        Ok(profile)
    }

    /// Reboot into `other`, `read` there (unless cancelled) and reboot back
    /// into the start mode whatever happened.
    async fn visit<T>(
        &mut self,
        other: Mode,
        read: impl Future<Output = Result<T, ProfileError>> + Send,
    ) -> Result<T, ProfileError> {
        (self.progress)(1, CAPTURE_STEPS);
        if self.cancel.is_cancelled() {
            return Err(ProfileError::Cancelled {
                rebooted: false,
                mode: self.start,
            });
        }
        let deadline = self.access.reboot_deadline;
        self.http.switch_mode(other, deadline).await?;
        (self.progress)(2, CAPTURE_STEPS);
        let read = if self.cancel.is_cancelled() {
            None
        } else {
            Some(read.await)
        };
        (self.progress)(3, CAPTURE_STEPS);
        self.http
            .switch_mode(self.start, deadline)
            .await
            .map_err(|source| ProfileError::NotReturned {
                meter: self.meter.http.to_string(),
                mode: self.start,
                source,
            })?;
        (self.progress)(4, CAPTURE_STEPS);
        match read {
            Some(read) if !self.cancel.is_cancelled() => read,
            _ => Err(ProfileError::Cancelled {
                rebooted: true,
                mode: self.start,
            }),
        }
    }
}

async fn read_blocks(http: &MeterHttp) -> Result<(Connectivity, Protocols), ProfileError> {
    Ok((http.connectivity().await?, http.protocols().await?))
}

/// The Modbus settings as a profile. After a reboot the Modbus server may
/// open a moment after the HTTP API answers: a failed read (never a write)
/// is repeated until `patience` has passed.
async fn read_settings(
    meter: &MeterAddress,
    access: &Access,
    description: String,
    patience: Duration,
) -> Result<Profile, ProfileError> {
    let start = Instant::now();
    loop {
        let mut client = ModbusClient::new(meter.modbus.clone(), access.modbus);
        let profile = capture(&mut client, description.clone()).await;
        client.disconnect().await;
        match profile {
            Err(ProfileError::Modbus(_)) if start.elapsed() < patience => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}
