//! The egui views of the configurator, one file per panel or page, and the
//! shell ([`app`]) that drains backend events, draws a frame and applies
//! what it asked for. Drawing functions take `&mut egui::Ui` and end in
//! `_ui`; they read the window's state (`crate::state`), never touch a
//! socket and never block: they push [`Action`](crate::state::intent::Action)s
//! that are applied after the frame.

pub mod app;
pub mod batch;
pub mod batch_forms;
pub mod calibration_ui;
pub mod config_forms;
pub mod configuration;
pub mod diagnostics;
pub mod find_meters;
pub mod firmware;
pub mod help_ui;
pub mod history_ui;
pub mod job_status;
pub mod journal_ui;
pub mod live;
pub mod meter_page;
pub mod meters_list;
pub mod mqtt;
pub mod parameters;
pub mod phasor_ui;
pub mod plots;
pub mod recording_ui;
pub mod registers_ui;
pub mod setup_wizard;
pub mod whereabouts_ui;
pub mod widgets;
pub mod wiring_ui;
