//! The Connect wire codecs: JSON (decoded with the method's descriptor, errors naming the field)
//! and binary protobuf, plus gRPC message framing for the in-process call.

use super::error::ConnectError;
use crate::rpc::json_errors;
use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;
use prost_reflect::{DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions};
use tonic::Code;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Codec {
    Json,
    Proto,
}

impl Codec {
    pub(super) fn from_content_type(value: &str) -> Option<Self> {
        let media = value.split(';').next().unwrap_or_default().trim();
        match media {
            "application/json" => Some(Self::Json),
            "application/proto" => Some(Self::Proto),
            _ => None,
        }
    }

    pub(super) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Proto => "application/proto",
        }
    }
}

pub(super) fn decode_request(
    codec: Codec,
    input: &MessageDescriptor,
    body: &[u8],
) -> Result<Bytes, ConnectError> {
    match codec {
        Codec::Proto => {
            DynamicMessage::decode(input.clone(), body).map_err(|e| {
                ConnectError::invalid_field(
                    "",
                    format!("the body is not a valid {} message: {e}", input.full_name()),
                )
            })?;
            Ok(Bytes::copy_from_slice(body))
        }
        Codec::Json => {
            let body = if body.iter().all(u8::is_ascii_whitespace) {
                b"{}".as_slice()
            } else {
                body
            };
            let mut json = serde_json::Deserializer::from_slice(body);
            let mut track = serde_path_to_error::Track::new();
            let parsed = DynamicMessage::deserialize_with_options(
                input.clone(),
                serde_path_to_error::Deserializer::new(&mut json, &mut track),
                &DeserializeOptions::new(),
            )
            .and_then(|message| json.end().map(|()| message));
            match parsed {
                Ok(message) => Ok(message.encode_to_vec().into()),
                Err(err) => Err(json_error(input, body, &track.path(), &err.to_string())),
            }
        }
    }
}

/// An `invalid_argument` naming the field of a JSON decoding failure (see `json_errors`).
fn json_error(
    input: &MessageDescriptor,
    body: &[u8],
    path: &serde_path_to_error::Path,
    error: &str,
) -> ConnectError {
    if let Some(unknown) = serde_json::from_slice(body)
        .ok()
        .and_then(|value| json_errors::unknown_field(input, &value, ""))
    {
        return ConnectError::invalid_field(
            &unknown,
            format!("is not a field of {}", input.full_name()),
        );
    }
    let field = json_errors::proto_path(input, path);
    let description = strip_location(error);
    if field.is_empty() {
        ConnectError::invalid_field(
            "",
            format!(
                "the body is not a valid {} JSON message: {description}",
                input.full_name()
            ),
        )
    } else {
        ConnectError::invalid_field(&field, description)
    }
}

/// serde_json appends " at line L column C"; the field path says more.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

pub(super) fn encode_response(
    codec: Codec,
    output: &MessageDescriptor,
    message: Bytes,
) -> Result<Bytes, ConnectError> {
    match codec {
        Codec::Proto => Ok(message),
        Codec::Json => {
            let mut out = Vec::with_capacity(256);
            if super::wire_json::write_message(output, &message, &mut out).is_some() {
                return Ok(out.into());
            }
            out.clear();
            let decoded = DynamicMessage::decode(output.clone(), message).map_err(|e| {
                ConnectError::new(
                    Code::Internal,
                    format!("the service's answer did not decode: {e}"),
                )
            })?;
            let mut serializer = serde_json::Serializer::new(&mut out);
            decoded
                .serialize_with_options(&mut serializer, &SerializeOptions::new())
                .map_err(|e| {
                    ConnectError::new(
                        Code::Internal,
                        format!("encoding the answer as JSON failed: {e}"),
                    )
                })?;
            Ok(out.into())
        }
    }
}

pub(super) fn frame(message: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(message.len() + 5);
    buf.put_u8(0);
    buf.put_u32(message.len() as u32);
    buf.put_slice(message);
    buf.freeze()
}

pub(super) fn unframe(data: &Bytes) -> Result<Bytes, ConnectError> {
    let malformed = || {
        ConnectError::new(
            Code::Internal,
            "the service's answer was not one gRPC message",
        )
    };
    if data.len() < 5 || data[0] != 0 {
        return Err(malformed());
    }
    let len = u32::from_be_bytes([data[1], data[2], data[3], data[4]]) as usize;
    if data.len() != 5 + len {
        return Err(malformed());
    }
    Ok(data.slice(5..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip() {
        let framed = frame(b"hello");
        assert_eq!(&framed[..5], &[0, 0, 0, 0, 5]);
        assert_eq!(unframe(&framed).ok().unwrap(), Bytes::from_static(b"hello"));
        assert!(unframe(&Bytes::from_static(&[1, 0, 0, 0, 0])).is_err());
    }

    #[test]
    fn codecs_and_messages() {
        assert!(Codec::from_content_type("application/json; charset=utf-8") == Some(Codec::Json));
        assert!(Codec::from_content_type("application/grpc").is_none());
        assert_eq!(
            strip_location("invalid type at line 1 column 5"),
            "invalid type"
        );
    }
}
