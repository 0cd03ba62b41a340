//! Check-in rules. An asset that went out for this event comes back (to repair when damaged,
//! with the note kept in its status log); a case brings back every asset of it that is out for
//! the event; a bulk product counts units back against its line, never more than went out.
//! Partial returns are normal: what is still out shows in GetEventProgress.

use super::{
    EventInfo, Scan,
    answer::Answer,
    refuse,
    resolve::{Scanned, ScannedAsset},
    walk::{self, Count, Direction, Tally, out_for},
};
use crate::asset_status::{self, Change};
use eventkit_domain::ids::{AssetId, CaseId};
use eventkit_domain::{events::payloads::CaseAssetMoved, inventory::AssetStatus};
use eventkit_platform::{ApiError, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::ScanOutcome;
use uuid::Uuid;

/// Bringing things back from an event.
pub(crate) struct CheckIn;

/// Bulk units come back up to what went out (less what was consumed on the event).
const UNITS_IN: Tally = Tally {
    line: "select id, out_quantity, returned_quantity + consumed_quantity from event_lines \
           where tenant_id = $1 and event_id = $2 and product_id = $3 for update",
    add: "update event_lines set returned_quantity = returned_quantity + $3 where tenant_id = $1 and id = $2",
};

pub(crate) async fn decide(
    tx: &mut TenantTx,
    event: &EventInfo,
    scan: &Scan,
    scanned: Scanned,
) -> Result<Answer, ApiError> {
    walk::decide(&CheckIn, tx, event, scan, scanned).await
}

/// A temporary case is unpacked when it comes back: its assets leave it (`case.asset_removed`
/// for each, as when taken out by hand). Returns whether it was.
async fn empty_if_temporary(tx: &mut TenantTx, case: Uuid) -> Result<bool, ApiError> {
    let kind: String =
        sqlx::query_scalar("select kind from cases where tenant_id = $1 and id = $2")
            .bind(tx.tenant_id())
            .bind(case)
            .fetch_one(&mut **tx)
            .await?;
    if kind != "temporary" {
        return Ok(false);
    }
    let unpacked: Vec<Uuid> = sqlx::query_scalar(
        "update assets set case_id = null, updated_at = now() where tenant_id = $1 and case_id = $2 returning id",
    )
    .bind(tx.tenant_id())
    .bind(case)
    .fetch_all(&mut **tx)
    .await?;
    for asset in unpacked {
        let moved = CaseAssetMoved {
            case_id: CaseId::from_uuid(case),
            asset_id: AssetId::from_uuid(asset),
            previous_case_id: Some(CaseId::from_uuid(case)),
        };
        outbox::emit(tx, case, outbox::Event::CaseAssetRemoved(moved)).await?;
    }
    Ok(true)
}

impl Direction for CheckIn {
    /// An asset comes back alone or with its case alike (`via_case` does not matter).
    async fn asset(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        scan: &Scan,
        asset: &ScannedAsset,
        _via_case: Option<Uuid>,
    ) -> Result<Answer, ApiError> {
        let about = |answer: Answer| Answer {
            asset_ids: vec![asset.id],
            product_id: Some(asset.product_id),
            ..answer
        };
        let returned: Option<Option<chrono::DateTime<chrono::Utc>>> = sqlx::query_scalar(
            "select returned_at from event_assets where tenant_id = $1 and event_id = $2 and asset_id = $3 for update",
        )
        .bind(tx.tenant_id())
        .bind(event.id)
        .bind(asset.id)
        .fetch_optional(&mut **tx)
        .await?;
        match returned {
            None => {
                return Ok(about(match out_for(tx, asset.id).await? {
                    Some(other) => Answer {
                        other_event: Some(other),
                        ..refuse(ScanOutcome::OtherEvent, "out for another event")
                    },
                    None => refuse(ScanOutcome::NotOut, "it did not go out for this event"),
                }));
            }
            Some(Some(_)) => {
                return Ok(about(refuse(
                    ScanOutcome::AlreadyReturned,
                    "already back from this event",
                )));
            }
            Some(None) => {}
        }
        sqlx::query(
            "update event_assets set returned_at = now(), damaged = $4 \
             where tenant_id = $1 and event_id = $2 and asset_id = $3",
        )
        .bind(tx.tenant_id())
        .bind(event.id)
        .bind(asset.id)
        .bind(scan.damaged)
        .execute(&mut **tx)
        .await?;
        let message = if scan.damaged {
            crate::inventory::maintenance::open(
                tx,
                asset.id,
                &asset.status,
                Some(event.id),
                &scan.note,
                "damaged",
            )
            .await?;
            "checked in damaged: sent to repair"
        } else {
            let change = Change {
                asset: asset.id,
                from: &asset.status,
                to: AssetStatus::Available,
                event: Some(event.id),
                reason: "check_in",
                note: &scan.note,
            };
            asset_status::set(tx, &change).await?;
            "checked in"
        };
        Ok(about(Answer {
            counted: 1,
            ..refuse(ScanOutcome::Done, message)
        }))
    }

    async fn case(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        scan: &Scan,
        case: Uuid,
    ) -> Result<Answer, ApiError> {
        let mut back = Vec::new();
        let mut already = 0;
        for (asset, answer) in walk::contents(&CheckIn, tx, event, scan, case).await? {
            match answer.outcome {
                ScanOutcome::Done => back.push(asset),
                ScanOutcome::AlreadyReturned => already += 1,
                _ => {}
            }
        }
        let about = |answer: Answer| Answer {
            case_id: Some(case),
            ..answer
        };
        Ok(about(match (back.len(), already) {
            (0, 0) => refuse(
                ScanOutcome::NotOut,
                "nothing in the case went out for this event",
            ),
            (0, _) => refuse(
                ScanOutcome::AlreadyReturned,
                "everything in the case is already back",
            ),
            (n, _) => {
                let message = if empty_if_temporary(tx, case).await? {
                    format!("checked in {n} assets of the case and unpacked it (temporary case)")
                } else {
                    format!("checked in {n} assets of the case")
                };
                Answer {
                    counted: n as i32,
                    asset_ids: back,
                    ..refuse(ScanOutcome::Done, message)
                }
            }
        }))
    }

    async fn bulk(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        product: Uuid,
        quantity: i32,
    ) -> Result<Answer, ApiError> {
        let counted = walk::count_units(tx, event.id, product, quantity, &UNITS_IN).await?;
        let answer = match counted {
            Count::NoLine => refuse(
                ScanOutcome::NotOut,
                "none of this product went out for this event",
            ),
            Count::Full { most } => refuse(
                ScanOutcome::AlreadyReturned,
                format!("all {most} are already back"),
            ),
            Count::TooMany { left, .. } => {
                refuse(ScanOutcome::TooMany, format!("only {left} are still out"))
            }
            Count::Done { now, most } => Answer {
                counted: quantity,
                ..refuse(ScanOutcome::Done, format!("{now} of {most} back"))
            },
        };
        Ok(Answer {
            product_id: Some(product),
            ..answer
        })
    }
}
