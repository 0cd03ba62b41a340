//! The event tables of docs/api.md are written by hand and checked here against the catalogue:
//! the first lists exactly the public event types (with their description, and the message
//! name for those whose data is an API message), the second exactly the workers' own.

use super::{EventType, Payload};

const API_GUIDE: &str = include_str!("../../../docs/api.md");

/// The rows (cells of each, trimmed) of every table in the guide's `## Events` section whose
/// first cell is a backticked name.
fn event_rows() -> Vec<Vec<&'static str>> {
    let section = API_GUIDE
        .split("\n## ")
        .find(|s| s.starts_with("Events\n"))
        .expect("docs/api.md has an Events section");
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| line.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect()
}

fn name(cell: &str) -> &str {
    cell.trim_matches('`')
}

#[test]
fn the_public_table_lists_every_public_event_with_its_description_and_message() {
    let rows: Vec<_> = event_rows().into_iter().filter(|r| r.len() == 3).collect();
    let listed: Vec<&str> = rows.iter().map(|r| name(r[0])).collect();
    let public: Vec<&str> = EventType::public().map(EventType::as_str).collect();
    assert_eq!(
        listed, public,
        "docs/api.md's event table, in catalogue order"
    );
    for row in rows {
        let t = EventType::parse(name(row[0])).unwrap();
        assert_eq!(row[2], t.description(), "{t}: the description");
        match t.payload() {
            Payload::Message(full) => {
                let message = full.rsplit('.').next().unwrap();
                assert_eq!(row[1], format!("`{message}`"), "{t}: its data");
            }
            Payload::Object(_) => assert!(row[1].contains('`'), "{t}: name its fields"),
        }
    }
}

#[test]
fn the_internal_table_lists_every_event_of_the_workers() {
    let rows: Vec<_> = event_rows().into_iter().filter(|r| r.len() == 2).collect();
    let listed: Vec<&str> = rows.iter().map(|r| name(r[0])).collect();
    let internal: Vec<&str> = EventType::ALL
        .iter()
        .filter(|t| !t.is_public())
        .map(|t| t.as_str())
        .collect();
    assert_eq!(listed, internal, "docs/api.md's table of internal events");
    for row in rows {
        let t = EventType::parse(name(row[0])).unwrap();
        assert_eq!(row[1], t.description(), "{t}: the description");
    }
}
