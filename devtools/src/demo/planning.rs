//! The demo's plans, relative to today: a city festival under way (gear checked out), a club
//! night whose gear is overdue, a product
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
    /// Codes scanned out on the way to `status` (and back in for a completed event).
    scanned: &'static [(&'static str, i32)],
}

const EVENTS: [DemoEvent; 9] = [
    DemoEvent {
        name: "Stadtfest main stage",
        client: "Stadt Graz Kulturamt",
        venue: "Hauptplatz, Graz",
        days: (-1, 2),
        status: EventStatus::Out,
        lines: &[
            ("MH-350", 4),
            ("PAR-18", 8),
            ("LA-210", 4),
            ("SUB-218", 2),
            ("XLR-10", 24),
        ],
        scanned: &[
            ("CASE-0001", 1),
            ("PAR-0001", 1),
            ("PAR-0002", 1),
            ("PAR-0003", 1),
            ("PAR-0004", 1),
            ("XLR-10", 24),
        ],
    },
    DemoEvent {
        name: "Club night Volksgarten",
        client: "Volksgarten Club",
        venue: "Volksgarten, Vienna",
        days: (-4, -2),
        status: EventStatus::Out,
        lines: &[("PAR-18", 4), ("SCH-5", 6)],
        scanned: &[
            ("PAR-0005", 1),
            ("PAR-0006", 1),
            ("PAR-0007", 1),
            ("PAR-0008", 1),
            ("SCH-5", 6),
        ],
    },
    DemoEvent {
        name: "Product launch Aurora",
        client: "Nordlicht Mobility GmbH",
        venue: "Marx Halle, Vienna",
        days: (5, 6),
        status: EventStatus::Confirmed,
        lines: &[("MH-350", 5), ("LED-29", 16), ("PJ-12K", 1), ("WM-HH", 4)],
        scanned: &[],
    },
    DemoEvent {
        name: "Charity gala",
        client: "Hotel Sacher",
        venue: "Hotel Sacher, Marmorsaal",
        days: (6, 7),
        status: EventStatus::Provisional,
        lines: &[("MH-350", 4), ("PAR-18", 12), ("WM-HH", 2), ("HZ-1500", 1)],
        scanned: &[],
    },
    DemoEvent {
        name: "Wedding Berger & Novak",
        client: "Lena Berger",
        venue: "Orangerie Schönbrunn",
        days: (12, 13),
        status: EventStatus::Enquiry,
        lines: &[("KIT-DJ", 1), ("PAR-18", 10)],
        scanned: &[],
    },
    DemoEvent {
        name: "Jazz weekend",
        client: "Jazzclub Porgy",
        venue: "Stadtpark, Vienna",
        days: (19, 22),
        status: EventStatus::Confirmed,
        lines: &[("LA-210", 4), ("SUB-218", 2), ("MX-32", 1), ("XLR-10", 40)],
        scanned: &[],
    },
    DemoEvent {
        name: "Open air cinema",
        client: "Kino am Dach",
        venue: "Hauptbücherei rooftop",
        days: (21, 23),
        status: EventStatus::Provisional,
        lines: &[("LA-210", 4), ("PJ-12K", 1), ("SCH-5", 12)],
        scanned: &[],
    },
    DemoEvent {
        name: "Medical congress",
        client: "ÖGK Congress Office",
        venue: "Austria Center Vienna",
        days: (33, 35),
        status: EventStatus::Confirmed,
        lines: &[("LED-29", 12), ("LC-4U", 1), ("WM-HH", 6), ("TR-29-3", 8)],
        scanned: &[],
    },
    DemoEvent {
        name: "Year-end party",
        client: "Kapsch & Partner",
        venue: "Palais Ferstel",
        days: (-30, -29),
        status: EventStatus::Completed,
        lines: &[("PAR-18", 12), ("MX-32", 1)],
        scanned: &[
            ("PAR-0009", 1),
            ("PAR-0010", 1),
            ("PAR-0011", 1),
            ("PAR-0012", 1),
        ],
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
                        item: Some(add_pull_list_line_request::Item::ProductId(
                            stock.product(sku),
                        )),
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
                scan(scanning, p, &event_id, Kind::Out, demo.scanned).await?;
            }
            if *status == EventStatus::Returned {
                scan(scanning, p, &event_id, Kind::In, demo.scanned).await?;
            }
        }
    }
    Ok(())
}

enum Kind {
    Out,
    In,
}

/// Scans `codes` out for (or back in from) an event.
async fn scan(
    scanning: &Scanning,
    p: &Principal,
    event_id: &str,
    kind: Kind,
    codes: &[(&str, i32)],
) -> Result<(), ApiError> {
    for (n, (code, quantity)) in codes.iter().enumerate() {
        let (code, quantity, event_id) = ((*code).to_owned(), *quantity, event_id.to_owned());
        match kind {
            Kind::Out => {
                let client_scan_id = format!("demo-{event_id}-out-{n}");
                let request = CheckOutRequest {
                    client_scan_id,
                    event_id,
                    code,
                    quantity,
                };
                scanning.check_out(p, request).await?;
            }
            Kind::In => {
                let client_scan_id = format!("demo-{event_id}-in-{n}");
                let request = CheckInRequest {
                    client_scan_id,
                    event_id,
                    code,
                    quantity,
                    ..Default::default()
                };
                scanning.check_in(p, request).await?;
            }
        }
    }
    Ok(())
}

fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.timestamp(),
        nanos: 0,
    }
}
