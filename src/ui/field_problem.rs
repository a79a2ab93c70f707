//! A refused field's [`Problem`] in the user's language.

use crate::i18n::{Msg, Tr};
use je08_protocol::http_api::Problem;

/// The sentence shown under a refused field.
pub fn describe(tr: Tr, problem: &Problem) -> String {
    let n = |v: &dyn ToString| v.to_string();
    match problem {
        Problem::NotANumber => tr.t(Msg::NotANumber).to_owned(),
        Problem::OutOfRange { value, min, max } => tr.f(Msg::ProbOutOfRange, &[&n(value), &n(min), &n(max)]),
        Problem::SsidLength { has } => tr.f(Msg::ProbSsidLength, &[&n(has)]),
        Problem::PasswordLength { has } => tr.f(Msg::ProbPasswordLength, &[&n(has)]),
        Problem::PrintableAsciiOnly => tr.t(Msg::ProbPrintableAscii).to_owned(),
        Problem::AccessPointNeedsStaticAddress => tr.t(Msg::ProbApStatic).to_owned(),
        Problem::NotIpv4 { text } => tr.f(Msg::ProbNotIpv4, &[text]),
        Problem::AddressNotUsable { ip } => tr.f(Msg::ProbAddressNotUsable, &[&n(ip)]),
        Problem::BadNetmask { mask } => tr.f(Msg::ProbBadNetmask, &[&n(mask)]),
        Problem::NetworkOrBroadcast { ip } => tr.f(Msg::ProbNetworkOrBroadcast, &[&n(ip)]),
        Problem::GatewayOutsideSubnet { gateway, ip, prefix } => {
            tr.f(Msg::ProbGatewayOutside, &[&n(gateway), &n(ip), &n(prefix)])
        }
        Problem::Empty => tr.t(Msg::ProbEmpty).to_owned(),
        Problem::TooLongOrControl { max } => tr.f(Msg::ProbTooLongOrControl, &[&n(max)]),
        Problem::HostRequired => tr.t(Msg::ProbHostRequired).to_owned(),
        Problem::NotAHost { text } => tr.f(Msg::ProbNotAHost, &[text]),
        Problem::ClientIdLength => tr.t(Msg::ProbClientIdLength).to_owned(),
        Problem::SpacesOrControl => tr.t(Msg::ProbSpacesOrControl).to_owned(),
        Problem::TooManyBytes { max } => tr.f(Msg::ProbTooManyBytes, &[&n(max)]),
        Problem::ContainsNul => tr.t(Msg::ProbContainsNul).to_owned(),
        Problem::PublishWildcard => tr.t(Msg::ProbPublishWildcard).to_owned(),
        Problem::HashNotLastLevel => tr.t(Msg::ProbHashNotLast).to_owned(),
        Problem::PlusNotWholeLevel => tr.t(Msg::ProbPlusNotWhole).to_owned(),
        Problem::ClientAuthNeedsTls => tr.t(Msg::ProbClientAuthNeedsTls).to_owned(),
        Problem::Stated(reason) => tr.f(Msg::ProbStated, &[reason]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use je08_protocol::http_api::{Connectivity, Ct};

    #[test]
    fn every_validation_problem_is_said_in_both_languages() {
        let mut bad = Connectivity::factory(7);
        bad.ssid = String::new();
        bad.gateway = "10.9.9.9".into();
        let errs = bad.validate().unwrap_err();
        let ssid = errs.for_field("ssid").expect("ssid refused");
        assert_eq!(describe(Tr(Lang::En), ssid), "must have 1 to 32 bytes (has 0)");
        assert_eq!(describe(Tr(Lang::PtBr), ssid), "deve ter de 1 a 32 bytes (tem 0)");
        let gateway = errs.for_field("gateway").expect("gateway refused");
        assert_eq!(
            describe(Tr(Lang::PtBr), gateway),
            "10.9.9.9 está fora da sub-rede 192.168.1.1/24"
        );
        let ratio = Ct {
            ratio: 500,
            invert: [false; 3],
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            describe(Tr(Lang::PtBr), ratio.for_field("ratio").expect("ratio")),
            "500 está fora da faixa; permitido 20–400"
        );
    }
}
