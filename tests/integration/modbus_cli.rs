//! `je08 read`, `je08 set` and `je08 reset-energy` run as processes against
//! the `je08 sim` binary: output, exit status, and nothing changed on refusal.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub use crate::kit::SimProcess;

/// Run `je08 <args>` with stdin closed.
pub fn je08(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("je08 runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `je08 read --json` of the simulator, parsed.
fn read_json(addr: &str) -> Value {
    let out = je08(&["read", addr, "--json", "--timeout", "5000"]);
    assert!(out.status.success(), "read failed: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("read --json prints JSON")
}

#[test]
fn read_prints_the_documented_json_and_a_table() {
    let sim = SimProcess::start(&["--id", "4242"]);
    let json = read_json(&sim.modbus);
    assert_eq!(json["device"]["id"], 4242);
    assert_eq!(json["device"]["wifi_mode"], "station");
    assert_eq!(json["settings"]["ct_ratio"], 100);
    assert_eq!(json["settings"]["ct_primary_a"], 500);
    for key in ["a", "b", "c", "total"] {
        assert!(json["active_power_kw"][key].is_number(), "active_power_kw.{key}");
    }
    for key in ["ab", "bc", "ca", "mean"] {
        assert!(json["line_voltage_v"][key].is_number(), "line_voltage_v.{key}");
    }
    assert!(json["device"]["reset_reason"].is_array());
    assert!(json.get("temperature_c").is_some());
    assert!(json["settings"]["gains"]["voltage"]["a"].is_number());

    let out = je08(&["read", &sim.modbus]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    for needle in [
        "4242",
        "Voltage (V)",
        "Power factor",
        "Energy (kWh)",
        "500 A : 5 A",
        "Last reset",
    ] {
        assert!(table.contains(needle), "missing {needle}:\n{table}");
    }
}

#[test]
fn set_changes_reports_and_reads_back() {
    let sim = SimProcess::start(&[]);
    let out = je08(&["set", &sim.modbus, "--ct-primary", "750", "--invert-c", "on"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("CT ratio") && stdout.contains("100 -> 150"),
        "{stdout}"
    );
    assert!(
        stdout.contains("invert CT C") && stdout.contains("changed"),
        "{stdout}"
    );
    assert!(stdout.contains("saved"), "{stdout}");
    let json = read_json(&sim.modbus);
    assert_eq!(json["settings"]["ct_ratio"], 150);
    assert_eq!(json["settings"]["invert"]["c"], true);
}

#[test]
fn set_refuses_a_bad_value_before_writing_anything() {
    let sim = SimProcess::start(&[]);
    let before = read_json(&sim.modbus)["settings"].clone();
    let out = je08(&[
        "set",
        &sim.modbus,
        "--ct-ratio",
        "150",
        "--gain-voltage-a",
        "1600",
    ]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--gain-voltage-a 1600"), "{stderr}");
    assert!(stderr.contains("500–1500"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        read_json(&sim.modbus)["settings"],
        before,
        "a refused set changed the meter"
    );

    let out = je08(&["set", &sim.modbus, "--ct-primary", "502"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("multiple of 5"));
}

#[test]
fn reset_energy_needs_yes_without_a_terminal() {
    let sim = SimProcess::start(&["--time-scale", "3600"]);
    let out = je08(&["reset-energy", &sim.modbus, "--kwh"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--yes") && stderr.contains("not a terminal"),
        "{stderr}"
    );

    let out = je08(&["reset-energy", &sim.modbus, "--all", "--yes"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("kWh") && stdout.contains("kVArh"), "{stdout}");

    let out = je08(&["reset-energy", &sim.modbus]);
    assert!(!out.status.success(), "one of --kwh, --kvarh, --all is required");
}

#[test]
fn an_unreachable_meter_is_a_clear_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let out = je08(&["read", &addr]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&addr) && stderr.contains("refused"), "{stderr}");
}
