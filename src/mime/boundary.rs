//! MIME boundaries, chosen from the content instead of a clock or an RNG: the output is
//! deterministic and nothing here needs std's time or randomness (which panic on wasm32).

/// A boundary for a multipart of `kind` that occurs in none of `texts`.
///
/// Base64 and quoted-printable output can never contain `=_` (a QP `=` is always followed
/// by two hex digits or a line break; base64 `=` is only padding before a line break), so
/// only parts written as they are (7bit text) can collide; those are the `texts` to pass.
/// A collision moves on to the next number.
pub(super) fn choose(kind: &str, texts: &[&[u8]]) -> String {
    let mut n: u64 = 0;
    loop {
        let candidate = format!("=_mapi-outbox_{kind}_{n}");
        if !texts.iter().any(|t| contains(t, candidate.as_bytes())) {
            return candidate;
        }
        n += 1;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_that_occurs_in_a_text_is_skipped() {
        assert_eq!(choose("mixed", &[b"hello"]), "=_mapi-outbox_mixed_0");
        let body = b"--=_mapi-outbox_mixed_0\r\n--=_mapi-outbox_mixed_1\r\n";
        assert_eq!(choose("mixed", &[b"x", body]), "=_mapi-outbox_mixed_2");
    }

    #[test]
    fn boundaries_are_legal_rfc_2046_boundaries() {
        let b = choose("alternative", &[]);
        assert!(b.len() <= 70);
        assert!(b
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&c)));
    }
}
