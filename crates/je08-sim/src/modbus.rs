//! The simulator's Modbus TCP server (spec §2) on tokio-modbus.
//!
//! Functions 3 and 4 read the same map, 6 and 16 write it; every unit id is
//! answered; any number of clients at once. The rules (exceptions 01/02/03,
//! all-or-nothing writes, triggers) live in [`Device::read`] and
//! [`Device::write`]; this module only moves frames.
//!
//! The listener exists only while the device is online in application mode
//! with Modbus enabled and no `refuse` fault: otherwise the port is closed
//! (connection refused). It is re-bound on the same port when the device
//! comes back. Every reboot and every [`SimDevice::drop_connections`] closes
//! the open connections. While `stall` is set requests are read and never
//! answered; `delay` answers them late.
//!
//! Requests that tokio-modbus cannot decode (e.g. a function 16 frame
//! longer than the 253-byte PDU limit) close the connection, as the library
//! does not let a server answer them.
//!
//! [`Device::read`]: super::device::Device::read
//! [`Device::write`]: super::device::Device::write

use std::future::{Future, ready};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_modbus::server::tcp::Server;
use tokio_modbus::{ExceptionCode, Request, Response};

use super::device::Exception;
use super::handle::{Faults, PowerState, SimDevice};
use super::server_task::{ServerTask, listen};
use je08_protocol::mode::Mode;

/// A running Modbus TCP server for one virtual meter; stops when dropped.
#[derive(Debug)]
pub struct ModbusServer {
    task: ServerTask,
}

impl ModbusServer {
    /// Bind `bind` (port 0 = any free port) and serve `device` there.
    pub async fn spawn(device: SimDevice, bind: SocketAddr) -> io::Result<Self> {
        let listener = listen(bind)?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(supervise(device, addr, listener));
        Ok(Self {
            task: ServerTask::new(addr, task),
        })
    }

    /// The address the server listens on (also while closed).
    pub fn local_addr(&self) -> SocketAddr {
        self.task.local_addr()
    }

    /// Stop serving: close the listener and every connection.
    pub async fn shutdown(self) {
        self.task.shutdown().await;
    }
}

/// What decides whether the listener is open and which connections live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    listening: bool,
    boot_count: u32,
    drop_generation: u64,
}

fn key(device: &SimDevice, power: PowerState, faults: Faults) -> Key {
    let enabled = device.with(|d| d.modbus_enabled());
    Key {
        listening: power.serving(Mode::Application) && enabled && !faults.refuse,
        boot_count: power.boot_count,
        drop_generation: faults.drop_generation,
    }
}

/// The key now, marking both channels seen. The watch borrows are released
/// before [`key`] locks the device (which may publish on the power channel).
fn observe(
    device: &SimDevice,
    power: &mut watch::Receiver<PowerState>,
    faults: &mut watch::Receiver<Faults>,
) -> Key {
    let power_now = *power.borrow_and_update();
    let faults_now = *faults.borrow_and_update();
    key(device, power_now, faults_now)
}

/// Resolve when the key differs from `current` (or the channels close).
async fn key_change(
    device: &SimDevice,
    power: &mut watch::Receiver<PowerState>,
    faults: &mut watch::Receiver<Faults>,
    current: Key,
) {
    loop {
        tokio::select! {
            r = power.changed() => if r.is_err() { return },
            r = faults.changed() => if r.is_err() { return },
        }
        if observe(device, power, faults) != current {
            return;
        }
    }
}

async fn supervise(device: SimDevice, addr: SocketAddr, first: TcpListener) {
    let mut power = device.subscribe_power();
    let mut faults = device.subscribe_faults();
    let mut server = Some(Server::new(first));
    loop {
        let current = observe(&device, &mut power, &mut faults);
        if !current.listening {
            server = None;
        } else if server.is_none() {
            match listen(addr) {
                Ok(listener) => server = Some(Server::new(listener)),
                Err(err) => {
                    tracing::warn!(%addr, "modbus: cannot listen again: {err}; retrying");
                    tokio::select! {
                        () = key_change(&device, &mut power, &mut faults, current) => {}
                        () = tokio::time::sleep(Duration::from_millis(200)) => {}
                    }
                    continue;
                }
            }
        }
        match &server {
            Some(listening) => {
                let service_device = device.clone();
                let on_connected = move |stream: TcpStream, peer: SocketAddr| {
                    let service = MeterService {
                        device: service_device.clone(),
                        faults: service_device.subscribe_faults(),
                    };
                    tracing::debug!(%peer, "modbus: connection");
                    ready(io::Result::Ok(Some((service, stream))))
                };
                let on_error = |err: io::Error| tracing::debug!("modbus: connection ended: {err}");
                tokio::select! {
                    result = listening.serve(&on_connected, on_error) => {
                        if let Err(err) = result {
                            // e.g. out of file descriptors: pause, then reopen.
                            tracing::warn!(%addr, "modbus: accept failed: {err}; reopening");
                            server = None;
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                    }
                    () = key_change(&device, &mut power, &mut faults, current) => {}
                }
            }
            None => key_change(&device, &mut power, &mut faults, current).await,
        }
    }
}

/// Per-connection request handler.
struct MeterService {
    device: SimDevice,
    faults: watch::Receiver<Faults>,
}

type Reply = Result<Option<Response>, ExceptionCode>;

impl tokio_modbus::server::Service for MeterService {
    type Request = Request<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future = Pin<Box<dyn Future<Output = Reply> + Send>>;

    fn call(&self, request: Self::Request) -> Self::Future {
        let faults = *self.faults.borrow();
        if faults.stall || !self.device.power_state().serving(Mode::Application) {
            return Box::pin(ready(Ok(None)));
        }
        let reply = answer(&self.device, request);
        match faults.delay {
            Some(delay) => Box::pin(async move {
                tokio::time::sleep(delay).await;
                reply
            }),
            None => Box::pin(ready(reply)),
        }
    }
}

fn exception_code(e: Exception) -> ExceptionCode {
    match e {
        Exception::IllegalFunction => ExceptionCode::IllegalFunction,
        Exception::IllegalDataAddress => ExceptionCode::IllegalDataAddress,
        Exception::IllegalDataValue => ExceptionCode::IllegalDataValue,
    }
}

fn answer(device: &SimDevice, request: Request<'static>) -> Reply {
    let response = match request {
        Request::ReadHoldingRegisters(start, quantity) => {
            device.read(start, quantity).map(Response::ReadHoldingRegisters)
        }
        Request::ReadInputRegisters(start, quantity) => {
            device.read(start, quantity).map(Response::ReadInputRegisters)
        }
        Request::WriteSingleRegister(a, value) => device
            .write(a, &[value])
            .map(|()| Response::WriteSingleRegister(a, value)),
        Request::WriteMultipleRegisters(start, values) => device
            .write(start, &values)
            .map(|()| Response::WriteMultipleRegisters(start, values.len() as u16)),
        _ => Err(Exception::IllegalFunction),
    };
    response.map(Some).map_err(exception_code)
}
