//! Postgres URL helpers: the role URLs default to the app URL's host and database with other
//! credentials, and tests and `eventkit migrate` point URLs at other databases.

/// The same URL with other credentials (the role URLs default to the app URL's host and database).
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// The database name in a Postgres URL (`eventkit` in `postgres://u@h:5432/eventkit?x=y`).
pub fn database_name(url: &str) -> Option<&str> {
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let name = path.split('?').next()?;
    (!name.is_empty()).then_some(name)
}

/// The same URL pointing at another database.
pub fn with_database(url: &str, database: &str) -> String {
    let (before, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = before.find("://").map_or(0, |i| i + 3);
    let base = before[authority..]
        .find('/')
        .map_or(before, |i| &before[..authority + i]);
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_helpers() {
        assert_eq!(
            database_name("postgres://u:p@h:1/db?sslmode=disable"),
            Some("db")
        );
        assert_eq!(database_name("postgres://u@h:1"), None);
        assert_eq!(
            with_database("postgres://u:p@h:1/db?x=1", "other"),
            "postgres://u:p@h:1/other?x=1"
        );
        assert_eq!(
            with_database("postgres://u@h:1", "other"),
            "postgres://u@h:1/other"
        );
        assert_eq!(
            with_user("postgres://a:b@h/db", "c", "d"),
            "postgres://c:d@h/db"
        );
    }
}
