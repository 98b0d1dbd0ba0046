//! A private Meilisearch for one test: its own throw-away data folder, a free loopback port and
//! a random master key, killed when the test drops it. It starts in about 0.1 s and holds about
//! 30 MB, so every test that wants the shared engine gets a fresh one.
//!
//! The binary: `MAILDESK_MEILI_BIN`, else `../shared/tools/meilisearch/meilisearch` beside the
//! checkout (where this machine keeps one). `scripts/test` finds it the same way and, when there
//! is none, skips these tests by name (`meilisearch`) and says so.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Where the Meilisearch binary is, if anywhere.
pub fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MAILDESK_MEILI_BIN").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let beside = crate::workspace_root().join("../shared/tools/meilisearch/meilisearch");
    beside.is_file().then_some(beside)
}

pub struct OwnMeili {
    pub url: String,
    pub master_key: String,
    _dir: tempfile::TempDir,
    child: Child,
}

impl OwnMeili {
    pub fn start() -> Self {
        let bin = binary().unwrap_or_else(|| {
            panic!(
                "no Meilisearch binary: set MAILDESK_MEILI_BIN to a Meilisearch 1.x server binary \
                 (or run the suite with scripts/test, which skips the Meilisearch tests when none is found)"
            )
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("a temp dir for Meilisearch");
        let master_key = uuid::Uuid::new_v4().simple().to_string();
        let log = std::fs::File::create(dir.path().join("meilisearch.log")).expect("a log file");
        let child = Command::new(&bin)
            .arg("--db-path")
            .arg(dir.path().join("data"))
            .arg("--dump-dir")
            .arg(dir.path().join("dumps"))
            .arg("--snapshot-dir")
            .arg(dir.path().join("snapshots"))
            .args(["--http-addr", &format!("127.0.0.1:{port}")])
            .args(["--master-key", &master_key])
            .args(["--no-analytics", "--env", "development"])
            // Two indexing threads: several tests run at once on a small machine.
            .args(["--max-indexing-threads", "2"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting Meilisearch from {}: {e}", bin.display()));
        let mut me = Self {
            url: format!("http://127.0.0.1:{port}"),
            master_key,
            _dir: dir,
            child,
        };
        me.wait_until_available();
        me
    }

    fn wait_until_available(&mut self) {
        let health = format!("{}/health", self.url);
        crate::poll::until_blocking(
            &format!("Meilisearch to answer {health}"),
            Duration::from_secs(30),
            || {
                if let Ok(Some(status)) = self.child.try_wait() {
                    let log = std::fs::read_to_string(self._dir.path().join("meilisearch.log")).unwrap_or_default();
                    panic!("Meilisearch exited at start ({status}):\n{log}");
                }
                get(&health).is_ok_and(|body| body.contains("available"))
            },
            |available| *available,
        );
    }
}

/// A plain HTTP/1.0 GET over a blocking socket (the start-up check needs no async runtime).
fn get(url: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut body = String::new();
    stream.read_to_string(&mut body)?;
    Ok(body)
}

impl Drop for OwnMeili {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
