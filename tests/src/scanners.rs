//! The virus scanner and the spam filter for the screening tests: the private clamd of
//! `scripts/clamd.sh` (its own signature database: a marker string the tests put in files) and
//! the private rspamd of `scripts/rspamd.sh` (a rule that scores marker words). Each starts once
//! per test process; a test that stops clamd starts one of its own ([`Clamd::private`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::rig;

/// A running clamd.
#[derive(Debug)]
pub struct Clamd {
    /// Its Unix socket (what `scan.clamd_socket` takes).
    pub socket: String,
    /// A string clamd reports as [`Clamd::signature`] wherever it stands in a file.
    pub marker: String,
    pub signature: String,
    env: Vec<(&'static str, String)>,
    owned: bool,
}

/// The shared clamd. Fails the test, naming what to run, if it cannot be started.
pub fn clamd() -> &'static Clamd {
    static SHARED: OnceLock<Clamd> = OnceLock::new();
    SHARED.get_or_init(|| Clamd::start(Vec::new(), false))
}

impl Clamd {
    /// A clamd of the test's own (state under `/tmp/<name>`, no TCP port): stopped when dropped.
    pub fn private(name: &str) -> Clamd {
        let env = vec![
            ("MAILDESK_CLAMD_DIR", format!("/tmp/{name}")),
            ("MAILDESK_CLAMD_TCP_PORT", "0".to_owned()),
        ];
        Clamd::start(env, true)
    }

    fn start(env: Vec<(&'static str, String)>, owned: bool) -> Clamd {
        let (mut ok, _, mut stderr) = rig::script("clamd.sh", &[], &env);
        if !ok {
            // Once more from a clean slate: a daemon left half-started by an earlier run.
            let _ = rig::script("clamd.sh", &["stop"], &env);
            (ok, _, stderr) = rig::script("clamd.sh", &[], &env);
        }
        assert!(
            ok,
            "clamd is needed for the antivirus tests and could not be started.\n\
             Start it with: bash scripts/clamd.sh (installs clamav-daemon when run as root)\n{stderr}"
        );
        let (ok, stdout, stderr) = rig::script("clamd.sh", &["env"], &env);
        assert!(ok, "scripts/clamd.sh env failed: {stderr}");
        let vars: HashMap<String, String> = rig::env_lines(&stdout);
        let get = |k: &str| {
            vars.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("scripts/clamd.sh env printed no {k}: {stdout}"))
        };
        Clamd {
            socket: get("MAILDESK_CLAMD_SOCKET"),
            marker: get("MAILDESK_CLAMD_MARKER"),
            signature: get("MAILDESK_CLAMD_SIGNATURE"),
            env,
            owned,
        }
    }

    /// Stops it (a private one only: the shared one serves other tests).
    pub fn stop(&self) {
        assert!(self.owned, "the shared clamd is not to be stopped");
        let (ok, _, stderr) = rig::script("clamd.sh", &["stop"], &self.env);
        assert!(ok, "stopping clamd: {stderr}");
    }

    /// Starts it again after [`Clamd::stop`].
    pub fn restart(&self) {
        let (ok, _, stderr) = rig::script("clamd.sh", &[], &self.env);
        assert!(ok, "starting clamd again: {stderr}");
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        if self.owned {
            let _ = rig::script("clamd.sh", &["stop"], &self.env);
        }
    }
}

/// The shared rspamd's URL (what `scan.rspamd_url` takes). Its test rules: the word
/// `MAILDESKSPAMMARKER` scores 20 (reject at 15), `MAILDESKSUSPECTMARKER` 7 (add header at 6).
pub fn rspamd_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let (ok, _, stderr) = rig::script("rspamd.sh", &[], &[]);
        assert!(
            ok,
            "rspamd is needed for the spam tests and could not be started.\n\
             Start it with: bash scripts/rspamd.sh (installs rspamd when run as root)\n{stderr}"
        );
        let (ok, stdout, stderr) = rig::script("rspamd.sh", &["env"], &[]);
        assert!(ok, "scripts/rspamd.sh env failed: {stderr}");
        rig::env_lines(&stdout)
            .remove("MAILDESK_RSPAMD_URL")
            .unwrap_or_else(|| panic!("scripts/rspamd.sh env printed no MAILDESK_RSPAMD_URL: {stdout}"))
    })
}
