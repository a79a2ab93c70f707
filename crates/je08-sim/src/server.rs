//! The scaffold every protocol server of the simulator runs on: a protocol
//! module implements [`Protocol`] (what it binds, when the meter serves it,
//! what a change of power state or faults does to its connections, how to
//! serve a bound socket) and [`Server::spawn`] does the rest. It binds at
//! once (port 0 allowed) and returns with the address; its task then drops
//! the socket while the meter does not serve the protocol and binds the
//! same port again when it does, until shutdown or drop aborts it. A
//! protocol on the meter's Wi-Fi ([`Protocol::ON_WIFI`]) binds that port at
//! the address this boot's Wi-Fi start gave ([`super::Device::address`]),
//! and nowhere while it gave none.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::handle::{Faults, PowerState, SimDevice};

/// Pause before binding again after a failed bind or a failed `serve`.
const RETRY: Duration = Duration::from_millis(200);

/// What a server decides by: the meter's power state and injected faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditions {
    /// Online, mode, boot count.
    pub power: PowerState,
    /// Injected faults.
    pub faults: Faults,
}

impl Conditions {
    fn of(device: &SimDevice) -> Self {
        Self {
            power: device.power_state(),
            faults: device.faults(),
        }
    }
}

/// What a change of conditions does to the running [`Protocol::serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    /// Keep it running.
    Continue,
    /// Drop it with whatever it owns (its connections) and start a fresh
    /// one on the same socket, if the meter still serves the protocol.
    Restart,
}

/// One protocol of the meter, as [`Server`] runs it. The value lives as long
/// as the server: state that outlives a closed socket (connections) goes here.
pub trait Protocol: Default + Send + Sync + 'static {
    /// Name in log lines.
    const NAME: &'static str;
    /// What the server binds and serves on.
    type Socket: Send + Sync + 'static;
    /// Served on the meter's Wi-Fi: at the address of each boot's Wi-Fi
    /// start. False: always at the address it was spawned with.
    const ON_WIFI: bool = true;

    /// Bind `addr` (port 0: any free port); the socket and its address.
    fn bind(addr: SocketAddr) -> io::Result<(Self::Socket, SocketAddr)>;

    /// Whether `device` serves this protocol under `now`: the socket is
    /// bound only then. Default: always.
    fn serves(&self, _device: &SimDevice, _now: &Conditions) -> bool {
        true
    }

    /// React to a change of conditions, also while the socket is closed:
    /// close the connections that must close, and say whether the running
    /// `serve` goes on. Default: it goes on.
    fn on_change(&self, _before: &Conditions, _now: &Conditions) -> Serving {
        Serving::Continue
    }

    /// Serve `device` on `socket` until dropped; returning (a failed
    /// accept, say) closes the socket for a moment and binds it again.
    fn serve(&self, socket: &Self::Socket, device: &SimDevice)
    -> impl Future<Output = io::Result<()>> + Send;
}

/// A running server: its bound address and the task serving it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    task: OwnedTask,
}

impl Server {
    /// Bind `bind` for protocol `P` and serve `device` there from a new
    /// task; returns at once with the bound address.
    pub fn spawn<P: Protocol>(device: SimDevice, bind: SocketAddr) -> io::Result<Self> {
        let (socket, addr) = P::bind(bind)?;
        let task = tokio::spawn(supervise(P::default(), device, addr, socket));
        Ok(Self {
            addr,
            task: OwnedTask::new(task),
        })
    }

    /// The address the server first bound (also while its socket is
    /// closed); a protocol on the Wi-Fi keeps its port at each boot's
    /// address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop serving (socket and connections closed) and wait for the task.
    pub async fn shutdown(self) {
        self.task.shutdown().await;
    }
}

/// A spawned task with one owner: aborted when dropped.
#[derive(Debug)]
pub struct OwnedTask(JoinHandle<()>);

impl OwnedTask {
    /// Own `task`.
    pub fn new(task: JoinHandle<()>) -> Self {
        Self(task)
    }

    /// Abort the task and wait until it has ended.
    pub async fn shutdown(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl Drop for OwnedTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where protocol `P` of `device` is to be bound now (port of `first`).
fn place<P: Protocol>(device: &SimDevice, first: SocketAddr) -> Option<SocketAddr> {
    if P::ON_WIFI {
        device
            .with(|d| d.address())
            .map(|ip| SocketAddr::new(ip, first.port()))
    } else {
        Some(first)
    }
}

/// Keep a socket on the port of `first` bound and served while `device`
/// serves `protocol` (at the address [`place`] says), and none while it
/// does not.
async fn supervise<P: Protocol>(protocol: P, device: SimDevice, first: SocketAddr, socket: P::Socket) {
    let (mut power, mut faults) = (device.subscribe_power(), device.subscribe_faults());
    let mut now = Conditions::of(&device);
    let mut socket = Some(socket);
    let mut bound_at = first;
    loop {
        let at = place::<P>(&device, first);
        let served = at.is_some() && protocol.serves(&device, &now);
        if !served || at != Some(bound_at) {
            socket = None;
        }
        if let Some(addr) = at.filter(|_| served && socket.is_none()) {
            match P::bind(addr) {
                Ok((bound, _)) => (socket, bound_at) = (Some(bound), addr),
                Err(err) => tracing::warn!(%addr, "{}: cannot bind again: {err}; retrying", P::NAME),
            }
        }
        let addr = bound_at;
        // Serve (or wait: for the next bind attempt, or while not served)
        // until `serve` returns or the conditions call for something else.
        let ended = {
            let mut serving = std::pin::pin!(async {
                match &socket {
                    Some(socket) => protocol.serve(socket, &device).await,
                    None if served => {
                        tokio::time::sleep(RETRY).await;
                        Ok(())
                    }
                    None => std::future::pending().await,
                }
            });
            loop {
                tokio::select! {
                    result = &mut serving => break Some(result),
                    alive = changed(&mut power, &mut faults) => {
                        if !alive {
                            return;
                        }
                        let before = std::mem::replace(&mut now, Conditions::of(&device));
                        let moved = place::<P>(&device, first);
                        if protocol.on_change(&before, &now) == Serving::Restart
                            || (moved.is_some() && protocol.serves(&device, &now)) != served
                            || moved != at
                        {
                            break None;
                        }
                    }
                }
            }
        };
        if let Some(result) = ended
            && socket.take().is_some()
        {
            tracing::warn!(%addr, error = ?result.err(), "{}: serving stopped; reopening", P::NAME);
            tokio::time::sleep(RETRY).await;
        }
    }
}

/// Wait for a change of power state or faults; false once the device is gone.
async fn changed(power: &mut watch::Receiver<PowerState>, faults: &mut watch::Receiver<Faults>) -> bool {
    tokio::select! {
        r = power.changed() => r.is_ok(),
        r = faults.changed() => r.is_ok(),
    }
}

/// Listen on `addr` with SO_REUSEADDR, so the port can be bound again at
/// once after a reboot; the listener and its address.
///
/// With SO_REUSEADDR, Linux may hand out for port 0 a port that another
/// reuse-address socket has bound but is not yet listening on; `listen` then
/// fails with "address in use". A request for any free port therefore retries
/// with a fresh socket a few times; a request for a given port does not.
pub fn listen(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
    const ATTEMPTS_FOR_ANY_PORT: usize = 8;
    let attempts = if addr.port() == 0 {
        ATTEMPTS_FOR_ANY_PORT
    } else {
        1
    };
    let mut last = None;
    for _ in 0..attempts {
        match listen_once(addr) {
            Err(err) if err.kind() == io::ErrorKind::AddrInUse => last = Some(err),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse)))
}

fn listen_once(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(1024)?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}
