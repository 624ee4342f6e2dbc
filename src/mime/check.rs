//! The last line of defence: whatever the encoders did, the bytes handed out have CRLF line
//! endings only and no line over 998 octets. A failure here is a bug in the writer, reported
//! as MAPI_E_CALL_FAILED rather than sent.

use super::headers::MAX_LINE;
use crate::error::Result;
use crate::mapi_err;

pub(super) fn output(out: &[u8]) -> Result<()> {
    let mut start = 0;
    // Only the line breaks are looked at (memchr skips the bytes between them a word or a
    // vector at a time): this runs over every byte of a 10 MiB attachment.
    for i in memchr::memchr2_iter(b'\r', b'\n', out) {
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
    if out.len() - start > MAX_LINE {
        return Err(broken(format!(
            "a last line of {} octets",
            out.len() - start
        )));
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

    #[test]
    fn crlf_lines_pass_and_bare_breaks_or_long_lines_fail() {
        output(b"a: b\r\n\r\nbody\r\nlast").unwrap();
        output(b"").unwrap();
        assert!(output(b"a\nb").is_err());
        assert!(output(b"a\rb").is_err());
        assert!(output(b"\n").is_err());
        assert!(output(b"x\r").is_err());
        let long = [b"x".repeat(999), b"\r\n".to_vec()].concat();
        assert!(output(&long).is_err());
        assert!(output(&b"x".repeat(999)).is_err());
        output(&[b"x".repeat(998), b"\r\n".to_vec()].concat()).unwrap();
    }
}
