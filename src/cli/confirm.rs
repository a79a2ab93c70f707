//! Asking the user before a command changes a meter.

use std::fmt::Display;
use std::io::{BufRead as _, IsTerminal as _, Write as _};

use super::exit::refused;

/// True when the user agrees (or `yes` was given). Refuses with an error
/// (exit status 5) when a question would be needed but stdin is not a terminal.
pub fn ask(question: &str, yes: bool, refusal: &str) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(refused(anyhow::anyhow!(
            "{refusal}: stdin is not a terminal; add --yes to confirm"
        )));
    }
    errprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// Asks before changing `meter`: true when the user agrees (or `yes` was
/// given); without a terminal, refuses naming the meter.
pub fn ask_to_change(meter: impl Display, question: &str, yes: bool) -> anyhow::Result<bool> {
    ask(question, yes, &format!("refusing to change meter {meter}"))
}
