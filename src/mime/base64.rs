//! Base64 for attachment bodies (RFC 2045 §6.8): lines of 76 characters, each followed by
//! CRLF, written straight into the message buffer, which is sized once for the whole body.
//!
//! This is the byte-for-byte layout of encodify's `base64::MIME` (which mail-builder uses;
//! the test below compares the two over every length up to a few lines), but without its
//! intermediate buffers; toMime of a 10 MiB attachment spent about half its time in
//! encodify's (scalar, on wasm) encoder before. On wasm the full lines are encoded with
//! `simd128` (12 bytes -> 16 characters a step, the shuffle-and-lookup method of Muła and
//! Lemire), which every current engine has (Chrome 91, Firefox 89, Safari 16.4, Node 16.4).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Input bytes per full line (76 characters).
const LINE_IN: usize = 57;

/// The encoded length of `n` bytes with line breaks.
pub(super) fn encoded_len(n: usize) -> usize {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

/// Appends `input` in base64, in lines of 76 characters, each ending in CRLF.
pub(super) fn encode_lines(input: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let total = encoded_len(input.len());
    out.resize(start + total, 0);
    let dst = &mut out[start..];
    let mut o = 0;
    let mut lines = input.chunks_exact(LINE_IN);
    #[cfg(target_arch = "wasm32")]
    for line in &mut lines {
        // A simd128 function: an engine without SIMD would refuse the whole module at load
        // (scripts/build.sh runs wasm-opt with --enable-simd), never run this wrongly.
        simd::line(line, &mut dst[o..o + 78]);
        o += 78;
    }
    for line in &mut lines {
        let d = &mut dst[o..o + 78];
        // 19 groups of 3 bytes -> 4 characters.
        for (g, c) in line.chunks_exact(3).zip(d.chunks_exact_mut(4)) {
            let n = (u32::from(g[0]) << 16) | (u32::from(g[1]) << 8) | u32::from(g[2]);
            c[0] = ALPHABET[(n >> 18) as usize & 63];
            c[1] = ALPHABET[(n >> 12) as usize & 63];
            c[2] = ALPHABET[(n >> 6) as usize & 63];
            c[3] = ALPHABET[n as usize & 63];
        }
        d[76] = b'\r';
        d[77] = b'\n';
        o += 78;
    }
    let rest = lines.remainder();
    if !rest.is_empty() {
        let d = &mut dst[o..];
        let mut groups = rest.chunks_exact(3);
        let mut k = 0;
        for g in &mut groups {
            let n = (u32::from(g[0]) << 16) | (u32::from(g[1]) << 8) | u32::from(g[2]);
            d[k] = ALPHABET[(n >> 18) as usize & 63];
            d[k + 1] = ALPHABET[(n >> 12) as usize & 63];
            d[k + 2] = ALPHABET[(n >> 6) as usize & 63];
            d[k + 3] = ALPHABET[n as usize & 63];
            k += 4;
        }
        match *groups.remainder() {
            [a] => {
                d[k] = ALPHABET[usize::from(a >> 2)];
                d[k + 1] = ALPHABET[usize::from((a & 3) << 4)];
                d[k + 2] = b'=';
                d[k + 3] = b'=';
                k += 4;
            }
            [a, b] => {
                d[k] = ALPHABET[usize::from(a >> 2)];
                d[k + 1] = ALPHABET[usize::from(((a & 3) << 4) | (b >> 4))];
                d[k + 2] = ALPHABET[usize::from((b & 15) << 2)];
                d[k + 3] = b'=';
                k += 4;
            }
            _ => {}
        }
        d[k] = b'\r';
        d[k + 1] = b'\n';
    }
}

#[cfg(target_arch = "wasm32")]
mod simd {
    use core::arch::wasm32::*;

    /// 12 bytes (in the first 12 of `v`) -> 16 base64 characters. Always inlined into
    /// `line` (which enables simd128), also at opt-level "z".
    #[inline(always)]
    fn block(v: v128) -> v128 {
        // Each 32-bit lane gets bytes [b1, b0, b2, b1] of its 3-byte group: as 16-bit
        // lanes, the even one is b0:b1 and the odd one b1:b2.
        let s = i8x16_swizzle(v, i8x16(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
        let six = u16x8_splat(0x3f);
        // Even lanes: a = b0:b1 >> 10 (low byte), b = (b0:b1 >> 4) & 63 (high byte).
        let even = v128_or(
            u16x8_shr(s, 10),
            u16x8_shl(v128_and(u16x8_shr(s, 4), six), 8),
        );
        // Odd lanes: c = (b1:b2 >> 6) & 63 (low byte), d = b1:b2 & 63 (high byte).
        let odd = v128_or(
            v128_and(u16x8_shr(s, 6), six),
            u16x8_shl(v128_and(s, six), 8),
        );
        let idx = v128_bitselect(even, odd, u32x4_splat(0x0000_ffff));
        // Index -> ASCII: add an offset chosen by range (A-Z, a-z, 0-9, +, /).
        let reduced = u8x16_sub_sat(idx, u8x16_splat(51));
        let less = i8x16_lt(idx, i8x16_splat(26));
        let reduced = v128_or(reduced, v128_and(less, u8x16_splat(13)));
        let offsets = i8x16(
            71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0,
        );
        i8x16_add(idx, i8x16_swizzle(offsets, reduced))
    }

    /// One full line: 57 bytes -> 76 characters and CRLF.
    #[target_feature(enable = "simd128")]
    pub(super) fn line(src: &[u8], dst: &mut [u8]) {
        assert!(src.len() == super::LINE_IN && dst.len() == 78);
        // Four blocks of 12 bytes (each loads 16; the last reads bytes 36..52 of 57).
        for k in 0..4 {
            // SAFETY: 12 * k + 16 <= 52 < 57 bytes readable, 16 * k + 16 <= 64 < 78 writable.
            unsafe {
                let v = v128_load(src.as_ptr().add(12 * k) as *const v128);
                v128_store(dst.as_mut_ptr().add(16 * k) as *mut v128, block(v));
            }
        }
        // The last 9 bytes -> 12 characters.
        for (g, c) in src[48..]
            .chunks_exact(3)
            .zip(dst[64..76].chunks_exact_mut(4))
        {
            let n = (u32::from(g[0]) << 16) | (u32::from(g[1]) << 8) | u32::from(g[2]);
            c[0] = super::ALPHABET[(n >> 18) as usize & 63];
            c[1] = super::ALPHABET[(n >> 12) as usize & 63];
            c[2] = super::ALPHABET[(n >> 6) as usize & 63];
            c[3] = super::ALPHABET[n as usize & 63];
        }
        dst[76] = b'\r';
        dst[77] = b'\n';
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
