//! The reference of `je08 bench modbus`: libmodbus reading the whole map on
//! one connection, from `libmodbus_reads.c` (embedded in the executable),
//! compiled at run time into a temporary directory with the system's C
//! compiler and libmodbus (Debian: `libmodbus-dev`). The C program times
//! itself and reports its own CPU time (getrusage), so its figures are
//! libmodbus's alone.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Deserialize;
use tokio::process::Command;

use super::{LatencySummary, Throughput};
use je08_client::endpoint::Endpoint;

/// The C source of the libmodbus client.
const SOURCE: &str = include_str!("libmodbus_reads.c");

/// Compiler and linker flags when pkg-config does not know libmodbus.
const FALLBACK_FLAGS: [&str; 2] = ["-I/usr/include/modbus", "-lmodbus"];

/// The compiled libmodbus client in its temporary directory (removed on drop).
pub(super) struct Harness {
    dir: PathBuf,
    program: PathBuf,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The JSON line the C program prints.
#[derive(Debug, Deserialize)]
struct Report {
    reads: u64,
    seconds: f64,
    cpu_seconds: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Report {
    fn throughput(&self) -> Throughput {
        let ms = |v: f64| Duration::from_secs_f64(v / 1000.0);
        Throughput {
            reads: self.reads,
            elapsed: Duration::from_secs_f64(self.seconds),
            cpu: Some(Duration::from_secs_f64(self.cpu_seconds)),
            latency: Some(LatencySummary {
                p50: ms(self.p50_ms),
                p90: ms(self.p90_ms),
                p99: ms(self.p99_ms),
                max: ms(self.max_ms),
            }),
        }
    }
}

/// libmodbus's compiler and linker flags, from pkg-config when it knows them.
async fn libmodbus_flags() -> Vec<String> {
    let asked = Command::new("pkg-config")
        .args(["--cflags", "--libs", "libmodbus"])
        .output()
        .await;
    match asked {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        _ => FALLBACK_FLAGS.map(str::to_owned).to_vec(),
    }
}

impl Harness {
    /// Compile the C client with `cc`; the error says why it cannot be
    /// built (no compiler, no libmodbus) in one line.
    pub(super) async fn build(cc: &Path) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("je08-bench-libmodbus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let harness = Self {
            program: dir.join("libmodbus_reads"),
            dir,
        };
        let source = harness.dir.join("libmodbus_reads.c");
        std::fs::write(&source, SOURCE).map_err(|e| format!("cannot write {}: {e}", source.display()))?;
        let out = Command::new(cc)
            .args(["-O2", "-o"])
            .arg(&harness.program)
            .arg(&source)
            .args(libmodbus_flags().await)
            .output()
            .await
            .map_err(|e| {
                format!(
                    "cannot run the C compiler {} ({e}); install one (e.g. gcc)",
                    cc.display()
                )
            })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("no message");
            return Err(format!(
                "cannot build the libmodbus client ({first}); install libmodbus-dev"
            ));
        }
        Ok(harness)
    }

    /// Read the whole map of `meter` back to back for `window`.
    pub(super) async fn run(&self, meter: &Endpoint, window: Duration) -> anyhow::Result<Throughput> {
        let out = Command::new(&self.program)
            .args([
                &meter.host,
                &meter.port.to_string(),
                &window.as_secs_f64().to_string(),
            ])
            .kill_on_drop(true)
            .output()
            .await
            .context("cannot run the libmodbus client")?;
        if !out.status.success() {
            bail!("{}", String::from_utf8_lossy(&out.stderr).trim());
        }
        let line = String::from_utf8_lossy(&out.stdout);
        let report: Report = serde_json::from_str(line.trim())
            .with_context(|| format!("unexpected output of the libmodbus client: {line}"))?;
        Ok(report.throughput())
    }
}
