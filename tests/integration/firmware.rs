//! `je08 firmware check` on images built from segments: valid ones pass,
//! each broken kind is refused with the right reason (text and JSON).

use std::path::PathBuf;
use std::process::Command;

use je08_protocol::firmware::{FirmwareVersion, ImageBuilder, MAX_IMAGE_BYTES};

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

mod over_the_network {
    //! Pushing images to the simulator: HTTP and espota, by the client
    //! library and by `je08 flash`; broken images refused by the simulator;
    //! an upload cut half way leaves update mode and a second push succeeds.

    use std::time::Duration;

    use je08_client::ota::{self, OtaError};
    use je08_protocol::http_api::{FACTORY_PASSWORD, Mode, Secret};
    use je08_protocol::registers::addr;
    use tokio::io::AsyncWriteExt;

    use super::{broken_images, image, temp_file};
    use crate::http::{DEADLINE, client, meter};

    fn no_progress(_: u64, _: u64) {}

    #[tokio::test]
    async fn http_push_updates_the_version_everywhere() {
        let m = meter(Mode::Update).await;
        let c = client(&m);
        let before = c.info().await.expect("info");
        let sent = std::sync::Mutex::new(0u64);
        let progress = |done: u64, _total: u64| *sent.lock().expect("lock") = done;
        let version = c
            .push_firmware(image("3.01").into(), &progress)
            .await
            .expect("push");
        assert_eq!(version.map(|v| v.to_string()).as_deref(), Some("3.01"));
        assert_eq!(*sent.lock().expect("lock"), image("3.01").len() as u64);
        let info = c
            .confirm_version(&before, version, DEADLINE)
            .await
            .expect("confirm");
        assert_eq!(
            (info.mode, info.esp_version.as_str()),
            (Mode::Application, "3.01")
        );
        assert_eq!(m.device.registers().get(addr::ESP_VERSION), 301);
    }

    #[tokio::test]
    async fn espota_push_updates_the_version_and_checks_the_password() {
        let m = meter(Mode::Update).await;
        let ota_addr = m.ota.expect("ota served");
        let bytes = image("3.02");
        let err = ota::push(
            ota_addr,
            Some(&Secret::new("wrong password")),
            &bytes,
            &no_progress,
        )
        .await
        .expect_err("wrong password");
        assert!(matches!(err, OtaError::Unauthorized { .. }), "{err}");
        let before = client(&m).info().await.expect("info");
        let version = ota::push(
            ota_addr,
            Some(&Secret::new(FACTORY_PASSWORD)),
            &bytes,
            &no_progress,
        )
        .await
        .expect("push");
        let info = client(&m)
            .confirm_version(&before, version, DEADLINE)
            .await
            .expect("confirm");
        assert_eq!(info.esp_version, "3.02");
        assert_eq!(m.device.registers().get(addr::ESP_VERSION), 302);
    }

    #[tokio::test]
    async fn simulator_refuses_each_broken_kind() {
        let m = meter(Mode::Update).await;
        let url = format!("http://{}/update", m.http.expect("http"));
        let http = reqwest::Client::builder().no_proxy().build().expect("client");
        for (name, bytes, check) in broken_images() {
            let form = reqwest::multipart::Form::new().part(
                "firmware",
                reqwest::multipart::Part::bytes(bytes).file_name("fw.bin"),
            );
            let resp = http
                .post(&url)
                .basic_auth("admin", Some(FACTORY_PASSWORD))
                .multipart(form)
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status(), 200, "{name}");
            let body = resp.text().await.expect("body");
            let label = match check {
                "magic" => "magic byte",
                "segment_count" => "segment count",
                other => other,
            };
            assert!(body.starts_with("Update error: "), "{name}: {body}");
            assert!(body.contains(label), "{name}: {body}");
            assert_eq!(m.device.power_state().mode, Mode::Update, "{name}");
        }
        assert_eq!(m.device.registers().get(addr::ESP_VERSION), 300);
        // And with curl, as a browser form would post it.
        let path = temp_file("curl-bad.bin", &broken_images()[0].1);
        let (body, code) = crate::http::curl(&[
            "-u",
            &format!("admin:{FACTORY_PASSWORD}"),
            "-F",
            &format!("firmware=@{}", path.display()),
            &url,
        ])
        .await;
        assert_eq!(code, "200");
        assert!(body.starts_with("Update error: magic byte"), "{body}");
    }

    #[tokio::test]
    async fn cut_upload_stays_in_update_mode_and_a_second_push_succeeds() {
        let m = meter(Mode::Update).await;
        let addr = m.http.expect("http");
        let bytes = image("3.05");
        let boundary = "je08testboundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"firmware\"; filename=\"fw.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let auth = base64_auth();
        let head = format!(
            "POST /update HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head.as_bytes()).await.expect("head");
        stream.write_all(&body[..body.len() / 2]).await.expect("half");
        stream.flush().await.expect("flush");
        drop(stream);
        let c = client(&m);
        let info = c.info().await.expect("info");
        assert_eq!((info.mode, info.esp_version.as_str()), (Mode::Update, "3.00"));
        let version = c
            .push_firmware(bytes.into(), &no_progress)
            .await
            .expect("second push");
        let info = c
            .confirm_version(&info, version, DEADLINE)
            .await
            .expect("confirm");
        assert_eq!(info.esp_version, "3.05");
    }

    fn base64_auth() -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{FACTORY_PASSWORD}"))
    }

    /// `je08 flash` over each method from application mode (it enters update
    /// mode itself), with the password in the environment and trace logs:
    /// the password appears nowhere in the output.
    #[tokio::test]
    async fn je08_flash_over_each_method_never_shows_the_password() {
        let secret = "Zq9-flash-secret-4711";
        let m = meter(Mode::Application).await;
        m.device.with(|d| {
            d.network.interface_password = Some(Secret::new(secret));
            d.network_saved.interface_password = Some(Secret::new(secret));
        });
        let http = m.http.expect("http").to_string();
        let ota_port = m.ota.expect("ota").port().to_string();
        for (method, version) in [("http", "3.11"), ("espota", "3.12")] {
            let path = temp_file(&format!("flash-{method}.bin"), &image(version));
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
                .args(["--log", "trace", "flash", &http, path.to_str().expect("path")])
                .args(["--method", method, "--ota-port", &ota_port, "--wait-s", "30"])
                .env("JE08_PASSWORD", secret)
                .env("RUST_LOG", "trace")
                .output()
                .await
                .expect("run je08 flash");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{method}: {stdout}\n{stderr}");
            assert!(stdout.contains(&format!("runs firmware {version}")), "{stdout}");
            assert!(stderr.contains("100%"), "no progress shown: {stderr}");
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "password leaked"
            );
            assert_eq!(
                m.device.registers().get(addr::ESP_VERSION),
                je08_protocol::firmware::FirmwareVersion::parse(version)
                    .expect("v")
                    .code()
            );
        }
    }
}
