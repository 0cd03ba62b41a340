//! A scan's answer, and the stored scan that lets a replay give the same answer back.

use super::{Kind, Scan};
use crate::wire::opt_id;
use eventkit_domain::ids::{EventId, StocktakeId};
use eventkit_domain::{
    events::payloads::{ScanCreated, ScanTarget},
    id,
};
use eventkit_platform::{ApiError, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1 as pb;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub outcome: pb::ScanOutcome,
    pub message: String,
    pub asset_ids: Vec<Uuid>,
    pub case_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub counted: i32,
    pub other_event: Option<Uuid>,
}

impl Answer {
    pub fn to_pb(&self, replayed: bool) -> pb::ScanResult {
        pb::ScanResult {
            outcome: self.outcome as i32,
            message: self.message.clone(),
            asset_ids: self.asset_ids.iter().map(Uuid::to_string).collect(),
            case_id: opt_id(self.case_id),
            product_id: opt_id(self.product_id),
            quantity: self.counted,
            other_event_id: opt_id(self.other_event),
            replayed,
        }
    }
}

fn outcome_name(outcome: pb::ScanOutcome) -> &'static str {
    outcome.as_str_name()
}

#[derive(sqlx::FromRow)]
struct ScanRow {
    kind: String,
    target: Uuid,
    code: String,
    quantity: i32,
    outcome: String,
    message: String,
    asset_ids: Vec<Uuid>,
    case_id: Option<Uuid>,
    product_id: Option<Uuid>,
    counted: i32,
    other_event_id: Option<Uuid>,
}

/// An earlier scan with the same client scan id.
pub(crate) struct StoredScan {
    row: ScanRow,
    pub answer: Answer,
}

impl StoredScan {
    pub async fn find(tx: &mut TenantTx, client_scan_id: &str) -> Result<Option<Self>, ApiError> {
        let row: Option<ScanRow> = sqlx::query_as(
            "select kind, coalesce(event_id, stocktake_id) as target, code, quantity, outcome, message, asset_ids, case_id, product_id, counted, other_event_id \
             from scans where tenant_id = $1 and client_scan_id = $2",
        )
        .bind(tx.tenant_id())
        .bind(client_scan_id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.map(|row| {
            let answer = Answer {
                outcome: pb::ScanOutcome::from_str_name(&row.outcome)
                    .unwrap_or(pb::ScanOutcome::Unspecified),
                message: row.message.clone(),
                asset_ids: row.asset_ids.clone(),
                case_id: row.case_id,
                product_id: row.product_id,
                counted: row.counted,
                other_event: row.other_event_id,
            };
            StoredScan { row, answer }
        }))
    }

    /// A client scan id names one scan: reusing it for another request is refused.
    pub fn same_request(&self, scan: &Scan) -> Result<(), ApiError> {
        let r = &self.row;
        if r.kind == scan.kind.as_str()
            && r.target == scan.target
            && r.code == scan.code
            && r.quantity == scan.quantity
        {
            Ok(())
        } else {
            Err(ApiError::invalid(
                "client_scan_id",
                "was already used for a different scan",
            ))
        }
    }
}

/// Stores the scan with its answer and emits `scan.created`.
pub(crate) async fn store(tx: &mut TenantTx, scan: &Scan, answer: &Answer) -> Result<(), ApiError> {
    let id = id::new_id();
    let actor = tx.actor().0.clone();
    sqlx::query(
        "insert into scans (tenant_id, id, client_scan_id, kind, event_id, code, quantity, damaged, outcome, message, \
           asset_ids, case_id, product_id, counted, other_event_id, actor, stocktake_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(tx.tenant_id())
    .bind(id)
    .bind(&scan.client_scan_id)
    .bind(scan.kind.as_str())
    .bind((scan.kind != Kind::Stocktake).then_some(scan.target))
    .bind(&scan.code)
    .bind(scan.quantity)
    .bind(scan.damaged)
    .bind(outcome_name(answer.outcome))
    .bind(&answer.message)
    .bind(&answer.asset_ids)
    .bind(answer.case_id)
    .bind(answer.product_id)
    .bind(answer.counted)
    .bind(answer.other_event)
    .bind(actor)
    .bind((scan.kind == Kind::Stocktake).then_some(scan.target))
    .execute(&mut **tx)
    .await?;
    let created = ScanCreated {
        result: answer.to_pb(false),
        kind: scan.kind.as_str(),
        target: if scan.kind == Kind::Stocktake {
            ScanTarget::StocktakeId(StocktakeId::from_uuid(scan.target))
        } else {
            ScanTarget::EventId(EventId::from_uuid(scan.target))
        },
        client_scan_id: scan.client_scan_id.clone(),
    };
    outbox::emit(tx, id, outbox::Event::ScanCreated(created)).await?;
    Ok(())
}

impl Kind {
    #[cfg(test)]
    fn all() -> [Kind; 3] {
        [Kind::CheckOut, Kind::CheckIn, Kind::Stocktake]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip_through_their_stored_names() {
        for n in 1..=11 {
            let outcome = pb::ScanOutcome::try_from(n).unwrap();
            assert_eq!(
                pb::ScanOutcome::from_str_name(outcome_name(outcome)),
                Some(outcome)
            );
        }
        assert_eq!(
            Kind::all().map(Kind::as_str),
            ["check_out", "check_in", "stocktake"]
        );
    }
}
