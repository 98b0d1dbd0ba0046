//! A private `redis-server` on a free port, for tests that stop and restart Redis (never the
//! shared one on 6379 other tests use).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct OwnRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnRedis {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut me = Self {
            port,
            dir: tempfile::tempdir().expect("a temp dir for redis"),
            child: None,
        };
        me.resume();
        me
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "redis-server already runs");
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting redis-server (install Debian's redis-server package): {e}"));
        self.child = Some(child);
        crate::poll::until_blocking(
            &format!("redis-server to listen on {}", self.port),
            Duration::from_secs(10),
            || std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok(),
            |listening| *listening,
        );
    }

    /// Kills the server (as a crash would: no goodbye to its clients).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
