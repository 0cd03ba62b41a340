//! Drives `ekctl` in process: the same `ekctl::run` the binary calls (arguments, environment,
//! output streams), pointed at a test control plane with an operator token. The binary's
//! `main` adds nothing but the process's own arguments and streams, and a binary of another
//! package cannot be located reliably from this one (`CARGO_BIN_EXE_*` exists only for
//! the package's own tests), so the suite runs the library and stays one link step.

use serde_json::Value;
use std::{collections::HashMap, net::SocketAddr};

/// What one ekctl run produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The JSON answer of a successful `--json` run.
    #[track_caller]
    pub fn json(&self) -> Value {
        assert_eq!(self.code, 0, "ekctl failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

pub struct Ekctl {
    pub url: String,
    pub token: Option<String>,
}

impl Ekctl {
    pub fn new(addr: SocketAddr, token: &str) -> Self {
        Self {
            url: format!("http://{addr}"),
            token: Some(token.to_owned()),
        }
    }

    /// `ekctl <args>` with `EKCTL_URL` and `EKCTL_TOKEN` set.
    pub async fn run(&self, args: &[&str]) -> Outcome {
        let mut vars = HashMap::from([("EKCTL_URL".to_owned(), self.url.clone())]);
        if let Some(token) = &self.token {
            vars.insert("EKCTL_TOKEN".into(), token.clone());
        }
        let argv = std::iter::once("ekctl")
            .chain(args.iter().copied())
            .map(str::to_owned)
            .collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = eventkit_ekctl::run(argv, &vars, &mut out, &mut err).await;
        Outcome {
            code,
            stdout: String::from_utf8(out).expect("utf-8"),
            stderr: String::from_utf8(err).expect("utf-8"),
        }
    }

    /// `ekctl --json <args>`, which must succeed.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.run(&all).await.json()
    }
}
