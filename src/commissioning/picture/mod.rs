//! Pictures of what the window plots, for a report: the trend plot and the
//! phasor diagram as PNG. They are drawn here from the same data the window
//! draws (not screenshots of it), so they need no window or GPU, look the
//! same on every platform, are tested headless and can be made by the
//! command line too.

pub mod canvas;
pub mod phasor;
pub mod trend;

use std::path::Path;

use crate::i18n::{Describe, Msg, Tr};
pub use canvas::{Canvas, Rgb};

/// The colours of phases A, B, C and the total, shared with the window.
pub const PHASE_RGB: [Rgb; 4] = [[214, 120, 40], [80, 160, 230], [200, 80, 180], [120, 200, 120]];

/// Why a picture could not be saved; said in words by its [`Describe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureError {
    /// The picture could not be drawn (a size too small for it).
    NotDrawn {
        /// The file.
        path: String,
    },
    /// The file could not be encoded or written.
    Write {
        /// The file.
        path: String,
        /// What the encoder or the operating system said.
        detail: String,
    },
}

impl Describe for PictureError {
    fn describe(&self, tr: Tr) -> String {
        match self {
            Self::NotDrawn { path } => tr.f(Msg::PictureNotDrawn, &[path]),
            Self::Write { path, detail } => tr.f(Msg::PictureWrite, &[path, detail]),
        }
    }
}

je08_protocol::english_display!(errors: PictureError);

/// Save `canvas` as a PNG at `path`, atomically.
pub fn save_png(path: &Path, canvas: &Canvas) -> Result<(), PictureError> {
    let failed = |detail: String| PictureError::Write {
        path: path.display().to_string(),
        detail,
    };
    let bytes = canvas.png().map_err(failed)?;
    je08_client::store::atomic::write_atomically(path, &bytes).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trend::{Series, Trend};

    /// Width, height and RGBA pixels of a PNG.
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    fn count(pixels: &[u8], rgb: Rgb) -> usize {
        pixels
            .chunks(4)
            .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= 8))
            .count()
    }

    #[test]
    fn a_trend_picture_has_its_size_its_lines_and_its_text() {
        let points = |phase: f64| {
            (0..=60)
                .map(|s| [f64::from(s) - 60.0, 220.0 + phase + (f64::from(s) / 5.0).sin()])
                .collect()
        };
        let trend = Trend {
            title: "Voltage · meter 1".into(),
            x_label: "seconds".into(),
            y_label: "V".into(),
            x_range: [-60.0, 0.0],
            series: (0..3)
                .map(|k| Series {
                    name: format!("Phase {k}"),
                    color: PHASE_RGB[k],
                    points: points(k as f64 * 3.0),
                })
                .collect(),
        };
        let (w, h, pixels) = decode(&trend::render(&trend, 800, 300).unwrap().png().unwrap());
        assert_eq!((w, h), (800, 300));
        for rgb in &PHASE_RGB[..3] {
            assert!(count(&pixels, *rgb) > 100, "{rgb:?} drawn");
        }
        let dark = pixels
            .chunks(4)
            .filter(|p| p[..3].iter().all(|v| *v < 128))
            .count();
        assert!(dark > 200, "text drawn: {dark} dark pixels");
        assert!(trend::render(&trend, 60, 60).is_none(), "too small to draw");
    }

    #[test]
    fn a_phasor_picture_draws_each_phase() {
        let mut m = je08_protocol::readings::Measurements::default();
        m.voltage_v.a = 220.0;
        m.voltage_v.b = 221.0;
        m.voltage_v.c = 219.0;
        m.current_a.a = 10.0;
        m.current_a.b = 11.0;
        m.current_a.c = 9.0;
        let line = je08_protocol::analysis::phasor::expected_line_voltage(220.0, 220.0);
        m.line_voltage_v.ab = line;
        m.line_voltage_v.bc = line;
        m.line_voltage_v.ca = line;
        let canvas = phasor::render(&m, 400, "Phasors", ["Voltage angle", "Current angle"]).unwrap();
        let (w, h, pixels) = decode(&canvas.png().unwrap());
        assert_eq!((w, h), (400, 472));
        for rgb in &PHASE_RGB[..3] {
            assert!(count(&pixels, *rgb) > 50, "{rgb:?} drawn");
        }
    }
}
