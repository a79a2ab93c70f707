//! Saving what the window shows: a table (the trend plot's visible data, the
//! History tab's entries) in an export format, or a picture (the trend
//! plot, the phasor diagram) as PNG. The save dialog, then the encoding and
//! the atomic write, run off the UI thread, each answered by one event.

use std::path::{Path, PathBuf};

use super::{Event, EventSink};
use crate::commissioning::export::{self, ExportError, Format, Table};
use crate::commissioning::picture::{self, PictureError, phasor, trend};
use crate::i18n::{Describe, Lang, Msg, Tr};
use je08_protocol::readings::Measurements;

/// Width and height of a saved trend picture, in pixels.
pub const TREND_PICTURE: [u32; 2] = [1200, 480];
/// Width of a saved phasor picture (its height adds the angle table).
pub const PHASOR_PICTURE: u32 = 520;

/// Which button started an export (each shows its own result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The trend plot's "Export visible data".
    PlotData,
    /// The trend plot's "Save picture".
    PlotPicture,
    /// The phasor diagram's "Save picture".
    PhasorPicture,
    /// The History tab's export.
    History,
    /// The Journal page's export.
    Journal,
}

/// What an export writes.
#[derive(Debug)]
pub enum Job {
    /// `table` in `format`, headers in `lang`.
    Table {
        /// The rows.
        table: Table,
        /// The file format.
        format: Format,
        /// The language of a localized CSV's or a workbook's headers.
        lang: Lang,
    },
    /// A picture, as PNG.
    Picture(Picture),
}

impl Job {
    /// The kind of file it writes.
    pub fn file_kind(&self) -> FileKind {
        match self {
            Job::Table { format, .. } => FileKind::Table(*format),
            Job::Picture(_) => FileKind::Png,
        }
    }
}

/// The kind of file a save dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A table in this format.
    Table(Format),
    /// A PNG picture.
    Png,
}

/// An export request.
#[derive(Debug)]
pub enum Request {
    /// Ask where to save a file of `kind` proposing `name` (without extension).
    Choose {
        /// The proposed file name.
        name: String,
        /// Its kind (filter and extension).
        kind: FileKind,
    },
    /// Write `job` to `path`.
    Write {
        /// Which button asked.
        origin: Origin,
        /// What to write.
        job: Job,
        /// Where.
        path: PathBuf,
    },
}

/// What an export request gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The dialog closed: the file chosen, or `None` when dismissed.
    Chosen(Option<PathBuf>),
    /// The file was written, or why not.
    Saved(Origin, Result<PathBuf, SaveFailure>),
}

/// A picture to draw.
#[derive(Debug)]
pub enum Picture {
    /// The trend plot's lines.
    Trend(trend::Trend),
    /// The phasor diagram of a reading.
    Phasor {
        /// The reading.
        measurements: Box<Measurements>,
        /// Above the diagram.
        title: String,
        /// The angle table's row names (voltage, current).
        rows: [String; 2],
    },
}

/// Why a save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// The plot shows no samples: nothing to export.
    NothingVisible,
    /// A table could not be written.
    Export(ExportError),
    /// A picture could not be drawn or written.
    Picture(PictureError),
}

impl Describe for SaveFailure {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NothingVisible => tr.t(Msg::ExportNothingVisible).to_string(),
            Self::Export(e) => e.describe(tr),
            Self::Picture(e) => e.describe(tr),
        }
    }
}

/// Run `request` off the runtime's threads; ends with one [`Event::Export`].
pub fn start(request: Request, sink: EventSink) {
    tokio::task::spawn_blocking(move || {
        let update = match request {
            Request::Choose { name, kind } => Update::Chosen(dialog(kind, &name).save_file()),
            Request::Write { origin, job, path } => Update::Saved(origin, write(&job, &path).map(|()| path)),
        };
        sink.send(Event::Export(update));
    });
}

/// A save dialog for a file of `kind` named `name` (its filter and extension).
pub fn dialog(kind: FileKind, name: &str) -> rfd::FileDialog {
    let (filter, ext) = match kind {
        FileKind::Table(Format::Xlsx) => ("Excel", "xlsx"),
        FileKind::Table(_) => ("CSV", "csv"),
        FileKind::Png => ("PNG", "png"),
    };
    rfd::FileDialog::new()
        .add_filter(filter, &[ext])
        .set_file_name(format!("{name}.{ext}"))
}

/// Write `job` to `path` (atomically).
pub fn write(job: &Job, path: &Path) -> Result<(), SaveFailure> {
    match job {
        Job::Table { table, format, lang } => {
            export::save(path, table, *format, *lang).map_err(SaveFailure::Export)
        }
        Job::Picture(picture) => {
            let canvas = draw(picture).ok_or_else(|| {
                SaveFailure::Picture(PictureError::NotDrawn {
                    path: path.display().to_string(),
                })
            })?;
            picture::save_png(path, &canvas).map_err(SaveFailure::Picture)
        }
    }
}

/// Draw `picture` at its saved size.
pub fn draw(picture: &Picture) -> Option<picture::Canvas> {
    match picture {
        Picture::Trend(t) => trend::render(t, TREND_PICTURE[0], TREND_PICTURE[1]),
        Picture::Phasor {
            measurements,
            title,
            rows,
        } => phasor::render(measurements, PHASOR_PICTURE, title, [&rows[0], &rows[1]]),
    }
}
