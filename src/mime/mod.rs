//! The MIME writer: a message's content as the RFC 5322 message a transport sends (SPEC §7).
//!
//! Plain Rust, no JavaScript: `toMime()` and the spooler's `outgoing.mime` both call
//! [`build`]. The encoders (RFC 2047 words, RFC 2231 parameters, quoted-printable, base64,
//! folding) are mail-builder's; this module decides what goes where, and refuses anything
//! that could break the message's structure: CR or LF in a header value, an over-long
//! header atom, an out-of-range date. Every choice where SPEC.md is silent is in
//! docs/DECISIONS.md ("MIME output").

mod addresses;
mod words;
pub use addresses::envelope_recipients;
mod attachments;
mod base64;
mod body;
mod boundary;
mod check;
mod headers;

use crate::error::Result;
use crate::message::MessageContent;
use crate::object::Identity;

/// What the writer needs besides the message content.
#[derive(Debug, Clone, Copy)]
pub struct MimeOptions<'a> {
    /// The sender when the message has no `PidTagSenderEmailAddress` (the store identity).
    pub identity: Option<&'a Identity>,
    /// The caller's clock, in ms since the epoch: the `Date` when the message has no
    /// `PidTagClientSubmitTime` yet (a draft).
    pub now_ms: i64,
    /// The `Date` of a queued message as it goes (the later of its submit time and its
    /// deferred send time); None: PidTagClientSubmitTime, or `now_ms` for a draft.
    pub date_ms: Option<i64>,
}

/// The message as RFC 5322 bytes: CRLF line endings, no line over 998 octets, no `Bcc`.
///
/// Deterministic: the same content and options give the same bytes (the MIME boundaries
/// are chosen from the content, not from a clock or a random number generator, so this
/// runs on wasm32 where neither is available to std).
pub fn build(content: &MessageContent, opts: &MimeOptions<'_>) -> Result<Vec<u8>> {
    let tree = body::tree(content)?;
    let mut out = Out::new(Vec::with_capacity(tree.estimated_len + 1024), &tree.raw);
    headers::write(&mut out.buf, content, opts)?;
    tree.root.write_part(&mut out);
    let Out { buf, encoded, .. } = out;
    // Every attachment with bytes must have gone through the encoder (an empty one is
    // empty either way).
    let expected = tree.raw.iter().filter(|r| !r.is_empty()).count();
    if encoded.len() != expected {
        return Err(crate::mapi_err!(
            CallFailed,
            "toMime: {} of {expected} attachments were not encoded; the message was not built \
             (a bug in mapi-outbox, please report it)",
            expected.abs_diff(encoded.len())
        ));
    }
    check::output(&buf, &encoded)?;
    Ok(buf)
}

/// The output buffer as mail-builder's sink. An attachment's bytes reach it as they are
/// (its part says `Content-Transfer-Encoding: base64`): recognised by their address, they
/// are base64-encoded straight into the buffer, and where they went is noted, so that the
/// final check can skip those ranges (lines of 76 characters and CRLF by construction).
struct Out<'a> {
    buf: Vec<u8>,
    raw: &'a [&'a [u8]],
    encoded: Vec<(usize, usize)>,
}

impl<'a> Out<'a> {
    fn new(buf: Vec<u8>, raw: &'a [&'a [u8]]) -> Self {
        Out {
            buf,
            raw,
            encoded: Vec::with_capacity(raw.len()),
        }
    }
}

impl mail_builder::Writer for Out<'_> {
    fn write(&mut self, bytes: &[u8]) {
        if !bytes.is_empty()
            && self
                .raw
                .iter()
                .any(|r| r.as_ptr() == bytes.as_ptr() && r.len() == bytes.len())
        {
            let start = self.buf.len();
            base64::encode_lines(bytes, &mut self.buf);
            self.encoded.push((start, self.buf.len()));
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn write_byte(&mut self, byte: u8) {
        self.buf.push(byte);
    }

    fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional);
    }

    fn write_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8]) -> usize) {
        self.buf.write_with(len, fill);
    }

    fn append_with<T>(&mut self, len: usize, append: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        self.buf.append_with(len, append)
    }

    fn append_limit(&self) -> usize {
        self.buf.append_limit()
    }
}
