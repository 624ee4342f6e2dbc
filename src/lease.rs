//! A lease on a named resource (the spooler leadership of one database) for where the
//! platform has no lock manager: a record with an owner and an expiry that the holder
//! renews. Whoever finds it free or expired takes it. Plain Rust; the binding layer reads and
//! writes the record in one IndexedDB transaction around `take`/`release`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: i64,
}

/// Takes (or renews) the lease for `owner`, or says when it may be free again.
pub fn take(existing: Option<&Lease>, owner: &str, now: i64, lease_ms: i64) -> Result<Lease, i64> {
    match existing {
        Some(l) if l.owner != owner && l.until > now => Err(l.until),
        _ => Ok(Lease {
            owner: owner.to_string(),
            until: now.saturating_add(lease_ms.max(1)),
        }),
    }
}

/// Whether `owner` may delete the lease record (only its own).
pub fn may_release(existing: Option<&Lease>, owner: &str) -> bool {
    existing.is_some_and(|l| l.owner == owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_or_expired_lease_is_taken_and_a_live_one_is_not() {
        let a = take(None, "a", 100, 50).unwrap();
        assert_eq!(
            a,
            Lease {
                owner: "a".into(),
                until: 150
            }
        );
        assert_eq!(take(Some(&a), "b", 149, 50), Err(150));
        assert_eq!(take(Some(&a), "b", 150, 50).unwrap().owner, "b");
    }

    #[test]
    fn the_holder_renews_and_only_the_holder_releases() {
        let a = take(None, "a", 100, 50).unwrap();
        assert_eq!(take(Some(&a), "a", 120, 50).unwrap().until, 170);
        assert!(may_release(Some(&a), "a"));
        assert!(!may_release(Some(&a), "b"));
        assert!(!may_release(None, "a"));
    }
}
