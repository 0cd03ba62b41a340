//! Tenant exports end to end: requested through `ekctl tenants export --wait` (operator) or the
//! account service (tenant admin), written by the export consumer from a snapshot under the
//! tenant's row-level security, stored in S3 (`s3s-fs` in process, signatures checked for real)
//! or on the filesystem, downloaded through the expiring link with a plain HTTP client, and
//! checked row by row against the database; the admin gets the "export ready" email. Bad input
//! writes nothing, and a worker killed mid-export still yields a complete ZIP after a restart.

use eventkit_platform::{config::with_database, db::Db, storage::signed};
use eventkit_tests::{
    Tenant, TestEnv,
    connect::{self, Protocol},
    ekctl::Ekctl,
    exports::{S3Server, control_plane, until_finished, verify_zip, workers},
    faults::{NatsServer, WorkerProcess, run_worker_process},
};
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, time::Duration};
use uuid::Uuid;

/// The child process's entry (see `eventkit_tests::faults`); a no-op in a normal run.
#[tokio::test]
#[ignore = "the worker child process of the export fault test, run by it"]
async fn worker_process() {
    run_worker_process().await;
}

/// A tenant with seeded inventory and events, a soft-deleted product, and an admin contact.
/// Tables that change after the export's snapshot (its own row, events, mails, counters, the
/// key's last use): `verify_zip` only checks that each exported row still exists.
const CHANGING_DURING_EXPORT: &[&str] = &["exports", "email_messages", "usage_daily", "api_keys"];

async fn fill(env: &TestEnv, tenant: &Tenant, assets: usize, events: usize) {
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    eventkit_devtools::seed::seed(&db, tenant.id, assets, events, 3)
        .await
        .expect("seed");
    let created = env
        .call(
            Some(&tenant.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Retired fog machine, \"v1\"; 50% off"}),
        )
        .await;
    let product = created.ok()["product"]["id"].as_str().unwrap().to_owned();
    env.call(
        Some(&tenant.api_key),
        "InventoryService/DeleteProduct",
        json!({"id": product}),
    )
    .await
    .ok();
    sqlx::query("update tenants set admin_email = 'owner@acme.test' where id = $1")
        .bind(tenant.id)
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
}

async fn account(
    cp: SocketAddr,
    tenant: &Tenant,
    method: &str,
    body: Value,
) -> connect::ConnectReply {
    connect::call(
        cp,
        Protocol::ConnectJson,
        Some(&tenant.api_key),
        &format!("controlplane.v1.AccountService/{method}"),
        body,
    )
    .await
}

async fn download(url: &str) -> (u16, Vec<u8>) {
    let reply = reqwest::get(url).await.expect("GET the link");
    let status = reply.status().as_u16();
    (status, reply.bytes().await.unwrap().to_vec())
}

/// The `.eml` files the file transport wrote, as text.
fn mails(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_operator_export_lands_in_s3_with_every_row_and_a_presigned_link() {
    let s3 = S3Server::start().await;
    let mail_dir = tempfile::tempdir().unwrap();
    let mut vars = s3.vars();
    vars.insert(
        "EVENTKIT_MAIL_DIR".into(),
        mail_dir.path().display().to_string(),
    );
    let env = TestEnv::start_with(vars).await;
    let tenant = env.create_tenant("Acme").await;
    let other = env.create_tenant("Other").await;
    fill(&env, &tenant, 60, 8).await;
    fill(&env, &other, 20, 3).await;
    let (cp, config) = control_plane(&env).await;
    let _workers = workers(&env, &config, &tenant).await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("alice").await);

    let out = ekctl
        .run(&[
            "--json",
            "tenants",
            "export",
            &tenant.id.to_string(),
            "--wait",
            "--reason",
            "customer asked",
        ])
        .await;
    let export = out.json()["export"].clone();
    assert_eq!(export["status"], "EXPORT_STATUS_READY", "{export}");
    assert_eq!(export["requestedBy"], "operator:alice");
    assert_eq!(export["rowsDone"], export["rowsTotal"]);
    assert_eq!(export["tablesDone"], export["tablesTotal"]);
    let url = export["downloadUrl"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!(
            "http://{}/{}/tenant-data/exports/{}/",
            s3.addr,
            eventkit_tests::exports::S3_BUCKET,
            tenant.id
        )) && url.contains("X-Amz-Signature=")
            && url.contains("X-Amz-Expires=604"),
        "a presigned GET valid about 7 days: {url}"
    );
    let expires =
        chrono::DateTime::parse_from_rfc3339(export["expireTime"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!(
        (167..=168).contains(&days),
        "expires in 7 days, not {days} hours"
    );

    let (status, zip) = download(&url).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&zip));
    let admin = env.admin_pool().await;
    let checked = verify_zip(
        zip,
        &admin,
        tenant.id,
        &[other.id],
        &["exports", "email_messages", "usage_daily"],
    )
    .await;
    assert!(checked.tables >= 20, "{checked:?}");
    assert!(
        checked.per_table["assets"] >= 60 && checked.per_table["events"] >= 8,
        "{checked:?}"
    );
    assert!(
        checked.soft_deleted >= 1,
        "soft-deleted rows are exported: {checked:?}"
    );
    assert_eq!(
        export["rowsTotal"]
            .as_str()
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        checked.rows
    );

    // Tampered links are refused by the S3 server's signature check.
    let tampered_sig = {
        let i = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let flip = if &url[i..i + 1] == "0" { "1" } else { "0" };
        format!("{}{flip}{}", &url[..i], &url[i + 1..])
    };
    let other_key = url.replace(
        &format!("{}.zip", export["exportId"].as_str().unwrap()),
        &format!("{}.zip", Uuid::now_v7()),
    );
    let longer = {
        let i = url.find("X-Amz-Expires=").unwrap() + "X-Amz-Expires=".len();
        let digits = url[i..].find('&').map_or(url.len(), |n| i + n);
        let expires: u64 = url[i..digits].parse().unwrap();
        format!("{}{}{}", &url[..i], expires + 3600, &url[digits..])
    };
    assert_ne!(longer, url);
    for bad in [tampered_sig, other_key, longer] {
        let (status, _) = download(&bad).await;
        assert_eq!(status, 403, "a tampered link must not work: {bad}");
    }

    // The admin contact got the email with the link.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mail = loop {
        if let Some(m) = mails(mail_dir.path())
            .into_iter()
            .find(|m| m.contains("export is ready"))
        {
            break m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no export-ready email"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(mail.contains("owner@acme.test"), "{mail}");
    assert!(
        mail.replace("=\r\n", "")
            .replace("=3D", "=")
            .contains("X-Amz-Signature"),
        "the email carries the link"
    );

    // The operator audit names the export.
    let audit = ekctl
        .json(&["audit", "--tenant", &tenant.id.to_string()])
        .await;
    assert!(
        audit.to_string().contains("ExportTenant") && audit.to_string().contains("customer asked")
    );

    // Once the link has run out, the retention sweep removes the ZIP from S3: the export says
    // `expired`, has no link, and no longer counts as the tenant's storage.
    let export_id: Uuid = export["exportId"].as_str().unwrap().parse().unwrap();
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let storage = eventkit_platform::storage::Storage::from_config(&config.storage).unwrap();
    let sweep = || eventkit_workers::retention::sweep_expired_exports(&db, &storage);
    assert_eq!(sweep().await.unwrap(), 0, "nothing has expired yet");
    sqlx::query("update exports set expires_at = now() - interval '1 second' where id = $1")
        .bind(export_id)
        .execute(&admin)
        .await
        .unwrap();
    assert_eq!(sweep().await.unwrap(), 1);
    assert_eq!(
        sweep().await.unwrap(),
        0,
        "a second pass finds nothing left"
    );
    let (status, _) = download(&url).await;
    assert_eq!(
        status, 404,
        "the object is gone although the signature is still valid"
    );
    let shown = account(
        cp.addr,
        &tenant,
        "GetExport",
        json!({"exportId": export_id.to_string()}),
    )
    .await;
    let shown = shown.ok()["export"].clone();
    assert_eq!(shown["status"], "EXPORT_STATUS_EXPIRED", "{shown}");
    assert_eq!(shown["downloadUrl"], Value::Null, "{shown}");
    let usage = account(cp.addr, &tenant, "GetAccountUsage", json!({})).await;
    let storage = usage.ok()["usage"]["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "storage_bytes")
        .cloned()
        .expect("the storage_bytes quota is listed");
    // proto3 JSON leaves out a zero count.
    assert!(
        [Value::Null, json!("0")].contains(&storage["used"]),
        "an expired archive takes no storage: {storage}"
    );
}

#[tokio::test]
async fn a_tenant_admin_exports_to_the_filesystem_and_downloads_through_a_signed_link() {
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
    let tenant = env.create_tenant("Acme").await;
    let other = env.create_tenant("Other").await;
    fill(&env, &tenant, 30, 4).await;
    let (cp, config) = control_plane(&env).await;
    let _workers = workers(&env, &config, &tenant).await;

    let requested = account(cp.addr, &tenant, "RequestExport", json!({})).await;
    let export = requested.ok()["export"].clone();
    assert!(
        ["EXPORT_STATUS_QUEUED", "EXPORT_STATUS_RUNNING"]
            .contains(&export["status"].as_str().unwrap())
    );
    assert_eq!(
        export["downloadUrl"],
        Value::Null,
        "no link before it is ready"
    );
    let id = export["exportId"].as_str().unwrap().to_owned();
    let export = until_finished(Duration::from_secs(60), || async {
        account(cp.addr, &tenant, "GetExport", json!({"exportId": id}))
            .await
            .ok()["export"]
            .clone()
    })
    .await;
    assert_eq!(export["status"], "EXPORT_STATUS_READY", "{export}");
    let listed = account(cp.addr, &tenant, "ListExports", json!({})).await;
    assert_eq!(listed.ok()["exports"][0]["exportId"], id);

    let url = export["downloadUrl"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!(
            "http://{}/objects/exports/{}/{id}.zip?expires=",
            cp.addr, tenant.id
        )),
        "{url}"
    );
    let (status, zip) = download(&url).await;
    assert_eq!(status, 200);
    // The archive counts as the tenant's storage.
    let usage = account(cp.addr, &tenant, "GetAccountUsage", json!({})).await;
    let storage = usage.ok()["usage"]["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "storage_bytes")
        .cloned()
        .unwrap();
    assert_eq!(storage["used"], zip.len().to_string(), "{storage}");
    let admin = env.admin_pool().await;
    let checked = verify_zip(zip, &admin, tenant.id, &[other.id], CHANGING_DURING_EXPORT).await;
    assert!(
        checked.soft_deleted >= 1 && checked.per_table["assets"] >= 30,
        "{checked:?}"
    );

    // Tampered, forged and expired links are refused.
    let key = format!("exports/{}/{id}.zip", tenant.id);
    let past = chrono::Utc::now().timestamp() - 1;
    let expired = signed::sign(
        &config.storage.download_base_url,
        &config.storage.signing_key,
        &key,
        past,
    );
    let forged = signed::sign(
        &config.storage.download_base_url,
        &eventkit_platform::secret::Secret::new("guess".into()),
        &key,
        past + 86_400,
    );
    let other_tenant = url.replace(&tenant.id.to_string(), &other.id.to_string());
    let later = url.replace("?expires=", "?expires=9");
    for (bad, why) in [
        (expired, "expired"),
        (forged, "signature"),
        (other_tenant, "signature"),
        (later, "signature"),
    ] {
        let (status, body) = download(&bad).await;
        assert_eq!(status, 403, "{bad}");
        assert!(
            String::from_utf8_lossy(&body).contains(why),
            "{bad}: {}",
            String::from_utf8_lossy(&body)
        );
    }

    // Another tenant's admin cannot see it.
    let theirs = account(cp.addr, &other, "GetExport", json!({"exportId": id})).await;
    assert_eq!(theirs.code(), "not_found", "{:?}", theirs.body);
    let listed = account(cp.addr, &other, "ListExports", json!({})).await;
    assert_eq!(listed.ok().get("exports"), None, "{:?}", listed.body);

    // Erasing the tenant removes its export from storage too.
    assert!(objects.path().join(&key).exists());
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("alice").await);
    let tid = tenant.id.to_string();
    ekctl
        .json(&["tenants", "delete", &tid, "--reason", "ended"])
        .await;
    ekctl
        .json(&[
            "tenants",
            "erase",
            &tid,
            "--confirm",
            &tid,
            "--reason",
            "asked",
        ])
        .await;
    assert!(
        !objects.path().join(&key).exists(),
        "the ZIP outlived the erasure"
    );
}

#[tokio::test]
async fn bad_export_requests_get_clear_errors_and_write_nothing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Acme").await;
    let (cp, _config) = control_plane(&env).await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("alice").await);
    let admin = env.admin_pool().await;
    let written = || async {
        let exports: i64 = sqlx::query_scalar("select count(*) from exports")
            .fetch_one(&admin)
            .await
            .unwrap();
        let events: i64 =
            sqlx::query_scalar("select count(*) from outbox where event_type like 'export.%'")
                .fetch_one(&admin)
                .await
                .unwrap();
        (exports, events)
    };

    let unknown = Uuid::now_v7().to_string();
    let out = ekctl.run(&["tenants", "export", &unknown]).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("not_found") && out.stderr.contains(&unknown),
        "{}",
        out.stderr
    );
    let out = ekctl
        .run(&["--json", "tenants", "export", "not-a-tenant"])
        .await;
    assert_eq!(out.code, 4, "{}", out.stderr);
    let error: Value = serde_json::from_str(out.stderr.trim()).unwrap();
    assert_eq!(error["code"], "invalid_argument");
    assert!(
        error["message"].as_str().unwrap().contains("tenant_id"),
        "{error}"
    );
    let out = ekctl.run(&["tenants", "export"]).await;
    assert_eq!(out.code, 2, "a missing tenant is a usage error");

    // An erased tenant has nothing left to export.
    let id = tenant.id.to_string();
    ekctl
        .json(&["tenants", "delete", &id, "--reason", "ended"])
        .await;
    ekctl
        .json(&[
            "tenants",
            "erase",
            &id,
            "--confirm",
            &id,
            "--reason",
            "asked",
        ])
        .await;
    let out = ekctl.run(&["tenants", "export", &id, "--wait"]).await;
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("failed_precondition") && out.stderr.contains("erased"),
        "{}",
        out.stderr
    );
    let out = ekctl
        .run(&["tenants", "export", &id, "--reason", &"x".repeat(2000)])
        .await;
    assert_eq!(out.code, 4, "an overlong reason is refused: {}", out.stderr);
    assert_eq!(written().await, (0, 0), "nothing was written");

    // The admin side: a bad export id names the field; an unknown one is not found.
    let live = env.create_tenant("Live").await;
    let reply = account(cp.addr, &live, "GetExport", json!({"exportId": "nope"})).await;
    assert_eq!(
        (reply.code(), reply.violated_fields()),
        ("invalid_argument", vec!["export_id".to_owned()])
    );
    let reply = account(
        cp.addr,
        &live,
        "GetExport",
        json!({"exportId": Uuid::now_v7().to_string()}),
    )
    .await;
    assert_eq!(reply.code(), "not_found");
    let reply = account(cp.addr, &live, "ListExports", json!({"pageSize": 501})).await;
    assert_eq!(
        (reply.code(), reply.violated_fields()),
        ("invalid_argument", vec!["page_size".to_owned()])
    );
    let reply = ekctl
        .run(&["tenants", "export", &live.id.to_string()])
        .await;
    assert_eq!(reply.code, 0, "{}", reply.stderr);
    assert!(
        reply.stdout.contains("status:") && reply.stdout.contains("queued"),
        "{}",
        reply.stdout
    );
    let bad = json!({"tenantId": live.id.to_string(), "exportId": "x"});
    let token = env.operator_token("bob").await;
    let reply = connect::call(
        cp.addr,
        Protocol::ConnectJson,
        Some(&token),
        "controlplane.v1.OperatorTenantService/GetTenantExport",
        bad,
    )
    .await;
    assert_eq!(reply.violated_fields(), ["export_id"]);
}

#[tokio::test]
async fn a_worker_killed_mid_export_still_produces_a_complete_export() {
    let objects = tempfile::tempdir().unwrap();
    let storage_url = format!("file://{}", objects.path().display());
    let mail_dir = tempfile::tempdir().unwrap();
    let env = TestEnv::start_with(HashMap::from([
        ("EVENTKIT_STORAGE_URL".to_owned(), storage_url.clone()),
        (
            "EVENTKIT_MAIL_DIR".to_owned(),
            mail_dir.path().display().to_string(),
        ),
    ]))
    .await;
    let tenant = env.create_tenant("Big").await;
    fill(&env, &tenant, 20_000, 1_000).await;
    let nats = NatsServer::start().await;
    let (cp, config) = control_plane(&env).await;
    let vars = vec![
        (
            "DATABASE_URL".to_owned(),
            with_database(env.config.database.app.expose(), &env.database),
        ),
        ("NATS_URL".to_owned(), nats.url()),
        ("EVENTKIT_STORAGE_URL".to_owned(), storage_url),
        (
            "EVENTKIT_DOWNLOAD_URL".to_owned(),
            config.storage.download_base_url.clone(),
        ),
        ("EVENTKIT_EXPORT_LEASE_MS".to_owned(), "2000".to_owned()),
        (
            "EVENTKIT_MAIL_DIR".to_owned(),
            mail_dir.path().display().to_string(),
        ),
        ("EVENTKIT_JOB_ACK_WAIT_MS".to_owned(), "3000".to_owned()),
    ];
    let mut worker = WorkerProcess::spawn("export::worker_process", &vars);
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("alice").await);
    let started = ekctl
        .json(&["tenants", "export", &tenant.id.to_string()])
        .await;
    let id = started["export"]["exportId"].as_str().unwrap().to_owned();
    let admin = env.admin_pool().await;
    let progress = || async {
        sqlx::query_as::<_, (String, i64, i64, i32)>(
            "select status, rows_done, rows_total, attempts from exports where id = $1::uuid",
        )
        .bind(&id)
        .fetch_one(&admin)
        .await
        .unwrap()
    };
    // Kill it once it has written some rows but not all.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, done, total, _) = progress().await;
        assert_ne!(
            status, "ready",
            "the export finished before the kill; make the tenant bigger"
        );
        if status == "running" && done > 0 && done < total {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the export never got going"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.kill();
    let (status, done, total, attempts) = progress().await;
    assert_eq!(
        (status.as_str(), attempts),
        ("running", 1),
        "killed mid-way ({done}/{total})"
    );

    let _worker = WorkerProcess::spawn("export::worker_process", &vars);
    let token = env.operator_token("poller").await;
    let export = until_finished(Duration::from_secs(180), || async {
        let body = json!({"tenantId": tenant.id.to_string(), "exportId": id});
        let reply = connect::call(
            cp.addr,
            Protocol::ConnectJson,
            Some(&token),
            "controlplane.v1.OperatorTenantService/GetTenantExport",
            body,
        )
        .await;
        reply.ok()["export"].clone()
    })
    .await;
    assert_eq!(export["status"], "EXPORT_STATUS_READY", "{export}");
    assert!(
        export["attempts"].as_i64().unwrap() >= 2,
        "started again: {export}"
    );
    let (status, zip) = download(export["downloadUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let checked = verify_zip(zip, &admin, tenant.id, &[], CHANGING_DURING_EXPORT).await;
    assert!(checked.per_table["assets"] >= 20_000, "{checked:?}");
    assert_eq!(
        export["rowsTotal"]
            .as_str()
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        checked.rows
    );
    let leftovers: Vec<_> =
        std::fs::read_dir(objects.path().join("exports").join(tenant.id.to_string()))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
    assert_eq!(
        leftovers,
        [format!("{id}.zip")],
        "one object, no partial files"
    );
}
