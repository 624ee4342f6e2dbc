//! Base64 for attachment bodies (RFC 2045 §6.8): lines of 76 characters, each followed by
//! CRLF, written straight into the message buffer, which is sized once for the whole body.
//!
//! The same bytes as encodify's `base64::MIME` (which mail-builder uses; the test below
//! compares the two over every length up to a few lines and around block ends), without its
//! intermediate buffers: base64-simd encodes a block of lines at a time (with simd128 on
//! wasm, which every current engine has), and the lines go into place, each followed by CRLF.

/// Characters per line.
const LINE: usize = 76;

/// The encoded length of `n` bytes with line breaks.
pub(super) fn encoded_len(n: usize) -> usize {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(LINE) * 2
}

/// Input bytes per line.
const LINE_IN: usize = LINE / 4 * 3;

/// Lines encoded at a time into a scratch buffer (small enough to stay in the L1 cache).
const BLOCK_LINES: usize = 48;

/// Appends `input` in base64, in lines of 76 characters, each ending in CRLF.
///
/// A block of lines at a time is encoded (base64-simd) into a scratch buffer, then each line
/// and its CRLF is appended: the output is written once, in order, and never zero-filled.
/// Every block but the last holds a multiple of 3 input bytes, so only the last one pads.
pub(super) fn encode_lines(input: &[u8], out: &mut Vec<u8>) {
    out.reserve(encoded_len(input.len()));
    let mut scratch = [0u8; LINE * BLOCK_LINES];
    for block in input.chunks(LINE_IN * BLOCK_LINES) {
        let text: &[u8] =
            base64_simd::STANDARD.encode(block, base64_simd::Out::from_slice(&mut scratch));
        let lines = text.len().div_ceil(LINE);
        let needed = text.len() + 2 * lines;
        // (Reserved above already; this keeps the writes below in bounds on its own.)
        out.reserve(needed);
        let full = text.len() / LINE;
        let last = text.len() % LINE;
        // SAFETY: `needed` bytes of spare capacity are there (reserved just above). Full lines
        // go to `dst + 78 i` (76 characters read from `text + 76 i`, which holds them, then
        // CRLF); the last, shorter line after them: `needed` bytes in all, each written once,
        // so the length can then cover them.
        unsafe {
            let dst = out.as_mut_ptr().add(out.len());
            for i in 0..full {
                put_line(text.as_ptr().add(LINE * i), dst.add((LINE + 2) * i));
            }
            if last > 0 {
                let at = dst.add((LINE + 2) * full);
                std::ptr::copy_nonoverlapping(text.as_ptr().add(LINE * full), at, last);
                at.add(last).cast::<[u8; 2]>().write_unaligned(*b"\r\n");
            }
            out.set_len(out.len() + needed);
        }
    }
}

/// Copies a line of 76 characters from `src` to `dst` and puts CRLF after it, in 8-byte
/// words (a byte copy per line is most of the time at `opt-level = "z"`, where the call to
/// `memcpy` is not inlined).
///
/// # Safety
/// `src` must be readable for 76 bytes and `dst` writable for 78.
#[inline(always)]
unsafe fn put_line(src: *const u8, dst: *mut u8) {
    const WORDS: usize = LINE / 8;
    for k in 0..WORDS {
        let w = src.add(8 * k).cast::<u64>().read_unaligned();
        dst.add(8 * k).cast::<u64>().write_unaligned(w);
    }
    let tail = src.add(8 * WORDS).cast::<[u8; LINE % 8]>().read_unaligned();
    dst.add(8 * WORDS)
        .cast::<[u8; LINE % 8]>()
        .write_unaligned(tail);
    dst.add(LINE).cast::<[u8; 2]>().write_unaligned(*b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_encodify_mime() {
        let data: Vec<u8> = (0..(LINE_IN * BLOCK_LINES * 2 + 200) as u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        // Every length up to a few lines, and around the ends of the first two blocks.
        let block = LINE_IN * BLOCK_LINES;
        let lengths = (0..400)
            .chain(block - 200..block + 200)
            .chain(2 * block - 100..data.len());
        for n in lengths {
            let mut ours = b"x".to_vec();
            encode_lines(&data[..n], &mut ours);
            let theirs = encodify::base64::MIME.encode(&data[..n]);
            assert_eq!(&ours[1..], theirs.as_bytes(), "length {n}");
            assert_eq!(ours.len() - 1, encoded_len(n), "length {n}");
        }
    }
}
