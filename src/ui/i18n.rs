//! Every visible string, in English and Brazilian Portuguese. The language
//! comes from the OS locale (sys-locale) and can be switched at run time.
//!
//! Keys are an enum generated from one table, so a key without both
//! translations does not compile; a test also rejects empty texts and
//! placeholders that differ between the languages.

use serde::{Deserialize, Serialize};

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// English.
    En,
    /// Português (Brasil).
    PtBr,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::PtBr];

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::PtBr => "Português (Brasil)",
        }
    }

    /// Pick from a BCP 47 locale tag: any Portuguese locale gives PtBr.
    pub fn from_locale(tag: Option<&str>) -> Lang {
        match tag {
            Some(t) if t.to_ascii_lowercase().starts_with("pt") => Lang::PtBr,
            _ => Lang::En,
        }
    }

    /// The OS locale's language.
    pub fn from_os() -> Lang {
        Lang::from_locale(sys_locale::get_locale().as_deref())
    }
}

/// Translator for one language (cheap to copy into drawing functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text of `msg`.
    pub fn t(self, msg: Msg) -> &'static str {
        match self.0 {
            Lang::En => msg.en(),
            Lang::PtBr => msg.pt_br(),
        }
    }

    /// The text of `msg` with `{0}`, `{1}`… replaced by `args`.
    pub fn f(self, msg: Msg, args: &[&str]) -> String {
        let mut text = self.t(msg).to_string();
        for (k, arg) in args.iter().enumerate() {
            text = text.replace(&format!("{{{k}}}"), arg);
        }
        text
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $pt:literal;)*) => {
        /// A message key; each variant's doc is its English text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $(#[doc = $en] $key,)*
        }

        impl Msg {
            /// Every key.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// English text.
            pub fn en(self) -> &'static str {
                match self { $(Msg::$key => $en,)* }
            }

            /// Brazilian Portuguese text.
            pub fn pt_br(self) -> &'static str {
                match self { $(Msg::$key => $pt,)* }
            }
        }
    };
}

messages! {
    AppTitle => "JE08 Configurator", "Configurador JE08";
    Meters => "Meters", "Medidores";
    MqttView => "MQTT broker", "Broker MQTT";
    Language => "Language", "Idioma";
    Busy => "Busy: the background work queue is full, try again", "Ocupado: a fila de trabalho está cheia, tente de novo";
    Add => "Add", "Adicionar";
    AddressHint => "IP or host[:port]", "IP ou host[:porta]";
    NoMetersYet => "No meters yet. Type a meter's address above.", "Nenhum medidor ainda. Digite o endereço de um medidor acima.";
    NoMeterSelected => "No meter selected", "Nenhum medidor selecionado";
    NoMeterHint => "Add a meter by address on the left, or start `je08 demo`.", "Adicione um medidor pelo endereço à esquerda, ou rode `je08 demo`.";
    Address => "Address", "Endereço";
    State => "State", "Estado";
    Mode => "Mode", "Modo";
    ModeApplication => "application", "aplicação";
    ModeConfiguration => "configuration", "configuração";
    ModeUpdate => "update", "atualização";
    Unknown => "unknown", "desconhecido";
    Firmware => "Firmware version", "Versão de firmware";
    Sources => "Found by", "Encontrado por";
    SourceManual => "manual entry", "entrada manual";
    SourceRemembered => "remembered", "lembrado";
    SourceDemo => "demo", "demonstração";
    SourceMdns => "mDNS", "mDNS";
    SourceScan => "scan", "varredura";
    SourceMqtt => "MQTT", "MQTT";
    LastSeen => "Last seen", "Visto por último";
    Never => "never", "nunca";
    SecondsAgo => "{0} s ago", "há {0} s";
    MinutesAgo => "{0} min ago", "há {0} min";
    HoursAgo => "{0} h ago", "há {0} h";
    LedHint => "What the meter's status LED should be doing now", "O que o LED de status do medidor deve estar fazendo agora";
    Online => "online", "conectado";
    Connecting => "connecting", "conectando";
    Offline => "offline", "desconectado";
    Name => "Name", "Nome";
    Notes => "Notes", "Observações";
    Save => "Save", "Salvar";
    Cancel => "Cancel", "Cancelar";
    Cancelled => "cancelled", "cancelado";
    RenameNotes => "Rename / notes", "Renomear / observações";
    Forget => "Forget", "Esquecer";
    ForgetTitle => "Forget this meter?", "Esquecer este medidor?";
    ForgetBody => "It leaves the list and its session closes. The meter itself is not changed.", "Ele sai da lista e a sessão é encerrada. O medidor em si não é alterado.";
    DeviceIdIs => "ID {0}", "ID {0}";
    TabLive => "Live", "Ao vivo";
    TabParameters => "Parameters", "Parâmetros";
    TabConfiguration => "Configuration", "Configuração";
    TabFirmware => "Firmware", "Firmware";
    TabDiagnostics => "Diagnostics", "Diagnóstico";
    WaitingForData => "Waiting for the first reading…", "Aguardando a primeira leitura…";
    PhaseA => "Phase A", "Fase A";
    PhaseB => "Phase B", "Fase B";
    PhaseC => "Phase C", "Fase C";
    PhaseN => "Phase {0}", "Fase {0}";
    Total => "Total", "Total";
    Voltage => "Voltage", "Tensão";
    LineVoltage => "Line voltage", "Tensão de linha";
    Current => "Current", "Corrente";
    ActivePower => "Active power", "Potência ativa";
    ReactivePower => "Reactive power", "Potência reativa";
    ApparentPower => "Apparent power", "Potência aparente";
    PowerFactor => "Power factor", "Fator de potência";
    Frequency => "Frequency", "Frequência";
    Temperature => "Temperature", "Temperatura";
    NoSensor => "no sensor", "sem sensor";
    Phasors => "Phasor diagram", "Diagrama fasorial";
    PhasorNominal => "Line voltages inconsistent: nominal 120° used for missing angles", "Tensões de linha inconsistentes: usado 120° nominal nos ângulos ausentes";
    VoltageAngle => "V angle", "Ângulo V";
    CurrentAngle => "I angle", "Ângulo I";
    Energy => "Energy counters", "Contadores de energia";
    EnergyNote => "Counters restart from zero on every reboot or mode change.", "Os contadores voltam a zero a cada reinício ou troca de modo.";
    ActiveEnergy => "Active energy", "Energia ativa";
    ReactiveEnergy => "Reactive energy", "Energia reativa";
    ResetKwh => "Reset kWh", "Zerar kWh";
    ResetKvarh => "Reset kVArh", "Zerar kVArh";
    ResetKwhTitle => "Reset the kWh counters?", "Zerar os contadores de kWh?";
    ResetKvarhTitle => "Reset the kVArh counters?", "Zerar os contadores de kVArh?";
    ResetEnergyBody => "All phases and the total go back to zero. This cannot be undone.", "Todas as fases e o total voltam a zero. Isto não pode ser desfeito.";
    ResetDone => "reset done", "zerado";
    Trends => "Trends", "Tendências";
    Window => "Window", "Janela";
    Minutes => "{0} min", "{0} min";
    OneHour => "1 h", "1 h";
    Pause => "Pause", "Pausar";
    Resume => "Resume", "Continuar";
    Paused => "paused", "pausado";
    SecondsAxis => "seconds (0 = newest)", "segundos (0 = mais recente)";
    Gains => "Calibration gains", "Ganhos de calibração";
    GainsHint => "1000 = ×1.000. Voltage 500–1500, current 100–1500.", "1000 = ×1,000. Tensão 500–1500, corrente 100–1500.";
    VoltageGain => "Voltage gain", "Ganho de tensão";
    CurrentGain => "Current gain", "Ganho de corrente";
    VoltageGainOf => "Voltage gain {0}", "Ganho de tensão {0}";
    CurrentGainOf => "Current gain {0}", "Ganho de corrente {0}";
    FrequencyGain => "Frequency gain", "Ganho de frequência";
    CurrentTransformer => "Current transformer (CT)", "Transformador de corrente (TC)";
    CtAsRatio => "as ratio N (N×5 A : 5 A)", "como relação N (N×5 A : 5 A)";
    CtAsAmps => "as primary amps (e.g. 500 A/5 A)", "como corrente primária (ex. 500 A/5 A)";
    CtRatio => "CT", "TC";
    CtMeans => "ratio {0} = {1} A/5 A", "relação {0} = {1} A/5 A";
    InvertCurrent => "Invert current:", "Inverter corrente:";
    NotANumber => "not a whole number", "não é um número inteiro";
    OutOfRange => "out of range: allowed {0}–{1}", "fora da faixa: permitido {0}–{1}";
    NotMultipleOfFive => "primary current must be a multiple of 5 A", "a corrente primária deve ser múltiplo de 5 A";
    Write => "Write", "Gravar";
    RestoreDefaults => "Restore defaults", "Restaurar padrões";
    RestoreDefaultsTitle => "Restore the default gains?", "Restaurar os ganhos padrão?";
    RestoreDefaultsBody => "The meter replaces its calibration gains with the factory defaults.", "O medidor substitui seus ganhos de calibração pelos padrões de fábrica.";
    ReloadFromMeter => "Reload from meter", "Recarregar do medidor";
    FixErrorsFirst => "Fix the marked fields first; nothing is sent while a field is invalid.", "Corrija os campos marcados; nada é enviado enquanto houver campo inválido.";
    MeterNotOnline => "The meter is not online.", "O medidor não está conectado.";
    UnsavedChanges => "Changes not yet written", "Alterações ainda não gravadas";
    Writing => "Writing, saving and reading back…", "Gravando, salvando e relendo…";
    NothingToWrite => "Nothing to write: the meter already holds these values.", "Nada a gravar: o medidor já tem esses valores.";
    WriteConfirmed => "Written, saved and confirmed by read-back.", "Gravado, salvo e confirmado pela releitura.";
    WriteMismatch => "The read-back differs from what was written: check the marked registers.", "A releitura difere do que foi gravado: verifique os registradores marcados.";
    WriteFailed => "Write failed", "Falha na gravação";
    WriteCancelled => "Cancelled: the meter may hold part of the change. Reload and check.", "Cancelado: o medidor pode ter parte da alteração. Recarregue e confira.";
    Register => "Register", "Registrador";
    Written => "Written", "Gravado";
    ReadBack => "Read back", "Relido";
    Result => "Result", "Resultado";
    Confirmed => "confirmed", "confirmado";
    Differs => "differs", "diferente";
    Failed => "failed", "falhou";
    ModeSection => "Operating mode", "Modo de operação";
    RebootWarning => "Changing mode reboots the meter: its kWh and kVArh counters restart from zero.", "Trocar de modo reinicia o medidor: os contadores de kWh e kVArh voltam a zero.";
    EnterConfigMode => "Enter configuration mode", "Entrar no modo configuração";
    LeaveConfigMode => "Return to application mode", "Voltar ao modo aplicação";
    ModeFromCli => "Mode switching is not wired into the window yet: use `je08 mode HOST configuration` / `je08 mode HOST application`.", "A troca de modo ainda não está ligada à janela: use `je08 mode HOST configuration` / `je08 mode HOST application`.";
    ConfigFromCli => "Not wired into the window yet: use `je08 config get|set HOST` with the meter in configuration mode.", "Ainda não ligado à janela: use `je08 config get|set HOST` com o medidor em modo configuração.";
    CertsFromCli => "Upload is not wired into the window yet: use `je08 certs upload HOST`.", "O envio ainda não está ligado à janela: use `je08 certs upload HOST`.";
    CertsOk => "Pre-flight passed: the files are valid PEM, the key matches and the dates are current.", "Verificação prévia aprovada: PEM válido, chave correspondente e datas vigentes.";
    PushFromCli => "Sending from the window is not wired yet: use `je08 flash HOST FILE`, which validates, sends and confirms the new version.", "O envio pela janela ainda não está ligado: use `je08 flash HOST ARQUIVO`, que valida, envia e confirma a nova versão.";
    VersionUnknown => "unknown (no JE08-FW marker)", "desconhecida (sem marcador JE08-FW)";
    ImageValid => "Valid image, version {0}, {1} bytes.", "Imagem válida, versão {0}, {1} bytes.";
    ImageInvalid => "Invalid image ({0} bytes): it would be refused. See the failed checks.", "Imagem inválida ({0} bytes): seria recusada. Veja as verificações com falha.";
    Passed => "passed", "ok";
    BlockConnectivity => "Connectivity", "Conectividade";
    BlockProtocols => "Protocols", "Protocolos";
    BlockCt => "CT adjustments", "Ajustes de TC";
    Certificates => "Certificates", "Certificados";
    CertificatesHint => "PEM files, at most 4096 bytes each; checked before upload.", "Arquivos PEM, até 4096 bytes cada; verificados antes do envio.";
    CaCert => "CA certificate", "Certificado da CA";
    ClientCert => "Client certificate", "Certificado do cliente";
    ClientKey => "Client key", "Chave do cliente";
    NoFile => "no file chosen", "nenhum arquivo escolhido";
    ChooseFile => "Choose file…", "Escolher arquivo…";
    FirmwareImage => "Firmware image", "Imagem de firmware";
    CurrentVersion => "The meter runs version {0}.", "O medidor executa a versão {0}.";
    PushFirmware => "Send firmware", "Enviar firmware";
    DeviceId => "Device ID", "ID do dispositivo";
    EspVersion => "ESP8266 firmware", "Firmware ESP8266";
    Stm32Version => "STM32 firmware", "Firmware STM32";
    WifiMode => "Wi-Fi mode", "Modo Wi-Fi";
    WifiStation => "station (connected to a router)", "estação (conectado a um roteador)";
    WifiAccessPoint => "access point", "ponto de acesso";
    Rssi => "Signal (RSSI)", "Sinal (RSSI)";
    SignalExcellent => "excellent", "excelente";
    SignalGood => "good", "bom";
    SignalFair => "fair", "razoável";
    SignalPoor => "poor", "fraco";
    Uptime => "Uptime", "Tempo ligado";
    ResetReason => "Last reset", "Último reinício";
    ResetOptionByte => "option byte loader", "carregador de option bytes";
    ResetPin => "reset pin (NRESET)", "pino de reset (NRESET)";
    ResetPowerOn => "power-on or brown-out", "energização ou queda de tensão";
    ResetSoftware => "software reset", "reset por software";
    ResetIwdg => "independent watchdog", "watchdog independente";
    ResetWwdg => "window watchdog", "watchdog de janela";
    ResetLowPower => "low-power reset", "reset de baixo consumo";
    UnknownBit => "undocumented bit {0}", "bit {0} não documentado";
    NoneReported => "none reported", "nenhum informado";
    Stm32Fails => "STM32 communication failures", "Falhas de comunicação STM32";
    Ds18b20Errors => "DS18B20 read errors", "Erros de leitura DS18B20";
    BrokerUrl => "Broker URL", "URL do broker";
    Username => "User name", "Usuário";
    Password => "Password", "Senha";
    RememberInKeychain => "Remember the password in the system keychain", "Lembrar a senha no chaveiro do sistema";
    NoKeychain => "No system keychain available: the password is kept for this session only", "Nenhum chaveiro do sistema disponível: a senha fica só nesta sessão";
    StoredInKeychain => "Password stored in the system keychain.", "Senha guardada no chaveiro do sistema.";
    Connect => "Connect", "Conectar";
    UseSavedPassword => "Use saved password", "Usar senha salva";
    NoFileTls => "none (plain TCP, or server-only TLS without a client certificate)", "nenhum (TCP simples, ou TLS só do servidor sem certificado de cliente)";
    Disconnect => "Disconnect", "Desconectar";
    NotConnected => "Not connected to a broker.", "Não conectado a um broker.";
    BrokerConnected => "Connected: {0} meters on this broker", "Conectado: {0} medidores neste broker";
    NoMqttMeters => "Connected, no meter has published yet.", "Conectado, nenhum medidor publicou ainda.";
    Freshness => "Freshness", "Atualidade";
    Fresh => "fresh", "atual";
    Stale => "stale", "atrasado";
    Commands => "Commands", "Comandos";
    MqttGetInfo => "Get INFO", "Pedir INFO";
    MqttGetData => "Get DATA", "Pedir DATA";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<String> {
        let mut found: Vec<String> = (0..10)
            .map(|k| format!("{{{k}}}"))
            .filter(|p| text.contains(p))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        for msg in Msg::ALL {
            assert!(!msg.en().trim().is_empty(), "{msg:?} has no English text");
            assert!(!msg.pt_br().trim().is_empty(), "{msg:?} has no Portuguese text");
            assert_eq!(placeholders(msg.en()), placeholders(msg.pt_br()), "{msg:?}");
        }
    }

    #[test]
    fn locale_picks_the_language_and_arguments_fill_in() {
        assert_eq!(Lang::from_locale(Some("pt-BR")), Lang::PtBr);
        assert_eq!(Lang::from_locale(Some("pt_PT.UTF-8")), Lang::PtBr);
        assert_eq!(Lang::from_locale(Some("en-US")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
        assert_eq!(
            Tr(Lang::PtBr).f(Msg::OutOfRange, &["500", "1500"]),
            "fora da faixa: permitido 500–1500"
        );
        assert_eq!(Tr(Lang::En).t(Msg::TabLive), "Live");
    }
}
