//! `je08 read`: the whole register map of one meter, as a table or JSON.

use std::fmt::Write as _;
use std::process::ExitCode;

use je08_protocol::codec::decode;
use je08_protocol::raw_table::{RawRow, raw_rows};
use je08_protocol::readings::{PerPhaseTotal, Snapshot};

use super::meter::Target;

/// Options of `je08 read`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which meter.
    #[command(flatten)]
    pub target: Target,
    /// Print the snapshot as JSON (units in the key names) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Every register as read: address, name, access, raw word and decoded
    /// value (with --json: one object per register).
    #[arg(long)]
    pub raw: bool,
}

/// Read the whole map in one request and print it.
pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut client = args.target.client();
    let block = client.read_map().await?;
    client.disconnect().await;
    if args.raw {
        let rows = raw_rows(&block);
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&rows)?)?;
        } else {
            out!("{}", raw_table(&rows))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let snapshot = decode(&block);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&snapshot)?)?;
    } else {
        out!("{}", table(&args.target.meter.to_string(), &snapshot))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The registers as a fixed-width table, one line each.
fn raw_table(rows: &[RawRow]) -> String {
    let mut out = format!(
        "{:>4}  {:<24}{:<4}{:>7}  {}\n",
        "addr", "name", "acc", "raw", "value"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:>4}  {:<24}{:<4}{:>7}  {}",
            r.addr,
            r.name,
            r.access_text(),
            r.raw,
            r.decoded
        );
    }
    out
}

fn uptime(seconds: u32) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{d} d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn row(out: &mut String, label: &str, v: PerPhaseTotal, decimals: usize, total: bool) {
    let cell = |x: f64| format!("{x:>10.decimals$}");
    let _ = write!(out, "  {label:<22}{}{}{}", cell(v.a), cell(v.b), cell(v.c));
    if total {
        let _ = write!(out, "{}", cell(v.total));
    }
    out.push('\n');
}

/// The human-readable rendering of a snapshot read from `meter`.
pub fn table(meter: &str, s: &Snapshot) -> String {
    let d = &s.device;
    let m = &s.measurements;
    let mut out = String::new();
    let _ = writeln!(out, "JE08 meter {meter}  (device id {})", d.id);
    let causes: Vec<String> = d
        .reset_reason
        .causes()
        .iter()
        .map(|c| c.describe().to_string())
        .chain(
            d.reset_reason
                .unknown_bits()
                .iter()
                .map(|b| format!("unknown bit {b}")),
        )
        .collect();
    let reset = if causes.is_empty() {
        "none reported".to_string()
    } else {
        causes.join(", ")
    };
    let _ = writeln!(
        out,
        "  Firmware              ESP8266 {}, STM32 {}",
        d.esp_version, d.stm32_version
    );
    let _ = writeln!(
        out,
        "  Uptime                {} ({} s)",
        uptime(d.uptime_s),
        d.uptime_s
    );
    let _ = writeln!(
        out,
        "  Wi-Fi                 {}, RSSI {} dBm",
        d.wifi_mode, d.rssi_dbm
    );
    let _ = writeln!(out, "  Last reset            {reset}");
    let _ = writeln!(out, "  ESP-STM32 errors      {}", d.stm32_fails);
    let temp = match m.temperature_c {
        Some(t) => format!("{t:.1} °C"),
        None => "no reading (sensor absent, disabled or failing)".to_string(),
    };
    let _ = writeln!(
        out,
        "  Temperature           {temp}; {} read errors",
        m.temperature_errors
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "  {:<22}{:>10}{:>10}{:>10}{:>10}",
        "", "A", "B", "C", "total"
    );
    let phases = |v: je08_protocol::readings::PerPhase| PerPhaseTotal {
        a: v.a,
        b: v.b,
        c: v.c,
        total: 0.0,
    };
    row(&mut out, "Voltage (V)", phases(m.voltage_v), 0, false);
    row(&mut out, "Current (A)", phases(m.current_a), 1, false);
    row(&mut out, "Active power (kW)", m.active_power_kw, 1, true);
    row(&mut out, "Reactive power (kVAr)", m.reactive_power_kvar, 1, true);
    row(&mut out, "Apparent power (kVA)", m.apparent_power_kva, 1, true);
    row(&mut out, "Power factor", m.power_factor, 3, true);
    row(&mut out, "Energy (kWh)", m.energy_kwh, 1, true);
    row(&mut out, "Energy (kVArh)", m.energy_kvarh, 1, true);
    let lv = m.line_voltage_v;
    let _ = writeln!(
        out,
        "  {:<22}AB {:.0}, BC {:.0}, CA {:.0}; mean {:.0}",
        "Line voltage (V)", lv.ab, lv.bc, lv.ca, lv.mean
    );
    let _ = writeln!(out, "  {:<22}{:.2}", "Frequency (Hz)", m.frequency_hz);
    out.push('\n');
    let st = &s.settings;
    let _ = writeln!(out, "Settings");
    let _ = writeln!(
        out,
        "  CT ratio              {} ({} A : 5 A)",
        st.ct_ratio,
        st.ct_primary_a()
    );
    let _ = writeln!(
        out,
        "  Inverted CT           A {}, B {}, C {}",
        on_off(st.invert.a),
        on_off(st.invert.b),
        on_off(st.invert.c)
    );
    let g = st.gains;
    let _ = writeln!(
        out,
        "  Voltage gains         A {}, B {}, C {}  (1000 = ×1.000)",
        g.voltage.a, g.voltage.b, g.voltage.c
    );
    let _ = writeln!(
        out,
        "  Current gains         A {}, B {}, C {}",
        g.current.a, g.current.b, g.current.c
    );
    let _ = writeln!(out, "  Frequency gain        {}", g.frequency);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use je08_protocol::codec::{RegisterBlock, TEMP_NO_READING};
    use je08_protocol::registers::addr;

    #[test]
    fn table_shows_units_phases_and_words() {
        let mut b = RegisterBlock::default();
        b.set(addr::VA_RMS, 220);
        b.set(addr::IA_RMS, 314);
        b.set(addr::POTENCIA_ATIVA_A + 3, (-852i16) as u16);
        b.set(addr::TEMP_DS18B20, TEMP_NO_READING as u16);
        b.set(addr::RESET_REASON, 1 << 3);
        b.set(addr::ESP_VERSION, 300);
        b.set(addr::RELACAO_TC, 100);
        b.set(addr::UPTIME_LOW, 3725);
        let text = table("127.0.0.1:502", &decode(&b));
        for needle in [
            "127.0.0.1:502",
            "Voltage (V)",
            "31.4",
            "-85.2",
            "no reading",
            "power-on or brown-out",
            "ESP8266 3.00",
            "500 A : 5 A",
            "01:02:05",
        ] {
            assert!(text.contains(needle), "missing {needle}:\n{text}");
        }
    }
}
