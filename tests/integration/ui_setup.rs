//! "Set up new meters" in the window (egui_kittest), against factory
//! meters over real sockets: a batch of three meters in a row, each found
//! on its access point, given the plant Wi-Fi, a name from the template, a
//! new interface password and a hand-written profile, found again on the
//! plant network by a scan and added to the meters list; in Portuguese, a
//! wrong Wi-Fi password says what the LED shows and how to recover, and the
//! button recovery then a second try succeed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use je08::backend::Backend;
use je08::backend::commissioning::CommFile;
use je08::backend::modbus_link::default_connector;
use je08::i18n::{Lang, Tr};
use je08::state::commission::Intent;
use je08::state::intent::Action;
use je08::state::prefs::Prefs;
use je08::state::setup::Stage;
use je08::ui::app::ConfiguratorApp;
use je08_client::http::{HttpError, MeterHttp};
use je08_protocol::http_api::{FACTORY_PASSWORD, Secret, factory_ssid};
use je08_protocol::registers::addr;
use je08_sim::{SimMeter, spawn_meter};

use super::commissioning::pdf_text;
use super::discovery::{random_id, random_loopback};
use super::kit::{AppHarness, click, frames, step_until, type_into};
use super::sim_wifi::{PLANT_PASSWORD, factory_options};

const NEW_PASSWORD: &str = "batch-interface-pass-42";

/// The plant: an access point address shared by every meter of the batch,
/// one lease per meter, all inside one /29.
struct Plant {
    net: Ipv4Addr,
    ap: IpAddr,
    leases: [IpAddr; 3],
}

fn plant() -> Plant {
    let [_, b, c, _] = random_loopback().octets();
    let at = |d| IpAddr::V4(Ipv4Addr::new(127, b, c, d));
    Plant {
        net: Ipv4Addr::new(127, b, c, 0),
        ap: at(2),
        leases: [at(3), at(4), at(5)],
    }
}

struct Bench {
    rt: tokio::runtime::Runtime,
    harness: AppHarness,
    plant: Plant,
}

impl Bench {
    fn new(lang: Lang) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
        let prefs = Prefs {
            lang: Some(lang),
            ..Prefs::default()
        };
        let harness = Harness::builder()
            .with_size(egui::vec2(1500.0, 1300.0))
            .with_accessibility_check(false)
            .build_ui_state(
                |ui, app: &mut ConfiguratorApp| app.frame_ui(ui),
                ConfiguratorApp::new(backend, prefs),
            );
        Self {
            rt,
            harness,
            plant: plant(),
        }
    }

    /// A factory meter on the batch's access point, leasing the n-th
    /// address; every meter of the batch on the first one's ports.
    fn power_on(&self, n: usize, first: Option<&SimMeter>) -> SimMeter {
        let mut options = factory_options(random_id(), self.plant.ap, self.plant.leases[n]);
        if let Some(first) = first {
            options.http_port = first.http.map(|a| a.port());
            options.modbus_port = first.modbus.port();
        }
        self.rt.block_on(spawn_meter(options)).expect("spawn meter")
    }

    fn stage(&self) -> &Stage {
        &self.harness.state().view.setup.stage
    }

    fn until(&mut self, what: &str, done: impl Fn(&Stage) -> bool) {
        step_until(&mut self.harness, what, |app| done(&app.view.setup.stage));
    }

    /// Fill the batch's answers in, as a person types them.
    fn answer(&mut self, labels: &Labels, first: &SimMeter, wifi_password: &str) {
        let ap = SocketAddr::new(self.plant.ap, first.http.expect("http").port());
        let scan = format!("{}/29:{}", self.plant.net, first.modbus.port());
        type_into(&mut self.harness, labels.ap, &ap.to_string());
        type_into(&mut self.harness, labels.ssid, "PLANT");
        type_into(&mut self.harness, labels.wifi_password, wifi_password);
        type_into(&mut self.harness, labels.new_password, NEW_PASSWORD);
        type_into(&mut self.harness, labels.scan, &scan);
        self.harness.state_mut().view.setup.form.wait_s = 20;
        frames(&mut self.harness, 2);
    }

    /// Look for the meter in hand and wait until it is found.
    fn look(&mut self, label: &str, id: u32) {
        click(&mut self.harness, label);
        self.until("the meter on its access point", |s| matches!(s, Stage::Found(_)));
        let Stage::Found(info) = self.stage() else {
            unreachable!()
        };
        assert_eq!(info.id, id);
    }
}

/// The labels of the wizard in one language.
struct Labels {
    page: &'static str,
    ap: &'static str,
    ssid: &'static str,
    wifi_password: &'static str,
    new_password: &'static str,
    scan: &'static str,
    look: &'static str,
    start: &'static str,
    next: &'static str,
    retry: &'static str,
}

const EN: Labels = Labels {
    page: "Set up new meters",
    ap: "Meter's address on its own network",
    ssid: "Plant Wi-Fi network (SSID)",
    wifi_password: "Plant Wi-Fi password",
    new_password: "New interface password",
    scan: "Scan range",
    look: "Look for the meter",
    start: "Set up this meter",
    next: "Next meter",
    retry: "Try again",
};

const PT: Labels = Labels {
    page: "Configurar medidores novos",
    ap: "Endereço do medidor na rede dele",
    ssid: "Rede Wi-Fi da planta (SSID)",
    wifi_password: "Senha do Wi-Fi da planta",
    new_password: "Nova senha da interface",
    scan: "Faixa de varredura",
    look: "Procurar o medidor",
    start: "Configurar este medidor",
    next: "Próximo medidor",
    retry: "Tentar de novo",
};

/// Some label shows `text`.
fn shows(harness: &AppHarness, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// `password` opens the meter's HTTP API at `at` (a certificate status
/// needs the interface password in any mode).
fn accepted(rt: &tokio::runtime::Runtime, at: SocketAddr, password: &str) -> bool {
    let http = MeterHttp::new(&at.ip().to_string(), at.port(), Some(Secret::new(password)));
    !matches!(
        rt.block_on(http.cert_status()),
        Err(HttpError::Unauthorized { .. })
    )
}

#[test]
fn a_batch_of_three_factory_meters_joins_the_plant_network_one_after_another() {
    let mut bench = Bench::new(Lang::En);
    let dir = std::env::temp_dir().join(format!("je08-ui-setup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("panel.toml");
    // Written by hand, as a panel builder would.
    std::fs::write(
        &profile,
        "[meta]\nformat = 3\nsource_device_id = 0\nsaved_at = 2026-12-01T08:00:00Z\n\
         description = \"QGBT panel, 150/5 CTs\"\n\n\
         [settings]\nct_ratio = 150\n\n[settings.invert]\na = false\nb = false\nc = false\n",
    )
    .unwrap();
    click(&mut bench.harness, EN.page);
    bench
        .harness
        .get_by_label_contains("join the meter's Wi-Fi network BIN_XXXX (password: bintechnology)");

    let first = bench.power_on(0, None);
    let mut meters = vec![];
    bench.answer(&EN, &first, PLANT_PASSWORD);
    bench.harness.state_mut().view.setup.form.profile = Some(profile.clone());
    meters.push(first);
    for n in 0..3 {
        if n > 0 {
            meters.push(bench.power_on(n, meters.first()));
        }
        let id = meters[n].device.id();
        if n == 0 {
            bench.look(EN.look, id);
        } else {
            bench.look(EN.next, id);
        }
        let version = meters[n].device.with(|d| d.esp_version);
        let firmware = format!("{}.{:02}", version / 100, version % 100);
        bench.harness.get_by_label_contains(&format!(
            "Found meter {id} (firmware {firmware}) on its network {}, in configuration mode.",
            factory_ssid(id)
        ));
        click(&mut bench.harness, EN.start);
        bench.until("the meter to join", |s| !matches!(s, Stage::Running { .. }));
        let Stage::Joined(joined) = bench.stage().clone() else {
            panic!("not joined: {:?}", bench.stage());
        };
        let lease = SocketAddr::new(bench.plant.leases[n], meters[n].modbus.port());
        assert_eq!((joined.id, joined.modbus), (id, lease));
        let name = format!("QGBT-{}", n + 1);
        assert_eq!(joined.name, name);
        bench
            .harness
            .get_by_label_contains(&format!("Meter {id} \"{name}\" joined at {lease}"));
        let listed = bench
            .harness
            .state()
            .model
            .meters
            .iter()
            .find(|m| m.address == lease.to_string())
            .unwrap_or_else(|| panic!("meter {id} not in the list"));
        assert_eq!(listed.name, name);
        assert_eq!(
            meters[n].device.registers().get(addr::RELACAO_TC),
            150,
            "profile applied"
        );
        let http = SocketAddr::new(bench.plant.leases[n], meters[n].http.unwrap().port());
        assert!(accepted(&bench.rt, http, NEW_PASSWORD), "new password refused");
        assert!(
            !accepted(&bench.rt, http, FACTORY_PASSWORD),
            "factory password still works"
        );
    }

    let setup = &bench.harness.state().view.setup;
    assert_eq!(setup.rows.len(), 3);
    let csv = setup.csv(Tr(Lang::En));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for (n, (row, meter)) in rows.iter().zip(&meters).enumerate() {
        assert_eq!(&row[0], (n + 1).to_string());
        assert_eq!(&row[1], meter.device.id().to_string());
        assert_eq!(&row[2], format!("QGBT-{}", n + 1));
        assert_eq!(
            &row[3],
            SocketAddr::new(bench.plant.leases[n], meter.modbus.port()).to_string()
        );
        assert_eq!(&row[4], "joined");
    }
    assert!(
        shows(&bench.harness, "QGBT-3"),
        "the batch table and the list show the last meter"
    );
    for secret in [NEW_PASSWORD, PLANT_PASSWORD] {
        assert!(!csv.contains(secret));
        assert!(bench.harness.query_by_label_contains(secret).is_none());
    }

    // The commissioning report of the session carries the batch table.
    let report = dir.join("report.pdf");
    bench
        .harness
        .state_mut()
        .apply(Action::Commission(Intent::FileChosen(
            CommFile::Report,
            None,
            Some(report.clone()),
        )));
    step_until(&mut bench.harness, "the report", |app| {
        let b = &app.view.commish.batch;
        b.running.is_none() && (b.saved.is_some() || b.error.is_some())
    });
    let text = pdf_text(&report);
    assert!(
        text.contains("Meters set up from the box in this session"),
        "{text}"
    );
    for (n, meter) in meters.iter().enumerate() {
        let lease = SocketAddr::new(bench.plant.leases[n], meter.modbus.port());
        let line = text
            .lines()
            .find(|l| l.contains(&meter.device.id().to_string()))
            .unwrap_or_else(|| panic!("meter {} not in the report:\n{text}", meter.device.id()));
        for cell in [format!("QGBT-{}", n + 1), lease.to_string(), "joined".to_owned()] {
            assert!(line.contains(&cell), "{cell:?} not in {line:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn in_portuguese_a_wrong_wifi_password_says_how_to_recover_and_the_second_try_joins() {
    let mut bench = Bench::new(Lang::PtBr);
    click(&mut bench.harness, PT.page);
    let meter = bench.power_on(0, None);
    let id = meter.device.id();
    bench.answer(&PT, &meter, "not-the-plant-password");
    bench.harness.state_mut().view.setup.form.wait_s = 5;
    bench.look(PT.look, id);
    click(&mut bench.harness, PT.start);
    bench.until("the set-up to end", |s| !matches!(s, Stage::Running { .. }));
    assert!(matches!(bench.stage(), Stage::Failed(_)), "{:?}", bench.stage());
    for words in [
        "pisca três vezes",
        "não conseguiu entrar na rede",
        "segure o botão",
        "mais de 20 s",
        "BIN_XXXX",
    ] {
        assert!(shows(&bench.harness, words), "{words:?} not shown");
    }
    assert!(
        bench
            .harness
            .query_by_label_contains("blinks three times")
            .is_none()
    );

    // The button held over 20 s brings the access point back.
    meter.device.press_button(Duration::from_secs(21));
    type_into(&mut bench.harness, PT.wifi_password, PLANT_PASSWORD);
    bench.harness.state_mut().view.setup.form.wait_s = 20;
    bench.look(PT.retry, id);
    click(&mut bench.harness, PT.start);
    bench.until("the set-up to end", |s| !matches!(s, Stage::Running { .. }));
    assert!(matches!(bench.stage(), Stage::Joined(_)), "{:?}", bench.stage());
    let lease = SocketAddr::new(bench.plant.leases[0], meter.modbus.port());
    bench
        .harness
        .get_by_label_contains(&format!("O medidor {id} \"QGBT-1\" entrou na rede em {lease}"));
    let setup = &bench.harness.state().view.setup;
    assert_eq!(
        setup.rows.len(),
        2,
        "the failure and the success are in the table"
    );
    assert!(setup.rows[0].result.is_err() && setup.rows[1].result.is_ok());
    bench.harness.get_by_label(PT.next);
}

#[test]
fn static_addresses_count_up_the_saved_wifi_password_comes_back_and_cancel_says_what_the_meter_has() {
    let mut bench = Bench::new(Lang::En);
    click(&mut bench.harness, EN.page);
    let first = bench.power_on(0, None);
    bench.answer(&EN, &first, PLANT_PASSWORD);
    let [_, b, c, _] = match bench.plant.ap {
        IpAddr::V4(ip) => ip.octets(),
        IpAddr::V6(_) => unreachable!(),
    };
    let statics = [9, 10, 11].map(|d| IpAddr::V4(Ipv4Addr::new(127, b, c, d)));
    let scan = format!("{}/28:{}", bench.plant.net, first.modbus.port());
    type_into(&mut bench.harness, EN.scan, &scan);
    click(&mut bench.harness, "Static addresses, counting up from");
    type_into(
        &mut bench.harness,
        "IP/PREFIX, e.g. 192.168.0.50/24",
        &format!("{}/24", statics[0]),
    );
    type_into(&mut bench.harness, "Gateway", &format!("127.{b}.{c}.1"));
    type_into(&mut bench.harness, "DNS server", &format!("127.{b}.{c}.1"));
    click(&mut bench.harness, "Remember the password in the system keychain");

    let mut meters = vec![first];
    for n in 0..2 {
        if n > 0 {
            meters.push(bench.power_on(n, meters.first()));
            // The password is given again from where it was remembered.
            super::kit::clear(&mut bench.harness, EN.wifi_password);
            click(&mut bench.harness, "Use saved password");
            step_until(&mut bench.harness, "the saved Wi-Fi password", |app| {
                app.view.setup.form.wifi_password.0 == PLANT_PASSWORD
            });
        }
        let id = meters[n].device.id();
        bench.look(if n == 0 { EN.look } else { EN.next }, id);
        click(&mut bench.harness, EN.start);
        bench.until("the meter to join", |s| !matches!(s, Stage::Running { .. }));
        let Stage::Joined(joined) = bench.stage().clone() else {
            panic!("not joined: {:?}", bench.stage());
        };
        assert_eq!(
            joined.modbus,
            SocketAddr::new(statics[n], meters[n].modbus.port())
        );
    }

    // The third meter is given a wrong Wi-Fi password, and the person
    // cancels while the window looks for it on the plant network.
    meters.push(bench.power_on(2, meters.first()));
    type_into(&mut bench.harness, EN.wifi_password, "not-the-plant-password");
    let id = meters[2].device.id();
    bench.look(EN.next, id);
    click(&mut bench.harness, EN.start);
    bench.until(
        "the search on the plant network",
        |s| matches!(s, Stage::Running { step, .. } if *step >= je08::commissioning::provision::Step::Find),
    );
    assert!(shows(
        &bench.harness,
        "Now join this computer back to the plant network \"PLANT\""
    ));
    click(&mut bench.harness, "Cancel");
    bench.until("the cancel", |s| !matches!(s, Stage::Running { .. }));
    assert!(
        matches!(bench.stage(), Stage::Failed(e) if e.written()),
        "{:?}",
        bench.stage()
    );
    assert!(shows(
        &bench.harness,
        &format!("cancelled after meter {id} was given the plant Wi-Fi settings")
    ));
    let rows = &bench.harness.state().view.setup.rows;
    assert_eq!(
        rows.iter().map(|r| (r.n, r.result.is_ok())).collect::<Vec<_>>(),
        [(1, true), (2, true), (3, false)]
    );
}

#[test]
fn a_router_answering_at_the_access_point_address_is_not_taken_for_a_meter() {
    let mut bench = Bench::new(Lang::En);
    // The plant's router on the address a meter's access point uses: it
    // answers every request with its login page.
    let router = bench
        .rt
        .block_on(tokio::net::TcpListener::bind(SocketAddr::new(bench.plant.ap, 0)))
        .unwrap();
    let at = router.local_addr().unwrap();
    bench.rt.spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut socket, _)) = router.accept().await {
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let page = "<html><title>Router login</title></html>";
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    click(&mut bench.harness, EN.page);
    type_into(&mut bench.harness, EN.ap, &at.to_string());
    click(&mut bench.harness, EN.look);
    bench.until("a failed try", |s| {
        matches!(s, Stage::Looking { last: Some(_), .. })
    });
    assert!(shows(&bench.harness, &format!("no meter answers at {at}")));
    assert!(shows(&bench.harness, "join the meter's Wi-Fi BIN_XXXX"));
    // Still looking, never offered to set anything up.
    frames(&mut bench.harness, 5);
    assert!(
        matches!(bench.stage(), Stage::Looking { .. }),
        "{:?}",
        bench.stage()
    );
    click(&mut bench.harness, "Stop looking");
    assert_eq!(bench.stage(), &Stage::Idle);
}
