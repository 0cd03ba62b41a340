//! Money is integer minor units plus an ISO-4217 currency; never a float.

use crate::FieldViolation;

/// A validated amount of money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

/// A three-letter upper-case ISO-4217 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency(String);

impl Currency {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldViolation> {
        if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldViolation::new(
                field,
                "must be a three-letter ISO-4217 code such as EUR",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Money {
    /// Parses a price: a non-negative amount with a currency.
    pub fn parse_price(
        field: &str,
        amount_minor: i64,
        currency: &str,
    ) -> Result<Self, FieldViolation> {
        if amount_minor < 0 {
            return Err(FieldViolation::new(
                format!("{field}.amount_minor"),
                "must not be negative",
            ));
        }
        let currency = Currency::parse(&format!("{field}.currency"), currency)?;
        Ok(Self {
            amount_minor,
            currency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_need_a_currency_and_no_negatives() {
        assert_eq!(
            Money::parse_price("daily_rate", 1250, "EUR")
                .unwrap()
                .currency
                .as_str(),
            "EUR"
        );
        assert_eq!(
            Money::parse_price("daily_rate", -1, "EUR")
                .unwrap_err()
                .field,
            "daily_rate.amount_minor"
        );
        assert_eq!(
            Money::parse_price("daily_rate", 1, "eur")
                .unwrap_err()
                .field,
            "daily_rate.currency"
        );
        assert!(Money::parse_price("daily_rate", 1, "").is_err());
    }
}
