//! A real SMTP server for tests: the Python `aiosmtpd` package (tests/python/smtp_sink.py) on a
//! free port, recording every message it accepts (envelope, subject, text and HTML parts);
//! plain, or with STARTTLS required, or TLS from the first byte (SMTPS), with a certificate the
//! test made.

use crate::{faults::free_port, webhook_receiver::python};
use serde_json::Value;
use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

pub struct SmtpSink {
    pub port: u16,
    out: PathBuf,
    child: Child,
}

/// How the sink protects its connections.
pub enum SinkTls<'a> {
    None,
    /// STARTTLS offered and required before any mail; certificate and key PEM files.
    StartTls {
        cert: &'a Path,
        key: &'a Path,
    },
    /// TLS from the first byte (SMTPS).
    Tls {
        cert: &'a Path,
        key: &'a Path,
    },
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_with(SinkTls::None)
    }

    pub fn start_with(tls: SinkTls) -> Self {
        let port = free_port();
        let out = std::env::temp_dir().join(format!(
            "eventkit-mail-{}.jsonl",
            uuid::Uuid::now_v7().simple()
        ));
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(&out)
            .args(match tls {
                SinkTls::None => vec![],
                SinkTls::StartTls { cert, key } => {
                    vec!["starttls".as_ref(), cert.as_os_str(), key.as_os_str()]
                }
                SinkTls::Tls { cert, key } => {
                    vec!["tls".as_ref(), cert.as_os_str(), key.as_os_str()]
                }
            })
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP sink starts");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .expect("the SMTP sink says it is ready");
        assert_eq!(ready.trim(), "ready", "SMTP sink did not start");
        Self { port, out, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("sink writes JSON lines"))
            .collect()
    }

    /// Waits for at least `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..300 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {:?}", self.messages());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.out);
    }
}
