//! Broker passwords never reach the output nor the runs' log files, even
//! at `--log trace`: given with `--mqtt-password` (right or wrong) to `je08
//! mqtt watch`, `je08 sim` and `je08 discover`, or typed into a broker URL
//! (`user:password@`), which is refused with the password replaced by `***`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::mqtt::{BrokerSetup, Mosquitto, SOON, TempDir};

const USER: &str = "meter";
const PASSWORD: &str = "Hunter2-broker-7731";
const WRONG: &str = "Wr0ng-broker-guess-5150";

/// A `je08 --log trace …` child whose stdout and stderr go to files.
struct Traced {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Traced {
    fn start(dir: &TempDir, name: &str, args: &[&str]) -> Self {
        let out = dir.0.join(format!("{name}.out"));
        let err = dir.0.join(format!("{name}.err"));
        let child = Command::new(env!("CARGO_BIN_EXE_je08"))
            .args(["--log", "trace"])
            .args(args)
            .env_remove("JE08_MQTT_PASSWORD")
            .env("JE08_DATA_DIR", dir.0.join("data"))
            .env("JE08_LOG_DIR", dir.0.join("logs"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"))
            .spawn()
            .expect("je08 starts");
        Self { child, out, err }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// Everything said so far, both streams.
    fn said(&self) -> String {
        format!(
            "{}{}",
            self.stdout(),
            std::fs::read_to_string(&self.err).unwrap_or_default()
        )
    }

    /// Wait until the output holds `needle` (fails after `SOON`).
    fn wait_for(&self, needle: &str) {
        let end = Instant::now() + SOON;
        while !self.said().contains(needle) {
            assert!(Instant::now() < end, "no {needle:?} in time: {}", self.said());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Wait for the end of a command that ends by itself; its status.
    fn finish(&mut self) -> Option<i32> {
        let end = Instant::now() + SOON;
        loop {
            if let Some(status) = self.child.try_wait().expect("status") {
                return status.code();
            }
            assert!(Instant::now() < end, "did not finish in time: {}", self.said());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Traced {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_silent(what: &str, said: &str) {
    assert!(!said.is_empty(), "{what}: trace output expected");
    for secret in [PASSWORD, WRONG] {
        assert!(!said.contains(secret), "{what} printed a password: {said}");
    }
}

#[test]
fn broker_passwords_never_print_at_log_trace() {
    let broker = Mosquitto::start(&BrokerSetup {
        password: Some((USER.into(), PASSWORD.into())),
        ..BrokerSetup::default()
    });
    let url = broker.url(false).to_string();
    let dir = TempDir::new("secrets");
    let login = ["--broker", &url, "--user", USER, "--mqtt-password", PASSWORD];

    let mut args = vec!["mqtt", "watch"];
    args.extend(login);
    let watch = Traced::start(&dir, "watch", &args);
    watch.wait_for("connected to");
    let mut args = vec!["sim", "--id", "4711"];
    args.extend(super::kit::FREE_PORTS);
    args.extend(["--interval", "1"]);
    args.extend(login);
    let sim = Traced::start(&dir, "sim", &args);
    watch.wait_for("meter 4711");
    let mut args = vec!["discover", "--no-mdns", "--timeout", "2", "--json"];
    args.extend(login);
    let mut discover = Traced::start(&dir, "discover", &args);
    assert_eq!(discover.finish(), Some(0), "{}", discover.said());
    assert!(discover.stdout().contains("4711"), "{}", discover.said());
    for (what, run) in [("mqtt watch", &watch), ("sim", &sim), ("discover", &discover)] {
        assert_silent(what, &run.said());
    }

    let args = [
        "mqtt",
        "watch",
        "--broker",
        &url,
        "--user",
        USER,
        "--mqtt-password",
        WRONG,
    ];
    let mut refused = Traced::start(&dir, "wrong", &args);
    assert_ne!(refused.finish(), Some(0), "{}", refused.said());
    // Mosquitto answers a wrong password with "not authorized".
    assert!(
        refused.said().contains("check --user and --mqtt-password"),
        "{}",
        refused.said()
    );
    assert_silent("a wrong password", &refused.said());

    let in_url = format!("mqtt://{USER}:{PASSWORD}@127.0.0.1:{}", broker.port);
    for args in [
        vec!["mqtt", "watch", "--broker", &in_url],
        vec!["discover", "--no-mdns", "--timeout", "1", "--broker", &in_url],
        vec!["sim", "--modbus-port", "0", "--broker", &in_url],
    ] {
        let mut run = Traced::start(&dir, "url", &args);
        assert_eq!(run.finish(), Some(2), "{args:?}: {}", run.said());
        let said = run.said();
        assert_silent(&format!("{args:?}"), &said);
        assert!(
            said.contains(&format!(
                "'mqtt://{USER}:***@127.0.0.1:{}' is not a broker URL",
                broker.port
            )) && said.contains("a user and password go in their own fields"),
            "{args:?}: {said}"
        );
    }
    drop((watch, sim));
    let logs = je08::support::log_file::log_files(&dir.0.join("logs"));
    assert!(logs.len() >= 4, "a log file per run that logged: {logs:?}");
    for log in logs {
        let text = std::fs::read_to_string(&log).expect("the log file reads");
        assert_silent(&log.display().to_string(), &text);
    }
}

#[test]
fn the_window_keeps_no_password_typed_into_the_broker_url() {
    use egui_kittest::kittest::Queryable as _;

    let (_rt, mut harness) = super::ui::english_window();
    super::kit::click(&mut harness, "MQTT broker");
    let typed = format!("mqtt://{USER}:{PASSWORD}@127.0.0.1:1883");
    // What typing into the URL field does (two widgets carry its name).
    harness.state_mut().view.mqtt.form.url = typed.clone();
    super::kit::frames(&mut harness, 3);
    let said = "'mqtt://meter:***@127.0.0.1:1883' is not a broker URL \
                (a user and password go in their own fields, not in the URL)";
    harness.get_by_label_contains(said);
    let app = harness.state();
    let kept = app.prefs().broker_url;
    assert_eq!(kept, "mqtt://meter:***@127.0.0.1:1883");
    assert!(!format!("{:?}", app.view.mqtt).contains(PASSWORD));
    assert!(app.view.mqtt.connect_command().is_none(), "nothing is sent");
}
