//! Pure analysis of readings: statistics over sample windows, phasor
//! geometry, the wiring check and calibration maths. No I/O; shared by the
//! backend, the command line, the UI and reports.

pub mod calibration;
pub mod phasor;
pub mod stats;
pub mod wiring;
