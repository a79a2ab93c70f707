//! Profiles never carry one meter's calibration: a profile saved from a
//! calibrated meter leaves every other meter's gains (registers 9–15) as
//! they are, a per-meter backup is refused by any other device id and
//! restores its own meter's gains only after a confirmation, and a profile
//! written by an earlier version with gains applies without them and says
//! so. Simulated meters over real sockets, driven through `je08 profile`.

use std::path::{Path, PathBuf};
use std::process::Output;

use je08_protocol::registers::addr;
use je08_sim::{MeterOptions, SimMeter, spawn_meter};

use super::commissioning::{args, je08_env};

/// A meter whose gains were calibrated away from the factory ×1.000:
/// GANHO_FREQUENCIA `gain`, GANHO_TENSAO_A `gain + 1`, GANHO_CORRENTE_C
/// `gain + 2`.
async fn calibrated(id: u32, gain: u16) -> SimMeter {
    let mut options = MeterOptions::new(id);
    let gains = &mut options.device.settings.gains;
    gains.frequency = gain;
    gains.voltage.a = gain + 1;
    gains.current.c = gain + 2;
    spawn_meter(options).await.expect("simulator starts")
}

/// Registers 9–15 as the meter holds them.
fn gains(sim: &SimMeter) -> Vec<u16> {
    let regs = sim.device.registers();
    (addr::GANHO_FREQUENCIA..=addr::GANHO_CORRENTE_C)
        .map(|a| regs.get(a))
        .collect()
}

/// The gains `calibrated(_, gain)` gives a meter.
fn calibrated_gains(gain: u16) -> Vec<u16> {
    vec![gain, gain + 1, 1000, 1000, 1000, 1000, gain + 2]
}

/// A fresh directory for this test's files.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("je08-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("directory");
    dir
}

async fn je08(list: &[&str]) -> Output {
    je08_env(args(list), &[]).await
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn path(file: &Path) -> String {
    file.to_string_lossy().to_string()
}

#[tokio::test]
async fn a_profile_from_a_calibrated_meter_leaves_the_other_meters_calibration_untouched() {
    let mut options = MeterOptions::new(3101);
    options.device.settings.ct_ratio = 200;
    options.device.settings.gains.voltage.b = 1040;
    let source = spawn_meter(options).await.expect("simulator starts");
    let target = calibrated(3102, 990).await;
    let dir = dir("profile-gains");
    let file = path(&dir.join("panel.toml"));
    let source_at = source.modbus.to_string();
    let target_at = target.modbus.to_string();

    let out = je08(&["profile", "save", &source_at, &file, "--modbus-only"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("profile (no calibration)"), "{}", text(&out));
    let saved = std::fs::read_to_string(&file).expect("profile written");
    assert!(saved.contains("ct_ratio = 200"), "{saved}");
    assert!(
        !saved.contains("[settings.gains") && !saved.contains("1040") && !saved.contains("backup_of"),
        "a profile holds no calibration:\n{saved}"
    );

    let out = je08(&["profile", "apply", &file, &target_at, "--dry-run"]).await;
    let said = text(&out);
    assert!(said.contains("profile (no calibration)"), "{said}");
    assert!(said.contains("RELACAO_TC") && !said.contains("GANHO"), "{said}");

    let out = je08(&["profile", "apply", &file, &target_at, "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(target.device.registers().get(addr::RELACAO_TC), 200);
    assert_eq!(gains(&target), calibrated_gains(990), "its own calibration kept");
    let _ = std::fs::remove_dir_all(&dir);
    source.shutdown().await;
    target.shutdown().await;
}

#[tokio::test]
async fn a_backup_is_refused_by_another_meter_and_restores_its_own_gains_after_confirmation() {
    let source = calibrated(3103, 1010).await;
    let other = calibrated(3104, 990).await;
    let dir = dir("backup-gains");
    let file = path(&dir.join("meter-3103.toml"));
    let source_at = source.modbus.to_string();
    let other_at = other.modbus.to_string();

    let out = je08(&["profile", "save", &source_at, &file, "--modbus-only", "--backup"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("backup of meter 3103 (with its calibration"),
        "{}",
        text(&out)
    );
    let saved = std::fs::read_to_string(&file).expect("backup written");
    assert!(
        saved.contains("backup_of = 3103") && saved.contains("frequency = 1010"),
        "{saved}"
    );

    let out = je08(&["profile", "apply", &file, &other_at, "--yes"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("this file is the backup of meter 3103 with its calibration, and this is meter 3104")
            && said.contains("nothing was written"),
        "{said}"
    );
    assert_eq!(
        gains(&other),
        calibrated_gains(990),
        "the other meter is untouched"
    );

    // The meter's gains are lost (a factory reset of its parameters).
    source
        .device
        .write(addr::GANHO_FREQUENCIA, &[1000; 7])
        .expect("factory gains");
    let out = je08(&["profile", "apply", &file, &source_at, "--dry-run"]).await;
    let said = text(&out);
    assert!(
        said.contains(
            "backup of meter 3103 (with its calibration: GANHO_FREQUENCIA 1010, GANHO_TENSAO_A 1011, \
             GANHO_CORRENTE_A 1000, GANHO_TENSAO_B 1000, GANHO_CORRENTE_B 1000, GANHO_TENSAO_C 1000, \
             GANHO_CORRENTE_C 1012)"
        ) && said.contains("would change"),
        "{said}"
    );
    // Without a terminal to answer the question and without --yes: refused.
    let out = je08(&["profile", "apply", &file, &source_at]).await;
    assert_eq!(out.status.code(), Some(5), "refused: {}", text(&out));
    assert!(text(&out).contains("add --yes to confirm"), "{}", text(&out));
    assert_eq!(gains(&source), vec![1000; 7], "nothing written unconfirmed");

    let out = je08(&["profile", "apply", &file, &source_at, "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(gains(&source), calibrated_gains(1010), "its calibration restored");
    let _ = std::fs::remove_dir_all(&dir);
    source.shutdown().await;
    other.shutdown().await;
}

/// A profile as an earlier version wrote it: format 2, gains included.
const OLD_PROFILE: &str = r#"
[meta]
format = 2
source_device_id = 42
saved_at = "2026-01-01T00:00:00Z"
description = "written by an earlier version"

[settings]
ct_ratio = 300
ct_primary_a = 1500

[settings.invert]
a = false
b = true
c = false

[settings.gains]
frequency = 1234

[settings.gains.voltage]
a = 1100
b = 1100
c = 1100

[settings.gains.current]
a = 1200
b = 1200
c = 1200
"#;

#[tokio::test]
async fn an_old_profile_with_gains_applies_without_touching_gains_and_says_so() {
    let target = calibrated(3105, 990).await;
    let dir = dir("old-profile-gains");
    let file = dir.join("old.toml");
    std::fs::write(&file, OLD_PROFILE).expect("old profile");
    let file = path(&file);
    let target_at = target.modbus.to_string();
    let ignored = "the calibration gains in this file were ignored: it is a profile for other meters, \
                   and gains correct one meter's own hardware";

    let out = je08(&["profile", "apply", &file, &target_at, "--dry-run"]).await;
    let said = text(&out);
    assert!(
        said.contains("profile (no calibration)") && said.contains(ignored),
        "{said}"
    );
    assert!(said.contains("RELACAO_TC") && !said.contains("GANHO"), "{said}");

    let out = je08(&["profile", "apply", &file, &target_at, "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(ignored), "{}", text(&out));
    let regs = target.device.registers();
    assert_eq!(
        (regs.get(addr::RELACAO_TC), regs.get(addr::INVERTE_TC_FASE_B)),
        (300, 1)
    );
    assert_eq!(gains(&target), calibrated_gains(990), "no gain written");
    let _ = std::fs::remove_dir_all(&dir);
    target.shutdown().await;
}
