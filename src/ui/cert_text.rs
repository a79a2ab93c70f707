//! The certificate pre-flight in the user's language: each [`Problem`] as a
//! sentence naming the file, and key types as the summary shows them.

use crate::i18n::{Msg, Tr};
use je08_net::certs::{Issue, KeyKind, MAX_RSA_BITS, Problem, Role, Section, utc};

/// A key's type and size, e.g. `RSA 2048 bits` (only "unsupported" is
/// translated: the rest are names).
pub fn key_name(tr: Tr, key: KeyKind) -> String {
    match key {
        KeyKind::Other => tr.t(Msg::CertKeyOther).to_owned(),
        known => known.to_string(),
    }
}

fn role_name(tr: Tr, role: Role) -> &'static str {
    tr.t(match role {
        Role::Ca => Msg::CertRoleCa,
        Role::Client => Msg::CertRoleClient,
    })
}

fn section_name(tr: Tr, section: Section) -> &'static str {
    tr.t(match section {
        Section::PublicKey => Msg::CertSectionPublicKey,
        Section::PrivateKey => Msg::CertSectionPrivateKey,
        Section::RevocationList => Msg::CertSectionCrl,
        Section::SigningRequest => Msg::CertSectionCsr,
        Section::EchConfig => Msg::CertSectionEch,
        Section::Unexpected => Msg::CertSectionOther,
    })
}

/// The sentence saying what is wrong with a file.
pub fn describe(tr: Tr, problem: &Problem) -> String {
    let file = problem.file.as_str();
    let n = |v: &dyn ToString| v.to_string();
    let max_rsa = n(&MAX_RSA_BITS);
    match &problem.issue {
        Issue::Unreadable { detail } => tr.f(Msg::CertUnreadable, &[file, detail]),
        Issue::FarTooLarge { size } => tr.f(Msg::CertFarTooLarge, &[file, &n(size)]),
        Issue::TooLarge { size, max } => tr.f(Msg::CertTooLarge, &[file, &n(size), &n(max)]),
        Issue::NotPem { detail } => tr.f(Msg::CertNotPem, &[file, detail]),
        Issue::NoPemSection => tr.f(Msg::CertNoPemSection, &[file]),
        Issue::NotACertificate { found } => tr.f(Msg::CertNotACertificate, &[file, section_name(tr, *found)]),
        Issue::NoPrivateKey => tr.f(Msg::CertNoPrivateKey, &[file]),
        Issue::SeveralPrivateKeys => tr.f(Msg::CertSeveralPrivateKeys, &[file]),
        Issue::Unparsable { detail } => tr.f(Msg::CertUnparsable, &[file, detail]),
        Issue::NotYetValid { role, from } => {
            tr.f(Msg::CertNotYetValid, &[file, role_name(tr, *role), &utc(*from)])
        }
        Issue::Expired { role, on } => tr.f(Msg::CertExpired, &[file, role_name(tr, *role), &utc(*on)]),
        Issue::CertKeyUnusable { role, key } => tr.f(
            Msg::CertCertKeyUnusable,
            &[file, role_name(tr, *role), &key_name(tr, *key), &max_rsa],
        ),
        Issue::KeyNotForTls => tr.f(Msg::CertKeyNotForTls, &[file]),
        Issue::KeyMismatch { cert } => tr.f(Msg::CertKeyMismatch, &[file, cert]),
        Issue::KeyUnusable { key } => tr.f(Msg::CertKeyUnusable, &[file, &key_name(tr, *key), &max_rsa]),
        Issue::NotSignedByCa { ca } => tr.f(Msg::CertNotSignedByCa, &[file, ca]),
        Issue::NotForClientAuth => tr.f(Msg::CertNotForClientAuth, &[file]),
        Issue::DoesNotVerify { ca, detail } => tr.f(Msg::CertDoesNotVerify, &[file, ca, detail]),
        Issue::NotACa { detail } => tr.f(Msg::CertNotACa, &[file, detail]),
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, date_time_ymd};

    use super::*;
    use crate::i18n::Lang;
    use je08_net::certs::{PemFile, check};

    fn ca(key: KeyPair) -> (String, Issuer<'static, KeyPair>) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, "test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let pem = params.self_signed(&key).unwrap().pem();
        (pem, Issuer::new(params, key))
    }

    fn file(name: &str, text: &str) -> PemFile {
        PemFile::new(name, text.as_bytes())
    }

    #[test]
    fn every_problem_of_bad_files_reads_in_portuguese() {
        let (ca_pem, issuer) = ca(KeyPair::generate().unwrap());
        let (other_ca, _) = ca(KeyPair::generate().unwrap());
        let p384 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::new(vec!["meter".to_string()]).unwrap();
        let current = params.signed_by(&p384, &issuer).unwrap().pem();
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2021, 1, 1);
        let expired = params.signed_by(&p384, &issuer).unwrap().pem();
        let stranger = KeyPair::generate().unwrap().serialize_pem();
        let now = SystemTime::now();
        let reports = [
            check(&file("ca.pem", "hello"), None, now),
            check(&file("ca.pem", &stranger), None, now),
            check(
                &file("ca.pem", &format!("{ca_pem}{}", "\n".repeat(5000))),
                None,
                now,
            ),
            check(
                &file("other-ca.pem", &other_ca),
                Some((&file("c.pem", &current), &file("k.pem", &stranger))),
                now,
            ),
            check(
                &file("ca.pem", &ca_pem),
                Some((&file("c.pem", &expired), &file("k.pem", &p384.serialize_pem()))),
                now,
            ),
            check(
                &file("ca.pem", &ca_pem),
                Some((&file("c.pem", &ca_pem), &file("k.pem", &ca_pem))),
                now,
            ),
        ];
        let problems: Vec<&Problem> = reports.iter().flat_map(|r| &r.problems).collect();
        let unreadable = PemFile::read(std::path::Path::new("/nonexistent/je08/ca.pem")).unwrap_err();
        let problems: Vec<&Problem> = problems.into_iter().chain([&unreadable]).collect();
        assert!(problems.len() >= 9, "{problems:?}");
        let pt = Tr(Lang::PtBr);
        for problem in &problems {
            let en = describe(Tr(Lang::En), problem);
            assert_eq!(en, problem.to_string(), "the window's English is the CLI's");
            assert_ne!(describe(pt, problem), en, "{en} is not translated");
        }
        let said: Vec<String> = problems.iter().map(|p| describe(pt, p)).collect();
        for expected in [
            "ca.pem não contém nenhuma seção PEM (nenhuma linha -----BEGIN).",
            "ca.pem contém uma chave privada onde se esperava um certificado.",
            "k.pem não é a chave privada de c.pem.",
            "c.pem (certificado do cliente) expirou em 2021-01-01 00:00:00 UTC.",
            "c.pem não é assinado pela CA de other-ca.pem.",
            "k.pem é EC P-384; o medidor aceita apenas RSA de até 2048 bits ou EC P-256.",
            "k.pem não contém chave privada.",
        ] {
            assert!(
                said.iter().any(|s| s == expected),
                "{expected:?} not in {said:#?}"
            );
        }
    }

    #[test]
    fn key_names_translate_only_words() {
        assert_eq!(key_name(Tr(Lang::PtBr), KeyKind::Rsa(2048)), "RSA 2048 bits");
        assert_eq!(key_name(Tr(Lang::PtBr), KeyKind::EcP256), "EC P-256");
        assert_eq!(
            key_name(Tr(Lang::PtBr), KeyKind::Other),
            "um tipo de chave não suportado"
        );
        assert_eq!(key_name(Tr(Lang::En), KeyKind::Other), KeyKind::Other.to_string());
    }
}
