//! The built `ekctl` binary as a script sees it: `--help` everywhere, and exit codes that come
//! through the process boundary. (The full lifecycle runs through the same `ekctl::run` in
//! `tests/tests/suite/lifecycle.rs`, against a real control plane.)

use std::process::{Command, Output};

fn ekctl(args: &[&str], url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ekctl"))
        .args(args)
        .env("EKCTL_URL", url)
        .env(
            "EKCTL_TOKEN",
            "ekop_0000000000000000000000000000000000000000",
        )
        .output()
        .expect("ekctl runs")
}

#[test]
fn help_usage_errors_and_unreachable_servers_have_their_exit_codes() {
    let nowhere = "http://127.0.0.1:1";
    for args in [
        &["--help"][..],
        &["tenants", "--help"],
        &["tenants", "erase", "--help"],
        &["plans", "set", "--help"],
        &["quotas", "set", "--help"],
        &["usage", "--help"],
        &["audit", "--help"],
    ] {
        let out = ekctl(args, nowhere);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: ekctl"),
            "{args:?}"
        );
    }
    let help = String::from_utf8_lossy(&ekctl(&["--help"], nowhere).stdout).into_owned();
    assert!(
        help.contains("Exit codes") && help.contains("EKCTL_TOKEN"),
        "{help}"
    );

    let usage = ekctl(&["tenants", "frobnicate"], nowhere);
    assert_eq!(usage.status.code(), Some(2));
    let unreachable = ekctl(&["tenants", "list"], nowhere);
    assert_eq!(unreachable.status.code(), Some(7));
    assert!(
        String::from_utf8_lossy(&unreachable.stderr).contains("cannot reach the control plane")
    );
    assert!(unreachable.stdout.is_empty());
}
