//! MIME boundaries, chosen from the content instead of a clock or an RNG: the output is
//! deterministic and nothing here needs std's time or randomness (which panic on wasm32).

use std::collections::HashSet;

/// A boundary for a multipart of `kind` that occurs in none of `texts`.
///
/// Base64 and quoted-printable output can never contain `=_` (a QP `=` is always followed
/// by two hex digits or a line break; base64 `=` is only padding before a line break), so
/// only parts written as they are (7bit text) can collide; those are the `texts` to pass.
///
/// Candidates are `=_mapi-outbox_{kind}_{n}`; the first `n` that occurs nowhere wins. The
/// texts are scanned once (linear in their length, whatever they hold): every occurrence of
/// the fixed prefix rules out the numbers spelled by the digits right after it (`..._123`
/// contains the candidates 1, 12 and 123), so at most 20 numbers per occurrence are taken
/// and the smallest free one is found without testing candidates one by one.
pub(super) fn choose(kind: &str, texts: &[&[u8]]) -> String {
    let prefix = format!("=_mapi-outbox_{kind}_");
    let finder = memchr::memmem::Finder::new(prefix.as_bytes());
    let mut taken: HashSet<u64> = HashSet::new();
    for text in texts {
        for at in finder.find_iter(text) {
            let digits = &text[at + prefix.len()..];
            let run = digits.iter().take(20).take_while(|b| b.is_ascii_digit());
            let mut n: u64 = 0;
            for (i, d) in run.enumerate() {
                if i > 0 && n == 0 {
                    break; // "0…" spells only the number 0
                }
                match n
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(u64::from(d - b'0')))
                {
                    Some(x) => n = x,
                    None => break,
                }
                taken.insert(n);
            }
        }
    }
    let n = (0..).find(|n| !taken.contains(n)).unwrap_or(0);
    format!("{prefix}{n}")
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
    fn longer_numbers_rule_out_their_prefixes_and_zeros_only_zero() {
        let body = b"=_mapi-outbox_mixed_0123 =_mapi-outbox_mixed_1x";
        // "0123" spells only 0; "1x" spells 1; "=_mapi-outbox_mixed_2" occurs nowhere.
        assert_eq!(choose("mixed", &[body]), "=_mapi-outbox_mixed_2");
        let body = b"=_mapi-outbox_mixed_0 =_mapi-outbox_mixed_123";
        assert_eq!(choose("mixed", &[body]), "=_mapi-outbox_mixed_2");
        let many_digits = format!("=_mapi-outbox_mixed_{}", "9".repeat(50));
        assert_eq!(
            choose("mixed", &[many_digits.as_bytes()]),
            "=_mapi-outbox_mixed_0"
        );
    }

    #[test]
    fn the_chosen_boundary_occurs_in_no_text_even_when_every_small_number_does() {
        // 20,000 boundary-like lines: the quadratic search took seconds on this.
        let mut body = Vec::new();
        for n in 0..20_000 {
            body.extend_from_slice(format!("--=_mapi-outbox_mixed_{n}\r\n").as_bytes());
        }
        let b = choose("mixed", &[b"x", &body]);
        assert_eq!(b, "=_mapi-outbox_mixed_20000");
        assert!(memchr::memmem::find(&body, b.as_bytes()).is_none());
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Texts made of boundary fragments and digits: the chosen boundary is never in any.
        #[test]
        fn the_boundary_is_in_no_text(parts in proptest::collection::vec(
            prop_oneof![
                Just("=_mapi-outbox_mixed_".to_string()),
                Just("--".to_string()),
                "[0-9]{0,3}",
                "[a-z\r\n]{0,2}",
            ], 0..60), split in 0usize..60) {
            let all = parts.concat();
            let cut = split.min(all.len());
            let (a, b) = all.as_bytes().split_at(cut);
            let chosen = choose("mixed", &[a, b]);
            prop_assert!(memchr::memmem::find(a, chosen.as_bytes()).is_none());
            prop_assert!(memchr::memmem::find(b, chosen.as_bytes()).is_none());
        }
    }
}
