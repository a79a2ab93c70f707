//! The words of this crate's findings, in English and Brazilian
//! Portuguese: what the certificate pre-flight found wrong with a file
//! ([`Problem`](crate::certs::Problem)). Each value's `Describe` picks its
//! row; its English is its `Display`.

je08_protocol::messages! {
    /// A text of je08-net; each variant's doc is its English.
    pub enum NetMsg {
        CertUnreadable => "{0} cannot be read: {1}.", "Não foi possível ler {0}: {1}.";
        CertFarTooLarge => "{0} cannot be read: it is {1} bytes, far too large for a PEM file.", "Não foi possível ler {0}: tem {1} bytes, grande demais para um arquivo PEM.";
        CertTooLarge => "{0} is {1} bytes; the meter stores at most {2} bytes per file.", "{0} tem {1} bytes; o medidor armazena no máximo {2} bytes por arquivo.";
        CertNotPem => "{0} is not valid PEM ({1}).", "{0} não é um PEM válido ({1}).";
        CertNoPemSection => "{0} contains no PEM section (no -----BEGIN line).", "{0} não contém nenhuma seção PEM (nenhuma linha -----BEGIN).";
        CertNotACertificate => "{0} holds {1} where a certificate was expected.", "{0} contém {1} onde se esperava um certificado.";
        CertSectionPublicKey => "a public key", "uma chave pública";
        CertSectionPrivateKey => "a private key", "uma chave privada";
        CertSectionCrl => "a revocation list", "uma lista de revogação";
        CertSectionCsr => "a certificate signing request", "uma solicitação de assinatura de certificado";
        CertSectionEch => "an ECH configuration", "uma configuração ECH";
        CertSectionOther => "an unexpected PEM section", "uma seção PEM inesperada";
        CertNoPrivateKey => "{0} holds no private key.", "{0} não contém chave privada.";
        CertSeveralPrivateKeys => "{0} holds more than one private key.", "{0} contém mais de uma chave privada.";
        CertUnparsable => "{0} holds a certificate that cannot be parsed ({1}).", "{0} contém um certificado que não pôde ser interpretado ({1}).";
        CertRoleCa => "CA certificate", "certificado da CA";
        CertRoleClient => "client certificate", "certificado do cliente";
        CertNotYetValid => "{0} ({1}) is not valid until {2}.", "{0} ({1}) só é válido a partir de {2}.";
        CertExpired => "{0} ({1}) expired on {2}.", "{0} ({1}) expirou em {2}.";
        CertKeyOther => "an unsupported key type", "um tipo de chave não suportado";
        CertCertKeyUnusable => "{0} ({1}) uses {2}; the meter handles only RSA up to {3} bits or EC P-256.", "{0} ({1}) usa {2}; o medidor aceita apenas RSA de até {3} bits ou EC P-256.";
        CertKeyNotForTls => "{0} holds a key that cannot be used for TLS (RSA 2048–4096 bits or EC P-256/P-384 expected).", "{0} contém uma chave que não serve para TLS (esperava-se RSA de 2048–4096 bits ou EC P-256/P-384).";
        CertKeyMismatch => "{0} is not the private key of {1}.", "{0} não é a chave privada de {1}.";
        CertKeyUnusable => "{0} is {1}; the meter handles only RSA up to {2} bits or EC P-256.", "{0} é {1}; o medidor aceita apenas RSA de até {2} bits ou EC P-256.";
        CertNotSignedByCa => "{0} is not signed by the CA in {1}.", "{0} não é assinado pela CA de {1}.";
        CertNotForClientAuth => "{0} is not allowed for TLS client authentication (extended key usage).", "{0} não é permitido para autenticação de cliente TLS (uso estendido de chave).";
        CertDoesNotVerify => "{0} does not verify against {1} ({2}).", "{0} não pôde ser verificado com a CA de {1} ({2}).";
        CertNotACa => "{0} cannot serve as a CA ({1}).", "{0} não pode servir como CA ({1}).";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        assert_eq!(
            je08_protocol::i18n::table_problems::<NetMsg>(),
            Vec::<String>::new()
        );
    }
}
