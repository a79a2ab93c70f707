//! Two clients on one simulated meter: a settings change planned from an
//! earlier read never undoes another client's change made since. It is
//! refused with the registers, the values expected and found, and nothing
//! is written — through the client library and through the window's link.

use std::net::SocketAddr;
use std::time::Duration;

use je08::backend::link::{Connector, LinkError};
use je08::backend::modbus_link::ModbusConnector;
use je08_client::modbus::{ClientConfig, ModbusClient};
use je08_client::params::{ApplyOptions, ParamsError, RegisterChange, apply_settings, apply_settings_from};
use je08_protocol::codec::decode_settings;
use je08_protocol::registers::addr;
use je08_protocol::validate::WritePlan;
use je08_sim::{MeterOptions, spawn_meter};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn client(at: SocketAddr) -> ModbusClient {
    ModbusClient::new(
        at.into(),
        ClientConfig {
            timeout: Duration::from_secs(5),
            ..ClientConfig::default()
        },
    )
}

#[tokio::test]
async fn a_write_planned_before_another_clients_change_is_refused_and_writes_nothing() {
    let sim = spawn_meter(MeterOptions::new(2101))
        .await
        .expect("simulator starts");
    let (mut first, mut second) = (client(sim.modbus), client(sim.modbus));
    let basis = decode_settings(&first.read_map().await.unwrap());
    let theirs = basis.gains.voltage.b + 50;
    second.write_register(addr::GANHO_TENSAO_B, theirs).await.unwrap();

    // Client 1 changes phase A's voltage gain and the CT ratio: one span
    // 10–16, which covers the register client 2 changed.
    let mine = basis.gains.voltage.a + 20;
    let plan = WritePlan::new(&[(addr::GANHO_TENSAO_A, i64::from(mine)), (addr::RELACAO_TC, 120)]).unwrap();
    let refused = apply_settings_from(&mut first, &basis, &plan, ApplyOptions::default())
        .await
        .expect_err("the concurrent change is reported");
    let ParamsError::Concurrent(change) = &refused else {
        panic!("not a concurrent change: {refused}");
    };
    assert!(!change.written);
    assert_eq!(
        change.changes,
        [RegisterChange {
            addr: addr::GANHO_TENSAO_B,
            expected: basis.gains.voltage.b,
            found: theirs,
        }]
    );
    let said = refused.to_string();
    for part in [
        &sim.modbus.to_string(),
        "register 12 (GANHO_TENSAO_B)",
        &format!("expected {}, found {theirs}", basis.gains.voltage.b),
        "nothing was written",
        "retry",
    ] {
        assert!(said.contains(part), "{part:?} missing from: {said}");
    }

    let now = decode_settings(&second.read_map().await.unwrap());
    assert_eq!(now.gains.voltage.b, theirs, "client 2's change stays");
    assert_eq!(now.gains.voltage.a, basis.gains.voltage.a, "nothing was written");
    assert_eq!(now.ct_ratio, basis.ct_ratio, "nothing was written");

    // Read again, retry: the change goes through and keeps client 2's value.
    let outcome = apply_settings_from(&mut first, &now, &plan, ApplyOptions::default())
        .await
        .expect("planned from the current settings");
    assert!(outcome.is_ok());
    assert_eq!(outcome.after.gains.voltage.b, theirs);
    assert_eq!(
        (outcome.after.gains.voltage.a, outcome.after.ct_ratio),
        (mine, 120)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_windows_settings_write_does_not_revert_a_commissioning_jobs_gain() {
    let sim = spawn_meter(MeterOptions::new(2102))
        .await
        .expect("simulator starts");
    let mut link = ModbusConnector
        .connect(sim.modbus.to_string())
        .await
        .expect("the window's session connects");
    let form_loaded = link.read().await.unwrap().settings;

    // A calibration job on its own connection writes phase B's current gain.
    let mut job = client(sim.modbus);
    let calibrated = form_loaded.gains.current.b + 30;
    job.write_register(addr::GANHO_CORRENTE_B, calibrated)
        .await
        .unwrap();

    // The user, looking at the form loaded earlier, changes the CT ratio.
    let mut wanted = form_loaded;
    wanted.ct_ratio = 120;
    let refused = link
        .write_settings(form_loaded, wanted)
        .await
        .expect_err("the window reports the concurrent change");
    assert!(
        matches!(&refused, LinkError::Params(ParamsError::Concurrent(c)) if c.changes[0].addr == addr::GANHO_CORRENTE_B),
        "{refused}"
    );
    let now = decode_settings(&job.read_map().await.unwrap());
    assert_eq!(now.gains.current.b, calibrated, "the calibration stays");
    assert_eq!(now.ct_ratio, form_loaded.ct_ratio, "nothing was written");

    // Reloaded from the meter, the same change writes only the CT ratio.
    let reloaded = link.read().await.unwrap().settings;
    let mut wanted = reloaded;
    wanted.ct_ratio = 120;
    let fields = link.write_settings(reloaded, wanted).await.expect("written");
    assert!(
        fields.iter().all(|f| f.confirmed()) && fields.len() == 1,
        "{fields:?}"
    );
    let now = decode_settings(&job.read_map().await.unwrap());
    assert_eq!((now.ct_ratio, now.gains.current.b), (120, calibrated));
    sim.shutdown().await;
}

/// Read one Modbus TCP frame (MBAP header and PDU).
async fn frame(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut header = [0u8; 7];
    stream.read_exact(&mut header).await?;
    let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    let mut frame = header.to_vec();
    frame.resize(7 + len.saturating_sub(1), 0);
    stream.read_exact(&mut frame[7..]).await?;
    Ok(frame)
}

/// A loopback relay to the meter that, once the first write to the
/// settings block has been answered, lets another client change
/// `register` to `value` before passing the answer on.
async fn relay_with_a_change_after_the_write(meter: SocketAddr, register: u16, value: u16) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut down, _) = listener.accept().await.unwrap();
        let mut up = TcpStream::connect(meter).await.unwrap();
        let mut other = client(meter);
        let mut changed = false;
        while let Ok(request) = frame(&mut down).await {
            up.write_all(&request).await.unwrap();
            let reply = frame(&mut up).await.unwrap();
            let function = request[7];
            let first = u16::from_be_bytes([request[8], request[9]]);
            if !changed && matches!(function, 0x06 | 0x10) && (9..=19).contains(&first) {
                other.write_register(register, value).await.unwrap();
                changed = true;
            }
            down.write_all(&reply).await.unwrap();
        }
    });
    at
}

#[tokio::test]
async fn a_change_made_while_writing_is_reported_on_read_back_and_left_alone() {
    let sim = spawn_meter(MeterOptions::new(2103))
        .await
        .expect("simulator starts");
    let before = decode_settings(&client(sim.modbus).read_map().await.unwrap());
    let theirs = before.gains.current.a + 40;
    let relay = relay_with_a_change_after_the_write(sim.modbus, addr::GANHO_CORRENTE_A, theirs).await;

    let plan = WritePlan::new(&[(addr::RELACAO_TC, 120)]).unwrap();
    let reported = apply_settings(&mut client(relay), &plan, ApplyOptions::default())
        .await
        .expect_err("the other client's change is reported");
    let ParamsError::Concurrent(change) = &reported else {
        panic!("not a concurrent change: {reported}");
    };
    assert!(change.written, "the requested register was written");
    assert_eq!(
        change.changes,
        [RegisterChange {
            addr: addr::GANHO_CORRENTE_A,
            expected: before.gains.current.a,
            found: theirs,
        }]
    );
    assert!(reported.to_string().contains("were written"), "{reported}");
    let now = decode_settings(&client(sim.modbus).read_map().await.unwrap());
    assert_eq!((now.ct_ratio, now.gains.current.a), (120, theirs));
    sim.shutdown().await;
}
