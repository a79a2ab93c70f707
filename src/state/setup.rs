//! The "Set up new meters" wizard's state, without egui: the answers given
//! once for the whole batch, the stage of the meter in hand, and the batch
//! table. It turns the person's clicks into backend commands and folds the
//! backend's updates in.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Local;

use super::config_forms::PasswordText;
use crate::backend::provisioning::{Request, Update};
use crate::backend::secrets::Storage;
use crate::backend::{Command, JobId};
use crate::commissioning::provision::{
    Addressing, BatchRow, FACTORY_AP, Finder, Joined, Plan, ProvisionError, StaticIp, Step, expand_name,
    result_text,
};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::discovery::mdns::MdnsInterface;
use je08_client::endpoint::Endpoint;
use je08_protocol::discovery::ScanRange;
use je08_protocol::http_api::{DEFAULT_HTTP_PORT, FACTORY_PASSWORD, Info, Secret};

/// The answers given once for the whole batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupForm {
    /// The meter's address on its own network (`192.168.1.1`).
    pub ap: String,
    /// Plant Wi-Fi network.
    pub ssid: String,
    /// Its password (memory only unless remembered in the keychain).
    pub wifi_password: PasswordText,
    /// Remember the Wi-Fi password in the system keychain.
    pub remember: bool,
    /// Static addresses instead of DHCP.
    pub static_on: bool,
    /// The first meter's static address, `IP/PREFIX`; the next count up.
    pub static_first: String,
    /// Default gateway of the static addresses.
    pub gateway: String,
    /// DNS server of the static addresses.
    pub dns: String,
    /// Meter name template (`{n}`, `{id}`); empty keeps the meter's name.
    pub name_template: String,
    /// A profile applied to each meter once it has joined.
    pub profile: Option<PathBuf>,
    /// New interface password (empty: the factory one stays).
    pub new_password: PasswordText,
    /// A range scanned to find the meter on the plant network.
    pub scan: String,
    /// How long to look for it there, in seconds.
    pub wait_s: u64,
}

impl Default for SetupForm {
    fn default() -> Self {
        Self {
            ap: FACTORY_AP.to_owned(),
            ssid: String::new(),
            wifi_password: PasswordText::default(),
            remember: false,
            static_on: false,
            static_first: String::new(),
            gateway: String::new(),
            dns: String::new(),
            name_template: "QGBT-{n}".to_owned(),
            profile: None,
            new_password: PasswordText::default(),
            scan: String::new(),
            wait_s: 120,
        }
    }
}

/// Where the meter in hand is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Stage {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Asking its access point until it answers.
    Looking {
        /// The job.
        job: JobId,
        /// Why the last try failed.
        last: Option<ProvisionError>,
    },
    /// A meter answers on its access point.
    Found(Box<Info>),
    /// Being set up.
    Running {
        /// The job.
        job: JobId,
        /// The meter.
        info: Box<Info>,
        /// Its name on the plant network.
        name: String,
        /// The step under way.
        step: Step,
        /// When it started.
        started: Instant,
    },
    /// It joined the plant network.
    Joined(Joined),
    /// It did not; why.
    Failed(ProvisionError),
}

/// The wizard.
#[derive(Debug, Default)]
pub struct SetupState {
    /// The batch's answers.
    pub form: SetupForm,
    /// Place in the batch of the meter in hand (1, 2, …).
    pub n: u32,
    /// Where the meter in hand is.
    pub stage: Stage,
    /// Every meter of this session's batch.
    pub rows: Vec<BatchRow>,
    /// Why the last click could not start anything, said as typed.
    pub problem: Option<String>,
    /// Where the table was saved, or why not.
    pub saved: Option<Result<PathBuf, String>>,
    /// Where the plant Wi-Fi password was last stored or found.
    pub storage: Option<Storage>,
}

impl SetupState {
    /// The meter in hand's place in the batch (1 before the first).
    pub fn place(&self) -> u32 {
        self.n.max(1)
    }

    /// The job running now, if any.
    pub fn job(&self) -> Option<JobId> {
        match &self.stage {
            Stage::Looking { job, .. } | Stage::Running { job, .. } => Some(*job),
            _ => None,
        }
    }

    /// Start looking for a meter on its access point as job `job`.
    pub fn look(&mut self, job: JobId, tr: Tr) -> Option<Command> {
        self.problem = None;
        match Endpoint::parse(&self.form.ap, DEFAULT_HTTP_PORT) {
            Ok(ap) => {
                self.stage = Stage::Looking { job, last: None };
                Some(Command::Provision(Request::Look { job, ap }))
            }
            Err(e) => {
                self.problem = Some(tr.f(Msg::SetupBadAp, &[&e.describe(tr)]));
                None
            }
        }
    }

    /// The meter in hand is put aside: the next one is looked for.
    pub fn next(&mut self, job: JobId, tr: Tr) -> Option<Command> {
        self.n = self.place() + 1;
        self.look(job, tr)
    }

    /// The name the meter found would get.
    pub fn name_for(&self, info: &Info) -> String {
        match self.form.name_template.trim() {
            "" => info.name.clone(),
            template => expand_name(template, self.place(), info.id),
        }
    }

    /// The keychain account of the plant Wi-Fi password.
    pub fn account(&self) -> String {
        format!("wifi:{}", self.form.ssid.trim())
    }

    /// Set up the meter found, as job `job`: the command, and the command
    /// storing the Wi-Fi password in the keychain when asked; `None` when
    /// the answers are not complete (said in [`Self::problem`]).
    pub fn start(&mut self, job: JobId, mdns: Option<Vec<MdnsInterface>>, tr: Tr) -> Option<Vec<Command>> {
        let Stage::Found(info) = &self.stage else {
            return None;
        };
        let info = info.clone();
        let plan = match self.plan(mdns, tr) {
            Ok(plan) => plan,
            Err(problem) => {
                self.problem = Some(problem);
                return None;
            }
        };
        self.problem = None;
        let name = plan.name.clone().unwrap_or_else(|| info.name.clone());
        let mut commands = Vec::new();
        if self.form.remember {
            commands.push(Command::StoreSecret {
                account: self.account(),
                secret: plan.wifi_password.clone(),
                remember: true,
            });
        }
        commands.push(Command::Provision(Request::Run {
            job,
            plan: Box::new(plan),
            profile: self.form.profile.clone(),
            info: info.clone(),
        }));
        self.stage = Stage::Running {
            job,
            info,
            name,
            step: Step::EnterConfiguration,
            started: Instant::now(),
        };
        Some(commands)
    }

    /// The plan for the meter in hand, or what is missing, in words.
    fn plan(&self, mdns: Option<Vec<MdnsInterface>>, tr: Tr) -> Result<Plan, String> {
        let f = &self.form;
        let Stage::Found(info) = &self.stage else {
            return Err(String::new());
        };
        if f.ssid.trim().is_empty() {
            return Err(tr.t(Msg::SetupNoSsid).to_owned());
        }
        let Some(wifi_password) = f.wifi_password.secret() else {
            return Err(tr.t(Msg::SetupNoWifiPassword).to_owned());
        };
        let ap = Endpoint::parse(&f.ap, DEFAULT_HTTP_PORT)
            .map_err(|e| tr.f(Msg::SetupBadAp, &[&e.describe(tr)]))?;
        let addressing = if f.static_on {
            let bad = |e: String| tr.f(Msg::SetupBadStatic, &[&e]);
            let first: StaticIp = f.static_first.parse().map_err(bad)?;
            let ip = first
                .nth(self.place() - 1)
                .ok_or_else(|| tr.f(Msg::SetupStaticOverflow, &[&self.place().to_string()]))?;
            let gateway = f
                .gateway
                .trim()
                .parse()
                .map_err(|e| bad(format!("{}: {e}", f.gateway)))?;
            let dns = f.dns.trim().parse().map_err(|e| bad(format!("{}: {e}", f.dns)))?;
            Addressing::Static { ip, gateway, dns }
        } else {
            Addressing::Dhcp
        };
        let scan = match f.scan.trim() {
            "" => None,
            range => Some(
                range
                    .parse::<ScanRange>()
                    .map_err(|e| tr.f(Msg::SetupBadRange, &[&e.to_string()]))?,
            ),
        };
        if mdns.is_none() && scan.is_none() {
            return Err(tr.t(Msg::SetupNoFinder).to_owned());
        }
        let name = (!f.name_template.trim().is_empty()).then(|| self.name_for(info));
        Ok(Plan {
            ap,
            ssid: f.ssid.trim().to_owned(),
            wifi_password,
            addressing,
            name,
            new_password: f
                .new_password
                .secret()
                .unwrap_or_else(|| Secret::new(FACTORY_PASSWORD)),
            profile: None,
            find: Finder { mdns, scan },
            wait: Duration::from_secs(f.wait_s.max(5)),
            http_timeout: Duration::from_secs(10),
            origin: je08_client::journal::Origin::Window,
        })
    }

    /// Fold a backend update in; a meter that joined is returned, for the
    /// meters list.
    pub fn update(&mut self, update: Update) -> Option<Joined> {
        match update {
            Update::NotYet { job, why } => {
                if let Stage::Looking { job: j, last } = &mut self.stage
                    && *j == job
                {
                    *last = Some(why);
                }
            }
            Update::Found { job, info } => {
                if self.job() == Some(job) {
                    self.n = self.place();
                    self.stage = Stage::Found(info);
                }
            }
            Update::Step { job, step } => {
                if let Stage::Running { job: j, step: s, .. } = &mut self.stage
                    && *j == job
                {
                    *s = step;
                }
            }
            Update::Done { job, result } => return self.done(job, result),
            Update::ProfilePicked(path) => {
                if path.is_some() {
                    self.form.profile = path;
                }
            }
            Update::Saved(saved) => {
                self.saved = match saved {
                    Ok(path) => Some(Ok(path)),
                    Err(Some(why)) => Some(Err(why)),
                    Err(None) => None,
                }
            }
        }
        None
    }

    fn done(&mut self, job: JobId, result: Result<Joined, ProvisionError>) -> Option<Joined> {
        let Stage::Running {
            job: j,
            info,
            name,
            started,
            ..
        } = &self.stage
        else {
            return None;
        };
        if *j != job {
            return None;
        }
        let mut row = BatchRow {
            n: self.place(),
            id: info.id,
            name: name.clone(),
            address: None,
            result: Ok(()),
            at: Local::now(),
            took: started.elapsed(),
        };
        match result {
            Ok(joined) => {
                row.address = Some(joined.modbus);
                row.name = joined.name.clone();
                self.rows.push(row);
                self.stage = Stage::Joined(joined.clone());
                Some(joined)
            }
            Err(why) => {
                row.result = Err(why.clone());
                self.rows.push(row);
                self.stage = Stage::Failed(why);
                None
            }
        }
    }

    /// A secret stored or looked up: the plant Wi-Fi password, when it is
    /// this batch's account.
    pub fn secret_event(&mut self, account: &str, secret: Option<Secret>, storage: Storage) {
        if account != self.account() {
            return;
        }
        if let Some(secret) = secret {
            self.form.wifi_password = PasswordText(secret.expose().to_owned());
        }
        self.storage = Some(storage);
    }

    /// The batch table as CSV, headers and results in `tr`'s language.
    pub fn csv(&self, tr: Tr) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = [
            "#".to_owned(),
            "id".to_owned(),
            tr.t(Msg::Name).to_owned(),
            tr.t(Msg::SetupNewAddress).to_owned(),
            tr.t(Msg::Result).to_owned(),
            tr.t(Msg::SetupTime).to_owned(),
            format!("{} (s)", tr.t(Msg::SetupTook)),
        ];
        // Writing to a Vec cannot fail.
        let _ = out.write_record(&header);
        for row in &self.rows {
            let _ = out.write_record([
                row.n.to_string(),
                row.id.to_string(),
                row.name.clone(),
                row.address.map(|a| a.to_string()).unwrap_or_default(),
                result_text(row, tr),
                row.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                format!("{:.1}", row.took.as_secs_f64()),
            ]);
        }
        String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}
