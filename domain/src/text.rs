//! Bounded text inputs. Limits are counted in characters, trimmed, and control characters
//! are refused, so what a user typed is what every other user sees.

use crate::FieldViolation;

/// Rules for one text field.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub required: bool,
    pub max_chars: usize,
    /// Multi-line text (descriptions) may hold newlines and tabs.
    pub multiline: bool,
}

impl TextRule {
    pub const fn required(max_chars: usize) -> Self {
        Self {
            required: true,
            max_chars,
            multiline: false,
        }
    }
    pub const fn optional(max_chars: usize) -> Self {
        Self {
            required: false,
            max_chars,
            multiline: false,
        }
    }
    pub const fn multiline(max_chars: usize) -> Self {
        Self {
            required: false,
            max_chars,
            multiline: true,
        }
    }

    /// Trims and checks `raw`; the result is the value to store.
    pub fn parse(&self, field: &str, raw: &str) -> Result<String, FieldViolation> {
        let value = raw.trim();
        if value.is_empty() {
            return if self.required {
                Err(FieldViolation::new(field, "is required"))
            } else {
                Ok(String::new())
            };
        }
        let chars = value.chars().count();
        if chars > self.max_chars {
            return Err(FieldViolation::new(
                field,
                format!(
                    "must be at most {} characters (got {chars})",
                    self.max_chars
                ),
            ));
        }
        let bad =
            |c: char| c.is_control() && !(self.multiline && (c == '\n' || c == '\t' || c == '\r'));
        if value.chars().any(bad) {
            return Err(FieldViolation::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(value.to_owned())
    }
}

/// A barcode/QR code: 1 to 64 printable ASCII characters without spaces, as scanners emit.
pub fn parse_code(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldViolation::new(field, "is required"));
    }
    if value.len() > 64 {
        return Err(FieldViolation::new(field, "must be at most 64 characters"));
    }
    if !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(FieldViolation::new(
            field,
            "must be printable ASCII without spaces",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        let rule = TextRule::required(5);
        assert_eq!(rule.parse("name", "  abc ").unwrap(), "abc");
        assert_eq!(
            rule.parse("name", "   ").unwrap_err().description,
            "is required"
        );
        assert!(
            rule.parse("name", "abcdef")
                .unwrap_err()
                .description
                .contains("at most 5")
        );
        assert_eq!(
            rule.parse("name", "äöüßé").unwrap(),
            "äöüßé",
            "limits count characters"
        );
        assert!(rule.parse("name", "a\u{7}b").is_err());
    }

    #[test]
    fn multiline_allows_newlines_only_there() {
        assert!(TextRule::multiline(50).parse("d", "a\nb").is_ok());
        assert!(TextRule::optional(50).parse("d", "a\nb").is_err());
        assert_eq!(TextRule::optional(5).parse("d", "").unwrap(), "");
    }

    #[test]
    fn codes_are_printable_ascii() {
        assert_eq!(parse_code("code", " A-0001 ").unwrap(), "A-0001");
        assert!(parse_code("code", "A 1").is_err());
        assert!(parse_code("code", "").is_err());
        assert!(parse_code("code", &"x".repeat(65)).is_err());
    }
}
