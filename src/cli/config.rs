//! `je08 config get|set`: the connectivity, protocols and CT blocks of the
//! meter's configuration API (configuration mode). Passwords are
//! write-only: `get` shows `null`, and `null` in a file keeps the stored one.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use crate::commissioning::journal;
use je08_client::journal::Origin;
use je08_protocol::http_api::{Connectivity, Ct, Protocols};

use super::web::WebTarget;

/// A settings block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Block {
    /// Wi-Fi, addresses, device name, interface password.
    Connectivity,
    /// Modbus, MQTT (with TLS options) and the DS18B20 sensor.
    Protocols,
    /// CT ratio and per-phase inversion.
    Ct,
}

/// `je08 config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show one block, or all three.
    #[command(
        after_help = "Examples:\n  je08 config get 10.0.0.21\n  je08 config get 10.0.0.21 protocols --json"
    )]
    Get {
        /// The meter.
        #[command(flatten)]
        target: WebTarget,
        /// Which block (all when absent).
        block: Option<Block>,
        /// One line of JSON instead of indented JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a JSON file and store it as the block (applies at the next reboot).
    #[command(
        after_help = "Examples:\n  je08 config set 10.0.0.21 protocols protocols.json\n  je08 config set 10.0.0.21 ct ct.json"
    )]
    Set {
        /// The meter.
        #[command(flatten)]
        target: WebTarget,
        /// Which block.
        block: Block,
        /// JSON file with the whole block.
        file: PathBuf,
    },
}

fn print(value: &serde_json::Value, compact: bool) -> anyhow::Result<()> {
    if compact {
        outln!("{}", serde_json::to_string(value)?)?;
    } else {
        outln!("{}", serde_json::to_string_pretty(value)?)?;
    }
    Ok(())
}

/// Run `je08 config`.
pub async fn run(command: ConfigCommand) -> anyhow::Result<ExitCode> {
    match command {
        ConfigCommand::Get { target, block, json } => {
            let client = target.client()?;
            let value = match block {
                Some(Block::Connectivity) => serde_json::to_value(client.connectivity().await?)?,
                Some(Block::Protocols) => serde_json::to_value(client.protocols().await?)?,
                Some(Block::Ct) => serde_json::to_value(client.ct().await?)?,
                None => serde_json::json!({
                    "connectivity": client.connectivity().await?,
                    "protocols": client.protocols().await?,
                    "ct": client.ct().await?,
                }),
            };
            print(&value, json)?;
        }
        ConfigCommand::Set { target, block, file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let bad = |e: serde_json::Error| {
                anyhow::anyhow!("{} is not a valid {block:?} block: {e}", file.display())
            };
            let client = target.client()?;
            let asked: serde_json::Value = serde_json::from_str(&text).map_err(bad)?;
            let read = async |block: Block| match block {
                Block::Connectivity => client.connectivity().await.map(|b| serde_json::to_value(b).ok()),
                Block::Protocols => client.protocols().await.map(|b| serde_json::to_value(b).ok()),
                Block::Ct => client.ct().await.map(|b| serde_json::to_value(b).ok()),
            };
            let before = read(block).await?;
            let device_id = client.info().await.ok().map(|i| i.id);
            let written = match block {
                Block::Connectivity => {
                    let b: Connectivity = serde_json::from_value(asked.clone()).map_err(bad)?;
                    client.set_connectivity(&b).await
                }
                Block::Protocols => {
                    let b: Protocols = serde_json::from_value(asked.clone()).map_err(bad)?;
                    client.set_protocols(&b).await
                }
                Block::Ct => {
                    let b: Ct = serde_json::from_value(asked.clone()).map_err(bad)?;
                    client.set_ct(&b).await
                }
            };
            let after = if written.is_ok() {
                read(block).await.ok().flatten()
            } else {
                None
            };
            let name = format!("{block:?}").to_lowercase();
            let write = journal::BlockWrite {
                block: &name,
                before: before.as_ref(),
                asked: &asked,
                after: after.as_ref(),
            };
            journal::config_block(
                Origin::Cli,
                &target.meter.to_string(),
                device_id,
                &write,
                written.as_ref().map(|_| ()),
            );
            written?;
            outln!(
                "meter {}: {block:?} saved; it takes effect at the next reboot (`je08 mode {} application`)",
                target.meter,
                target.meter
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
