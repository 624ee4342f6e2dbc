//! A JS number as text for error messages, without `core::fmt`'s float formatting.
//!
//! `format!("{n}")` on an `f64` links Rust's shortest-round-trip float printer (`flt2dec`,
//! Grisu with a Dragon fallback and their power-of-ten tables): about 14 KB of the .wasm
//! for nothing but error messages. The numbers here are what a caller passed where an
//! integer was expected, so integers are written exactly (with integer formatting), and
//! other values the way JavaScript shows them where it matters (`NaN`, `Infinity`) or to
//! six decimals (trailing zeros dropped; six significant digits from 1e18 up), which says what was wrong just as well.

/// `n` as text: `-12`, `1.5`, `0.000001`, `NaN`, `Infinity`, `-Infinity`, `1.79769e308`.
pub fn show(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    if a >= 1e18 {
        // Scientific, six significant digits: 1.79769e308.
        let mut exp = 18i32;
        let mut m = a / 1e18;
        while m >= 10.0 {
            m /= 10.0;
            exp += 1;
        }
        let digits = (m * 100_000.0).round() as u64; // 100000..=1000000
        let (digits, exp) = if digits >= 1_000_000 {
            (digits / 10, exp + 1)
        } else {
            (digits, exp)
        };
        let frac = trim(digits % 100_000, 5);
        return format!(
            "{sign}{}{}{frac}e{exp}",
            digits / 100_000,
            if frac.is_empty() { "" } else { "." }
        );
    }
    let whole = a.trunc() as u64;
    let micro = ((a - a.trunc()) * 1_000_000.0).round() as u64;
    let (whole, micro) = if micro >= 1_000_000 {
        (whole + 1, 0)
    } else {
        (whole, micro)
    };
    let sign = if whole == 0 && micro == 0 { "" } else { sign };
    let frac = trim(micro, 6);
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// `v` as `width` digits with leading zeros, trailing zeros dropped ("" for 0).
fn trim(v: u64, width: usize) -> String {
    if v == 0 {
        return String::new();
    }
    let s = format!("{v:0width$}");
    s.trim_end_matches('0').to_string()
}

#[cfg(test)]
mod tests {
    use super::show;

    #[test]
    fn numbers_as_text() {
        for (n, s) in [
            (0.0, "0"),
            (-0.0, "0"),
            (5.0, "5"),
            (-12.0, "-12"),
            (1.5, "1.5"),
            (-1.25, "-1.25"),
            (0.1, "0.1"),
            (0.000001, "0.000001"),
            (0.9999999, "1"),
            (2147483648.0, "2147483648"),
            (9007199254740992.0, "9007199254740992"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1e18, "1e18"),
            (f64::MAX, "1.79769e308"),
            (-2.5e20, "-2.5e20"),
            (9.9999999e20, "1e21"),
        ] {
            assert_eq!(show(n), s, "{n:?}");
        }
    }
}
