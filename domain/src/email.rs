//! Email addresses as typed by people: checked loosely (one `@`, a dotted domain, no spaces)
//! but surely, since the real check is the mail that reaches them; and the language an email
//! is asked for in.

use crate::FieldViolation;

/// The trimmed address, or a violation of `field`.
pub fn parse_email(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let email = raw.trim();
    let bad = || FieldViolation::new(field, "must be an email address like admin@example.com");
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if email.chars().count() > 254
        || local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(email.to_owned())
}

/// The address as stored for accounts and invitations: trimmed and lower-cased, so one person
/// has one account whatever case they type.
pub fn parse_account_email(field: &str, raw: &str) -> Result<String, FieldViolation> {
    parse_email(field, raw).map(|e| e.to_lowercase())
}

/// The language an email is asked for in: empty (the default), or a language tag like `de`,
/// `en-GB` or `de_AT` (two or three letters, then letters, digits, `-` or `_`; at most 35).
pub fn parse_locale(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let locale = raw.trim();
    let language = locale.split(['-', '_']).next().unwrap_or_default();
    if locale.is_empty()
        || (locale.len() <= 35
            && (2..=3).contains(&language.len())
            && language.bytes().all(|b| b.is_ascii_alphabetic())
            && locale
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Ok(locale.to_owned());
    }
    Err(FieldViolation::new(
        field,
        "must be a language tag like de or en-GB (or empty for English)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_lower_case_and_bad_addresses_name_the_field() {
        assert_eq!(
            parse_account_email("email", " Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a nn@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(
                parse_email("email", bad).unwrap_err().field,
                "email",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn locales_are_language_tags_or_nothing() {
        for good in ["", "de", "en-GB", " de_AT ", "gsw"] {
            assert_eq!(parse_locale("locale", good).unwrap(), good.trim());
        }
        for bad in ["d", "deutsch", "1e", "de DE", "de;q=1", &"de-".repeat(20)] {
            assert_eq!(
                parse_locale("locale", bad).unwrap_err().field,
                "locale",
                "{bad:?}"
            );
        }
    }
}
