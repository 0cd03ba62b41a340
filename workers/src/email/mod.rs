//! Transactional email, as a consumer of events: which events mail whom (`plan`), rendered in
//! the tenant's language with its branding ([`render`]), sent through [`transport`]. Each email
//! is recorded once per (event, message, recipient) before it is sent and marked sent after,
//! so a redelivered event does not mail twice once the first send is recorded (at least once
//! if the worker dies in between). A suspended tenant gets no email but the suspension notice.
//!
//! Recipients of tenant notices are the tenant's admin contact (`tenants.admin_email`); other
//! services ask for an email with an `email.requested` event naming the message, the
//! recipients, an optional locale and the message's variables. Links that grant access are
//! never in an event: the mailer looks them up outside tenant data (`mail::links`) by the
//! event's subject and forgets them once mailed. Emails about a person's account belong to no
//! tenant and go through [`account`] instead.

pub mod account;
pub mod render;
pub mod transport;

use crate::{
    consumer::{Failure, Handler},
    event::Event,
};
use eventkit_domain::events::EventType;
use eventkit_platform::{
    db::{Actor, Db, TenantTx},
    mail::links::{self, LinkedMessage},
};
use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};
use render::{Brand, Lang, Templates};
use serde_json::Value;
use uuid::Uuid;

pub const CONSUMER: &str = "email";

/// What an event asks to send.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    message: String,
    to: Vec<String>,
    locale: Option<String>,
    vars: Value,
}

/// Tenant notices go to the admin contact; `None` when the event mails no one.
fn plan(event: &Event) -> Result<Option<Plan>, Failure> {
    let notice = |message: &str| Plan {
        message: message.into(),
        to: Vec::new(), // filled with the tenant's admin contact
        locale: None,
        vars: event.data.clone(),
    };
    let Some(kind) = event.kind() else {
        return Ok(None);
    };
    Ok(Some(match kind {
        EventType::EmailRequested => {
            let message = event.data["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if !render::MESSAGES.contains(&message.as_str()) {
                return Err(Failure::Permanent(anyhow::anyhow!(
                    "email.requested names unknown message {message:?}; known: {}",
                    render::MESSAGES.join(", ")
                )));
            }
            let to: Vec<String> = event.data["to"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if to.is_empty() {
                return Err(Failure::Permanent(anyhow::anyhow!(
                    "email.requested has no recipients"
                )));
            }
            Plan {
                message,
                to,
                locale: event.data["locale"].as_str().map(str::to_owned),
                vars: event.data["vars"].clone(),
            }
        }
        EventType::TenantSignupRequested => Plan {
            to: event.data["adminEmail"]
                .as_str()
                .map(str::to_owned)
                .into_iter()
                .collect(),
            ..notice("signup_verification")
        },
        EventType::TenantSuspended => notice("tenant_suspended"),
        EventType::QuotaWarning => notice("quota_warning"),
        EventType::ExportReady => notice("export_ready"),
        EventType::WebhookEndpointDisabled => notice("webhook_endpoint_disabled"),
        _ => return Ok(None),
    }))
}

/// What the mailer knows of the tenant.
#[derive(sqlx::FromRow)]
struct TenantFacts {
    name: String,
    state: String,
    admin_email: Option<String>,
    locale: Option<String>,
    display_name: Option<String>,
    logo_url: Option<String>,
    primary_color: Option<String>,
}

pub struct Mailer {
    db: Db,
    templates: Templates,
    transport: transport::Transport,
    from: Mailbox,
}

/// The sender of every email (`EVENTKIT_MAIL_FROM`).
pub fn sender(from: &str) -> anyhow::Result<Mailbox> {
    from.parse()
        .map_err(|e| anyhow::anyhow!("EVENTKIT_MAIL_FROM {from:?}: {e}"))
}

/// One rendered email to one recipient, with a Message-Id made of what asked for it and the
/// message, so a resend is recognisable as the same email.
pub fn compose(
    from: &Mailbox,
    to: Mailbox,
    asked_by: Uuid,
    message: &str,
    rendered: &render::Rendered,
) -> Result<Message, Failure> {
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&rendered.subject)
        .message_id(Some(format!("<{asked_by}.{message}@eventkit>")))
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| Failure::Permanent(e.into()))
}

impl Mailer {
    pub fn new(db: Db, transport: transport::Transport, from: &str) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            templates: Templates::default(),
            transport,
            from: sender(from)?,
        })
    }

    async fn facts(tx: &mut TenantTx) -> Result<Option<TenantFacts>, sqlx::Error> {
        sqlx::query_as(
            "select t.name, t.state, t.admin_email, s.locale, b.display_name, b.logo_url, b.primary_color \
             from tenants t left join tenant_settings s on s.tenant_id = t.id \
             left join tenant_branding b on b.tenant_id = t.id where t.id = $1",
        )
        .bind(tx.tenant_id())
        .fetch_optional(&mut **tx)
        .await
    }

    /// Records the email unless it was already sent or skipped; returns whether to send it.
    async fn claim(
        tx: &mut TenantTx,
        event_id: Uuid,
        plan: &Plan,
        recipient: &str,
        lang: Lang,
        subject: &str,
        skip_because: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let status: String = sqlx::query_scalar(
            "insert into email_messages (tenant_id, id, event_id, template, recipient, locale, subject, status, note) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             on conflict on constraint email_messages_once do update set subject = excluded.subject \
             returning status",
        )
        .bind(tx.tenant_id())
        .bind(eventkit_domain::id::new_id())
        .bind(event_id)
        .bind(&plan.message)
        .bind(recipient)
        .bind(lang.code())
        .bind(subject)
        .bind(if skip_because.is_some() { "skipped" } else { "sending" })
        .bind(skip_because.unwrap_or_default())
        .fetch_one(&mut **tx)
        .await?;
        Ok(status == "sending" && skip_because.is_none())
    }
}

impl Handler for Mailer {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        let Some(mut plan) = plan(&event)? else {
            return Ok(());
        };
        let actor = Actor::system(CONSUMER);
        let mut tx = self.db.tenant_tx(event.tenant_id, &actor).await?;
        let Some(facts) = Self::facts(&mut tx).await? else {
            return Ok(()); // The tenant is gone (erased): nobody to mail.
        };
        if plan.to.is_empty() {
            plan.to.extend(facts.admin_email.clone());
        }
        let lang = Lang::from_locale(
            plan.locale
                .as_deref()
                .or(facts.locale.as_deref())
                .unwrap_or("en"),
        );
        let brand = Brand {
            name: facts
                .display_name
                .filter(|n| !n.is_empty())
                .unwrap_or(facts.name),
            logo_url: facts.logo_url.unwrap_or_default(),
            color: facts
                .primary_color
                .unwrap_or_else(|| render::DEFAULT_COLOR.into()),
            tenant: true,
        };
        // A message that grants access carries the link kept for it under the event's subject
        // (docs/adr/0033); once mailed (or used, or expired) it is gone, and a redelivery mails
        // nothing new.
        let linked = LinkedMessage::of(&plan.message).zip(event.subject_id);
        let link_url = match linked {
            Some((message, id)) => links::find(&mut tx, id, message).await?,
            None => None,
        };
        let skip = match facts.state.as_str() {
            "suspended" if plan.message != "tenant_suspended" => Some("the tenant is suspended"),
            "erased" => Some("the tenant is erased"),
            _ if LinkedMessage::of(&plan.message).is_some() && link_url.is_none() => {
                Some("its link is no longer kept: mailed already, used or expired")
            }
            _ => None,
        };
        let quota = render::quota_name(event.data["quota"].as_str().unwrap_or_default(), lang);
        let rendered = self
            .templates
            .render(
                &plan.message,
                lang,
                &brand,
                &plan.vars,
                minijinja::context! { link_url => link_url.unwrap_or_default(), quota_name => quota },
            )
            .map_err(Failure::Permanent)?;
        let mut to_send = Vec::new();
        for recipient in &plan.to {
            let mailbox: Mailbox = recipient.parse().map_err(|e| {
                Failure::Permanent(anyhow::anyhow!(
                    "recipient {recipient:?} is not an address: {e}"
                ))
            })?;
            if Self::claim(
                &mut tx,
                event.id,
                &plan,
                recipient,
                lang,
                &rendered.subject,
                skip,
            )
            .await?
            {
                to_send.push((recipient.clone(), mailbox));
            }
        }
        tx.commit().await?;
        for (recipient, mailbox) in to_send {
            let message = compose(&self.from, mailbox, event.id, &plan.message, &rendered)?;
            self.transport.send(message).await?;
            let mut tx = self.db.tenant_tx(event.tenant_id, &actor).await?;
            sqlx::query(
                "update email_messages set status = 'sent', sent_at = now() \
                 where tenant_id = $1 and event_id = $2 and template = $3 and recipient = $4",
            )
            .bind(event.tenant_id)
            .bind(event.id)
            .bind(&plan.message)
            .bind(&recipient)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            metrics::counter!("eventkit_emails_sent_total", "message" => plan.message.clone())
                .increment(1);
        }
        if let Some((_, id)) = linked {
            links::forget(&mut *self.db.pool().acquire().await?, &[id]).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, data: Value) -> Event {
        Event {
            id: Uuid::now_v7(),
            event_type: event_type.into(),
            tenant_id: eventkit_domain::ids::TenantId::new(),
            subject_id: None,
            actor: "t".into(),
            occurred_at: chrono::Utc::now(),
            data,
        }
    }

    #[test]
    fn events_map_to_messages() {
        assert_eq!(plan(&event("product.created", json!({}))).unwrap(), None);
        assert_eq!(plan(&event("thing.happened", json!({}))).unwrap(), None);
        let p = plan(&event("quota.warning", json!({"quota": "assets"})))
            .unwrap()
            .unwrap();
        assert_eq!((p.message.as_str(), p.to.len()), ("quota_warning", 0));
        let p = plan(&event(
            "tenant.signup_requested",
            json!({"adminEmail": "a@b.example"}),
        ))
        .unwrap()
        .unwrap();
        assert_eq!(p.to, ["a@b.example"]);
        let p = plan(&event("email.requested", json!({"message": "invitation", "to": ["x@y.example"], "locale": "de", "vars": {"inviterName": "Petra"}})))
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.message.as_str(), p.locale.as_deref()),
            ("invitation", Some("de"))
        );
        for bad in [
            json!({"message": "nope", "to": ["x@y.example"]}),
            json!({"message": "invitation", "to": []}),
        ] {
            assert!(matches!(
                plan(&event("email.requested", bad)),
                Err(Failure::Permanent(_))
            ));
        }
    }
}
