//! Exports people open as they are: recordings of simulated meters and the
//! activity journal saved by `je08` as plain CSV, Brazilian CSV and XLSX,
//! read back cell by cell (calamine for the workbooks, the frozen header
//! row from the sheet's XML); the window's "Export visible data" and
//! "Save picture" through the format combo, the files read back and the
//! PNGs decoded.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use je08::backend::Backend;
use je08::backend::exports::{Job, Picture, TREND_PICTURE};
use je08::backend::modbus_link::default_connector;
use je08::commissioning::export::Format;
use je08::i18n::Lang;
use je08::state::exports::Origin;
use je08::state::intent::Action;
use je08::state::prefs::Prefs;
use je08::ui::app::ConfiguratorApp;
use je08_client::discovery::Source;
use je08_sim::{MeterOptions, SimMeter, spawn_meter};

use crate::kit::{self, AppHarness};

/// Brazil's offset without a time-zone database: the POSIX rule "UTC−3".
const BRASILIA: &str = "<-03>3";

/// A folder of its own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("je08-exports-{what}-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).expect("create the folder");
        Self(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A simulated meter with `id` and no measurement noise, so two recordings
/// of it read the same voltages, currents and powers.
async fn quiet_meter(id: u32) -> SimMeter {
    let mut options = MeterOptions::new(id);
    options.device.model.noise = 0.0;
    spawn_meter(options).await.expect("simulator starts")
}

/// Run `je08 <args>` in Brasília time with its data folder in `data`.
async fn je08(data: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_je08"));
    cmd.args(args)
        .env("JE08_DATA_DIR", data)
        .env("TZ", BRASILIA)
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("je08 runs");
    assert!(
        out.status.success(),
        "je08 {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every sheet of the workbook at `path`: its name and its rows.
pub(crate) fn workbook(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).expect("a workbook calamine opens");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("the sheet reads");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

/// The XML of sheet `n` (1-based) of a workbook.
fn sheet_xml(path: &Path, n: usize) -> String {
    let file = std::fs::File::open(path).expect("the workbook opens");
    let mut zip = zip::ZipArchive::new(file).expect("a workbook is a zip file");
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
        .expect("the sheet's XML")
        .read_to_string(&mut xml)
        .expect("UTF-8 XML");
    xml
}

/// A numeric cell's value (a number, never text).
fn num(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(n) => *n as f64,
        other => panic!("not a numeric cell: {other:?}"),
    }
}

/// The header row as text.
fn header(rows: &[Vec<Data>]) -> Vec<String> {
    rows[0].iter().map(|c| c.to_string()).collect()
}

/// The column named `name` in `header`.
fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// A plain CSV's rows (header first), and a Brazilian one's: `;`, a
/// byte-order mark before the header.
fn csv_rows(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("the CSV reads");
    let text = if delimiter == b';' {
        text.strip_prefix('\u{feff}')
            .expect("a Brazilian CSV starts with a byte-order mark")
            .to_string()
    } else {
        assert!(
            !text.starts_with('\u{feff}'),
            "a plain CSV has no byte-order mark"
        );
        text
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a whole CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// A decimal-comma number.
fn comma_number(text: &str) -> f64 {
    assert!(!text.contains('.'), "no decimal point in {text}");
    text.replace(',', ".")
        .parse()
        .unwrap_or_else(|_| panic!("a number: {text}"))
}

/// `2026-12-05 08:30:00 -03:00`.
fn local_time(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %:z").unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[tokio::test]
async fn a_recording_of_two_meters_as_xlsx_has_a_typed_sheet_per_meter_with_a_frozen_header() {
    let dir = TempDir::new("rec-xlsx");
    let (a, b) = (quiet_meter(3101).await, quiet_meter(3102).await);
    let out = dir.join("plant.xlsx");
    let (ma, mb) = (a.modbus.to_string(), b.modbus.to_string());
    let path = out.to_str().unwrap();
    let args = [
        "record",
        &ma,
        &mb,
        "--out",
        path,
        "--duration",
        "1.5",
        "--interval",
        "200",
    ];
    je08(&dir.0, &args).await;

    assert!(
        !Path::new(&format!("{path}.partial.csv")).exists(),
        "the rows waiting for the workbook are removed once it is written"
    );
    let sheets = workbook(&out);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            format!("3101 {}", ma.replace(':', "-")),
            format!("3102 {}", mb.replace(':', "-"))
        ],
        "one sheet per meter, named by id and address"
    );
    for ((_, rows), (id, address)) in sheets.iter().zip([(3101.0, &ma), (3102.0, &mb)]) {
        let h = header(rows);
        assert_eq!(
            &h[..5],
            [
                "Time (UTC-03:00)",
                "Meter",
                "Device id",
                "Voltage A (V)",
                "Voltage B (V)"
            ]
        );
        for unit in [
            "Current A (A)",
            "Active power total (kW)",
            "Frequency (Hz)",
            "Energy (continuous) (kWh)",
            "Uptime (s)",
        ] {
            col(&h, unit);
        }
        assert!(rows.len() >= 4, "several readings per meter: {}", rows.len());
        let (v, f, up, st) = (
            col(&h, "Voltage A (V)"),
            col(&h, "Frequency (Hz)"),
            col(&h, "Uptime (s)"),
            col(&h, "Status"),
        );
        for row in &rows[1..] {
            match &row[0] {
                Data::DateTime(t) => {
                    let at = t.as_datetime().expect("a date-time");
                    let now = chrono::Utc::now().naive_utc() - chrono::Duration::hours(3);
                    assert!((now - at).num_seconds().abs() < 120, "local time {at}, now {now}");
                }
                other => panic!("time is not a date-time cell: {other:?}"),
            }
            assert_eq!(row[1], Data::String(address.to_string()));
            assert_eq!(num(&row[2]), id, "the device id is a number");
            assert!((100.0..300.0).contains(&num(&row[v])), "{:?}", row[v]);
            assert!((59.0..61.0).contains(&num(&row[f])), "{:?}", row[f]);
            assert!(num(&row[up]) >= 0.0, "{:?}", row[up]);
            assert_eq!(row[st], Data::String("ok".into()));
        }
    }
    for n in [1, 2] {
        let xml = sheet_xml(&out, n);
        assert!(
            xml.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
            "the header row is frozen: {xml:.600}"
        );
        assert!(xml.contains("<autoFilter ref=\"A1:"), "the header has a filter");
        assert!(xml.contains("customWidth=\"1\""), "columns are widened");
    }
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_brazilian_csv_reads_back_with_semicolons_and_decimal_commas_as_the_plain_one() {
    let dir = TempDir::new("rec-ptbr");
    let m = quiet_meter(3111).await;
    let address = m.modbus.to_string();
    let (plain, br) = (dir.join("plain.csv"), dir.join("br.csv"));
    let record = |file: &Path, extra: &[&str]| {
        let mut args = vec![
            "record".to_string(),
            address.clone(),
            "--out".into(),
            file.display().to_string(),
        ];
        args.extend(["--duration", "1", "--interval", "200"].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let plain_args = record(&plain, &[]);
    let br_args = record(&br, &["--format", "csv-locale", "--lang", "pt-BR"]);
    let plain_args: Vec<&str> = plain_args.iter().map(String::as_str).collect();
    let br_args: Vec<&str> = br_args.iter().map(String::as_str).collect();
    tokio::join!(je08(&dir.0, &plain_args), je08(&dir.0, &br_args));

    let plain_rows = csv_rows(&plain, b',');
    assert_eq!(
        plain_rows[0][0], "timestamp_utc",
        "the plain CSV keeps its header"
    );
    assert_eq!(plain_rows[0].len(), 22);
    let br_rows = csv_rows(&br, b';');
    let h = &br_rows[0];
    assert_eq!(
        &h[..4],
        ["Horário", "Medidor", "Id do medidor", "Tensão A (V)"],
        "Portuguese headers with units"
    );
    assert_eq!(h.len(), 22);
    assert!(br_rows.len() >= 4 && plain_rows.len() >= 4);
    // Without noise every reading of the meter is the same: the Brazilian
    // numbers, read with their decimal commas, are the plain file's.
    let plain_first = &plain_rows[1];
    for column in [
        "voltage_a_V",
        "current_b_A",
        "active_power_total_kW",
        "power_factor_total",
        "frequency_Hz",
    ] {
        let at = plain_rows[0].iter().position(|k| k == column).expect(column);
        let want: f64 = plain_first[at].parse().expect("a plain number");
        for row in &br_rows[1..] {
            assert_eq!(
                comma_number(&row[at]),
                want,
                "{column}: {} vs {}",
                row[at],
                plain_first[at]
            );
        }
    }
    let pf = plain_rows[0]
        .iter()
        .position(|k| k == "power_factor_total")
        .unwrap();
    assert!(
        br_rows[1][pf].contains(','),
        "a decimal comma: {}",
        br_rows[1][pf]
    );
    let utc = DateTime::parse_from_rfc3339(&plain_first[0]).expect("UTC ISO 8601");
    for row in &br_rows[1..] {
        let t = local_time(&row[0]);
        assert_eq!(
            t.offset().local_minus_utc(),
            -3 * 3600,
            "local time with its offset: {}",
            row[0]
        );
        assert!((t.to_utc() - utc.to_utc()).num_seconds().abs() < 30);
        assert_eq!(row[1], address);
        assert_eq!(row[2], "3111");
    }
    m.shutdown().await;
}

#[tokio::test]
async fn the_journal_exports_in_the_three_formats() {
    let dir = TempDir::new("journal");
    let (a, b) = (quiet_meter(3121).await, quiet_meter(3122).await);
    let d = dir.0.as_path();
    je08(d, &["set", &a.modbus.to_string(), "--ct-primary", "750"]).await;
    je08(d, &["set", &b.modbus.to_string(), "--ct-primary", "500"]).await;
    je08(d, &["set", &a.modbus.to_string(), "--ct-primary", "1000"]).await;

    let plain = dir.join("journal.csv");
    je08(d, &["log", "--csv", plain.to_str().unwrap()]).await;
    let rows = csv_rows(&plain, b',');
    assert_eq!(
        rows[0].join(","),
        "id,time_utc,time_local,user,computer,version,origin,device_id,address,kind,asked,changes,outcome,reason",
        "the plain export's header is unchanged"
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(ids, ["3121", "3122", "3121"], "newest first, as before");

    let br = dir.join("diario.csv");
    je08(
        d,
        &[
            "log",
            "--out",
            br.to_str().unwrap(),
            "--format",
            "csv-locale",
            "--lang",
            "pt-BR",
        ],
    )
    .await;
    let br_rows = csv_rows(&br, b';');
    assert_eq!(
        br_rows[0][..4],
        ["Registro", "Horário", "Usuário", "Computador"],
        "no second time column: the time is local"
    );
    assert_eq!(br_rows.len(), 4);
    for (r, p) in br_rows[1..].iter().zip(&rows[1..]) {
        assert_eq!(r[0], p[0], "the same entries in the same order");
        let t = local_time(&r[1]);
        assert_eq!(t.offset().local_minus_utc(), -3 * 3600);
        let utc = DateTime::parse_from_rfc3339(&p[1]).unwrap();
        assert!(
            (t.to_utc() - utc.to_utc()).num_seconds().abs() < 1,
            "{} vs {}",
            r[1],
            p[1]
        );
        assert!(r[10].contains("RELACAO_TC"), "{:?}", r);
    }

    let book = dir.join("journal.xlsx");
    je08(d, &["log", "--out", book.to_str().unwrap()]).await;
    let sheets = workbook(&book);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["3121", "3122"], "one sheet per meter");
    let (_, first) = &sheets[0];
    let h = header(first);
    assert_eq!(&h[..3], ["Entry", "Time (UTC-03:00)", "User"]);
    assert_eq!(first.len(), 3, "the header and meter 3121's two entries");
    let dev = col(&h, "Device id");
    for row in &first[1..] {
        assert_eq!(num(&row[dev]), 3121.0, "the device id is a number");
        let Data::DateTime(t) = &row[1] else {
            panic!("time is not a date-time cell: {:?}", row[1])
        };
        let at: NaiveDateTime = t.as_datetime().expect("a date-time");
        let entry = rows[1..]
            .iter()
            .find(|r| Data::String(r[0].clone()) == row[0])
            .expect("the entry");
        let utc = DateTime::parse_from_rfc3339(&entry[1]).unwrap().naive_utc();
        assert!(
            ((utc - chrono::Duration::hours(3)) - at).num_seconds().abs() < 1,
            "{at} vs {utc}"
        );
    }
    assert!(sheet_xml(&book, 1).contains("state=\"frozen\""));
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn libreoffice_opens_a_recorded_workbook_and_reads_its_numbers_as_numbers() {
    let dir = TempDir::new("soffice");
    let (a, b) = (quiet_meter(3141).await, quiet_meter(3142).await);
    let book = dir.join("plant.xlsx");
    let (ma, mb) = (a.modbus.to_string(), b.modbus.to_string());
    let args = [
        "record",
        &ma,
        &mb,
        "--out",
        book.to_str().unwrap(),
        "--duration",
        "1",
        "--interval",
        "250",
    ];
    je08(&dir.0, &args).await;
    // Every sheet to its own CSV (`,`, `"`, UTF-8, English, cells as shown, sheet -1: all);
    // a profile of its own so a running LibreOffice does not take the job.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let mut cmd = Command::new("soffice");
    cmd.args([profile.as_str(), "--headless", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1")
        .arg("--outdir")
        .arg(&dir.0)
        .arg(&book)
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("soffice runs (Debian: libreoffice-calc-nogui)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (id, address) in [(3141.0, &ma), (3142.0, &mb)] {
        let sheet = format!("{} {}", id, address.replace(':', "-"));
        let csv = dir.join(&format!("plant-{sheet}.csv"));
        let rows = csv_rows(&csv, b',');
        let h = &rows[0];
        assert_eq!(
            &h[..4],
            ["Time (UTC-03:00)", "Meter", "Device id", "Voltage A (V)"],
            "{sheet}"
        );
        assert!(rows.len() >= 3, "{sheet}: {rows:?}");
        for row in &rows[1..] {
            assert_eq!(row[2].parse::<f64>().ok(), Some(id), "{row:?}");
            let v: f64 = row[3]
                .parse()
                .unwrap_or_else(|_| panic!("LibreOffice read a number: {row:?}"));
            assert!((100.0..300.0).contains(&v));
            assert!(
                NaiveDateTime::parse_from_str(&row[0], "%Y-%m-%d %H:%M:%S").is_ok(),
                "LibreOffice shows the date-time with its format: {}",
                row[0]
            );
        }
    }
    a.shutdown().await;
    b.shutdown().await;
}

/// The window with one simulated meter listed and read, on its Live tab.
struct Window {
    rt: tokio::runtime::Runtime,
    meter: Option<SimMeter>,
    harness: AppHarness,
}

impl Window {
    fn open() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let meter = rt.block_on(quiet_meter(3131));
        let backend = Backend::start(rt.handle(), default_connector(), Arc::new(|| {}));
        let prefs = Prefs {
            lang: Some(Lang::En),
            ..Prefs::default()
        };
        let mut app = ConfiguratorApp::new(backend, prefs);
        app.add_meter(meter.modbus.to_string(), Source::Manual);
        let harness = Harness::builder()
            .with_size(egui::vec2(1400.0, 1300.0))
            .with_accessibility_check(false)
            .build_ui_state(|ui, app: &mut ConfiguratorApp| app.frame_ui(ui), app);
        let mut w = Self {
            rt,
            meter: Some(meter),
            harness,
        };
        kit::step_until(&mut w.harness, "a few readings", |app| {
            app.model.meters.iter().all(|m| m.history.len() >= 3)
        });
        w
    }

    /// Answer the open save dialog with `path` and wait for the file.
    fn save_to(&mut self, origin: Origin, path: &Path) {
        assert!(
            self.harness
                .state()
                .view
                .exports
                .pending
                .as_ref()
                .is_some_and(|p| p.origin == origin),
            "the export waits for its file"
        );
        self.harness
            .state_mut()
            .apply(Action::ExportTo(Some(path.to_path_buf())));
        kit::step_until(&mut self.harness, "the export to be written", |app| {
            app.view.exports.saved_by(origin).is_some()
        });
        let saved = self.harness.state().view.exports.saved_by(origin).cloned();
        assert_eq!(saved, Some(Ok(path.to_path_buf())));
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if let Some(m) = self.meter.take() {
            self.rt.block_on(m.shutdown());
        }
    }
}

/// A decoded PNG: width, height and RGBA pixels.
fn png_pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("the PNG opens"),
    ));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("the PNG decodes");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

/// Pixels of `rgb` (within a small tolerance) in RGBA `pixels`.
fn count_colour(pixels: &[u8], rgb: [u8; 3]) -> usize {
    pixels
        .chunks(4)
        .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= 8))
        .count()
}

#[test]
fn the_window_exports_the_visible_plot_data_in_the_format_chosen_and_saves_pictures() {
    let dir = TempDir::new("window");
    let mut w = Window::open();
    kit::click(&mut w.harness, "Format");
    kit::click(&mut w.harness, "Excel workbook (.xlsx)");
    assert_eq!(w.harness.state().view.exports.format, Format::Xlsx);
    assert_eq!(
        w.harness.state().prefs().export_format,
        Format::Xlsx,
        "the format is remembered"
    );

    kit::click(&mut w.harness, "Export visible data…");
    let samples = {
        let pending = w
            .harness
            .state()
            .view
            .exports
            .pending
            .as_ref()
            .expect("an export waits");
        let Job::Table { table, format, .. } = &pending.job else {
            panic!("a table export")
        };
        assert_eq!(*format, Format::Xlsx);
        table.rows.len()
    };
    assert!(samples >= 3, "the samples in the visible window: {samples}");
    let book = dir.join("trend.xlsx");
    w.save_to(Origin::PlotData, &book);
    w.harness.get_by_label_contains("Saved to");
    let sheets = workbook(&book);
    assert_eq!(sheets.len(), 1, "one meter, one sheet");
    let (_, rows) = &sheets[0];
    let h = header(rows);
    assert_eq!(
        h[1..],
        [
            "Voltage Phase A (V)",
            "Voltage Phase B (V)",
            "Voltage Phase C (V)"
        ]
    );
    assert!(h[0].starts_with("Time (UTC"), "{}", h[0]);
    assert_eq!(rows.len(), samples + 1, "every visible sample, undecimated");
    for row in &rows[1..] {
        assert!(matches!(row[0], Data::DateTime(_)), "{:?}", row[0]);
        for v in &row[1..] {
            assert!((100.0..300.0).contains(&num(v)), "{v:?}");
        }
    }

    kit::click(&mut w.harness, "Save picture…");
    assert!(matches!(
        w.harness.state().view.exports.pending.as_ref().map(|p| &p.job),
        Some(Job::Picture(Picture::Trend(_)))
    ));
    let png = dir.join("trend.png");
    w.save_to(Origin::PlotPicture, &png);
    let (width, height, pixels) = png_pixels(&png);
    assert_eq!([width, height], TREND_PICTURE);
    let white = pixels.chunks(4).filter(|p| p[..3] == [255, 255, 255]).count();
    assert!(white < pixels.len() / 4, "not blank");
    // Balanced and noiseless, the three lines lie on each other: each phase
    // shows at least in the legend, and the lines together are long.
    let drawn: Vec<usize> = je08::commissioning::picture::PHASE_RGB[..3]
        .iter()
        .map(|rgb| count_colour(&pixels, *rgb))
        .collect();
    assert!(
        drawn.iter().all(|n| *n > 30),
        "each phase in the legend: {drawn:?}"
    );
    let coloured = pixels
        .chunks(4)
        .filter(|p| p[..3].iter().max().unwrap() - p[..3].iter().min().unwrap() > 40)
        .count();
    let legend: usize = drawn.iter().sum();
    assert!(
        coloured > legend + 100,
        "the lines are drawn: {coloured} coloured pixels, {legend} in the legend"
    );

    kit::click(&mut w.harness, "Save phasor picture…");
    let phasors = dir.join("phasors.png");
    w.save_to(Origin::PhasorPicture, &phasors);
    let (width, height, pixels) = png_pixels(&phasors);
    assert_eq!(width, je08::backend::exports::PHASOR_PICTURE);
    assert!(height > width, "the angle table under the dial");
    for rgb in &je08::commissioning::picture::PHASE_RGB[..3] {
        assert!(count_colour(&pixels, *rgb) > 50, "each phase's voltage arrow");
    }
}
