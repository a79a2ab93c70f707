//! Certificates as people make them: the OpenSSL one-liners of Mosquitto's
//! mosquitto-tls page (an `-extensions v3_ca` CA; broker and client
//! certificates signed by `openssl x509 -req` without `-extfile`, so X.509
//! v1 without a subjectAltName), keys from `openssl genrsa`, legacy
//! `BEGIN RSA PRIVATE KEY` ones and passphrase-locked ones. They pass the
//! pre-flight, upload, and work against a real Mosquitto in je08's client,
//! the simulator's client and `je08 mqtt watch`; what je08 still refuses is
//! said in words naming the file.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use je08_client::mqtt::{Monitor, MonitorEvent, MonitorOptions};
use je08_net::mqtt_link::{LinkError, LinkOptions};
use je08_protocol::http_api::Mode;

use super::commissioning::{PASSWORD, both, http_options, je08_env, pdf_text};
use super::http::{DEADLINE, client};
use super::mqtt::{BrokerSetup, Mosquitto, SOON, TempDir, link_as, tls, tls_login};

const CA_PASSPHRASE: &str = "ca-passphrase";

/// A CA made as mosquitto-tls says, in a scratch directory.
struct OpensslPki {
    dir: TempDir,
}

fn openssl(dir: &TempDir, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl OpensslPki {
    /// `openssl req -new -x509 -days 365 -extensions v3_ca -keyout ca.key -out ca.crt`.
    fn new(ca_name: &str) -> Self {
        let dir = TempDir::new("openssl-pki");
        let subject = format!("/CN={ca_name}");
        let passout = format!("pass:{CA_PASSPHRASE}");
        openssl(
            &dir,
            &[
                "req",
                "-new",
                "-x509",
                "-days",
                "365",
                "-extensions",
                "v3_ca",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                &subject,
                "-passout",
                &passout,
            ],
        );
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.0.join(name)
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("readable")
    }

    /// `openssl genrsa -out NAME.key 2048` (with `genrsa_extra`, e.g.
    /// `-traditional`), `openssl req -out NAME.csr -key NAME.key -new`,
    /// `openssl x509 -req -in NAME.csr -CA ca.crt -CAkey ca.key
    /// -CAcreateserial -out NAME.crt -days 365`.
    fn sign(&self, name: &str, common_name: &str, genrsa_extra: &[&str]) -> (PathBuf, PathBuf) {
        self.sign_with(name, common_name, genrsa_extra, None)
    }

    /// [`sign`](Self::sign), with `-extfile` holding `extensions` when
    /// given (an X.509 v3 certificate).
    fn sign_with(
        &self,
        name: &str,
        common_name: &str,
        genrsa_extra: &[&str],
        extensions: Option<&str>,
    ) -> (PathBuf, PathBuf) {
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        let mut genrsa = vec!["genrsa", "-out", &key];
        genrsa.extend(genrsa_extra);
        genrsa.push("2048");
        openssl(&self.dir, &genrsa);
        let subject = format!("/CN={common_name}");
        let mut req = vec!["req", "-out", &csr, "-key", &key, "-new", "-subj", &subject];
        // A passphrase-locked key is unlocked with the passphrase it was given.
        if let Some(i) = genrsa_extra.iter().position(|a| *a == "-passout") {
            req.extend(["-passin", genrsa_extra[i + 1]]);
        }
        openssl(&self.dir, &req);
        let passin = format!("pass:{CA_PASSPHRASE}");
        let extfile = extensions.map(|text| self.dir.write(&format!("{name}.ext"), text));
        let extfile = extfile.as_ref().map(|p| p.display().to_string());
        let mut x509 = vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "365",
            "-passin",
            &passin,
        ];
        if let Some(extfile) = &extfile {
            x509.extend(["-extfile", extfile]);
        }
        openssl(&self.dir, &x509);
        (self.path(&crt), self.path(&key))
    }

    /// A broker whose certificate, for 127.0.0.1, this CA signed.
    fn broker(&self, require_certificate: bool) -> BrokerSetup {
        let (crt, key) = self.sign("server", "127.0.0.1", &[]);
        BrokerSetup {
            tls: Some((
                self.text("ca.crt"),
                std::fs::read_to_string(crt).expect("server.crt"),
                std::fs::read_to_string(key).expect("server.key"),
            )),
            require_certificate,
            ..BrokerSetup::default()
        }
    }
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).expect("readable")
}

/// `je08 certs check` of a CA and a client pair.
fn certs_check(ca: &PathBuf, cert: &PathBuf, key: &PathBuf) -> Output {
    Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["certs", "check", "--ca"])
        .arg(ca)
        .arg("--cert")
        .arg(cert)
        .arg("--key")
        .arg(key)
        .stdin(Stdio::null())
        .output()
        .expect("je08 runs")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Options for je08's own client of `broker` with the CA and client pair.
fn doc_login(broker: &Mosquitto, ca: &str, identity: Option<(&PathBuf, &PathBuf)>) -> LinkOptions {
    let identity = identity.map(|(c, k)| (read(c), read(k)));
    link_as(tls_login(broker.url(true), tls(ca, identity.as_ref())))
}

/// The first DATA packet's device id, or the link's error.
async fn first_data(opts: LinkOptions) -> Result<String, LinkError> {
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    tokio::time::timeout(SOON, async {
        loop {
            match events.recv().await {
                Ok(MonitorEvent::Data { id, .. }) => return Ok(id),
                Ok(MonitorEvent::Down { error, .. }) if error.needs_configuration() => return Err(error),
                _ => {}
            }
        }
    })
    .await
    .expect("DATA or a configuration error in time")
}

#[test]
fn mosquitto_doc_certificates_and_legacy_keys_pass_the_preflight() {
    let pki = OpensslPki::new("Site CA");
    let (crt, key) = pki.sign("client", "meter 1", &[]);
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&crt)
        .output()
        .expect("openssl x509 -text");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Version: 1 (0x0)"), "a v1 certificate: {text}");
    assert!(!text.contains("Subject Alternative Name"), "{text}");
    let out = certs_check(&pki.path("ca.crt"), &crt, &key);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("ok: the meter can use these files"),
        "{}",
        said(&out)
    );

    let (crt, key) = pki.sign("legacy", "meter 2", &["-traditional"]);
    assert!(read(&key).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let out = certs_check(&pki.path("ca.crt"), &crt, &key);
    assert!(out.status.success(), "{}", said(&out));
}

#[test]
fn a_v1_certificate_of_another_ca_with_the_same_name_is_refused() {
    let site = OpensslPki::new("Site CA");
    let impostor = OpensslPki::new("Site CA");
    let (crt, key) = impostor.sign("client", "meter 1", &[]);
    let out = certs_check(&site.path("ca.crt"), &crt, &key);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let expected = format!(
        "{} is not signed by the CA in {}.",
        crt.display(),
        site.path("ca.crt").display()
    );
    assert!(said(&out).contains(&expected), "{}", said(&out));
}

#[test]
fn passphrase_locked_keys_are_refused_in_words_naming_the_file() {
    let pki = OpensslPki::new("Site CA");
    for extra in [
        &["-aes256", "-passout", "pass:locked"][..],
        &["-traditional", "-aes256", "-passout", "pass:locked"][..],
    ] {
        let (crt, key) = pki.sign("locked", "meter 1", extra);
        let out = certs_check(&pki.path("ca.crt"), &crt, &key);
        let words = said(&out);
        assert_eq!(out.status.code(), Some(1), "{words}");
        let expected = format!(
            "problem: {0} is a private key locked with a passphrase, which the meter cannot unlock: \
             write it out without one (openssl pkey -in {0} -out plain.key)",
            key.display()
        );
        assert!(words.contains(&expected), "{extra:?}: {words}");
        for library in ["Other(", "base64", "no PEM section"] {
            assert!(!words.contains(library), "{extra:?}: {words}");
        }
    }
}

#[tokio::test]
async fn doc_certificates_work_with_mosquitto_in_every_client() {
    let pki = OpensslPki::new("Site CA");
    let broker = Mosquitto::start(&pki.broker(true));
    let ca = pki.text("ca.crt");
    let (meter_crt, meter_key) = pki.sign("meter", "meter 2303", &["-traditional"]);
    let (tool_crt, tool_key) = pki.sign("tool", "je08", &[]);

    // The meter's slots, through `je08 certs upload` (pre-flight first).
    let sim = tokio::time::timeout(SOON, je08_sim::spawn_meter(http_options(2303)))
        .await
        .expect("in time")
        .expect("simulator starts");
    let http = client(&sim);
    http.switch_mode(Mode::Configuration, DEADLINE)
        .await
        .expect("configuration mode");
    let host = format!("127.0.0.1:{}", sim.http.expect("HTTP served").port());
    let upload = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args(["certs", "upload", &host, "--ca"])
        .arg(pki.path("ca.crt"))
        .arg("--cert")
        .arg(&meter_crt)
        .arg("--key")
        .arg(&meter_key)
        .env(PASSWORD.0, PASSWORD.1)
        .stdin(Stdio::null())
        .output();
    let out = tokio::time::timeout(SOON, upload)
        .await
        .expect("upload in time")
        .expect("je08 runs");
    assert!(out.status.success(), "{}", said(&out));
    super::sim_mqtt_settings::use_tls_broker(&http, broker.port).await;
    http.switch_mode(Mode::Application, DEADLINE)
        .await
        .expect("application mode");

    // je08's own client (the MQTT view, the report's check) sees the
    // simulator's DATA: both v1 certificates were accepted.
    let id = first_data(doc_login(&broker, &ca, Some((&tool_crt, &tool_key))))
        .await
        .expect("je08's client connects");
    assert_eq!(id, "2303");
    assert_eq!(
        sim.mqtt.stats().reconnects(),
        0,
        "{:?}",
        sim.mqtt.stats().last_error()
    );

    // `je08 mqtt watch` with the same files.
    let watch = tokio::process::Command::new(env!("CARGO_BIN_EXE_je08"))
        .args([
            "mqtt",
            "watch",
            "--json",
            "--broker",
            &broker.url(true).to_string(),
            "--ca",
        ])
        .arg(pki.path("ca.crt"))
        .arg("--cert")
        .arg(&tool_crt)
        .arg("--key")
        .arg(&tool_key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("je08 mqtt watch starts");
    let mut lines =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(watch.stdout.expect("stdout piped")));
    let line = tokio::time::timeout(SOON, lines.next_line())
        .await
        .expect("a line in time")
        .expect("stdout readable")
        .expect("a DATA line from je08 mqtt watch");
    let json: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(json["device"], "2303", "{json}");

    // The commissioning report's MQTT check, through the same broker.
    let pdf = pki.path("report.pdf");
    let mut list: Vec<String> = ["report", &both(&sim), "--samples", "4", "--interval", "250"]
        .map(String::from)
        .to_vec();
    list.extend(["--mqtt-wait-s", "10", "--broker", &broker.url(true).to_string()].map(String::from));
    for (flag, path) in [
        ("--ca", pki.path("ca.crt")),
        ("--cert", tool_crt),
        ("--key", tool_key),
    ] {
        list.extend([flag.to_owned(), path.display().to_string()]);
    }
    list.extend(["--out".to_owned(), pdf.display().to_string()]);
    let out = tokio::time::timeout(Duration::from_secs(90), je08_env(list, &[PASSWORD]))
        .await
        .expect("the report finishes within its deadlines");
    let text = pdf_text(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("MQTT: seen"), "{}\n{text}", said(&out));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_v1_broker_certificate_is_still_checked() {
    let pki = OpensslPki::new("Site CA");
    let broker = Mosquitto::start(&pki.broker(false));
    let impostor = OpensslPki::new("Site CA");
    let wrong_ca = first_data(doc_login(&broker, &impostor.text("ca.crt"), None)).await;
    assert!(matches!(wrong_ca, Err(LinkError::UnknownCa(_))), "{wrong_ca:?}");

    let by_name = format!("mqtts://localhost:{}", broker.port).parse().expect("URL");
    let opts = link_as(tls_login(by_name, tls(&pki.text("ca.crt"), None)));
    let wrong_name = first_data(opts).await;
    assert!(
        matches!(wrong_name, Err(LinkError::WrongName { .. })),
        "{wrong_name:?}"
    );
}

#[test]
fn the_ca_certificate_given_as_the_client_certificate_is_named() {
    let pki = OpensslPki::new("Site CA");
    let (_, key) = pki.sign("client", "meter 1", &[]);
    let out = certs_check(&pki.path("ca.crt"), &pki.path("ca.crt"), &key);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let expected = format!(
        "{} is a CA certificate (basicConstraints CA:TRUE), not a client certificate",
        pki.path("ca.crt").display()
    );
    assert!(said(&out).contains(&expected), "{}", said(&out));
    assert!(!said(&out).contains("Other("), "{}", said(&out));
}

#[tokio::test]
async fn a_broker_certificate_without_subject_alt_name_is_matched_by_its_cn() {
    let pki = OpensslPki::new("Site CA");
    let extensions = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    let (crt, key) = pki.sign_with("server-v3", "127.0.0.1", &[], Some(extensions));
    let text = String::from_utf8_lossy(
        &Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in"])
            .arg(&crt)
            .output()
            .expect("openssl x509 -text")
            .stdout,
    )
    .into_owned();
    assert!(
        text.contains("Version: 3 (0x2)") && !text.contains("Subject Alternative Name"),
        "{text}"
    );
    let broker = Mosquitto::start(&BrokerSetup {
        tls: Some((pki.text("ca.crt"), read(&crt), read(&key))),
        ..BrokerSetup::default()
    });
    let opts = link_as(tls_login(broker.url(true), tls(&pki.text("ca.crt"), None)));
    let monitor = Monitor::start(MonitorOptions::new(opts));
    let mut events = monitor.subscribe();
    let first = tokio::time::timeout(SOON, async {
        loop {
            match events.recv().await {
                Ok(MonitorEvent::Connected) => return Ok(()),
                Ok(MonitorEvent::Down { error, .. }) => return Err(error),
                _ => {}
            }
        }
    })
    .await
    .expect("connected or refused in time");
    assert_eq!(first, Ok(()), "the CN names 127.0.0.1");
}

#[test]
fn a_certificate_signed_over_sha1_is_refused_in_words() {
    let pki = OpensslPki::new("Site CA");
    let (_, key) = pki.sign("client", "meter 1", &[]);
    let passin = format!("pass:{CA_PASSPHRASE}");
    let signed = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            out,
            "-days",
            "365",
            "-sha1",
            "-passin",
            &passin,
        ];
        args.extend(extra);
        openssl(&pki.dir, &args);
        pki.path(out)
    };
    let ext = pki.dir.write("v3.ext", "basicConstraints=CA:FALSE\n");
    let ext = ext.display().to_string();
    for crt in [
        signed("sha1-v1.crt", &[]),
        signed("sha1-v3.crt", &["-extfile", &ext]),
    ] {
        let out = certs_check(&pki.path("ca.crt"), &crt, &key);
        let words = said(&out);
        assert_eq!(out.status.code(), Some(1), "{words}");
        let expected = format!(
            "{} is signed over SHA-1 or MD5, which je08 does not trust: sign it again with SHA-256",
            crt.display()
        );
        assert!(words.contains(&expected), "{words}");
        assert!(!words.contains("Unsupported"), "{words}");
    }
}
