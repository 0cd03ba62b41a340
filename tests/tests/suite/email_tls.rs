//! SMTP over TLS end to end: the workers' real email transport (lettre, rustls) against a real
//! SMTP server (aiosmtpd) that requires STARTTLS, and one that speaks TLS from the first byte,
//! each with a certificate issued by a CA this test makes. The CA is trusted only through
//! `EVENTKIT_SMTP_CA_FILE`: without it the certificate is refused and nothing is delivered, and
//! a plain connection to the STARTTLS server is refused before any mail is accepted.

use eventkit_tests::{
    pki::Pki,
    smtp_sink::{SinkTls, SmtpSink},
};
use eventkit_workers::{config::MailConfig, email::transport::Transport};
use lettre::Message;
use std::{collections::HashMap, path::PathBuf};

fn transport(url: &str, ca: Option<&PathBuf>) -> anyhow::Result<Transport> {
    let mut vars = HashMap::from([("EVENTKIT_SMTP_URL".to_owned(), url.to_owned())]);
    if let Some(ca) = ca {
        vars.insert("EVENTKIT_SMTP_CA_FILE".into(), ca.display().to_string());
    }
    Transport::from_config(&MailConfig::from_vars(&vars).unwrap())
}

fn message(subject: &str) -> Message {
    Message::builder()
        .from("EventKit <noreply@eventkit.test>".parse().unwrap())
        .to("ops@tenant.test".parse().unwrap())
        .subject(subject)
        .body("Your export is ready.".to_owned())
        .unwrap()
}

async fn assert_refused(transport: &Transport, subject: &str, says: &[&str]) {
    let err = transport
        .send(message(subject))
        .await
        .expect_err("the send must fail");
    let text = format!("{err:#}").to_lowercase();
    assert!(says.iter().any(|s| text.contains(s)), "{text}");
}

#[tokio::test]
async fn starttls_delivers_with_the_configured_ca_and_refuses_without_it() {
    let pki = Pki::make("mail");
    let sink = SmtpSink::start_with(SinkTls::StartTls {
        cert: &pki.cert,
        key: &pki.key,
    });
    let url = format!("smtp://127.0.0.1:{}?tls=required", sink.port);

    // Not trusted: the handshake fails, nothing is delivered.
    let untrusted = transport(&url, None).unwrap();
    assert_refused(&untrusted, "untrusted", &["certificate", "unknownissuer"]).await;
    // Plain text to a server that requires STARTTLS: refused before any mail.
    let plain = transport(&format!("smtp://127.0.0.1:{}", sink.port), None).unwrap();
    assert_refused(&plain, "plain", &["starttls"]).await;
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());

    let trusted = transport(&url, Some(&pki.ca)).unwrap();
    assert!(
        trusted.describe().contains("StartTls"),
        "{}",
        trusted.describe()
    );
    trusted
        .send(message("Export ready (STARTTLS)"))
        .await
        .unwrap();
    let got = sink.wait_for(1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["subject"], "Export ready (STARTTLS)");
    assert_eq!(got[0]["to"][0], "ops@tenant.test");
    assert!(
        got[0]["text"]
            .as_str()
            .unwrap()
            .contains("Your export is ready.")
    );
}

#[tokio::test]
async fn implicit_tls_delivers_with_the_configured_ca_and_refuses_without_it() {
    let pki = Pki::make("mail");
    let sink = SmtpSink::start_with(SinkTls::Tls {
        cert: &pki.cert,
        key: &pki.key,
    });
    let url = format!("smtps://127.0.0.1:{}", sink.port);
    let untrusted = transport(&url, None).unwrap();
    assert_refused(&untrusted, "untrusted", &["certificate", "unknownissuer"]).await;
    assert!(sink.messages().is_empty());

    let trusted = transport(&url, Some(&pki.ca)).unwrap();
    trusted.send(message("Export ready (TLS)")).await.unwrap();
    let got = sink.wait_for(1).await;
    assert_eq!(got[0]["subject"], "Export ready (TLS)");
}

#[tokio::test]
async fn a_missing_or_bad_ca_file_is_a_configuration_error_naming_the_setting() {
    let pki = Pki::make("mail");
    let missing = pki.dir.join("nope.pem");
    let err = transport("smtps://127.0.0.1:465", Some(&missing))
        .err()
        .expect("refused");
    assert!(
        format!("{err:#}").contains("EVENTKIT_SMTP_CA_FILE"),
        "{err:#}"
    );
    std::fs::write(&missing, "not a certificate").unwrap();
    let err = transport("smtps://127.0.0.1:465", Some(&missing))
        .err()
        .expect("refused");
    assert!(
        format!("{err:#}").contains("EVENTKIT_SMTP_CA_FILE"),
        "{err:#}"
    );
}
