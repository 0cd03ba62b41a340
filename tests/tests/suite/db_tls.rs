//! The services reach PostgreSQL over TLS as the database URL's `sslmode` says, with libpq's
//! meanings: `verify-full` checks the server's certificate against `sslrootcert` (or the
//! system's roots) and its name, `require` encrypts without checking, `disable` does not
//! encrypt, and a URL that says nothing encrypts when the server offers it (`prefer`). Run
//! through `Db` — its pool and its one-shot reads' own connections — against a private server
//! with a certificate from a throw-away CA ([`TlsPostgres`]).

use eventkit_platform::db::Db;
use eventkit_tests::postgres_tls::TlsPostgres;
use sqlx::Row;

const ENCRYPTED: &str = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";

/// Whether the pool's connection and the one-shot reads' connection are encrypted.
async fn encrypted(db: &Db) -> (bool, bool) {
    let pool: (bool,) = sqlx::query_as(ENCRYPTED)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let reads = db.reads().fetch_all(ENCRYPTED).await.unwrap();
    (pool.0, reads[0].get(0))
}

#[tokio::test]
async fn verify_full_connects_with_the_configured_root_and_refuses_an_unknown_issuer() {
    let server = TlsPostgres::start();
    let trusted = server.url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        server.pki.ca.display()
    ));
    let db = Db::connect_lazy(&trusted, 2).unwrap();
    assert_eq!(encrypted(&db).await, (true, true));

    // The same server without its CA configured: the system's roots do not know the issuer.
    let db = Db::connect_lazy(&server.url("sslmode=verify-full"), 2).unwrap();
    let err = sqlx::query("select 1")
        .execute(db.pool())
        .await
        .expect_err("an unknown issuer must be refused");
    let says_why = |err: &sqlx::Error| err.to_string().contains("certificate");
    assert!(
        says_why(&err),
        "the error should say the certificate was refused: {err}"
    );
    let err = db.reads().fetch_all("select 1").await.unwrap_err();
    assert!(says_why(&err), "{err}");
}

#[tokio::test]
async fn sslmode_require_and_prefer_encrypt_and_disable_does_not() {
    let server = TlsPostgres::start();
    for (params, expected) in [
        ("sslmode=require", (true, true)),
        // No sslmode at all: libpq's default, prefer.
        ("application_name=no-sslmode", (true, true)),
        ("sslmode=disable", (false, false)),
    ] {
        let db = Db::connect_lazy(&server.url(params), 2).unwrap();
        assert_eq!(encrypted(&db).await, expected, "{params}");
    }
}
