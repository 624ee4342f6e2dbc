//! The one policy for remembering finished (sent) message ids, on every backend: the most
//! recent [`FINISHED_KEPT`] are kept, so that `abortSubmit` of a message sent a moment ago
//! answers MAPI_E_NOT_IN_QUEUE rather than MAPI_E_NOT_FOUND, and a store that sends for
//! days does not grow by an id per message (older ids answer MAPI_E_NOT_FOUND).

/// How many finished ids a store remembers.
pub const FINISHED_KEPT: usize = 4096;

/// A backend that cannot drop one id per finish cheaply (IndexedDB has no order on its
/// tombstones) lets this many more pile up, then drops back to [`FINISHED_KEPT`] at once:
/// the scan is paid once per this many sends.
pub const FINISHED_SLACK: usize = 256;

/// Whether a backend holding `count` tombstones should prune now.
pub fn should_prune(count: usize) -> bool {
    count > FINISHED_KEPT + FINISHED_SLACK
}

/// Which tombstones to drop, given each one's key and finish time: the oldest (ties by key)
/// beyond the [`FINISHED_KEPT`] most recent.
pub fn to_drop(mut entries: Vec<(String, i64)>) -> Vec<String> {
    if entries.len() <= FINISHED_KEPT {
        return Vec::new();
    }
    entries.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let extra = entries.len() - FINISHED_KEPT;
    entries.truncate(extra);
    entries.into_iter().map(|(k, _)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_beyond_the_kept_number_are_dropped() {
        let n = FINISHED_KEPT + 3;
        let entries: Vec<(String, i64)> = (0..n)
            .rev()
            .map(|i| (format!("k{i:05}"), i as i64))
            .collect();
        assert_eq!(to_drop(entries), ["k00000", "k00001", "k00002"]);
        assert!(to_drop(vec![("a".into(), 1)]).is_empty());
    }

    #[test]
    fn pruning_waits_for_the_slack() {
        assert!(!should_prune(FINISHED_KEPT + FINISHED_SLACK));
        assert!(should_prune(FINISHED_KEPT + FINISHED_SLACK + 1));
    }
}
