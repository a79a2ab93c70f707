//! What one firmware check found ([`Finding`]), machine-readable; its
//! `Describe` says it in the reader's language, and its English (`Display`)
//! is the sentence of `je08 firmware check` and of the JSON report's `reason`.

use serde::{Serialize, Serializer};

use super::FirmwareVersion;
use crate::i18n::{Describe, Tr};
use crate::texts::ProtocolMsg;

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The file fits the application slot.
    SizeFits {
        /// File length.
        size: usize,
        /// Slot size.
        max: usize,
    },
    /// The file is larger than the application slot.
    SizeExceeds {
        /// File length.
        size: usize,
        /// Slot size.
        max: usize,
    },
    /// The file is shorter than the image header.
    ShorterThanHeader {
        /// File length.
        size: usize,
        /// Header length.
        header: usize,
    },
    /// The first byte is the ESP8266 image magic 0xE9.
    MagicOk,
    /// The first byte is something else.
    MagicWrong {
        /// The byte found.
        byte: u8,
    },
    /// The segment count is allowed.
    SegmentCountOk {
        /// Segments declared.
        count: usize,
        /// Largest allowed.
        max: usize,
    },
    /// The segment count is not allowed.
    SegmentCountBad {
        /// Segments declared.
        count: usize,
        /// Largest allowed.
        max: usize,
    },
    /// A known flash mode.
    FlashMode {
        /// Its name (QIO, QOUT, DIO, DOUT).
        name: &'static str,
    },
    /// An unknown flash mode byte.
    FlashModeUnknown {
        /// The byte found.
        byte: u8,
    },
    /// A known flash size and frequency.
    FlashSizeFreq {
        /// Size name.
        size: &'static str,
        /// Frequency name.
        freq: &'static str,
    },
    /// An unknown flash size or frequency.
    FlashSizeFreqUnknown {
        /// The byte found.
        byte: u8,
    },
    /// The entry point is in executable memory.
    EntryOk {
        /// Entry address.
        entry: u32,
    },
    /// The entry point is outside executable memory.
    EntryOutside {
        /// Entry address.
        entry: u32,
        /// First executable address.
        first: u32,
        /// Last executable address.
        last: u32,
    },
    /// A segment's header runs past the end of the file.
    SegmentHeaderPastEnd {
        /// Segment number, from 1.
        segment: usize,
        /// Offset of its header.
        offset: usize,
        /// File length.
        size: usize,
    },
    /// A segment's data runs past the end of the file.
    SegmentPastEnd {
        /// Segment number, from 1.
        segment: usize,
        /// Load address.
        address: u32,
        /// Declared length.
        length: u32,
        /// Bytes left in the file.
        remaining: usize,
    },
    /// Every segment lies inside the file.
    SegmentsOk {
        /// Segments.
        count: usize,
        /// Data bytes in all.
        data_bytes: usize,
    },
    /// Padded to 16 bytes with the checksum last.
    PaddingOk {
        /// Where the segments end.
        end: usize,
        /// File length.
        size: usize,
    },
    /// The file ends before the checksum byte.
    Truncated {
        /// File length.
        size: usize,
        /// Where the checksum byte belongs.
        checksum_at: usize,
    },
    /// Bytes follow the checksum byte.
    TrailingBytes {
        /// How many.
        extra: usize,
        /// Where the checksum byte is.
        checksum_at: usize,
    },
    /// The checksum matches.
    ChecksumOk {
        /// The stored checksum.
        stored: u8,
    },
    /// The checksum does not match: the image is corrupt.
    ChecksumBad {
        /// The stored checksum.
        stored: u8,
        /// The checksum of the data.
        computed: u8,
    },
    /// The version marker was found.
    Version {
        /// The version.
        version: FirmwareVersion,
    },
    /// No version marker (allowed).
    NoVersion,
}

impl Describe for Finding {
    fn describe(&self, tr: Tr) -> String {
        let n = |v: &dyn ToString| v.to_string();
        let hex2 = |b: u8| format!("0x{b:02X}");
        let hex8 = |a: u32| format!("0x{a:08X}");
        match *self {
            Finding::SizeFits { size, max } => tr.f(ProtocolMsg::FwSizeFits, &[&n(&size), &n(&max)]),
            Finding::SizeExceeds { size, max } => tr.f(
                ProtocolMsg::FwSizeExceeds,
                &[&n(&size), &n(&max), &n(&(size - max))],
            ),
            Finding::ShorterThanHeader { size, header } => {
                tr.f(ProtocolMsg::FwShorterThanHeader, &[&n(&size), &n(&header)])
            }
            Finding::MagicOk => tr.t(ProtocolMsg::FwMagicOk).to_owned(),
            Finding::MagicWrong { byte } => tr.f(ProtocolMsg::FwMagicWrong, &[&hex2(byte)]),
            Finding::SegmentCountOk { count, max } => {
                tr.f(ProtocolMsg::FwSegmentCountOk, &[&n(&count), &n(&max)])
            }
            Finding::SegmentCountBad { count, max } => {
                tr.f(ProtocolMsg::FwSegmentCountBad, &[&n(&count), &n(&max)])
            }
            Finding::FlashMode { name } => tr.f(ProtocolMsg::FwFlashMode, &[name]),
            Finding::FlashModeUnknown { byte } => tr.f(ProtocolMsg::FwFlashModeUnknown, &[&n(&byte)]),
            Finding::FlashSizeFreq { size, freq } => tr.f(ProtocolMsg::FwFlashSizeFreq, &[size, freq]),
            Finding::FlashSizeFreqUnknown { byte } => {
                tr.f(ProtocolMsg::FwFlashSizeFreqUnknown, &[&hex2(byte)])
            }
            Finding::EntryOk { entry } => tr.f(ProtocolMsg::FwEntryOk, &[&hex8(entry)]),
            Finding::EntryOutside { entry, first, last } => tr.f(
                ProtocolMsg::FwEntryOutside,
                &[&hex8(entry), &hex8(first), &hex8(last)],
            ),
            Finding::SegmentHeaderPastEnd {
                segment,
                offset,
                size,
            } => tr.f(
                ProtocolMsg::FwSegmentHeaderPastEnd,
                &[&n(&segment), &n(&offset), &n(&size)],
            ),
            Finding::SegmentPastEnd {
                segment,
                address,
                length,
                remaining,
            } => tr.f(
                ProtocolMsg::FwSegmentPastEnd,
                &[&n(&segment), &hex8(address), &n(&length), &n(&remaining)],
            ),
            Finding::SegmentsOk { count, data_bytes } => {
                tr.f(ProtocolMsg::FwSegmentsOk, &[&n(&count), &n(&data_bytes)])
            }
            Finding::PaddingOk { end, size } => tr.f(ProtocolMsg::FwPaddingOk, &[&n(&end), &n(&size)]),
            Finding::Truncated { size, checksum_at } => {
                tr.f(ProtocolMsg::FwTruncated, &[&n(&size), &n(&checksum_at)])
            }
            Finding::TrailingBytes { extra, checksum_at } => {
                tr.f(ProtocolMsg::FwTrailingBytes, &[&n(&extra), &n(&checksum_at)])
            }
            Finding::ChecksumOk { stored } => tr.f(ProtocolMsg::FwChecksumOk, &[&hex2(stored)]),
            Finding::ChecksumBad { stored, computed } => {
                tr.f(ProtocolMsg::FwChecksumBad, &[&hex2(stored), &hex2(computed)])
            }
            Finding::Version { version } => tr.f(ProtocolMsg::FwVersionFound, &[&n(&version)]),
            Finding::NoVersion => tr.t(ProtocolMsg::FwNoVersion).to_owned(),
        }
    }
}

crate::english_display!(Finding);

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
