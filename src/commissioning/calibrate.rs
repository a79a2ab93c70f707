//! The calibration wizard: sample a window, check the preconditions and
//! plan the new gain, then (after the user confirms) write it, save it,
//! read it back, measure again and give the error before and after.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::journal;
use super::pdf::{self, Block, Document, Table};
use super::report::ReportHeader;
use super::sampler::{SampleError, WindowOptions, sample_window};
use super::wiring_check::{FieldChange, field_changes};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::journal::Origin;
use je08_client::modbus::ModbusClient;
use je08_client::params::{ApplyOptions, ParamsError, apply_settings};
use je08_protocol::analysis::calibration::{
    CalibrationPlan, Preconditions, Quantity, Refusal, error_percent, plan,
};
use je08_protocol::analysis::stats::WindowStats;
use je08_protocol::analysis::wiring::Phase;
use je08_protocol::readings::{DeviceStatus, Snapshot};
use je08_protocol::registers::label;
use je08_protocol::validate::{WriteError, WritePlan};

/// What to calibrate and against what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationRequest {
    /// Phase.
    pub phase: Phase,
    /// Voltage or current.
    pub quantity: Quantity,
    /// The value read on the reference instrument (V or A, primary side).
    pub reference: f64,
    /// The sample window before and after.
    pub window: WindowOptions,
    /// Stability and load conditions.
    pub preconditions: Preconditions,
}

/// Why calibration stopped; said in words by its [`Describe`], which
/// says whether the gain was written.
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum CalibrateError {
    /// Sampling failed or was cancelled; nothing was written.
    Sample(SampleError),
    /// The preconditions are not met; nothing was written.
    #[from]
    Refused(Refusal),
    /// The planned gain failed validation; nothing was written.
    #[from]
    Invalid(WriteError),
    /// Writing, saving or reading back failed (the error says how far it got).
    #[from]
    Params(ParamsError),
    /// The gain was written and saved but the measurement afterwards failed.
    Remeasure(SampleError),
}

impl Describe for CalibrateError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Sample(err) => tr.f(Msg::NothingWritten, &[&err.describe(tr)]),
            Self::Refused(err) => tr.f(Msg::CalRefused, &[&err.describe(tr)]),
            Self::Invalid(err) => tr.f(Msg::CalInvalid, &[&err.describe(tr)]),
            Self::Params(err) => err.describe(tr),
            Self::Remeasure(err) => tr.f(Msg::CalRemeasure, &[&err.describe(tr)]),
        }
    }
}

je08_protocol::english_display!(errors: CalibrateError);

/// A checked plan with the reading it was based on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prepared {
    /// The meter (`HOST:PORT`).
    pub meter: String,
    /// The request.
    pub request: CalibrationRequest,
    /// The new gain and the error before.
    pub plan: CalibrationPlan,
    /// The last reading of the window.
    pub snapshot: Snapshot,
}

/// Sample a window and plan the calibration; refuses with a reason when the
/// preconditions are not met. Nothing is written.
pub async fn prepare(
    client: &mut ModbusClient,
    request: CalibrationRequest,
    progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<Prepared, CalibrateError> {
    let window = sample_window(client, request.window, progress, cancel)
        .await
        .map_err(CalibrateError::Sample)?;
    let plan = plan(
        request.phase,
        request.quantity,
        request.reference,
        &window.samples,
        &window.settings,
        &request.preconditions,
    )?;
    Ok(Prepared {
        meter: client.meter().to_string(),
        request,
        plan,
        snapshot: window.last,
    })
}

/// What a calibration did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationOutcome {
    /// The meter (`HOST:PORT`).
    pub meter: String,
    /// Identity and firmware of the meter.
    pub device: DeviceStatus,
    /// When the gain was written.
    pub at: DateTime<Utc>,
    /// The reference instrument as typed by the user.
    pub reference_instrument: Option<String>,
    /// The plan that was carried out (old and new gain, error before).
    pub plan: CalibrationPlan,
    /// The gain register, read back.
    pub field: Option<FieldChange>,
    /// The gain read back as written and was saved.
    pub written_ok: bool,
    /// The quantity measured again with the new gain.
    pub measured_after: WindowStats,
    /// Error against the reference after calibration, in per cent.
    pub error_after_percent: f64,
    /// The id of the activity journal's entry for this calibration.
    pub journal_entry: Option<String>,
}

/// Write the planned gain (write → SAVE_PARAMS → read back), measure again
/// and compute the error after; journal it (done, refused or failed) as
/// made by `origin`, the outcome citing its entry.
pub async fn execute(
    client: &mut ModbusClient,
    prepared: Prepared,
    reference_instrument: Option<String>,
    origin: Origin,
    progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<CalibrationOutcome, CalibrateError> {
    let address = prepared.meter.clone();
    let device_id = prepared.snapshot.device.id;
    let plan = prepared.plan.clone();
    let instrument = reference_instrument.clone();
    let result = write_and_remeasure(client, prepared, reference_instrument, progress, cancel).await;
    let made = journal::Calibration {
        address: &address,
        device_id,
        plan: &plan,
        instrument: instrument.as_deref(),
    };
    let entry_id = journal::calibration(origin, &made, &result);
    result.map(|o| CalibrationOutcome {
        journal_entry: Some(entry_id),
        ..o
    })
}

/// [`execute`] without the journal.
async fn write_and_remeasure(
    client: &mut ModbusClient,
    prepared: Prepared,
    reference_instrument: Option<String>,
    progress: impl FnMut(usize, usize) + Send,
    cancel: &CancellationToken,
) -> Result<CalibrationOutcome, CalibrateError> {
    let p = &prepared.plan;
    let write = WritePlan::new(&[(p.register, i64::from(p.new_gain))])?;
    let at = Utc::now();
    let outcome = apply_settings(client, &write, ApplyOptions::default()).await?;
    let field = field_changes(&outcome).into_iter().find(|f| f.addr == p.register);
    let after = sample_window(client, prepared.request.window, progress, cancel)
        .await
        .map_err(CalibrateError::Remeasure)?;
    let stats = WindowStats::of(after.samples.iter().map(|m| p.quantity.value(m, p.phase)))
        .ok_or(CalibrateError::Remeasure(SampleError::Cancelled))?;
    Ok(CalibrationOutcome {
        meter: prepared.meter,
        device: after.last.device.clone(),
        at,
        reference_instrument,
        written_ok: outcome.is_ok() && outcome.saved,
        error_after_percent: error_percent(stats.mean, p.reference),
        measured_after: stats,
        field,
        plan: prepared.plan,
        journal_entry: None,
    })
}

fn quantity_name(tr: Tr, q: Quantity) -> &'static str {
    tr.t(match q {
        Quantity::Voltage => Msg::CertVoltage,
        Quantity::Current => Msg::CertCurrent,
    })
}

/// The calibration certificate in `tr`'s language: who and where
/// (`header`), the meter, the reference instrument and value, the ruled
/// before/after table, the activity journal entry it cites and the
/// technician's and customer's signature lines. Register names, numbers
/// and units stay as they are.
pub fn certificate(tr: Tr, header: &ReportHeader, o: &CalibrationOutcome) -> Document {
    let p = &o.plan;
    let unit = p.quantity.unit();
    let title = tr.f(Msg::CertTitle, &[&o.device.id.to_string()]);
    let reg = label(p.register);
    let field = |m: Msg, v: String| vec![tr.t(m).to_string(), v];
    let not_given = || tr.t(Msg::CertNotGiven).to_string();
    let blocks = vec![
        Block::Title(title.clone()),
        Block::Fields(vec![
            (tr.t(Msg::RepSite).into(), header.site.clone()),
            (tr.t(Msg::RepPanel).into(), header.panel.clone()),
            (tr.t(Msg::RepCustomer).into(), header.customer.clone()),
            (tr.t(Msg::RepTechnician).into(), header.technician.clone()),
        ]),
        Block::Heading(tr.t(Msg::CertInstrumentHeading).into()),
        Block::Table(
            Table::new(
                vec![tr.t(Msg::RepField).into(), tr.t(Msg::RepValue).into()],
                vec![
                    field(Msg::CertMeterId, o.device.id.to_string()),
                    field(Msg::CertAddress, o.meter.clone()),
                    field(Msg::DocEspFirmware, o.device.esp_version.to_string()),
                    field(Msg::DocStmFirmware, o.device.stm32_version.to_string()),
                    field(Msg::CertDateTime, o.at.format("%Y-%m-%d %H:%M:%S").to_string()),
                    field(
                        Msg::CertReferenceInstrument,
                        o.reference_instrument.clone().unwrap_or_else(not_given),
                    ),
                    field(
                        Msg::CertCalibrated,
                        tr.f(
                            Msg::CertWhat,
                            &[&p.phase.to_string(), quantity_name(tr, p.quantity)],
                        ),
                    ),
                    field(Msg::CertReferenceValue, format!("{:.3} {unit}", p.reference)),
                ],
            )
            .widths(&[1.0, 2.0]),
        ),
        Block::Heading(tr.t(Msg::CertBeforeAfter).into()),
        Block::Table(
            Table::new(
                vec![
                    String::new(),
                    tr.f(Msg::CertGain, &[&reg]),
                    tr.f(Msg::CertReading, &[unit]),
                    tr.t(Msg::CertSpread).into(),
                    tr.t(Msg::CertSamples).into(),
                    tr.t(Msg::CertError).into(),
                ],
                vec![
                    vec![
                        tr.t(Msg::CertBefore).into(),
                        p.old_gain.to_string(),
                        format!("{:.3}", p.measured.mean),
                        format!("{:.3} %", 100.0 * p.measured.relative_spread()),
                        p.measured.count.to_string(),
                        format!("{:+.3} %", p.error_before_percent),
                    ],
                    vec![
                        tr.t(Msg::CertAfter).into(),
                        o.field
                            .as_ref()
                            .map_or_else(|| p.new_gain.to_string(), |f| f.read_back.to_string()),
                        format!("{:.3}", o.measured_after.mean),
                        format!("{:.3} %", 100.0 * o.measured_after.relative_spread()),
                        o.measured_after.count.to_string(),
                        format!("{:+.3} %", o.error_after_percent),
                    ],
                ],
            )
            .widths(&[50.0, 150.0, 80.0, 70.0, 60.0, 85.0]),
        ),
        Block::Text(
            tr.t(if o.written_ok {
                Msg::CertWrittenOk
            } else {
                Msg::CertNotWritten
            })
            .into(),
        ),
        Block::Heading(tr.t(Msg::CertJournalEntry).into()),
        Block::Text(match &o.journal_entry {
            Some(id) => tr.f(Msg::CertJournalCited, &[id]),
            None => tr.t(Msg::CertJournalNone).into(),
        }),
        Block::Heading(tr.t(Msg::RepAcceptance).into()),
        header.signature_block(tr),
    ];
    Document {
        title,
        language: pdf::language(tr).into(),
        page_of: tr.t(Msg::DocPageOf).into(),
        blocks,
    }
}
