//! The commissioning report's options as typed on the Batch page (HTTP
//! settings, broker of the MQTT check, the header fields: site, panel,
//! customer, technician, remembered in the preferences) and their check.

use super::broker_form::{BrokerForm, BrokerFormProblem};
use crate::backend::commissioning::ReportChecks;
use crate::commissioning::report::ReportHeader;

/// The report's options as typed.
#[derive(Debug, Default)]
pub struct ReportForm {
    /// Read each meter's HTTP settings (two reboots each).
    pub http_blocks: bool,
    /// Broker of the MQTT check (an empty URL: each meter's own) and how to
    /// log in to it.
    pub broker: BrokerForm,
    /// Site, panel, customer and technician as typed.
    pub header: ReportHeader,
}

impl ReportForm {
    /// The checks as typed, or what is wrong with them.
    pub fn checks(&self) -> Result<ReportChecks, BrokerFormProblem> {
        let typed = self.broker.login()?;
        Ok(ReportChecks {
            http_blocks: self.http_blocks,
            broker: typed.broker,
            credentials: typed.credentials,
            header: self.checked_header(),
        })
    }

    /// The header fields as typed, trimmed (for the report and the
    /// calibration certificate).
    pub fn checked_header(&self) -> ReportHeader {
        ReportHeader::default().updated([
            Some(&self.header.site),
            Some(&self.header.panel),
            Some(&self.header.customer),
            Some(&self.header.technician),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::config_forms::PasswordText;

    #[test]
    fn the_checks_carry_the_broker_form_as_typed() {
        let mut form = ReportForm {
            http_blocks: true,
            ..ReportForm::default()
        };
        let checks = form.checks().expect("no broker is valid");
        assert!(checks.http_blocks && checks.broker.is_none() && checks.credentials.is_empty());
        form.header.site = " Usina Sul ".into();
        assert_eq!(form.checks().expect("valid").header.site, "Usina Sul");
        form.broker.url = "mqtt://host:1884".into();
        form.broker.user = "meter".into();
        form.broker.password = PasswordText("secret".into());
        let checks = form.checks().expect("valid");
        assert_eq!(checks.broker.map(|b| b.port), Some(1884));
        assert_eq!(checks.credentials.user.as_deref(), Some("meter"));
        assert!(!format!("{form:?}").contains("secret"));
        form.broker.url = "http://host".into();
        assert!(matches!(form.checks(), Err(BrokerFormProblem::BadUrl(_))));
    }
}
