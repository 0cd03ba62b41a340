//! The walk check-out and check-in share, written once: the code's resolution picks the path (an
//! unknown code is refused, an asset or a case is one unit, a bulk product counts units) and a
//! case is walked asset by asset, at any depth; bulk units are counted against the product's
//! line ([`count_units`]). Each direction ([`super::check_out`], [`super::check_in`]) says only
//! what happens to one asset and one case, which columns it counts units in, and the words.

use super::{
    EventInfo, Scan,
    answer::Answer,
    refuse,
    resolve::{Scanned, ScannedAsset, case_contents},
};
use eventkit_platform::{ApiError, db::TenantTx};
use eventkit_proto::eventkit::v1::ScanOutcome;
use uuid::Uuid;

/// What one direction of scanning does with each kind of thing a code names.
pub(crate) trait Direction {
    /// One asset; `via_case` is the case it moves with, when the case was scanned.
    async fn asset(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        scan: &Scan,
        asset: &ScannedAsset,
        via_case: Option<Uuid>,
    ) -> Result<Answer, ApiError>;

    /// A case with everything in it (its assets through [`contents`]).
    async fn case(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        scan: &Scan,
        case: Uuid,
    ) -> Result<Answer, ApiError>;

    /// `quantity` units of a bulk product.
    async fn bulk(
        &self,
        tx: &mut TenantTx,
        event: &EventInfo,
        product: Uuid,
        quantity: i32,
    ) -> Result<Answer, ApiError>;
}

/// Decides a scan for `event` in `direction`, by what the code named.
pub(crate) async fn decide(
    direction: &impl Direction,
    tx: &mut TenantTx,
    event: &EventInfo,
    scan: &Scan,
    scanned: Scanned,
) -> Result<Answer, ApiError> {
    match scanned {
        Scanned::Unknown => Ok(refuse(
            ScanOutcome::UnknownCode,
            format!(
                "no asset, case or bulk product has the code {:?}",
                scan.code
            ),
        )),
        Scanned::Asset(asset) => {
            single_unit(scan)?;
            direction.asset(tx, event, scan, &asset, None).await
        }
        Scanned::Case(case) => {
            single_unit(scan)?;
            direction.case(tx, event, scan, case).await
        }
        Scanned::Bulk(product) => {
            direction
                .bulk(tx, event, product, scan.quantity.max(1))
                .await
        }
    }
}

/// Every asset in `case` and the cases inside it through [`Direction::asset`], with its answer.
pub(crate) async fn contents(
    direction: &impl Direction,
    tx: &mut TenantTx,
    event: &EventInfo,
    scan: &Scan,
    case: Uuid,
) -> Result<Vec<(Uuid, Answer)>, ApiError> {
    let mut answers = Vec::new();
    for asset in case_contents(tx, case).await? {
        let answer = direction.asset(tx, event, scan, &asset, Some(case)).await?;
        answers.push((asset.id, answer));
    }
    Ok(answers)
}

/// How one direction counts units of a bulk product against the product's pull-list line.
pub(crate) struct Tally {
    /// Locks the line of the event (`$2`) for the product (`$3`): its id, the most this direction
    /// counts on it, and what it has counted so far.
    pub line: &'static str,
    /// Adds the scan's units (`$3`) to the line (`$2`).
    pub add: &'static str,
}

/// What a bulk scan came to, for the direction to put into words.
pub(crate) enum Count {
    /// No line of the product, or one with nothing to count.
    NoLine,
    /// All `most` units are counted already.
    Full { most: i32 },
    /// More units than the `left` of `most` that are still to count; nothing changed.
    TooMany { left: i32, most: i32 },
    /// Counted: `now` of `most`.
    Done { now: i32, most: i32 },
}

/// Counts `quantity` units of `product` against its line on `event` as `tally` says.
pub(crate) async fn count_units(
    tx: &mut TenantTx,
    event: Uuid,
    product: Uuid,
    quantity: i32,
    tally: &Tally,
) -> Result<Count, ApiError> {
    let line: Option<(Uuid, i32, i32)> = sqlx::query_as(tally.line)
        .bind(tx.tenant_id())
        .bind(event)
        .bind(product)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((line, most, counted)) = line.filter(|(_, most, _)| *most > 0) else {
        return Ok(Count::NoLine);
    };
    let left = most - counted;
    if left == 0 {
        return Ok(Count::Full { most });
    }
    if quantity > left {
        return Ok(Count::TooMany { left, most });
    }
    sqlx::query(tally.add)
        .bind(tx.tenant_id())
        .bind(line)
        .bind(quantity)
        .execute(&mut **tx)
        .await?;
    Ok(Count::Done {
        now: counted + quantity,
        most,
    })
}

/// Assets and cases are one unit: a quantity other than 0 or 1 is bad input.
fn single_unit(scan: &Scan) -> Result<(), ApiError> {
    if scan.quantity > 1 {
        return Err(ApiError::invalid(
            "quantity",
            "must be 0 or 1 for an asset or a case",
        ));
    }
    Ok(())
}

/// The event that has `asset` out right now, if any.
pub(crate) async fn out_for(tx: &mut TenantTx, asset: Uuid) -> Result<Option<Uuid>, ApiError> {
    Ok(sqlx::query_scalar(
        "select event_id from event_assets where tenant_id = $1 and asset_id = $2 and returned_at is null",
    )
    .bind(tx.tenant_id())
    .bind(asset)
    .fetch_optional(&mut **tx)
    .await?)
}
