//! Base64 for attachment bodies (RFC 2045 §6.8): lines of 76 characters, each followed by
//! CRLF, written straight into the message buffer, which is sized once for the whole body.
//!
//! The same bytes as encodify's `base64::MIME` (which mail-builder uses; the test below
//! compares the two over every length up to a few lines), without its intermediate buffers:
//! base64-simd encodes the whole body into the tail of the space made for it (with simd128
//! on wasm, which every current engine has), then the lines move forward into place, each
//! followed by CRLF.

/// Characters per line.
const LINE: usize = 76;

/// The encoded length of `n` bytes with line breaks.
pub(super) fn encoded_len(n: usize) -> usize {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(LINE) * 2
}

/// Appends `input` in base64, in lines of 76 characters, each ending in CRLF.
pub(super) fn encode_lines(input: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let total = encoded_len(input.len());
    let plain = input.len().div_ceil(3) * 4;
    out.resize(start + total, 0);
    let dst = &mut out[start..];
    // The unbroken text goes at the end of the region; line i then moves from
    // `gap + 76 i` to `78 i` (never overlapping a line not yet moved: gap = 2 × lines).
    let gap = total - plain;
    // (Exactly `plain` bytes are there for it: base64-simd checks the room it is given.)
    let _written =
        base64_simd::STANDARD.encode(input, base64_simd::Out::from_slice(&mut dst[gap..]));
    for i in 0..plain.div_ceil(LINE) {
        let from = gap + LINE * i;
        let len = LINE.min(plain - LINE * i);
        let to = (LINE + 2) * i;
        dst.copy_within(from..from + len, to);
        dst[to + len] = b'\r';
        dst[to + len + 1] = b'\n';
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_encodify_mime() {
        let data: Vec<u8> = (0..400u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        for n in 0..data.len() {
            let mut ours = b"x".to_vec();
            encode_lines(&data[..n], &mut ours);
            let theirs = encodify::base64::MIME.encode(&data[..n]);
            assert_eq!(&ours[1..], theirs.as_bytes(), "length {n}");
            assert_eq!(ours.len() - 1, encoded_len(n), "length {n}");
        }
    }
}
