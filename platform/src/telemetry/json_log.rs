//! The JSON log lines: one object per event with `timestamp`, `level`, the event's fields,
//! `target`, and the current span's fields under `span` (the request span carries `request_id`,
//! `path`, `tenant_id` and `principal`).
//!
//! Why not `tracing_subscriber::fmt().json()`, which wrote the same shape before: it keeps a
//! span's fields as JSON text and parses it back into a map each time a field is recorded and
//! each time an event in the span is written, and every request records two fields and writes
//! its access line. Here a span's fields are kept as ready-made JSON members, recording appends
//! to them, and an event is written into a reused per-thread buffer and handed to the sink whole
//! (bench/history/get-asset.md has what it saved per request).

use super::Sink;
use std::{
    cell::RefCell,
    fmt::{self, Write as _},
};
use tracing::{Event, Subscriber, field::Field, span};
use tracing_subscriber::{Layer, layer::Context, registry::LookupSpan};

/// The layer writing JSON lines to its sink.
pub struct JsonLog {
    sink: Sink,
}

impl JsonLog {
    /// Lines to `sink` (the process's: stderr through [`super::batched`]).
    pub fn to(sink: Sink) -> Self {
        Self { sink }
    }
}

/// A span's fields as JSON members, each written `,"name":value`.
struct SpanFields(String);

impl<S> Layer<S> for JsonLog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = String::new();
        attrs.record(&mut Members(&mut fields));
        span.extensions_mut().insert(SpanFields(fields));
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            values.record(&mut Members(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        thread_local! {
            static LINE: RefCell<String> = const { RefCell::new(String::new()) };
        }
        LINE.with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return; // an event while writing an event (from the sink): dropped
            };
            line.clear();
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let meta = event.metadata();
            let _ = write!(
                line,
                "{{\"timestamp\":\"{now}\",\"level\":\"{}\"",
                meta.level()
            );
            event.record(&mut Members(&mut line));
            line.push_str(",\"target\":");
            push_json_str(&mut line, meta.target());
            if let Some(span) = ctx.event_span(event) {
                line.push_str(",\"span\":{\"name\":");
                push_json_str(&mut line, span.name());
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    line.push_str(fields);
                }
                line.push('}');
            }
            line.push_str("}\n");
            (self.sink)(line.as_bytes());
        });
    }
}

/// Writes each recorded field as `,"name":value`.
struct Members<'a>(&'a mut String);

impl Members<'_> {
    fn key(&mut self, field: &Field) {
        self.0.push(',');
        push_json_str(self.0, field.name());
        self.0.push(':');
    }
}

impl tracing::field::Visit for Members<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.key(field);
        self.0.push('"');
        let _ = write!(Escaped(self.0), "{value:?}");
        self.0.push('"');
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.key(field);
        push_json_str(self.0, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field);
        let _ = write!(self.0, "{value}");
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field);
        let _ = write!(self.0, "{value}");
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field);
        self.0.push_str(if value { "true" } else { "false" });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.key(field);
        if value.is_finite() {
            let _ = write!(self.0, "{value}");
        } else {
            let _ = write!(self.0, "\"{value}\"");
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.key(field);
        self.0.push('"');
        let _ = write!(Escaped(self.0), "{value}");
        self.0.push('"');
    }
}

/// `text` as a JSON string.
fn push_json_str(out: &mut String, text: &str) {
    out.push('"');
    let _ = Escaped(out).write_str(text);
    out.push('"');
}

/// Escapes what it is given for the inside of a JSON string.
struct Escaped<'a>(&'a mut String);

impl fmt::Write for Escaped<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut plain = 0;
        for (i, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.0.push_str(&text[plain..i]);
            if escape.is_empty() {
                write!(self.0, "\\u{byte:04x}")?;
            } else {
                self.0.push_str(escape);
            }
            plain = i + 1;
        }
        self.0.push_str(&text[plain..]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::prelude::*;

    fn capture(run: impl FnOnce()) -> Vec<serde_json::Value> {
        let out = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = out.clone();
        let subscriber = tracing_subscriber::registry().with(JsonLog::to(Box::new(move |line| {
            sink.lock().unwrap().extend_from_slice(line)
        })));
        tracing::subscriber::with_default(subscriber, run);
        let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    #[test]
    fn events_carry_their_fields_and_the_spans_fields_recorded_later() {
        let lines = capture(|| {
            let span = tracing::info_span!(
                "request",
                request_id = "r-1",
                path = "/x",
                tenant_id = tracing::field::Empty
            );
            let _entered = span.enter();
            span.record("tenant_id", tracing::field::display("t-1"));
            tracing::info!(
                status = 200u64,
                ok = true,
                ratio = 0.5,
                "done \"quoted\"\nnext\u{1}"
            );
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "done \"quoted\"\nnext\u{1}");
        assert_eq!(line["status"], 200);
        assert_eq!(line["ok"], true);
        assert_eq!(line["ratio"], 0.5);
        assert!(line["target"].as_str().unwrap().contains("json_log"));
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["request_id"], "r-1");
        assert_eq!(line["span"]["path"], "/x");
        assert_eq!(line["span"]["tenant_id"], "t-1");
        let stamp = line["timestamp"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
            "{stamp}"
        );
    }

    #[test]
    fn events_outside_spans_have_no_span_and_errors_are_strings() {
        let lines = capture(|| {
            let err = std::io::Error::other("disk \\ full");
            tracing::warn!(error = &err as &(dyn std::error::Error + 'static), "failed");
        });
        assert_eq!(lines[0]["level"], "WARN");
        assert_eq!(lines[0]["error"], "disk \\ full");
        assert!(lines[0].get("span").is_none());
    }
}
