//! What one firmware check found ([`Finding`]), machine-readable so a window
//! can say it in the user's language; `Display` is the English sentence of
//! `je08 firmware check` and of the JSON report's `reason`.

use std::fmt;

use serde::{Serialize, Serializer};

use super::FirmwareVersion;

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

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::SizeFits { size, max } => write!(f, "{size} bytes fit the {max}-byte application slot."),
            Self::SizeExceeds { size, max } => write!(
                f,
                "{size} bytes exceed the {max}-byte application slot by {} bytes.",
                size - max
            ),
            Self::ShorterThanHeader { size, header } => {
                write!(
                    f,
                    "the file has {size} bytes, fewer than the {header}-byte image header."
                )
            }
            Self::MagicOk => f.write_str("the first byte is 0xE9, an ESP8266 application image."),
            Self::MagicWrong { byte } => write!(
                f,
                "the first byte is 0x{byte:02X}, not 0xE9: this is not an ESP8266 application image."
            ),
            Self::SegmentCountOk { count, max } => write!(f, "{count} segment(s), at most {max} allowed."),
            Self::SegmentCountBad { count, max } => {
                write!(f, "the header declares {count} segments; 1 to {max} are allowed.")
            }
            Self::FlashMode { name } => write!(f, "flash mode {name}."),
            Self::FlashModeUnknown { byte } => write!(
                f,
                "flash mode byte {byte} is unknown (0 QIO, 1 QOUT, 2 DIO, 3 DOUT)."
            ),
            Self::FlashSizeFreq { size, freq } => write!(f, "flash size {size}, frequency {freq}."),
            Self::FlashSizeFreqUnknown { byte } => write!(
                f,
                "byte 0x{byte:02X} names an unknown flash size (high nibble) or frequency (low nibble)."
            ),
            Self::EntryOk { entry } => write!(f, "entry point 0x{entry:08X} lies in executable memory."),
            Self::EntryOutside { entry, first, last } => write!(
                f,
                "entry point 0x{entry:08X} lies outside executable memory (0x{first:08X}–0x{last:08X})."
            ),
            Self::SegmentHeaderPastEnd {
                segment,
                offset,
                size,
            } => write!(
                f,
                "segment {segment} header at offset {offset} runs past the end of the {size}-byte file."
            ),
            Self::SegmentPastEnd {
                segment,
                address,
                length,
                remaining,
            } => write!(
                f,
                "segment {segment} (address 0x{address:08X}) declares {length} bytes but only {remaining} remain in the file."
            ),
            Self::SegmentsOk { count, data_bytes } => write!(
                f,
                "{count} segment(s) with {data_bytes} data bytes lie inside the file."
            ),
            Self::PaddingOk { end, size } => write!(
                f,
                "segments end at offset {end}; padded to {size} bytes with the checksum last."
            ),
            Self::Truncated { size, checksum_at } => write!(
                f,
                "the file ends at {size} bytes, before the checksum byte at offset {checksum_at} (truncated?)."
            ),
            Self::TrailingBytes { extra, checksum_at } => write!(
                f,
                "{extra} unexpected bytes follow the checksum byte at offset {checksum_at}."
            ),
            Self::ChecksumOk { stored } => write!(f, "checksum 0x{stored:02X} matches the segment data."),
            Self::ChecksumBad { stored, computed } => write!(
                f,
                "stored checksum 0x{stored:02X} differs from 0x{computed:02X} computed over the segment data: the image is corrupt."
            ),
            Self::Version { version } => write!(f, "version {version} (marker JE08-FW:{version})."),
            Self::NoVersion => f.write_str("no JE08-FW:x.yy marker: version unknown (allowed)."),
        }
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
