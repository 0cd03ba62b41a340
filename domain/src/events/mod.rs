//! The event catalogue: every event type EventKit writes to its outbox (and the one test event
//! the Admin API sends straight to an endpoint), each with its wire name, who may see it and
//! what its `data` is. The outbox, the consumers, the webhook subscription rules and the event
//! table in docs/api.md all take their event types from here, so a new event is declared once
//! and cannot be misspelt at a call site (docs/adr/0040).
//!
//! [`payloads`] holds the data of the events whose data is not an API message; the platform's
//! typed outbox event pairs each type with its data and checks the pairing against
//! [`EventType::payload`].

#[cfg(test)]
mod docs;
pub mod payloads;

use std::fmt;

/// Who may see an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Delivered to every webhook endpoint that subscribed to it.
    Webhooks,
    /// For EventKit's own workers only: it asks for work that names what a tenant's integrations
    /// must not see (an email's recipients, a whole-tenant copy), so it never reaches a webhook
    /// and no endpoint can subscribe to it.
    Workers,
}

/// What an event's `data` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The entity as the API returns it: the proto3 JSON of the message of this full name.
    Message(&'static str),
    /// An object of the event's own: the type of this name in [`payloads`].
    Object(&'static str),
}

/// One row of the catalogue.
struct Entry {
    name: &'static str,
    audience: Audience,
    payload: Payload,
    description: &'static str,
}

/// Declares [`EventType`] and its catalogue rows from one table (in `catalogue.rs`):
/// `Variant => "wire.name", Audience, Payload, "Description for the docs.";`
macro_rules! catalogue {
    ($($variant:ident => $name:literal, $audience:ident, $payload:expr, $description:literal;)*) => {
        /// An event type of the catalogue; [`EventType::as_str`] is its name on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $(#[doc = $description] $variant,)*
        }

        impl EventType {
            /// Every event type, in the order of the catalogue (and of the docs table).
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),*];

            pub(super) const fn entry(self) -> Entry {
                match self {
                    $(EventType::$variant => Entry {
                        name: $name,
                        audience: Audience::$audience,
                        payload: $payload,
                        description: $description,
                    },)*
                }
            }
        }
    };
}
mod catalogue;
pub use catalogue::EventType;

impl EventType {
    /// The name on the wire (outbox rows, JetStream subjects, webhook bodies), e.g. `product.created`.
    pub const fn as_str(self) -> &'static str {
        self.entry().name
    }

    /// The event type of a wire name; `None` for a name the catalogue does not hold.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    pub const fn audience(self) -> Audience {
        self.entry().audience
    }

    /// What the event's `data` is.
    pub const fn payload(self) -> Payload {
        self.entry().payload
    }

    /// One sentence for integrators: when the event happens (the docs table shows it).
    pub const fn description(self) -> &'static str {
        self.entry().description
    }

    /// Whether webhook endpoints may receive it.
    pub fn is_public(self) -> bool {
        self.audience() == Audience::Webhooks
    }

    /// What the event is about: the part of the name before the dot (`product`).
    pub fn entity(self) -> &'static str {
        self.as_str()
            .split_once('.')
            .map_or(self.as_str(), |(entity, _)| entity)
    }

    /// The event types an integrator can subscribe to.
    pub fn public() -> impl Iterator<Item = EventType> {
        Self::ALL.iter().copied().filter(|t| t.is_public())
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_entity_dot_action_and_parse_back() {
        let mut seen = HashSet::new();
        for &t in EventType::ALL {
            assert!(seen.insert(t.as_str()), "{t} is in the catalogue twice");
            let (entity, action) = t.as_str().split_once('.').expect("entity.action");
            for part in [entity, action] {
                assert!(
                    !part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{t}: lower-case letters, digits and _ only"
                );
            }
            assert_eq!(t.entity(), entity);
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert!(t.description().ends_with('.'), "{t}: a sentence");
        }
        assert_eq!(EventType::parse("product.creatd"), None);
        assert_eq!(EventType::parse(""), None);
    }

    #[test]
    fn message_payloads_are_messages_of_the_tenant_api() {
        for &t in EventType::ALL {
            match t.payload() {
                Payload::Message(name) => assert!(name.starts_with("eventkit.v1."), "{t}: {name}"),
                Payload::Object(name) => assert!(!name.contains('.'), "{t}: {name}"),
            }
        }
    }

    #[test]
    fn what_carries_links_or_names_an_export_stays_with_the_workers() {
        let mut internal: Vec<_> = EventType::ALL
            .iter()
            .filter(|t| !t.is_public())
            .map(|t| t.as_str())
            .collect();
        internal.sort();
        assert_eq!(
            internal,
            [
                "email.requested",
                "export.failed",
                "export.ready",
                "export.requested",
                "tenant.signup_requested",
            ]
        );
        assert_eq!(
            EventType::public().count() + internal.len(),
            EventType::ALL.len()
        );
    }
}
