//! Who and where a report is for: site, panel, customer and technician,
//! printed at the top of the report and under the signature lines.
//!
//! The window keeps them in its preferences; the command line keeps the
//! last ones given in `report-header.json` in the data folder (beside
//! `meters.json`, `JE08_DATA_DIR` when set), so a batch of reports for one
//! site needs them typed once.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::commissioning::pdf::{Block, Signatures};
use crate::i18n::{Msg, Tr};

/// The report's header fields (any may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportHeader {
    /// Where the meters are installed (plant, building, address).
    pub site: String,
    /// The panel (switchboard) the meters are in.
    pub panel: String,
    /// The customer who receives and signs the report.
    pub customer: String,
    /// The technician who commissioned the meters and signs the report.
    pub technician: String,
}

/// The file the command line remembers the header in.
const FILE: &str = "report-header.json";

impl ReportHeader {
    /// The technician's and the customer's lines (name, date, signature),
    /// as the report and the calibration certificate end.
    pub fn signature_block(&self, tr: Tr) -> Block {
        Block::Signatures(Signatures {
            name_label: tr.t(Msg::RepName).into(),
            date_label: tr.t(Msg::RepDate).into(),
            signature_label: tr.t(Msg::RepSignature).into(),
            signers: vec![
                (tr.t(Msg::RepTechnician).into(), self.technician.clone()),
                (tr.t(Msg::RepCustomer).into(), self.customer.clone()),
            ],
        })
    }

    /// Where the command line remembers the header (`None`: no data folder).
    pub fn remembered_path() -> Option<PathBuf> {
        je08_client::store::data_dir().map(|d| d.join(FILE))
    }

    /// The header remembered at `path` (empty when there is none or it
    /// cannot be read: the fields are then simply asked again).
    pub fn load(path: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Remember the header at `path` (atomically).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        je08_client::store::atomic::write_atomically(path, &json)
    }

    /// This header with every field given in `other` (`Some`, possibly
    /// empty to clear it) taking its place.
    #[must_use]
    pub fn updated(mut self, other: [Option<&str>; 4]) -> Self {
        let [site, panel, customer, technician] = other;
        for (field, new) in [
            (&mut self.site, site),
            (&mut self.panel, panel),
            (&mut self.customer, customer),
            (&mut self.technician, technician),
        ] {
            if let Some(new) = new {
                *field = new.trim().to_owned();
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_round_trips_and_given_fields_replace_remembered_ones() {
        let dir = std::env::temp_dir().join(format!("je08-header-{}", std::process::id()));
        let path = dir.join(FILE);
        assert_eq!(ReportHeader::load(&path), ReportHeader::default());
        let header = ReportHeader {
            site: "Usina Sul".into(),
            panel: "QGBT-2".into(),
            customer: "Açúcar & Álcool S.A.".into(),
            technician: "João".into(),
        };
        header.save(&path).expect("saved");
        assert_eq!(ReportHeader::load(&path), header);
        let next = header.clone().updated([None, Some(" QGBT-3 "), Some(""), None]);
        assert_eq!(next.site, "Usina Sul");
        assert_eq!(next.panel, "QGBT-3");
        assert_eq!(next.customer, "");
        std::fs::remove_dir_all(&dir).ok();
    }
}
