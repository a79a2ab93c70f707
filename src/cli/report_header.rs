//! The flags of a document's header (`--site`, `--panel`, `--customer`,
//! `--technician`) shared by `je08 report` and `je08 calibrate
//! --certificate`. What is given is remembered in `report-header.json` in
//! the data folder, so a field not given is the one given last time;
//! `--site ""` clears it.

use crate::commissioning::report::ReportHeader;

/// Site, panel, customer and technician of a report or a certificate.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HeaderArgs {
    /// Where the meters are installed (remembered: given once, it stays
    /// until given again; "" clears it).
    #[arg(long, value_name = "TEXT")]
    pub site: Option<String>,
    /// The panel the meters are in (remembered like --site).
    #[arg(long, value_name = "TEXT")]
    pub panel: Option<String>,
    /// The customer who signs the document (remembered like --site).
    #[arg(long, value_name = "TEXT")]
    pub customer: Option<String>,
    /// The technician who signs the document (remembered like --site).
    #[arg(long, value_name = "TEXT")]
    pub technician: Option<String>,
}

impl HeaderArgs {
    /// The fields given, the others as remembered; the result is
    /// remembered for the next document (a failure to remember is a
    /// warning: the document itself is not at stake).
    pub fn header(&self) -> ReportHeader {
        let path = ReportHeader::remembered_path();
        let remembered = path.as_deref().map(ReportHeader::load).unwrap_or_default();
        let header = remembered.clone().updated([
            self.site.as_deref(),
            self.panel.as_deref(),
            self.customer.as_deref(),
            self.technician.as_deref(),
        ]);
        if header != remembered
            && let Some(path) = &path
            && let Err(e) = header.save(path)
        {
            errln!(
                "warning: the header fields are not remembered: cannot write {}: {e}",
                path.display()
            );
        }
        header
    }
}
