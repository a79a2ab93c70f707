//! ESP8266 application images (spec §5): parsing, validation with a readable
//! report, and a builder for valid images (tests, benchmarks, demo).
//!
//! Layout (esptool's ESP8266 "v1" image):
//!
//! ```text
//! 0      magic 0xE9
//! 1      segment count (1–16)
//! 2      flash mode (0 QIO, 1 QOUT, 2 DIO, 3 DOUT)
//! 3      flash size (high nibble) and frequency (low nibble)
//! 4..8   entry point, u32 little-endian
//! then per segment: load address u32 LE, length u32 LE, `length` data bytes
//! then zero padding so that the checksum byte is the last byte of a
//! 16-byte block; checksum = 0xEF XOR every byte of segment data.
//! ```
//!
//! The image names its version with the ASCII marker `JE08-FW:<x.yy>`
//! somewhere in its segment data; an image without it is still accepted with
//! an unknown version.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

mod finding;

pub use finding::Finding;

/// First byte of every ESP8266 application image.
pub const MAGIC: u8 = 0xE9;
/// Largest number of segments the ROM loader accepts.
pub const MAX_SEGMENTS: usize = 16;
/// Size of the application slot: 508 KiB.
pub const MAX_IMAGE_BYTES: usize = 520_192;
/// Seed of the XOR checksum (esptool's `ESP_CHECKSUM_MAGIC`).
pub const CHECKSUM_SEED: u8 = 0xEF;
/// ASCII marker preceding the version inside segment data.
pub const VERSION_MARKER: &[u8] = b"JE08-FW:";
/// Length of the image header.
pub const HEADER_LEN: usize = 8;
/// Length of a segment header.
pub const SEGMENT_HEADER_LEN: usize = 8;
/// Default entry point of images made by [`ImageBuilder`] (start of IRAM).
pub const DEFAULT_ENTRY: u32 = 0x4010_0004;

/// A firmware version `x.yy` as carried by the marker and by ESP_VERSION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FirmwareVersion(pub u16);

impl FirmwareVersion {
    /// Parse `x.yy` (two decimals exactly, e.g. `3.01`); `None` when malformed
    /// or above 655.35.
    pub fn parse(text: &str) -> Option<Self> {
        let (major, minor) = text.split_once('.')?;
        if major.is_empty()
            || major.len() > 3
            || minor.len() != 2
            || !major.bytes().all(|b| b.is_ascii_digit())
            || !minor.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let value = major.parse::<u32>().ok()? * 100 + minor.parse::<u32>().ok()?;
        u16::try_from(value).ok().map(Self)
    }

    /// The register value (ESP_VERSION): 301 for 3.01.
    pub fn code(self) -> u16 {
        self.0
    }
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for FirmwareVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for FirmwareVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a version of the form x.yy")))
    }
}

/// The checks of a validation, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The file fits the application slot.
    Size,
    /// The first byte is 0xE9.
    Magic,
    /// 1–16 segments.
    SegmentCount,
    /// A known flash mode.
    FlashMode,
    /// A known flash size and frequency.
    FlashSizeFreq,
    /// The entry point lies in executable memory.
    EntryPoint,
    /// Every segment lies inside the file.
    Segments,
    /// Padding to 16 bytes and nothing after the checksum byte.
    Padding,
    /// The XOR checksum matches.
    Checksum,
    /// The `JE08-FW:x.yy` marker (informational: its absence is allowed).
    Version,
}

impl Describe for CheckKind {
    /// The check's short name, e.g. "checksum".
    fn describe(&self, tr: Tr) -> String {
        tr.t(match self {
            Self::Size => ProtocolMsg::FwCheckSize,
            Self::Magic => ProtocolMsg::FwCheckMagic,
            Self::SegmentCount => ProtocolMsg::FwCheckSegmentCount,
            Self::FlashMode => ProtocolMsg::FwCheckFlashMode,
            Self::FlashSizeFreq => ProtocolMsg::FwCheckFlashSizeFreq,
            Self::EntryPoint => ProtocolMsg::FwCheckEntryPoint,
            Self::Segments => ProtocolMsg::FwCheckSegments,
            Self::Padding => ProtocolMsg::FwCheckPadding,
            Self::Checksum => ProtocolMsg::FwCheckChecksum,
            Self::Version => ProtocolMsg::FwCheckVersion,
        })
        .to_owned()
    }
}

crate::english_display!(errors: Check);
crate::english_display!(CheckKind);

/// Outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub check: CheckKind,
    /// True when it passed.
    pub ok: bool,
    /// What was found (serialised as its English sentence, `reason`).
    #[serde(rename = "reason")]
    pub finding: Finding,
}

impl Describe for Check {
    /// The check's name and what it found, e.g. "checksum: stored checksum …".
    fn describe(&self, tr: Tr) -> String {
        format!("{}: {}", self.check.describe(tr), self.finding.describe(tr))
    }
}

/// One segment as read from the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// Load address.
    pub address: u32,
    /// Data length in bytes.
    pub length: u32,
    /// Offset of the data inside the file.
    pub offset: usize,
}

/// Everything validation found, as shown by `je08 firmware check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirmwareReport {
    /// File length in bytes.
    pub size: usize,
    /// True when every check passed (the version marker is informational).
    pub valid: bool,
    /// Version from the marker; `None` when unknown.
    pub version: Option<FirmwareVersion>,
    /// Flash mode name, when the header was readable.
    pub flash_mode: Option<String>,
    /// Flash size name, when the header was readable.
    pub flash_size: Option<String>,
    /// Flash frequency name, when the header was readable.
    pub flash_freq: Option<String>,
    /// Entry point, when the header was readable.
    pub entry_point: Option<u32>,
    /// Segments read before any failure.
    pub segments: Vec<SegmentInfo>,
    /// MD5 of the whole file, lowercase hex (espota sends it).
    pub md5: String,
    /// Every check that ran, in order.
    pub checks: Vec<Check>,
}

impl FirmwareReport {
    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.ok)
    }

    /// `Ok(version)` when valid, else the first failed check.
    pub fn verdict(&self) -> Result<Option<FirmwareVersion>, Check> {
        match self.first_failure() {
            Some(check) => Err(check.clone()),
            None => Ok(self.version),
        }
    }
}

impl fmt::Display for FirmwareReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let version = self
            .version
            .map_or_else(|| "unknown".to_owned(), |v| v.to_string());
        writeln!(
            f,
            "image: {} bytes, version {version}, md5 {}",
            self.size, self.md5
        )?;
        for check in &self.checks {
            let mark = if check.ok { "ok    " } else { "FAILED" };
            writeln!(f, "  {mark} {:<21} {}", check.check.to_string(), check.finding)?;
        }
        let verdict = if self.valid {
            "VALID: the image may be flashed"
        } else {
            "INVALID: do not flash this image"
        };
        write!(f, "{verdict}")
    }
}

fn flash_mode_name(mode: u8) -> Option<&'static str> {
    match mode {
        0 => Some("QIO"),
        1 => Some("QOUT"),
        2 => Some("DIO"),
        3 => Some("DOUT"),
        _ => None,
    }
}

fn flash_size_name(nibble: u8) -> Option<&'static str> {
    match nibble {
        0 => Some("512KB"),
        1 => Some("256KB"),
        2 => Some("1MB"),
        3 => Some("2MB"),
        4 => Some("4MB"),
        5 => Some("2MB-c1"),
        6 => Some("4MB-c1"),
        8 => Some("8MB"),
        9 => Some("16MB"),
        _ => None,
    }
}

fn flash_freq_name(nibble: u8) -> Option<&'static str> {
    match nibble {
        0x0 => Some("40m"),
        0x1 => Some("26m"),
        0x2 => Some("20m"),
        0xF => Some("80m"),
        _ => None,
    }
}

/// Executable address range of the ESP8266 (IRAM and memory-mapped flash).
const EXEC_RANGE: std::ops::Range<u32> = 0x4000_0000..0x4030_0000;

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

/// XOR checksum of `data` seeded with [`CHECKSUM_SEED`].
pub fn checksum<'a>(data: impl IntoIterator<Item = &'a [u8]>) -> u8 {
    data.into_iter()
        .flat_map(|s| s.iter())
        .fold(CHECKSUM_SEED, |acc, b| acc ^ b)
}

/// Lowercase hex MD5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Find `JE08-FW:x.yy` in `data`.
pub fn find_version(data: &[u8]) -> Option<FirmwareVersion> {
    let mut start = 0;
    while let Some(pos) = data
        .get(start..)?
        .windows(VERSION_MARKER.len())
        .position(|w| w == VERSION_MARKER)
    {
        let after = start + pos + VERSION_MARKER.len();
        let tail = &data[after..data.len().min(after + 6)];
        let text: String = tail
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .map(|&b| char::from(b))
            .collect();
        if let Some(v) = FirmwareVersion::parse(&text) {
            return Some(v);
        }
        start = after;
    }
    None
}

/// Validate an image and report every check. Never panics, whatever the bytes.
pub fn validate(bytes: &[u8]) -> FirmwareReport {
    let mut report = FirmwareReport {
        size: bytes.len(),
        valid: false,
        version: None,
        flash_mode: None,
        flash_size: None,
        flash_freq: None,
        entry_point: None,
        segments: Vec::new(),
        md5: md5_hex(bytes),
        checks: Vec::new(),
    };
    let push = |report: &mut FirmwareReport, check, ok, finding: Finding| {
        report.checks.push(Check { check, ok, finding });
        ok
    };
    let size_ok = bytes.len() <= MAX_IMAGE_BYTES;
    push(
        &mut report,
        CheckKind::Size,
        size_ok,
        if size_ok {
            Finding::SizeFits {
                size: bytes.len(),
                max: MAX_IMAGE_BYTES,
            }
        } else {
            Finding::SizeExceeds {
                size: bytes.len(),
                max: MAX_IMAGE_BYTES,
            }
        },
    );
    if bytes.len() < HEADER_LEN {
        push(
            &mut report,
            CheckKind::Magic,
            false,
            Finding::ShorterThanHeader {
                size: bytes.len(),
                header: HEADER_LEN,
            },
        );
        return finish(report);
    }
    let magic_ok = bytes[0] == MAGIC;
    push(
        &mut report,
        CheckKind::Magic,
        magic_ok,
        if magic_ok {
            Finding::MagicOk
        } else {
            Finding::MagicWrong { byte: bytes[0] }
        },
    );
    if !magic_ok {
        return finish(report);
    }
    let count = usize::from(bytes[1]);
    let count_ok = (1..=MAX_SEGMENTS).contains(&count);
    push(
        &mut report,
        CheckKind::SegmentCount,
        count_ok,
        if count_ok {
            Finding::SegmentCountOk {
                count,
                max: MAX_SEGMENTS,
            }
        } else {
            Finding::SegmentCountBad {
                count,
                max: MAX_SEGMENTS,
            }
        },
    );
    let mode = flash_mode_name(bytes[2]);
    report.flash_mode = mode.map(str::to_owned);
    push(
        &mut report,
        CheckKind::FlashMode,
        mode.is_some(),
        match mode {
            Some(name) => Finding::FlashMode { name },
            None => Finding::FlashModeUnknown { byte: bytes[2] },
        },
    );
    let size = flash_size_name(bytes[3] >> 4);
    let freq = flash_freq_name(bytes[3] & 0x0F);
    report.flash_size = size.map(str::to_owned);
    report.flash_freq = freq.map(str::to_owned);
    push(
        &mut report,
        CheckKind::FlashSizeFreq,
        size.is_some() && freq.is_some(),
        match (size, freq) {
            (Some(size), Some(freq)) => Finding::FlashSizeFreq { size, freq },
            _ => Finding::FlashSizeFreqUnknown { byte: bytes[3] },
        },
    );
    let entry = read_u32(bytes, 4).unwrap_or(0);
    report.entry_point = Some(entry);
    let entry_ok = EXEC_RANGE.contains(&entry);
    push(
        &mut report,
        CheckKind::EntryPoint,
        entry_ok,
        if entry_ok {
            Finding::EntryOk { entry }
        } else {
            Finding::EntryOutside {
                entry,
                first: EXEC_RANGE.start,
                last: EXEC_RANGE.end - 1,
            }
        },
    );
    if !count_ok {
        return finish(report);
    }
    // Segments.
    let mut pos = HEADER_LEN;
    let mut data_ranges = Vec::with_capacity(count);
    for index in 0..count {
        let (Some(address), Some(length)) = (read_u32(bytes, pos), read_u32(bytes, pos + 4)) else {
            push(
                &mut report,
                CheckKind::Segments,
                false,
                Finding::SegmentHeaderPastEnd {
                    segment: index + 1,
                    offset: pos,
                    size: bytes.len(),
                },
            );
            return finish(report);
        };
        let offset = pos + SEGMENT_HEADER_LEN;
        let remaining = bytes.len() - offset;
        if length as usize > remaining {
            push(
                &mut report,
                CheckKind::Segments,
                false,
                Finding::SegmentPastEnd {
                    segment: index + 1,
                    address,
                    length,
                    remaining,
                },
            );
            return finish(report);
        }
        report.segments.push(SegmentInfo {
            address,
            length,
            offset,
        });
        data_ranges.push(offset..offset + length as usize);
        pos = offset + length as usize;
    }
    push(
        &mut report,
        CheckKind::Segments,
        true,
        Finding::SegmentsOk {
            count,
            data_bytes: data_ranges.iter().map(|r| r.len()).sum(),
        },
    );
    // Padding: the checksum byte ends a 16-byte block.
    let checksum_at = pos + (15 - pos % 16);
    let expected_len = checksum_at + 1;
    let padding_ok = bytes.len() == expected_len;
    push(
        &mut report,
        CheckKind::Padding,
        padding_ok,
        if padding_ok {
            Finding::PaddingOk {
                end: pos,
                size: expected_len,
            }
        } else if bytes.len() < expected_len {
            Finding::Truncated {
                size: bytes.len(),
                checksum_at,
            }
        } else {
            Finding::TrailingBytes {
                extra: bytes.len() - expected_len,
                checksum_at,
            }
        },
    );
    if bytes.len() > checksum_at {
        let computed = checksum(data_ranges.iter().map(|r| &bytes[r.clone()]));
        let stored = bytes[checksum_at];
        push(
            &mut report,
            CheckKind::Checksum,
            computed == stored,
            if computed == stored {
                Finding::ChecksumOk { stored }
            } else {
                Finding::ChecksumBad { stored, computed }
            },
        );
    }
    report.version = data_ranges.iter().find_map(|r| find_version(&bytes[r.clone()]));
    let finding = match report.version {
        Some(version) => Finding::Version { version },
        None => Finding::NoVersion,
    };
    push(&mut report, CheckKind::Version, true, finding);
    finish(report)
}

fn finish(mut report: FirmwareReport) -> FirmwareReport {
    report.valid = report.checks.iter().all(|c| c.ok);
    report
}

/// Builds valid ESP8266 images from segments and a version.
#[derive(Debug, Clone)]
pub struct ImageBuilder {
    flash_mode: u8,
    size_freq: u8,
    entry: u32,
    segments: Vec<(u32, Vec<u8>)>,
    version: Option<FirmwareVersion>,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ImageBuilder {
    /// An empty builder: DIO, 4 MB at 40 MHz, entry [`DEFAULT_ENTRY`], no version.
    pub fn new() -> Self {
        Self {
            flash_mode: 2,
            size_freq: 0x40,
            entry: DEFAULT_ENTRY,
            segments: Vec::new(),
            version: None,
        }
    }

    /// Set the version carried by the `JE08-FW:` marker (in its own segment).
    pub fn version(mut self, version: FirmwareVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// Set the entry point.
    pub fn entry(mut self, entry: u32) -> Self {
        self.entry = entry;
        self
    }

    /// Set the flash mode byte and the size/frequency byte.
    pub fn flash(mut self, mode: u8, size_freq: u8) -> Self {
        self.flash_mode = mode;
        self.size_freq = size_freq;
        self
    }

    /// Append a segment loaded at `address`.
    pub fn segment(mut self, address: u32, data: impl Into<Vec<u8>>) -> Self {
        self.segments.push((address, data.into()));
        self
    }

    /// Append code segments of deterministic filler until the image is about
    /// `bytes` long (useful for benchmarks and size tests).
    pub fn filler(mut self, bytes: usize) -> Self {
        const CHUNK: usize = 64 * 1024;
        let mut left = bytes;
        let mut address = 0x4020_1010;
        let mut seed: u32 = 0x1234_5678;
        while left > SEGMENT_HEADER_LEN && self.segments.len() < MAX_SEGMENTS - 1 {
            let len = (left - SEGMENT_HEADER_LEN).min(CHUNK) & !3;
            if len == 0 {
                break;
            }
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) as u8
                })
                .collect();
            self.segments.push((address, data));
            address += len as u32;
            left -= len + SEGMENT_HEADER_LEN;
        }
        self
    }

    /// Produce the image bytes (segment count is not checked: tests build
    /// broken images on purpose).
    pub fn build(&self) -> Vec<u8> {
        let mut segments: Vec<(u32, Vec<u8>)> = self.segments.clone();
        if let Some(v) = self.version {
            let mut data = format!("JE08-FW:{v}\0").into_bytes();
            data.resize(data.len().div_ceil(4) * 4, 0);
            segments.push((0x3FFE_8000, data));
        }
        let mut out = Vec::with_capacity(
            HEADER_LEN
                + segments
                    .iter()
                    .map(|(_, d)| d.len() + SEGMENT_HEADER_LEN)
                    .sum::<usize>()
                + 16,
        );
        out.push(MAGIC);
        out.push(segments.len() as u8);
        out.push(self.flash_mode);
        out.push(self.size_freq);
        out.extend_from_slice(&self.entry.to_le_bytes());
        for (address, data) in &segments {
            out.extend_from_slice(&address.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(data);
        }
        let pad = 15 - out.len() % 16;
        out.resize(out.len() + pad, 0);
        out.push(checksum(segments.iter().map(|(_, d)| d.as_slice())));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(text: &str) -> FirmwareVersion {
        FirmwareVersion::parse(text).expect("version")
    }

    fn sample() -> Vec<u8> {
        ImageBuilder::new()
            .segment(0x4010_0000, vec![0xAA; 100])
            .segment(0x4020_1010, b"hello world!".to_vec())
            .version(v("3.01"))
            .build()
    }

    fn failed(bytes: &[u8]) -> Check {
        let report = validate(bytes);
        assert!(!report.valid, "{report}");
        report.first_failure().expect("a failure").clone()
    }

    #[test]
    fn version_parse_and_display() {
        assert_eq!(v("3.01").code(), 301);
        assert_eq!(v("3.01").to_string(), "3.01");
        assert_eq!(v("12.00").code(), 1200);
        for bad in ["3.1", "3", ".01", "a.01", "3.011", "655.36", "3,01"] {
            assert_eq!(FirmwareVersion::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn built_image_is_valid_with_version() {
        let image = sample();
        assert_eq!(image.len() % 16, 0);
        let report = validate(&image);
        assert!(report.valid, "{report}");
        assert_eq!(report.version, Some(v("3.01")));
        assert_eq!(report.segments.len(), 3);
        assert_eq!(report.flash_mode.as_deref(), Some("DIO"));
        assert_eq!(report.verdict(), Ok(Some(v("3.01"))));
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["version"], "3.01");
        assert_eq!(json["checks"][0]["check"], "size");
        assert_eq!(json["checks"][0]["ok"], true);
    }

    #[test]
    fn no_marker_is_valid_with_unknown_version() {
        let image = ImageBuilder::new().segment(0x4010_0000, vec![1; 8]).build();
        let report = validate(&image);
        assert!(report.valid, "{report}");
        assert_eq!(report.version, None);
        assert!(report.to_string().contains("version unknown"));
    }

    #[test]
    fn checksum_is_xor_of_segment_data_seeded_0xef() {
        let image = ImageBuilder::new()
            .segment(0x4010_0000, vec![0x01, 0x02, 0x04, 0x08])
            .build();
        assert_eq!(image[image.len() - 1], 0xEF ^ 0x0F);
        assert_eq!(image.len(), 32);
    }

    #[test]
    fn wrong_magic_is_refused() {
        let mut image = sample();
        image[0] = 0xEA;
        let check = failed(&image);
        assert_eq!(check.check, CheckKind::Magic);
        assert_eq!(check.finding, Finding::MagicWrong { byte: 0xEA });
        assert!(check.finding.to_string().contains("0xEA"));
    }

    #[test]
    fn too_many_segments_is_refused() {
        let mut builder = ImageBuilder::new();
        for i in 0..17u32 {
            builder = builder.segment(0x4010_0000 + i * 4, vec![0; 4]);
        }
        let check = failed(&builder.build());
        assert_eq!(check.check, CheckKind::SegmentCount);
        assert_eq!(check.finding, Finding::SegmentCountBad { count: 17, max: 16 });
    }

    #[test]
    fn segment_past_the_end_is_refused() {
        let mut image = sample();
        // First segment length field at offset 12.
        image[12..16].copy_from_slice(&10_000u32.to_le_bytes());
        let check = failed(&image);
        assert_eq!(check.check, CheckKind::Segments);
        assert!(
            matches!(check.finding, Finding::SegmentPastEnd { length: 10_000, .. }),
            "{:?}",
            check.finding
        );
    }

    #[test]
    fn bad_checksum_is_refused() {
        let mut image = sample();
        image[HEADER_LEN + SEGMENT_HEADER_LEN] ^= 0x40;
        let check = failed(&image);
        assert_eq!(check.check, CheckKind::Checksum);
        assert!(matches!(check.finding, Finding::ChecksumBad { .. }));
        assert!(check.finding.to_string().contains("corrupt"));
    }

    #[test]
    fn too_large_is_refused() {
        let image = ImageBuilder::new()
            .filler(MAX_IMAGE_BYTES + 1000)
            .version(v("3.02"))
            .build();
        assert!(image.len() > MAX_IMAGE_BYTES);
        let check = failed(&image);
        assert_eq!(check.check, CheckKind::Size);
        assert!(matches!(check.finding, Finding::SizeExceeds { .. }));
    }

    #[test]
    fn filler_near_slot_size_is_valid() {
        let image = ImageBuilder::new()
            .filler(MAX_IMAGE_BYTES - 200)
            .version(v("3.02"))
            .build();
        assert!(image.len() <= MAX_IMAGE_BYTES);
        assert!(image.len() > MAX_IMAGE_BYTES - 400);
        assert!(validate(&image).valid);
    }

    #[test]
    fn truncated_and_trailing_bytes_are_refused() {
        let image = sample();
        let check = failed(&image[..image.len() / 2]);
        assert_eq!(check.check, CheckKind::Segments);
        let check = failed(&image[..image.len() - 1]);
        assert_eq!(check.check, CheckKind::Padding);
        let mut longer = image.clone();
        longer.extend_from_slice(&[0; 16]);
        assert_eq!(failed(&longer).check, CheckKind::Padding);
        assert_eq!(failed(&image[..3]).check, CheckKind::Magic);
        assert_eq!(failed(&[]).check, CheckKind::Magic);
    }

    #[test]
    fn bad_header_fields_are_refused() {
        let mut image = sample();
        image[2] = 7;
        assert_eq!(failed(&image).check, CheckKind::FlashMode);
        let mut image = sample();
        image[3] = 0x45;
        assert_eq!(failed(&image).check, CheckKind::FlashSizeFreq);
        let image = ImageBuilder::new()
            .entry(0x1000)
            .segment(0x4010_0000, vec![0; 4])
            .build();
        assert_eq!(failed(&image).check, CheckKind::EntryPoint);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let report = validate(&bytes);
            prop_assert_eq!(report.valid, report.first_failure().is_none());
        }

        #[test]
        fn arbitrary_header_after_magic_never_panics(mut bytes in proptest::collection::vec(any::<u8>(), 8..300)) {
            bytes[0] = MAGIC;
            let _ = validate(&bytes);
        }

        #[test]
        fn built_images_validate(
            segs in proptest::collection::vec((0x4010_0000u32..0x4010_8000, proptest::collection::vec(any::<u8>(), 0..200)), 1..15),
            version in 0u16..65535,
        ) {
            let mut builder = ImageBuilder::new().version(FirmwareVersion(version));
            for (addr, data) in segs {
                builder = builder.segment(addr, data);
            }
            let report = validate(&builder.build());
            prop_assert!(report.valid, "{}", report);
            prop_assert_eq!(report.version, Some(FirmwareVersion(version)));
        }

        #[test]
        fn any_flipped_data_byte_is_detected(index in 0usize..100, bit in 0u8..8) {
            let mut image = sample();
            image[HEADER_LEN + SEGMENT_HEADER_LEN + index] ^= 1 << bit;
            prop_assert!(!validate(&image).valid);
        }
    }

    #[test]
    fn every_check_of_a_corrupt_image_reads_in_portuguese() {
        use crate::i18n::Lang;
        let mut image = ImageBuilder::new().segment(0x4010_0000, vec![7; 64]).build();
        image[8 + 8] ^= 0x40;
        let report = validate(&image);
        let pt = Tr(Lang::PtBr);
        let failed = report.first_failure().expect("the checksum fails");
        assert_eq!(failed.check.describe(pt), "soma de verificação");
        let text = failed.finding.describe(pt);
        assert!(text.starts_with("a soma armazenada 0x"), "{text}");
        assert!(text.ends_with("a imagem está corrompida."), "{text}");
        assert!(
            failed.to_string().starts_with("checksum: stored checksum 0x"),
            "{failed}"
        );
        for check in &report.checks {
            let en = check.finding.to_string();
            assert_ne!(check.finding.describe(pt), en, "{en} is not translated");
        }
    }
}
