//! `je08 firmware check` on images built from segments: valid ones pass,
//! each broken kind is refused with the right reason (text and JSON).

use std::path::PathBuf;
use std::process::Command;

use je08::protocol::firmware::{FirmwareVersion, ImageBuilder, MAX_IMAGE_BYTES};

/// A fresh file in the temp dir holding `bytes`.
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("je08-fw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// A valid image carrying `version` (e.g. "3.01").
pub fn image(version: &str) -> Vec<u8> {
    ImageBuilder::new()
        .segment(0x4010_0000, vec![0x11; 256])
        .segment(0x4020_1010, vec![0x22; 1000])
        .version(FirmwareVersion::parse(version).expect("version"))
        .build()
}

/// The broken kinds of the issue, each with the check that must fail.
pub fn broken_images() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut wrong_magic = image("3.01");
    wrong_magic[0] = 0xE8;
    let mut many = ImageBuilder::new();
    for i in 0..17u32 {
        many = many.segment(0x4010_0000 + 16 * i, vec![0; 8]);
    }
    let mut past_end = image("3.01");
    past_end[12..16].copy_from_slice(&50_000u32.to_le_bytes());
    let mut bad_sum = image("3.01");
    bad_sum[20] ^= 0xFF;
    let too_large = ImageBuilder::new()
        .filler(MAX_IMAGE_BYTES + 4096)
        .version(FirmwareVersion::parse("3.09").expect("version"))
        .build();
    vec![
        ("wrong-magic", wrong_magic, "magic"),
        ("17-segments", many.build(), "segment_count"),
        ("past-end", past_end, "segments"),
        ("bad-checksum", bad_sum, "checksum"),
        ("too-large", too_large, "size"),
    ]
}

fn je08(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(args)
        .output()
        .expect("run je08")
}

#[test]
fn check_accepts_a_built_image_and_shows_its_version() {
    let path = temp_file("good.bin", &image("3.01"));
    let out = je08(&["firmware", "check", path.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("version 3.01"), "{text}");
    assert!(text.contains("VALID"), "{text}");
    let out = je08(&["firmware", "check", "--json", path.to_str().expect("utf-8")]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["valid"], true);
    assert_eq!(report["version"], "3.01");
}

#[test]
fn check_refuses_each_broken_kind_with_its_reason() {
    for (name, bytes, check) in broken_images() {
        let path = temp_file(&format!("{name}.bin"), &bytes);
        let out = je08(&["firmware", "check", "--json", path.to_str().expect("utf-8")]);
        assert!(!out.status.success(), "{name} accepted");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(report["valid"], false, "{name}");
        let first_failed = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["ok"] == false)
            .expect("a failed check");
        assert_eq!(first_failed["check"], check, "{name}: {first_failed}");
        let out = je08(&["firmware", "check", path.to_str().expect("utf-8")]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("FAILED") && text.contains("INVALID"),
            "{name}: {text}"
        );
    }
}
