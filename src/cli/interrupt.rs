//! Ctrl-C for commands that may reboot or write a meter: the first press
//! cancels the work at its next safe point (a meter that left its mode is
//! returned to it, a started write finishes), a second press exits at once.

use tokio_util::sync::CancellationToken;

/// A token that the first Ctrl-C cancels. Must be called inside the tokio
/// runtime; from then on Ctrl-C no longer kills the process outright.
pub fn cancel_on_ctrl_c(what: &'static str) -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        errln!("interrupted: stopping {what} at the next safe point; press Ctrl-C again to quit at once");
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            errln!("quit: the meter may be left in another mode; check it with `je08 info` and `je08 mode`");
            std::process::exit(i32::from(super::exit::Outcome::Interrupted.code()));
        }
    });
    token
}
