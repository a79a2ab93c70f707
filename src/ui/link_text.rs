//! A meter link's [`LinkError`] in the user's language: why the meter is
//! offline, or why a write, a restore or an energy reset failed. The
//! window's English is the log's (`Display`) without the command line's
//! advice; texts from the OS (`detail`) stay as they are inside the sentence.

use crate::backend::link::{Cause, LinkError};
use crate::i18n::{Describe, Msg, Tr};
use je08_client::modbus::{Exception, Operation};
use je08_client::params::Stage;
use je08_protocol::registers::label;

/// The sentence shown for an offline meter or under a failed job.
pub fn describe(tr: Tr, error: &LinkError) -> String {
    match error {
        LinkError::Modbus { meter, cause, stage } => {
            let mut text = cause_text(tr, meter, cause);
            if let Some(stage) = stage {
                text = format!("{text} ({})", stage_text(tr, *stage));
            }
            text
        }
        LinkError::BadAddress(err) => err.describe(tr),
        LinkError::Invalid(err) => {
            format!("{}; {}", err.describe(tr), stage_text(tr, Stage::ReadBefore))
        }
        LinkError::NotReset { meter } => tr.f(Msg::LinkFailNotReset, &[meter]),
        LinkError::NotConnected => tr.t(Msg::LinkFailNotConnected).to_owned(),
        LinkError::NoSession => tr.t(Msg::LinkFailNoSession).to_owned(),
    }
}

fn cause_text(tr: Tr, meter: &str, cause: &Cause) -> String {
    let mut text = match cause {
        Cause::Timeout { operation, ms } => tr.f(
            Msg::LinkFailTimeout,
            &[meter, &operation_text(tr, *operation), &ms.to_string()],
        ),
        Cause::Refused => tr.f(Msg::LinkFailRefused, &[meter]),
        Cause::Unreachable { detail } => tr.f(Msg::LinkFailUnreachable, &[meter, detail]),
        Cause::ConnectionLost { operation, detail } => tr.f(
            Msg::LinkFailConnectionLost,
            &[meter, &operation_text(tr, *operation), detail],
        ),
        Cause::Exception { operation, exception } => tr.f(
            Msg::LinkFailException,
            &[
                meter,
                &operation_text(tr, *operation),
                &format!("{} ({:02})", tr.t(exception_name(*exception)), exception.0),
                tr.t(exception_hint(*exception)),
            ],
        ),
        Cause::InvalidReply { operation, detail } => tr.f(
            Msg::LinkFailInvalidReply,
            &[meter, &operation_text(tr, *operation), detail],
        ),
    };
    if cause.unsure() {
        text.push_str(tr.t(Msg::LinkFailUnsure));
    }
    text
}

/// What a request was doing, e.g. "reading registers 0–109".
fn operation_text(tr: Tr, operation: Operation) -> String {
    let span = |first: u16, count: u16, [one, none, many]: [Msg; 3]| match count {
        1 => tr.f(one, &[&first.to_string(), &label(first)]),
        0 => tr.f(none, &[&first.to_string()]),
        n => tr.f(
            many,
            &[
                &first.to_string(),
                &(u32::from(first) + u32::from(n) - 1).to_string(),
            ],
        ),
    };
    match operation {
        Operation::Connect => tr.t(Msg::LinkOpConnect).to_owned(),
        Operation::Read { first, count } => span(
            first,
            count,
            [Msg::LinkOpReadOne, Msg::LinkOpReadNone, Msg::LinkOpReadMany],
        ),
        Operation::Write { first, count } => span(
            first,
            count,
            [Msg::LinkOpWriteOne, Msg::LinkOpWriteNone, Msg::LinkOpWriteMany],
        ),
        Operation::Raw { function } => tr.f(Msg::LinkOpRaw, &[&format!("{function:#04x}")]),
    }
}

/// The name the Modbus specification gives an exception code.
fn exception_name(exception: Exception) -> Msg {
    match exception.0 {
        1 => Msg::LinkExcIllegalFunction,
        2 => Msg::LinkExcIllegalAddress,
        3 => Msg::LinkExcIllegalValue,
        4 => Msg::LinkExcDeviceFailure,
        5 => Msg::LinkExcAcknowledge,
        6 => Msg::LinkExcBusy,
        8 => Msg::LinkExcParity,
        10 => Msg::LinkExcGatewayPath,
        11 => Msg::LinkExcGatewayTarget,
        _ => Msg::LinkExcUnknown,
    }
}

/// What an exception means and what to do, as `Exception::hint` says it.
fn exception_hint(exception: Exception) -> Msg {
    match exception.0 {
        1 => Msg::LinkHintFunction,
        2 => Msg::LinkHintAddress,
        3 => Msg::LinkHintValue,
        4 | 8 => Msg::LinkHintFailure,
        5 | 6 => Msg::LinkHintBusy,
        _ => Msg::LinkHintUnexpected,
    }
}

/// How far a settings change had got, and what that means.
fn stage_text(tr: Tr, stage: Stage) -> &'static str {
    tr.t(match stage {
        Stage::ReadBefore => Msg::LinkStageReadBefore,
        Stage::RestoreDefaults => Msg::LinkStageRestoreDefaults,
        Stage::Write => Msg::LinkStageWrite,
        Stage::Save => Msg::LinkStageSave,
        Stage::ReadBack => Msg::LinkStageReadBack,
        Stage::ResetEnergy => Msg::LinkStageResetEnergy,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::i18n::Lang;
    use je08_client::endpoint::AddressFault;
    use je08_client::endpoint::{AddressError, Endpoint};
    use je08_protocol::validate::WriteError;

    const DETAIL: &str = "connection reset by peer (os error 104)";

    fn modbus(cause: Cause, stage: Option<Stage>) -> LinkError {
        LinkError::Modbus {
            meter: "10.0.0.7:502".into(),
            cause,
            stage,
        }
    }

    fn errors() -> Vec<LinkError> {
        let operations = [
            Operation::Connect,
            Operation::Read { first: 0, count: 110 },
            Operation::Read { first: 16, count: 1 },
            Operation::Read { first: 3, count: 0 },
            Operation::Write { first: 9, count: 11 },
            Operation::Write { first: 16, count: 1 },
            Operation::Write { first: 3, count: 0 },
            Operation::Raw { function: 6 },
        ];
        let mut causes = vec![
            Cause::Refused,
            Cause::Unreachable {
                detail: DETAIL.into(),
            },
        ];
        for operation in operations {
            causes.extend([
                Cause::Timeout { operation, ms: 1000 },
                Cause::ConnectionLost {
                    operation,
                    detail: DETAIL.into(),
                },
                Cause::InvalidReply {
                    operation,
                    detail: DETAIL.into(),
                },
            ]);
        }
        for code in [1, 2, 3, 4, 5, 6, 8, 10, 11, 99] {
            causes.push(Cause::Exception {
                operation: Operation::Write { first: 16, count: 1 },
                exception: Exception(code),
            });
        }
        let stages = [
            Stage::ReadBefore,
            Stage::RestoreDefaults,
            Stage::Write,
            Stage::Save,
            Stage::ReadBack,
            Stage::ResetEnergy,
        ];
        let mut all: Vec<LinkError> = causes.iter().map(|c| modbus(c.clone(), None)).collect();
        all.extend(stages.map(|stage| modbus(Cause::Refused, Some(stage))));
        all.extend(
            ["[::1", "[::1]x", "a b", "host:0"]
                .map(|t| LinkError::BadAddress(Endpoint::parse(t, 502).unwrap_err())),
        );
        all.extend([
            LinkError::Invalid(WriteError::OutOfRange {
                name: "GANHO_TENSAO_A",
                addr: 9,
                value: 1600,
                min: 500,
                max: 1500,
            }),
            LinkError::Invalid(WriteError::NotWritable {
                label: "RESERVED5".into(),
                addr: 5,
            }),
            LinkError::Invalid(WriteError::NoSuchRegister { addr: 200 }),
            LinkError::NotReset {
                meter: "10.0.0.7:502".into(),
            },
            LinkError::NotConnected,
            LinkError::NoSession,
        ]);
        all
    }

    /// The log's English minus the advice that only makes sense on the
    /// command line: a `--timeout` flag, Modbus functions the window never
    /// sends.
    pub(crate) fn without_cli_advice(display: &str) -> String {
        display
            .replace(", or allow more time (--timeout)", "")
            .replace("; use function 3, 4, 6 or 16", "")
    }

    #[test]
    fn every_link_error_reads_in_portuguese_and_the_english_is_the_logs() {
        let (en, pt) = (Tr(Lang::En), Tr(Lang::PtBr));
        for error in errors() {
            let english = describe(en, &error);
            assert_eq!(english, without_cli_advice(&error.to_string()));
            assert!(!english.contains("--"), "{english}");
            let portuguese = describe(pt, &error);
            assert!(!portuguese.is_empty());
            assert_ne!(portuguese, english, "{english} is not translated");
            if english.contains(DETAIL) {
                assert!(portuguese.contains(DETAIL), "{portuguese} lost the detail");
            }
            if let LinkError::Modbus { meter, .. } = &error {
                assert!(portuguese.contains(meter.as_str()), "{portuguese}");
            }
        }
    }

    #[test]
    fn a_refused_connection_and_a_doubtful_write_in_portuguese() {
        let pt = Tr(Lang::PtBr);
        assert_eq!(
            describe(pt, &modbus(Cause::Refused, None)),
            "medidor 10.0.0.7:502: conexão recusada; verifique o endereço e a porta (o Modbus TCP usa a 502) e se o Modbus está habilitado na configuração do medidor"
        );
        let timeout = Cause::Timeout {
            operation: Operation::Write { first: 16, count: 1 },
            ms: 1000,
        };
        assert_eq!(
            describe(pt, &modbus(timeout, Some(Stage::Write))),
            "medidor 10.0.0.7:502: sem resposta durante a gravação do registrador 16 (RELACAO_TC) em 1000 ms; a conexão foi encerrada. \
             Verifique se o medidor está ligado e acessível; a gravação pode ou não ter sido aplicada: leia o medidor para conferir \
             antes de gravar de novo (ao gravar as configurações; leia o medidor para ver o que ele contém agora)"
        );
        let typed = AddressError {
            text: "a b".into(),
            fault: AddressFault::BlankHost,
        };
        assert_eq!(
            describe(pt, &LinkError::BadAddress(typed)),
            "'a b' não é um endereço de medidor (host vazio ou com espaços); use HOST ou HOST:PORTA"
        );
    }
}
