//! Protobuf wire bytes straight to Connect JSON, for the answers of our own services.
//!
//! Decoding an answer into a `prost_reflect::DynamicMessage` only to serialize it again allocated
//! a value per field and cost ~5 % of the tenant-api's CPU per `GetAsset` (bench/history/get-asset.md). This
//! walks the bytes once with the method's descriptor and writes the same JSON `prost-reflect`
//! writes (lowerCamelCase names, 64-bit integers as strings, enums by name, defaults of fields
//! without presence left out, `Timestamp` as RFC 3339). It covers what our answers hold: strings,
//! booleans, 32/64-bit integers, enums, messages, `Timestamp` and repeated fields, in ascending
//! field order as prost writes them. Anything else — maps, bytes, floats, other well-known types,
//! unknown fields or enum values, fields out of order — gives `None`, and the caller falls back to
//! `prost-reflect`, so the output never differs; the tests compare the two.

use prost::{
    Message,
    encoding::{WireType, decode_varint},
};
use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use std::io::Write;

/// Appends `bytes`, a `message` on the wire, to `out` as JSON; `None` when it holds something
/// this writer leaves to `prost-reflect` (`out` then holds a partial write the caller discards).
pub(super) fn write_message(
    message: &MessageDescriptor,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> Option<()> {
    match message.full_name() {
        "google.protobuf.Timestamp" => return write_timestamp(bytes, out),
        name if name.starts_with("google.protobuf.") => return None,
        _ => {}
    }
    out.push(b'{');
    let mut rest = bytes;
    let mut written_any = false;
    let mut last_number = 0;
    // The repeated field whose JSON array is open.
    let mut open_list = None;
    while !rest.is_empty() {
        let key = decode_varint(&mut rest).ok()?;
        let number = u32::try_from(key >> 3).ok()?;
        let wire_type = WireType::try_from(key & 7).ok()?;
        let value = read_value(wire_type, &mut rest)?;
        let field = message.get_field(number)?;
        if field.is_map() {
            return None;
        }
        if open_list == Some(number) {
            out.push(b',');
            write_elements(&field, value, out)?;
            continue;
        }
        if number <= last_number {
            return None;
        }
        last_number = number;
        if open_list.take().is_some() {
            out.push(b']');
        }
        if !field.is_list() && !field.supports_presence() && is_default(&field, value)? {
            continue;
        }
        if written_any {
            out.push(b',');
        }
        written_any = true;
        serde_json::to_writer(&mut *out, field.json_name()).ok()?;
        out.push(b':');
        if field.is_list() {
            out.push(b'[');
            open_list = Some(number);
            write_elements(&field, value, out)?;
        } else {
            write_single(&field.kind(), value, out)?;
        }
    }
    if open_list.is_some() {
        out.push(b']');
    }
    out.push(b'}');
    Some(())
}

/// One field's payload on the wire.
#[derive(Clone, Copy)]
enum WireValue<'a> {
    Varint(u64),
    Delimited(&'a [u8]),
}

fn read_value<'a>(wire_type: WireType, rest: &mut &'a [u8]) -> Option<WireValue<'a>> {
    match wire_type {
        WireType::Varint => decode_varint(rest).ok().map(WireValue::Varint),
        WireType::LengthDelimited => {
            let len = usize::try_from(decode_varint(rest).ok()?).ok()?;
            let (payload, after) = rest.split_at_checked(len)?;
            *rest = after;
            Some(WireValue::Delimited(payload))
        }
        _ => None,
    }
}

fn is_default(field: &FieldDescriptor, value: WireValue) -> Option<bool> {
    Some(match (field.kind(), value) {
        (Kind::String, WireValue::Delimited(s)) => s.is_empty(),
        (Kind::Message(_), _) => false,
        (_, WireValue::Varint(n)) => n == 0,
        _ => return None,
    })
}

/// The elements of a repeated field in one wire record: one, or several when packed.
fn write_elements(field: &FieldDescriptor, value: WireValue, out: &mut Vec<u8>) -> Option<()> {
    let kind = field.kind();
    match (value, &kind) {
        (
            WireValue::Delimited(packed),
            Kind::Bool | Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Enum(_),
        ) => {
            if packed.is_empty() {
                return None;
            }
            let mut rest = packed;
            let mut first = true;
            while !rest.is_empty() {
                if !first {
                    out.push(b',');
                }
                first = false;
                let n = decode_varint(&mut rest).ok()?;
                write_single(&kind, WireValue::Varint(n), out)?;
            }
            Some(())
        }
        _ => write_single(&kind, value, out),
    }
}

fn write_single(kind: &Kind, value: WireValue, out: &mut Vec<u8>) -> Option<()> {
    match (kind, value) {
        (Kind::String, WireValue::Delimited(s)) => {
            serde_json::to_writer(&mut *out, std::str::from_utf8(s).ok()?).ok()
        }
        (Kind::Message(message), WireValue::Delimited(bytes)) => write_message(message, bytes, out),
        (Kind::Bool, WireValue::Varint(n)) => {
            out.extend_from_slice(if n != 0 { b"true" } else { b"false" });
            Some(())
        }
        (Kind::Int32, WireValue::Varint(n)) => write!(out, "{}", n as i32).ok(),
        (Kind::Uint32, WireValue::Varint(n)) => write!(out, "{}", n as u32).ok(),
        (Kind::Int64, WireValue::Varint(n)) => write!(out, "\"{}\"", n as i64).ok(),
        (Kind::Uint64, WireValue::Varint(n)) => write!(out, "\"{n}\"").ok(),
        (Kind::Enum(enum_type), WireValue::Varint(n)) => {
            if enum_type.full_name().starts_with("google.protobuf.") {
                return None;
            }
            let value = enum_type.get_value(i32::try_from(n as i64).ok()?)?;
            serde_json::to_writer(&mut *out, value.name()).ok()
        }
        _ => None,
    }
}

/// RFC 3339 as `prost-reflect` writes it (prost-types' `Display`), within its range checks.
fn write_timestamp(bytes: &[u8], out: &mut Vec<u8>) -> Option<()> {
    // 0001-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z
    const SECONDS: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;
    let timestamp = prost_types::Timestamp::decode(bytes).ok()?;
    if !SECONDS.contains(&timestamp.seconds) || !(0..1_000_000_000).contains(&timestamp.nanos) {
        return None;
    }
    write!(out, "\"{timestamp}\"").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_reflect::{DynamicMessage, SerializeOptions, Value};

    /// What the Connect adapter wrote before: `prost-reflect`'s JSON of the decoded message.
    fn reflect_json(message: &DynamicMessage) -> String {
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::new(&mut out);
        message
            .serialize_with_options(&mut serializer, &SerializeOptions::new())
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn direct_json(message: &MessageDescriptor, bytes: &[u8]) -> Option<String> {
        let mut out = Vec::new();
        write_message(message, bytes, &mut out)?;
        Some(String::from_utf8(out).unwrap())
    }

    /// A value for every field, `variant` choosing among awkward ones (escapes, negatives,
    /// extremes, defaults); nested messages down to `depth`.
    fn filled(message: &MessageDescriptor, variant: usize, depth: usize) -> DynamicMessage {
        let mut dynamic = DynamicMessage::new(message.clone());
        if message.full_name() == "google.protobuf.Timestamp" {
            let seconds = [1_764_590_400_i64, 0, 253_402_300_799][variant % 3];
            let nanos = [0, 120_000_000, 999_999_999, 123_456][variant % 4];
            dynamic.set_field_by_name("seconds", Value::I64(seconds));
            dynamic.set_field_by_name("nanos", Value::I32(nanos));
            return dynamic;
        }
        for field in message.fields() {
            if field.is_map() || depth == 0 && matches!(field.kind(), Kind::Message(_)) {
                continue;
            }
            let one = |i: usize| scalar(&field.kind(), variant + i, depth);
            let value = if field.is_list() {
                Value::List((0..1 + variant % 3).filter_map(one).collect())
            } else {
                match one(0) {
                    Some(value) => value,
                    None => continue,
                }
            };
            dynamic.set_field(&field, value);
        }
        dynamic
    }

    fn scalar(kind: &Kind, variant: usize, depth: usize) -> Option<Value> {
        Some(match kind {
            Kind::String => Value::String(
                [
                    "",
                    "Moving head \"Spot\" \\ 1\n",
                    "Zoë – 漢字 🎛",
                    "\u{1}\t/",
                ][variant % 4]
                    .into(),
            ),
            Kind::Bool => Value::Bool(variant % 2 == 1),
            Kind::Int32 => Value::I32([0, -7, i32::MAX, i32::MIN][variant % 4]),
            Kind::Int64 => Value::I64([0, -1_234_567_890_123, i64::MAX, i64::MIN][variant % 4]),
            Kind::Uint32 => Value::U32([0, 7, u32::MAX][variant % 3]),
            Kind::Uint64 => Value::U64([0, 7, u64::MAX][variant % 3]),
            Kind::Enum(e) => {
                let values: Vec<_> = e.values().collect();
                Value::EnumNumber(values[variant % values.len()].number())
            }
            Kind::Message(m) => Value::Message(filled(m, variant, depth - 1)),
            _ => return None,
        })
    }

    #[test]
    fn answers_are_written_as_prost_reflect_writes_them_or_left_to_it() {
        let pool = eventkit_proto::descriptor_pool();
        let mut direct = 0;
        let mut messages = 0;
        for message in pool.all_messages() {
            if message.full_name().starts_with("google.") || message.is_map_entry() {
                continue;
            }
            messages += 1;
            for variant in 0..6 {
                let dynamic = filled(&message, variant, 3);
                let bytes = dynamic.encode_to_vec();
                if let Some(json) = direct_json(&message, &bytes) {
                    direct += 1;
                    let expected =
                        reflect_json(&DynamicMessage::decode(message.clone(), &*bytes).unwrap());
                    assert_eq!(json, expected, "{} variant {variant}", message.full_name());
                }
            }
            let empty = direct_json(&message, &[]).expect("an empty message is written directly");
            assert_eq!(empty, "{}", "{}", message.full_name());
        }
        // Most of our messages take the direct path (those with maps or google.protobuf.Value
        // fall back).
        assert!(
            direct * 10 >= messages * 6 * 8,
            "{direct} of {} written directly",
            messages * 6
        );
    }

    #[test]
    fn prost_field_order_takes_the_direct_path() {
        use eventkit_proto::eventkit::v1::{Asset, GetAssetResponse};
        let answer = GetAssetResponse {
            asset: Some(Asset {
                id: "01a23397-003b-7059-a79d-b9bd753c3485".into(),
                code: "BENCH-0001".into(),
                status: 2,
                create_time: Some(prost_types::Timestamp {
                    seconds: 1_764_590_400,
                    nanos: 5_000,
                }),
                ..Default::default()
            }),
        };
        let bytes = answer.encode_to_vec();
        let descriptor = eventkit_proto::descriptor_pool()
            .get_message_by_name("eventkit.v1.GetAssetResponse")
            .unwrap();
        let json = direct_json(&descriptor, &bytes).expect("direct");
        let expected = reflect_json(&DynamicMessage::decode(descriptor, &*bytes).unwrap());
        assert_eq!(json, expected);
        assert!(
            json.contains("\"createTime\":\"2025-12-01T12:00:00.000005Z\""),
            "{json}"
        );
    }

    #[test]
    fn what_it_leaves_to_prost_reflect() {
        let pool = eventkit_proto::descriptor_pool();
        let asset = pool.get_message_by_name("eventkit.v1.Asset").unwrap();
        let number = |name: &str| asset.get_field_by_name(name).unwrap().number();
        let text = |number: u32, len: u8| {
            let mut bytes = Vec::new();
            prost::encoding::encode_key(number, WireType::LengthDelimited, &mut bytes);
            bytes.extend([len, b'x']);
            bytes
        };
        let (id, code) = (number("id"), number("code"));
        assert!(direct_json(&asset, &text(id, 1)).is_some());
        // Out of field order, an unknown field, truncated bytes.
        assert!(direct_json(&asset, &[text(code, 1), text(id, 1)].concat()).is_none());
        assert!(direct_json(&asset, &text(1000, 1)).is_none());
        assert!(direct_json(&asset, &text(id, 5)).is_none());
        // An enum value the descriptor does not know.
        let mut status = Vec::new();
        prost::encoding::encode_key(number("status"), WireType::Varint, &mut status);
        status.push(99);
        assert!(direct_json(&asset, &status).is_none());
    }
}
