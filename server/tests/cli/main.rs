//! The `maildesk` binary as a user runs it: accounts and migrations ([`account`]), and the mail
//! commands `import`, `mail parse` and `demo` ([`mail`]). One test binary.

#![allow(
    clippy::too_many_lines,
    reason = "a test reads top to bottom as one scenario; the 80-line rule is for product code"
)]

use std::path::Path;
use std::process::Command;

mod account;
mod mail;

/// The binary with its data folder, in an environment cleaned of the test's own settings.
fn maildesk(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maildesk"));
    cmd.arg("--data-dir").arg(data_dir);
    // The test's own environment must not leak settings into the binary.
    for (k, _) in std::env::vars() {
        if k.starts_with("MAILDESK__") || k == "DATABASE_URL" || k == "REDIS_URL" {
            cmd.env_remove(k);
        }
    }
    cmd
}
