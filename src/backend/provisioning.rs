//! The window's "Set up new meters" jobs: look for a meter on its access
//! point until one answers, run [`crate::commissioning::provision`] on it
//! with each step reported, pick the batch's profile, and save the batch
//! table as CSV. Every job
//! ends with one [`Update`]; cancelling goes through the dispatcher's job
//! tokens like every other job.

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Event, EventSink, JobId};
use crate::commissioning::profile::{Profile, ProfileError};
use crate::commissioning::provision::{self, Joined, Plan, ProvisionError, Step};
use je08_client::endpoint::Endpoint;
use je08_protocol::http_api::Info;

/// How long one try at the access point may take.
const TRY_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause between two tries at the access point.
const TRY_EVERY: Duration = Duration::from_millis(1500);

/// A provisioning request from the window.
#[derive(Debug)]
pub enum Request {
    /// Ask the access point at `ap` again and again until a meter answers.
    Look {
        /// Job to report on (cancel it to stop looking).
        job: JobId,
        /// The meter's address on its own network.
        ap: Endpoint,
    },
    /// Take the meter found there onto the plant network.
    Run {
        /// Job to report on.
        job: JobId,
        /// The plan, without its profile.
        plan: Box<Plan>,
        /// The profile file to load and apply, if any.
        profile: Option<PathBuf>,
        /// What the access point said.
        info: Box<Info>,
    },
    /// Ask for the profile file the batch applies.
    PickProfile,
    /// Ask where to save the batch table, then write it.
    SaveCsv {
        /// The table, as CSV text.
        csv: String,
    },
}

impl Request {
    /// The job this request reports on (saving has none).
    pub fn job(&self) -> Option<JobId> {
        match self {
            Self::Look { job, .. } | Self::Run { job, .. } => Some(*job),
            Self::PickProfile | Self::SaveCsv { .. } => None,
        }
    }
}

/// What a provisioning job tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A try at the access point failed; still looking.
    NotYet {
        /// The job.
        job: JobId,
        /// Why it did not answer.
        why: ProvisionError,
    },
    /// A meter answers on the access point; looking stopped.
    Found {
        /// The job.
        job: JobId,
        /// What it said.
        info: Box<Info>,
    },
    /// A step started.
    Step {
        /// The job.
        job: JobId,
        /// Which.
        step: Step,
    },
    /// The meter joined, or why not.
    Done {
        /// The job.
        job: JobId,
        /// The outcome.
        result: Result<Joined, ProvisionError>,
    },
    /// A profile file was chosen (`None`: the dialog was dismissed).
    ProfilePicked(Option<PathBuf>),
    /// The batch table was saved (its file), or not (why; `None`: the
    /// dialog was dismissed).
    Saved(Result<PathBuf, Option<String>>),
}

/// Start `request` on the current runtime; `cancel` is its job's token.
pub fn start(request: Request, sink: EventSink, cancel: CancellationToken) {
    tokio::spawn(async move {
        match request {
            Request::Look { job, ap } => look(job, ap, &sink, &cancel).await,
            Request::Run {
                job,
                mut plan,
                profile,
                info,
            } => {
                let result = match load_profile(profile).await {
                    Ok(profile) => {
                        plan.profile = profile;
                        let step = {
                            let sink = sink.clone();
                            move |step| sink.send(Event::Provision(Update::Step { job, step }))
                        };
                        provision::run_journaled(&plan, &info, &step, &cancel).await
                    }
                    Err(why) => Err(why),
                };
                sink.send(Event::Provision(Update::Done { job, result }));
            }
            Request::PickProfile => {
                let path = tokio::task::spawn_blocking(|| {
                    rfd::FileDialog::new().add_filter("TOML", &["toml"]).pick_file()
                })
                .await
                .ok()
                .flatten();
                sink.send(Event::Provision(Update::ProfilePicked(path)));
            }
            Request::SaveCsv { csv } => save_csv(csv, &sink).await,
        }
    });
}

/// Try the access point until a meter answers or the job is cancelled.
async fn look(job: JobId, ap: Endpoint, sink: &EventSink, cancel: &CancellationToken) {
    loop {
        let tried = cancel
            .run_until_cancelled(provision::reach(&ap, TRY_TIMEOUT))
            .await;
        match tried {
            None => return,
            Some(Ok(info)) => {
                let info = Box::new(info);
                return sink.send(Event::Provision(Update::Found { job, info }));
            }
            Some(Err(why)) => sink.send(Event::Provision(Update::NotYet { job, why })),
        }
        if cancel
            .run_until_cancelled(tokio::time::sleep(TRY_EVERY))
            .await
            .is_none()
        {
            return;
        }
    }
}

/// Read the profile file off the runtime's threads.
async fn load_profile(path: Option<PathBuf>) -> Result<Option<Profile>, ProvisionError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || Profile::load(&path))
        .await
        .unwrap_or_else(|e| {
            Err(ProfileError::Read {
                path: shown,
                detail: e.to_string(),
            })
        })
        .map(Some)
        .map_err(|e| ProvisionError::ProfileFile(Box::new(e)))
}

/// Ask for a file (never on the UI thread) and write `csv` there whole.
async fn save_csv(csv: String, sink: &EventSink) {
    let saved = tokio::task::spawn_blocking(move || {
        let path = rfd::FileDialog::new()
            .add_filter("CSV", &["csv"])
            .set_file_name("new-meters.csv")
            .save_file()
            .ok_or(None)?;
        je08_client::store::atomic::write_atomically(&path, csv.as_bytes())
            .map_err(|e| Some(format!("{}: {e}", path.display())))?;
        Ok(path)
    })
    .await
    .unwrap_or_else(|e| Err(Some(e.to_string())));
    sink.send(Event::Provision(Update::Saved(saved)));
}
