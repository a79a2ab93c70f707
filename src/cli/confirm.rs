//! Asking the user before a command changes a meter.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::bail;

/// True when the user agrees (or `yes` was given). Refuses with an error
/// when a question would be needed but stdin is not a terminal.
pub fn ask(question: &str, yes: bool, refusal: &str) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!("{refusal}: stdin is not a terminal; add --yes to confirm");
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
