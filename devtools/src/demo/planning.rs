//! The demo's plans, relative to today: a city festival under way (gear checked out), a product
//! launch and a gala that want more moving heads than the warehouse has in the same days, a
//! jazz weekend and an open-air that compete for the line array, a wedding enquiry with the DJ
//! kit, a conference next month, and last month's completed corporate party.

use super::inventory::DemoStock;
use chrono::{DateTime, Duration, DurationRound, Utc};
use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::eventkit::v1::*;
use eventkit_tenant_api::{planning::Planning, scanning::Scanning};

/// One demo event: days from today (start, end), the status it ends in, what it asks for.
struct DemoEvent {
    name: &'static str,
    client: &'static str,
    venue: &'static str,
    days: (i64, i64),
    status: EventStatus,
    lines: &'static [(&'static str, i32)],
}

const EVENTS: [DemoEvent; 8] = [
    DemoEvent {
        name: "Stadtfest main stage",
        client: "Stadt Graz Kulturamt",
        venue: "Hauptplatz, Graz",
        days: (-1, 2),
        status: EventStatus::Out,
        lines: &[("MH-350", 4), ("PAR-18", 8), ("LA-210", 4), ("SUB-218", 2), ("XLR-10", 24)],
    },
    DemoEvent {
        name: "Product launch Aurora",
        client: "Nordlicht Mobility GmbH",
        venue: "Marx Halle, Vienna",
        days: (5, 6),
        status: EventStatus::Confirmed,
        lines: &[("MH-350", 5), ("LED-29", 16), ("PJ-12K", 1), ("WM-HH", 4)],
    },
    DemoEvent {
        name: "Charity gala",
        client: "Hotel Sacher",
        venue: "Hotel Sacher, Marmorsaal",
        days: (6, 7),
        status: EventStatus::Provisional,
        lines: &[("MH-350", 4), ("PAR-18", 12), ("WM-HH", 2), ("HZ-1500", 1)],
    },
    DemoEvent {
        name: "Wedding Berger & Novak",
        client: "Lena Berger",
        venue: "Orangerie Schönbrunn",
        days: (12, 13),
        status: EventStatus::Enquiry,
        lines: &[("KIT-DJ", 1), ("PAR-18", 10)],
    },
    DemoEvent {
        name: "Jazz weekend",
        client: "Jazzclub Porgy",
        venue: "Stadtpark, Vienna",
        days: (19, 22),
        status: EventStatus::Confirmed,
        lines: &[("LA-210", 4), ("SUB-218", 2), ("MX-32", 1), ("XLR-10", 40)],
    },
    DemoEvent {
        name: "Open air cinema",
        client: "Kino am Dach",
        venue: "Hauptbücherei rooftop",
        days: (21, 23),
        status: EventStatus::Provisional,
        lines: &[("LA-210", 4), ("PJ-12K", 1), ("SCH-5", 12)],
    },
    DemoEvent {
        name: "Medical congress",
        client: "ÖGK Congress Office",
        venue: "Austria Center Vienna",
        days: (33, 35),
        status: EventStatus::Confirmed,
        lines: &[("LED-29", 12), ("LC-4U", 1), ("WM-HH", 6), ("TR-29-3", 8)],
    },
    DemoEvent {
        name: "Year-end party",
        client: "Kapsch & Partner",
        venue: "Palais Ferstel",
        days: (-30, -29),
        status: EventStatus::Completed,
        lines: &[("PAR-18", 12), ("MX-32", 1)],
    },
];

/// The statuses an event passes through to reach `to` (the demo walks the real transitions).
fn path_to(to: EventStatus) -> &'static [EventStatus] {
    use EventStatus::*;
    match to {
        Provisional => &[Provisional],
        Confirmed => &[Confirmed],
        Out => &[Confirmed, Prepped, Out],
        Completed => &[Confirmed, Prepped, Out, Returned, Completed],
        _ => &[],
    }
}

pub async fn seed(
    planning: &Planning,
    scanning: &Scanning,
    p: &Principal,
    stock: &DemoStock,
) -> Result<(), ApiError> {
    let today = Utc::now()
        .duration_trunc(Duration::days(1))
        .unwrap_or_else(|_| Utc::now());
    let at = |day: i64, hour: i64| timestamp(today + Duration::days(day) + Duration::hours(hour));
    for demo in &EVENTS {
        let made = planning
            .create_event(
                p,
                CreateEventRequest {
                    name: demo.name.into(),
                    client_name: demo.client.into(),
                    venue: demo.venue.into(),
                    prep_time: Some(at(demo.days.0 - 1, 7)),
                    period: Some(Period {
                        start: Some(at(demo.days.0, 8)),
                        end: Some(at(demo.days.1, 21)),
                    }),
                    ..Default::default()
                },
            )
            .await?;
        let event_id = made.event.map(|e| e.id).unwrap_or_default();
        for (sku, quantity) in demo.lines {
            planning
                .add_pull_list_line(
                    p,
                    AddPullListLineRequest {
                        event_id: event_id.clone(),
                        item: Some(add_pull_list_line_request::Item::ProductId(stock.product(sku))),
                        quantity: *quantity,
                    },
                )
                .await?;
        }
        for status in path_to(demo.status).iter() {
            planning
                .transition_event(
                    p,
                    TransitionEventRequest {
                        id: event_id.clone(),
                        status: *status as i32,
                    },
                )
                .await?;
            // What went out for the festival (and came back for last month's party) is scanned.
            if *status == EventStatus::Prepped {
                check_out(scanning, p, &event_id, stock, demo.lines).await?;
            }
            if *status == EventStatus::Returned {
                check_in(scanning, p, &event_id, stock, demo.lines).await?;
            }
        }
    }
    Ok(())
}

/// What a check-out scans for an event asking for `lines`: the packed case of moving heads,
/// four pars and the XLR cables, as far as the pull list asks for them.
fn scanned_codes(stock: &DemoStock, lines: &[(&str, i32)]) -> Vec<(String, i32)> {
    let asks = |sku: &str| lines.iter().any(|(s, _)| *s == sku);
    let mut codes = Vec::new();
    if asks("MH-350") {
        codes.push((stock.cases[0].clone(), 1));
    }
    if asks("PAR-18") {
        codes.extend(stock.asset_codes["PAR-18"].iter().take(4).map(|c| (c.clone(), 1)));
    }
    if asks("XLR-10") {
        codes.push(("XLR-10".into(), 24));
    }
    codes
}

async fn check_out(
    scanning: &Scanning,
    p: &Principal,
    event_id: &str,
    stock: &DemoStock,
    lines: &[(&str, i32)],
) -> Result<(), ApiError> {
    for (n, (code, quantity)) in scanned_codes(stock, lines).into_iter().enumerate() {
        scanning
            .check_out(
                p,
                CheckOutRequest {
                    client_scan_id: format!("demo-{event_id}-out-{n}"),
                    event_id: event_id.into(),
                    code,
                    quantity,
                },
            )
            .await?;
    }
    Ok(())
}

/// Brings back everything a check-out scanned.
async fn check_in(
    scanning: &Scanning,
    p: &Principal,
    event_id: &str,
    stock: &DemoStock,
    lines: &[(&str, i32)],
) -> Result<(), ApiError> {
    for (n, (code, quantity)) in scanned_codes(stock, lines).into_iter().enumerate() {
        scanning
            .check_in(
                p,
                CheckInRequest {
                    client_scan_id: format!("demo-{event_id}-in-{n}"),
                    event_id: event_id.into(),
                    code,
                    quantity,
                    ..Default::default()
                },
            )
            .await?;
    }
    Ok(())
}

fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: 0,
    }
}
