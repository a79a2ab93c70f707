//! Firmware image files (spec §5) as `je08 firmware check`, the window's
//! Firmware tab and both update transports validate them before sending.
//!
//! Checks: an image declared valid has every property the spec lists
//! (re-checked here: size, magic, 1–16 segments, padding to 16 bytes, the
//! XOR checksum) and is, apart from its padding bytes, exactly the image
//! `ImageBuilder` makes from the header and segments the report read; the
//! verdict agrees with the checks; every finding can be said in both
//! languages.
#![no_main]

use je08_fuzz::said_in_every_language;
use je08_protocol::firmware::{
    CHECKSUM_SEED, HEADER_LEN, ImageBuilder, MAGIC, MAX_IMAGE_BYTES, MAX_SEGMENTS, find_version, md5_hex,
    validate,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let report = validate(bytes);
    assert_eq!(report.size, bytes.len());
    assert_eq!(report.md5, md5_hex(bytes));
    assert_eq!(report.valid, report.first_failure().is_none());
    assert_eq!(report.verdict().is_ok(), report.valid);
    for check in &report.checks {
        said_in_every_language(check);
    }
    if !report.valid {
        return;
    }
    assert!(bytes.len() <= MAX_IMAGE_BYTES && bytes.len() % 16 == 0 && bytes.len() > HEADER_LEN);
    assert_eq!(bytes[0], MAGIC);
    assert!((1..=MAX_SEGMENTS).contains(&usize::from(bytes[1])));
    assert_eq!(report.segments.len(), usize::from(bytes[1]));
    let data = |offset: usize, length: u32| &bytes[offset..offset + length as usize];
    let xor = report
        .segments
        .iter()
        .flat_map(|s| data(s.offset, s.length))
        .fold(CHECKSUM_SEED, |acc, b| acc ^ b);
    assert_eq!(xor, bytes[bytes.len() - 1], "checksum");
    assert_eq!(
        report.version,
        report
            .segments
            .iter()
            .find_map(|s| find_version(data(s.offset, s.length)))
    );
    // Rebuild the image from what the report read.
    let entry = report.entry_point.expect("a valid image has an entry point");
    let builder = report.segments.iter().fold(
        ImageBuilder::new().flash(bytes[2], bytes[3]).entry(entry),
        |b, s| b.segment(s.address, data(s.offset, s.length)),
    );
    let rebuilt = builder.build();
    assert_eq!(rebuilt.len(), bytes.len(), "the padding differs");
    let end = report
        .segments
        .last()
        .map_or(HEADER_LEN, |s| s.offset + s.length as usize);
    assert_eq!(rebuilt[..end], bytes[..end], "header or segments differ");
    assert_eq!(rebuilt.last(), bytes.last());
});
