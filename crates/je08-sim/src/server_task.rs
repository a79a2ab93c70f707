//! What every simulator server shares: the bound address, the serving task
//! (aborted on shutdown or drop) and a TCP listener that can be re-bound on
//! the same port after a reboot.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};
use tokio::task::JoinHandle;

/// A server's address and the task serving it; the task stops when this is dropped.
#[derive(Debug)]
pub struct ServerTask {
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl ServerTask {
    /// Own `task`, which serves on `addr`.
    pub fn new(addr: SocketAddr, task: JoinHandle<()>) -> Self {
        Self {
            addr,
            task: Some(task),
        }
    }

    /// The address the server is bound to (also while its port is closed).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop serving and wait until the task has ended.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for ServerTask {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A listening socket with SO_REUSEADDR, so the port can be bound again at
/// once after a reboot.
///
/// With SO_REUSEADDR, Linux may hand out for port 0 a port that another
/// reuse-address socket has bound but is not yet listening on; `listen` then
/// fails with "address in use". A request for any free port therefore retries
/// with a fresh socket a few times; a request for a given port does not.
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
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

fn listen_once(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}
