//! Security review L7: the one-shot reads put the actor into their query text as a dollar-quoted
//! literal. Text that ends in the quote tag (`a$ek`) closed the literal early, so a principal
//! whose subject ends that way got `internal` on every one-shot read. Each tricky text must come
//! back from PostgreSQL exactly as it went in.

use eventkit_platform::db::one_shot::text_literal;
use eventkit_tests::TestEnv;

#[tokio::test]
async fn dollar_quoted_literals_survive_every_tag_shaped_text() {
    let env = TestEnv::start().await;
    let pool = env.admin_pool().await;
    for text in [
        "api_key:1",
        "a$ek",
        "a$ek$",
        "$ek$",
        "$ekx$a$ek",
        "x$ek$; select 1; --",
        "it's \\ $",
        "$",
        "",
    ] {
        let literal = text_literal(text);
        let back: String = sqlx::query_scalar(&format!("select {literal}"))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{text:?} as {literal}: {e}"));
        assert_eq!(back, text, "{literal}");
    }
}
