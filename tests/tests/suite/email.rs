//! Transactional email against a real SMTP server (aiosmtpd): tenant notices reach the admin
//! contact in the tenant's language with its branding — the disabled-endpoint notice through
//! the whole path (a 410 answer, the outbox, JetStream, the email consumer) — an event handled
//! twice mails once, and a suspended tenant gets nothing but its suspension notice.

use eventkit_platform::{
    db::Db,
    mail::links::{self, LinkedMessage},
};
use eventkit_tests::{
    Tenant, TestEnv, pipeline,
    smtp_sink::SmtpSink,
    webhook_receiver::{Receiver, Reply},
};
use eventkit_workers::{
    clock::SystemClock,
    consumer::Handler,
    email::{Mailer, transport::Transport},
    event::Event,
};
use serde_json::{Value, json};
use std::{collections::HashMap, sync::Arc};

async fn env_with_smtp(sink: &SmtpSink) -> TestEnv {
    TestEnv::start_with(HashMap::from([
        ("EVENTKIT_SMTP_URL".to_owned(), sink.url()),
        (
            "EVENTKIT_WEBHOOK_ALLOWLIST".to_owned(),
            "127.0.0.1".to_owned(),
        ),
        (
            "EVENTKIT_MAIL_FROM".to_owned(),
            "Acme via EventKit <mail@eventkit.test>".to_owned(),
        ),
    ]))
    .await
}

fn mailer(env: &TestEnv) -> Arc<Mailer> {
    let db = Db::connect_lazy(env.config.database.app.expose(), 4).unwrap();
    let mail = env.workers_config().mail;
    let transport = Transport::from_config(&mail).unwrap();
    Arc::new(Mailer::new(db, transport, &mail.mail_from).unwrap())
}

/// The tenant's admin contact and locale (as provisioning sets them) and its branding.
async fn set_up(env: &TestEnv, tenant: &Tenant, locale: &str) {
    let admin = env.admin_pool().await;
    sqlx::query("update tenants set admin_email = 'owner@acme.test' where id = $1")
        .bind(tenant.id)
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query("update tenant_settings set locale = $2 where tenant_id = $1")
        .bind(tenant.id)
        .bind(locale)
        .execute(&admin)
        .await
        .unwrap();
    env.call(
        Some(&tenant.api_key),
        "AdminService/UpdateBranding",
        json!({"branding": {"displayName": "Acme Rentals", "logoUrl": "https://cdn.acme.test/logo.png", "primaryColor": "#ff6600"},
               "updateMask": "displayName,logoUrl,primaryColor"}),
    )
    .await
    .ok();
}

/// The HTML part with minijinja's entity escapes decoded (it writes `/` as `&#x2f;`).
fn html(mail: &Value) -> String {
    mail["html"]
        .as_str()
        .unwrap()
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn event(tenant: &Tenant, event_type: &str, data: Value) -> Event {
    Event {
        id: uuid::Uuid::now_v7(),
        event_type: event_type.into(),
        tenant_id: tenant.id,
        subject_id: None,
        actor: "test".into(),
        occurred_at: chrono::Utc::now(),
        data,
    }
}

#[tokio::test]
async fn a_disabled_endpoint_is_mailed_to_the_admin_in_english_with_the_brand() {
    let sink = SmtpSink::start();
    let env = env_with_smtp(&sink).await;
    let tenant = env.create_tenant("Acme").await;
    set_up(&env, &tenant, "en-GB").await;
    let receiver = Receiver::start().await;
    receiver.otherwise(Reply::status(410));
    let created = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateWebhookEndpoint",
            json!({"url": receiver.url("/gone"), "eventTypes": ["*"]}),
        )
        .await;
    let endpoint_id = created.ok()["endpoint"]["id"].as_str().unwrap().to_owned();
    let _email = pipeline::consume(&env, &tenant, mailer(&env), |_| {}).await;
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    env.call(
        Some(&tenant.api_key),
        "AdminService/SendTestWebhook",
        json!({"endpointId": endpoint_id}),
    )
    .await
    .ok();
    dispatcher.dispatch_due().await.unwrap();

    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["to"], json!(["owner@acme.test"]));
    assert_eq!(mail["from"], "mail@eventkit.test");
    assert_eq!(
        mail["subject"],
        "Acme Rentals: a webhook endpoint was disabled"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains(&receiver.url("/gone")) && text.contains("410 Gone"),
        "{text}"
    );
    let html = html(mail);
    assert!(
        html.contains("#ff6600") && html.contains("https://cdn.acme.test/logo.png"),
        "{html}"
    );
    // The sink has the mail; the mailer marks it sent right after the SMTP answer.
    let admin = env.admin_pool().await;
    let started = std::time::Instant::now();
    loop {
        let status: String = sqlx::query_scalar(
            "select status from email_messages where template = 'webhook_endpoint_disabled'",
        )
        .fetch_one(&admin)
        .await
        .unwrap();
        if status == "sent" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "still {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn german_tenants_get_german_email_once_per_event() {
    let sink = SmtpSink::start();
    let env = env_with_smtp(&sink).await;
    let tenant = env.create_tenant("Acme").await;
    set_up(&env, &tenant, "de-DE").await;
    let mailer = mailer(&env);
    let warning = event(
        &tenant,
        "quota.warning",
        json!({"quota": "assets", "thresholdPercent": 80, "used": 200, "limit": 250, "hardCap": 300, "period": "2026-11"}),
    );
    mailer.handle(warning.clone()).await.unwrap();
    mailer.handle(warning).await.unwrap(); // redelivered
    // The link is not in the event: the mailer finds it kept under the event's subject.
    let invitation_id = uuid::Uuid::now_v7();
    let db = Db::connect_lazy(env.config.database.app.expose(), 1).unwrap();
    links::keep(
        &mut db.pool().acquire().await.unwrap(),
        invitation_id,
        LinkedMessage::Invitation,
        "https://app.eventkit.test/accept?t=abc",
        chrono::Utc::now() + chrono::Duration::days(7),
    )
    .await
    .unwrap();
    let invitation = Event {
        subject_id: Some(invitation_id),
        ..event(
            &tenant,
            "email.requested",
            json!({"message": "invitation", "to": ["neu@acme.test"],
            "vars": {"inviterName": "Petra", "expiresAt": "29.11.2026"}}),
        )
    };
    mailer.handle(invitation).await.unwrap();
    let kept: i64 = sqlx::query_scalar("select count(*) from mail_links")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(kept, 0, "a mailed link is forgotten");

    let mails = sink.wait_for(2).await;
    assert_eq!(
        mails.len(),
        2,
        "the redelivered warning was not mailed again"
    );
    assert_eq!(
        mails[0]["subject"],
        "Acme Rentals hat 80 % des Kontingents für Inventarteile erreicht"
    );
    assert!(mails[0]["text"].as_str().unwrap().contains("200 von 250"));
    assert!(mails[0]["text"].as_str().unwrap().contains("Ab 300"));
    assert_eq!(mails[1]["to"], json!(["neu@acme.test"]));
    assert_eq!(
        mails[1]["subject"],
        "Petra hat Sie zu Acme Rentals auf EventKit eingeladen"
    );
    assert!(html(&mails[1]).contains("https://app.eventkit.test/accept?t=abc"));
    assert!(
        mails[1]["text"]
            .as_str()
            .unwrap()
            .contains("Gesendet von EventKit im Auftrag von Acme Rentals")
    );
}

#[tokio::test]
async fn a_suspended_tenant_gets_only_its_suspension_notice() {
    let sink = SmtpSink::start();
    let env = env_with_smtp(&sink).await;
    let tenant = env.create_tenant("Acme").await;
    set_up(&env, &tenant, "en").await;
    sqlx::query("update tenants set state = 'suspended' where id = $1")
        .bind(tenant.id)
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let mailer = mailer(&env);
    mailer
        .handle(event(&tenant, "quota.warning", json!({"quota": "seats", "thresholdPercent": 100, "used": 3, "limit": 3, "period": "2026-11"})))
        .await
        .unwrap();
    mailer
        .handle(event(
            &tenant,
            "tenant.suspended",
            json!({"from": "active", "to": "suspended"}),
        ))
        .await
        .unwrap();
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(mails[0]["subject"], "Acme Rentals is suspended on EventKit");
    let skipped: String =
        sqlx::query_scalar("select note from email_messages where template = 'quota_warning'")
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert_eq!(skipped, "the tenant is suspended");
}

#[tokio::test]
async fn bad_branding_is_refused_naming_the_field_and_nothing_is_written() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Acme").await;
    for (branding, mask, field) in [
        (
            json!({"primaryColor": "orange"}),
            "primaryColor",
            "branding.primary_color",
        ),
        (
            json!({"logoUrl": "http://cdn.acme.test/logo.png"}),
            "logoUrl",
            "branding.logo_url",
        ),
        (
            json!({"displayName": "x".repeat(201)}),
            "displayName",
            "branding.display_name",
        ),
    ] {
        let reply = env
            .call(
                Some(&tenant.api_key),
                "AdminService/UpdateBranding",
                json!({"branding": branding, "updateMask": mask}),
            )
            .await;
        assert_eq!(reply.code(), "invalid_argument", "{}", reply.body);
        assert_eq!(reply.violated_fields(), [field]);
    }
    let rows: i64 = sqlx::query_scalar("select count(*) from tenant_branding")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    let got = env
        .call(Some(&tenant.api_key), "AdminService/GetBranding", json!({}))
        .await;
    assert_eq!(
        got.ok()["branding"]["primaryColor"],
        "#1f6feb",
        "the default"
    );
}
