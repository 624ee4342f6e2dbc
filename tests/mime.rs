//! The MIME writer (SPEC §7), checked by parsing what it writes with an independent parser
//! (mail-parser) and by looking at the raw bytes.
#![cfg(not(target_arch = "wasm32"))]

use mail_parser::{Address, HeaderName, Message, MessageParser, MimeHeaders};
use mapi_outbox::message::{MessageContent, RecipientOp};
use mapi_outbox::mime::{build, MimeOptions};
use mapi_outbox::object::Identity;
use mapi_outbox::props::names::tags;
use mapi_outbox::props::{PropBag, PropTag, PropValue};
use mapi_outbox::MapiCode;
use proptest::prelude::*;

/// 2024-05-06T07:08:09.123Z
const NOW: i64 = 1_714_979_289_123;

fn s(v: &str) -> PropValue {
    PropValue::Unicode(v.into())
}

/// A message as the property rules let it be built, with a sender.
fn message(props: Vec<(PropTag, PropValue)>) -> MessageContent {
    let mut c = MessageContent::default();
    let mut all = vec![
        (tags::PidTagSenderEmailAddress, s("me@example.org")),
        (tags::PidTagImportance, PropValue::Long(1)),
    ];
    all.extend(props);
    c.set_props(all).unwrap();
    c
}

fn recipient(ty: i32, email: &str, name: Option<&str>) -> Vec<(PropTag, PropValue)> {
    let mut r = vec![
        (tags::PidTagRecipientType, PropValue::Long(ty)),
        (tags::PidTagEmailAddress, s(email)),
    ];
    if let Some(n) = name {
        r.push((tags::PidTagDisplayName, s(n)));
    }
    r
}

fn add_recipients(c: &mut MessageContent, rows: Vec<Vec<(PropTag, PropValue)>>) {
    c.modify_recipients(RecipientOp::Add, rows).unwrap();
}

fn attach(c: &mut MessageContent, props: Vec<(PropTag, PropValue)>) {
    let mut bag = PropBag::new();
    bag.set(tags::PidTagAttachMethod, PropValue::Long(1));
    for (t, v) in props {
        bag.set(t, v);
    }
    let n = c.reserve_attach_number();
    c.attachments.insert(n, bag);
}

fn opts() -> MimeOptions<'static> {
    MimeOptions {
        identity: None,
        now_ms: NOW,
        date_ms: None,
    }
}

fn mime(c: &MessageContent) -> Vec<u8> {
    let out = build(c, &opts()).unwrap();
    assert_lines_ok(&out);
    out
}

fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("mail-parser reads the message")
}

/// CRLF line endings only, no line over 998 octets.
fn assert_lines_ok(out: &[u8]) {
    let mut start = 0;
    for (i, &b) in out.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && out[i - 1] == b'\r', "bare LF at byte {i}");
            assert!(i - 1 - start <= 998, "line of {} octets", i - 1 - start);
            start = i + 1;
        } else if b == b'\r' {
            assert_eq!(out.get(i + 1), Some(&b'\n'), "bare CR at byte {i}");
        }
    }
    assert!(out.len() - start <= 998);
}

/// The header block (up to the first empty line).
fn header_block(out: &[u8]) -> &str {
    let text = std::str::from_utf8(out).expect("headers are ASCII");
    let end = text.find("\r\n\r\n").expect("a header block");
    &text[..end + 2]
}

fn header_names(out: &[u8]) -> Vec<String> {
    let bytes = &out[..header_block(out).len()];
    std::str::from_utf8(bytes)
        .unwrap()
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap().to_ascii_lowercase())
        .collect()
}

fn addrs(a: Option<&Address<'_>>) -> Vec<(Option<String>, String)> {
    a.map(|a| {
        a.iter()
            .map(|x| {
                (
                    x.name().map(str::to_string),
                    x.address().unwrap_or_default().to_string(),
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

#[test]
fn russian_subject_is_rfc_2047_encoded_and_reads_back() {
    let subject = "Отправка сообщения: отчёт за квартал";
    let c = message(vec![
        (tags::PidTagSubject, s(subject)),
        (tags::PidTagBody, s("Привет")),
    ]);
    let out = mime(&c);
    let subject_line = header_block(&out)
        .split("\r\n")
        .find(|l| l.starts_with("Subject:"))
        .unwrap();
    assert!(subject_line.contains("=?utf-8?"), "{subject_line}");
    let m = parse(&out);
    assert_eq!(m.subject(), Some(subject));
    assert_eq!(m.body_text(0).as_deref(), Some("Привет"));
}

#[test]
fn russian_attachment_filename_uses_rfc_2231_and_reads_back() {
    let name = "Годовой отчёт, итог 2024.pdf";
    let mut c = message(vec![(tags::PidTagBody, s("see attached"))]);
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachLongFilename, s(name)),
            (tags::PidTagAttachMimeTag, s("application/pdf")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(b"%PDF-1.4".to_vec().into()),
            ),
        ],
    );
    let out = mime(&c);
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("filename*"), "RFC 2231 parameter expected");
    let m = parse(&out);
    let a = m.attachment(0).unwrap();
    assert_eq!(a.attachment_name(), Some(name));
    assert_eq!(a.content_type().unwrap().ctype(), "application");
    assert_eq!(a.content_type().unwrap().subtype(), Some("pdf"));
    assert_eq!(a.contents(), b"%PDF-1.4");
}

#[test]
fn text_shaped_like_encoded_words_is_encoded_and_reads_back_as_typed() {
    // RFC 2047 §5/§7: written as it is, readers decode it into text nobody typed.
    let evil = "=?utf-8?q?CRLF=0D=0ABcc=3A_x=40y.org?=";
    let long = format!("{evil} and a long tail to fold {}", "x ".repeat(40));
    let mut c = message(vec![
        (tags::PidTagSubject, s(&long)),
        (tags::PidTagSenderName, s(evil)),
        (tags::PidTagBody, s("x")),
    ]);
    add_recipients(
        &mut c,
        vec![
            recipient(1, "a@example.org", Some(evil)),
            recipient(1, "q@example.org", Some("O'Brien \"Bob\", Jr.")),
            recipient(1, "plain@example.org", None),
            recipient(1, "ivan@example.ru", Some("Иванов, Иван")),
            recipient(2, "cc@example.org", Some(&long)),
        ],
    );
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachLongFilename, s(&format!("{evil}.txt"))),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(b"x".to_vec().into()),
            ),
        ],
    );
    let out = mime(&c);
    assert_lines_ok(&out);
    let head = header_block(&out);
    assert!(!head.contains("=?utf-8?q?CRLF"), "{head}");
    for line in head.split("\r\n") {
        assert!(line.len() <= 78, "{line}");
    }
    let m = parse(&out);
    assert_eq!(m.subject(), Some(long.as_str()));
    assert_eq!(
        addrs(m.from()),
        vec![(Some(evil.into()), "me@example.org".into())]
    );
    assert_eq!(
        addrs(m.to()),
        vec![
            (Some(evil.into()), "a@example.org".into()),
            (Some("O'Brien \"Bob\", Jr.".into()), "q@example.org".into()),
            (None, "plain@example.org".into()),
            (Some("Иванов, Иван".into()), "ivan@example.ru".into()),
        ]
    );
    assert_eq!(
        addrs(m.cc()),
        vec![(Some(long.clone()), "cc@example.org".into())]
    );
    assert_eq!(
        m.attachment(0).unwrap().attachment_name(),
        Some(format!("{evil}.txt").as_str())
    );
    assert!(m.bcc().is_none());
}

#[test]
fn runs_of_spaces_in_a_long_subject_or_name_read_back_exactly() {
    // Folded at a run of spaces, readers collapse the run to one space (found by the
    // libFuzzer mime target): such text is written as encoded words.
    let subject = "[a:0p[ap                               <          p%TTTTTTTTTTTTTTTTTTTTT";
    let name = format!(
        "Name{}with  runs\tand tabs {}",
        " ".repeat(30),
        "x".repeat(40)
    );
    let mut c = message(vec![
        (tags::PidTagSubject, s(subject)),
        (tags::PidTagBody, s("x")),
    ]);
    add_recipients(&mut c, vec![recipient(1, "a@example.org", Some(&name))]);
    let out = mime(&c);
    assert_lines_ok(&out);
    let m = parse(&out);
    assert_eq!(m.subject(), Some(subject));
    assert_eq!(
        addrs(m.to()),
        vec![(Some(name.clone()), "a@example.org".into())]
    );
}

#[test]
fn short_filename_is_used_when_there_is_no_long_one_and_octet_stream_is_the_default_type() {
    let mut c = message(vec![]);
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachFilename, s("DATA.BIN")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(vec![1, 2, 3].into()),
            ),
        ],
    );
    let out = mime(&c);
    let m = parse(&out);
    let a = m.attachment(0).unwrap();
    assert_eq!(a.attachment_name(), Some("DATA.BIN"));
    let ct = a.content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("application", Some("octet-stream"))
    );
}

#[test]
fn display_names_with_commas_quotes_and_non_ascii_read_back() {
    let mut c = message(vec![
        (tags::PidTagSenderName, s("Doe, \"Jane\" (Sales)")),
        (tags::PidTagBody, s("x")),
    ]);
    add_recipients(
        &mut c,
        vec![
            recipient(1, "ivan@example.ru", Some("Иванов, Иван")),
            recipient(1, "q@example.org", Some("O'Brien \"Bob\", Jr.")),
            recipient(1, "plain@example.org", None),
            recipient(2, "cc@example.org", Some("Zoë; <not an address>")),
            recipient(2, "back@example.org", Some("back\\slash")),
        ],
    );
    let out = mime(&c);
    let m = parse(&out);
    assert_eq!(
        addrs(m.from()),
        vec![(
            Some("Doe, \"Jane\" (Sales)".into()),
            "me@example.org".into()
        )]
    );
    assert_eq!(
        addrs(m.to()),
        vec![
            (Some("Иванов, Иван".into()), "ivan@example.ru".into()),
            (Some("O'Brien \"Bob\", Jr.".into()), "q@example.org".into()),
            (None, "plain@example.org".into()),
        ]
    );
    assert_eq!(
        addrs(m.cc()),
        vec![
            (
                Some("Zoë; <not an address>".into()),
                "cc@example.org".into()
            ),
            (Some("back\\slash".into()), "back@example.org".into()),
        ]
    );
}

#[test]
fn text_only_is_a_single_text_plain_part() {
    let c = message(vec![(tags::PidTagBody, s("just text\nsecond line"))]);
    let out = mime(&c);
    let m = parse(&out);
    let ct = m.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    assert_eq!(ct.attribute("charset"), Some("utf-8"));
    assert_eq!(m.body_text(0).as_deref(), Some("just text\r\nsecond line"));
    assert!(m.parts.iter().all(|p| !p.is_text_html()));
}

#[test]
fn html_only_is_a_single_text_html_part() {
    let html = "<p>Только <b>HTML</b></p>";
    let c = message(vec![(tags::PidTagBodyHtml, s(html))]);
    let out = mime(&c);
    let m = parse(&out);
    let ct = m.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("html")));
    assert_eq!(m.body_html(0).as_deref(), Some(html));
}

#[test]
fn text_and_html_make_multipart_alternative_in_that_order() {
    let c = message(vec![
        (tags::PidTagBody, s("plain version")),
        (tags::PidTagBodyHtml, s("<p>html version</p>")),
    ]);
    let out = mime(&c);
    let m = parse(&out);
    let ct = m.root_part().content_type().unwrap();
    assert_eq!(
        (ct.ctype(), ct.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(m.body_text(0).as_deref(), Some("plain version"));
    assert_eq!(m.body_html(0).as_deref(), Some("<p>html version</p>"));
    let parts = m.root_part().sub_parts().unwrap();
    assert_eq!(parts.len(), 2);
    assert!(m.part(parts[0]).unwrap().is_text() && !m.part(parts[0]).unwrap().is_text_html());
    assert!(m.part(parts[1]).unwrap().is_text_html());
}

#[test]
fn no_body_at_all_is_an_empty_text_part() {
    let c = message(vec![(tags::PidTagSubject, s("empty"))]);
    let out = mime(&c);
    let m = parse(&out);
    assert_eq!(m.body_text(0).as_deref().unwrap_or(""), "");
    assert_eq!(m.attachment_count(), 0);
}

#[test]
fn attachment_bytes_come_back_exactly_binary_text_and_one_megabyte() {
    let all_bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let big: Vec<u8> = (0..1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    // Text types would be 7bit if mail-builder chose: lone CR, NUL and bare LF must survive.
    let tricky_text =
        b"line\rCR only\x00NUL\nLF only\r\nCRLF \t\r\n--=_mapi-outbox_mixed_0\r\n".to_vec();
    let mut c = message(vec![
        (tags::PidTagBody, s("three attachments")),
        (tags::PidTagBodyHtml, s("<p>three attachments</p>")),
    ]);
    for (name, ty, data) in [
        ("all-bytes.bin", "application/octet-stream", &all_bytes),
        ("big.dat", "application/x-big", &big),
        ("tricky.txt", "text/plain", &tricky_text),
    ] {
        attach(
            &mut c,
            vec![
                (tags::PidTagAttachLongFilename, s(name)),
                (tags::PidTagAttachMimeTag, s(ty)),
                (
                    tags::PidTagAttachDataBinary,
                    PropValue::Binary(data.clone().into()),
                ),
            ],
        );
    }
    let out = mime(&c);
    let m = parse(&out);
    let ct = m.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("multipart", Some("mixed")));
    assert_eq!(m.attachment_count(), 3);
    assert_eq!(m.attachment(0).unwrap().contents(), &all_bytes[..]);
    assert_eq!(m.attachment(1).unwrap().contents(), &big[..]);
    assert_eq!(m.attachment(2).unwrap().contents(), &tricky_text[..]);
    assert_eq!(
        m.attachment(2).unwrap().attachment_name(),
        Some("tricky.txt")
    );
    assert_eq!(m.body_text(0).as_deref(), Some("three attachments"));
    assert_eq!(m.body_html(0).as_deref(), Some("<p>three attachments</p>"));
}

#[test]
fn an_attachment_without_data_is_an_empty_part() {
    let mut c = message(vec![(tags::PidTagBody, s("x"))]);
    attach(
        &mut c,
        vec![(tags::PidTagAttachLongFilename, s("empty.txt"))],
    );
    let m_bytes = mime(&c);
    let m = parse(&m_bytes);
    assert_eq!(m.attachment(0).unwrap().contents(), b"");
}

#[test]
fn content_id_makes_an_inline_part_with_that_id() {
    let png = vec![0x89, b'P', b'N', b'G', 0, 0xFF, 13, 10, 26, 10];
    let mut c = message(vec![(
        tags::PidTagBodyHtml,
        s("<img src=\"cid:logo@example.org\">"),
    )]);
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachLongFilename, s("logo.png")),
            (tags::PidTagAttachMimeTag, s("image/png")),
            (tags::PidTagAttachContentId, s("logo@example.org")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(png.clone().into()),
            ),
        ],
    );
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachMimeTag, s("image/gif")),
            (tags::PidTagAttachContentId, s("<bracketed@example.org>")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(b"GIF89a".to_vec().into()),
            ),
        ],
    );
    let out = mime(&c);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("Content-ID: <logo@example.org>\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Content-ID: <bracketed@example.org>\r\n"),
        "{text}"
    );
    let m = parse(&out);
    let a = m.attachment(0).unwrap();
    assert_eq!(a.content_id(), Some("logo@example.org"));
    assert!(a.content_disposition().unwrap().is_inline());
    assert_eq!(a.attachment_name(), Some("logo.png"));
    assert_eq!(a.contents(), &png[..]);
    assert_eq!(
        m.attachment(1).unwrap().content_id(),
        Some("bracketed@example.org")
    );
}

#[test]
fn importance_is_written_only_when_not_normal() {
    for (value, expected) in [(0, Some("low")), (1, None), (2, Some("high"))] {
        let c = message(vec![(tags::PidTagImportance, PropValue::Long(value))]);
        let out = mime(&c);
        let m = parse(&out);
        let got = m.header("Importance").and_then(|v| v.as_text());
        assert_eq!(got, expected, "PidTagImportance {value}");
    }
    let mut c = message(vec![]);
    c.props.remove(tags::PidTagImportance);
    assert!(!header_names(&mime(&c)).contains(&"importance".to_string()));
}

#[test]
fn bcc_recipients_never_appear_in_the_message() {
    let mut c = message(vec![(tags::PidTagBody, s("x"))]);
    add_recipients(
        &mut c,
        vec![
            recipient(1, "to@example.org", Some("To Person")),
            recipient(3, "hidden@example.org", Some("Secret Person")),
            recipient(3, "hidden2@example.org", None),
        ],
    );
    let out = mime(&c);
    assert!(!header_names(&out).contains(&"bcc".to_string()));
    let text = String::from_utf8_lossy(&out);
    assert!(!text.contains("hidden"), "{text}");
    assert!(!text.contains("Secret"), "{text}");
    let m = parse(&out);
    assert!(m.bcc().is_none());
    assert_eq!(
        addrs(m.to()),
        vec![(Some("To Person".into()), "to@example.org".into())]
    );

    // Only Bcc recipients: still no Bcc header, and no To either.
    let mut c = message(vec![]);
    add_recipients(&mut c, vec![recipient(3, "hidden@example.org", None)]);
    let out = mime(&c);
    let names = header_names(&out);
    assert!(!names.contains(&"bcc".to_string()) && !names.contains(&"to".to_string()));
}

#[test]
fn non_smtp_recipients_are_left_out_of_the_headers() {
    let mut c = message(vec![]);
    let mut ex = recipient(1, "/o=Org/cn=Someone", Some("Exchange Person"));
    ex.push((tags::PidTagAddressType, s("EX")));
    add_recipients(&mut c, vec![ex, recipient(1, "a@example.org", None)]);
    let out = mime(&c);
    let m = parse(&out);
    assert_eq!(addrs(m.to()), vec![(None, "a@example.org".into())]);
    assert!(!String::from_utf8_lossy(&out).contains("Exchange"));
}

#[test]
fn every_line_ends_in_crlf_and_a_100_kb_single_line_body_is_wrapped() {
    let line: String = "word ".repeat(20 * 1024); // 100 KiB, no line break
    let c = message(vec![
        (tags::PidTagSubject, s(&"long subject ".repeat(2000))),
        (tags::PidTagBody, s(&line)),
        (
            tags::PidTagBodyHtml,
            s(&format!("<p>{}</p>", "ы".repeat(50_000))),
        ),
    ]);
    let out = mime(&c); // asserts CRLF and ≤ 998 on every line
    let m = parse(&out);
    assert_eq!(m.body_text(0).as_deref(), Some(line.as_str()));
    assert_eq!(m.subject(), Some("long subject ".repeat(2000).as_str()));
    assert!(out.split(|&b| b == b'\n').all(|l| l.len() <= 80));
}

#[test]
fn line_breaks_in_bodies_become_crlf() {
    let c = message(vec![(tags::PidTagBody, s("a\nb\rc\r\nd"))]);
    let out = mime(&c);
    assert_eq!(
        parse(&out).body_text(0).as_deref(),
        Some("a\r\nb\r\nc\r\nd")
    );
}

#[test]
fn a_body_with_nul_is_base64_and_reads_back() {
    let body = "before\0after\r\nзначит";
    let c = message(vec![(tags::PidTagBody, s(body))]);
    let out = mime(&c);
    assert!(String::from_utf8_lossy(&out).contains("Content-Transfer-Encoding: base64"));
    assert!(!out.contains(&0));
    assert_eq!(parse(&out).body_text(0).as_deref(), Some(body));
}

#[test]
fn a_body_containing_the_boundary_does_not_split_the_message() {
    let body = "--=_mapi-outbox_alternative_0\r\n--=_mapi-outbox_mixed_0\r\nhi\r\n--=_mapi-outbox_mixed_0--";
    let mut c = message(vec![
        (tags::PidTagBody, s(body)),
        (tags::PidTagBodyHtml, s("<p>x</p>")),
    ]);
    attach(
        &mut c,
        vec![(
            tags::PidTagAttachDataBinary,
            PropValue::Binary(vec![7; 10].into()),
        )],
    );
    let out = mime(&c);
    let m = parse(&out);
    assert_eq!(m.body_text(0).as_deref(), Some(body));
    assert_eq!(m.body_html(0).as_deref(), Some("<p>x</p>"));
    assert_eq!(m.attachment(0).unwrap().contents(), &[7; 10]);
}

#[test]
fn date_is_the_submit_time_when_there_is_one_else_now() {
    let c = message(vec![]);
    let m_bytes = mime(&c);
    let m = parse(&m_bytes);
    assert_eq!(m.date().unwrap().to_timestamp(), NOW / 1000);
    assert!(header_block(&m_bytes).contains("Date: Mon, 6 May 2024 07:08:09 +0000\r\n"));

    let submitted = 1_000_000_000_000; // 2001-09-09T01:46:40Z
    let c = message(vec![(
        tags::PidTagClientSubmitTime,
        PropValue::SysTime(submitted),
    )]);
    let m_bytes = mime(&c);
    assert_eq!(
        parse(&m_bytes).date().unwrap().to_timestamp(),
        submitted / 1000
    );
}

#[test]
fn dates_a_header_cannot_carry_are_refused() {
    for ms in [i64::MIN, -3_000_000_000_000, 300_000_000_000_000, i64::MAX] {
        let c = message(vec![(tags::PidTagClientSubmitTime, PropValue::SysTime(ms))]);
        let e = build(&c, &opts()).unwrap_err();
        assert_eq!(e.code, MapiCode::InvalidParameter, "{ms}");
        assert!(
            e.message.contains("PidTagClientSubmitTime"),
            "{}",
            e.message
        );
    }
    // Before 1970 is fine.
    let c = message(vec![(
        tags::PidTagClientSubmitTime,
        PropValue::SysTime(-86_400_000),
    )]);
    assert_eq!(parse(&mime(&c)).date().unwrap().to_timestamp(), -86_400);
}

#[test]
fn message_id_is_the_property_and_absent_without_one() {
    let c = message(vec![(
        tags::PidTagInternetMessageId,
        s("<abc.123@example.org>"),
    )]);
    let out = mime(&c);
    assert!(header_block(&out).contains("Message-ID: <abc.123@example.org>\r\n"));
    assert_eq!(parse(&out).message_id(), Some("abc.123@example.org"));

    let c = message(vec![]);
    let out = mime(&c);
    assert!(!header_names(&out).contains(&"message-id".to_string()));
}

#[test]
fn ids_that_cannot_fit_one_line_are_refused() {
    let long = format!("<{}@example.org>", "x".repeat(2000));
    let c = message(vec![(tags::PidTagInternetMessageId, s(&long))]);
    let e = build(&c, &opts()).unwrap_err();
    assert_eq!(e.code, MapiCode::InvalidParameter);
    assert!(
        e.message.contains("PidTagInternetMessageId"),
        "{}",
        e.message
    );

    let mut c = message(vec![]);
    attach(
        &mut c,
        vec![(tags::PidTagAttachContentId, s("has space@x"))],
    );
    let e = build(&c, &opts()).unwrap_err();
    assert!(e.message.contains("PidTagAttachContentId"), "{}", e.message);
}

#[test]
fn from_is_the_sender_properties_else_the_identity_else_an_error() {
    let me = Identity {
        email: "id@example.org".into(),
        name: Some("Идентичность".into()),
    };
    let with_identity = MimeOptions {
        identity: Some(&me),
        now_ms: NOW,
        date_ms: None,
    };
    // Sender properties win.
    let mut c = message(vec![(tags::PidTagSenderName, s("Prop Name"))]);
    let out = build(&c, &with_identity).unwrap();
    assert_eq!(
        addrs(parse(&out).from()),
        vec![(Some("Prop Name".into()), "me@example.org".into())]
    );
    // No sender address: the identity, with its name.
    c.props.remove(tags::PidTagSenderEmailAddress);
    c.props.remove(tags::PidTagSenderName);
    let out = build(&c, &with_identity).unwrap();
    assert_eq!(
        addrs(parse(&out).from()),
        vec![(Some("Идентичность".into()), "id@example.org".into())]
    );
    // Nothing at all.
    let e = build(&c, &opts()).unwrap_err();
    assert_eq!(e.code, MapiCode::InvalidParameter);
    assert!(e.message.contains("no sender"), "{}", e.message);
}

#[test]
fn the_writer_refuses_cr_or_lf_in_headers_even_when_the_rules_were_bypassed() {
    let injected = "hi\r\nBcc: victim@example.org";
    type Corrupt = Box<dyn Fn(&mut MessageContent)>;
    let cases: Vec<(&str, Corrupt)> = vec![
        (
            "PidTagSubject",
            Box::new(|c| c.props.set(tags::PidTagSubject, s(injected))),
        ),
        (
            "PidTagSenderName",
            Box::new(|c| c.props.set(tags::PidTagSenderName, s(injected))),
        ),
        (
            "PidTagSenderEmailAddress",
            Box::new(|c| {
                c.props
                    .set(tags::PidTagSenderEmailAddress, s("a@b.org\r\nBcc: x@y.org"))
            }),
        ),
        (
            "PidTagDisplayName",
            Box::new(|c| {
                add_recipients(c, vec![recipient(1, "a@example.org", None)]);
                c.recipients[0]
                    .props
                    .set(tags::PidTagDisplayName, s(injected));
            }),
        ),
        (
            "PidTagEmailAddress",
            Box::new(|c| {
                add_recipients(c, vec![recipient(2, "a@example.org", None)]);
                c.recipients[0]
                    .props
                    .set(tags::PidTagEmailAddress, s("a@x.org\nBcc: v@x.org"));
            }),
        ),
        (
            "PidTagInternetMessageId",
            Box::new(|c| {
                c.props
                    .set(tags::PidTagInternetMessageId, s("<a@b>\r\nBcc: v@x.org"))
            }),
        ),
        (
            "filename",
            Box::new(|c| attach(c, vec![(tags::PidTagAttachLongFilename, s(injected))])),
        ),
        (
            "PidTagAttachMimeTag",
            Box::new(|c| {
                attach(
                    c,
                    vec![(tags::PidTagAttachMimeTag, s("text/plain\r\nBcc: v@x.org"))],
                )
            }),
        ),
        (
            "PidTagAttachContentId",
            Box::new(|c| {
                attach(
                    c,
                    vec![(tags::PidTagAttachContentId, s("a@b\r\nBcc: v@x.org"))],
                )
            }),
        ),
    ];
    for (key, set) in cases {
        let mut c = message(vec![]);
        set(&mut c);
        let e = build(&c, &opts()).unwrap_err();
        assert_eq!(e.code, MapiCode::InvalidParameter, "{key}");
        assert!(e.message.contains(key), "{key}: {}", e.message);
    }
}

#[test]
fn output_is_deterministic() {
    let mut c = message(vec![
        (tags::PidTagSubject, s("Тема")),
        (tags::PidTagBody, s("text")),
        (tags::PidTagBodyHtml, s("<p>html</p>")),
    ]);
    add_recipients(&mut c, vec![recipient(1, "a@example.org", Some("A"))]);
    attach(
        &mut c,
        vec![(
            tags::PidTagAttachDataBinary,
            PropValue::Binary(vec![0; 100].into()),
        )],
    );
    assert_eq!(mime(&c), mime(&c));
}

#[test]
fn header_order_is_fixed_and_mime_version_is_present() {
    let mut c = message(vec![
        (tags::PidTagSubject, s("s")),
        (tags::PidTagImportance, PropValue::Long(2)),
        (tags::PidTagInternetMessageId, s("<i@d>")),
        (tags::PidTagBody, s("b")),
    ]);
    add_recipients(
        &mut c,
        vec![
            recipient(2, "c@example.org", None),
            recipient(1, "t@example.org", None),
        ],
    );
    let names = header_names(&mime(&c));
    assert_eq!(
        names,
        [
            "from",
            "to",
            "cc",
            "subject",
            "date",
            "message-id",
            "importance",
            "mime-version",
            "content-type",
            "content-transfer-encoding"
        ]
    );
    let out = mime(&c);
    let m = parse(&out);
    assert!(m.header(HeaderName::MimeVersion).is_some());
}

// ---- property test ---------------------------------------------------------------------

/// Header text the property rules accept: any Unicode but CR, LF and NUL.
fn header_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range(' ', '~'),
            2 => proptest::char::any(),
            1 => proptest::sample::select(vec!['\t', '\u{1}', '\u{1b}', '\u{7f}', 'é', 'ж', '😀', '"', ',', '=', '?', '\\', '(', ')', '<', '>', ';', ':']),
        ]
        .prop_filter("no CR, LF or NUL", |c| !matches!(c, '\r' | '\n' | '\0')),
        0..120,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Body text: any Unicode, line breaks and control characters included.
fn body_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            6 => proptest::char::range(' ', '~'),
            2 => proptest::char::any(),
            2 => proptest::sample::select(vec!['\r', '\n', '\t', '\0', '\u{1}', '\u{7f}', ' ', '.', '-', '=']),
        ],
        0..400,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// What a reader of an unstructured header or a phrase gets back: RFC 5322 unfolding makes
/// runs of white space one space in practice, and leading/trailing white space is not kept.
fn header_equivalent(s: &str) -> String {
    s.split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_messages_read_back_and_keep_their_lines_legal(
        subject in header_text(),
        sender_name in header_text(),
        names in proptest::collection::vec(header_text(), 1..4),
        text in proptest::option::of(body_text()),
        html in proptest::option::of(body_text()),
        attachment in proptest::option::of((header_text(), proptest::collection::vec(any::<u8>(), 0..300))),
    ) {
        let mut props = vec![
            (tags::PidTagSubject, s(&subject)),
            (tags::PidTagSenderName, s(&sender_name)),
        ];
        if let Some(t) = &text { props.push((tags::PidTagBody, s(t))); }
        if let Some(h) = &html { props.push((tags::PidTagBodyHtml, s(h))); }
        let mut c = message(props);
        let rows = names
            .iter()
            .enumerate()
            .map(|(i, n)| recipient(1 + (i % 3) as i32, &format!("r{i}@example.org"), Some(n)))
            .collect();
        add_recipients(&mut c, rows);
        if let Some((name, data)) = &attachment {
            attach(&mut c, vec![
                (tags::PidTagAttachLongFilename, s(name)),
                (tags::PidTagAttachDataBinary, PropValue::Binary(data.clone().into())),
            ]);
        }

        let out = build(&c, &opts()).unwrap();
        assert_lines_ok(&out);
        let m = parse(&out);

        prop_assert_eq!(m.subject().map(header_equivalent).unwrap_or_default(), header_equivalent(&subject));
        let from = addrs(m.from());
        prop_assert_eq!(from.len(), 1);
        prop_assert_eq!(&from[0].1, "me@example.org");
        prop_assert_eq!(
            from[0].0.as_deref().map(header_equivalent).unwrap_or_default(),
            header_equivalent(&sender_name)
        );
        for (ty, list) in [(1, addrs(m.to())), (2, addrs(m.cc()))] {
            let want: Vec<(String, String)> = names
                .iter()
                .enumerate()
                .filter(|(i, _)| 1 + (i % 3) as i32 == ty)
                .map(|(i, n)| (header_equivalent(n), format!("r{i}@example.org")))
                .collect();
            let got: Vec<(String, String)> = list
                .into_iter()
                .map(|(n, a)| (n.as_deref().map(header_equivalent).unwrap_or_default(), a))
                .collect();
            prop_assert_eq!(got, want);
        }
        prop_assert!(m.bcc().is_none());
        if let Some(t) = &text {
            prop_assert_eq!(m.body_text(0).unwrap_or_default(), crlf(t));
        }
        if let Some(h) = &html {
            prop_assert_eq!(m.body_html(0).unwrap_or_default(), crlf(h));
        }
        if let Some((name, data)) = &attachment {
            let a = m.attachment(0).unwrap();
            prop_assert_eq!(a.contents(), &data[..]);
            if !name.is_empty() {
                prop_assert_eq!(a.attachment_name().unwrap_or_default(), name.as_str());
            }
        }
        for line in header_block(&out).split("\r\n") {
            prop_assert!(line.len() <= 998);
            prop_assert!(!line.contains(['\r', '\n']));
        }
    }
}

#[test]
fn mime_tags_are_lower_cased_and_multipart_ones_become_octet_stream() {
    let mut c = message(vec![]);
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachMimeTag, s("Image/PNG")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(vec![1].into()),
            ),
        ],
    );
    attach(
        &mut c,
        vec![
            (tags::PidTagAttachMimeTag, s("multipart/mixed")),
            (
                tags::PidTagAttachDataBinary,
                PropValue::Binary(b"--x\r\n".to_vec().into()),
            ),
        ],
    );
    let out = mime(&c);
    let m = parse(&out);
    let ct = |i| {
        let a = m.attachment(i).unwrap();
        let t = a.content_type().unwrap();
        (t.ctype().to_string(), t.subtype().map(str::to_string))
    };
    assert_eq!(ct(0), ("image".into(), Some("png".into())));
    assert_eq!(ct(1), ("application".into(), Some("octet-stream".into())));
    assert_eq!(m.attachment(1).unwrap().contents(), b"--x\r\n");
    // Only attachments: no body part before them.
    assert_eq!(m.root_part().sub_parts().unwrap().len(), 2);
}
