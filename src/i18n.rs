//! Every visible string, in English and Brazilian Portuguese: the window's
//! and those of the PDFs (commissioning report, calibration certificate).
//! The window's language comes from the OS locale (sys-locale) and can be
//! switched at run time; the command line's PDFs are English unless
//! `--lang pt-BR` is given. A top-level module so that `commissioning`
//! can word its documents without importing `ui`.
//!
//! Keys are an enum generated from one table, so a key without both
//! translations does not compile; a test also rejects empty texts and
//! placeholders that differ between the languages.

use serde::{Deserialize, Serialize};

use je08_protocol::mode::Mode;

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

/// The translated name of a mode.
pub fn mode_name(tr: Tr, mode: Mode) -> &'static str {
    tr.t(match mode {
        Mode::Application => Msg::ModeApplication,
        Mode::Configuration => Msg::ModeConfiguration,
        Mode::Update => Msg::ModeUpdate,
    })
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
    DemoBalanced => "Demo · balanced load", "Demo · carga equilibrada";
    DemoReversedCtB => "Demo · reversed CT on B", "Demo · TC invertido na fase B";
    DemoNoTempSensor => "Demo · no temperature sensor", "Demo · sem sensor de temperatura";
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
    FindMeters => "Find meters", "Encontrar medidores";
    MdnsAllInterfaces => "mDNS: browsing every network interface", "mDNS: procurando em todas as interfaces de rede";
    MdnsOn => "mDNS: browsing on {0}", "mDNS: procurando em {0}";
    MdnsOff => "mDNS: off", "mDNS: desligado";
    MdnsFailed => "mDNS browsing is off ({0}); scan a range or add meters by address", "busca mDNS desligada ({0}); varra uma faixa ou adicione medidores pelo endereço";
    ScanRange => "Range", "Faixa";
    ScanRangeHint => "e.g. 192.168.0.1-254 or 10.0.0.0/24:1502", "ex.: 192.168.0.1-254 ou 10.0.0.0/24:1502";
    Scan => "Scan", "Varrer";
    ScanProgress => "{0}: {1} of {2} addresses, {3} found", "{0}: {1} de {2} endereços, {3} encontrados";
    ScanDone => "{0}: done, {3} found in {2} addresses", "{0}: concluída, {3} encontrados em {2} endereços";
    ScanCancelled => "{0}: cancelled after {1} of {2} addresses, {3} found", "{0}: cancelada após {1} de {2} endereços, {3} encontrados";
    NoSession => "not connected", "não conectado";
    Connection => "Connection", "Conexão";
    NoModbusHint => "No Modbus session: the meter is not in application mode or no Modbus port is known.", "Sem sessão Modbus: o medidor não está no modo aplicação ou a porta Modbus não é conhecida.";
    Unreachable => "unreachable", "inacessível";
    NotSeenRecently => "not seen recently", "não visto recentemente";
    Addresses => "Addresses", "Endereços";
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
    TabWiring => "Wiring", "Ligação";
    TabCalibration => "Calibration", "Calibração";
    WiringIntro => "Samples a window of readings and explains how the meter is wired. Nothing is written unless you click Fix.", "Amostra uma janela de leituras e explica como o medidor está ligado. Nada é gravado a menos que você clique em Corrigir.";
    SamplesOneSecond => "Samples (1 s apart)", "Amostras (1 s de intervalo)";
    CtFitted => "Fitted CT primary (A, optional)", "Primário do TC instalado (A, opcional)";
    CtFittedInvalid => "give the primary in whole amps, e.g. 500, or leave it empty", "informe o primário em ampères inteiros, ex. 500, ou deixe vazio";
    RunWiringCheck => "Run wiring check", "Verificar ligação";
    SamplingMeter => "Sampling the meter…", "Amostrando o medidor…";
    WiringHealthy => "Wiring healthy: no fault or warning ({0} samples).", "Ligação correta: nenhuma falha ou alerta ({0} amostras).";
    WiringProblems => "{0} finding(s) need attention ({1} samples).", "{0} constatação(ões) exigem atenção ({1} amostras).";
    LoadAngleIs => "Common load angle {0}° (PF {1})", "Ângulo de carga comum {0}° (FP {1})";
    Severity => "Severity", "Gravidade";
    Confidence => "Confidence", "Confiança";
    Finding => "Finding", "Constatação";
    WhatToDo => "What to do", "O que fazer";
    SeverityInfo => "info", "informação";
    SeverityWarning => "warning", "alerta";
    SeverityFault => "fault", "falha";
    NothingToDo => "nothing to do", "nada a fazer";
    Fix => "Fix", "Corrigir";
    FixWillWrite => "Fix writes {0}, saves it (SAVE_PARAMS), reads it back and checks again.", "Corrigir grava {0}, salva (SAVE_PARAMS), relê e verifica de novo.";
    FixApplied => "Fix applied", "Correção aplicada";
    Before => "Before", "Antes";
    RecheckClean => "Re-check: the wiring is now healthy.", "Nova verificação: a ligação agora está correta.";
    RecheckNotClean => "Re-check: problems remain, see below.", "Nova verificação: ainda há problemas, veja abaixo.";
    PhasorsExpected => "Phasors: measured against a correct wiring", "Fasores: medidos contra uma ligação correta";
    PhasorLegend => "Solid: measured. Faint: what a correct wiring would show.", "Cheio: medido. Claro: o que uma ligação correta mostraria.";
    FindMissingVoltage => "Voltage input V{0} reads {1} V: the phase is missing (open fuse or breaker, loose wire at terminal X1).", "A entrada de tensão V{0} mede {1} V: falta a fase (fusível ou disjuntor aberto, fio solto no borne X1).";
    FindLineVoltage => "Line voltage V{0}{1} is {2} V, expected {3} V: the inputs are {4}° apart instead of 120°.", "A tensão de linha V{0}{1} é {2} V, esperado {3} V: as entradas estão a {4}° em vez de 120°.";
    FindNoLoad => "Phase {0} carries {1} A, too little to judge its CT; repeat the check under load.", "A fase {0} conduz {1} A, pouco para avaliar seu TC; repita a verificação com carga.";
    FindReversedCt => "The CT on phase {0} ({1}) is reversed: its active power reads negative while the load imports.", "O TC da fase {0} ({1}) está invertido: sua potência ativa fica negativa enquanto a carga consome.";
    FindWrongPhase => "The CT on input {0} (channel {1}) measures phase {2}'s current.", "O TC da entrada {0} (canal {1}) mede a corrente da fase {2}.";
    FindWrongPhaseReversed => "The CT on input {0} (channel {1}) measures phase {2}'s current and is also reversed.", "O TC da entrada {0} (canal {1}) mede a corrente da fase {2} e também está invertido.";
    FindAngles => "The load angles ({0}) fit no wiring: the load may be strongly unbalanced or exporting; repeat under a balanced importing load.", "Os ângulos de carga ({0}) não correspondem a nenhuma ligação: a carga pode estar muito desequilibrada ou exportando; repita com carga equilibrada consumindo.";
    FindCtRatio => "RELACAO_TC is set for a {0} A/5 A CT but the fitted CT is {1} A/5 A: every current and power reads wrong.", "RELACAO_TC está ajustado para TC de {0} A/5 A mas o TC instalado é de {1} A/5 A: todas as correntes e potências ficam erradas.";
    FindAboveRating => "Phase {0} reads {1} A, above the configured {2} A/5 A CT: the CT ratio setting is likely wrong or the CT is overloaded.", "A fase {0} mede {1} A, acima do TC configurado de {2} A/5 A: a relação do TC provavelmente está errada ou o TC está sobrecarregado.";
    FindCtOversized => "The largest current is {0} % of the CT rating: check RELACAO_TC; accuracy suffers below about 10 % of the rating.", "A maior corrente é {0} % da nominal do TC: verifique RELACAO_TC; a exatidão piora abaixo de cerca de 10 % da nominal.";
    FindCurrentUnbalance => "Phase currents differ by up to {0} % from their mean: the load is strongly unbalanced.", "As correntes de fase diferem até {0} % da média: a carga está muito desequilibrada.";
    FindVoltageUnbalance => "Phase voltages differ by up to {0} % from their mean: check the supply and the voltage connections.", "As tensões de fase diferem até {0} % da média: verifique a alimentação e as conexões de tensão.";
    DoCheckVoltageWire => "Check the wire from phase {0} to terminal V{0} (X1) and its fuse.", "Verifique o fio da fase {0} até o borne V{0} (X1) e seu fusível.";
    DoCheckLineVoltage => "Check which phase feeds terminals V{0} and V{1} (X1); each must be on its own phase.", "Verifique qual fase alimenta os bornes V{0} e V{1} (X1); cada um deve estar em sua própria fase.";
    DoMoveCt => "Move the CT now on phase {0}'s conductor to phase {1}'s conductor (input {2}).", "Mova o TC que está no condutor da fase {0} para o condutor da fase {1} (entrada {2}).";
    DoMoveCtTurned => "Move the CT now on phase {0}'s conductor to phase {1}'s conductor (input {2}) and turn it round (swap S1/S2).", "Mova o TC que está no condutor da fase {0} para o condutor da fase {1} (entrada {2}) e inverta-o (troque S1/S2).";
    DoUnsupportedCt => "A {0} A/5 A CT cannot be configured (100–2000 A in steps of 5 A): fit a supported CT.", "Um TC de {0} A/5 A não pode ser configurado (100–2000 A em passos de 5 A): instale um TC suportado.";
    DoRewire => "Check the wiring (see the details).", "Verifique a ligação (veja os detalhes).";
    CalibrationIntro => "Calibrate one phase's voltage or current against a reference instrument. Nothing is written before step 4.", "Calibre a tensão ou a corrente de uma fase contra um instrumento de referência. Nada é gravado antes do passo 4.";
    PhaseLabel => "Phase", "Fase";
    Step1 => "1. Check the conditions (steady load, current above 50 % of the CT rating)", "1. Verificar as condições (carga estável, corrente acima de 50 % da nominal do TC)";
    SampleWindow => "Sample {0} readings", "Amostrar {0} leituras";
    StartOver => "Start over", "Recomeçar";
    Working => "Working…", "Trabalhando…";
    ConditionsMet => "Conditions met: current {0} A on a {1} A CT; measured {2}, spread {3} % over {4} samples.", "Condições atendidas: corrente {0} A em TC de {1} A; medido {2}, dispersão {3} % em {4} amostras.";
    Step2 => "2. Type what your reference instrument reads", "2. Digite o que o seu instrumento de referência indica";
    ReferenceValue => "Reference value ({0})", "Valor de referência ({0})";
    ReferenceInstrument => "Reference instrument", "Instrumento de referência";
    ReferenceInstrumentHint => "make, model, serial, certificate", "marca, modelo, série, certificado";
    NotANumberDecimal => "not a number (e.g. 300.5)", "não é um número (ex. 300,5)";
    Step3 => "3. Proposed gain", "3. Ganho proposto";
    ProposedGain => "{0}: {1} -> {2} (old × {3} / {4})", "{0}: {1} -> {2} (antigo × {3} / {4})";
    ErrorBefore => "Error of the meter now: {0} %", "Erro atual do medidor: {0} %";
    Step4 => "4. Write, save, read back and measure again", "4. Gravar, salvar, reler e medir de novo";
    WriteGain => "Write the new gain", "Gravar o novo ganho";
    Refused => "Refused, nothing was written:", "Recusado, nada foi gravado:";
    RefuseFewSamples => "only {0} samples; at least {1} are needed.", "apenas {0} amostras; são necessárias pelo menos {1}.";
    RefuseBadReference => "the reference value must be a positive number.", "o valor de referência deve ser um número positivo.";
    RefuseLowCurrent => "phase {0} current is {1} A, below {2} A (50 % of the {3} A CT): load the phase more before calibrating.", "a corrente da fase {0} é {1} A, abaixo de {2} A (50 % do TC de {3} A): aumente a carga da fase antes de calibrar.";
    RefuseUnstableCurrent => "phase {0} current is not stable (spread {1} %, limit {2} %): wait for a steady load.", "a corrente da fase {0} não está estável (dispersão {1} %, limite {2} %): aguarde uma carga estável.";
    RefuseUnstableVoltage => "phase {0} voltage is not stable (spread {1} %, limit {2} %): wait for a steady supply.", "a tensão da fase {0} não está estável (dispersão {1} %, limite {2} %): aguarde uma alimentação estável.";
    RefuseGainRange => "the new gain for {0} would be {1}, outside {2}–{3}: the reference or the wiring is probably wrong.", "o novo ganho de {0} seria {1}, fora de {2}–{3}: a referência ou a ligação provavelmente está errada.";
    GainWritten => "The new gain was written, saved (SAVE_PARAMS) and read back; measured again:", "O novo ganho foi gravado, salvo (SAVE_PARAMS) e relido; medido de novo:";
    GainOf => "Gain ({0})", "Ganho ({0})";
    Reading => "Reading ({1})", "Leitura ({1})";
    Reference => "Reference ({1})", "Referência ({1})";
    ErrorCol => "Error", "Erro";
    After => "After", "Depois";
    SaveCertificate => "Save certificate (PDF)…", "Salvar certificado (PDF)…";
    SavedTo => "Saved to {0}", "Salvo em {0}";
    TabRecording => "Recording", "Registro";
    StartRecording => "Start recording…", "Iniciar registro…";
    StopRecording => "Stop recording", "Parar registro";
    RecordingNow => "Recording", "Registrando";
    RecordingHint => "Records one row per meter and second to a CSV file you choose; energy stays continuous across meter reboots.", "Registra uma linha por medidor e segundo num arquivo CSV à sua escolha; a energia continua contínua entre reinícios do medidor.";
    RecordingFile => "File: {0}", "Arquivo: {0}";
    RecordingMeters => "Meters: {0}", "Medidores: {0}";
    RowsWritten => "{0} rows recorded ({1} failed reads)", "{0} linhas registradas ({1} leituras com falha)";
    RecordingStopped => "Stopped: {0} rows, {1} energy counter resets bridged.", "Parado: {0} linhas, {1} zeramentos de contador compensados.";
    Batch => "Batch", "Lote";
    BatchTitle => "Batch actions", "Ações em lote";
    BatchIntro => "Tick the meters to act on. A profile is first tried without writing (dry run) and applied only when you click Apply.", "Marque os medidores. Um perfil é primeiro testado sem gravar (simulação) e só é aplicado quando você clicar em Aplicar.";
    SelectAll => "Select all", "Marcar todos";
    SelectNone => "Select none", "Desmarcar todos";
    BatchPassword => "Interface password", "Senha da interface";
    BatchPasswordHint => "for the HTTP settings in profiles and reports; kept in memory only", "para as configurações HTTP de perfis e relatórios; mantida só na memória";
    HttpComparedOnApply => "The HTTP settings can only be read in configuration mode: Apply compares them meter by meter (a reboot each) and writes only what differs.", "As configurações HTTP só podem ser lidas no modo de configuração: Aplicar as compara medidor a medidor (uma reinicialização cada) e grava só o que difere.";
    ApplyProfileTo => "Apply a profile to {0} meter(s)…", "Aplicar um perfil a {0} medidor(es)…";
    SaveProfileFrom => "Save profile from {0}…", "Salvar perfil de {0}…";
    ReportFor => "Commissioning report (PDF) for {0} meter(s)…", "Relatório de comissionamento (PDF) de {0} medidor(es)…";
    NotReached => "Not reached: {0}: {1}", "Não alcançado: {0}: {1}";
    ProfileFile => "Profile {0}", "Perfil {0}";
    ProfileFrom => "Saved from meter {0}; identity and secrets are never part of a profile.", "Salvo do medidor {0}; identidade e segredos nunca fazem parte de um perfil.";
    DryRun => "Dry run (nothing written yet):", "Simulação (nada gravado ainda):";
    ApplyNow => "Apply to {0} meter(s)", "Aplicar a {0} medidor(es)";
    ApplyResult => "Result:", "Resultado:";
    Changes => "Changes", "Alterações";
    StatusOk => "ok (already as the profile)", "ok (já igual ao perfil)";
    StatusChanged => "changed", "alterado";
    StatusWouldChange => "would change", "seria alterado";
    StatusFailed => "failed", "falhou";
    SaveScopeTitle => "Save the whole configuration?", "Salvar a configuração completa?";
    SaveScopeBody => "The profile holds the Modbus settings and the HTTP settings (connectivity and protocols; never passwords nor the static IP). The HTTP settings can only be read in configuration mode: the meter reboots twice (into configuration mode and back) and its kWh and kVArh energy counters restart from zero. \"Modbus settings only\" does not reboot the meter and saves no HTTP settings.", "O perfil contém as configurações Modbus e as configurações HTTP (conectividade e protocolos; nunca senhas nem o IP fixo). As configurações HTTP só podem ser lidas no modo de configuração: o medidor reinicia duas vezes (para o modo de configuração e de volta) e seus contadores de energia kWh e kVArh voltam a zero. \"Só as configurações Modbus\" não reinicia o medidor e não salva configurações HTTP.";
    SaveScopeNoPassword => "No interface password typed on this page: the HTTP settings need it unless the meter has none.", "Nenhuma senha da interface digitada nesta página: as configurações HTTP precisam dela, a menos que o medidor não tenha senha.";
    SaveWhole => "Save the whole configuration (reboots twice)", "Salvar a configuração completa (reinicia duas vezes)";
    SaveModbusOnly => "Modbus settings only (no reboot)", "Só as configurações Modbus (sem reiniciar)";
    SavingWhole => "Saving the whole configuration: the meter reboots into the other mode and back…", "Salvando a configuração completa: o medidor reinicia no outro modo e volta…";
    ProfileSavedWhole => "Profile saved to {0}: Modbus settings and HTTP settings (connectivity, protocols; no passwords). The meter rebooted twice and is back in the mode it was in.", "Perfil salvo em {0}: configurações Modbus e configurações HTTP (conectividade, protocolos; sem senhas). O medidor reiniciou duas vezes e voltou ao modo em que estava.";
    ProfileSavedModbus => "Profile saved to {0}: Modbus settings only (no HTTP settings; the meter was not rebooted).", "Perfil salvo em {0}: só as configurações Modbus (sem configurações HTTP; o medidor não foi reiniciado).";
    ReportOptions => "Report options", "Opções do relatório";
    ReportHttpBlocks => "Include HTTP settings (reboots each meter twice; energy counters restart)", "Incluir as configurações HTTP (reinicia cada medidor duas vezes; os contadores de energia recomeçam)";
    ReportBroker => "MQTT check broker", "Broker da verificação MQTT";
    ReportBrokerHint => "optional: mqtt://HOST:PORT or mqtts://HOST:PORT", "opcional: mqtt://HOST:PORTA ou mqtts://HOST:PORTA";
    MqttOwnBroker => "No broker given: the MQTT check uses each meter's own broker, read from its HTTP settings.", "Nenhum broker informado: a verificação MQTT usa o broker de cada medidor, lido das suas configurações HTTP.";
    NoMqttCheck => "No broker given: no MQTT check (give a broker, or include the HTTP settings to use each meter's own).", "Nenhum broker informado: sem verificação MQTT (informe um broker ou inclua as configurações HTTP para usar o de cada medidor).";
    ReportMqttUser => "MQTT user", "Usuário MQTT";
    ReportMqttPassword => "MQTT password", "Senha MQTT";
    ReportBrokerCa => "Broker CA certificate", "Certificado da CA do broker";
    NoCaFile => "none (plain mqtt://)", "nenhum (mqtt:// simples)";
    ClearFile => "Clear", "Limpar";
    BadBrokerUrl => "Not a broker URL: use mqtt://HOST[:PORT] or mqtts://HOST[:PORT], with no user, password or path in it.", "Não é uma URL de broker: use mqtt://HOST[:PORTA] ou mqtts://HOST[:PORTA], sem usuário, senha ou caminho.";
    BrokerNeedsCa => "An mqtts:// broker needs its CA certificate: choose the file.", "Um broker mqtts:// precisa do seu certificado da CA: escolha o arquivo.";
    NoClientCert => "none (the broker asks for no client certificate)", "nenhum (o broker não pede certificado de cliente)";
    CertNeedsKey => "A client certificate needs its key, and a key its certificate: choose both or clear both.", "Um certificado de cliente precisa da sua chave, e a chave do seu certificado: escolha os dois ou limpe os dois.";
    IdentityNeedsTls => "A client certificate is for an mqtts:// broker: choose its CA certificate too.", "Um certificado de cliente é para um broker mqtts://: escolha também o certificado da CA.";
    CaNeedsMqtts => "A CA certificate is for an mqtts:// broker: use mqtts:// or clear the certificate.", "Um certificado da CA é para um broker mqtts://: use mqtts:// ou limpe o certificado.";
    RecordSelected => "Record the ticked meters", "Registrar os medidores marcados";
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
    InterfacePassword => "Interface password", "Senha da interface";
    InterfacePasswordHint => "factory default: bintechnology", "padrão de fábrica: bintechnology";
    HttpEndpoint => "HTTP API at {0} · espota UDP port {1}", "API HTTP em {0} · porta UDP espota {1}";
    ReadSettings => "Read from the meter", "Ler do medidor";
    NothingChanged => "Cancelled before anything was sent: the meter is unchanged.", "Cancelado antes de qualquer envio: o medidor não mudou.";
    MeterIsInMode => "The meter is in {0} mode.", "O medidor está no modo {0}.";
    ModeNotKnown => "Mode not known yet: read from the meter.", "Modo ainda desconhecido: leia do medidor.";
    EnterConfigTitle => "Reboot into configuration mode?", "Reiniciar no modo configuração?";
    LeaveConfigTitle => "Reboot into application mode?", "Reiniciar no modo aplicação?";
    SwitchModeBody => "The meter reboots (a few seconds offline) and its kWh and kVArh counters restart from zero.", "O medidor reinicia (alguns segundos fora do ar) e seus contadores de kWh e kVArh voltam a zero.";
    SwitchCancelled => "Cancelled while the meter was rebooting: it may come back in the new mode. Read from the meter to see.", "Cancelado durante o reinício: o medidor pode voltar no novo modo. Leia do medidor para conferir.";
    NowInMode => "Done: the meter answers in {0} mode.", "Pronto: o medidor responde no modo {0}.";
    StageReading => "Asking the meter…", "Consultando o medidor…";
    StageRebooting => "The meter reboots into {0} mode; waiting for it to answer…", "O medidor reinicia no modo {0}; aguardando resposta…";
    StageSaving => "Sending to the meter…", "Enviando ao medidor…";
    StageSending => "Sending the image…", "Enviando a imagem…";
    StageConfirming => "Image accepted; waiting for the meter to restart with it…", "Imagem aceita; aguardando o medidor reiniciar com ela…";
    SettingsBlocks => "Settings", "Configurações";
    BlocksNeedConfigMode => "The meter serves its settings and certificates in configuration mode only.", "O medidor só oferece configurações e certificados no modo configuração.";
    BlocksApplyAtReboot => "Each block is saved whole and takes effect when the meter returns to application mode. Empty password fields keep the stored password.", "Cada bloco é salvo inteiro e vale quando o medidor voltar ao modo aplicação. Campos de senha vazios mantêm a senha guardada.";
    SaveBlock => "Save", "Salvar";
    SaveCancelled => "Cancelled: the meter may or may not hold the change. Read from the meter to see.", "Cancelado: o medidor pode ou não ter a alteração. Leia do medidor para conferir.";
    BlockSaved => "Saved on the meter and read back; it applies when the meter returns to application mode.", "Salvo no medidor e relido; vale quando o medidor voltar ao modo aplicação.";
    CfgCtRatio => "CT ratio (N × 5 A : 5 A)", "Relação do TC (N × 5 A : 5 A)";
    CfgInvertPhase => "Invert phase {0}", "Inverter fase {0}";
    CfgKeepPassword => "unchanged (leave empty to keep)", "sem alteração (deixe vazio para manter)";
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
    CfgModbusEnabled => "Modbus TCP server", "Servidor Modbus TCP";
    CfgModbusPort => "Modbus port", "Porta Modbus";
    CfgMqttEnabled => "MQTT client", "Cliente MQTT";
    CfgMqttHost => "Broker host", "Host do broker";
    CfgMqttPort => "Broker port", "Porta do broker";
    CfgMqttClientId => "Client id", "Id do cliente";
    CfgMqttUser => "MQTT user name", "Usuário MQTT";
    CfgMqttPassword => "MQTT password", "Senha MQTT";
    CfgPublishTopic => "Publish topic", "Tópico de publicação";
    CfgSubscribeTopic => "Command topic", "Tópico de comandos";
    CfgInterval => "Publish every (s)", "Publicar a cada (s)";
    CfgTls => "TLS", "TLS";
    CfgTlsVerify => "Verify the broker's certificate", "Verificar o certificado do broker";
    CfgTlsClientAuth => "Present the client certificate", "Apresentar o certificado do cliente";
    CfgDs18b20 => "DS18B20 temperature sensor", "Sensor de temperatura DS18B20";
    CfgSsid => "SSID", "SSID";
    CfgDhcp => "DHCP (station only)", "DHCP (só estação)";
    CfgIp => "IP address", "Endereço IP";
    CfgNetmask => "Network mask", "Máscara de rede";
    CfgGateway => "Gateway", "Gateway";
    CfgDns => "DNS server", "Servidor DNS";
    CfgDeviceName => "Device name", "Nome do dispositivo";
    CfgWifiPassword => "Wi-Fi password", "Senha do Wi-Fi";
    CfgNewInterfacePassword => "New interface password", "Nova senha da interface";
    UploadCerts => "Upload to the meter", "Enviar ao medidor";
    CertsNeedConfigMode => "Uploads need configuration mode.", "O envio exige o modo configuração.";
    CertsUploaded => "Uploaded.", "Enviado.";
    SlotLoaded => "{0}: loaded ({1} bytes)", "{0}: carregado ({1} bytes)";
    SlotEmpty => "{0}: empty", "{0}: vazio";
    OnTheMeter => "On the meter: {0}", "No medidor: {0}";
    Transport => "Send over", "Enviar por";
    TransportHttp => "HTTP (POST /update)", "HTTP (POST /update)";
    TransportEspota => "espota (UDP)", "espota (UDP)";
    FlashRebootWarning => "Sending reboots the meter into update mode and then into the new firmware: its kWh and kVArh counters restart from zero.", "O envio reinicia o medidor no modo atualização e depois no novo firmware: os contadores de kWh e kVArh voltam a zero.";
    InvalidNotSent => "This image failed validation and cannot be sent.", "Esta imagem falhou na validação e não pode ser enviada.";
    FlashTitle => "Send this firmware?", "Enviar este firmware?";
    FlashBody => "The meter reboots into update mode, receives the image and restarts with it; its kWh and kVArh counters restart from zero.", "O medidor reinicia no modo atualização, recebe a imagem e reinicia com ela; os contadores de kWh e kVArh voltam a zero.";
    FlashCancelled => "Cancelled: the meter stays in update mode (or is on its way there) with its old firmware, and can be flashed again. To leave without flashing, return it to application mode in the Configuration tab.", "Cancelado: o medidor fica no modo atualização (ou está indo para ele) com o firmware antigo e pode receber o envio de novo. Para sair sem atualizar, volte ao modo aplicação na aba Configuração.";
    FlashedVersion => "Done: the meter now runs firmware {0}.", "Pronto: o medidor agora executa o firmware {0}.";
    CertsOk => "Pre-flight passed: the files are valid PEM, the key matches and the dates are current.", "Verificação prévia aprovada: PEM válido, chave correspondente e datas vigentes.";
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
    VersionUnknown => "unknown (no JE08-FW marker)", "desconhecida (sem marcador JE08-FW)";
    ImageValid => "Valid image, version {0}, {1} bytes.", "Imagem válida, versão {0}, {1} bytes.";
    ImageInvalid => "Invalid image ({0} bytes): it would be refused. See the failed checks.", "Imagem inválida ({0} bytes): seria recusada. Veja as verificações com falha.";
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
    WebActReadIdentity => "Reading the meter's identity", "A leitura da identidade do medidor";
    WebActReadSettings => "Reading the settings", "A leitura das configurações";
    WebActSwitchMode => "Switching to {0} mode", "A mudança para o modo {0}";
    WebActSaveConnectivity => "Saving the connectivity block", "A gravação do bloco de conectividade";
    WebActSaveProtocols => "Saving the protocols block", "A gravação do bloco de protocolos";
    WebActSaveCt => "Saving the CT block", "A gravação do bloco de TC";
    WebActCertPreflight => "Certificate pre-flight", "A verificação prévia dos certificados";
    WebActUploadCa => "Uploading ca", "O envio do certificado da CA";
    WebActUploadClientCert => "Uploading client_cert", "O envio do certificado do cliente";
    WebActUploadClientKey => "Uploading client_key", "O envio da chave do cliente";
    WebActReadCertSlots => "Reading the certificate slots", "A leitura dos slots de certificado";
    WebActUpdateFirmware => "Updating the firmware", "A atualização do firmware";
    WebFailPassword => "{0} on meter {1} failed: the meter refused the interface password. Type the right one (factory default: {2}) and try again.", "{0} no medidor {1} falhou: o medidor recusou a senha da interface. Digite a senha correta (padrão de fábrica: {2}) e tente novamente.";
    WebFailWrongMode => "{0} on meter {1} failed: the meter must be in {2} mode for this. Switch it with the mode buttons first.", "{0} no medidor {1} falhou: para isso o medidor precisa estar no modo {2}. Troque o modo antes com os botões de modo.";
    WebFailUnreachable => "{0} failed: meter {1} is unreachable ({2}): check its address, that it is powered and on the network", "{0} falhou: o medidor {1} está inacessível ({2}): verifique o endereço, se está ligado e conectado à rede";
    WebFailNoAnswer => "{0} failed: meter {1} did not answer within {2}; the request may or may not have been applied", "{0} falhou: o medidor {1} não respondeu em {2}; o pedido pode ou não ter sido aplicado";
    WebFailNotBack => "{0} failed: meter {1} did not come back in {2} mode within {3}: {4}", "{0} falhou: o medidor {1} não voltou no modo {2} em {3}: {4}";
    WebFailRejected => "{0} failed: meter {1} refused {2}: {3}", "{0} falhou: o medidor {1} recusou {2}: {3}";
    WebFailFirmwareRefused => "{0} failed: meter {1} refused the firmware: {2}", "{0} falhou: o medidor {1} recusou o firmware: {2}";
    WebFailBadImage => "{0} failed validation, nothing was sent to meter {1}: {2}: {3}", "{0} não passou na validação, nada foi enviado ao medidor {1}: {2}: {3}";
    WebFailCertProblems => "{0} failed, nothing was sent to meter {1}: {2}", "{0} falhou, nada foi enviado ao medidor {1}: {2}";
    WebFailNotText => "{0} failed: {1} is not text", "{0} falhou: {1} não é um arquivo de texto";
    WebFailUnresolvable => "{0} failed: cannot resolve {1} for espota; check the meter's address", "{0} falhou: não foi possível resolver {1} para o espota; verifique o endereço do medidor";
    WebFailEspotaPassword => "{0} on meter {1} failed: espota refused the interface password; type the right one and push again (the meter stays in update mode)", "{0} no medidor {1} falhou: o espota recusou a senha da interface; digite a senha correta e envie de novo (o medidor continua no modo de atualização)";
    WebFailEspota => "{0} on meter {1} failed: {2}. The meter stays in update mode: push again.", "{0} no medidor {1} falhou: {2}. O medidor continua no modo de atualização: envie de novo.";
    WebFailOther => "{0} failed: {1}", "{0} falhou: {1}";
    WebFailDeadline => "meter {0} did not finish within {1} s; check that it is powered and reachable, then try again", "o medidor {0} não terminou em {1} s; verifique se está ligado e acessível e tente novamente";
    LinkOpConnect => "connecting", "a conexão";
    LinkOpReadOne => "reading register {0} ({1})", "a leitura do registrador {0} ({1})";
    LinkOpReadNone => "reading 0 registers at {0}", "a leitura de 0 registradores em {0}";
    LinkOpReadMany => "reading registers {0}–{1}", "a leitura dos registradores {0}–{1}";
    LinkOpWriteOne => "writing register {0} ({1})", "a gravação do registrador {0} ({1})";
    LinkOpWriteNone => "writing 0 registers at {0}", "a gravação de 0 registradores em {0}";
    LinkOpWriteMany => "writing registers {0}–{1}", "a gravação dos registradores {0}–{1}";
    LinkOpRaw => "sending function {0}", "o envio da função {0}";
    LinkFailTimeout => "meter {0}: no answer while {1} within {2} ms; the connection was dropped. Check that the meter is powered and reachable", "medidor {0}: sem resposta durante {1} em {2} ms; a conexão foi encerrada. Verifique se o medidor está ligado e acessível";
    LinkFailRefused => "meter {0}: connection refused; check the address and port (Modbus TCP uses 502) and that Modbus is enabled in the meter's configuration", "medidor {0}: conexão recusada; verifique o endereço e a porta (o Modbus TCP usa a 502) e se o Modbus está habilitado na configuração do medidor";
    LinkFailUnreachable => "meter {0}: cannot connect: {1}; check the host name or IP address, the network path and that the meter is powered", "medidor {0}: não foi possível conectar: {1}; verifique o nome do host ou o endereço IP, o caminho de rede e se o medidor está ligado";
    LinkFailConnectionLost => "meter {0}: connection lost while {1}: {2}; it will be reopened on the next request", "medidor {0}: conexão perdida durante {1}: {2}; ela será reaberta no próximo pedido";
    LinkFailException => "meter {0}: {1} refused with exception {2}: {3}", "medidor {0}: recusou {1} com a exceção {2}: {3}";
    LinkFailInvalidReply => "meter {0}: invalid reply while {1}: {2}; the connection was dropped. If this repeats, check that nothing but a JE08 answers on this port", "medidor {0}: resposta inválida durante {1}: {2}; a conexão foi encerrada. Se isso se repetir, verifique se só um JE08 responde nesta porta";
    LinkFailUnsure => "; the write may or may not have taken effect: read the meter to check before writing again", "; a gravação pode ou não ter sido aplicada: leia o medidor para conferir antes de gravar de novo";
    LinkFailBadAddress => "'{0}' is not a meter address ({1}); use HOST or HOST:PORT", "'{0}' não é um endereço de medidor ({1}); use HOST ou HOST:PORTA";
    LinkFailNotReset => "meter {0}: the counters did not go down after the reset; read the meter and try again", "medidor {0}: os contadores não baixaram depois da zeragem; leia o medidor e tente novamente";
    LinkFailNotConnected => "the meter is offline; nothing was written", "o medidor está desconectado; nada foi gravado";
    LinkFailNoSession => "the meter has no open session; reconnect it and try again", "o medidor não tem sessão aberta; reconecte-o e tente novamente";
    LinkExcIllegalFunction => "illegal function", "função ilegal";
    LinkExcIllegalAddress => "illegal data address", "endereço de dados ilegal";
    LinkExcIllegalValue => "illegal data value", "valor de dados ilegal";
    LinkExcDeviceFailure => "server device failure", "falha do dispositivo servidor";
    LinkExcAcknowledge => "acknowledge", "confirmação de recebimento";
    LinkExcBusy => "server device busy", "dispositivo servidor ocupado";
    LinkExcParity => "memory parity error", "erro de paridade de memória";
    LinkExcGatewayPath => "gateway path unavailable", "caminho do gateway indisponível";
    LinkExcGatewayTarget => "gateway target device failed to respond", "o dispositivo de destino do gateway não respondeu";
    LinkExcUnknown => "unknown exception", "exceção desconhecida";
    LinkHintFunction => "the meter does not support this function", "o medidor não aceita esta função";
    LinkHintAddress => "the register does not exist or cannot be written (the map is 0–109); nothing was changed", "o registrador não existe ou não pode ser gravado (o mapa vai de 0 a 109); nada foi alterado";
    LinkHintValue => "the meter refused the value or quantity as out of range; nothing was changed", "o medidor recusou o valor ou a quantidade por estar fora da faixa; nada foi alterado";
    LinkHintFailure => "the meter reported an internal failure; power-cycle it and check its firmware", "o medidor informou uma falha interna; desligue-o, ligue-o de novo e verifique o firmware";
    LinkHintBusy => "the meter is busy; try again in a moment", "o medidor está ocupado; tente novamente em instantes";
    LinkHintUnexpected => "unexpected answer for a JE08 meter; check that the port belongs to a JE08", "resposta inesperada para um medidor JE08; verifique se a porta pertence a um JE08";
    LinkStageReadBefore => "nothing was written", "nada foi gravado";
    LinkStageRestoreDefaults => "while restoring the default gains; read the meter to see whether they were restored", "ao restaurar os ganhos padrão; leia o medidor para ver se foram restaurados";
    LinkStageWrite => "while writing the settings; read the meter to see what it holds now", "ao gravar as configurações; leia o medidor para ver o que ele contém agora";
    LinkStageSave => "the new settings are in effect but were NOT saved: they will be lost at the next reboot unless saved", "as novas configurações estão em vigor mas NÃO foram salvas: serão perdidas na próxima reinicialização se não forem salvas";
    LinkStageReadBack => "the settings were written but could not be read back to verify them", "as configurações foram gravadas mas não puderam ser lidas de volta para conferi-las";
    LinkStageResetEnergy => "while resetting the energy counters; read the meter to see whether they were reset", "ao zerar os contadores de energia; leia o medidor para ver se foram zerados";
    LinkAddrMissingBracket => "missing ']'", "falta o ']'";
    LinkAddrJunkAfterBracket => "junk after ']'", "há texto sobrando depois do ']'";
    LinkAddrBlankHost => "empty or blank host", "host vazio ou com espaços";
    LinkAddrBadPort => "the port must be 1–65535", "a porta deve estar entre 1 e 65535";
    LinkInvalidOutOfRange => "{0} (register {1}): {2} is out of range; allowed {3}–{4}", "{0} (registrador {1}): {2} está fora da faixa; permitido {3}–{4}";
    LinkInvalidNotWritable => "{0} (register {1}) cannot be written", "{0} (registrador {1}) não pode ser gravado";
    LinkInvalidNoSuchRegister => "register {0} does not exist (the map ends at {1})", "o registrador {0} não existe (o mapa termina em {1})";
    CommActCheckWiring => "The wiring check", "A verificação da ligação";
    CommActFixWiring => "The wiring fix", "A correção da ligação";
    CommActSampleCalibration => "Sampling for the calibration", "A amostragem para a calibração";
    CommActCalibrate => "The calibration", "A calibração";
    CommActSaveCertificate => "Saving the certificate", "O salvamento do certificado";
    CommActRecord => "The recording", "A gravação do registro";
    CommActPreviewProfile => "The profile preview", "A pré-visualização do perfil";
    CommActApplyProfile => "Applying the profile", "A aplicação do perfil";
    CommActSaveProfile => "Saving the profile", "O salvamento do perfil";
    CommActReport => "The report", "O relatório";
    CommFailOther => "{0} failed: {1}", "{0} falhou: {1}";
    CommFailSettingsChanged => "meter {0}: the settings changed while sampling (another client is writing to the meter); try again", "medidor {0}: as configurações mudaram durante a amostragem (outro cliente está gravando no medidor); tente novamente";
    CommFailCancelled => "cancelled", "cancelado";
    CommFailCancelledRebooted => "cancelled; the meter rebooted twice and is back in {0} mode (its energy counters restarted from zero)", "cancelado; o medidor reiniciou duas vezes e voltou ao modo {0} (seus contadores de energia recomeçaram do zero)";
    CommFailCancelledNotRebooted => "cancelled; the meter was not rebooted and is still in {0} mode", "cancelado; o medidor não foi reiniciado e continua no modo {0}";
    CommFailNotReturned => "meter {0} could not be returned to {1} mode: {2}; switch it back with `je08 mode {0} {3}`", "não foi possível devolver o medidor {0} ao modo {1}: {2}; volte-o com `je08 mode {0} {3}`";
    CommFailWrongMode => "meter {0} is in {1} mode; switch it to application mode first (`je08 mode {0} application`)", "o medidor {0} está no modo {1}; passe-o primeiro para o modo aplicação (`je08 mode {0} application`)";
    CommFailInvalidProfile => "profile {0} is not a valid je08 profile: {1}", "o perfil {0} não é um perfil je08 válido: {1}";
    CommFailWrite => "cannot write {0}: {1}", "não foi possível gravar {0}: {1}";
    CommFailRead => "cannot read {0}: {1}", "não foi possível ler {0}: {1}";
    CommAfterNothingWritten => "{0}; nothing was written", "{0}; nada foi gravado";
    CommAfterFixWritten => "the fix was written but the re-check failed: {0}", "a correção foi gravada, mas a nova verificação falhou: {0}";
    CommAfterGainWritten => "the new gain was written and saved but measuring again failed: {0}", "o novo ganho foi gravado e salvo, mas a nova medição falhou: {0}";
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
    MqttSetup => "The broker connection cannot be set up: {0}", "Não é possível configurar a conexão com o broker: {0}";
    MqttRefused => "connection refused by {0}: is the broker running and is the port right?", "conexão recusada por {0}: o broker está rodando e a porta está certa?";
    MqttTimeout => "no answer from {0} within the deadline: check the address and the network", "sem resposta de {0} dentro do prazo: verifique o endereço e a rede";
    MqttNetwork => "cannot reach {0}: {1}", "não é possível alcançar {0}: {1}";
    MqttUnknownCa => "TLS: the certificate of {0} is not signed by the given CA (wrong CA file?)", "TLS: o certificado de {0} não é assinado pela CA informada (arquivo da CA errado?)";
    MqttCertExpired => "TLS: the certificate of {0} has expired or is not valid yet", "TLS: o certificado de {0} expirou ou ainda não é válido";
    MqttWrongName => "TLS: the certificate of {0} is not valid for that host name", "TLS: o certificado de {0} não vale para esse nome de host";
    MqttClientCertRejected => "TLS: {0} rejected the client certificate ({1}); check the client certificate and key", "TLS: {0} rejeitou o certificado do cliente ({1}); verifique o certificado e a chave do cliente";
    MqttTls => "TLS with {0} failed: {1}", "TLS com {0} falhou: {1}";
    MqttBadCredentials => "{0} rejected the user name or password", "{0} rejeitou o usuário ou a senha";
    MqttNotAuthorized => "{0} says this client is not authorized (check the user and the broker's ACL)", "{0} diz que este cliente não está autorizado (verifique o usuário e a ACL do broker)";
    MqttConnAckRefused => "{0} refused the connection ({1})", "{0} recusou a conexão ({1})";
    MqttLost => "connection to {0} lost: {1}", "conexão com {0} perdida: {1}";
    NoMqttMeters => "Connected, no meter has published yet.", "Conectado, nenhum medidor publicou ainda.";
    Freshness => "Freshness", "Atualidade";
    Fresh => "fresh", "atual";
    Stale => "stale", "atrasado";
    Commands => "Commands", "Comandos";
    MqttGetInfo => "Get INFO", "Pedir INFO";
    MqttGetData => "Get DATA", "Pedir DATA";
    DocPageOf => "page {0} of {1}", "página {0} de {1}";
    RepTitle => "JE08 commissioning report", "Relatório de comissionamento JE08";
    RepGenerated => "{0} meter(s), generated {1}", "{0} medidor(es), gerado em {1}";
    RepMeter => "Meter {0}", "Medidor {0}";
    RepNotReached => "NOT REACHED: {0}", "NÃO ALCANÇADO: {0}";
    RepDeviceId => "Device id", "Id do dispositivo";
    RepName => "Name", "Nome";
    DocEspFirmware => "ESP8266 firmware", "Firmware do ESP8266";
    DocStmFirmware => "STM32 firmware", "Firmware do STM32";
    RepUptime => "Uptime", "Tempo ligado";
    RepSettingsHeading => "Settings as found / as left ({0})", "Configurações como encontradas / como deixadas ({0})";
    RepChanged => "changed", "alterado";
    RepUnchanged => "unchanged", "inalterado";
    RepRegister => "register", "registrador";
    RepAddress => "address", "endereço";
    RepAsFound => "as found", "como encontrado";
    RepAsLeft => "as left", "como deixado";
    RepHttpNotRead => "HTTP blocks not read (they need configuration mode: `je08 report --http-blocks`).", "Blocos HTTP não lidos (exigem o modo de configuração: `je08 report --http-blocks`).";
    RepHttpHeading => "HTTP blocks as found = as left (the report writes none; passwords are never shown)", "Blocos HTTP como encontrados = como deixados (o relatório não grava nenhum; senhas nunca são mostradas)";
    RepField => "field", "campo";
    RepValue => "value", "valor";
    RepVerdict => "{0} ({1} samples): {2}", "{0} ({1} amostras): {2}";
    RepHealthy => "healthy", "saudável";
    RepNotHealthy => "NOT healthy", "NÃO saudável";
    RepNoFinding => "No finding.", "Nenhuma constatação.";
    RepReadings => "Readings", "Leituras";
    RepVoltageV => "voltage (V)", "tensão (V)";
    RepCurrentA => "current (A)", "corrente (A)";
    RepActiveKw => "active power (kW)", "potência ativa (kW)";
    RepReactiveKvar => "reactive power (kVAr)", "potência reativa (kVAr)";
    RepPowerFactor => "power factor", "fator de potência";
    RepTotals => "Total {0} kW, {1} kVAr, PF {2}, {3} Hz, energy {4} kWh", "Total {0} kW, {1} kVAr, FP {2}, {3} Hz, energia {4} kWh";
    RepMeterHeading => "Meter {0} (device id {1})", "Medidor {0} (id do dispositivo {1})";
    RepWiringCheck => "Wiring check", "Verificação de ligação";
    RepFixField => "{0} {1} -> {2} (read back {3})", "{0} {1} -> {2} (lido de volta {3})";
    RepFixSaved => "Wiring fix applied and saved: {0}", "Correção de ligação aplicada e salva: {0}";
    RepFixNotVerified => "Wiring fix applied but NOT verified: {0}", "Correção de ligação aplicada mas NÃO verificada: {0}";
    RepWiringAfterFix => "Wiring check after the fix", "Verificação de ligação após a correção";
    RepMqttCheck => "MQTT check", "Verificação MQTT";
    RepMqttSeen => "MQTT: seen: INFO and DATA on {0} via {1} within {2} s", "MQTT: recebidos: INFO e DATA em {0} via {1} em {2} s";
    RepMqttNotSeen => "MQTT: NOT seen on {0} via {1}: {2}", "MQTT: NÃO recebidos em {0} via {1}: {2}";
    RepNoPacket => "no packet", "nenhum pacote";
    RepMqttNotChecked => "MQTT: not checked (no broker given and none configured on the meter).", "MQTT: não verificado (nenhum broker informado e nenhum configurado no medidor).";
    RepNote => "Note: {0}", "Observação: {0}";
    CertTitle => "JE08 calibration certificate — meter {0}", "Certificado de calibração JE08 — medidor {0}";
    CertMeterId => "Meter id", "Id do medidor";
    CertAddress => "Address", "Endereço";
    CertDateTime => "Date and time (UTC)", "Data e hora (UTC)";
    CertReferenceInstrument => "Reference instrument", "Instrumento de referência";
    CertNotGiven => "(not given)", "(não informado)";
    CertCalibrated => "Calibrated", "Calibrado";
    CertWhat => "phase {0} {1}", "{1} da fase {0}";
    CertVoltage => "voltage", "tensão";
    CertCurrent => "current", "corrente";
    CertReferenceValue => "Reference value", "Valor de referência";
    CertBeforeAfter => "Before and after", "Antes e depois";
    CertGain => "gain ({0})", "ganho ({0})";
    CertReading => "reading ({0})", "leitura ({0})";
    CertSpread => "spread", "dispersão";
    CertSamples => "samples", "amostras";
    CertError => "error", "erro";
    CertBefore => "before", "antes";
    CertAfter => "after", "depois";
    CertWrittenOk => "The new gain was written, saved in the meter (SAVE_PARAMS) and read back.", "O novo ganho foi gravado, salvo no medidor (SAVE_PARAMS) e lido de volta.";
    CertNotWritten => "WARNING: the new gain did not read back as written or was not saved.", "ATENÇÃO: o novo ganho não foi lido de volta como gravado ou não foi salvo.";
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
