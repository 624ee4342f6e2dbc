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
    let mut out = Vec::with_capacity(tree.estimated_len + 1024);
    headers::write(&mut out, content, opts)?;
    tree.root.write_part(&mut out);
    check::output(&out)?;
    Ok(out)
}
