//! Maps database errors to API errors by SQLSTATE and constraint *name* (never message text).
//! A unique violation becomes `already_exists` naming the field; a foreign key that points at a
//! row the tenant cannot see becomes `not_found` naming the field, so another tenant's ids are
//! indistinguishable from ids that never existed; an exclusion constraint (a double booking)
//! becomes `failed_precondition`.

use crate::ApiError;

/// Constraint name → (request field, what the user is told).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "roles_name_key",
        "name",
        "a role with this name already exists",
    ),
    (
        "assets_code_key",
        "code",
        "an asset with this code already exists",
    ),
    (
        "cases_code_key",
        "code",
        "a case with this code already exists",
    ),
    ("assets_product_fk", "product_id", "product not found"),
    ("assets_location_fk", "location_id", "location not found"),
    ("assets_case_fk", "case_id", "case not found"),
    ("cases_location_fk", "location_id", "location not found"),
    (
        "locations_parent_fk",
        "parent_id",
        "parent location not found",
    ),
    ("events_project_fk", "project_id", "project not found"),
    ("event_lines_event_fk", "event_id", "event not found"),
    ("event_lines_product_fk", "product_id", "product not found"),
    ("event_lines_asset_fk", "asset_id", "asset not found"),
    ("event_lines_case_fk", "case_id", "case not found"),
    ("sub_rents_product_fk", "product_id", "product not found"),
    (
        "event_lines_product_key",
        "product_id",
        "the product is already on this pull list; change that line instead",
    ),
    (
        "event_lines_asset_key",
        "asset_id",
        "the asset is already on this pull list",
    ),
    (
        "event_lines_case_key",
        "case_id",
        "the case is already on this pull list",
    ),
    (
        "event_lines_asset_double_booked",
        "asset_id",
        "the asset is already reserved by another event for an overlapping period",
    ),
    (
        "event_lines_case_double_booked",
        "case_id",
        "the case is already reserved by another event for an overlapping period",
    ),
    (
        "maintenance_records_open_idx",
        "asset_id",
        "the asset already has an open maintenance record",
    ),
    (
        "api_keys_prefix_key",
        "api_key",
        "API key prefix collision; try again",
    ),
];

const UNIQUE_VIOLATION: &str = "23505";
const FOREIGN_KEY_VIOLATION: &str = "23503";
const CHECK_VIOLATION: &str = "23514";
const EXCLUSION_VIOLATION: &str = "23P01";
const SERIALIZATION_FAILURE: &str = "40001";
const DEADLOCK_DETECTED: &str = "40P01";

pub(crate) fn classify(err: sqlx::Error) -> ApiError {
    if let sqlx::Error::Database(db) = &err {
        let code = db.code().unwrap_or_default();
        let known = db
            .constraint()
            .and_then(|name| KNOWN.iter().find(|(n, _, _)| *n == name));
        match (code.as_ref(), known) {
            (UNIQUE_VIOLATION, Some((_, field, message))) => {
                return ApiError::AlreadyExists {
                    field: (*field).into(),
                    message: (*message).into(),
                };
            }
            (UNIQUE_VIOLATION, None) => {
                return ApiError::AlreadyExists {
                    field: String::new(),
                    message: "already exists".into(),
                };
            }
            (FOREIGN_KEY_VIOLATION, Some((_, field, message))) => {
                return ApiError::NotFound(format!("{field}: {message}"));
            }
            (EXCLUSION_VIOLATION, Some((_, field, message))) => {
                return ApiError::FailedPrecondition(format!("{field}: {message}"));
            }
            (CHECK_VIOLATION | EXCLUSION_VIOLATION, _) => {
                return ApiError::FailedPrecondition(format!(
                    "the change breaks the rule {}",
                    db.constraint().unwrap_or("of the table")
                ));
            }
            (SERIALIZATION_FAILURE | DEADLOCK_DETECTED, _) => {
                return ApiError::Aborted("concurrent change; retry the request".into());
            }
            _ => {}
        }
    }
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            ApiError::Unavailable("the database is unavailable; retry shortly".into())
        }
        other => ApiError::Internal(other.into()),
    }
}
