//! Faults on the network path to a real service, for tests that show what a user sees when a
//! dependency misbehaves.
//!
//! [`FreezeProxy`] is a TCP relay in front of a service (the AWS emulator, MariaDB) that can
//! freeze: while frozen, bytes in either direction are held, not forwarded, so every call through
//! it hangs as if the service had stopped answering; on thaw they flow again. Only the clients
//! pointed at the proxy see it, so tests running in parallel against the same service do not.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct FreezeProxy {
    addr: SocketAddr,
    frozen: watch::Sender<bool>,
}

impl FreezeProxy {
    /// Relay connections on a fresh local port to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let addr = listener.local_addr().expect("local addr");
        let (frozen, watching) = watch::channel(false);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let watching = watching.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write, watching.clone()),
                        pump(server_read, client_write, watching),
                    );
                });
            }
        });
        Self { addr, frozen }
    }

    /// A proxy in front of the AWS emulator (`AWS_ENDPOINT_URL`).
    pub async fn for_emulator() -> Self {
        let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
        let authority = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .replace("localhost", "127.0.0.1");
        Self::start(authority.parse().expect("the emulator's host:port")).await
    }

    /// `http://127.0.0.1:PORT`, for an SDK endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Hold everything from now on: calls through the proxy hang.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Let the held bytes and everything after them through.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }
}

/// Copy `from` → `to`, holding each chunk while the proxy is frozen.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if frozen.wait_for(|f| !*f).await.is_err() {
            break;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
