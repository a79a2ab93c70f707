//! The window's state, without egui: the meters list and its jobs
//! ([`model`]), what discovery found ([`discovered`]), each page's and
//! tab's state and forms, and the [`intent::Action`]s a frame's drawing
//! collects. Everything here can be read and tested without a window; the
//! views in `ui` draw it and push actions, and the shell applies them after
//! the frame.

pub mod broker_form;
pub mod commission;
pub mod config_forms;
pub mod configuration;
pub mod discovered;
pub mod exports;
pub mod firmware;
pub mod found;
pub mod history;
pub mod intent;
pub mod journal_page;
pub mod led;
pub mod live;
pub mod model;
pub mod mqtt;
pub mod navigation;
pub mod parameters;
pub mod plot_export;
pub mod prefs;
pub mod remembered;
pub mod report_form;
pub mod setup;
pub mod support;
pub mod view;
pub mod whereabouts;
