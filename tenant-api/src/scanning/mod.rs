//! The scanning slice: check-out against an event's pull list, check-in (partial returns,
//! damage to repair), stocktakes, progress of an event, and an asset's status log. Every scan runs in one
//! transaction that first looks for an earlier scan with the same client scan id (serialised per
//! id with an advisory lock): a replay answers the stored answer and changes nothing; otherwise
//! the code is resolved, the rules in `check_out`/`check_in` decide (along the walk they share,
//! `walk`), and the scan is stored with its answer next to the changes it made.

mod answer;
mod api;
mod check_in;
mod check_out;
mod progress;
mod resolve;
mod stocktake;
mod walk;

pub use api::ScanningApi;

use crate::{
    period::Window,
    store::{self, Lock},
};
use answer::{Answer, StoredScan};
use eventkit_domain::ids::EventId;
use eventkit_domain::{
    Violations, id,
    planning::MAX_QUANTITY,
    text::{TextRule, parse_code},
};
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{TenantDb, TenantTx},
};
use eventkit_proto::eventkit::v1 as pb;
use uuid::Uuid;

const CLIENT_SCAN_ID: TextRule = TextRule::required(100);
const NOTE: TextRule = TextRule::multiline(1000);

#[derive(Clone)]
pub struct Scanning {
    db: TenantDb,
}

impl Scanning {
    pub fn new(db: TenantDb) -> Self {
        Self { db }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    CheckOut,
    CheckIn,
    Stocktake,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::CheckOut => "check_out",
            Kind::CheckIn => "check_in",
            Kind::Stocktake => "stocktake",
        }
    }

    /// The request field naming what the scan is for.
    fn target_field(self) -> &'static str {
        match self {
            Kind::Stocktake => "stocktake_id",
            Kind::CheckOut | Kind::CheckIn => "event_id",
        }
    }
}

/// A checked scan request.
pub(crate) struct Scan {
    pub kind: Kind,
    pub client_scan_id: String,
    /// The event (check-out, check-in) or the stocktake.
    pub target: Uuid,
    pub code: String,
    /// As sent: 0 means "one" for bulk and "the unit" otherwise.
    pub quantity: i32,
    pub damaged: bool,
    pub note: String,
}

impl Scan {
    #[allow(clippy::too_many_arguments)]
    fn parse(
        kind: Kind,
        client_scan_id: &str,
        target: &str,
        code: &str,
        quantity: i32,
        damaged: bool,
        note: &str,
    ) -> Result<Self, ApiError> {
        let mut v = Violations::new();
        let client_scan_id = v.check(CLIENT_SCAN_ID.parse("client_scan_id", client_scan_id));
        let target = v.check(id::parse_id(kind.target_field(), target));
        let code = v.check(parse_code("code", code));
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            v.push(eventkit_domain::FieldViolation::new(
                "quantity",
                format!("must be between 0 and {MAX_QUANTITY}"),
            ));
        }
        let note = v.check(NOTE.parse("note", note));
        v.finish()?;
        Ok(Self {
            kind,
            client_scan_id: client_scan_id.unwrap(),
            target: target.unwrap(),
            code: code.unwrap(),
            quantity,
            damaged,
            note: note.unwrap(),
        })
    }
}

/// The event a scan is for, as the rules need it.
pub(crate) struct EventInfo {
    pub id: Uuid,
    pub status: eventkit_domain::planning::EventStatus,
    pub window: Option<Window>,
}

impl Scanning {
    /// Runs one scan: replay, or resolve + decide + store, in one transaction.
    async fn run(&self, p: &Principal, scan: Scan) -> Result<pb::ScanResult, ApiError> {
        let mut tx = self.db.tx(p).await?;
        sqlx::query("select pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2, 0))")
            .bind(tx.tenant_id())
            .bind(&scan.client_scan_id)
            .execute(&mut *tx)
            .await?;
        if let Some(stored) = StoredScan::find(&mut tx, &scan.client_scan_id).await? {
            stored.same_request(&scan)?;
            tx.commit().await?;
            return Ok(stored.answer.to_pb(true));
        }
        let answer = match scan.kind {
            Kind::Stocktake => stocktake::count(&mut tx, &scan).await?,
            Kind::CheckOut | Kind::CheckIn => {
                let event = event_info(&mut tx, scan.target).await?;
                let scanned = resolve::resolve(&mut tx, &scan.code).await?;
                if scan.kind == Kind::CheckOut {
                    check_out::decide(&mut tx, &event, &scan, scanned).await?
                } else {
                    check_in::decide(&mut tx, &event, &scan, scanned).await?
                }
            }
        };
        answer::store(&mut tx, &scan, &answer).await?;
        tx.commit().await?;
        Ok(answer.to_pb(false))
    }
}

async fn event_info(tx: &mut TenantTx, id: Uuid) -> Result<EventInfo, ApiError> {
    let row: crate::planning::EventRow = store::fetch(tx, EventId::from_uuid(id), Lock::No)
        .await
        .map_err(store::in_field("event_id"))?;
    if row.deleted_at.is_some() {
        return Err(ApiError::FailedPrecondition(format!(
            "event {id} is deleted"
        )));
    }
    Ok(EventInfo {
        id,
        status: crate::planning::status_of(&row.status),
        window: row.window(),
    })
}

/// The answer for a scan that found nothing to do, for one reason.
pub(crate) fn refuse(outcome: pb::ScanOutcome, message: impl Into<String>) -> Answer {
    Answer {
        outcome,
        message: message.into(),
        ..Answer::default()
    }
}
