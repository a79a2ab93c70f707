//! The words of this crate's failures, in English and Brazilian
//! Portuguese: a typed meter address's ([`AddressError`](crate::endpoint::AddressError)),
//! the HTTP API client's ([`HttpError`](crate::http::HttpError)),
//! espota's ([`OtaError`](crate::ota::OtaError)), the firmware update's and
//! the MQTT monitor's commands ([`SendError`](crate::mqtt::SendError)).
//! Each value's `Describe` picks its row; its English is its `Display`.
//! What to do with a front end's controls (a flag, a button) is that front
//! end's to add.

je08_protocol::messages! {
    /// A text of je08-client; each variant's doc is its English.
    pub enum ClientMsg {
        AddrNotAnAddress => "'{0}' is not a meter address ({1}); use HOST or HOST:PORT", "'{0}' não é um endereço de medidor ({1}); use HOST ou HOST:PORTA";
        AddrMissingBracket => "missing ']'", "falta o ']'";
        AddrJunkAfterBracket => "junk after ']'", "há texto sobrando depois do ']'";
        AddrBlankHost => "empty or blank host", "host vazio ou com espaços";
        AddrBadPort => "the port must be 1–65535", "a porta deve estar entre 1 e 65535";
        AddrBadHttpPort => "after ',' give http=PORT, 1–65535", "depois da ',' informe http=PORTA, 1–65535";
        StoreNoDataDir => "cannot find a per-user data folder; set {0} to a folder for je08's files", "não foi possível encontrar uma pasta de dados do usuário; defina {0} com uma pasta para os arquivos do je08";
        StoreRead => "cannot read remembered meters from {0}: {1}", "não foi possível ler os medidores lembrados de {0}: {1}";
        StoreWrite => "cannot save remembered meters to {0} (the previous version is kept): {1}", "não foi possível salvar os medidores lembrados em {0} (a versão anterior foi mantida): {1}";
        StoreSetAside => "{0} is damaged and cannot be renamed out of the way: {1}", "{0} está danificado e não pode ser renomeado para o lado: {1}";
        StoreUnknown => "meter {0} is not in the remembered meters", "o medidor {0} não está entre os medidores lembrados";
        MdnsBrowse => "cannot browse mDNS: {0}", "não é possível procurar via mDNS: {0}";
        MqttNotConnected => "not connected to the broker", "sem conexão com o broker";
        MqttNotConnectedBecause => "not connected to the broker ({0})", "sem conexão com o broker ({0})";
        MqttBusy => "the request queue to the broker is full; try again", "a fila de pedidos ao broker está cheia; tente novamente";
        MqttNoAck => "the broker did not acknowledge the {0} command for meter {1} within {2} s; it is not resent", "o broker não confirmou o comando {0} para o medidor {1} em {2} s; ele não é reenviado";
        MqttLost => "the connection dropped before the broker acknowledged {0} for meter {1}; it is not resent", "a conexão caiu antes de o broker confirmar {0} para o medidor {1}; ele não é reenviado";
        HttpUnauthorized => "meter {0} refused the interface password", "o medidor {0} recusou a senha da interface";
        HttpWrongMode => "meter {0} must be in {1} mode for this ({2})", "o medidor {0} precisa estar no modo {1} para isso ({2})";
        HttpRejected => "meter {0} refused {1}: {2}", "o medidor {0} recusou {1}: {2}";
        HttpInvalid => "invalid settings, nothing sent to meter {0}: {1}", "configurações inválidas, nada foi enviado ao medidor {0}: {1}";
        HttpTooLarge => "meter {0} refused the upload as too large: {1}", "o medidor {0} recusou o envio por ser grande demais: {1}";
        HttpUnreachable => "meter {0} is unreachable ({1}): check its address, that it is powered and on the network", "o medidor {0} está inacessível ({1}): verifique o endereço, se está ligado e conectado à rede";
        HttpTimeout => "meter {0} did not answer within {1}; the request may or may not have been applied", "o medidor {0} não respondeu em {1}; o pedido pode ou não ter sido aplicado";
        HttpProtocol => "unexpected answer from meter {0}: {1}", "resposta inesperada do medidor {0}: {1}";
        HttpNotBack => "meter {0} did not come back in {1} mode within {2}: {3}", "o medidor {0} não voltou no modo {1} em {2}: {3}";
        ImageRefused => "firmware image refused before sending: {0}", "imagem de firmware recusada antes do envio: {0}";
        FirmwareRefused => "meter {0} refused the firmware: {1}", "o medidor {0} recusou o firmware: {1}";
        OtaNoAnswer => "meter {0} did not answer the OTA invitation within {1}: is it in update mode and is {0} its espota port?", "o medidor {0} não respondeu ao convite OTA em {1}: ele está no modo de atualização e {0} é a sua porta espota?";
        OtaUnauthorized => "meter {0} refused the interface password (espota authentication failed)", "o medidor {0} recusou a senha da interface (a autenticação espota falhou)";
        OtaPasswordNeeded => "meter {0} asks for the interface password", "o medidor {0} pede a senha da interface";
        OtaClosedEarly => "meter {0} closed the connection after {1} bytes of the image: {2}", "o medidor {0} fechou a conexão após {1} bytes da imagem: {2}";
        OtaNoVerdict => "meter {0} closed the connection without a verdict on the image", "o medidor {0} fechou a conexão sem um veredito sobre a imagem";
        OtaTimeout => "meter {0}: {1} timed out after {2}; the meter stays in update mode", "medidor {0}: {1} excedeu o prazo de {2}; o medidor continua no modo de atualização";
        OtaIo => "meter {0}: {1} failed: {2}", "medidor {0}: {1} falhou: {2}";
        OtaStepBindUdp => "binding UDP", "a abertura do socket UDP";
        OtaStepReachMeter => "reaching the meter", "o acesso ao medidor";
        OtaStepListen => "listening for the meter", "a espera pela conexão do medidor";
        OtaStepSendInvitation => "sending the invitation", "o envio do convite";
        OtaStepReadInvitationAnswer => "reading the invitation answer", "a leitura da resposta ao convite";
        OtaStepSendAuthentication => "sending the authentication", "o envio da autenticação";
        OtaStepAuthenticate => "authentication", "a autenticação";
        OtaStepReadAuthenticationAnswer => "reading the authentication answer", "a leitura da resposta à autenticação";
        OtaStepAwaitConnectBack => "waiting for the meter to connect back", "a espera pela conexão de volta do medidor";
        OtaStepAcceptConnection => "accepting the meter's connection", "o aceite da conexão do medidor";
        OtaStepSendChunk => "sending a chunk", "o envio de um bloco";
        OtaStepAwaitChunkAck => "waiting for a chunk acknowledgement", "a espera pela confirmação de um bloco";
        OtaStepReadChunkAck => "reading a chunk acknowledgement", "a leitura da confirmação de um bloco";
        OtaStepAwaitResult => "waiting for the result", "a espera pelo resultado";
        OtaStepReadResult => "reading the result", "a leitura do resultado";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        assert_eq!(
            je08_protocol::i18n::table_problems::<ClientMsg>(),
            Vec::<String>::new()
        );
    }
}
