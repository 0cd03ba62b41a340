//! Emails as people get them, for tests that need a link from one. No link is in tenant data
//! (docs/adr/0033), so tests read them where people do: [`emailed_link`] runs the real mailer
//! once — the email consumer on the tenant event that asks for the email, or the account mailer
//! for a person's own emails — into a mail folder of its own and reads the `.eml` it wrote.
//! [`read`] parses the `.eml` files of any mail folder (the file transport's output).

use crate::TestEnv;
use base64::Engine;
use eventkit_platform::{db::Db, mail::account::AccountMessage};
use eventkit_workers::{
    consumer::Handler,
    email::{Mailer, account::AccountMailer, transport::Transport},
    event::Event,
};
use std::path::Path;

/// One email the file transport wrote.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The `To:` header as written.
    pub to: String,
    pub subject: String,
    /// The text part, decoded.
    pub text: String,
    /// The whole file, every part decoded.
    pub decoded: String,
}

impl Mail {
    /// The first `http(s)://` link of the text part.
    pub fn link(&self) -> Option<String> {
        let start = self
            .text
            .find("http://")
            .or_else(|| self.text.find("https://"))?;
        Some(
            self.text[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect(),
        )
    }
}

/// The link in the newest email of kind `message` to `email`, as the mailer sends it.
pub async fn emailed_link(env: &TestEnv, message: &str, email: &str) -> String {
    let mail = emailed(env, message, email).await;
    mail.link()
        .unwrap_or_else(|| panic!("the {message} email has no link: {}", mail.text))
}

/// The newest email of kind `message` to `email`: the real mailer sends what asks for it.
pub async fn emailed(env: &TestEnv, message: &str, email: &str) -> Mail {
    let dir = tempfile::tempdir().expect("mail folder");
    let mut config = env.workers_config().mail;
    config.smtp_url = None;
    config.mail_dir = dir.path().to_owned();
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).expect("pool");
    let transport = Transport::from_config(&config).expect("file transport");
    if AccountMessage::of(message).is_some() {
        AccountMailer::new(db, transport, &config.mail_from)
            .expect("account mailer")
            .send_due()
            .await
            .expect("account emails sent");
    } else {
        let event = asking_event(env, message, email).await;
        Mailer::new(db, transport, &config.mail_from)
            .expect("mailer")
            .handle(event)
            .await
            .unwrap_or_else(|e| panic!("mailing {message} to {email}: {e:?}"));
    }
    let mut mails: Vec<Mail> = read(dir.path())
        .into_iter()
        .filter(|m| m.to.contains(email))
        .collect();
    // Message-Ids start with the (time-ordered) id of what asked for the email.
    mails.sort_by_key(|m| message_id(&m.decoded));
    mails
        .pop()
        .unwrap_or_else(|| panic!("no {message} email to {email} was sent"))
}

/// The newest outbox event that asks for `message` to `email` (read as a superuser).
async fn asking_event(env: &TestEnv, message: &str, email: &str) -> Event {
    let row: (
        uuid::Uuid,
        eventkit_domain::ids::TenantId,
        String,
        Option<uuid::Uuid>,
        serde_json::Value,
        String,
        chrono::DateTime<chrono::Utc>,
    ) = sqlx::query_as(
        "select id, tenant_id, event_type, subject_id, payload, actor, created_at from outbox \
         where (event_type = 'email.requested' and payload->>'message' = $1 and payload->'to'->>0 = $2) \
            or (event_type = 'tenant.signup_requested' and $1 = 'signup_verification' and payload->>'adminEmail' = $2) \
         order by id desc limit 1",
    )
    .bind(message)
    .bind(email)
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap_or_else(|e| panic!("no event asks for a {message} email to {email}: {e}"));
    Event {
        id: row.0,
        tenant_id: row.1,
        event_type: row.2,
        subject_id: row.3,
        data: row.4,
        actor: row.5,
        occurred_at: row.6,
    }
}

fn message_id(decoded: &str) -> String {
    decoded
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap_or_default()
        .to_owned()
}

/// Every `.eml` in `dir`, parsed.
pub fn read(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|raw| parse(&raw))
        .collect()
}

/// Headers as they are, each MIME part's body decoded by its `Content-Transfer-Encoding`.
fn parse(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    // The top headers, unfolded (a continuation line starts with white space).
    let mut headers: Vec<String> = Vec::new();
    for line in raw.lines().take_while(|l| !l.is_empty()) {
        match headers.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => headers.push(line.to_owned()),
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| decode_words(v.trim()))
            .unwrap_or_default()
    };
    let (to, subject) = (header("To:"), header("Subject:"));
    let mut decoded = String::new();
    let mut texts = Vec::new();
    let mut part_type = String::new();
    let mut encoding = String::new();
    let mut body: Option<Vec<&str>> = None;
    let mut boundaries: Vec<String> = Vec::new();
    for line in raw.lines() {
        if let Some(lines) = body.as_mut() {
            let boundary = line
                .strip_prefix("--")
                .is_some_and(|b| boundaries.iter().any(|k| b.trim_end_matches("--") == k));
            if boundary {
                let text = decode(&encoding, &lines.join("\n"));
                if part_type.starts_with("text/plain") {
                    texts.push(text.clone());
                }
                decoded.push_str(&text);
                decoded.push('\n');
                body = None;
                (part_type, encoding) = (String::new(), String::new());
            } else {
                lines.push(line);
            }
            continue;
        }
        decoded.push_str(line);
        decoded.push('\n');
        let lower = line.to_ascii_lowercase();
        if let Some((_, b)) = line.split_once("boundary=") {
            boundaries.push(b.trim_matches(['"', ';', ' ']).to_owned());
        }
        if let Some(t) = lower.strip_prefix("content-type:") {
            part_type = t.trim().to_owned();
        } else if let Some(e) = lower.strip_prefix("content-transfer-encoding:") {
            encoding = e.trim().to_owned();
        } else if line.is_empty() && !encoding.is_empty() {
            body = Some(Vec::new());
        }
    }
    Mail {
        to,
        subject,
        text: texts.join("\n"),
        decoded,
    }
}

/// A header value with its RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded;
/// white space between two encoded words goes.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = false;
    for word in value.split([' ', '\t']).filter(|w| !w.is_empty()) {
        let encoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut parts = w.splitn(3, '?');
                let (_charset, kind, text) = (parts.next()?, parts.next()?, parts.next()?);
                Some(match kind.to_ascii_lowercase().as_str() {
                    "b" => decode("base64", text),
                    _ => decode("quoted-printable", &text.replace('_', " ")),
                })
            });
        match encoded {
            Some(text) => {
                if !out.is_empty() && !last_encoded {
                    out.push(' ');
                }
                out.push_str(&text);
                last_encoded = true;
            }
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
                last_encoded = false;
            }
        }
    }
    out
}

fn decode(encoding: &str, body: &str) -> String {
    match encoding {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => {
            let joined = body.replace("=\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match (bytes[i], hex) {
                    (b'=', Some(b)) => {
                        out.push(b);
                        i += 3;
                    }
                    (b, _) => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_are_decoded() {
        let raw = "To: a@b.example\r\nSubject: Hi\r\nContent-Type: multipart/alternative; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGo: http://h/r?token=3Dekp_ab=\r\ncd now\r\n-- \r\nSent by EventKit.\r\n--x\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+aGk8L3A+\r\n--x--\r\n";
        let mail = super::parse(raw);
        assert_eq!(
            (mail.to.as_str(), mail.subject.as_str()),
            ("a@b.example", "Hi")
        );
        assert_eq!(mail.link().unwrap(), "http://h/r?token=ekp_abcd");
        assert_eq!(
            super::decode_words("=?utf-8?b?UGFzc3dvcnQgZsO8cg==?= =?utf-8?q?_EventKit?= now"),
            "Passwort für EventKit now"
        );
        assert!(mail.text.ends_with("Sent by EventKit."), "{}", mail.text);
        assert!(mail.decoded.contains("<p>hi</p>"), "{}", mail.decoded);
    }
}
