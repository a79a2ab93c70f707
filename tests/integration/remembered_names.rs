//! One store for remembered meters: a name given in the window goes to the
//! atomic, salvaging remembered-meters file that `je08 discover` reads, and
//! the names an earlier window kept in its preferences move there (the
//! store wins), never to be written to the preferences again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use je08::backend::Backend;
use je08::backend::modbus_link::default_connector;
use je08::state::intent::Action;
use je08::state::prefs::{Prefs, SavedMeter};
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_client::store::meters::{FILE_NAME, MeterStore};
use je08_sim::{MeterOptions, SimMeter, spawn_meter};

/// Generous deadline for waits.
const DEADLINE: Duration = Duration::from_secs(20);

struct Fixture {
    rt: tokio::runtime::Runtime,
    meter: SimMeter,
    dir: PathBuf,
}

impl Fixture {
    fn new(id: u32) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let meter = rt.block_on(spawn_meter(MeterOptions::new(id))).unwrap();
        let dir = std::env::temp_dir().join(format!("je08-names-{}", rand::random::<u64>()));
        Self { rt, meter, dir }
    }

    fn store_path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn app(&self, prefs: Prefs) -> ConfiguratorApp {
        let backend = Backend::start(self.rt.handle(), default_connector(), Arc::new(|| {}));
        let (store, recovery) = MeterStore::open(self.store_path()).unwrap();
        assert!(recovery.is_none());
        ConfiguratorApp::new(backend, prefs).with_store(store)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Drain events until `done`, within the deadline.
fn until(app: &mut ConfiguratorApp, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        app.drain_events();
        if done(app) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Name and notes of meter `id` in the file at `path`.
fn stored(path: &Path, id: u32) -> Option<(Option<String>, String)> {
    let (store, _) = MeterStore::open(path.to_owned()).ok()?;
    store.get(id).map(|m| (m.name.clone(), m.notes.clone()))
}

fn english() -> Prefs {
    super::ui::english()
}

#[test]
fn a_name_given_in_the_window_is_listed_by_je08_discover() {
    let id = 2301;
    let f = Fixture::new(id);
    let mut app = f.app(english());
    let key = app.add_meter(f.meter.modbus.to_string(), Source::Manual);
    until(&mut app, "the meter's id", |a| {
        a.model.meter(key).and_then(|m| m.device_id) == Some(id)
    });

    app.apply(Action::SaveDetails(
        key,
        "Feeder 7".into(),
        "CT 200/5, panel B".into(),
    ));
    let path = f.store_path();
    until(&mut app, "the name in the store's file", |_| {
        stored(&path, id) == Some((Some("Feeder 7".into()), "CT 200/5, panel B".into()))
    });
    assert_eq!(app.view.notice, None);
    let saved = app.prefs().meters;
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0].name.as_str(), saved[0].notes.as_str(), saved[0].id),
        ("", "", Some(id)),
        "the preferences keep the id, not the name"
    );

    let scan = format!("127.0.0.1/32:{}", f.meter.modbus.port());
    let (rows, _) = f.rt.block_on(super::discovery::discover_json(
        ["--no-mdns", "--scan", &scan],
        &f.dir,
    ));
    let row = super::discovery::row_of(&rows, id);
    assert_eq!(row["remembered_name"], "Feeder 7");
    assert_eq!(row["notes"], "CT 200/5, panel B");

    // Forgetting the meter in the window forgets its name for the command line too.
    app.apply(Action::Ask(je08::state::intent::Confirm::Forget(key)));
    app.apply(Action::Confirmed);
    until(&mut app, "the name gone from the store's file", |_| {
        stored(&path, id).is_none()
    });
    let (rows, _) = f.rt.block_on(super::discovery::discover_json(
        ["--no-mdns", "--scan", &scan],
        &f.dir,
    ));
    assert!(super::discovery::row_of(&rows, id)["remembered_name"].is_null());
}

#[test]
fn names_kept_in_the_preferences_move_into_the_store_and_the_store_wins() {
    let id = 2302;
    let f = Fixture::new(id);
    let (mut store, _) = MeterStore::open(f.store_path()).unwrap();
    store.add(id);
    store.rename(id, "Named by the store").unwrap();
    store.save().unwrap();
    let address = f.meter.modbus.to_string();
    let older = Prefs {
        meters: vec![SavedMeter {
            address: address.clone(),
            name: "Named in the preferences".into(),
            notes: "notes from the preferences".into(),
            id: None,
            endpoints: Default::default(),
        }],
        ..english()
    };

    let mut app = f.app(older);
    let key = app
        .model
        .find_address(&address)
        .expect("restored from the preferences");
    until(&mut app, "the store's name", |a| {
        a.model.meter(key).is_some_and(|m| m.name == "Named by the store")
    });
    assert_eq!(app.model.meter(key).unwrap().notes, "notes from the preferences");
    let path = f.store_path();
    until(&mut app, "the notes merged into the store's file", |_| {
        stored(&path, id)
            == Some((
                Some("Named by the store".into()),
                "notes from the preferences".into(),
            ))
    });
    let prefs = app.prefs();
    let saved = &prefs.meters[0];
    assert_eq!(
        (saved.name.as_str(), saved.notes.as_str(), saved.id),
        ("", "", Some(id)),
        "not written to the preferences again"
    );
    drop(app);

    // The next start shows the store's name before the meter answers.
    let app = f.app(prefs);
    let key = app.model.find_address(&address).unwrap();
    assert_eq!(app.model.meter(key).unwrap().name, "Named by the store");
}
