//! The application shell: top bar, meters list, the selected page, the
//! confirmation dialog. Drains backend events at the top of each frame,
//! collects user intents while drawing and applies them afterwards.

use std::collections::HashMap;
use std::time::Duration;

use eframe::egui;

use super::{batch, help_ui, journal_ui, meter_page, meters_list, mqtt, setup_wizard};
use crate::backend::link::EnergyKind;
use crate::backend::web::{WebJob, WebTarget};
use crate::backend::{Backend, Command, Event, FilePurpose, MeterKey, Slot};
use crate::i18n::{Describe, Lang, Msg, Tr};
use crate::state::commission::CommishState;
use crate::state::configuration::ConfigState;
use crate::state::discovered::{self, DiscoveryState};
use crate::state::exports::ExportState;
use crate::state::firmware::FirmwareState;
use crate::state::intent::{Action, Confirm, SetupIntent, SupportIntent};
use crate::state::live::LiveState;
use crate::state::model::{JobKind, MeterRow, Model, WebKind};
use crate::state::mqtt::MqttState;
use crate::state::navigation::{Page, Tab};
use crate::state::prefs::Prefs;
use crate::state::remembered::Remembered;
use crate::state::view::ViewState;
use crate::state::whereabouts;
use je08_client::discovery::Source;
use je08_client::store::meters::MeterStore;
use je08_protocol::http_api::Secret;
use je08_protocol::mode::Mode;
use je08_protocol::mqtt::Command as MqttCommand;

/// The configurator window.
pub struct ConfiguratorApp {
    backend: Backend,
    /// Meters and jobs.
    pub model: Model,
    /// UI state.
    pub view: ViewState,
    prefs: Prefs,
    remembered: Remembered,
    frames: u64,
    launched: Option<std::time::Instant>,
}

impl ConfiguratorApp {
    /// Build the app around a started backend, restoring `prefs`.
    pub fn new(backend: Backend, prefs: Prefs) -> Self {
        let lang = prefs.lang.unwrap_or_else(crate::i18n::os_lang);
        let mut view = ViewState {
            lang,
            selected: None,
            page: Page::Meter,
            tab: Tab::Live,
            add_address: String::new(),
            live: LiveState::new(prefs.plot_window_s),
            params: HashMap::new(),
            config: ConfigState::default(),
            firmware: FirmwareState::default(),
            commish: CommishState::default(),
            mqtt: MqttState::new(&prefs.broker_url),
            discovery: DiscoveryState::default(),
            setup: Default::default(),
            support: Default::default(),
            history: HashMap::new(),
            journal: Default::default(),
            exports: ExportState {
                format: prefs.export_format,
                ..ExportState::default()
            },
            edit: None,
            confirm: None,
            notice: None,
        };
        view.commish.batch.report.header = prefs.report_header.clone();
        let mut app = Self {
            backend,
            model: Model::default(),
            view,
            prefs,
            remembered: Remembered::default(),
            frames: 0,
            launched: None,
        };
        for saved in app.prefs.meters.clone() {
            let key = app.add_meter(saved.address.clone(), Source::Remembered);
            app.remembered.restore(key, &saved);
            if let Some(m) = app.model.meter_mut(key) {
                m.name = saved.name;
                m.notes = saved.notes;
                m.endpoints = saved.endpoints;
            }
        }
        app
    }

    /// Keep the names and notes given to meters in `store` (the file `je08
    /// discover` reads), taking in those the preferences held.
    pub fn with_store(mut self, store: MeterStore) -> Self {
        self.remembered.set_store(store);
        self.remembered.sync(&mut self.model);
        self
    }

    /// Add (or find) a meter and start its session; returns its key.
    pub fn add_meter(&mut self, address: String, source: Source) -> MeterKey {
        let address = address.trim().to_string();
        if let Some(key) = self.model.find_address(&address) {
            if let Some(m) = self.model.meter_mut(key) {
                m.sources.insert(source);
            }
            self.open_session(key);
            return key;
        }
        let key = self.model.new_key();
        let slot = self.slot();
        let mut entry = MeterRow::new(key, address.clone(), String::new(), source);
        // Refused ("busy"), the row is listed without a session; selecting
        // it tries again.
        entry.session = slot.is_some();
        self.model.meters.push(entry);
        if let Some(slot) = slot {
            slot.send(Command::Connect { meter: key, address });
        }
        if self.view.selected.is_none() {
            self.view.selected = Some(key);
        }
        key
    }

    /// Open the Modbus session of a row that has none, if it can have one
    /// (a discovered meter in application mode with a Modbus port).
    fn open_session(&mut self, key: MeterKey) {
        let Some(meter) = self.model.meter(key) else {
            return;
        };
        let address = if meter.session {
            return;
        } else if let Some(target) = discovered::connect_target(meter) {
            target
        } else if meter.sources.contains(&Source::Manual) && !meter.address.is_empty() {
            meter.address.clone()
        } else {
            return;
        };
        let Some(slot) = self.slot() else {
            return;
        };
        if let Some(meter) = self.model.meter_mut(key) {
            meter.session = true;
            meter.address = address.clone();
        }
        slot.send(Command::Connect { meter: key, address });
    }

    /// Browse mDNS on `interfaces` (empty: every interface); `None` stops.
    pub fn browse_mdns(&mut self, interfaces: Option<Vec<je08_client::discovery::mdns::MdnsInterface>>) {
        self.send(Command::Discovery(crate::backend::discovery::Request::Mdns(
            interfaces,
        )));
    }

    /// Remember when the process asked for the window, to log the time to
    /// the first frame.
    pub fn set_launch_time(&mut self, at: std::time::Instant) {
        self.launched = Some(at);
    }

    /// Point the MQTT view at `url` and connect (no credentials); a URL
    /// that is not a broker's is said in the view instead.
    pub fn connect_broker(&mut self, url: String) {
        self.view.mqtt.form.url = url;
        if let Some(command) = self.view.mqtt.connect_command()
            && let Some(slot) = self.slot()
        {
            self.view.mqtt.active = true;
            slot.send(command);
        }
    }

    /// Frames drawn so far (for idle tests and benchmarks).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The translator for the current language.
    pub fn tr(&self) -> Tr {
        Tr(self.view.lang)
    }

    /// Preferences as they would be saved now.
    pub fn prefs(&self) -> Prefs {
        let mut prefs = self.prefs.clone();
        prefs.plot_window_s = self.view.live.window_s;
        prefs.broker_url = self.view.mqtt.form.url_to_remember();
        prefs.report_header = self.view.commish.batch.report.header.clone();
        prefs.export_format = self.view.exports.format;
        prefs.meters = self
            .model
            .meters
            .iter()
            .filter(|m| {
                let mine = m.sources.contains(&Source::Manual) || m.sources.contains(&Source::Remembered);
                !m.sources.contains(&Source::Demo)
                    && !m.address.is_empty()
                    && (mine || !m.name.is_empty() || !m.notes.is_empty())
            })
            .map(|m| self.remembered.saved(m))
            .collect();
        prefs
    }

    /// Take a place in the command queue before recording what a command
    /// starts; when the queue is full, say "busy" and return `None` (the
    /// caller then records nothing, so no job is left waiting for ever).
    fn slot(&mut self) -> Option<Slot> {
        let slot = self.backend.reserve().ok();
        if slot.is_none() {
            self.view.notice = Some(self.tr().t(Msg::Busy).to_string());
        }
        slot
    }

    /// Queue a command that starts nothing the window records.
    fn send(&mut self, command: Command) {
        if let Some(slot) = self.slot() {
            slot.send(command);
        }
    }

    /// Hand the names and notes changed here to the backend to save; a
    /// full queue leaves them for the next frame.
    fn save_remembered(&mut self) {
        while self.remembered.has_unsaved() {
            let Ok(slot) = self.backend.reserve() else {
                return;
            };
            if let Some(command) = self.remembered.take_save() {
                slot.send(command);
            }
        }
    }

    /// Take backend events into the model (also runs while the window is hidden).
    pub fn drain_events(&mut self) {
        for event in self.backend.drain() {
            match event {
                Event::FilePicked { purpose, path } => match purpose {
                    FilePurpose::Firmware => {
                        if let Some(path) = path
                            && let Some(slot) = self.slot()
                        {
                            self.view.firmware.picked(path.clone());
                            slot.send(Command::CheckFirmware { path });
                        }
                    }
                    FilePurpose::BrokerCa | FilePurpose::BrokerCert | FilePurpose::BrokerKey => {
                        self.view.mqtt.picked(purpose, path)
                    }
                    other => {
                        self.view.config.picked(other, path);
                        if let Some(command) = self.view.config.check_command() {
                            self.send(command);
                        }
                    }
                },
                Event::FirmwareChecked { path, report } => self.view.firmware.checked(path, report),
                Event::CertsChecked(report) => self.view.config.report = Some(report),
                Event::Mqtt(update) => self.view.mqtt.fleet = Some(update),
                Event::MqttFailed(why) => self.view.mqtt.failure = Some(why),
                Event::Progress { job, fraction } => {
                    self.view.commish.progress(job, fraction);
                    self.model.apply(Event::Progress { job, fraction });
                }
                Event::Stage { job, stage } => {
                    self.model.apply(Event::Stage { job, stage });
                }
                event @ (Event::Registers { .. } | Event::Traffic { .. }) => {
                    self.model.apply(event);
                }
                Event::Commissioning(update) => {
                    if let Some(intent) = self.view.commish.update(update) {
                        self.apply(Action::Commission(intent));
                    }
                }
                Event::Discovery(update) => {
                    if !self.view.discovery.update(&update) {
                        self.discovery_update(update);
                    }
                }
                Event::History(crate::backend::history::Update::Loaded { meter, entries }) => {
                    self.view.history.insert(meter, entries);
                }
                Event::Export(update) => {
                    if let Some(path) = self.view.exports.update(update) {
                        self.apply(Action::ExportTo(path));
                    }
                }
                Event::Journal(found) => self.view.journal.update(found),
                Event::Support(update) => self.view.support.update(update),
                Event::Provision(update) => {
                    if let Some(joined) = self.view.setup.update(update) {
                        self.add_joined(joined);
                    }
                }
                Event::Link { meter, state } => {
                    let was_offline = self
                        .model
                        .meter(meter)
                        .is_none_or(|m| matches!(m.link, crate::backend::LinkState::Offline(_)));
                    let offline = matches!(state, crate::backend::LinkState::Offline(_));
                    self.model.apply(Event::Link { meter, state });
                    if offline
                        && !was_offline
                        && let Some(probe) = self.model.meter(meter).and_then(discovered::offline_probe)
                    {
                        self.send(probe);
                    }
                }
                Event::Reading { meter, snapshot, at } => {
                    self.model.apply(Event::Reading { meter, snapshot, at });
                    if let Some(gone) = discovered::absorb_duplicate(&mut self.model, meter)
                        && self.view.selected == Some(gone)
                    {
                        self.view.selected = Some(meter);
                    }
                }
                Event::Finished { job, outcome } => {
                    self.view.commish.finished(job, &outcome);
                    self.view.mqtt.finished(job, &outcome);
                    self.view.discovery.finished(job, &outcome);
                    let follow = match self.model.jobs.get(&job) {
                        Some(j) if matches!(j.kind, JobKind::Web(_)) => self
                            .view
                            .config
                            .finished(j.meter, &outcome)
                            .map(|work| (j.meter, work)),
                        _ => None,
                    };
                    let on = self.model.jobs.get(&job).map(|j| j.meter);
                    self.model.apply(Event::Finished { job, outcome });
                    if self.view.tab == Tab::History && on.is_some() && on == self.view.selected {
                        self.reload_history();
                    }
                    if let Some((meter, work)) = follow {
                        self.start_web(meter, work);
                    }
                }
                Event::RememberFailed(why) => self.view.notice = Some(why.describe(self.tr())),
                Event::Secret {
                    account,
                    secret,
                    storage,
                } => {
                    self.view
                        .setup
                        .secret_event(&account, secret.clone(), storage.clone());
                    self.view
                        .mqtt
                        .secret_event(&account, secret.clone(), storage.clone());
                    if let Some(meter) = self.view.config.secret_event(&account, secret, storage) {
                        self.start_web(meter, WebJob::Read);
                    }
                }
            }
        }
        self.remembered.sync(&mut self.model);
        self.save_remembered();
    }

    fn discovery_update(&mut self, update: crate::backend::discovery::Update) {
        use crate::backend::discovery::Update;
        match update {
            Update::Meters(entries) => {
                for command in discovered::merge(&mut self.model, entries) {
                    self.send(command);
                }
            }
            Update::Info { meter, at, result } => {
                if let Some(row) = self.model.meter_mut(meter) {
                    row.take_probe(at, result);
                }
            }
            Update::MoveChecked {
                meter,
                modbus,
                result,
            } => {
                if let Some(command) = whereabouts::checked(&mut self.model, meter, modbus, result) {
                    self.send(command);
                }
            }
            Update::Forgotten(ids) => whereabouts::forgotten(&mut self.model, &ids),
            Update::Mdns(_) | Update::Scanned { .. } => {}
        }
    }

    /// Draw one whole frame into `ui`: drain, draw, apply intents.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        if self.frames == 1
            && let Some(at) = self.launched
        {
            tracing::info!("first frame drawn {} ms after launch", at.elapsed().as_millis());
        }
        self.drain_events();
        let tr = self.tr();
        let mut actions = Vec::new();
        egui::Panel::top("top_bar").show(ui, |ui| {
            self.top_bar_ui(ui, tr, &mut actions);
            help_ui::notices_ui(ui, tr, &self.view.support, &mut actions);
        });
        egui::Panel::left("meters")
            .default_size(300.0)
            .size_range(240.0..=460.0)
            .show(ui, |ui| {
                meters_list::meters_list_ui(ui, tr, &self.model, &mut self.view, &mut actions)
            });
        egui::CentralPanel::default_margins().show(ui, |ui| match self.view.page {
            Page::Mqtt => mqtt::mqtt_ui(ui, tr, &mut self.view.mqtt, &mut actions),
            Page::Setup => {
                let mdns = self.mdns_interfaces();
                setup_wizard::setup_ui(ui, tr, &mut self.view.setup, mdns.as_deref(), &mut actions);
            }
            Page::Journal => journal_ui::journal_ui(
                ui,
                tr,
                &mut self.view.journal,
                &mut self.view.exports,
                &mut actions,
            ),
            Page::Batch => {
                let selected = self.view.selected;
                batch::batch_ui(
                    ui,
                    tr,
                    &self.model,
                    selected,
                    &mut self.view.commish,
                    &mut self.view.exports.format,
                    &mut actions,
                );
            }
            Page::Meter => match self.view.selected.and_then(|k| self.model.meter(k)) {
                Some(meter) => {
                    meter_page::meter_page_ui(ui, tr, meter, &self.model, &mut self.view, &mut actions)
                }
                None => welcome_ui(ui, tr),
            },
        });
        if let Some(confirm) = &self.view.confirm {
            confirm_ui(ui.ctx(), tr, confirm, &self.model, &mut actions);
        }
        if self.view.support.about {
            help_ui::about_ui(ui.ctx(), tr, &mut actions);
        }
        for action in actions {
            self.apply(action);
        }
    }

    fn top_bar_ui(&self, ui: &mut egui::Ui, tr: Tr, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            ui.heading(egui::RichText::new(tr.t(Msg::AppTitle)).strong());
            ui.separator();
            if ui
                .selectable_label(self.view.page == Page::Meter, tr.t(Msg::Meters))
                .clicked()
            {
                actions.push(Action::Page(Page::Meter));
            }
            if ui
                .selectable_label(self.view.page == Page::Mqtt, tr.t(Msg::MqttView))
                .clicked()
            {
                actions.push(Action::Page(Page::Mqtt));
            }
            if ui
                .selectable_label(self.view.page == Page::Batch, tr.t(Msg::Batch))
                .clicked()
            {
                actions.push(Action::Page(Page::Batch));
            }
            if ui
                .selectable_label(self.view.page == Page::Setup, tr.t(Msg::SetupMeters))
                .clicked()
            {
                actions.push(Action::Page(Page::Setup));
            }
            if ui
                .selectable_label(self.view.page == Page::Journal, tr.t(Msg::JournalPage))
                .clicked()
            {
                actions.push(Action::Page(Page::Journal));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                help_ui::help_menu_ui(ui, tr, &self.view.support, actions);
                let mut lang = self.view.lang;
                let combo = egui::ComboBox::from_id_salt("language")
                    .selected_text(lang.name())
                    .show_ui(ui, |ui| {
                        for l in Lang::ALL {
                            ui.selectable_value(&mut lang, l, l.name());
                        }
                    });
                if lang != self.view.lang {
                    actions.push(Action::Lang(lang));
                }
                let label = ui.label(tr.t(Msg::Language));
                combo.response.labelled_by(label.id);
                if let Some(notice) = &self.view.notice {
                    ui.colored_label(ui.visuals().warn_fg_color, notice);
                }
            });
        });
    }

    /// Apply one intent.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Select(key) => {
                self.view.selected = Some(key);
                self.view.page = Page::Meter;
                self.open_session(key);
                if self.view.tab == Tab::History {
                    self.reload_history();
                }
            }
            Action::FollowMove(key) => {
                if let Some(command) = whereabouts::confirmed(&mut self.model, key) {
                    self.send(command);
                }
            }
            Action::Page(page) => {
                self.view.page = page;
                // Opening the Journal page reads its newest entries again.
                if page == Page::Journal && !self.view.journal.searching {
                    self.apply(Action::JournalSearch(false));
                }
            }
            Action::JournalSearch(older) => {
                let page = &mut self.view.journal;
                let query = if older { page.older() } else { page.query().ok() };
                if let Some(query) = query {
                    page.searching(query.clone(), older);
                    self.send(Command::Journal(query));
                }
            }
            Action::Export(origin, job, name) => {
                let command = self.view.exports.start(origin, job, &name);
                self.send(command);
            }
            Action::ExportTo(path) => {
                if let Some(command) = self.view.exports.chosen(path) {
                    self.send(command);
                }
            }
            Action::Tab(tab) => {
                self.view.tab = tab;
                if tab == Tab::History {
                    self.reload_history();
                }
            }
            Action::Lang(lang) => {
                self.view.lang = lang;
                self.prefs.lang = Some(lang);
            }
            Action::Add(address, source) => {
                if !address.trim().is_empty() {
                    let key = self.add_meter(address, source);
                    self.view.selected = Some(key);
                    self.view.add_address.clear();
                }
            }
            Action::SaveDetails(key, name, notes) => {
                if let Some(m) = self.model.meter_mut(key) {
                    m.name = name;
                    m.notes = notes;
                    self.remembered.save_details(m);
                }
                self.save_remembered();
            }
            Action::Ask(confirm) => self.view.confirm = Some(confirm),
            Action::Dismiss => self.view.confirm = None,
            Action::Confirmed => {
                if let Some(confirm) = self.view.confirm.take() {
                    self.confirmed(confirm);
                }
            }
            Action::Write(meter, base, settings) => {
                let Some(slot) = self.slot() else {
                    return;
                };
                let job = self.model.new_job(meter, JobKind::WriteSettings);
                slot.send(Command::WriteSettings {
                    meter,
                    job,
                    base,
                    settings,
                });
            }
            Action::Cancel(job) => self.send(Command::Cancel { job }),
            Action::PickFile(purpose) => self.send(Command::PickFile { purpose }),
            Action::MqttSend(id, command) => self.mqtt_send(id, command),
            Action::Send(command) => self.send(command),
            Action::ConnectBroker => self.connect_mqtt_view(),
            Action::Commission(intent) => {
                // `handle` records the job its command starts: the
                // command's place is taken first.
                let slot = match intent.needs_backend() {
                    true => match self.slot() {
                        Some(slot) => Some(slot),
                        None => return,
                    },
                    false => None,
                };
                let tr = self.tr();
                let provisioned = &self.view.setup.rows;
                match (
                    self.view.commish.handle(intent, &mut self.model, tr, provisioned),
                    slot,
                ) {
                    (Some(command), Some(slot)) => slot.send(command),
                    (Some(command), None) => self.send(command),
                    (None, _) => {}
                }
            }
            Action::Scan => {
                let Some(slot) = self.slot() else {
                    return;
                };
                let job = self.model.new_job_id();
                if let Some(command) = self.view.discovery.start_scan(job) {
                    slot.send(command);
                }
            }
            Action::Web(meter, work) => self.start_web(meter, work),
            Action::Setup(intent) => self.setup(intent),
            Action::Support(intent) => self.support(intent),
        }
    }

    /// Apply a click of the Help menu, the About window or a support notice.
    fn support(&mut self, intent: SupportIntent) {
        use crate::backend::support::Request;
        match intent {
            SupportIntent::About(open) => self.view.support.about = open,
            SupportIntent::SaveDiagnostics(path) => {
                let Some(slot) = self.slot() else {
                    return;
                };
                let settings = serde_json::to_value(self.prefs()).unwrap_or_default();
                let support = &mut self.view.support;
                (support.saving, support.saved) = (true, None);
                slot.send(Command::Support(Request::SaveDiagnostics { settings, path }));
            }
            SupportIntent::OpenLogFolder => {
                self.view.support.folder_failure = None;
                self.send(Command::Support(Request::OpenLogFolder));
            }
            SupportIntent::DismissNotices => {
                let support = &mut self.view.support;
                (support.saved, support.last_crash, support.folder_failure) = (None, None, None);
            }
        }
    }

    /// Read the selected meter's journal entries again (History tab).
    fn reload_history(&mut self) {
        if let Some(meter) = self.view.selected.and_then(|k| self.model.meter(k)) {
            let command = super::history_ui::load(meter);
            self.send(command);
        }
    }

    /// Where the window browses mDNS now (`None`: it does not).
    fn mdns_interfaces(&self) -> Option<Vec<je08_client::discovery::mdns::MdnsInterface>> {
        match &self.view.discovery.mdns {
            Some(crate::backend::discovery::MdnsStatus::Browsing(interfaces)) => Some(interfaces.clone()),
            _ => None,
        }
    }

    /// Apply a click of the "Set up new meters" wizard.
    fn setup(&mut self, intent: SetupIntent) {
        use crate::backend::provisioning::Request;
        let tr = self.tr();
        match intent {
            SetupIntent::Look | SetupIntent::Next => {
                let Some(slot) = self.slot() else {
                    return;
                };
                let job = self.model.new_job_id();
                let setup = &mut self.view.setup;
                let command = match intent {
                    SetupIntent::Next => setup.next(job, tr),
                    _ => setup.look(job, tr),
                };
                if let Some(command) = command {
                    slot.send(command);
                }
            }
            SetupIntent::Cancel => {
                if let Some(job) = self.view.setup.job() {
                    self.send(Command::Cancel { job });
                    if matches!(self.view.setup.stage, crate::state::setup::Stage::Looking { .. }) {
                        self.view.setup.stage = crate::state::setup::Stage::Idle;
                    }
                }
            }
            SetupIntent::Start => {
                // Both places first: the wizard shows "running" only when
                // the backend takes every command.
                let (Some(first), Some(second)) = (self.slot(), self.slot()) else {
                    return;
                };
                let job = self.model.new_job_id();
                let mdns = self.mdns_interfaces();
                if let Some(commands) = self.view.setup.start(job, mdns, tr) {
                    for (slot, command) in [first, second].into_iter().zip(commands) {
                        slot.send(command);
                    }
                }
            }
            SetupIntent::PickProfile => self.send(Command::Provision(Request::PickProfile)),
            SetupIntent::ClearProfile => self.view.setup.form.profile = None,
            SetupIntent::LoadPassword => {
                let account = self.view.setup.account();
                self.send(Command::LoadSecret { account });
            }
            SetupIntent::SaveCsv => {
                let csv = self.view.setup.csv(tr);
                self.send(Command::Provision(Request::SaveCsv { csv }));
            }
        }
    }

    /// Put a meter that joined the plant network in the meters list, named
    /// as the batch named it, its HTTP API where it answers.
    fn add_joined(&mut self, joined: crate::commissioning::provision::Joined) {
        let key = self.add_meter(joined.modbus.to_string(), Source::Manual);
        if let Some(m) = self.model.meter_mut(key) {
            m.endpoints.http = Some(joined.http.to_string());
            m.name = joined.name;
            self.remembered.save_details(m);
        }
        self.save_remembered();
    }

    /// Start an HTTP job on `meter` with its endpoints and typed password
    /// (none typed: the factory default); a typed password goes to the
    /// keychain first when "remember" is ticked.
    fn start_web(&mut self, meter: MeterKey, work: WebJob) {
        let Some(entry) = self.model.meter(meter) else {
            return;
        };
        let (http, ota_port) = (entry.http_address(), entry.ota_port());
        let web = self.view.config.meter(entry);
        let password = web.secret();
        // Only a typed password is remembered, never the factory default.
        let store = match web.password.secret() {
            Some(secret) if web.remember && !web.stored => Some(Command::StoreSecret {
                account: web.account.clone(),
                secret,
                remember: true,
            }),
            _ => None,
        };
        // Both places first: a job is recorded, and the password marked
        // stored, only when the backend takes both commands.
        let Some(web_slot) = self.slot() else {
            return;
        };
        if let Some(command) = store {
            let Some(store_slot) = self.slot() else {
                return;
            };
            if let Some(web) = self.view.config.meters.get_mut(&meter) {
                web.stored = true;
            }
            store_slot.send(command);
        }
        let job = self.model.new_job(meter, JobKind::Web(WebKind::of(&work)));
        let target = WebTarget {
            http,
            ota_port,
            password: Some(password),
        };
        web_slot.send(Command::Web { job, target, work });
    }

    /// Connect the MQTT view as its form says, the typed password stored
    /// first; the view shows "connecting" only once the backend took both.
    fn connect_mqtt_view(&mut self) {
        let mqtt = &self.view.mqtt;
        let Some(connect) = mqtt.connect_command() else {
            return;
        };
        let store = (!mqtt.form.password.0.is_empty()).then(|| Command::StoreSecret {
            account: mqtt.account(),
            secret: Secret::new(mqtt.form.password.0.clone()),
            remember: mqtt.remember,
        });
        let Some(connect_slot) = self.slot() else {
            return;
        };
        if let Some(store) = store {
            let Some(store_slot) = self.slot() else {
                return;
            };
            store_slot.send(store);
        }
        let mqtt = &mut self.view.mqtt;
        (mqtt.active, mqtt.failure, mqtt.fleet) = (true, None, None);
        connect_slot.send(connect);
    }

    fn mqtt_send(&mut self, id: String, command: MqttCommand) {
        let Some(slot) = self.slot() else {
            return;
        };
        let job = self.model.new_job_id();
        self.view
            .mqtt
            .jobs
            .insert(job, (id.clone(), command.clone(), None));
        slot.send(Command::MqttSend { job, id, command });
    }

    fn confirmed(&mut self, confirm: Confirm) {
        match confirm {
            Confirm::ResetEnergy(meter, kind) => {
                if let Some(slot) = self.slot() {
                    let job = self.model.new_job(meter, JobKind::ResetEnergy(kind));
                    slot.send(Command::ResetEnergy { meter, job, kind });
                }
            }
            Confirm::RestoreDefaults(meter) => {
                if let Some(slot) = self.slot() {
                    let job = self.model.new_job(meter, JobKind::RestoreDefaults);
                    self.view.params.remove(&meter);
                    slot.send(Command::RestoreDefaults { meter, job });
                }
            }
            Confirm::MqttCommand(id, command) => self.mqtt_send(id, command),
            Confirm::SwitchMode(meter, mode) => self.start_web(meter, WebJob::SwitchMode(mode)),
            Confirm::Flash(meter, path, method) => self.start_web(meter, WebJob::Flash { path, method }),
            Confirm::Forget(meter) => {
                // A row forgotten while its session runs on would poll unseen.
                let Some(slot) = self.slot() else {
                    return;
                };
                slot.send(Command::Disconnect { meter });
                self.model.meters.retain(|m| m.key != meter);
                self.remembered.forget(meter);
                self.view.params.remove(&meter);
                self.view.config.meters.remove(&meter);
                if self.view.selected == Some(meter) {
                    self.view.selected = self.model.meters.first().map(|m| m.key);
                }
            }
        }
    }
}

fn welcome_ui(ui: &mut egui::Ui, tr: Tr) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.3);
        ui.heading(tr.t(Msg::NoMeterSelected));
        ui.label(tr.t(Msg::NoMeterHint));
    });
}

fn confirm_ui(ctx: &egui::Context, tr: Tr, confirm: &Confirm, model: &Model, actions: &mut Vec<Action>) {
    let (title, body, yes) = match confirm {
        Confirm::MqttCommand(_, MqttCommand::ResetKvarh) => {
            (Msg::ResetKvarhTitle, Msg::ResetEnergyBody, Msg::ResetKvarh)
        }
        Confirm::MqttCommand(..) => (Msg::ResetKwhTitle, Msg::ResetEnergyBody, Msg::ResetKwh),
        Confirm::ResetEnergy(_, EnergyKind::ActiveKwh) => {
            (Msg::ResetKwhTitle, Msg::ResetEnergyBody, Msg::ResetKwh)
        }
        Confirm::ResetEnergy(_, EnergyKind::ReactiveKvarh) => {
            (Msg::ResetKvarhTitle, Msg::ResetEnergyBody, Msg::ResetKvarh)
        }
        Confirm::RestoreDefaults(_) => (
            Msg::RestoreDefaultsTitle,
            Msg::RestoreDefaultsBody,
            Msg::RestoreDefaults,
        ),
        Confirm::Forget(_) => (Msg::ForgetTitle, Msg::ForgetBody, Msg::Forget),
        Confirm::SwitchMode(_, Mode::Configuration) => {
            (Msg::EnterConfigTitle, Msg::SwitchModeBody, Msg::EnterConfigMode)
        }
        Confirm::SwitchMode(_, _) => (Msg::LeaveConfigTitle, Msg::SwitchModeBody, Msg::LeaveConfigMode),
        Confirm::Flash(..) => (Msg::FlashTitle, Msg::FlashBody, Msg::PushFirmware),
    };
    let subject = match confirm {
        Confirm::ResetEnergy(k, _)
        | Confirm::RestoreDefaults(k)
        | Confirm::Forget(k)
        | Confirm::SwitchMode(k, _)
        | Confirm::Flash(k, ..) => model.meter(*k).map(|m| format!("{} ({})", m.title(), m.address)),
        Confirm::MqttCommand(id, _) => Some(format!("MQTT · {id}")),
    };
    let modal = egui::Modal::new(egui::Id::unique("confirm")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading(tr.t(title));
        if let Some(subject) = subject {
            ui.label(egui::RichText::new(subject).strong());
        }
        ui.add_space(6.0);
        ui.label(tr.t(body));
        ui.add_space(10.0);
        ui.horizontal(|ui| {
            let yes_button = egui::Button::new(egui::RichText::new(tr.t(yes)).color(egui::Color32::WHITE))
                .fill(egui::Color32::from_rgb(180, 50, 40));
            if ui.add(yes_button).clicked() {
                actions.push(Action::Confirmed);
            }
            if ui.button(tr.t(Msg::Cancel)).clicked() {
                actions.push(Action::Dismiss);
            }
        });
    });
    if modal.should_close() && !actions.iter().any(|a| matches!(a, Action::Confirmed)) {
        actions.push(Action::Dismiss);
    }
}

impl eframe::App for ConfiguratorApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, crate::state::prefs::KEY, &self.prefs());
    }

    fn auto_save_interval(&self) -> Duration {
        Duration::from_secs(60)
    }
}
