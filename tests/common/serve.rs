//! The one accept loop of the rig's own small servers (the fault proxy, the
//! token service, the credentials endpoint): a listener on loopback port 0,
//! so the kernel picks the port and no other test can take it, each
//! connection handed to the server's handler on a thread of its own, and
//! the loop stopped when the server is dropped.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct Loopback {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Loopback {
    /// Serves every connection with `handler` until dropped.
    pub fn serve(handler: impl Fn(TcpStream) + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        // Non-blocking, so the loop sees `stop` without a connection arriving.
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let handler = handler.clone();
                        std::thread::spawn(move || handler(stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Loopback { port, stop }
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
