//! `je08 sim`: serve virtual meters.

use std::process::ExitCode;

/// Options of `je08 sim`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the simulator until Ctrl-C.
pub async fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("the simulator is not built yet")
}
