//! The data generator behind `eventkit seed`: a warehouse with zones, products (serialised and
//! bulk, with stock levels), serialised assets and events with pull lists spread over a year
//! around today, for demos and benches. It bulk-loads rows in one `TenantTx` (chunked `unnest`
//! inserts, ids made here), so row-level security and the history triggers apply as usual; it
//! emits no outbox events — a load, not business changes that webhooks should hear about.

use chrono::{Duration, Utc};
use eventkit_domain::id::new_id;
use eventkit_domain::ids::TenantId;
use eventkit_platform::db::{Actor, Db, TenantTx};
use eventkit_tenant_api::bookings::sync_all_lines;
use sqlx::postgres::types::PgRange;
use std::ops::Bound;
use uuid::Uuid;

/// Rows per insert statement.
const CHUNK: usize = 5_000;
const CATEGORIES: [&str; 5] = ["Lighting", "Audio", "Video", "Rigging", "Power"];
/// Status of generated events, by weight out of 20.
const STATUSES: [(&str, u64); 5] = [
    ("enquiry", 3),
    ("provisional", 3),
    ("confirmed", 6),
    ("completed", 6),
    ("cancelled", 2),
];

/// How much was made.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Seeded {
    pub products: usize,
    pub assets: usize,
    pub events: usize,
    pub lines: usize,
}

/// xorshift64*: deterministic for a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Inserts `rows` into `table` in chunks of [`CHUNK`]: one array parameter per column, cast as
/// given (e.g. `uuid[]`), bound by `bind`.
async fn insert<T>(
    tx: &mut TenantTx,
    table: &str,
    columns: &[(&str, &str)],
    rows: &[T],
    bind: impl for<'q> Fn(Query<'q>, &[T]) -> Query<'q>,
) -> Result<(), sqlx::Error> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, cast))| format!("${}::{cast}", i + 2))
        .collect();
    let sql = format!(
        "insert into {table} (tenant_id, {}) select $1, * from unnest({})",
        names.join(", "),
        arrays.join(", ")
    );
    for chunk in rows.chunks(CHUNK) {
        let query = sqlx::query(&sql).bind(tx.tenant_id());
        bind(query, chunk).execute(&mut **tx).await?;
    }
    Ok(())
}

struct Event {
    id: Uuid,
    name: String,
    status: &'static str,
    period: PgRange<chrono::DateTime<Utc>>,
}

/// Generates `assets` assets and `events` events for `tenant` (seeded by `seed`).
pub async fn seed(
    db: &Db,
    tenant: TenantId,
    assets: usize,
    events: usize,
    seed: u64,
) -> anyhow::Result<Seeded> {
    let mut rng = Rng(seed | 1);
    let run = format!("{:04X}", rng.below(0x10000));
    let mut tx = db.tenant_tx(tenant, &Actor::system("seed")).await?;

    let warehouse = new_id();
    let zones: Vec<Uuid> = (0..4).map(|_| new_id()).collect();
    sqlx::query(
        "insert into locations (tenant_id, id, name, kind) values ($1, $2, $3, 'warehouse')",
    )
    .bind(tenant)
    .bind(warehouse)
    .bind(format!("Seed warehouse {run}"))
    .execute(&mut *tx)
    .await?;
    let zone_rows: Vec<(Uuid, String)> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (*z, format!("Zone {}", i + 1)))
        .collect();
    insert(
        &mut tx,
        "locations",
        &[
            ("id", "uuid[]"),
            ("name", "text[]"),
            ("parent_id", "uuid[]"),
            ("kind", "text[]"),
        ],
        &zone_rows,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>())
                .bind(vec![warehouse; rows.len()])
                .bind(vec!["zone"; rows.len()])
        },
    )
    .await?;

    let serialised = (assets / 25).max(1);
    let bulk = (serialised / 10).max(1);
    let products: Vec<(Uuid, String, &str, String, &str)> = (0..serialised + bulk)
        .map(|n| {
            let is_bulk = n >= serialised;
            let category = CATEGORIES[n % CATEGORIES.len()];
            let (mode, sku) = if is_bulk {
                ("bulk", format!("SEED-{run}-B{n}"))
            } else {
                ("serialised", format!("SEED-{run}-P{n}"))
            };
            (
                new_id(),
                format!("{category} item {run}-{n}"),
                category,
                sku,
                mode,
            )
        })
        .collect();
    insert(
        &mut tx,
        "products",
        &[
            ("id", "uuid[]"),
            ("name", "text[]"),
            ("category", "text[]"),
            ("sku", "text[]"),
            ("tracking_mode", "text[]"),
        ],
        &products,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.3.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.4).collect::<Vec<_>>())
        },
    )
    .await?;

    let asset_rows: Vec<(Uuid, Uuid, String, Uuid)> = (0..assets)
        .map(|n| {
            let product = products[rng.below(serialised)].0;
            (
                new_id(),
                product,
                format!("SEED-{run}-{n:06}"),
                zones[rng.below(zones.len())],
            )
        })
        .collect();
    insert(
        &mut tx,
        "assets",
        &[
            ("id", "uuid[]"),
            ("product_id", "uuid[]"),
            ("code", "text[]"),
            ("location_id", "uuid[]"),
        ],
        &asset_rows,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.3).collect::<Vec<_>>())
        },
    )
    .await?;
    let stock: Vec<(Uuid, Uuid, i32)> = products[serialised..]
        .iter()
        .map(|p| (new_id(), p.0, 50 + rng.below(450) as i32))
        .collect();
    insert(
        &mut tx,
        "stock_levels",
        &[
            ("id", "uuid[]"),
            ("product_id", "uuid[]"),
            ("quantity", "int[]"),
            ("location_id", "uuid[]"),
        ],
        &stock,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
                .bind(vec![warehouse; rows.len()])
        },
    )
    .await?;

    let today = Utc::now()
        .date_naive()
        .and_hms_opt(8, 0, 0)
        .expect("08:00")
        .and_utc();
    let weight: u64 = STATUSES.iter().map(|(_, w)| w).sum();
    let event_rows: Vec<Event> = (0..events)
        .map(|n| {
            let start = today + Duration::days(rng.below(365) as i64 - 180);
            let end = start + Duration::days(1 + rng.below(7) as i64);
            let mut pick = rng.next() % weight;
            let status = STATUSES
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or("enquiry", |(s, _)| s);
            Event {
                id: new_id(),
                name: format!("Seed event {run}-{n}"),
                status,
                period: PgRange {
                    start: Bound::Included(start),
                    end: Bound::Excluded(end),
                },
            }
        })
        .collect();
    insert(
        &mut tx,
        "events",
        &[
            ("id", "uuid[]"),
            ("name", "text[]"),
            ("status", "text[]"),
            ("period", "tstzrange[]"),
        ],
        &event_rows,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.status).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.period).collect::<Vec<_>>())
        },
    )
    .await?;
    let mut lines: Vec<(Uuid, Uuid, Uuid, i32)> = Vec::new();
    for event in &event_rows {
        let mut picked: Vec<usize> = Vec::new();
        for _ in 0..2 + rng.below(5) {
            let product = rng.below(products.len());
            if !picked.contains(&product) {
                picked.push(product);
                lines.push((
                    new_id(),
                    event.id,
                    products[product].0,
                    1 + rng.below(8) as i32,
                ));
            }
        }
    }
    insert(
        &mut tx,
        "event_lines",
        &[
            ("id", "uuid[]"),
            ("event_id", "uuid[]"),
            ("product_id", "uuid[]"),
            ("quantity", "int[]"),
        ],
        &lines,
        |q, rows| {
            q.bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.3).collect::<Vec<_>>())
        },
    )
    .await?;
    sync_all_lines(&mut tx).await?;
    tx.commit().await?;
    Ok(Seeded {
        products: products.len(),
        assets,
        events,
        lines: lines.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn the_generator_is_deterministic_and_bounded() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        for _ in 0..100 {
            let n = a.below(10);
            assert!(n < 10);
            assert_eq!(n, b.below(10));
        }
        assert_eq!(Rng(1).below(0), 0);
    }
}
