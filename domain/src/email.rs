//! Email addresses as typed by people: checked loosely (one `@`, a dotted domain, no spaces)
//! but surely, since the real check is the mail that reaches them.

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
}
