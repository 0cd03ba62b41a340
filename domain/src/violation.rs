//! Field violations: the one shape bad input is reported in, so every API can name the
//! offending field (`invalid_argument` with a `BadRequest` detail on the wire).

/// One invalid field: `field` is the request path in proto field names (`product.name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }

    /// The same violation one level down, e.g. `name` inside `product` → `product.name`.
    pub fn nested(self, parent: &str) -> Self {
        Self {
            field: format!("{parent}.{}", self.field),
            ..self
        }
    }
}

impl std::fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.description)
    }
}

/// Collects every violation of a request so the caller hears about all of them at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value when `result` is `Ok`, records the violation otherwise.
    pub fn check<T>(&mut self, result: Result<T, FieldViolation>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violation) => {
                self.0.push(violation);
                None
            }
        }
    }

    /// Like [`check`](Self::check) for a part of the request checked on its own.
    pub fn check_all<T>(&mut self, result: Result<T, Vec<FieldViolation>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violations) => {
                self.0.extend(violations);
                None
            }
        }
    }

    pub fn push(&mut self, violation: FieldViolation) {
        self.0.push(violation);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded.
    pub fn finish(self) -> Result<(), Vec<FieldViolation>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_violation_and_nests_paths() {
        let mut v = Violations::new();
        assert_eq!(v.check::<u8>(Ok(1)), Some(1));
        assert_eq!(
            v.check::<u8>(Err(FieldViolation::new("name", "required"))),
            None
        );
        v.push(FieldViolation::new("id", "bad").nested("product"));
        assert_eq!(v.check_all::<u8>(Ok(2)), Some(2));
        assert_eq!(
            v.check_all::<u8>(Err(vec![FieldViolation::new("a", "x")])),
            None
        );
        let all = v.finish().unwrap_err();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].field, "product.id");
    }
}
