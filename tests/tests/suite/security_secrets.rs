//! No secret in tenant data (issue 16, review findings C1 and M2; docs/adr/0033). The review's C1
//! sequence runs end to end: the admin of a tenant the victim also belongs to asks for the
//! victim's password reset, exports the tenant through the control plane, and searches the ZIP —
//! and, as a superuser, the outbox and the dead letters — for any usable token; whatever looks
//! like one is tried, and the victim's other tenant must stay closed. A password reset belongs
//! to no tenant and needs the second factor of an account that has one; turning TOTP off needs a
//! current code. Published outbox events, mailed links and sent account emails are swept, and
//! the export leaves out every column that looks like a secret.

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    db::Db,
    identity::totp,
    mail::links::{self, LinkedMessage},
};
use eventkit_tests::{
    Tenant, TestEnv,
    connect::{self, Protocol},
    exports::{control_plane, until_finished, workers},
    mailbox,
    people::{PASSWORD, builtin_role, emailed_token},
};
use eventkit_workers::config::WorkersConfig;
use eventkit_workers::{export::tables, retention};
use serde_json::{Value, json};
use std::{collections::HashMap, io::Read, time::Duration};

const ATTACKER_PASSWORD: &str = "attacker chosen 123";

/// Everything in `text` that looks like an emailed secret: `ekp_`/`eki_`/`ekv_` tokens and the
/// value of any `token=` parameter.
fn token_like(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["ekp_", "eki_", "ekv_", "token="] {
        for (at, _) in text.match_indices(marker) {
            let start = if marker == "token=" {
                at + marker.len()
            } else {
                at
            };
            let token: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if token.len() > marker.len() {
                found.push(token);
            }
        }
    }
    found
}

/// Every file of a ZIP, as text.
fn unzip(bytes: Vec<u8>) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid ZIP");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).expect("text entries");
            (file.name().to_owned(), text)
        })
        .collect()
}

async fn account_call(cp: std::net::SocketAddr, tenant: &Tenant, method: &str) -> Value {
    connect::call(
        cp,
        Protocol::ConnectJson,
        Some(&tenant.api_key),
        &format!("controlplane.v1.AccountService/{method}"),
        json!({}),
    )
    .await
    .ok()
    .clone()
}

#[tokio::test]
async fn the_c1_sequence_finds_no_usable_token_and_the_victims_other_tenant_stays_closed() {
    let objects = tempfile::tempdir().unwrap();
    let mail_dir = tempfile::tempdir().unwrap();
    let env = TestEnv::start_with(HashMap::from([
        (
            "EVENTKIT_STORAGE_URL".to_owned(),
            format!("file://{}", objects.path().display()),
        ),
        (
            "EVENTKIT_MAIL_DIR".to_owned(),
            mail_dir.path().display().to_string(),
        ),
    ]))
    .await;
    // A sorts first: the old code put the victim's reset in A's outbox.
    let a = env.create_tenant("0 Attacker Rentals").await;
    let b = env.create_tenant("Victim Rentals").await;
    let vic = "vic@victim.test";
    let admin_of_b = builtin_role(&env, &b, "admin").await;
    env.as_tenant(&b).join(vic, &[admin_of_b]).await;
    // ... and read-only in A (the freelancer of ADR 0012).
    let read_only = builtin_role(&env, &a, "read_only").await;
    env.call(
        Some(&a.api_key),
        "AdminService/InviteUser",
        json!({"email": vic, "roleIds": [read_only]}),
    )
    .await
    .ok();
    let victims_invitation = emailed_token(&env, "invitation", vic).await;
    env.call(
        None,
        "AuthService/AcceptInvitation",
        json!({"token": victims_invitation, "password": PASSWORD}),
    )
    .await
    .ok();
    // M2: an invitation A's admin sends to an address they do not own, still open.
    env.call(
        Some(&a.api_key),
        "AdminService/InviteUser",
        json!({"email": "someone@else.test", "roleIds": [read_only]}),
    )
    .await
    .ok();

    // --- the attack, as A's admin: the reset, then an export of A while the link is pending.
    env.call(
        None,
        "AuthService/RequestPasswordReset",
        json!({"email": vic}),
    )
    .await
    .ok();
    let (cp, config) = control_plane(&env).await;
    let _workers = workers(&env, &config, &a).await;
    let requested = account_call(cp.addr, &a, "RequestExport").await;
    let id = requested["export"]["exportId"].as_str().unwrap().to_owned();
    let export = until_finished(Duration::from_secs(60), || async {
        connect::call(
            cp.addr,
            Protocol::ConnectJson,
            Some(&a.api_key),
            "controlplane.v1.AccountService/GetExport",
            json!({"exportId": id}),
        )
        .await
        .ok()["export"]
            .clone()
    })
    .await;
    assert_eq!(export["status"], "EXPORT_STATUS_READY", "{export}");
    let zip = reqwest::get(export["downloadUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let files = unzip(zip);
    let mut candidates: Vec<(String, String)> = files
        .iter()
        .flat_map(|(name, text)| token_like(text).into_iter().map(|t| (name.clone(), t)))
        .collect();
    // As a superuser: nothing of the kind in any tenant's outbox or dead letters either.
    let su = env.admin_pool().await;
    let plumbing: Vec<String> = sqlx::query_scalar(
        "select payload::text from outbox union all select envelope::text from job_failures",
    )
    .fetch_all(&su)
    .await
    .unwrap();
    candidates.extend(
        plumbing
            .iter()
            .flat_map(|text| token_like(text).into_iter().map(|t| ("outbox".into(), t))),
    );
    // Try whatever was found, as the attacker would.
    for (_, token) in &candidates {
        env.call(
            None,
            "AuthService/ResetPassword",
            json!({"token": token, "newPassword": ATTACKER_PASSWORD}),
        )
        .await;
        env.call(
            None,
            "AuthService/AcceptInvitation",
            json!({"token": token, "displayName": "Mallory", "password": ATTACKER_PASSWORD}),
        )
        .await;
    }
    // The victim's other tenant stays closed to the attacker's password.
    let as_victim = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": vic, "password": ATTACKER_PASSWORD, "tenantId": b.id.to_string()}),
        )
        .await;
    assert_eq!(as_victim.code(), "unauthenticated", "{}", as_victim.body);
    assert_eq!(
        candidates,
        Vec::<(String, String)>::new(),
        "no token-like secret in the export or the outbox"
    );
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"tables/invitations.ndjson"), "{names:?}");
    for plumbing in ["outbox", "job_failures", "idempotency_keys"] {
        assert!(
            !names.contains(&format!("tables/{plumbing}.ndjson").as_str()),
            "{plumbing} is not exported"
        );
    }

    // The reset belongs to no tenant: not in any outbox or email log, queued for the person.
    let in_tenants: i64 = sqlx::query_scalar(
        "select (select count(*) from outbox where payload->>'message' = 'password_reset') \
              + (select count(*) from email_messages where template = 'password_reset')",
    )
    .fetch_one(&su)
    .await
    .unwrap();
    assert_eq!(in_tenants, 0);
    let queued: Vec<String> = sqlx::query_scalar("select recipient from account_emails")
        .fetch_all(&su)
        .await
        .unwrap();
    assert_eq!(queued, [vic]);

    // The real links reach their owners by email, and neither was anywhere in the ZIP.
    let reset_mail = mailbox::emailed(&env, "password_reset", vic).await;
    assert_eq!(reset_mail.subject, "Reset your EventKit password");
    assert!(
        !reset_mail.decoded.contains("Attacker"),
        "not branded by a tenant"
    );
    let reset = reset_mail.link().unwrap();
    let reset_token = reset.split("token=").nth(1).unwrap().to_owned();
    // The workers mailed A's open invitation meanwhile, into the env's mail folder.
    let invitation = mailbox::read(mail_dir.path())
        .into_iter()
        .find(|m| m.to.contains("someone@else.test"))
        .and_then(|m| m.link())
        .expect("the invitation was mailed");
    let invitation = invitation.split("token=").nth(1).unwrap().to_owned();
    for (name, text) in &files {
        for secret in [&reset_token, &invitation, &victims_invitation] {
            assert!(!text.contains(secret.as_str()), "{name} holds a token");
        }
    }
    let kept: i64 = sqlx::query_scalar("select count(*) from mail_links")
        .fetch_one(&su)
        .await
        .unwrap();
    assert_eq!(kept, 0, "mailed links are forgotten");
    env.call(
        None,
        "AuthService/ResetPassword",
        json!({"token": reset_token, "newPassword": "the victim's own new one"}),
    )
    .await
    .ok();
    env.call(
        None,
        "AuthService/SignIn",
        json!({"email": vic, "password": "the victim's own new one", "tenantId": b.id.to_string()}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn a_reset_needs_the_second_factor_and_turning_it_off_needs_a_current_code() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;
    let session = Some(ann.access_token.as_str());
    let started = env
        .call(session, "AuthService/StartTotpEnrollment", json!({}))
        .await;
    let secret = data_encoding::BASE32_NOPAD
        .decode(started.ok()["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    let step = || totp::step_of(chrono::Utc::now().timestamp());
    let confirmed = env
        .call(
            session,
            "AuthService/ConfirmTotpEnrollment",
            json!({"code": totp::code_at_step(&secret, step())}),
        )
        .await;
    let codes: Vec<String> =
        serde_json::from_value(confirmed.ok()["recoveryCodes"].clone()).unwrap();
    let reset_mail = || async {
        env.call(
            None,
            "AuthService/RequestPasswordReset",
            json!({"email": ann.email, "locale": "de-DE"}),
        )
        .await
        .ok();
        let mail = mailbox::emailed(&env, "password_reset", &ann.email).await;
        let link = mail.link().unwrap();
        (mail, link.split("token=").nth(1).unwrap().to_owned())
    };
    let reset = |body: Value| env.call(None, "AuthService/ResetPassword", body);

    // The email is in the language asked for, under EventKit's name, and says a code is needed.
    let (mail, token) = reset_mail().await;
    assert_eq!(mail.subject, "Passwort für EventKit zurücksetzen");
    assert!(mail.text.contains("Authenticator-App"), "{}", mail.text);
    assert!(
        mail.text.trim_end().ends_with("Gesendet von EventKit."),
        "{}",
        mail.text
    );
    // The link alone does not reset an account with a second factor; a wrong code neither.
    let alone = reset(json!({"token": token, "newPassword": ATTACKER_PASSWORD})).await;
    assert_eq!(alone.violated_fields(), ["totp_code"], "{}", alone.body);
    let wrong =
        reset(json!({"token": token, "newPassword": ATTACKER_PASSWORD, "totpCode": "000000"}))
            .await;
    assert_eq!(wrong.violated_fields(), ["totp_code"], "{}", wrong.body);
    let old = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": ann.email, "password": PASSWORD, "recoveryCode": codes[0]}),
        )
        .await;
    old.ok();
    // With a recovery code it works, and the second factor stays on.
    let new_password = "a much better passphrase";
    reset(json!({"token": token, "newPassword": new_password, "recoveryCode": codes[1]}))
        .await
        .ok();
    let password_only = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": ann.email, "password": new_password}),
        )
        .await;
    assert_eq!(password_only.code(), "unauthenticated");
    assert!(
        password_only.body["message"]
            .as_str()
            .unwrap()
            .contains("second factor")
    );

    // Five wrong codes end a link, even for the right code after them.
    let (_, token) = reset_mail().await;
    for _ in 0..5 {
        let wrong =
            reset(json!({"token": token, "newPassword": ATTACKER_PASSWORD, "totpCode": "123456"}))
                .await;
        assert_eq!(wrong.violated_fields(), ["totp_code"]);
    }
    let late =
        reset(json!({"token": token, "newPassword": ATTACKER_PASSWORD, "recoveryCode": codes[2]}))
            .await;
    assert_eq!(late.violated_fields(), ["token"], "{}", late.body);

    // Turning TOTP off with a session and the password is not enough: it needs a current code.
    let signed_in = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": ann.email, "password": new_password, "recoveryCode": codes[3]}),
        )
        .await;
    let access = signed_in.ok()["session"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let disable = |body: Value| env.call(Some(&access), "AuthService/DisableTotp", body);
    let password_only = disable(json!({"password": new_password})).await;
    assert_eq!(password_only.violated_fields(), ["totp_code"]);
    let stale = disable(json!({"password": new_password, "totpCode": "000000"})).await;
    assert_eq!(stale.violated_fields(), ["totp_code"]);
    let current = totp::code_at_step(&secret, step() + 1);
    disable(json!({"password": new_password, "totpCode": current}))
        .await
        .ok();
    env.call(
        None,
        "AuthService/SignIn",
        json!({"email": ann.email, "password": new_password}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn password_reset_requests_name_bad_fields() {
    let env = TestEnv::start().await;
    let bad = env
        .call(
            None,
            "AuthService/RequestPasswordReset",
            json!({"email": "nope", "locale": "not a language"}),
        )
        .await;
    assert_eq!(bad.violated_fields(), ["email", "locale"], "{}", bad.body);
    let queued: i64 = sqlx::query_scalar("select count(*) from account_emails")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(queued, 0, "nothing is written");
}

#[tokio::test]
async fn published_events_mailed_links_and_sent_account_emails_are_swept() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("A").await;
    let b = env.create_tenant("B").await;
    let su = env.admin_pool().await;
    for (tenant, published) in [
        (a.id, Some("8 days")),
        (a.id, Some("1 hour")),
        (a.id, None),
        (b.id, Some("30 days")),
    ] {
        let published =
            published.map_or("null".to_owned(), |age| format!("now() - interval '{age}'"));
        sqlx::query(&format!(
            "insert into outbox (tenant_id, id, event_type, payload, created_at, published_at) \
             values ($1, ek_uuid_v7(), 'product.created', '{{}}', now() - interval '31 days', {published})"
        ))
        .bind(tenant)
        .execute(&su)
        .await
        .unwrap();
    }
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let week = env.workers_config().outbox_retention;
    assert_eq!(week, Duration::from_secs(7 * 24 * 3600), "the default");
    assert_eq!(
        retention::sweep_published_events(&db, week).await.unwrap(),
        2
    );
    let left: Vec<(TenantId, bool)> = sqlx::query_as(
        "select tenant_id, published_at is null from outbox where event_type = 'product.created' \
         order by published_at nulls last",
    )
    .fetch_all(&su)
    .await
    .unwrap();
    assert_eq!(
        left,
        [(a.id, false), (a.id, true)],
        "the fresh and the unpublished event stay"
    );

    let mut conn = db.pool().acquire().await.unwrap();
    let now = chrono::Utc::now();
    let (gone, kept) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    for (id, until) in [
        (gone, now - chrono::Duration::seconds(1)),
        (kept, now + chrono::Duration::hours(1)),
    ] {
        links::keep(
            &mut conn,
            id,
            LinkedMessage::Invitation,
            "https://x/a?token=t",
            until,
        )
        .await
        .unwrap();
    }
    drop(conn);
    let user: uuid::Uuid = sqlx::query_scalar(
        "insert into users (id, email) values (ek_uuid_v7(), 'p@x.example') returning id",
    )
    .fetch_one(&su)
    .await
    .unwrap();
    for sent in ["8 days", "1 day"] {
        sqlx::query(&format!(
            "insert into account_emails (id, user_id, message, recipient, sent_at) \
             values (ek_uuid_v7(), $1, 'password_reset', 'p@x.example', now() - interval '{sent}')"
        ))
        .bind(user)
        .execute(&su)
        .await
        .unwrap();
    }
    assert_eq!(retention::sweep_mail(&db, week).await.unwrap(), 2);
    let links_left: Vec<uuid::Uuid> = sqlx::query_scalar("select id from mail_links")
        .fetch_all(&su)
        .await
        .unwrap();
    assert_eq!(links_left, [kept]);
    let emails_left: i64 = sqlx::query_scalar("select count(*) from account_emails")
        .fetch_one(&su)
        .await
        .unwrap();
    assert_eq!(emails_left, 1);

    // The period is configurable, in whole hours.
    let config = WorkersConfig::from_vars(&HashMap::from([(
        "EVENTKIT_OUTBOX_RETENTION_HOURS".to_owned(),
        "24".to_owned(),
    )]))
    .unwrap();
    assert_eq!(config.outbox_retention, Duration::from_secs(24 * 3600));
    for bad in ["0", "-1", "a week"] {
        let err = WorkersConfig::from_vars(&HashMap::from([(
            "EVENTKIT_OUTBOX_RETENTION_HOURS".to_owned(),
            bad.to_owned(),
        )]))
        .unwrap_err();
        assert_eq!(err.var, "EVENTKIT_OUTBOX_RETENTION_HOURS", "{bad}");
    }
}

/// A column added later whose name says secret, token or hash must be redacted (or its table
/// left out) before it can leave in an export.
#[tokio::test]
async fn every_secret_looking_column_of_a_tenant_table_stays_out_of_exports() {
    let env = TestEnv::start().await;
    let columns: Vec<(String, String)> = sqlx::query_as(
        "select c.table_name::text, c.column_name::text from information_schema.columns c \
         where c.table_schema = 'public' \
           and exists (select 1 from information_schema.columns t where t.table_schema = 'public' \
                       and t.table_name = c.table_name and t.column_name = 'tenant_id') \
           and (c.column_name like '%secret%' or c.column_name like '%token%' \
                or c.column_name like '%hash%') \
           and c.column_name not like '%\\_at' \
         order by 1, 2",
    )
    .fetch_all(&env.admin_pool().await)
    .await
    .unwrap();
    assert!(columns.len() >= 5, "{columns:?}");
    for (table, column) in columns {
        assert!(
            tables::LEFT_OUT.contains(&table.as_str())
                || tables::redacted(&table).contains(&column.as_str()),
            "{table}.{column} would be exported"
        );
    }
}
