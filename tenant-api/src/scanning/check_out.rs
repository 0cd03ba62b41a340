//! Check-out rules. An asset goes out against a line of the event's pull list that asks for it
//! (the asset itself, its case, or its product with units left); a case takes all its contents
//! out; a bulk product counts units against its line. Anything else gets an answer that says
//! exactly why nothing happened.

use super::{
    EventInfo, Scan,
    answer::Answer,
    refuse,
    resolve::{Scanned, ScannedAsset},
    walk::{self, Count, Direction, Tally, out_for},
};
use crate::asset_status::{self, Change};
use eventkit_domain::{inventory::AssetStatus, planning::EventStatus};
use eventkit_platform::{ApiError, db::TenantTx};
use eventkit_proto::eventkit::v1::ScanOutcome;
use uuid::Uuid;

/// Taking things out for an event.
pub(crate) struct CheckOut;

/// Bulk units go out up to what the line asks for.
const UNITS_OUT: Tally = Tally {
    line: "select id, quantity, out_quantity from event_lines \
           where tenant_id = $1 and event_id = $2 and product_id = $3 for update",
    add: "update event_lines set out_quantity = out_quantity + $3 where tenant_id = $1 and id = $2",
};

pub(crate) async fn decide(
    tx: &mut TenantTx,
    event: &EventInfo,
    scan: &Scan,
    scanned: Scanned,
) -> Result<Answer, ApiError> {
    if !matches!(
        event.status,
        EventStatus::Confirmed | EventStatus::Prepped | EventStatus::Out
    ) {
        return Err(ApiError::FailedPrecondition(format!(
            "event {} is {}; only confirmed, prepped or out events check out",
            event.id,
            event.status.as_str()
        )));
    }
    walk::decide(&CheckOut, tx, event, scan, scanned).await
}

/// The line of `event` an asset goes out against: its own line, its case's line (`via_case`,
/// or the case it sits in), else a line of its product with fewer units out than it asks for
/// (a unit that came back frees its place, e.g. for a replacement).
async fn line_for(
    tx: &mut TenantTx,
    event: Uuid,
    asset: &ScannedAsset,
    via_case: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    let direct: Option<Uuid> = sqlx::query_scalar(
        "select id from event_lines where tenant_id = $1 and event_id = $2 \
           and (asset_id = $3 or case_id = $4) order by asset_id nulls last limit 1",
    )
    .bind(tx.tenant_id())
    .bind(event)
    .bind(asset.id)
    .bind(via_case.or(asset.case_id))
    .fetch_optional(&mut **tx)
    .await?;
    if direct.is_some() {
        return Ok(direct);
    }
    Ok(sqlx::query_scalar(
        "select l.id from event_lines l where l.tenant_id = $1 and l.event_id = $2 and l.product_id = $3 \
           and l.quantity > (select count(*) from event_assets ea \
                             where ea.tenant_id = l.tenant_id and ea.line_id = l.id and ea.returned_at is null) \
         for update",
    )
    .bind(tx.tenant_id())
    .bind(event)
    .bind(asset.product_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Another live event whose reserving pull list holds `asset` (or its case) over this period.
async fn booked_elsewhere(
    tx: &mut TenantTx,
    event: &EventInfo,
    asset: Uuid,
    case: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    let Some(window) = event.window else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar(
        "select event_id from event_lines where tenant_id = $1 and event_id <> $2 and reserves \
           and starts_at < $6 and ends_at > $3 and (asset_id = $4 or case_id = $5) limit 1",
    )
    .bind(tx.tenant_id())
    .bind(event.id)
    .bind(window.start)
    .bind(asset)
    .bind(case)
    .bind(window.end)
    .fetch_optional(&mut **tx)
    .await?)
}

impl Direction for CheckOut {
    async fn asset(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        _scan: &Scan,
        asset: &ScannedAsset,
        via_case: Option<Uuid>,
    ) -> Result<Answer, ApiError> {
        let about = |answer: Answer| Answer {
            asset_ids: vec![asset.id],
            product_id: Some(asset.product_id),
            case_id: via_case,
            ..answer
        };
        match out_for(tx, asset.id).await? {
            Some(e) if e == event.id => {
                return Ok(about(refuse(
                    ScanOutcome::AlreadyOut,
                    "already out for this event",
                )));
            }
            Some(other) => {
                return Ok(about(Answer {
                    other_event: Some(other),
                    ..refuse(ScanOutcome::OtherEvent, "out for another event")
                }));
            }
            None => {}
        }
        if asset.status != AssetStatus::Available.as_str() {
            return Ok(about(refuse(
                ScanOutcome::NotAvailable,
                format!("the asset is {}", asset.status.replace('_', " ")),
            )));
        }
        let Some(line) = line_for(tx, event.id, asset, via_case).await? else {
            return Ok(
                match booked_elsewhere(tx, event, asset.id, asset.case_id).await? {
                    Some(other) => about(Answer {
                        other_event: Some(other),
                        ..refuse(ScanOutcome::OtherEvent, "booked by another event")
                    }),
                    None => about(refuse(
                        ScanOutcome::NotOnPullList,
                        "this event's pull list does not ask for it (or has all of its product)",
                    )),
                },
            );
        };
        sqlx::query(
            "insert into event_assets (tenant_id, event_id, asset_id, line_id) values ($1, $2, $3, $4) \
             on conflict (tenant_id, event_id, asset_id) do update set line_id = excluded.line_id, \
               checked_out_at = now(), returned_at = null, damaged = false",
        )
        .bind(tx.tenant_id())
        .bind(event.id)
        .bind(asset.id)
        .bind(line)
        .execute(&mut **tx)
        .await?;
        let change = Change {
            asset: asset.id,
            from: &asset.status,
            to: AssetStatus::CheckedOut,
            event: Some(event.id),
            reason: "check_out",
            note: "",
        };
        asset_status::set(tx, &change).await?;
        Ok(about(Answer {
            counted: 1,
            ..refuse(ScanOutcome::Done, "checked out")
        }))
    }

    async fn case(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        scan: &Scan,
        case: Uuid,
    ) -> Result<Answer, ApiError> {
        let on_list: Option<Uuid> = sqlx::query_scalar(
            "select id from event_lines where tenant_id = $1 and event_id = $2 and case_id = $3",
        )
        .bind(tx.tenant_id())
        .bind(event.id)
        .bind(case)
        .fetch_optional(&mut **tx)
        .await?;
        let about = |answer: Answer| Answer {
            case_id: Some(case),
            ..answer
        };
        if on_list.is_none() {
            let other: Option<Uuid> = match event.window {
                None => None,
                Some(window) => sqlx::query_scalar(
                    "select event_id from event_lines where tenant_id = $1 and event_id <> $2 and reserves \
                       and starts_at < $5 and ends_at > $3 and case_id = $4 limit 1",
                )
                .bind(tx.tenant_id())
                .bind(event.id)
                .bind(window.start)
                .bind(case)
                .bind(window.end)
                .fetch_optional(&mut **tx)
                .await?,
            };
            return Ok(about(match other {
                Some(other) => Answer {
                    other_event: Some(other),
                    ..refuse(
                        ScanOutcome::OtherEvent,
                        "the case is booked by another event",
                    )
                },
                None => refuse(
                    ScanOutcome::NotOnPullList,
                    "this event's pull list does not ask for this case",
                ),
            }));
        }
        let mut moved = Vec::new();
        let mut skipped = Vec::new();
        for (asset, answer) in walk::contents(&CheckOut, tx, event, scan, case).await? {
            if answer.outcome == ScanOutcome::Done {
                moved.push(asset);
            } else {
                skipped.push(format!("{asset}: {}", answer.message));
            }
        }
        if moved.is_empty() && !skipped.is_empty() {
            return Ok(about(refuse(
                ScanOutcome::AlreadyOut,
                format!("nothing in the case could go out ({})", skipped.join("; ")),
            )));
        }
        let message = if skipped.is_empty() {
            format!("checked out the case with {} assets", moved.len())
        } else {
            format!(
                "checked out {} assets of the case; not: {}",
                moved.len(),
                skipped.join("; ")
            )
        };
        Ok(about(Answer {
            counted: moved.len() as i32,
            asset_ids: moved,
            ..refuse(ScanOutcome::Done, message)
        }))
    }

    async fn bulk(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        product: Uuid,
        quantity: i32,
    ) -> Result<Answer, ApiError> {
        let counted = walk::count_units(tx, event.id, product, quantity, &UNITS_OUT).await?;
        let answer = match counted {
            Count::NoLine => refuse(
                ScanOutcome::NotOnPullList,
                "this event's pull list does not ask for this product",
            ),
            Count::Full { most } => refuse(
                ScanOutcome::AlreadyOut,
                format!("all {most} are already out"),
            ),
            Count::TooMany { left, most } => refuse(
                ScanOutcome::TooMany,
                format!("only {left} more of {most} are on the pull list"),
            ),
            Count::Done { now, most } => Answer {
                counted: quantity,
                ..refuse(ScanOutcome::Done, format!("{now} of {most} out"))
            },
        };
        Ok(Answer {
            product_id: Some(product),
            ..answer
        })
    }
}
