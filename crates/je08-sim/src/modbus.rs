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

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_modbus::server::tcp::Server;
use tokio_modbus::{ExceptionCode, Request, Response};

use super::device::Exception;
use super::handle::{Faults, SimDevice};
use super::server::{Conditions, Protocol, Serving, listen};
use je08_protocol::mode::Mode;

/// Modbus TCP as a [`Protocol`]: served online in application mode with
/// Modbus enabled and no `refuse` fault.
#[derive(Debug, Default)]
pub struct Modbus;

impl Protocol for Modbus {
    const NAME: &'static str = "modbus";
    type Socket = Server;

    fn bind(addr: SocketAddr) -> io::Result<(Server, SocketAddr)> {
        let (listener, addr) = listen(addr)?;
        Ok((Server::new(listener), addr))
    }

    fn serves(&self, device: &SimDevice, now: &Conditions) -> bool {
        now.power.serving(Mode::Application) && !now.faults.refuse && device.with(|d| d.modbus_enabled())
    }

    /// A reboot or a drop-connections fault closes every connection.
    fn on_change(&self, before: &Conditions, now: &Conditions) -> Serving {
        if now.power.boot_count != before.power.boot_count
            || now.faults.drop_generation != before.faults.drop_generation
        {
            Serving::Restart
        } else {
            Serving::Continue
        }
    }

    /// Accept connections; they close when this is dropped.
    async fn serve(&self, server: &Server, device: &SimDevice) -> io::Result<()> {
        let on_connected = |stream: TcpStream, peer: SocketAddr| {
            let service = MeterService {
                device: device.clone(),
                faults: device.subscribe_faults(),
            };
            tracing::debug!(%peer, "modbus: connection");
            ready(io::Result::Ok(Some((service, stream))))
        };
        let on_error = |err: io::Error| tracing::debug!("modbus: connection ended: {err}");
        server.serve(&on_connected, on_error).await
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
