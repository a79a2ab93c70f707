//! State of the Firmware tab: the picked image, its validation report and
//! how it travels.

use std::path::PathBuf;

use crate::backend::FileError;
use crate::backend::web::FlashMethod;
use je08_protocol::firmware::FirmwareReport;

/// State of the Firmware tab.
#[derive(Debug, Clone, Default)]
pub struct FirmwareState {
    /// The picked image.
    pub path: Option<PathBuf>,
    /// Its validation report, or why it could not be read.
    pub report: Option<Result<FirmwareReport, FileError>>,
    /// How the image travels.
    pub method: FlashMethod,
}

impl FirmwareState {
    /// A file was picked; its report is on the way.
    pub fn picked(&mut self, path: PathBuf) {
        self.path = Some(path);
        self.report = None;
    }

    /// The image to send, only when its validation passed.
    pub fn valid_image(&self) -> Option<&PathBuf> {
        matches!(&self.report, Some(Ok(r)) if r.valid).then_some(self.path.as_ref())?
    }

    /// The validation of `path` finished.
    pub fn checked(&mut self, path: PathBuf, report: Result<FirmwareReport, FileError>) {
        if self.path.as_ref() == Some(&path) {
            self.report = Some(report);
        }
    }
}
