//! A delivery the dispatcher has claimed: what sending it needs and what recording the attempt
//! reads. Its own module because both the [`super::dispatcher`] (which claims and sends it) and
//! the [`super::recorder`] (which records the attempt) hold it, and neither should import the
//! other for it.

use uuid::Uuid;

/// A claimed delivery, with what sending it needs.
#[derive(sqlx::FromRow)]
pub(super) struct Job {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub body: String,
    pub attempts: i32,
    pub url: String,
    pub usable: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
}
