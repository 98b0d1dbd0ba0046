//! Running the rig scripts (`scripts/dovecot.sh`, `dns.sh`, `clamd.sh`, `rspamd.sh`…) from
//! tests: output in files, not pipes, since the daemon a script starts lives on after it and a
//! daemon that kept a pipe open would make us wait for it forever.

use std::io::{Read, Seek};
use std::process::{Command, Stdio};

/// Runs `scripts/<name>` with `args` and `env`: (succeeded, stdout, stderr).
pub fn script(name: &str, args: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    let script = crate::workspace_root().join("scripts").join(name);
    let out = tempfile::tempfile().expect("temp file for stdout");
    let err = tempfile::tempfile().expect("temp file for stderr");
    let status = Command::new("bash")
        .arg(&script)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone temp file"))
        .stderr(err.try_clone().expect("clone temp file"))
        .status()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let read = |mut f: std::fs::File| {
        let mut s = String::new();
        f.seek(std::io::SeekFrom::Start(0)).expect("rewind temp file");
        f.read_to_string(&mut s).expect("read temp file");
        s
    };
    (status.success(), read(out), read(err))
}

/// `KEY=value` lines (a script's `env` output) as pairs.
pub fn env_lines(stdout: &str) -> std::collections::HashMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}
