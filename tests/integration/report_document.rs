//! The commissioning report and the calibration certificate as documents a
//! customer signs: header fields remembered between runs, per-meter
//! sections, failures said in the report's language without a library's
//! words, embedded fonts, PDF/A metadata, a page number on every page, and
//! the pages checked as pictures (`pdftoppm`): not blank, ruled tables, a
//! coloured phasor diagram.

use std::path::{Path, PathBuf};
use std::process::Command;

use je08_sim::{MeterOptions, Scenario, SimMeter, spawn_meter};

use crate::commissioning::{PASSWORD, args, http_options, je08_env};

/// Words of a library's error chain that must never reach a document.
const LIBRARY_WORDS: [&str; 5] = [
    "tcp connect error",
    "client error",
    "os error",
    "error sending request",
    "Connection refused",
];

fn tool(name: &str, list: &[&str]) -> Vec<u8> {
    let out = Command::new(name)
        .args(list)
        .output()
        .unwrap_or_else(|e| panic!("{name} runs: {e}"));
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn path_str(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The page count (`pdfinfo`).
fn page_count(pdf: &Path) -> usize {
    let info = String::from_utf8(tool("pdfinfo", &[&path_str(pdf)])).expect("UTF-8");
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

/// The text of page `k` (`pdftotext -layout`).
fn page_text(pdf: &Path, k: usize) -> String {
    let k = k.to_string();
    String::from_utf8(tool(
        "pdftotext",
        &["-layout", "-f", &k, "-l", &k, &path_str(pdf), "-"],
    ))
    .expect("UTF-8")
}

/// Every font of the file is embedded (`pdffonts`: the emb column), and
/// there are at least two (regular and bold).
fn assert_fonts_embedded(pdf: &Path) {
    let list = String::from_utf8(tool("pdffonts", &[&path_str(pdf)])).expect("UTF-8");
    let fonts: Vec<&str> = list.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(fonts.len() >= 2, "regular and bold:\n{list}");
    for font in fonts {
        let cols: Vec<&str> = font.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {font}\n{list}");
    }
}

/// The XMP metadata claims PDF/A-2u (`pdfinfo -meta`).
fn assert_pdf_a(pdf: &Path) {
    let meta = String::from_utf8_lossy(&tool("pdfinfo", &["-meta", &path_str(pdf)])).into_owned();
    for claim in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>U</pdfaid:conformance>",
    ] {
        assert!(meta.contains(claim), "no {claim} in the metadata:\n{meta}");
    }
}

/// A page rendered as RGB pixels.
struct Picture {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Picture {
    /// Page `k` of `pdf` at `dpi` (`pdftoppm`, PPM).
    fn of(pdf: &Path, k: usize, dpi: u32) -> Self {
        let dir = pdf.with_extension("pages");
        std::fs::create_dir_all(&dir).expect("folder");
        let root = dir.join(format!("p{k}"));
        let (k, dpi) = (k.to_string(), dpi.to_string());
        tool(
            "pdftoppm",
            &[
                "-r",
                &dpi,
                "-f",
                &k,
                "-l",
                &k,
                "-singlefile",
                &path_str(pdf),
                &path_str(&root),
            ],
        );
        let bytes = std::fs::read(root.with_extension("ppm")).expect("PPM written");
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        }
        assert_eq!(fields[0], "P6", "binary PPM");
        let (width, height) = (
            fields[1].parse().expect("width"),
            fields[2].parse().expect("height"),
        );
        let rgb = bytes[at + 1..].to_vec();
        assert_eq!(rgb.len(), width * height * 3);
        Self { width, height, rgb }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = 3 * (y * self.width + x);
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Share of pixels that are not white.
    fn inked(&self) -> f64 {
        let inked = self.rgb.chunks(3).filter(|p| p.iter().any(|c| *c < 200)).count();
        inked as f64 / (self.width * self.height) as f64
    }

    /// Pixels of a clear colour (not grey).
    fn coloured(&self) -> usize {
        self.rgb
            .chunks(3)
            .filter(|p| p.iter().max().unwrap_or(&0) - p.iter().min().unwrap_or(&0) > 80)
            .count()
    }

    /// Dark horizontal lines longer than half the page (a run of pixel
    /// rows counts once).
    fn long_rules(&self) -> usize {
        let mut rules = 0;
        let mut previous = false;
        for y in 0..self.height {
            let (mut run, mut longest) = (0, 0);
            for x in 0..self.width {
                let [r, g, b] = self.pixel(x, y);
                let dark = (u32::from(r) + u32::from(g) + u32::from(b)) / 3 < 170;
                run = if dark { run + 1 } else { 0 };
                longest = longest.max(run);
            }
            let rule = longest * 2 > self.width;
            if rule && !previous {
                rules += 1;
            }
            previous = rule;
        }
        rules
    }
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("je08-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    dir
}

async fn reversed_ct_meter(id: u32) -> SimMeter {
    let mut options: MeterOptions = http_options(id);
    options.device.model = Scenario::ReversedCtB.params();
    spawn_meter(options).await.expect("simulator starts")
}

/// `je08 report` of `sim` (its HTTP API given at a closed port, so the
/// report notes it was not reached) and of a meter nobody serves.
async fn report(sim: &SimMeter, out: &Path, data: &Path, extra: &[&str]) -> std::process::Output {
    let meter = format!("{},http=1", sim.modbus);
    let mut list = vec![
        "report",
        &meter,
        "127.0.0.1:1,http=1",
        "--samples",
        "4",
        "--interval",
        "5",
        "--fix",
        "--yes",
    ];
    let out = path_str(out);
    list.extend(["--out", &out]);
    list.extend(extra);
    je08_env(args(&list), &[PASSWORD, ("JE08_DATA_DIR", &path_str(data))]).await
}

/// Everything a signed document needs, in `lang`'s words.
fn assert_document(pdf: &Path, page_of: &str, needles: &[&str], foreign: &[&str]) -> usize {
    let pages = page_count(pdf);
    let text: String = (1..=pages).map(|k| page_text(pdf, k)).collect();
    for needle in needles {
        assert!(
            text.contains(needle),
            "{} lacks {needle:?}:\n{text}",
            pdf.display()
        );
    }
    for word in foreign.iter().chain(&LIBRARY_WORDS) {
        assert!(!text.contains(word), "{} has {word:?}:\n{text}", pdf.display());
    }
    for k in 1..=pages {
        let footer = page_of
            .replace("{0}", &k.to_string())
            .replace("{1}", &pages.to_string());
        assert!(page_text(pdf, k).contains(&footer), "page {k} lacks {footer:?}");
    }
    assert_fonts_embedded(pdf);
    assert_pdf_a(pdf);
    pages
}

/// The pages as pictures: none blank, the first with the summary's rules,
/// the phasor diagram in colour on its page and nowhere else.
fn assert_pictures(pdf: &Path, pages: usize, phasor_heading: &str) {
    let mut coloured_pages = Vec::new();
    for k in 1..=pages {
        let picture = Picture::of(pdf, k, 100);
        assert!(picture.inked() > 0.002, "page {k} is blank");
        if picture.coloured() > 300 {
            coloured_pages.push(k);
        }
        if k == 1 {
            let rules = picture.long_rules();
            assert!(
                rules >= 5,
                "page 1 has {rules} long rules: the title's and the summary table's"
            );
        }
    }
    let with_phasors: Vec<usize> = (1..=pages)
        .filter(|k| page_text(pdf, *k).contains(phasor_heading))
        .collect();
    assert_eq!(with_phasors.len(), 1, "one meter reached, one diagram");
    assert_eq!(coloured_pages, with_phasors, "colour only in the phasor diagram");
}

#[tokio::test]
async fn the_report_reads_in_both_languages_with_its_header_signatures_fonts_and_drawings() {
    let dir = folder("report-doc");
    let data = dir.join("data");
    let (en_meter, pt_meter) = (reversed_ct_meter(981).await, reversed_ct_meter(982).await);

    let en = dir.join("report-en.pdf");
    let out = report(
        &en_meter,
        &en,
        &data,
        &[
            "--site",
            "Usina Sul",
            "--panel",
            "QGBT-2",
            "--customer",
            "Açúcar & Álcool S.A.",
            "--technician",
            "João Lima",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages = assert_document(
        &en,
        "page {0} of {1}",
        &[
            "JE08 commissioning report",
            "Site",
            "Usina Sul",
            "QGBT-2",
            "Açúcar & Álcool S.A.",
            "João Lima",
            "Summary",
            "Identity",
            "CT ratio",
            "981",
            "Phasor diagram: measured against expected",
            "advice",
            "INVERTE_TC_FASE_B",
            "Changes this session",
            "settings",
            "done",
            "HTTP API not reached: connection refused",
            "NOT REACHED: connection refused",
            "Acceptance",
            "Signature",
        ],
        &["Relatório", "Cliente", "página"],
    );
    assert!(
        pages >= 3,
        "the summary, a meter, the unreachable one and the signatures: {pages}"
    );
    assert_pictures(&en, pages, "Phasor diagram");

    // Nothing given this time: the fields are remembered.
    let pt = dir.join("report-pt.pdf");
    let out = report(&pt_meter, &pt, &data, &["--lang", "pt-BR"]).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages = assert_document(
        &pt,
        "página {0} de {1}",
        &[
            "Relatório de comissionamento JE08",
            "Local",
            "Usina Sul",
            "Painel",
            "QGBT-2",
            "Cliente",
            "Açúcar & Álcool S.A.",
            "Técnico",
            "João Lima",
            "Resumo",
            "Identificação",
            "Relação do TC",
            "982",
            "Diagrama fasorial: medido contra o esperado",
            "orientação",
            "O TC da fase B",
            "INVERTE_TC_FASE_B",
            "Alterações nesta sessão",
            "configurações",
            "feito",
            "API HTTP não alcançada: conexão recusada",
            "NÃO ALCANÇADO: conexão recusada",
            "Aceite",
            "Assinatura",
        ],
        &[
            "commissioning report",
            "Summary",
            "Customer",
            "Technician",
            "Signature",
            "Phasor",
            "advice",
            "not reached",
            "connection refused",
            "page 1 of",
        ],
    );
    assert_pictures(&pt, pages, "Diagrama fasorial");
    let _ = std::fs::remove_dir_all(&dir);
    en_meter.shutdown().await;
    pt_meter.shutdown().await;
}

#[tokio::test]
async fn the_calibration_certificate_is_a_signed_document_with_fonts_rules_and_page_numbers() {
    let mut options = MeterOptions::new(983);
    options.device.model = Scenario::Balanced.params();
    for load in &mut options.device.model.phases {
        load.current_a = 300.0;
    }
    options.device.model.current_hw_error = [1.0, 1.04, 1.0];
    let sim = spawn_meter(options).await.expect("simulator starts");
    let dir = folder("cert-doc");
    let cert = dir.join("certificate.pdf");
    let modbus = sim.modbus.to_string();
    let out = je08_env(
        args(&[
            "calibrate",
            &modbus,
            "--phase",
            "b",
            "--current",
            "300",
            "--samples",
            "10",
            "--interval",
            "5",
            "--yes",
            "--reference-instrument",
            "Fluke 435 nº 12345",
            "--certificate",
            &path_str(&cert),
            "--customer",
            "ACME Ltda.",
            "--technician",
            "Ana Lima",
        ]),
        &[("JE08_DATA_DIR", &path_str(&dir.join("data")))],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pages = assert_document(
        &cert,
        "page {0} of {1}",
        &[
            "JE08 calibration certificate — meter 983",
            "Customer",
            "ACME Ltda.",
            "Technician",
            "Ana Lima",
            "Meter, instrument and reference",
            "Fluke 435 nº 12345",
            "Before and after",
            "GANHO_CORRENTE_B",
            "recorded in the activity journal as entry",
            "Signature",
        ],
        &["Certificado", "página"],
    );
    let picture = Picture::of(&cert, 1, 100);
    assert!(picture.inked() > 0.002, "blank certificate");
    let rules = picture.long_rules();
    assert!(
        rules >= 8,
        "the instrument and before/after tables are ruled: {rules} long rules"
    );
    assert_eq!(picture.coloured(), 0, "a certificate has no colour");
    assert_eq!(pages, 1);
    let _ = std::fs::remove_dir_all(&dir);
    sim.shutdown().await;
}
