//! je08: the configurator and command line for the JE08 WATT METER — the
//! window (`ui`), its tokio side (`backend`), the commissioning workflows
//! and the `je08` command line, built on the `je08-protocol`, `je08-net`,
//! `je08-client` and `je08-sim` crates.
#![warn(missing_docs)]

pub mod backend;
pub mod cli;
pub mod commissioning;
pub mod i18n;
pub mod state;
pub mod support;
pub mod ui;
