//! The body structure: text/plain and/or text/html (both → multipart/alternative), then the
//! attachments (→ multipart/mixed around everything).

use std::borrow::Cow;

use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::{BodyPart, MimePart};

use super::{attachments, boundary};
use crate::error::Result;
use crate::message::MessageContent;
use crate::props::names::tags;

pub(super) struct Tree<'a> {
    pub root: MimePart<'a>,
    /// Roughly the bytes the body will take, to size the output buffer once.
    pub estimated_len: usize,
    /// The attachments' bytes that the writer encodes (see `mime::Out`).
    pub raw: Vec<&'a [u8]>,
}

pub(super) fn tree(content: &MessageContent) -> Result<Tree<'_>> {
    let text = content.props.str(tags::PidTagBody).map(canonical_lines);
    let html = content.props.str(tags::PidTagBodyHtml).map(canonical_lines);
    let attachments = attachments::parts(content)?;

    // Only text written as it is (7bit) can contain a boundary line; see boundary::choose.
    let texts: Vec<&[u8]> = [&text, &html]
        .into_iter()
        .flatten()
        .map(|t| t.as_bytes())
        .collect();
    let alternative = boundary::choose("alternative", &texts);
    let mixed = boundary::choose("mixed", &texts);
    let estimated_len = texts
        .iter()
        .map(|t| t.len() + t.len() / 8 + 256)
        .sum::<usize>()
        + attachments.estimated_len;
    drop(texts);

    let text = text.map(|t| text_part("text/plain", t));
    let html = html.map(|t| text_part("text/html", t));
    let body = match (text, html) {
        (Some(t), Some(h)) => Some(multipart("multipart/alternative", alternative, vec![t, h])),
        (t, h) => t.or(h),
    };
    let raw = attachments.raw;
    let root = match (body, attachments.parts.is_empty()) {
        (Some(body), true) => body,
        (None, true) => MimePart::new("text/plain", BodyPart::Text("".into())),
        (body, false) => {
            let mut parts = Vec::with_capacity(attachments.parts.len() + 1);
            parts.extend(body);
            parts.extend(attachments.parts);
            multipart("multipart/mixed", mixed, parts)
        }
    };
    Ok(Tree {
        root,
        estimated_len,
        raw,
    })
}

fn multipart<'a>(kind: &'static str, boundary: String, parts: Vec<MimePart<'a>>) -> MimePart<'a> {
    MimePart::new(
        ContentType::new(kind).attribute("boundary", boundary),
        parts,
    )
}

/// A body part in UTF-8. mail-builder picks 7bit, quoted-printable or base64; a NUL (legal in
/// a body property, never in 7bit text) makes it base64 here, since the 7bit scan lets it by.
fn text_part<'a>(kind: &'static str, text: Cow<'a, str>) -> MimePart<'a> {
    if text.as_bytes().contains(&0) {
        return MimePart::new(
            ContentType::new(kind).attribute("charset", "utf-8"),
            BodyPart::Binary({
                let mut b = Vec::new();
                super::base64::encode_lines(text.as_bytes(), &mut b);
                b.into()
            }),
        )
        .transfer_encoding("base64");
    }
    MimePart::new(kind, BodyPart::Text(text))
}

/// MIME's canonical form of text: every line break (CRLF, a lone LF or a lone CR) as CRLF.
/// A lone CR would otherwise reach the output as it is.
fn canonical_lines(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    // Text is copied only from the first line break that is not a CRLF on.
    let mut out: Option<String> = None;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\r' && b != b'\n' {
            continue;
        }
        if b == b'\r' && bytes.get(i) == Some(&b'\n') {
            i += 1;
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(s.len() + s.len() / 16 + 2));
        // (CR and LF are ASCII: `i - 1` and `i` are character boundaries.)
        o.push_str(&s[start..i - 1]);
        o.push_str("\r\n");
        start = i;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[start..]);
            Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_break_becomes_crlf() {
        assert!(matches!(canonical_lines("a\r\nb"), Cow::Borrowed(_)));
        assert_eq!(
            canonical_lines("a\nb\rc\r\nd\n\n\r\r"),
            "a\r\nb\r\nc\r\nd\r\n\r\n\r\n\r\n"
        );
        assert_eq!(canonical_lines("\n"), "\r\n");
        assert_eq!(canonical_lines(""), "");
    }

    #[test]
    fn same_as_splitting_on_each_line_break() {
        // Every string of up to 7 of "é", CR and LF against a plain reading of the rule.
        fn reference(s: &str) -> String {
            let mut out = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\r' => {
                        chars.next_if_eq(&'\n');
                        out.push_str("\r\n");
                    }
                    '\n' => out.push_str("\r\n"),
                    c => out.push(c),
                }
            }
            out
        }
        for len in 0..=7u32 {
            for n in 0..3usize.pow(len) {
                let s: String = (0..len)
                    .map(|k| ['é', '\r', '\n'][n / 3usize.pow(k) % 3])
                    .collect();
                let got = canonical_lines(&s);
                assert_eq!(got, reference(&s), "{s:?}");
                assert_eq!(matches!(got, Cow::Borrowed(_)), got == s, "{s:?}");
            }
        }
    }
}
