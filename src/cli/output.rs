//! What the commands print. `outln!`/`out!` write standard output and hand
//! back a failure instead of panicking as `println!` does: when the reader
//! went away (`je08 read | head -3` on Unix; a closed pipe on Windows, which
//! has no SIGPIPE) the failure is [`OutputError::Closed`], the command stops
//! at that line like at any failure (so a meter taken out of its mode is
//! still taken back) and [`quiet_exit`] ends the process without a word.
//! `errln!` writes standard error and ignores a closed one: a diagnostic
//! nobody reads is not worth stopping the work for.

use std::fmt;
use std::io::{self, Write as _};
use std::process::ExitCode;

use crate::i18n::{Describe, Msg, Tr};

/// Exit status of a command whose standard output was closed: 141, what a
/// shell reports for a Unix tool ended by SIGPIPE (128 + 13), on every OS.
pub const CLOSED_STATUS: u8 = 141;

/// Standard output could not take a command's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputError {
    /// Its reader went away (a closed pipe): the command ends quietly.
    Closed,
    /// Another write failure, with the system's words.
    Failed {
        /// The OS error, untranslated.
        detail: String,
    },
}

impl Describe for OutputError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::Closed => tr.t(Msg::StdoutClosed).to_owned(),
            Self::Failed { detail } => tr.f(Msg::StdoutFailed, &[detail]),
        }
    }
}

je08_protocol::english_display!(errors: OutputError);

impl From<io::Error> for OutputError {
    fn from(err: io::Error) -> Self {
        if err.kind() == io::ErrorKind::BrokenPipe {
            Self::Closed
        } else {
            Self::Failed {
                detail: err.to_string(),
            }
        }
    }
}

/// Write `args` to standard output and flush it.
pub fn write(args: fmt::Arguments<'_>) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.flush()?;
    Ok(())
}

/// Write `args` to standard error; a closed or failing stderr is ignored.
pub fn note(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// The exit status of a failure that only means standard output was
/// closed (anywhere in its chain of causes), if it is one.
pub fn quiet_exit(err: &anyhow::Error) -> Option<ExitCode> {
    err.chain()
        .any(|cause| cause.downcast_ref::<OutputError>() == Some(&OutputError::Closed))
        .then_some(ExitCode::from(CLOSED_STATUS))
}

/// Like `print!`, to standard output; evaluates to `Result<(), OutputError>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!($($arg)*))
    };
}

/// Like `println!`, to standard output; evaluates to `Result<(), OutputError>`.
macro_rules! outln {
    () => {
        $crate::cli::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Like `eprint!`, but a closed standard error is not a panic.
macro_rules! errprint {
    ($($arg:tt)*) => {
        $crate::cli::output::note(format_args!($($arg)*))
    };
}

/// Like `eprintln!`, but a closed standard error is not a panic.
macro_rules! errln {
    () => {
        $crate::cli::output::note(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::note(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_broken_pipe_is_quiet() {
        let closed = OutputError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(closed, OutputError::Closed);
        let wrapped = anyhow::Error::from(closed).context("cannot print the table");
        assert_eq!(quiet_exit(&wrapped), Some(ExitCode::from(CLOSED_STATUS)));
        let full = OutputError::from(io::Error::other("disk full"));
        assert!(matches!(full, OutputError::Failed { .. }));
        assert_eq!(quiet_exit(&anyhow::Error::from(full)), None);
        let socket = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(quiet_exit(&socket), None, "a meter's closed socket is not stdout");
    }
}
