//! The Registers tab and `je08 read --raw`: every register as read, against
//! the simulator and against libmodbus's own Modbus server (a C program
//! built here, holding words nobody here chose), with the traffic log of
//! the session showing frames, timing and exceptions by name.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use je08::backend::Backend;
use je08::backend::modbus_link::default_connector;
use je08::i18n::Lang;
use je08::state::prefs::Prefs;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, spawn_meter};

use super::kit::{AppHarness, click, step_until};

/// libmodbus's server, built once per test process.
fn server_binary() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let source =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/integration/foreign/modbus_server.c");
        let out = std::env::temp_dir().join(format!("je08-libmodbus-server-{}", std::process::id()));
        let flags = Command::new("pkg-config")
            .args(["--cflags", "--libs", "libmodbus"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|| "-I/usr/include/modbus -lmodbus".to_owned());
        let built = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
            .arg(&source)
            .arg("-o")
            .arg(&out)
            .args(flags.split_whitespace())
            .output()
            .expect("a C compiler (cc) runs");
        assert!(
            built.status.success(),
            "building libmodbus's server (Debian: libmodbus-dev) failed: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        out
    })
}

/// libmodbus's server holding `count` registers (address × 7), killed on drop.
struct Foreign {
    child: Child,
    addr: SocketAddr,
}

impl Foreign {
    fn start(count: u16) -> Self {
        let mut child = Command::new(server_binary())
            .arg(count.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("its port");
        let port: u16 = line.trim().parse().expect("a port number");
        Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }
}

impl Drop for Foreign {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Window {
    _rt: tokio::runtime::Runtime,
    harness: AppHarness,
}

/// The window listing the meter at `address`, on its Registers tab.
fn window(rt: tokio::runtime::Runtime, address: String) -> Window {
    let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
    let prefs = Prefs {
        lang: Some(Lang::En),
        ..Prefs::default()
    };
    let mut app = ConfiguratorApp::new(backend, prefs);
    app.add_meter(address, Source::Manual);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 3200.0))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut ConfiguratorApp| app.frame_ui(ui), app);
    click(&mut harness, "Registers");
    Window { _rt: rt, harness }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Some label shows `text`.
fn shows(harness: &AppHarness, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_registers_tab_shows_every_register_live_and_highlights_a_change() {
    let rt = runtime();
    let mut options = MeterOptions::new(2301);
    options.device.settings.ct_ratio = 100;
    let meter = rt.block_on(spawn_meter(options)).unwrap();
    let mut w = window(rt, meter.modbus.to_string());
    step_until(&mut w.harness, "a reading", |app| {
        app.model.meters[0].registers.now.is_some()
    });
    for name in ["RELACAO_TC", "SAVE_PARAMS", "RESERVED"] {
        assert!(shows(&w.harness, name), "{name} not shown");
    }
    let rows = w.harness.query_all_by_label_contains("RELACAO_TC").count();
    assert_eq!(rows, 1, "one row per register");

    // Changed behind the window's back: the next reading shows it, marked.
    meter
        .device
        .write(addr::RELACAO_TC, &[150])
        .expect("a valid write");
    step_until(&mut w.harness, "the change", |app| {
        let registers = &app.model.meters[0].registers;
        registers
            .now
            .as_ref()
            .is_some_and(|b| b.get(addr::RELACAO_TC) == 150)
            && registers.changed(addr::RELACAO_TC)
    });
    assert!(
        !w.harness.state().model.meters[0]
            .registers
            .changed(addr::SAVE_PARAMS)
    );
    assert!(shows(&w.harness, "reading registers 0–109"));
    assert!(shows(&w.harness, "answered"));
    assert!(shows(&w.harness, "→ 00 "), "request frames in hex");
}

#[test]
fn libmodbus_s_server_is_shown_as_it_answers_and_its_exception_by_name() {
    let whole = Foreign::start(110);
    let mut w = window(runtime(), whole.addr.to_string());
    step_until(&mut w.harness, "a reading", |app| {
        app.model.meters[0].registers.now.is_some()
    });
    let block = w.harness.state().model.meters[0].registers.now.clone().unwrap();
    for a in [0u16, 16, 60, 109] {
        assert_eq!(block.get(a), a * 7, "register {a}");
    }
    assert!(shows(&w.harness, "112"), "RELACAO_TC's raw word 16 × 7");

    // 100 registers only: reading 0–109 gets libmodbus's exception 02.
    let short = Foreign::start(100);
    let mut w = window(runtime(), short.addr.to_string());
    step_until(&mut w.harness, "the exception in the traffic", |app| {
        let log = app.model.meters[0].traffic.as_ref();
        log.is_some_and(|l| !l.snapshot().is_empty())
    });
    super::kit::frames(&mut w.harness, 3);
    assert!(
        shows(&w.harness, "illegal data address (02)"),
        "exception by name"
    );
    assert!(shows(&w.harness, "No reading yet."));
}

#[test]
fn read_raw_prints_every_register_of_the_simulator_and_of_libmodbus_s_server() {
    let rt = runtime();
    let mut options = MeterOptions::new(2302);
    options.device.settings.ct_ratio = 120;
    let meter = rt.block_on(spawn_meter(options)).unwrap();
    let foreign = Foreign::start(110);
    for (at, ct_raw) in [(meter.modbus, 120u16), (foreign.addr, 16 * 7)] {
        let out = Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(["read", &at.to_string(), "--raw"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 111, "a header and 110 registers:\n{text}");
        let ct = text.lines().find(|l| l.contains("RELACAO_TC")).unwrap();
        let cells: Vec<&str> = ct.split_whitespace().collect();
        assert_eq!(cells[..4], ["16", "RELACAO_TC", "RW", &ct_raw.to_string()]);

        let out = Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(["read", &at.to_string(), "--raw", "--json"])
            .output()
            .unwrap();
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 110);
        assert_eq!(rows[16]["raw"], ct_raw);
        assert_eq!(rows[16]["access"], "read_write");
    }
    drop(rt);
}
