//! Names the field of a JSON decoding error the way validation errors name fields: a path of
//! proto field names (`daily_rate.amount_minor`, `items[2].code`), whatever JSON spelling the
//! caller used. Unknown fields are found by walking the body against the descriptors — only when
//! decoding already failed, so valid requests pay nothing.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::Value;
use serde_path_to_error::{Path, Segment};

fn field_of(message: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    message
        .get_field_by_json_name(key)
        .or_else(|| message.get_field_by_name(key))
}

/// The message a field holds, when its JSON is an object of fields (not a well-known type,
/// whose JSON is special, nor a map).
fn nested_message(field: &FieldDescriptor) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(m) if !field.is_map() && !m.full_name().starts_with("google.protobuf.") => {
            Some(m)
        }
        _ => None,
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// serde's path to the failing value, in proto field names.
pub fn proto_path(input: &MessageDescriptor, path: &Path) -> String {
    let mut out = String::new();
    let mut message = Some(input.clone());
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => match message.as_ref().and_then(|m| field_of(m, key)) {
                Some(field) => {
                    out = join(&out, field.name());
                    message = nested_message(&field);
                }
                None => {
                    out = join(&out, key);
                    message = None;
                }
            },
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// The first field in `value` that `message` does not have, as a path.
pub fn unknown_field(message: &MessageDescriptor, value: &Value, prefix: &str) -> Option<String> {
    for (key, item) in value.as_object()? {
        let Some(field) = field_of(message, key) else {
            return Some(join(prefix, key));
        };
        let Some(nested) = nested_message(&field) else {
            continue;
        };
        let path = join(prefix, field.name());
        let found = match item {
            Value::Array(items) if field.is_list() => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| unknown_field(&nested, item, &format!("{path}[{i}]"))),
            other => unknown_field(&nested, other, &path),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create_product() -> MessageDescriptor {
        eventkit_proto::descriptor_pool()
            .get_message_by_name("eventkit.v1.CreateProductRequest")
            .unwrap()
    }

    fn path_of(body: Value) -> String {
        let text = body.to_string();
        let mut json = serde_json::Deserializer::from_str(&text);
        let mut track = serde_path_to_error::Track::new();
        let result = prost_reflect::DynamicMessage::deserialize(
            create_product(),
            serde_path_to_error::Deserializer::new(&mut json, &mut track),
        );
        assert!(result.is_err());
        proto_path(&create_product(), &track.path())
    }

    #[test]
    fn paths_use_proto_names_for_either_spelling() {
        assert_eq!(
            path_of(json!({"dailyRate": {"amountMinor": "x"}})),
            "daily_rate.amount_minor"
        );
        assert_eq!(
            path_of(json!({"daily_rate": {"amount_minor": "x"}})),
            "daily_rate.amount_minor"
        );
        assert_eq!(path_of(json!({"trackingMode": "NOPE"})), "tracking_mode");
    }

    #[test]
    fn unknown_fields_are_found_at_any_depth() {
        let m = create_product();
        assert_eq!(
            unknown_field(&m, &json!({"name": "x", "colour": "red"}), ""),
            Some("colour".into())
        );
        assert_eq!(
            unknown_field(
                &m,
                &json!({"dailyRate": {"amountMinor": "1", "cents": 1}}),
                ""
            ),
            Some("daily_rate.cents".into())
        );
        assert_eq!(unknown_field(&m, &json!({"name": "x"}), ""), None);
    }
}
