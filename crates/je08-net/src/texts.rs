//! The words of this crate's findings and failures, in English and
//! Brazilian Portuguese: what the certificate pre-flight found wrong with a
//! file ([`Problem`](crate::certs::Problem)), why a broker login cannot work
//! ([`SetupError`](crate::mqtt_link::SetupError)) and why a broker
//! connection is down ([`LinkError`](crate::mqtt_link::LinkError)). Each
//! value's `Describe` picks its row; its English is its `Display`. No row
//! names a command-line flag: the command line adds its advice itself.

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
        CertEncryptedKey => "{0} is a private key locked with a passphrase, which the meter cannot unlock: write it out without one (openssl pkey -in {0} -out plain.key), keep that file private, and use it.", "{0} é uma chave privada protegida por senha, que o medidor não consegue abrir: grave-a sem senha (openssl pkey -in {0} -out plain.key), mantenha esse arquivo em sigilo e use-o.";
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
        CertCaAsClient => "{0} is a CA certificate (basicConstraints CA:TRUE), not a client certificate: sign the client's request without the CA extensions (no -extensions v3_ca).", "{0} é um certificado de CA (basicConstraints CA:TRUE), não um certificado de cliente: assine a requisição do cliente sem as extensões de CA (sem -extensions v3_ca).";
        CertWeakSignature => "{0} is signed over SHA-1 or MD5, which je08 does not trust: sign it again with SHA-256 (openssl x509 -req … -sha256).", "{0} foi assinado com SHA-1 ou MD5, em que o je08 não confia: assine-o de novo com SHA-256 (openssl x509 -req … -sha256).";
        CertDoesNotVerify => "{0} does not verify against {1} ({2}).", "{0} não pôde ser verificado com a CA de {1} ({2}).";
        CertNotACa => "{0} cannot serve as a CA ({1}).", "{0} não pode servir como CA ({1}).";
        SetupCaRequired => "{0} uses TLS but the CA certificate that signs the broker's certificate is missing", "{0} usa TLS, mas falta o certificado da CA que assina o certificado do broker";
        SetupTlsForPlainBroker => "{0} is plain TCP but TLS files were given: use an mqtts:// URL", "{0} é TCP simples, mas foram dados arquivos TLS: use uma URL mqtts://";
        SetupIdentityIncomplete => "a client certificate needs its key, and a key its certificate", "um certificado de cliente precisa da sua chave, e a chave do seu certificado";
        SetupIdentityWithoutTls => "a client certificate is only used over TLS, with the CA certificate of an mqtts:// broker", "um certificado de cliente só é usado com TLS, junto com o certificado da CA de um broker mqtts://";
        SetupClientAuthWithoutIdentity => "client authentication is on but the client certificate or its key is missing", "a autenticação do cliente está ativada, mas falta o certificado do cliente ou a sua chave";
        SetupNotATcpPort => "{0} is not a TCP port (1–65535)", "{0} não é uma porta TCP (1–65535)";
        SetupTlsRefused => "{0} cannot be used for TLS ({1})", "{0} não pode ser usado para TLS ({1})";
        LinkRefused => "connection refused by {0}: is the broker running and is the port right?", "conexão recusada por {0}: o broker está rodando e a porta está certa?";
        LinkTimeout => "no answer from {0} within the deadline: check the address and the network", "sem resposta de {0} dentro do prazo: verifique o endereço e a rede";
        LinkNetwork => "cannot reach {0}: {1}", "não é possível alcançar {0}: {1}";
        LinkUnknownCa => "TLS: the certificate of {0} is not signed by the given CA (wrong CA file?)", "TLS: o certificado de {0} não é assinado pela CA informada (arquivo da CA errado?)";
        LinkCertExpired => "TLS: the certificate of {0} has expired or is not valid yet", "TLS: o certificado de {0} expirou ou ainda não é válido";
        LinkWrongName => "TLS: the certificate of {0} is not valid for the host name {1}: connect with a name the certificate holds, or give the broker a certificate for {1}", "TLS: o certificado de {0} não vale para o nome de host {1}: conecte com um nome que o certificado contém, ou dê ao broker um certificado para {1}";
        LinkWrongNameFor => "TLS: the certificate of {0} is for {2}, not for {1}: connect with a name the certificate holds, or give the broker a certificate for {1}", "TLS: o certificado de {0} é para {2}, não para {1}: conecte com um nome que o certificado contém, ou dê ao broker um certificado para {1}";
        LinkWeakSignature => "TLS: the certificate of {0} is signed over SHA-1 or MD5, which je08 does not trust: sign the broker's certificate again with SHA-256", "TLS: o certificado de {0} foi assinado com SHA-1 ou MD5, em que o je08 não confia: assine de novo o certificado do broker com SHA-256";
        LinkClientCertRejected => "TLS: {0} rejected the client certificate ({1}); check the client certificate and key", "TLS: {0} rejeitou o certificado do cliente ({1}); verifique o certificado e a chave do cliente";
        LinkTls => "TLS with {0} failed: {1}", "TLS com {0} falhou: {1}";
        LinkBadCredentials => "{0} rejected the user name or password", "{0} rejeitou o usuário ou a senha";
        LinkNotAuthorized => "{0} says this client is not authorized (check the user and the broker's ACL)", "{0} diz que este cliente não está autorizado (verifique o usuário e a ACL do broker)";
        LinkConnAckRefused => "{0} refused the connection ({1})", "{0} recusou a conexão ({1})";
        LinkOversized => "{0} sent a message of {1} bytes, larger than the {2} KiB this client accepts; the connection was closed", "{0} enviou uma mensagem de {1} bytes, maior que os {2} KiB que este cliente aceita; a conexão foi fechada";
        LinkOversizedRetained => "{0} sent a message of {1} bytes, larger than the {2} KiB this client accepts (the topic is not known; a retained message on {3}?); a retained message comes again at every connection: delete it on the broker (publish an empty retained message on its topic)", "{0} enviou uma mensagem de {1} bytes, maior que os {2} KiB que este cliente aceita (o tópico não é conhecido; uma mensagem retida em {3}?); uma mensagem retida volta a cada conexão: apague-a no broker (publique uma mensagem retida vazia no seu tópico)";
        LinkUnresponsive => "connection to {0} lost: the broker did not answer the keep-alive ping within {1} s (half-open connection)", "conexão com {0} perdida: o broker não respondeu ao ping de keep-alive em {1} s (conexão meio aberta)";
        LinkLost => "connection to {0} lost: {1}", "conexão com {0} perdida: {1}";
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
