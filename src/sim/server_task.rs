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
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}
