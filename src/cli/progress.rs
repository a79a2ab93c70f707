//! Progress of long commands on standard error: indicatif bars when
//! stderr is a terminal, plain lines when it is not (a log, a CI job), and
//! nothing at all in `--json` mode. Three shapes cover the commands:
//! [`Transfer`] (bytes, rate and ETA of a firmware push), [`Steps`] (the
//! named steps of one job: a scan, provisioning) and [`Batch`] (one line per
//! meter under a total bar).
//!
//! A command picks its [`Style`] once with [`Style::detect`] and hands it
//! to the shape it needs; every method is cheap and never fails.

use std::io::IsTerminal as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Redrawn bars: stderr is a terminal.
    Bars,
    /// One plain line per event, no escape codes: stderr is not a terminal.
    Lines,
    /// Nothing (`--json`: a script reads stdout and stderr holds only errors).
    Silent,
}

impl Style {
    /// Silent with `--json`, bars on a terminal, plain lines otherwise.
    pub fn detect(json: bool) -> Self {
        if json {
            Self::Silent
        } else if std::io::stderr().is_terminal() {
            Self::Bars
        } else {
            Self::Lines
        }
    }
}

/// How often bars are redrawn at most.
const REFRESH_HZ: u8 = 10;

fn bar(length: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr_with_hz(REFRESH_HZ));
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Work of a known size: bytes of a firmware image, or samples of a
/// measuring window.
#[derive(Debug)]
pub struct Transfer {
    style: Style,
    label: String,
    /// What is counted (`None`: bytes, shown with a rate).
    unit: Option<&'static str>,
    bar: OnceLock<ProgressBar>,
    /// The last quarter printed in [`Style::Lines`] (`u64::MAX`: none yet).
    last_quarter: AtomicU64,
}

impl Transfer {
    /// A transfer called `label` (e.g. "flashing 10.0.0.21"); drawn from the first update.
    pub fn new(style: Style, label: &str) -> Self {
        Self::counting(style, label, None)
    }

    /// A count of `unit` (e.g. "samples") called `label` (e.g. "sampling
    /// 10.0.0.21"), or of bytes when `None`.
    pub fn counting(style: Style, label: &str, unit: Option<&'static str>) -> Self {
        Self {
            style,
            label: label.to_owned(),
            unit,
            bar: OnceLock::new(),
            last_quarter: AtomicU64::new(u64::MAX),
        }
    }

    /// `done` of `total` bytes sent: the bar moves, or a line per quarter.
    pub fn update(&self, done: u64, total: u64) {
        match self.style {
            Style::Silent => {}
            Style::Bars => {
                let bar = self.bar.get_or_init(|| {
                    let template = match self.unit {
                        None => "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
                            .to_owned(),
                        Some(unit) => format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ETA {{eta}}"),
                    };
                    let bar = bar(total, &template);
                    bar.set_message(self.label.clone());
                    bar
                });
                bar.set_length(total);
                bar.set_position(done);
                if done >= total {
                    bar.finish();
                }
            }
            Style::Lines => {
                let quarter = (done * 4).checked_div(total).unwrap_or(4);
                if self.last_quarter.swap(quarter, Ordering::Relaxed) != quarter {
                    let unit = self.unit.unwrap_or("bytes");
                    errln!("{}: {}% ({done}/{total} {unit})", self.label, quarter * 25);
                }
            }
        }
    }
}

/// The named steps of one job, with a spinner on a terminal.
#[derive(Debug)]
pub struct Steps {
    style: Style,
    spinner: Option<ProgressBar>,
}

impl Steps {
    /// Steps of a job; nothing is drawn before the first [`Steps::step`].
    pub fn new(style: Style) -> Self {
        Self { style, spinner: None }
    }

    /// The job now does `what` (e.g. "rebooting into configuration mode").
    pub fn step(&mut self, what: &str) {
        match self.style {
            Style::Silent => {}
            Style::Lines => errln!("{what}"),
            Style::Bars => {
                let spinner = self.spinner.get_or_insert_with(|| {
                    let spinner =
                        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(REFRESH_HZ));
                    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                        spinner.set_style(style);
                    }
                    spinner.enable_steady_tick(Duration::from_millis(120));
                    spinner
                });
                spinner.println(format!("  {}", spinner.message()).trim_end());
                spinner.set_message(what.to_owned());
            }
        }
    }

    /// The job ended: the spinner is cleared, leaving the steps printed.
    pub fn finish(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}

/// A batch over many meters: a line per meter and a total bar. Its
/// methods take `&self`, so meters worked on at once can all report.
#[derive(Debug)]
pub struct Batch {
    style: Style,
    names: Vec<String>,
    lines: Vec<ProgressBar>,
    total: Option<ProgressBar>,
    finished: AtomicU64,
}

impl Batch {
    /// A batch over `meters` (their names, in order).
    pub fn new(style: Style, meters: &[String]) -> Self {
        let (lines, total) = if style == Style::Bars {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(REFRESH_HZ));
            let width = meters.iter().map(String::len).max().unwrap_or(0);
            let lines = meters
                .iter()
                .map(|name| {
                    let line = multi.add(ProgressBar::new_spinner());
                    if let Ok(style) = ProgressStyle::with_template(&format!("{{prefix:{width}}}  {{msg}}")) {
                        line.set_style(style);
                    }
                    line.set_prefix(name.clone());
                    line.set_message("waiting");
                    line
                })
                .collect();
            let total = multi.add(bar(meters.len() as u64, "{bar:30} {pos}/{len} meters {elapsed}"));
            (lines, Some(total))
        } else {
            (Vec::new(), None)
        };
        Self {
            style,
            names: meters.to_vec(),
            lines,
            total,
            finished: AtomicU64::new(0),
        }
    }

    /// Meter `index` now does `what`.
    pub fn step(&self, index: usize, what: &str) {
        match self.style {
            Style::Silent => {}
            Style::Lines => errln!("meter {}: {what}", self.name(index)),
            Style::Bars => {
                if let Some(line) = self.lines.get(index) {
                    line.set_message(what.to_owned());
                }
            }
        }
    }

    /// Meter `index` is finished with `verdict` (e.g. "done", "FAILED: …").
    pub fn done(&self, index: usize, verdict: &str) {
        let finished = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        match self.style {
            Style::Silent => {}
            Style::Lines => errln!(
                "[{finished}/{}] meter {}: {verdict}",
                self.names.len(),
                self.name(index)
            ),
            Style::Bars => {
                if let Some(line) = self.lines.get(index) {
                    line.finish_with_message(verdict.to_owned());
                }
                if let Some(total) = &self.total {
                    total.set_position(finished);
                }
            }
        }
    }

    /// Every meter is done: the total bar stops (the lines stay on screen).
    pub fn finish(&self) {
        if let Some(total) = &self.total {
            total.finish();
        }
    }

    fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("?", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mode_draws_nothing_whatever_the_terminal() {
        assert_eq!(Style::detect(true), Style::Silent);
        let transfer = Transfer::new(Style::Silent, "flashing");
        transfer.update(10, 100);
        assert!(transfer.bar.get().is_none());
        let batch = Batch::new(Style::Silent, &["a".into(), "b".into()]);
        batch.step(0, "writing");
        batch.done(0, "done");
        assert!(batch.lines.is_empty() && batch.total.is_none());
    }

    #[test]
    fn plain_lines_come_once_per_quarter() {
        let transfer = Transfer::new(Style::Lines, "flashing");
        for done in (0..=100).step_by(5) {
            transfer.update(done, 100);
        }
        assert_eq!(transfer.last_quarter.load(Ordering::Relaxed), 4);
    }
}
