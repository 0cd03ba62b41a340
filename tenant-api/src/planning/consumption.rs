//! Consumables used up on an event. When an event is marked returned, every unit of a
//! consumable product that went out and has not come back is consumed: counted on its
//! pull-list line (`consumed_quantity`, so it is no longer "missing") and taken off the
//! product's stock, which emits `stock.low` where a level falls to its reorder level.

use crate::inventory::stock;
use eventkit_domain::events::payloads::Consumed;
use eventkit_domain::ids::ProductId;
use eventkit_platform::{ApiError, db::TenantTx};
use uuid::Uuid;

/// Consumes what is still out of the event's consumables; returns what was consumed, for the
/// `event.status_changed` payload.
pub(crate) async fn consume_unreturned(
    tx: &mut TenantTx,
    event: Uuid,
) -> Result<Vec<Consumed>, ApiError> {
    let lines: Vec<(Uuid, Uuid, i32)> = sqlx::query_as(
        "select l.id, l.product_id, l.out_quantity - l.returned_quantity - l.consumed_quantity \
         from event_lines l join products p on p.tenant_id = l.tenant_id and p.id = l.product_id \
         where l.tenant_id = $1 and l.event_id = $2 and p.consumable \
           and l.out_quantity - l.returned_quantity - l.consumed_quantity > 0 \
         order by l.id for update of l",
    )
    .bind(tx.tenant_id())
    .bind(event)
    .fetch_all(&mut **tx)
    .await?;
    let mut consumed = Vec::with_capacity(lines.len());
    for (line, product, units) in lines {
        sqlx::query(
            "update event_lines set consumed_quantity = consumed_quantity + $3 \
             where tenant_id = $1 and id = $2",
        )
        .bind(tx.tenant_id())
        .bind(line)
        .bind(units)
        .execute(&mut **tx)
        .await?;
        let taken = stock::consume(tx, product, units).await?;
        if taken < units {
            tracing::warn!(tenant_id = %tx.tenant_id(), %event, %product, units, taken,
                "consumed more units than the recorded stock held; the stock stays at zero");
        }
        consumed.push(Consumed {
            product_id: ProductId::from_uuid(product),
            quantity: units,
        });
    }
    Ok(consumed)
}
