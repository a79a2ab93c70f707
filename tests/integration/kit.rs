//! Driving the configurator under egui_kittest, shared by the UI test
//! modules: run frames until a condition holds (with a deadline), click a
//! widget by its label, replace or empty the text of a field; and a
//! `je08 sim` process for the tests that drive the command line.

use std::time::{Duration, Instant};

use eframe::egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use je08::ui::app::ConfiguratorApp;

/// The app under test.
pub type AppHarness = Harness<'static, ConfiguratorApp>;

/// Run frames until `done` holds; fail after 30 s naming `what`.
pub fn step_until(harness: &mut AppHarness, what: &str, done: impl Fn(&ConfiguratorApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; jobs: {:#?}",
            harness.state().model.jobs
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    frames(harness, 3);
}

/// Run `n` frames.
pub fn frames(harness: &mut AppHarness, n: usize) {
    for _ in 0..n {
        harness.step();
    }
}

/// Click the widget named `label` and let the app react.
pub fn click(harness: &mut AppHarness, label: &str) {
    harness.get_by_label(label).click();
    frames(harness, 3);
}

/// Replace the text of the field named `label`.
pub fn type_into(harness: &mut AppHarness, label: &str, text: &str) {
    select_all(harness, label);
    harness.get_by_label(label).type_text(text);
    frames(harness, 3);
}

/// Empty the field named `label`, as select-all and Backspace would.
pub fn clear(harness: &mut AppHarness, label: &str) {
    select_all(harness, label);
    harness.key_press(Key::Backspace);
    frames(harness, 3);
}

fn select_all(harness: &mut AppHarness, label: &str) {
    harness.get_by_label(label).click();
    frames(harness, 2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    frames(harness, 1);
}

/// `je08 sim` arguments that put every server of the meter on a free port.
pub const FREE_PORTS: [&str; 6] = ["--modbus-port", "0", "--http-port", "0", "--ota-port", "0"];

/// A `je08 sim` child process and the addresses its ready line gave,
/// killed when dropped.
pub struct SimProcess {
    /// The process (its stderr is whatever the command set).
    pub child: std::process::Child,
    /// `IP:PORT` of its Modbus server.
    pub modbus: String,
    /// `IP:PORT` of its HTTP API.
    pub http: String,
}

impl SimProcess {
    /// Start `je08 sim` on free ports with `extra` options, stdin closed and
    /// stderr inherited, and wait for its ready line.
    pub fn start(extra: &[&str]) -> Self {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_je08"));
        command
            .arg("sim")
            .args(FREE_PORTS)
            .args(extra)
            .stdin(std::process::Stdio::null());
        Self::spawn(command)
    }

    /// Spawn `command`, a `je08 sim` command line, with its stdout piped,
    /// and wait for its ready line.
    pub fn spawn(mut command: std::process::Command) -> Self {
        use std::io::BufRead as _;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("je08 sim starts");
        let mut line = String::new();
        // Blocks until the line arrives or the child exits (EOF).
        std::io::BufReader::new(child.stdout.take().expect("stdout piped"))
            .read_line(&mut line)
            .expect("read the ready line");
        // Killed on drop even when the ready line is not what is expected.
        let mut sim = Self {
            child,
            modbus: String::new(),
            http: String::new(),
        };
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line is JSON ({e}): {line:?}"));
        assert_eq!(ready["event"], "ready", "{line}");
        let address = |key: &str| ready[key].as_str().expect(key).to_string();
        sim.modbus = address("modbus");
        sim.http = address("http");
        sim
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
