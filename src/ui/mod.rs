//! The egui views of the configurator, one file per panel or page. Drawing
//! functions take `&mut egui::Ui` and end in `_ui`; they never touch a socket
//! and never block: they push [`app::Action`]s that are applied after the
//! frame.

pub mod app;
pub mod batch;
pub mod batch_forms;
pub mod calibration_ui;
pub mod cert_text;
pub mod comm_failure_text;
pub mod commission;
pub mod config_forms;
pub mod configuration;
pub mod diagnostics;
pub mod discovered;
pub mod field_problem;
pub mod firmware;
pub mod firmware_text;
pub mod job_status;
pub mod led;
pub mod link_text;
pub mod live;
pub mod meter_page;
pub mod meters_list;
pub mod model;
pub mod mqtt;
pub mod mqtt_text;
pub mod parameters;
pub mod phasor_ui;
pub mod plots;
pub mod prefs;
pub mod recording_ui;
pub mod web_failure_text;
pub mod widgets;
pub mod wiring_ui;
