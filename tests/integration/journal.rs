//! The activity journal: changes made by `je08` processes against `je08 sim`
//! appear once each with the value read back, refusals as refused, a killed
//! writer leaves a readable journal, and no secret ever reaches its files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::kit::SimProcess;

/// The interface password of the simulated meter.
const INTERFACE_SECRET: &str = "Jrnl-iface-S3cret-7731";
/// A Wi-Fi password written in a configuration block.
const WIFI_SECRET: &str = "Jrnl-wifi-S3cret-4409";

/// A data folder of its own, removed when dropped.
struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("je08-journal-test-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("create the data folder");
        Self(dir)
    }

    /// Every byte of every journal file.
    fn journal_bytes(&self) -> String {
        let dir = self.0.join("journal");
        let mut all = String::new();
        for f in std::fs::read_dir(&dir).expect("the journal folder exists") {
            all.push_str(&String::from_utf8_lossy(
                &std::fs::read(f.unwrap().path()).unwrap(),
            ));
        }
        all
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `je08 sim` on free ports with the interface password, killed on drop.
fn start_sim() -> SimProcess {
    SimProcess::start(&["--password", INTERFACE_SECRET])
}

/// Run `je08 <args>` with its data folder in `data`.
fn je08(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(args)
        .env("JE08_DATA_DIR", data)
        .env("JE08_PASSWORD", INTERFACE_SECRET)
        .stdin(Stdio::null())
        .output()
        .expect("je08 runs")
}

fn ok(out: &Output, what: &str) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what}: {text}");
    text
}

/// `je08 log --json` with `filters`, parsed, newest first.
fn log(data: &Path, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["log", "--json"];
    args.extend_from_slice(filters);
    let out = je08(data, &args);
    ok(&out, "je08 log");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn change<'a>(entry: &'a Value, field: &str) -> &'a Value {
    entry["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["field"] == field))
        .unwrap_or_else(|| panic!("no change of {field} in {entry}"))
}

#[test]
fn every_cli_change_is_journaled_once_with_its_read_back() {
    let data = DataDir::new();
    let d = data.0.as_path();
    let sim = start_sim();
    ok(&je08(d, &["set", &sim.modbus, "--ct-primary", "750"]), "set");
    ok(
        &je08(d, &["reset-energy", &sim.modbus, "--kwh", "--yes"]),
        "reset-energy",
    );
    ok(
        &je08(d, &["mode", &sim.http, "configuration"]),
        "mode configuration",
    );
    let block = data.0.join("connectivity.json");
    let current = ok(
        &je08(d, &["config", "get", &sim.http, "connectivity", "--json"]),
        "config get",
    );
    let mut conn: Value = serde_json::from_str(current.lines().next().unwrap()).unwrap();
    conn["device_name"] = "panel-7".into();
    conn["password"] = WIFI_SECRET.into();
    std::fs::write(&block, conn.to_string()).unwrap();
    ok(
        &je08(
            d,
            &[
                "config",
                "set",
                &sim.http,
                "connectivity",
                block.to_str().unwrap(),
            ],
        ),
        "config set",
    );
    ok(&je08(d, &["mode", &sim.http, "application"]), "mode application");

    let entries = log(d, &[]);
    let kinds: Vec<&str> = entries.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["mode", "config", "mode", "energy-reset", "settings"],
        "newest first, once each"
    );
    for e in &entries {
        assert_eq!(e["outcome"], "done", "{e}");
        assert_eq!(e["origin"], "cli", "{e}");
        for key in [
            "id",
            "time_utc",
            "time_local",
            "user",
            "computer",
            "version",
            "address",
            "asked",
        ] {
            assert!(
                e[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} missing in {e}"
            );
        }
    }
    let settings = &entries[4];
    let id = settings["device_id"]
        .as_u64()
        .expect("the settings entry names the meter");
    let ct = change(settings, "RELACAO_TC");
    assert_eq!(
        (
            ct["before"].as_str(),
            ct["asked"].as_str(),
            ct["confirmed"].as_str()
        ),
        (Some("100"), Some("150"), Some("150"))
    );
    assert_eq!(entries[3]["device_id"].as_u64(), Some(id));
    assert_eq!(change(&entries[3], "kWh total")["asked"], "0");
    assert_eq!(change(&entries[2], "mode")["confirmed"], "configuration");
    assert_eq!(change(&entries[0], "mode")["confirmed"], "application");
    let name = change(&entries[1], "connectivity.device_name");
    assert_eq!(name["confirmed"], "\"panel-7\"");
    assert!(
        name["before"].as_str().is_some_and(|b| b != "\"panel-7\""),
        "the name as found: {name}"
    );
    assert_eq!(entries[1]["device_id"].as_u64(), Some(id), "the block's meter");
    assert_eq!(change(&entries[1], "connectivity.password")["asked"], "(changed)");

    // The filters of `je08 log`.
    assert_eq!(log(d, &["--kind", "mode"]).len(), 2);
    assert_eq!(
        log(
            d,
            &["--meter", &id.to_string(), "--kind", "settings,energy-reset"]
        )
        .len(),
        2
    );
    assert_eq!(log(d, &["--since", "2999-01-01"]).len(), 0);
    let csv = data.0.join("journal.csv");
    ok(&je08(d, &["log", "--csv", csv.to_str().unwrap()]), "log --csv");
    let csv = std::fs::read_to_string(csv).unwrap();
    assert_eq!(csv.lines().count(), 6, "a header and five rows: {csv}");
    assert!(csv.contains("RELACAO_TC 100 → 150 (read back 150)"), "{csv}");

    let files = data.journal_bytes();
    for secret in [INTERFACE_SECRET, WIFI_SECRET] {
        assert!(!files.contains(secret), "a secret reached the journal");
        assert!(!csv.contains(secret), "a secret reached the CSV");
    }
}

#[test]
fn refusals_are_journaled_as_refused() {
    let data = DataDir::new();
    let d = data.0.as_path();
    let sim = start_sim();
    let out = je08(d, &["set", &sim.modbus, "--ct-ratio", "10"]);
    assert!(!out.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args([
            "mode",
            &sim.http,
            "configuration",
            "--password",
            "not-the-password",
        ])
        .env("JE08_DATA_DIR", d)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let entries = log(d, &[]);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["kind"], "mode");
    assert_eq!(entries[0]["outcome"], "refused", "{}", entries[0]);
    assert!(
        entries[0]["reason"].as_str().unwrap().contains("password"),
        "{}",
        entries[0]
    );
    assert_eq!(entries[1]["kind"], "settings");
    assert_eq!(entries[1]["outcome"], "refused");
    assert!(
        entries[1]["reason"].as_str().unwrap().contains("20–400"),
        "{}",
        entries[1]
    );
    assert!(!data.journal_bytes().contains("not-the-password"));
}

#[test]
fn a_writer_killed_mid_write_leaves_a_readable_journal() {
    let data = DataDir::new();
    let d = data.0.as_path();
    let mut writer = Command::new(env!("CARGO_BIN_EXE_je08"))
        .args([
            "bench",
            "journal",
            "--entries",
            "2000000",
            "--data-dir",
            d.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("the writer starts");
    let current = data.0.join("journal").join("journal.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&current).map_or(0, |m| m.len()) < 1_500_000 {
        assert!(Instant::now() < deadline, "the writer wrote nothing");
        std::thread::sleep(Duration::from_millis(5));
    }
    writer.kill().expect("kill -9");
    writer.wait().unwrap();
    let newest = log(d, &["--limit", "5"]);
    assert_eq!(newest.len(), 5, "the journal reads after the kill");
    // A change after the kill is appended whole and read back first.
    let sim = start_sim();
    ok(&je08(d, &["set", &sim.modbus, "--invert-b", "on"]), "set");
    let after = log(d, &["--kind", "settings", "--limit", "1"]);
    assert_eq!(change(&after[0], "INVERTE_TC_FASE_B")["confirmed"], "1");
    assert_eq!(after[0]["address"], sim.modbus.as_str());
}

#[test]
fn the_windows_settings_write_is_journaled_with_its_read_back() {
    use je08::backend::link::Connector as _;
    let data = DataDir::new();
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("JE08_DATA_DIR", &data.0);
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let modbus = runtime.block_on(async {
        let sim = je08_sim::spawn_meter(je08_sim::MeterOptions::new(2301))
            .await
            .expect("simulator starts");
        let mut link = je08::backend::modbus_link::ModbusConnector
            .connect(sim.modbus.to_string())
            .await
            .expect("the window's session connects");
        let loaded = link.read().await.expect("a reading").settings;
        let mut wanted = loaded;
        wanted.ct_ratio = 120;
        let fields = link.write_settings(loaded, wanted).await.expect("written");
        assert!(fields.iter().all(|f| f.confirmed()), "{fields:?}");
        let address = sim.modbus.to_string();
        sim.shutdown().await;
        address
    });
    let entries = log(&data.0, &[]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(
        (e["origin"].as_str(), e["kind"].as_str(), e["outcome"].as_str()),
        (Some("window"), Some("settings"), Some("done"))
    );
    assert_eq!(e["device_id"].as_u64(), Some(2301));
    assert_eq!(e["address"], modbus.as_str());
    let ct = change(e, "RELACAO_TC");
    assert_eq!(
        (ct["asked"].as_str(), ct["confirmed"].as_str()),
        (Some("120"), Some("120"))
    );
}

#[test]
fn a_firmware_push_is_journaled_with_versions_and_the_image_digest() {
    use sha2::Digest as _;
    let data = DataDir::new();
    let d = data.0.as_path();
    let sim = start_sim();
    let bytes = crate::firmware::image("3.11");
    let path = data.0.join("fw.bin");
    std::fs::write(&path, &bytes).unwrap();
    let path = path.to_str().unwrap();
    ok(
        &je08(
            d,
            &["flash", &sim.http, path, "--method", "http", "--wait-s", "30"],
        ),
        "flash",
    );
    let entries = log(d, &["--kind", "firmware"]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e["outcome"], "done", "{e}");
    let version = change(e, "esp_version");
    assert_eq!(
        (
            version["before"].as_str(),
            version["asked"].as_str(),
            version["confirmed"].as_str()
        ),
        (Some("3.00"), Some("3.11"), Some("3.11"))
    );
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(change(e, "image_sha256")["asked"], digest.as_str());
    assert!(!data.journal_bytes().contains(INTERFACE_SECRET));
}

#[test]
fn a_certificate_deletion_is_journaled() {
    let data = DataDir::new();
    let d = data.0.as_path();
    let sim = start_sim();
    ok(
        &je08(d, &["mode", &sim.http, "configuration"]),
        "mode configuration",
    );
    ok(&je08(d, &["certs", "delete", &sim.http, "ca"]), "certs delete");
    let entries = log(d, &["--kind", "certificate"]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["outcome"], "done", "{}", entries[0]);
    assert_eq!(entries[0]["asked"], "delete the ca");
    assert_eq!(change(&entries[0], "ca")["asked"], "(deleted)");
}

#[test]
fn the_journal_page_lists_every_meter_newest_first_filters_and_pages_back() {
    use eframe::egui::accesskit::Role;
    use egui_kittest::kittest::{NodeT as _, Queryable as _};
    use je08_client::journal::{Entry, Journal, Kind, Origin};
    let data = DataDir::new();
    // SAFETY: nextest runs each test in its own process, and this runs
    // before the test starts any thread.
    unsafe {
        std::env::set_var("JE08_DATA_DIR", &data.0);
    }
    // 1,200 older entries over three meters, then one change made by the
    // command line against a simulator: the newest.
    let kinds = [Kind::Settings, Kind::Reboot, Kind::Mode];
    let older = (0..1200u32).map(|i| {
        Entry::new(
            Origin::Cli,
            kinds[i as usize % 3],
            "127.0.0.9:502",
            format!("n{i}"),
            "test",
        )
        .device(Some(501 + i % 3))
    });
    Journal::at(data.0.join("journal"))
        .append_all(older)
        .expect("the older entries are written");
    let sim = start_sim();
    ok(
        &je08(&data.0, &["set", &sim.modbus, "--ct-primary", "750"]),
        "set",
    );

    let (_rt, mut h) = crate::ui::english_window();
    let found = |app: &je08::ui::app::ConfiguratorApp| {
        let page = &app.view.journal;
        (!page.searching)
            .then(|| page.found.clone())
            .flatten()
            .map(|f| f.expect("the journal is read"))
    };

    crate::kit::click(&mut h, "Journal");
    crate::kit::step_until(&mut h, "the newest page", |app| found(app).is_some());
    let newest = found(h.state()).unwrap();
    assert_eq!(newest.entries.len(), 500, "one bounded page");
    assert!(newest.more);
    assert_eq!(newest.entries[0].kind, Kind::Settings);
    assert_eq!(
        newest.entries[0].address, sim.modbus,
        "the command line's change comes first"
    );
    assert_eq!(newest.entries[1].asked, "n1199");
    h.get_by_label("500 entries, newest first");

    // The next page starts where the first ended.
    crate::kit::click(&mut h, "Older entries");
    crate::kit::step_until(&mut h, "the older page", |app| {
        app.view.journal.pages_back == 1 && found(app).is_some()
    });
    let second = found(h.state()).unwrap();
    assert_eq!(second.entries.len(), 500);
    assert_eq!(second.entries[0].asked, "n700");
    assert!(second.entries[0].time_utc < newest.entries[499].time_utc);
    h.get_by_label("500 entries, 1 pages back");

    // One meter, one kind.
    crate::kit::type_into(&mut h, "Meter (id)", "502");
    h.get_by_role_and_label(Role::ComboBox, "Kind").click();
    crate::kit::frames(&mut h, 3);
    // The option in the open list, not the "restart" cells of the rows.
    h.get_all_by_label("restart")
        .find(|n| n.accesskit_node().role() != Role::Label)
        .expect("the kind's option")
        .click();
    crate::kit::frames(&mut h, 3);
    crate::kit::click(&mut h, "Search");
    crate::kit::step_until(&mut h, "the filtered page", |app| {
        app.view.journal.pages_back == 0 && found(app).is_some_and(|f| f.entries.len() < 500)
    });
    let filtered = found(h.state()).unwrap();
    // i % 3 == 1 is meter 502 and a reboot: 400 entries.
    assert_eq!(filtered.entries.len(), 400);
    assert!(!filtered.more);
    assert!(
        filtered
            .entries
            .iter()
            .all(|e| e.device_id == Some(502) && e.kind == Kind::Reboot)
    );

    // What was found, exported as a workbook: every entry, not only the
    // rows on screen.
    crate::kit::click(&mut h, "Format");
    crate::kit::click(&mut h, "Excel workbook (.xlsx)");
    crate::kit::click(&mut h, "Export…");
    let book = data.0.join("journal-502.xlsx");
    h.state_mut()
        .apply(je08::state::intent::Action::ExportTo(Some(book.clone())));
    let journal_export = je08::state::exports::Origin::Journal;
    crate::kit::step_until(&mut h, "the workbook", |app| {
        app.view.exports.saved_by(journal_export).is_some()
    });
    assert_eq!(
        h.state().view.exports.saved_by(journal_export),
        Some(&Ok(book.clone()))
    );
    let sheets = crate::exports::workbook(&book);
    let rows: Vec<_> = sheets.iter().flat_map(|(_, rows)| &rows[1..]).collect();
    assert_eq!(rows.len(), 400, "one row per entry found");
    // The kind column holds the journal's own key, as `je08 log --json` does.
    let reboot = calamine::Data::String("reboot".into());
    let device = calamine::Data::Float(502.0);
    assert!(
        rows.iter()
            .all(|row| row.contains(&reboot) && row.contains(&device)),
        "{:?}",
        rows[0]
    );

    // A day typed the wrong way is said, and nothing is searched.
    crate::kit::type_into(&mut h, "From", "05/12/2026");
    h.get_by_label_contains("'05/12/2026' is not a day: type it as YYYY-MM-DD");
    crate::kit::click(&mut h, "Search");
    assert!(!h.state().view.journal.searching);
}
