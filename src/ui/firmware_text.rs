//! A firmware validation report in the user's language: the name of each
//! check and what it found.

use crate::i18n::{Msg, Tr};
use je08_protocol::firmware::{CheckKind, Finding};

/// The short name of a check.
pub fn check_name(tr: Tr, check: CheckKind) -> &'static str {
    tr.t(match check {
        CheckKind::Size => Msg::FwCheckSize,
        CheckKind::Magic => Msg::FwCheckMagic,
        CheckKind::SegmentCount => Msg::FwCheckSegmentCount,
        CheckKind::FlashMode => Msg::FwCheckFlashMode,
        CheckKind::FlashSizeFreq => Msg::FwCheckFlashSizeFreq,
        CheckKind::EntryPoint => Msg::FwCheckEntryPoint,
        CheckKind::Segments => Msg::FwCheckSegments,
        CheckKind::Padding => Msg::FwCheckPadding,
        CheckKind::Checksum => Msg::FwCheckChecksum,
        CheckKind::Version => Msg::FwCheckVersion,
    })
}

/// The sentence saying what a check found.
pub fn describe(tr: Tr, finding: &Finding) -> String {
    let n = |v: &dyn ToString| v.to_string();
    let hex2 = |b: u8| format!("0x{b:02X}");
    let hex8 = |a: u32| format!("0x{a:08X}");
    match *finding {
        Finding::SizeFits { size, max } => tr.f(Msg::FwSizeFits, &[&n(&size), &n(&max)]),
        Finding::SizeExceeds { size, max } => {
            tr.f(Msg::FwSizeExceeds, &[&n(&size), &n(&max), &n(&(size - max))])
        }
        Finding::ShorterThanHeader { size, header } => {
            tr.f(Msg::FwShorterThanHeader, &[&n(&size), &n(&header)])
        }
        Finding::MagicOk => tr.t(Msg::FwMagicOk).to_owned(),
        Finding::MagicWrong { byte } => tr.f(Msg::FwMagicWrong, &[&hex2(byte)]),
        Finding::SegmentCountOk { count, max } => tr.f(Msg::FwSegmentCountOk, &[&n(&count), &n(&max)]),
        Finding::SegmentCountBad { count, max } => tr.f(Msg::FwSegmentCountBad, &[&n(&count), &n(&max)]),
        Finding::FlashMode { name } => tr.f(Msg::FwFlashMode, &[name]),
        Finding::FlashModeUnknown { byte } => tr.f(Msg::FwFlashModeUnknown, &[&n(&byte)]),
        Finding::FlashSizeFreq { size, freq } => tr.f(Msg::FwFlashSizeFreq, &[size, freq]),
        Finding::FlashSizeFreqUnknown { byte } => tr.f(Msg::FwFlashSizeFreqUnknown, &[&hex2(byte)]),
        Finding::EntryOk { entry } => tr.f(Msg::FwEntryOk, &[&hex8(entry)]),
        Finding::EntryOutside { entry, first, last } => {
            tr.f(Msg::FwEntryOutside, &[&hex8(entry), &hex8(first), &hex8(last)])
        }
        Finding::SegmentHeaderPastEnd {
            segment,
            offset,
            size,
        } => tr.f(
            Msg::FwSegmentHeaderPastEnd,
            &[&n(&segment), &n(&offset), &n(&size)],
        ),
        Finding::SegmentPastEnd {
            segment,
            address,
            length,
            remaining,
        } => tr.f(
            Msg::FwSegmentPastEnd,
            &[&n(&segment), &hex8(address), &n(&length), &n(&remaining)],
        ),
        Finding::SegmentsOk { count, data_bytes } => tr.f(Msg::FwSegmentsOk, &[&n(&count), &n(&data_bytes)]),
        Finding::PaddingOk { end, size } => tr.f(Msg::FwPaddingOk, &[&n(&end), &n(&size)]),
        Finding::Truncated { size, checksum_at } => tr.f(Msg::FwTruncated, &[&n(&size), &n(&checksum_at)]),
        Finding::TrailingBytes { extra, checksum_at } => {
            tr.f(Msg::FwTrailingBytes, &[&n(&extra), &n(&checksum_at)])
        }
        Finding::ChecksumOk { stored } => tr.f(Msg::FwChecksumOk, &[&hex2(stored)]),
        Finding::ChecksumBad { stored, computed } => {
            tr.f(Msg::FwChecksumBad, &[&hex2(stored), &hex2(computed)])
        }
        Finding::Version { version } => tr.f(Msg::FwVersionFound, &[&n(&version)]),
        Finding::NoVersion => tr.t(Msg::FwNoVersion).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use je08_protocol::firmware::{ImageBuilder, validate};

    #[test]
    fn every_check_of_a_corrupt_image_reads_in_portuguese() {
        let mut image = ImageBuilder::new().segment(0x4010_0000, vec![7; 64]).build();
        image[8 + 8] ^= 0x40;
        let report = validate(&image);
        let pt = Tr(Lang::PtBr);
        let failed = report.first_failure().expect("the checksum fails");
        assert_eq!(check_name(pt, failed.check), "soma de verificação");
        let text = describe(pt, &failed.finding);
        assert!(text.starts_with("a soma armazenada 0x"), "{text}");
        assert!(text.ends_with("a imagem está corrompida."), "{text}");
        for check in &report.checks {
            let en = describe(Tr(Lang::En), &check.finding);
            assert_eq!(en, check.finding.to_string(), "the window's English is the CLI's");
            assert_ne!(describe(pt, &check.finding), en, "{en} is not translated");
        }
    }
}
