//! What a transport's answer means.

use crate::error::MapiCode;

/// How a transport's `send` settled, as the binding layer read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Settled {
    /// Resolved; `failed` lists (email, reason) of recipients that failed for good.
    Resolved { failed: Vec<(String, String)> },
    /// Rejected with an error whose numeric `code`, if any, and text are given, and its
    /// `retryAfterMs` when it carried a usable one.
    Rejected {
        code: Option<u32>,
        text: String,
        retry_after_ms: Option<f64>,
    },
    /// Did not settle in time: the outcome is unknown.
    TimedOut,
}

/// The meaning of a settled send for the recipients offered to that transport.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Delivered, except those listed, which failed for good.
    Delivered { failed: Vec<(String, String)> },
    /// MAPI_E_NOT_ME: offer them to the next transport.
    NotMe,
    /// MAPI_E_CANCEL: all of them failed for good, for this reason.
    Cancel(String),
    /// Anything else: try again later.
    Transient {
        error: String,
        retry_after_ms: Option<i64>,
        outcome_unknown: bool,
    },
}

pub fn classify(s: Settled) -> Answer {
    match s {
        Settled::Resolved { failed } => Answer::Delivered { failed },
        Settled::TimedOut => Answer::Transient {
            error: "the transport did not answer in time".into(),
            retry_after_ms: None,
            outcome_unknown: true,
        },
        Settled::Rejected {
            code,
            text,
            retry_after_ms,
        } => match code.and_then(MapiCode::from_value) {
            Some(MapiCode::NotMe) => Answer::NotMe,
            Some(MapiCode::Cancel) => Answer::Cancel(text),
            _ => Answer::Transient {
                error: text,
                retry_after_ms: retry_after_ms
                    .filter(|ms| ms.is_finite() && *ms >= 0.0)
                    .map(|ms| ms.min(i64::MAX as f64) as i64),
                outcome_unknown: false,
            },
        },
    }
}

/// Exponential back-off for the `attempt`-th failure (1-based): `initial × 2^(attempt−1)`
/// capped at `max`, scaled by `jitter` in [0, 1] to between half and all of it.
pub fn backoff_ms(attempt: u32, initial_ms: u64, max_ms: u64, jitter: f64) -> i64 {
    let exp = attempt.saturating_sub(1).min(62);
    let full = initial_ms.saturating_mul(1u64 << exp).min(max_ms);
    let j = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let ms = full as f64 * (0.5 + 0.5 * j);
    ms.min(i64::MAX as f64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(code: MapiCode) -> Settled {
        Settled::Rejected {
            code: Some(code.value()),
            text: "x".into(),
            retry_after_ms: None,
        }
    }

    #[test]
    fn not_me_and_cancel_are_recognised_by_code_everything_else_is_transient() {
        assert_eq!(classify(rejected(MapiCode::NotMe)), Answer::NotMe);
        assert_eq!(
            classify(rejected(MapiCode::Cancel)),
            Answer::Cancel("x".into())
        );
        for c in [MapiCode::Wait, MapiCode::NetworkError, MapiCode::CallFailed] {
            assert!(matches!(classify(rejected(c)), Answer::Transient { .. }));
        }
        let plain = Settled::Rejected {
            code: None,
            text: "TypeError: fetch failed".into(),
            retry_after_ms: Some(1500.0),
        };
        assert_eq!(
            classify(plain),
            Answer::Transient {
                error: "TypeError: fetch failed".into(),
                retry_after_ms: Some(1500),
                outcome_unknown: false
            }
        );
    }

    #[test]
    fn negative_or_nan_retry_after_is_ignored() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let s = Settled::Rejected {
                code: None,
                text: "e".into(),
                retry_after_ms: Some(bad),
            };
            assert!(matches!(
                classify(s),
                Answer::Transient {
                    retry_after_ms: None,
                    ..
                }
            ));
        }
    }

    #[test]
    fn a_timeout_is_transient_with_an_unknown_outcome() {
        assert!(matches!(
            classify(Settled::TimedOut),
            Answer::Transient {
                outcome_unknown: true,
                ..
            }
        ));
    }

    #[test]
    fn backoff_doubles_and_is_capped_with_jitter_between_half_and_all() {
        assert_eq!(backoff_ms(1, 1000, 300_000, 1.0), 1000);
        assert_eq!(backoff_ms(3, 1000, 300_000, 1.0), 4000);
        assert_eq!(backoff_ms(3, 1000, 300_000, 0.0), 2000);
        assert_eq!(backoff_ms(30, 1000, 300_000, 1.0), 300_000);
        assert_eq!(backoff_ms(u32::MAX, u64::MAX, u64::MAX, 1.0), i64::MAX);
    }
}
