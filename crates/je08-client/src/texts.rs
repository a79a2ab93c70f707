//! The words of this crate's failures, in English and Brazilian
//! Portuguese: the Modbus client's ([`ModbusError`](crate::modbus::ModbusError),
//! a settings change's [`ParamsError`](crate::params::ParamsError)), a typed
//! meter address's ([`AddressError`](crate::endpoint::AddressError)),
//! the HTTP API client's ([`HttpError`](crate::http::HttpError)),
//! espota's ([`OtaError`](crate::ota::OtaError)), the firmware update's and
//! the MQTT monitor's commands ([`SendError`](crate::mqtt::SendError)).
//! Each value's `Describe` picks its row; its English is its `Display`.
//! What to do with a front end's controls (a flag, a button) is that front
//! end's to add.

je08_protocol::messages! {
    /// A text of je08-client; each variant's doc is its English.
    pub enum ClientMsg {
        ModbusOpConnect => "connecting", "a conexão";
        ModbusOpReadOne => "reading register {0} ({1})", "a leitura do registrador {0} ({1})";
        ModbusOpReadNone => "reading 0 registers at {0}", "a leitura de 0 registradores em {0}";
        ModbusOpReadMany => "reading registers {0}–{1}", "a leitura dos registradores {0}–{1}";
        ModbusOpWriteOne => "writing register {0} ({1})", "a gravação do registrador {0} ({1})";
        ModbusOpWriteNone => "writing 0 registers at {0}", "a gravação de 0 registradores em {0}";
        ModbusOpWriteMany => "writing registers {0}–{1}", "a gravação dos registradores {0}–{1}";
        ModbusOpRaw => "sending function {0}", "o envio da função {0}";
        ModbusFailTimeout => "meter {0}: no answer while {1} within {2} ms; the connection was dropped. Check that the meter is powered and reachable", "medidor {0}: sem resposta durante {1} em {2} ms; a conexão foi encerrada. Verifique se o medidor está ligado e acessível";
        ModbusFailRefused => "meter {0}: connection refused; check the address and port (Modbus TCP uses 502) and that Modbus is enabled in the meter's configuration", "medidor {0}: conexão recusada; verifique o endereço e a porta (o Modbus TCP usa a 502) e se o Modbus está habilitado na configuração do medidor";
        ModbusFailUnreachable => "meter {0}: cannot connect: {1}; check the host name or IP address, the network path and that the meter is powered", "medidor {0}: não foi possível conectar: {1}; verifique o nome do host ou o endereço IP, o caminho de rede e se o medidor está ligado";
        ModbusFailConnectionLost => "meter {0}: connection lost while {1}: {2}; it will be reopened on the next request", "medidor {0}: conexão perdida durante {1}: {2}; ela será reaberta no próximo pedido";
        ModbusFailException => "meter {0}: {1} refused with exception {2}: {3}", "medidor {0}: recusou {1} com a exceção {2}: {3}";
        ModbusFailInvalidReply => "meter {0}: invalid reply while {1}: {2}; the connection was dropped. If this repeats, check that nothing but a JE08 answers on this port", "medidor {0}: resposta inválida durante {1}: {2}; a conexão foi encerrada. Se isso se repetir, verifique se só um JE08 responde nesta porta";
        ModbusUnsure => "; the write may or may not have taken effect: read the meter to check before writing again", "; a gravação pode ou não ter sido aplicada: leia o medidor para conferir antes de gravar de novo";
        ModbusExcIllegalFunction => "illegal function", "função ilegal";
        ModbusExcIllegalAddress => "illegal data address", "endereço de dados ilegal";
        ModbusExcIllegalValue => "illegal data value", "valor de dados ilegal";
        ModbusExcDeviceFailure => "server device failure", "falha do dispositivo servidor";
        ModbusExcAcknowledge => "acknowledge", "confirmação de recebimento";
        ModbusExcBusy => "server device busy", "dispositivo servidor ocupado";
        ModbusExcParity => "memory parity error", "erro de paridade de memória";
        ModbusExcGatewayPath => "gateway path unavailable", "caminho do gateway indisponível";
        ModbusExcGatewayTarget => "gateway target device failed to respond", "o dispositivo de destino do gateway não respondeu";
        ModbusExcUnknown => "unknown exception", "exceção desconhecida";
        ModbusHintFunction => "the meter does not support this function", "o medidor não aceita esta função";
        ModbusHintAddress => "the register does not exist or cannot be written (the map is 0–109); nothing was changed", "o registrador não existe ou não pode ser gravado (o mapa vai de 0 a 109); nada foi alterado";
        ModbusHintValue => "the meter refused the value or quantity as out of range; nothing was changed", "o medidor recusou o valor ou a quantidade por estar fora da faixa; nada foi alterado";
        ModbusHintFailure => "the meter reported an internal failure; power-cycle it and check its firmware", "o medidor informou uma falha interna; desligue-o, ligue-o de novo e verifique o firmware";
        ModbusHintBusy => "the meter is busy; try again in a moment", "o medidor está ocupado; tente novamente em instantes";
        ModbusHintUnexpected => "unexpected answer for a JE08 meter; check that the port belongs to a JE08", "resposta inesperada para um medidor JE08; verifique se a porta pertence a um JE08";
        StageReadBefore => "nothing was written", "nada foi gravado";
        StageRestoreDefaults => "while restoring the default gains; read the meter to see whether they were restored", "ao restaurar os ganhos padrão; leia o medidor para ver se foram restaurados";
        StageWrite => "while writing the settings; read the meter to see what it holds now", "ao gravar as configurações; leia o medidor para ver o que ele contém agora";
        StageSave => "the new settings are in effect but were NOT saved: they will be lost at the next reboot unless saved", "as novas configurações estão em vigor mas NÃO foram salvas: serão perdidas na próxima reinicialização se não forem salvas";
        StageReadBack => "the settings were written but could not be read back to verify them", "as configurações foram gravadas mas não puderam ser lidas de volta para conferi-las";
        StageResetEnergy => "while resetting the energy counters; read the meter to see whether they were reset", "ao zerar os contadores de energia; leia o medidor para ver se foram zerados";
        ConcurrentBeforeWrite => "meter {0}: another client changed settings since they were read ({1}); nothing was written, so that change stays. Read the meter again and retry", "medidor {0}: outro cliente alterou configurações desde a leitura ({1}); nada foi gravado, então essa alteração permanece. Leia o medidor de novo e tente outra vez";
        ConcurrentAfterWrite => "meter {0}: the requested settings were written, but meanwhile another client changed other settings ({1}); they were left as it set them. Read the meter again and check before retrying", "medidor {0}: as configurações pedidas foram gravadas, mas enquanto isso outro cliente alterou outras configurações ({1}); elas ficaram como ele as deixou. Leia o medidor de novo e confira antes de tentar outra vez";
        ConcurrentRegister => "register {0} ({1}) expected {2}, found {3}", "registrador {0} ({1}) esperado {2}, encontrado {3}";
        AddrNotAnAddress => "'{0}' is not a meter address ({1}); use HOST or HOST:PORT", "'{0}' não é um endereço de medidor ({1}); use HOST ou HOST:PORTA";
        AddrMissingBracket => "missing ']'", "falta o ']'";
        AddrJunkAfterBracket => "junk after ']'", "há texto sobrando depois do ']'";
        AddrBlankHost => "empty or blank host", "host vazio ou com espaços";
        AddrStrayBracket => "'[' or ']' inside the host; write an IPv6 address as [V6]", "'[' ou ']' dentro do host; escreva um endereço IPv6 como [V6]";
        AddrBadPort => "the port must be 1–65535", "a porta deve estar entre 1 e 65535";
        AddrBadHttpPort => "after ',' give http=PORT, 1–65535", "depois da ',' informe http=PORTA, 1–65535";
        StoreNoDataDir => "cannot find a per-user data folder; set {0} to a folder for je08's files", "não foi possível encontrar uma pasta de dados do usuário; defina {0} com uma pasta para os arquivos do je08";
        StoreRead => "cannot read remembered meters from {0}: {1}", "não foi possível ler os medidores lembrados de {0}: {1}";
        StoreWrite => "cannot save remembered meters to {0} (the previous version is kept): {1}", "não foi possível salvar os medidores lembrados em {0} (a versão anterior foi mantida): {1}";
        StoreSetAside => "{0} is damaged and cannot be renamed out of the way: {1}", "{0} está danificado e não pode ser renomeado para o lado: {1}";
        StoreUnknown => "meter {0} is not in the remembered meters", "o medidor {0} não está entre os medidores lembrados";
        ProbeResolve => "cannot resolve '{0}': {1}; check the spelling or type the IP address", "não foi possível resolver '{0}': {1}; confira a grafia ou digite o endereço IP";
        ResolveNoAnswer => "no answer within {0} ms", "sem resposta em {0} ms";
        ResolveNoAddress => "no address", "nenhum endereço";
        ProbeNoMeter => "no JE08 answers at {0}: {1}; HTTP: {2}. Check that the meter is powered, on this network, and that the address is right", "nenhum JE08 responde em {0}: {1}; HTTP: {2}. Verifique se o medidor está ligado, nesta rede, e se o endereço está certo";
        ProbeModbusNotJe08 => "{0}: answers Modbus but is not a JE08 ({1}); check the address and port", "{0}: responde Modbus mas não é um JE08 ({1}); verifique o endereço e a porta";
        ProbeHttpNotJe08 => "{0}: /api/info describes a {1}, not a JE08", "{0}: /api/info descreve um {1}, não um JE08";
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
        HttpRedirected => "meter {0} answered HTTP {1}, a redirect to '{2}', which was not followed: a JE08 never redirects; check that {0} is the meter's address and that no proxy or login page stands in the way", "o medidor {0} respondeu HTTP {1}, um redirecionamento para '{2}', que não foi seguido: um JE08 nunca redireciona; verifique se {0} é o endereço do medidor e se nenhum proxy ou página de login está no caminho";
        HttpBodyTooLarge => "meter {0} sent an answer larger than {1} KiB, which no JE08 sends; it was not read further: check that {0} is the meter's address", "o medidor {0} enviou uma resposta maior que {1} KiB, o que nenhum JE08 envia; ela não foi lida além disso: verifique se {0} é o endereço do medidor";
        HttpBadInfo => "meter {0} describes itself with a value no JE08 sends ({1} = {2}); check that {0} is the meter's address and that its firmware is a JE08's", "o medidor {0} se descreve com um valor que nenhum JE08 envia ({1} = {2}); verifique se {0} é o endereço do medidor e se o firmware é de um JE08";
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
