//! Text that merely looks like an RFC 2047 encoded word (`=?utf-8?q?...?=`) must itself be
//! encoded (RFC 2047 §5, §7): written as it is, every mail reader decodes it, so a subject
//! typed as `=?utf-8?q?CRLF=0D=0ABcc=3A_x=40y.org?=` would read "CRLF\r\nBcc: x@y.org",
//! text the user never typed. mail-builder encodes only text that is not plain ASCII, so
//! such text is written here: as encoded words (encodify's RFC 2047 word encoder) in the
//! Subject and in display names, and as an RFC 2231 parameter in attachment file names.
//! Everything else keeps going through mail-builder.

use encodify::rfc2047;
use encodify::Fold;

/// Whether a text would be decoded by a reader as holding encoded words.
pub(super) fn looks_encoded(text: &str) -> bool {
    text.contains("=?")
}

/// Whether a header text must be written as encoded words to read back exactly: it looks
/// encoded, or it holds a run of whitespace (or a tab), which readers collapse to one space
/// where the line is folded (mail-parser and mailparser both do; seen by the fuzzer).
pub(super) fn needs_words(text: &str) -> bool {
    looks_encoded(text) || text.contains('\t') || text.as_bytes().windows(2).any(|w| w == b"  ")
}

/// `Name: ` and the text as B-encoded UTF-8 words, folded at 76 columns, and CRLF.
pub(super) fn encoded_header(out: &mut Vec<u8>, name: &str, text: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    let mut column = name.len() + 2;
    rfc2047::B.encode_words("utf-8", text, &mut column, Fold::HEADER, out);
    out.extend_from_slice(b"\r\n");
}

/// One mailbox of an address list: (display name, addr-spec).
pub(super) type Mailbox<'a> = (Option<&'a str>, &'a str);

/// `Name: ` and an address list whose display names are written as encoded words when they
/// are not plain printable ASCII or look encoded, else as quoted strings; folded at 76.
pub(super) fn address_header(out: &mut Vec<u8>, name: &str, list: &[Mailbox<'_>]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    let mut column = name.len() + 2;
    for (i, (display, email)) in list.iter().enumerate() {
        if i > 0 {
            out.push(b',');
            column += 1;
        }
        let room = |column: usize, len: usize| column + 1 + len <= 76;
        if let Some(d) = display {
            let plain = !needs_words(d) && d.bytes().all(|b| (0x20..0x7f).contains(&b));
            if plain {
                let quoted = quoted_string(d);
                if i > 0 || column > name.len() + 2 {
                    let fits = room(column, quoted.len());
                    fold_or_space(out, &mut column, fits);
                }
                out.extend_from_slice(quoted.as_bytes());
                column += quoted.len();
            } else {
                if i > 0 {
                    out.push(b' ');
                    column += 1;
                }
                rfc2047::B.encode_words("utf-8", d, &mut column, Fold::HEADER, out);
            }
            let addr = format!("<{email}>");
            let fits = room(column, addr.len());
            fold_or_space(out, &mut column, fits);
            out.extend_from_slice(addr.as_bytes());
            column += addr.len();
        } else {
            if i > 0 {
                let fits = room(column, email.len());
                fold_or_space(out, &mut column, fits);
            }
            out.extend_from_slice(email.as_bytes());
            column += email.len();
        }
    }
    out.extend_from_slice(b"\r\n");
}

fn fold_or_space(out: &mut Vec<u8>, column: &mut usize, fits: bool) {
    if fits {
        out.push(b' ');
        *column += 1;
    } else {
        out.extend_from_slice(b"\r\n ");
        *column = 1;
    }
}

fn quoted_string(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// A `Content-Disposition` value with the file name as an RFC 2231 extended parameter
/// (`filename*0*=utf-8''%3D%3F...; filename*1*=...`), in sections short enough to fold.
pub(super) fn disposition_with_filename(kind: &str, filename: &str) -> String {
    let mut sections: Vec<String> = vec![String::from("utf-8''")];
    // A character's bytes stay in one section: readers decode each section on its own.
    for c in filename.chars() {
        let mut bytes = [0u8; 4];
        let piece: String = c
            .encode_utf8(&mut bytes)
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        if sections.last().is_some_and(|s| s.len() + piece.len() > 60) {
            sections.push(String::new());
        }
        if let Some(s) = sections.last_mut() {
            s.push_str(&piece);
        }
    }
    let mut value = kind.to_string();
    for (i, s) in sections.iter().enumerate() {
        value.push_str(&format!("; filename*{i}*={s}"));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_word_shaped_text_is_detected() {
        assert!(looks_encoded("=?utf-8?q?x?="));
        assert!(looks_encoded("a =?x"));
        assert!(!looks_encoded("a = ? b"));
    }

    #[test]
    fn a_subject_is_written_as_b_words_within_76_columns() {
        let mut out = Vec::new();
        let text = "=?utf-8?q?CRLF=0D=0ABcc=3A_x=40y.org?= ".repeat(5);
        encoded_header(&mut out, "Subject", &text);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("Subject: =?utf-8?B?"));
        assert!(s.lines().all(|l| l.len() <= 76), "{s}");
        assert!(!s.contains("=?utf-8?q?"));
    }

    #[test]
    fn the_filename_parameter_percent_encodes_everything_but_attr_chars() {
        let v = disposition_with_filename("attachment", "=?a b?=.txt");
        assert_eq!(v, "attachment; filename*0*=utf-8''%3D%3Fa%20b%3F%3D.txt");
    }
}
