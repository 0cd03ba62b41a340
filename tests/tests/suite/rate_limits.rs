//! Rate limits through the real request path and real Redis: two tenant-api servers (each with
//! its own in-process limiter) share one budget, refusals carry `resource_exhausted` with retry
//! information over Connect and gRPC, tenants and principals have budgets of their own, and a
//! Redis that cannot be reached fails open. Also the shared script on its own (EVALSHA falling
//! back to EVAL).

use eventkit_platform::{
    metering::Redis,
    rate_limit::{Bucket, Decision, RateLimiter, shared::SharedGcra},
};
use eventkit_proto::eventkit::v1 as pb;
use eventkit_tests::{ConnectReply, Protocol, Tenant, TestEnv, connect};
use serde_json::json;
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};
use tonic::Code;
use tonic_types::StatusExt;
use uuid::Uuid;

const LIST: &str = "InventoryService/ListProducts";

/// Sets a tenant's rate-limit overrides (`None`: unlimited), as `ekctl quotas set` stores them.
async fn set_limits(env: &TestEnv, tenant: &Tenant, limits: &[(&str, Option<i64>)]) {
    let pool = env.admin_pool().await;
    for (key, value) in limits {
        sqlx::query(
            "insert into quota_overrides (tenant_id, key, value) values ($1, $2, $3) \
             on conflict (tenant_id, key) do update set value = excluded.value",
        )
        .bind(tenant.id)
        .bind(key)
        .bind(value)
        .execute(&pool)
        .await
        .expect("override");
    }
    pool.close().await;
}

/// Only a tenant-wide budget: `burst` at once, `rate` a second.
async fn tenant_budget(env: &TestEnv, tenant: &Tenant, rate: i64, burst: i64) {
    set_limits(
        env,
        tenant,
        &[
            ("requests_per_second", Some(rate)),
            ("request_burst", Some(burst)),
            ("principal_requests_per_second", None),
        ],
    )
    .await;
}

async fn list(addr: SocketAddr, key: &str) -> ConnectReply {
    connect::call(addr, Protocol::ConnectJson, Some(key), LIST, json!({})).await
}

/// Calls until refused (at most 5 times: budgets refill while a slow machine calls).
async fn refused_call(addr: SocketAddr, key: &str) -> ConnectReply {
    for _ in 0..5 {
        let reply = list(addr, key).await;
        if reply.status != 200 {
            return reply;
        }
    }
    panic!("never refused");
}

fn request_with(key: &str) -> tonic::Request<pb::ListProductsRequest> {
    let mut request = tonic::Request::new(pb::ListProductsRequest::default());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {key}").parse().unwrap());
    request
}

fn redis() -> Redis {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    Redis::new(redis::Client::open(url).expect("redis url"))
}

#[tokio::test]
async fn two_servers_share_one_budget() {
    let env = TestEnv::start().await;
    let other = env.another_server().await;
    let tenant = env.create_tenant("Pool").await;
    // 10 at once, then one a second: a pool of two must not admit 20.
    tenant_budget(&env, &tenant, 1, 10).await;

    let started = Instant::now();
    let mut admitted = [0u32; 2];
    for i in 0..40 {
        let server = i % 2;
        let addr = [env.addr, other.addr][server];
        let reply = list(addr, &tenant.api_key).await;
        match reply.code() {
            "ok" => admitted[server] += 1,
            "resource_exhausted" => {}
            other => panic!("unexpected answer {other}: {}", reply.body),
        }
    }
    let elapsed = started.elapsed();
    let total = admitted[0] + admitted[1];
    // The budget over the run: the burst plus what refilled meanwhile.
    let budget = 10 + elapsed.as_secs_f64().ceil() as u32;
    assert!(
        (10..=budget).contains(&total),
        "admitted {admitted:?} in {elapsed:?}; shared budget {budget}"
    );
    assert!(
        admitted[0] > 0 && admitted[1] > 0,
        "both servers admit from the one budget: {admitted:?}"
    );
    let _ = other.stop.send(());
}

#[tokio::test]
async fn refusals_carry_retry_info_over_connect_and_grpc() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Retry").await;
    set_limits(
        &env,
        &tenant,
        &[
            ("requests_per_second", None),
            ("principal_requests_per_second", Some(1)),
            ("principal_request_burst", Some(1)),
        ],
    )
    .await;

    let first = list(env.addr, &tenant.api_key).await;
    first.ok();
    assert_eq!(first.headers["ratelimit-remaining"], "0");

    // Connect JSON: HTTP 429, resource_exhausted, RetryInfo detail and Retry-After. (One a
    // second refills, so a slow machine may see another admitted first.)
    let refused = refused_call(env.addr, &tenant.api_key).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.code(), "resource_exhausted");
    assert_eq!(refused.headers["retry-after"], "1");
    let detail = refused.body["details"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["type"] == "google.rpc.RetryInfo"))
        .unwrap_or_else(|| panic!("no RetryInfo in {}", refused.body));
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(detail["value"].as_str().unwrap().trim_end_matches('='))
        .expect("base64");
    let info = <tonic_types::pb::RetryInfo as prost::Message>::decode(bytes.as_slice())
        .expect("RetryInfo");
    let delay = info.retry_delay.expect("retry_delay");
    assert!(
        delay.seconds == 0 && delay.nanos > 0 || delay.seconds == 1 && delay.nanos == 0,
        "at most one interval: {delay:?}"
    );

    // Connect binary answers errors the same way.
    let mut binary = None;
    for _ in 0..5 {
        let reply = connect::call(
            env.addr,
            Protocol::ConnectProto,
            Some(&tenant.api_key),
            LIST,
            json!({}),
        )
        .await;
        if reply.status != 200 {
            binary = Some(reply);
            break;
        }
    }
    assert_eq!(binary.expect("refused").code(), "resource_exhausted");

    // gRPC: the status, its RetryInfo detail and the header as metadata.
    let mut grpc = env.inventory_grpc().await;
    let mut status = None;
    for _ in 0..5 {
        if let Err(refused) = grpc.list_products(request_with(&tenant.api_key)).await {
            status = Some(refused);
            break;
        }
    }
    let status = status.expect("refused over gRPC");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    let retry = status
        .get_error_details()
        .retry_info()
        .cloned()
        .expect("RetryInfo detail");
    let delay = retry.retry_delay.expect("delay");
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(1),
        "{delay:?}"
    );
    assert_eq!(status.metadata().get("retry-after").unwrap(), "1");

    // Another key of the same tenant has a budget of its own.
    let second_key = env.admin_key(tenant.id).await;
    list(env.addr, &second_key).await.ok();

    // After the delay the first key is admitted again.
    tokio::time::sleep(delay).await;
    list(env.addr, &tenant.api_key).await.ok();
}

#[tokio::test]
async fn one_tenant_flooding_does_not_refuse_another() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("Flood").await;
    let b = env.create_tenant("Quiet").await;
    tenant_budget(&env, &a, 1, 3).await;
    tenant_budget(&env, &b, 1, 3).await;
    let mut refused = 0;
    for _ in 0..15 {
        if list(env.addr, &a.api_key).await.code() == "resource_exhausted" {
            refused += 1;
        }
    }
    assert!(refused >= 8, "A is limited: {refused} of 15 refused");
    // Every key of A shares A's tenant budget (one a second refills it).
    let other_key_of_a = env.admin_key(a.id).await;
    let started = Instant::now();
    let mut admitted = 0;
    for _ in 0..6 {
        if list(env.addr, &other_key_of_a).await.code() == "ok" {
            admitted += 1;
        }
    }
    assert!(
        admitted <= 1 + started.elapsed().as_secs() as u32 + 1,
        "{admitted} of 6 admitted from A's spent budget"
    );
    for n in 0..3 {
        let reply = list(env.addr, &b.api_key).await;
        assert_eq!(reply.code(), "ok", "B's call {n}: {}", reply.body);
    }
    // A tenant on an unlimited plan (enterprise, no overrides) is never refused.
    let unlimited = env.create_tenant("Unlimited").await;
    for _ in 0..30 {
        list(env.addr, &unlimited.api_key).await.ok();
    }
}

#[tokio::test]
async fn plan_limits_apply_and_overrides_beat_them() {
    let env = TestEnv::start_with([("EVENTKIT_RATE_LIMIT_CACHE_MS", "100")]).await;
    let tenant = env.create_tenant("Free").await;
    let pool = env.admin_pool().await;
    sqlx::query("update tenants set plan = 'free' where id = $1")
        .bind(tenant.id)
        .execute(&pool)
        .await
        .unwrap();
    let (rate, burst): (i64, i64) = sqlx::query_as(
        "select principal_requests_per_second, principal_request_burst from plans where key = 'free'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((rate, burst), (10, 30), "seeded per plan");
    pool.close().await;
    // The free plan's principal budget (30 at once, 10 a second) holds.
    let started = Instant::now();
    let mut admitted = 0;
    for _ in 0..60 {
        if list(env.addr, &tenant.api_key).await.code() == "ok" {
            admitted += 1;
        }
    }
    let budget = 30 + (started.elapsed().as_secs_f64() * 10.0).ceil() as u32;
    assert!(
        (30..=budget).contains(&admitted) && admitted < 60,
        "admitted {admitted} of 60, budget {budget}"
    );
    // Unlimited overrides beat the plan (once the cached limits expire).
    set_limits(
        &env,
        &tenant,
        &[
            ("requests_per_second", None),
            ("principal_requests_per_second", None),
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..40 {
        list(env.addr, &tenant.api_key).await.ok();
    }
}

#[tokio::test]
async fn redis_down_fails_open_to_the_local_limits() {
    // Nothing listens on port 1: every Redis call fails at once.
    let env = TestEnv::start_with([("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let tenant = env.create_tenant("No Redis").await;
    tenant_budget(&env, &tenant, 1, 3).await;
    for n in 0..3 {
        let reply = list(env.addr, &tenant.api_key).await;
        assert_eq!(reply.code(), "ok", "call {n} is served: {}", reply.body);
    }
    // The process still holds each bucket to its budget on its own.
    let refused = refused_call(env.addr, &tenant.api_key).await;
    assert_eq!(refused.code(), "resource_exhausted");
    assert!(refused.headers.contains_key("retry-after"));
    let metrics = connect::metrics(env.addr).await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("eventkit_rate_limit_redis_errors_total")),
        "the outage is counted"
    );
}

#[tokio::test]
async fn the_script_is_sent_again_when_redis_does_not_know_it() {
    let redis = redis();
    // A copy of the script Redis has never seen, so the first EVALSHA answers NOSCRIPT.
    let shared = SharedGcra::new(redis.clone(), Duration::from_secs(2))
        .with_script_suffix(&Uuid::now_v7().to_string());
    let mut conn = redis.connection().await.expect("redis");
    let exists = |conn: &mut redis::aio::ConnectionManager| {
        let sha = shared.script().sha().to_owned();
        let mut conn = conn.clone();
        async move {
            redis::cmd("SCRIPT")
                .arg("EXISTS")
                .arg(sha)
                .query_async::<Vec<i64>>(&mut conn)
                .await
                .unwrap()[0]
        }
    };
    assert_eq!(exists(&mut conn).await, 0);

    let key = format!("eventkit:ratelimit:test:{}", Uuid::now_v7());
    let bucket = Bucket::per_second(1, 3);
    let buckets = [(key.clone(), bucket)];
    for n in 0..3 {
        let out = shared.acquire(&[], &buckets).await.expect("script runs");
        assert!(out.admitted, "call {n}");
        assert_eq!(out.remaining, 2 - n);
    }
    assert_eq!(exists(&mut conn).await, 1, "EVAL cached it");
    let refused = shared.acquire(&[], &buckets).await.unwrap();
    assert!(!refused.admitted);
    let wait = refused.retry_after();
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        ttl > 0 && ttl <= 3000,
        "buckets expire once full again: {ttl}"
    );
}

#[tokio::test]
async fn operators_set_rate_limits_with_ekctl() {
    let env = TestEnv::start_with([("EVENTKIT_RATE_LIMIT_CACHE_MS", "100")]).await;
    let cp = env.control_plane().await;
    let ekctl = eventkit_tests::ekctl::Ekctl::new(cp.addr, &env.operator_token("rita").await);
    let shown = ekctl.json(&["plans", "show", "starter"]).await;
    assert_eq!(shown["plan"]["rateLimits"]["requestsPerSecond"], "50");
    assert_eq!(shown["plan"]["rateLimits"]["principalRequestBurst"], "75");
    let listed = ekctl.run(&["plans", "list"]).await;
    assert!(listed.stdout.contains("50/s (150)"), "{}", listed.stdout);
    assert!(listed.stdout.contains("unlimited"), "{}", listed.stdout);

    // A plan edit: the value is checked and the field named.
    let set = ekctl
        .json(&[
            "plans",
            "set",
            "starter",
            "request_burst",
            "40",
            "--reason",
            "t",
        ])
        .await;
    assert_eq!(set["plan"]["rateLimits"]["requestBurst"], "40");
    let refused = ekctl
        .run(&[
            "plans",
            "set",
            "starter",
            "request_burst",
            "0",
            "--reason",
            "t",
        ])
        .await;
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("plan.rate_limits.request_burst"),
        "{}",
        refused.stderr
    );

    // A tenant override through `ekctl quotas set`, enforced by the tenant API.
    let created = ekctl
        .json(&[
            "tenants",
            "create",
            "--name",
            "Rated",
            "--plan",
            "starter",
            "--api-key",
        ])
        .await;
    let id = created["tenant"]["id"].as_str().unwrap().to_owned();
    let key = created["apiKey"].as_str().unwrap().to_owned();
    for (limit, value) in [
        ("principal_requests_per_second", "1"),
        ("principal_request_burst", "2"),
    ] {
        let out = ekctl
            .run(&["quotas", "set", &id, limit, value, "--reason", "abuse"])
            .await;
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let bad = ekctl
        .run(&["quotas", "set", &id, "request_burst", "0", "--reason", "x"])
        .await;
    assert_eq!(bad.code, 4, "{}", bad.stderr);
    let unknown = ekctl
        .run(&["quotas", "set", &id, "speed", "3", "--reason", "x"])
        .await;
    assert!(
        unknown.stderr.contains("principal_request_burst"),
        "the known names are listed: {}",
        unknown.stderr
    );
    let mut admitted = 0;
    let started = Instant::now();
    for _ in 0..8 {
        if list(env.addr, &key).await.code() == "ok" {
            admitted += 1;
        }
    }
    assert!(
        admitted >= 2 && admitted <= 2 + started.elapsed().as_secs() as u32 + 1,
        "the override (burst 2, 1/s) holds: {admitted} of 8"
    );
    // `default` goes back to the plan's budget.
    ekctl
        .json(&[
            "quotas",
            "set",
            &id,
            "principal_request_burst",
            "default",
            "--reason",
            "ok",
        ])
        .await;
    let pool = env.admin_pool().await;
    let left: i64 = sqlx::query_scalar(
        "select count(*) from quota_overrides where tenant_id = $1 and key = 'principal_request_burst'",
    )
    .bind(Uuid::parse_str(&id).unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    pool.close().await;
    let _ = cp.stop.send(());
}

#[tokio::test]
async fn local_refusals_never_outlast_the_shared_ones() {
    // Two processes' limiters on one Redis; the database is never asked (buckets given).
    let db = eventkit_platform::db::Db::connect_lazy("postgres://nobody@127.0.0.1:1/none", 1)
        .expect("lazy pool");
    let config = eventkit_platform::rate_limit::RateLimitConfig::default();
    let a = RateLimiter::new(db.clone(), redis(), &config);
    let b = RateLimiter::new(db, redis(), &config);
    let key = format!("eventkit:ratelimit:test:{}", Uuid::now_v7());
    let budget = Bucket::per_second(2, 4);
    let buckets = [(key.clone(), budget)];
    let shared = SharedGcra::new(redis(), Duration::from_secs(2));

    for n in 0..4 {
        assert!(
            matches!(a.check_buckets(&buckets).await, Decision::Admitted { .. }),
            "call {n}"
        );
    }
    // B never called before, yet the shared budget is spent: Redis refuses it.
    let Decision::Refused(by_redis) = b.check_buckets(&buckets).await else {
        panic!("B admitted past the shared budget");
    };
    // A asks Redis, is refused, and remembers it: its next call is refused in process, never
    // for longer than Redis would refuse it.
    let Decision::Refused(_) = a.check_buckets(&buckets).await else {
        panic!("A admitted past the budget");
    };
    let Decision::Refused(local) = a.check_buckets(&buckets).await else {
        panic!("A admitted past the budget");
    };
    let direct = shared.acquire(&[], &buckets).await.unwrap();
    assert!(!direct.admitted, "Redis refuses too");
    assert!(
        local.0 <= direct.retry_after() + Duration::from_millis(50),
        "local {local:?} vs Redis {:?}",
        direct.retry_after()
    );
    assert!(by_redis.0 <= Duration::from_millis(500), "{by_redis:?}");

    // Once the wait is over both are admitted again: nothing lingers locally.
    tokio::time::sleep(local.0.max(by_redis.0) + Duration::from_millis(20)).await;
    assert!(matches!(
        a.check_buckets(&buckets).await,
        Decision::Admitted { .. }
    ));
    tokio::time::sleep(Duration::from_millis(520)).await;
    assert!(matches!(
        b.check_buckets(&buckets).await,
        Decision::Admitted { .. }
    ));
}
