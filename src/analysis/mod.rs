//! Pure measurement analysis: phasor geometry and other maths the UI and
//! reports share. No I/O here.

pub mod phasor;
