//! The words of this crate's findings and refusals, in English and
//! Brazilian Portuguese: refused settings fields
//! ([`Problem`](crate::http_api::Problem)), refused register writes
//! ([`WriteError`](crate::validate::WriteError)) and read-back differences
//! ([`Mismatch`](crate::validate::Mismatch)), certificate slots' PEM
//! ([`PemError`](crate::http_api::PemError)), firmware checks
//! ([`Finding`](crate::firmware::Finding)), and the operating modes. Each
//! value's `Describe` picks its row; its English is its `Display`.

crate::messages! {
    /// A text of je08-protocol; each variant's doc is its English.
    pub enum ProtocolMsg {
        PemOutsideBlock => "unexpected text outside a PEM block: {0}…", "texto inesperado fora de um bloco PEM: {0}…";
        PemNotClosed => "block {0} is not closed by its -----END line", "o bloco {0} não é fechado pela sua linha -----END";
        PemEmptyBlock => "block {0} is empty", "o bloco {0} está vazio";
        PemNotBase64 => "block {0} is not valid base64: {1}", "o bloco {0} não é base64 válido: {1}";
        PemNoBlock => "no -----BEGIN …----- block found", "nenhum bloco -----BEGIN …----- encontrado";
        PemTooLarge => "{0} bytes exceed the {1}-byte limit", "{0} bytes excedem o limite de {1} bytes";
        PemCertificatesOnly => "{0} must hold CERTIFICATE blocks only", "{0} deve conter somente blocos CERTIFICATE";
        PemOnePrivateKey => "client_key must hold exactly one unencrypted key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", "client_key deve conter exatamente um bloco de chave não criptografada (PRIVATE KEY, RSA PRIVATE KEY ou EC PRIVATE KEY)";
        UnknownMode => "'{0}' is not a mode; use application, configuration or update", "'{0}' não é um modo; use application, configuration ou update";
        BadVersion => "'{0}' is not a version like 3.01", "'{0}' não é uma versão como 3.01";
        ScanRangeSyntax => "'{0}' is not an IPv4 range like 192.168.0.0/24, 192.168.0.1-254 or 192.168.0.1-192.168.0.254, optionally followed by :PORT", "'{0}' não é uma faixa IPv4 como 192.168.0.0/24, 192.168.0.1-254 ou 192.168.0.1-192.168.0.254, opcionalmente seguida de :PORTA";
        ScanRangeTooLarge => "'{0}' holds {1} addresses; a scan covers at most {2} (a /20): give the meters' own subnet, e.g. 192.168.0.0/24", "'{0}' contém {1} endereços; uma varredura cobre no máximo {2} (uma /20): informe a sub-rede dos medidores, ex. 192.168.0.0/24";
        BadBrokerUrl => "'{0}' is not a broker URL ({1}); use mqtt://HOST[:PORT] or mqtts://HOST[:PORT]", "'{0}' não é uma URL de broker ({1}); use mqtt://HOST[:PORTA] ou mqtts://HOST[:PORTA]";
        UrlScheme => "unknown scheme {0}", "esquema desconhecido {0}";
        UrlPathOrQuery => "no path or query allowed", "caminho e consulta não são permitidos";
        UrlCredentials => "a user and password go in their own fields, not in the URL", "usuário e senha vão nos seus próprios campos, não na URL";
        UrlNoHost => "no host", "sem host";
        UrlPortZero => "port 0", "porta 0";
        UnknownCommand => "unknown command '{0}'; expected get-info, get-data, reset-kwh or reset-kvarh", "comando desconhecido '{0}'; esperado get-info, get-data, reset-kwh ou reset-kvarh";
        UnknownSlot => "unknown certificate slot '{0}'; use ca, client_cert or client_key", "slot de certificado desconhecido '{0}'; use ca, client_cert ou client_key";
        TxtNotJe08 => "not a JE08 (devtype is {0})", "não é um JE08 (devtype é {0})";
        TxtBadId => "JE08 advert without a valid id ({0})", "anúncio de JE08 sem um id válido ({0})";
        IdentityWrongLength => "expected {0} registers, got {1}", "esperados {0} registradores, recebidos {1}";
        IdentityWifiMode => "not a JE08: WIFI_MODE is neither 1 nor 2", "não é um JE08: WIFI_MODE não é 1 nem 2";
        IdentityZeroId => "not a JE08: DEVICE_ID is 0", "não é um JE08: DEVICE_ID é 0";
        IdentityZeroVersion => "not a JE08: ESP_VERSION is 0", "não é um JE08: ESP_VERSION é 0";
        PacketTooLarge => "payload of {0} bytes is too large for a JE08 packet", "carga de {0} bytes é grande demais para um pacote JE08";
        PacketNotJson => "payload is not JSON: {0}", "a carga não é JSON: {0}";
        PacketUnknown => "payload is neither a DATA nor an INFO packet", "a carga não é um pacote DATA nem INFO";
        PacketMissingKey => "{0} packet lacks the key {1}", "o pacote {0} não tem a chave {1}";
        PacketBadValue => "{0} key {1} has an invalid value {2}", "a chave {1} do {0} tem um valor inválido {2}";
        RefuseFewSamples => "only {0} samples; at least {1} are needed", "apenas {0} amostras; são necessárias pelo menos {1}";
        RefuseBadReference => "the reference value {0} is not a positive number", "o valor de referência {0} não é um número positivo";
        RefuseLowCurrent => "phase {0} current is {1} A, below {2} A (50 % of the {3} A CT): load the phase more before calibrating", "a corrente da fase {0} é {1} A, abaixo de {2} A (50 % do TC de {3} A): aumente a carga da fase antes de calibrar";
        RefuseUnstableCurrent => "phase {0} current is not stable (spread {1} %, limit {2} %): wait for a steady load", "a corrente da fase {0} não está estável (dispersão {1} %, limite {2} %): aguarde uma carga estável";
        RefuseUnstableVoltage => "phase {0} voltage is not stable (spread {1} %, limit {2} %): wait for a steady supply", "a tensão da fase {0} não está estável (dispersão {1} %, limite {2} %): aguarde uma alimentação estável";
        RefuseGainRange => "the new gain for {0} would be {1}, outside {2}–{3}: the reference or the wiring is probably wrong", "o novo ganho de {0} seria {1}, fora de {2}–{3}: a referência ou a ligação provavelmente está errada";
        ModeApplication => "application", "aplicação";
        ModeConfiguration => "configuration", "configuração";
        ModeUpdate => "update", "atualização";
        NotANumber => "not a whole number", "não é um número inteiro";
        ProbOutOfRange => "{0} is out of range; allowed {1}–{2}", "{0} está fora da faixa; permitido {1}–{2}";
        ProbSsidLength => "must have 1 to 32 bytes (has {0})", "deve ter de 1 a 32 bytes (tem {0})";
        ProbPasswordLength => "must have 8 to 63 characters (has {0})", "deve ter de 8 a 63 caracteres (tem {0})";
        ProbPrintableAscii => "printable ASCII characters only", "somente caracteres ASCII imprimíveis";
        ProbApStatic => "an access point has a fixed address: turn DHCP off", "um ponto de acesso tem endereço fixo: desative o DHCP";
        ProbNotIpv4 => "“{0}” is not an IPv4 address (a.b.c.d)", "“{0}” não é um endereço IPv4 (a.b.c.d)";
        ProbAddressNotUsable => "{0} cannot be used here", "{0} não pode ser usado aqui";
        ProbBadNetmask => "{0} is not a contiguous network mask between /1 and /30", "{0} não é uma máscara de rede contígua entre /1 e /30";
        ProbNetworkOrBroadcast => "{0} is the network or broadcast address of its subnet", "{0} é o endereço de rede ou de broadcast da sua sub-rede";
        ProbGatewayOutside => "{0} is outside the subnet {1}/{2}", "{0} está fora da sub-rede {1}/{2}";
        ProbEmpty => "must not be empty", "não pode ficar vazio";
        ProbTooLongOrControl => "at most {0} printable characters", "no máximo {0} caracteres imprimíveis";
        ProbHostRequired => "needed while MQTT is enabled", "obrigatório com o MQTT ativado";
        ProbNotAHost => "“{0}” is neither an IPv4 address nor a host name", "“{0}” não é endereço IPv4 nem nome de host";
        ProbClientIdLength => "must have 1 to 64 characters", "deve ter de 1 a 64 caracteres";
        ProbSpacesOrControl => "no spaces or control characters", "sem espaços nem caracteres de controle";
        ProbTooManyBytes => "at most {0} bytes", "no máximo {0} bytes";
        ProbContainsNul => "must not contain NUL", "não pode conter NUL";
        ProbPublishWildcard => "a publish topic cannot hold the wildcards + or #", "um tópico de publicação não pode conter os curingas + ou #";
        ProbHashNotLast => "# must be a whole level and the last one", "# deve ser um nível inteiro e o último";
        ProbPlusNotWhole => "+ must be a whole level", "+ deve ser um nível inteiro";
        ProbClientAuthNeedsTls => "client authentication needs TLS enabled", "a autenticação do cliente requer TLS ativado";
        ProbStated => "the meter says: {0}", "o medidor diz: {0}";
        FwCheckSize => "size", "tamanho";
        FwCheckMagic => "magic byte", "byte mágico";
        FwCheckSegmentCount => "segment count", "número de segmentos";
        FwCheckFlashMode => "flash mode", "modo da flash";
        FwCheckFlashSizeFreq => "flash size/frequency", "tamanho/frequência da flash";
        FwCheckEntryPoint => "entry point", "ponto de entrada";
        FwCheckSegments => "segments", "segmentos";
        FwCheckPadding => "padding", "preenchimento";
        FwCheckChecksum => "checksum", "soma de verificação";
        FwCheckVersion => "version marker", "marcador de versão";
        FwSizeFits => "{0} bytes fit the {1}-byte application slot.", "{0} bytes cabem na área de aplicação de {1} bytes.";
        FwSizeExceeds => "{0} bytes exceed the {1}-byte application slot by {2} bytes.", "{0} bytes excedem a área de aplicação de {1} bytes em {2} bytes.";
        FwShorterThanHeader => "the file has {0} bytes, fewer than the {1}-byte image header.", "o arquivo tem {0} bytes, menos que o cabeçalho de imagem de {1} bytes.";
        FwMagicOk => "the first byte is 0xE9, an ESP8266 application image.", "o primeiro byte é 0xE9, uma imagem de aplicação ESP8266.";
        FwMagicWrong => "the first byte is {0}, not 0xE9: this is not an ESP8266 application image.", "o primeiro byte é {0}, não 0xE9: isto não é uma imagem de aplicação ESP8266.";
        FwSegmentCountOk => "{0} segment(s), at most {1} allowed.", "{0} segmento(s), no máximo {1} permitidos.";
        FwSegmentCountBad => "the header declares {0} segments; 1 to {1} are allowed.", "o cabeçalho declara {0} segmentos; são permitidos de 1 a {1}.";
        FwFlashMode => "flash mode {0}.", "modo da flash {0}.";
        FwFlashModeUnknown => "flash mode byte {0} is unknown (0 QIO, 1 QOUT, 2 DIO, 3 DOUT).", "o byte de modo da flash {0} é desconhecido (0 QIO, 1 QOUT, 2 DIO, 3 DOUT).";
        FwFlashSizeFreq => "flash size {0}, frequency {1}.", "flash de {0}, frequência {1}.";
        FwFlashSizeFreqUnknown => "byte {0} names an unknown flash size (high nibble) or frequency (low nibble).", "o byte {0} indica um tamanho de flash (nibble alto) ou uma frequência (nibble baixo) desconhecidos.";
        FwEntryOk => "entry point {0} lies in executable memory.", "o ponto de entrada {0} está na memória executável.";
        FwEntryOutside => "entry point {0} lies outside executable memory ({1}–{2}).", "o ponto de entrada {0} está fora da memória executável ({1}–{2}).";
        FwSegmentHeaderPastEnd => "segment {0} header at offset {1} runs past the end of the {2}-byte file.", "o cabeçalho do segmento {0} no deslocamento {1} passa do fim do arquivo de {2} bytes.";
        FwSegmentPastEnd => "segment {0} (address {1}) declares {2} bytes but only {3} remain in the file.", "o segmento {0} (endereço {1}) declara {2} bytes, mas só restam {3} no arquivo.";
        FwSegmentsOk => "{0} segment(s) with {1} data bytes lie inside the file.", "{0} segmento(s) com {1} bytes de dados, todos dentro do arquivo.";
        FwPaddingOk => "segments end at offset {0}; padded to {1} bytes with the checksum last.", "os segmentos terminam no deslocamento {0}; preenchido até {1} bytes com a soma de verificação no fim.";
        FwTruncated => "the file ends at {0} bytes, before the checksum byte at offset {1} (truncated?).", "o arquivo termina em {0} bytes, antes do byte de verificação no deslocamento {1} (truncado?).";
        FwTrailingBytes => "{0} unexpected bytes follow the checksum byte at offset {1}.", "{0} bytes inesperados seguem o byte de verificação no deslocamento {1}.";
        FwChecksumOk => "checksum {0} matches the segment data.", "a soma de verificação {0} confere com os dados dos segmentos.";
        FwChecksumBad => "stored checksum {0} differs from {1} computed over the segment data: the image is corrupt.", "a soma armazenada {0} difere de {1}, calculada sobre os dados dos segmentos: a imagem está corrompida.";
        FwVersionFound => "version {0} (marker JE08-FW:{0}).", "versão {0} (marcador JE08-FW:{0}).";
        FwNoVersion => "no JE08-FW:x.yy marker: version unknown (allowed).", "sem marcador JE08-FW:x.yy: versão desconhecida (permitido).";
        WriteOutOfRange => "{0} (register {1}): {2} is out of range; allowed {3}–{4}", "{0} (registrador {1}): {2} está fora da faixa; permitido {3}–{4}";
        WriteNotWritable => "{0} (register {1}) cannot be written", "{0} (registrador {1}) não pode ser gravado";
        WriteNoSuchRegister => "register {0} does not exist (the map ends at {1})", "o registrador {0} não existe (o mapa termina em {1})";
        WriteReadBack => "{0} (register {1}): wrote {2}, read back {3}", "{0} (registrador {1}): gravado {2}, lido de volta {3}";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        assert_eq!(crate::i18n::table_problems::<ProtocolMsg>(), Vec::<String>::new());
    }
}
