//! The JS values of fixed shape, as serde types: queue and contents rows, event details, a
//! transport's `outgoing`, and the events another tab posts (checked on arrival, never
//! passed on as they came). serde-wasm-bindgen makes them (its field names are made into
//! JS strings once and cached); another tab's events are read field by field (serde's
//! deserializer would link float formatting into the module) and then made afresh. Property values, whose JS type comes from the
//! property's tag, stay converted by hand (convert.rs).

use serde::{Serialize, Serializer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::entry_id::EntryId;
use crate::spool::Outgoing;
use crate::store::rows::{ContentsRow, QueueRow};
use crate::store::Event;

/// Makes the JS value: structs as plain objects, `None` as `null`.
pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    // Only plain data goes through here (strings, numbers, booleans, arrays, Dates): it
    // cannot fail; if it ever did, `undefined` is what the caller sees, not a panic.
    v.serialize(&ser).unwrap_or(JsValue::UNDEFINED)
}

/// A time (ms since the epoch) that is a JS `Date`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JsDate(pub f64);

impl Serialize for JsDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = js_sys::Date::new(&JsValue::from_f64(self.0));
        serde_wasm_bindgen::preserve::serialize(&d, s)
    }
}

fn date(ms: i64) -> JsDate {
    JsDate(ms as f64)
}

/// An entry id as JS sees it: hex; checked when read from another tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hex(String);

impl Hex {
    fn of(id: &EntryId) -> Hex {
        Hex(id.to_hex())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutgoingJs<'a> {
    submission_id: &'a str,
    entry_id: Hex,
    message_id: &'a str,
    #[serde(with = "serde_bytes")]
    mime: &'a [u8],
    mail_from: &'a str,
    rcpt_to: &'a [String],
    #[serde(with = "serde_wasm_bindgen::preserve")]
    recipients: JsValue,
    attempt: u32,
    possible_duplicate: bool,
}

/// The `outgoing` object a transport's `send` is handed (SPEC §6).
pub fn outgoing(o: &Outgoing) -> JsValue {
    to_js(&OutgoingJs {
        submission_id: &o.submission_id,
        entry_id: Hex::of(&o.entry_id),
        message_id: &o.message_id,
        mime: &o.mime,
        mail_from: &o.mail_from,
        rcpt_to: &o.rcpt_to,
        recipients: super::convert::rows_to_array(&o.recipients),
        attempt: o.attempt,
        possible_duplicate: o.possible_duplicate,
    })
}

#[derive(Serialize)]
struct QueueRowJs<'a> {
    #[serde(rename = "entryId")]
    entry_id: Hex,
    #[serde(rename = "PidTagClientSubmitTime")]
    client_submit_time: JsDate,
    #[serde(rename = "PidTagDisplayTo")]
    display_to: &'a str,
    #[serde(rename = "PidTagDisplayCc")]
    display_cc: &'a str,
    #[serde(rename = "PidTagDisplayBcc")]
    display_bcc: &'a str,
    #[serde(rename = "PidTagMessageFlags")]
    message_flags: u32,
    #[serde(rename = "PidTagMessageSize")]
    message_size: f64,
    #[serde(rename = "PidTagPriority")]
    priority: i32,
    #[serde(rename = "PidTagSenderName")]
    sender_name: &'a str,
    #[serde(rename = "PidTagSubject")]
    subject: &'a str,
    #[serde(rename = "PidTagSubmitFlags")]
    submit_flags: u32,
    #[serde(
        rename = "PidTagDeferredSendTime",
        skip_serializing_if = "Option::is_none"
    )]
    deferred_send_time: Option<JsDate>,
    attempts: u32,
    #[serde(rename = "lastError")]
    last_error: Option<&'a str>,
    #[serde(rename = "nextAttemptAt")]
    next_attempt_at: Option<JsDate>,
}

pub fn queue_row(r: &QueueRow) -> JsValue {
    to_js(&QueueRowJs {
        entry_id: Hex::of(&r.entry_id),
        client_submit_time: date(r.client_submit_time),
        display_to: &r.display_to,
        display_cc: &r.display_cc,
        display_bcc: &r.display_bcc,
        message_flags: r.message_flags,
        message_size: r.message_size as f64,
        priority: r.priority,
        sender_name: &r.sender_name,
        subject: &r.subject,
        submit_flags: r.submit_flags,
        deferred_send_time: r.deferred_send_time.map(date),
        attempts: r.attempts,
        last_error: r.last_error.as_deref(),
        next_attempt_at: r.next_attempt_at.map(date),
    })
}

#[derive(Serialize)]
struct ContentsRowJs<'a> {
    #[serde(rename = "entryId")]
    entry_id: Hex,
    #[serde(rename = "PidTagSubject")]
    subject: &'a str,
    #[serde(rename = "PidTagMessageClass")]
    message_class: &'a str,
    #[serde(rename = "PidTagMessageFlags")]
    message_flags: u32,
    #[serde(rename = "PidTagMessageSize")]
    message_size: f64,
    #[serde(rename = "PidTagDisplayTo")]
    display_to: &'a str,
    #[serde(
        rename = "PidTagClientSubmitTime",
        skip_serializing_if = "Option::is_none"
    )]
    client_submit_time: Option<JsDate>,
}

pub fn contents_row(r: &ContentsRow) -> JsValue {
    to_js(&ContentsRowJs {
        entry_id: Hex::of(&r.entry_id),
        subject: &r.subject,
        message_class: &r.message_class,
        message_flags: r.message_flags,
        message_size: r.message_size as f64,
        display_to: &r.display_to,
        client_submit_time: r.client_submit_time.map(date),
    })
}

// Event details (SPEC §5), one shape per type.

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryDetail {
    entry_id: Hex,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubmittedDetail {
    entry_id: Hex,
    submission_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SendingDetail {
    entry_id: Hex,
    transport: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SentDetail {
    entry_id: Hex,
    sent_entry_id: Option<Hex>,
    submission_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RetryDetail {
    entry_id: Hex,
    attempt: u32,
    error: String,
    next_attempt_at: JsDate,
}

#[derive(Serialize)]
struct FailureDetail {
    email: String,
    reason: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NdrDetail {
    entry_id: Hex,
    report_entry_id: Hex,
    recipients: Vec<FailureDetail>,
}

/// The event's type and its `detail`.
pub fn detail(e: &Event) -> (&'static str, JsValue) {
    let d = match e {
        Event::QueueChange => to_js(&Empty {}),
        Event::Submitted {
            entry_id,
            submission_id,
        } => to_js(&SubmittedDetail {
            entry_id: Hex::of(entry_id),
            submission_id: submission_id.clone(),
        }),
        Event::Aborted { entry_id } => to_js(&EntryDetail {
            entry_id: Hex::of(entry_id),
        }),
        Event::Sending {
            entry_id,
            transport,
        } => to_js(&SendingDetail {
            entry_id: Hex::of(entry_id),
            transport: transport.clone(),
        }),
        Event::Sent {
            entry_id,
            sent_entry_id,
            submission_id,
        } => to_js(&SentDetail {
            entry_id: Hex::of(entry_id),
            sent_entry_id: sent_entry_id.as_ref().map(Hex::of),
            submission_id: submission_id.clone(),
        }),
        Event::Retry {
            entry_id,
            attempt,
            error,
            next_attempt_at,
        } => to_js(&RetryDetail {
            entry_id: Hex::of(entry_id),
            attempt: *attempt,
            error: error.clone(),
            next_attempt_at: date(*next_attempt_at),
        }),
        Event::Ndr {
            entry_id,
            report_entry_id,
            recipients,
        } => to_js(&NdrDetail {
            entry_id: Hex::of(entry_id),
            report_entry_id: Hex::of(report_entry_id),
            recipients: recipients
                .iter()
                .map(|f| FailureDetail {
                    email: f.email.clone(),
                    reason: f.reason.clone(),
                })
                .collect(),
        }),
    };
    (e.type_name(), d)
}

/// A field of another tab's detail, read without letting anything throw.
fn field(o: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn text(o: &JsValue, k: &str) -> Option<String> {
    field(o, k).as_string().filter(|s| s.len() <= 100_000)
}

fn hex(o: &JsValue, k: &str) -> Option<Hex> {
    let s = text(o, k)?;
    EntryId::parse_hex(k, &s).ok()?;
    Some(Hex(s))
}

fn time(o: &JsValue, k: &str) -> Option<JsDate> {
    let t = field(o, k).dyn_ref::<js_sys::Date>()?.get_time();
    t.is_finite().then_some(JsDate(t))
}

fn count(o: &JsValue, k: &str) -> Option<u32> {
    let n = field(o, k).as_f64()?;
    (n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n)).then_some(n as u32)
}

fn failures(o: &JsValue) -> Option<Vec<FailureDetail>> {
    let list = field(o, "recipients");
    if !js_sys::Array::is_array(&list) {
        return None;
    }
    let list = js_sys::Array::from(&list);
    if list.length() > 100_000 {
        return None;
    }
    list.iter()
        .map(|f| {
            Some(FailureDetail {
                email: text(&f, "email")?,
                reason: text(&f, "reason")?,
            })
        })
        .collect()
}

/// A detail of type `ty` from another tab, read as its shape and made afresh; None when it
/// does not have that shape (the event is dropped).
pub fn check_detail(ty: &str, d: JsValue) -> Option<JsValue> {
    if ty != "queuechange" && !d.is_object() {
        return None;
    }
    Some(match ty {
        "queuechange" => to_js(&Empty {}),
        "submitted" => to_js(&SubmittedDetail {
            entry_id: hex(&d, "entryId")?,
            submission_id: text(&d, "submissionId")?,
        }),
        "aborted" => to_js(&EntryDetail {
            entry_id: hex(&d, "entryId")?,
        }),
        "sending" => to_js(&SendingDetail {
            entry_id: hex(&d, "entryId")?,
            transport: text(&d, "transport")?,
        }),
        "sent" => to_js(&SentDetail {
            entry_id: hex(&d, "entryId")?,
            sent_entry_id: match field(&d, "sentEntryId") {
                v if v.is_null() => None,
                _ => Some(hex(&d, "sentEntryId")?),
            },
            submission_id: text(&d, "submissionId")?,
        }),
        "retry" => to_js(&RetryDetail {
            entry_id: hex(&d, "entryId")?,
            attempt: count(&d, "attempt")?,
            error: text(&d, "error")?,
            next_attempt_at: time(&d, "nextAttemptAt")?,
        }),
        "ndr" => to_js(&NdrDetail {
            entry_id: hex(&d, "entryId")?,
            report_entry_id: hex(&d, "reportEntryId")?,
            recipients: failures(&d)?,
        }),
        _ => return None,
    })
}
