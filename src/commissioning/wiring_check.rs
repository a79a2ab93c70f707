//! The wiring check over a live window and its one-click register fix.

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::sampler::{SampleError, SampleWindow, WindowOptions, sample_window};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::modbus::ModbusClient;
use je08_client::params::{ApplyOptions, ParamsError, SettingsOutcome, apply_settings};
use je08_protocol::analysis::wiring::{Expectation, WiringReport, check};
use je08_protocol::readings::{Settings, Snapshot};
use je08_protocol::registers::label;
use je08_protocol::validate::{WriteError, WritePlan};

/// One wiring check of one meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WiringCheck {
    /// The meter (`HOST:PORT`).
    pub meter: String,
    /// The verdicts.
    pub report: WiringReport,
    /// The settings in force while sampling.
    pub settings: Settings,
    /// The last reading of the window.
    pub snapshot: Snapshot,
}

/// Sample a window and run the wiring check on it.
pub async fn run_check(
    client: &mut ModbusClient,
    window: WindowOptions,
    expect: &Expectation,
    progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<WiringCheck, SampleError> {
    let SampleWindow {
        samples,
        settings,
        last,
    } = sample_window(client, window, progress, cancel).await?;
    Ok(WiringCheck {
        meter: client.meter().to_string(),
        report: check(&samples, &settings, expect),
        settings,
        snapshot: last,
    })
}

/// One settings register before and after a change, for people and JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Register address.
    pub addr: u16,
    /// Register name.
    pub name: String,
    /// Value before.
    pub before: u16,
    /// Value requested, if any.
    pub wanted: Option<u16>,
    /// Value read back afterwards.
    pub read_back: u16,
}

impl FieldChange {
    /// The requested value (if any) reads back.
    pub fn ok(&self) -> bool {
        self.wanted.is_none_or(|w| w == self.read_back)
    }
}

/// The requested or changed fields of a settings change.
pub fn field_changes(outcome: &SettingsOutcome) -> Vec<FieldChange> {
    outcome
        .relevant()
        .map(|f| FieldChange {
            addr: f.addr,
            name: label(f.addr),
            before: f.before,
            wanted: f.wanted,
            read_back: f.read_back,
        })
        .collect()
}

/// What the one-click fix did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixOutcome {
    /// The check that proposed the fix.
    pub before: WiringCheck,
    /// Registers written, read back.
    pub fields: Vec<FieldChange>,
    /// Every written value read back as written and was saved.
    pub written_ok: bool,
    /// The check after the fix.
    pub after: WiringCheck,
}

/// Why the fix could not be applied; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum FixError {
    /// The report proposes no register fix; nothing was written.
    NothingToFix,
    /// The proposed values were refused by validation; nothing was written.
    #[from]
    Invalid(WriteError),
    /// Writing, saving or reading back failed (the error says how far it got).
    #[from]
    Params(ParamsError),
    /// The fix was written but the re-check could not sample.
    Recheck(SampleError),
}

impl Describe for FixError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NothingToFix => tr.t(Msg::FixNothingToFix).to_owned(),
            Self::Invalid(err) => tr.f(Msg::FixInvalid, &[&err.describe(tr)]),
            Self::Params(err) => err.describe(tr),
            Self::Recheck(err) => tr.f(Msg::FixRecheck, &[&err.describe(tr)]),
        }
    }
}

je08_protocol::english_display!(errors: FixError);

/// Apply the register fix of `before` (write → SAVE_PARAMS → read back),
/// journal it as made by `origin`, and run the check again on a fresh window.
pub async fn apply_fix(
    client: &mut ModbusClient,
    origin: je08_client::journal::Origin,
    before: WiringCheck,
    window: WindowOptions,
    expect: &Expectation,
    progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<FixOutcome, FixError> {
    let writes = before.report.register_fix();
    if writes.is_empty() {
        return Err(FixError::NothingToFix);
    }
    let requested: Vec<(u16, i64)> = writes.iter().map(|&(a, v)| (a, i64::from(v))).collect();
    let plan = WritePlan::new(&requested)?;
    let outcome = apply_settings(client, &plan, ApplyOptions::default()).await;
    let asked = format!("wiring fix: {}", super::journal::asked_settings(&plan, false));
    super::journal::settings(origin, &client.meter().to_string(), &asked, &outcome);
    let outcome = outcome?;
    let after = run_check(client, window, expect, progress, cancel)
        .await
        .map_err(FixError::Recheck)?;
    Ok(FixOutcome {
        before,
        fields: field_changes(&outcome),
        written_ok: outcome.is_ok() && outcome.saved,
        after,
    })
}
