//! The last line of defence: whatever the encoders did, the bytes handed out have CRLF line
//! endings only and no line over 998 octets. A failure here is a bug in the writer, reported
//! as MAPI_E_CALL_FAILED rather than sent.

use super::headers::MAX_LINE;
use crate::error::Result;
use crate::mapi_err;

/// `skip`: ranges (start, end), in order, that the base64 encoder wrote (lines of 76
/// characters and CRLF by construction, tested in mime::base64); each begins and ends at a
/// line start, so the lines between them are checked as if the ranges were not there.
pub(super) fn output(out: &[u8], skip: &[(usize, usize)]) -> Result<()> {
    let mut from = 0;
    for &(a, b) in skip {
        lines(out, from, a)?;
        from = b;
    }
    lines(out, from, out.len())
}

fn lines(out: &[u8], from: usize, to: usize) -> Result<()> {
    let mut start = from;
    // Only the line breaks are looked at (memchr skips the bytes between them a word or a
    // vector at a time).
    for i in memchr::memchr2_iter(b'\r', b'\n', &out[from..to]).map(|i| i + from) {
        if out[i] == b'\r' {
            if out.get(i + 1) != Some(&b'\n') {
                return Err(broken(format!("a bare CR at byte {i}")));
            }
            continue;
        }
        if i == 0 || out[i - 1] != b'\r' {
            return Err(broken(format!("a bare LF at byte {i}")));
        }
        if i - 1 - start > MAX_LINE {
            return Err(broken(format!(
                "a line of {} octets at byte {start}",
                i - 1 - start
            )));
        }
        start = i + 1;
    }
    if to - start > MAX_LINE {
        return Err(broken(format!("a last line of {} octets", to - start)));
    }
    Ok(())
}

fn broken(what: String) -> crate::error::Error {
    mapi_err!(
        CallFailed,
        "toMime: the MIME writer produced {what}; the message was not built (a bug in \
         mapi-outbox, please report it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output_all(out: &[u8]) -> Result<()> {
        output(out, &[])
    }

    #[test]
    fn skipped_ranges_are_not_read() {
        let msg = b"a: b\r\n\r\nxx\nyy\r\n--b--\r\n";
        assert!(output(msg, &[]).is_err());
        output(msg, &[(8, 16)]).unwrap();
        assert!(output(b"a\nb\r\nc\r\n", &[(5, 8)]).is_err());
    }

    #[test]
    fn crlf_lines_pass_and_bare_breaks_or_long_lines_fail() {
        output_all(b"a: b\r\n\r\nbody\r\nlast").unwrap();
        output_all(b"").unwrap();
        assert!(output_all(b"a\nb").is_err());
        assert!(output_all(b"a\rb").is_err());
        assert!(output_all(b"\n").is_err());
        assert!(output_all(b"x\r").is_err());
        let long = [b"x".repeat(999), b"\r\n".to_vec()].concat();
        assert!(output_all(&long).is_err());
        assert!(output_all(&b"x".repeat(999)).is_err());
        output_all(&[b"x".repeat(998), b"\r\n".to_vec()].concat()).unwrap();
    }
}
