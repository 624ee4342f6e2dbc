//! The spooler's rules (SPEC §6, docs/DECISIONS.md), each pinned on the core pump with the
//! fake clock: routing, NOT_ME, CANCEL, partial failure, back-off and Retry-After, the lease,
//! the time-out, the in-flight cap, deferral and undo, takeover, closing.

use mapi_outbox::props::names::tags;
use mapi_outbox::props::PropValue;
use mapi_outbox::spool::{Settled, MAX_IN_FLIGHT, SEND_TIMEOUT_MS};
use mapi_outbox::store::{Event, Folder};
use mapi_outbox::MapiCode;

use super::harness::*;

const NOT_ME: u32 = 0x8004_0502;
const CANCEL: u32 = 0x8004_0501;

fn retries(w: &World) -> Vec<(u32, String, i64)> {
    w.events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Retry {
                attempt,
                error,
                next_attempt_at,
                ..
            } => Some((attempt, error, next_attempt_at)),
            _ => None,
        })
        .collect()
}

fn ndr_recipients(w: &World) -> Vec<String> {
    w.events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Ndr { recipients, .. } => Some(recipients),
            _ => None,
        })
        .flatten()
        .map(|f| f.email)
        .collect()
}

fn rcpt_to(w: &World, i: usize) -> Vec<String> {
    w.shared.sends.borrow()[i].outgoing.rcpt_to.clone()
}

#[test]
fn a_due_message_goes_to_its_transport_once_and_is_finished_into_sent() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    let (id, sub) = w.submit(&[("a@example.org", "SMTP"), ("b@example.org", "SMTP")]);
    assert_eq!(w.pending(), vec![0]);
    {
        let sends = w.shared.sends.borrow();
        let o = &sends[0].outgoing;
        assert_eq!(o.entry_id, id);
        assert_eq!(o.submission_id, sub);
        assert_eq!(o.rcpt_to, ["a@example.org", "b@example.org"]);
        assert_eq!(o.mail_from, "me@example.org");
        assert_eq!((o.attempt, o.possible_duplicate), (1, false));
        let mime = String::from_utf8_lossy(&o.mime);
        assert!(mime.contains("Subject: m1\r\n"), "{mime}");
    }
    w.answer(0, delivered());
    assert_eq!(w.sent_ids(), [sub]);
    assert!(w.queued().is_empty());
    let store = w.shared.store.store.borrow();
    assert_eq!(store.contents(Folder::Sent).count(), 1);
    drop(store);
    w.advance(10 * 60_000);
    assert_eq!(w.shared.sends.borrow().len(), 1, "sent once, never again");
}

#[test]
fn each_recipient_is_offered_to_the_transport_of_its_address_type() {
    let mut w = World::with(&[("smtp", &["SMTP"]), ("fax", &["FAX"])]);
    w.submit(&[
        ("a@example.org", "SMTP"),
        ("+15551234", "FAX"),
        ("b@example.org", "SMTP"),
    ]);
    // One offer at a time, each transport with the recipients of its type.
    let mut by = Vec::new();
    while let Some(&i) = w.pending().first() {
        by.push((w.shared.sends.borrow()[i].transport.clone(), rcpt_to(&w, i)));
        w.answer(i, delivered());
    }
    assert_eq!(by.len(), 2);
    assert!(by.contains(&(
        "smtp".into(),
        vec!["a@example.org".into(), "b@example.org".into()]
    )));
    assert!(by.contains(&("fax".into(), vec!["+15551234".into()])));
    assert_eq!(w.sent_ids().len(), 1);
}

#[test]
fn not_me_hands_the_recipients_to_the_next_transport_of_their_type() {
    let mut w = World::with(&[("first", &["SMTP"]), ("second", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    assert_eq!(w.shared.sends.borrow()[0].transport, "first");
    w.answer(0, rejected(Some(NOT_ME), "MAPI_E_NOT_ME", None));
    assert_eq!(w.pending(), vec![1]);
    assert_eq!(w.shared.sends.borrow()[1].transport, "second");
    assert_eq!(rcpt_to(&w, 1), ["a@example.org"]);
    w.answer(1, delivered());
    assert_eq!(w.sent_ids().len(), 1);
    assert!(ndr_recipients(&w).is_empty());
}

#[test]
fn cancel_fails_the_offered_recipients_for_good_and_files_an_ndr() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    w.answer(0, rejected(Some(CANCEL), "refused by policy", None));
    assert_eq!(ndr_recipients(&w), ["a@example.org"]);
    assert_eq!(w.sent_ids().len(), 1, "finished: nothing left to try");
    assert!(retries(&w).is_empty());
}

#[test]
fn a_partial_failure_delivers_the_others_and_reports_only_the_failed() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP"), ("b@example.org", "SMTP")]);
    w.answer(
        0,
        Settled::Resolved {
            failed: vec![("b@example.org".into(), "550 5.1.1 no such user".into())],
        },
    );
    assert_eq!(ndr_recipients(&w), ["b@example.org"]);
    assert!(w.queued().is_empty());
}

#[test]
fn a_full_spooler_fails_a_recipient_no_transport_takes() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP"), ("+1555", "FAX")]);
    assert_eq!(rcpt_to(&w, 0), ["a@example.org"]);
    w.answer(0, delivered());
    assert_eq!(ndr_recipients(&w), ["+1555"]);
    assert!(w.queued().is_empty());
}

#[test]
fn a_coupled_transport_alone_leaves_other_types_to_a_full_spooler() {
    let mut w = World::new(false, 3);
    let coupled = w.add_pump(PumpSpec {
        transports: vec![transport("coupled", &["SMTP"])],
        full: false,
    });
    w.submit(&[("a@example.org", "SMTP"), ("x=y;", "X400")]);
    assert_eq!(w.pending(), vec![0]);
    w.answer(0, delivered());
    // Released, not failed: the X400 recipient waits for a spooler that has its transport.
    assert_eq!(w.queued().len(), 1);
    assert!(ndr_recipients(&w).is_empty() && retries(&w).is_empty());
    w.advance(60_000);
    assert_eq!(
        w.shared.sends.borrow().len(),
        1,
        "the coupled one does not try again"
    );
    let full = w.add_pump(PumpSpec {
        transports: vec![transport("x400", &["X400"])],
        full: true,
    });
    w.kick(full);
    assert_eq!(w.pending(), vec![1]);
    assert_eq!(rcpt_to(&w, 1), ["x=y;"], "only what is left");
    w.answer(1, delivered());
    assert!(w.queued().is_empty());
    let _ = coupled;
}

#[test]
fn a_transient_failure_backs_off_with_jitter_between_half_and_all_of_the_doubling_delay() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    let mut expected_full = 5_000;
    for attempt in 1..=4u32 {
        let i = *w.pending().last().unwrap();
        assert_eq!(w.shared.sends.borrow()[i].outgoing.attempt, attempt);
        let at = w.now();
        w.answer(i, rejected(None, "421 try later", None));
        let (n, error, next) = retries(&w).pop().unwrap();
        assert_eq!(n, attempt);
        assert!(error.contains("421"), "{error}");
        let delay = next - at;
        assert!(
            (expected_full / 2..=expected_full).contains(&delay),
            "attempt {attempt}: {delay} ms not in [{}, {expected_full}]",
            expected_full / 2
        );
        // Nothing before the time; the wake-up brings it at the time.
        w.advance(delay - 1);
        assert!(w.pending().is_empty(), "attempt {attempt} too early");
        w.advance(2);
        assert_eq!(w.pending().len(), 1, "attempt {} on time", attempt + 1);
        expected_full *= 2;
    }
}

#[test]
fn retry_after_from_the_transport_sets_the_next_attempt_exactly() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    let at = w.now();
    w.answer(0, rejected(None, "429", Some(60_000.0)));
    assert_eq!(retries(&w)[0].2, at + 60_000);
    w.advance(59_999);
    assert!(w.pending().is_empty());
    w.advance(2);
    assert_eq!(w.pending().len(), 1);
}

#[test]
fn the_lease_is_renewed_every_third_while_a_send_runs_and_never_lapses() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    let start = w.now();
    w.advance(LEASE_MS * 3);
    let renewals = w.shared.store.renewals.borrow().clone();
    assert!(renewals.len() >= 8, "{renewals:?}");
    let lock = w.queued()[0].queue.clone().unwrap().lock.unwrap();
    assert!(lock.until > w.now(), "lease still running");
    assert!(lock.until <= w.now() + LEASE_MS);
    assert_eq!(w.shared.sends.borrow().len(), 1, "never locked twice");
    assert!(start < w.now());
    // Once the send ends, the renewals stop.
    w.answer(0, delivered());
    let n = w.shared.store.renewals.borrow().len();
    w.advance(LEASE_MS * 3);
    assert_eq!(w.shared.store.renewals.borrow().len(), n);
}

#[test]
fn a_send_that_never_settles_is_given_up_after_the_time_out_and_retried_as_possible_duplicate() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    w.advance(SEND_TIMEOUT_MS - 1);
    assert!(retries(&w).is_empty());
    w.advance(1);
    let (_, error, next) = retries(&w).pop().expect("a retry after the time-out");
    assert!(error.contains("did not answer in time"), "{error}");
    assert!(
        w.shared.sends.borrow()[0].is_abandoned(),
        "the send was let go"
    );
    let q = w.queued()[0].queue.clone().unwrap();
    assert!(q.possible_duplicate && q.lock.is_none());
    w.advance(next - w.now() + 1);
    let i = *w.pending().last().unwrap();
    assert!(w.shared.sends.borrow()[i].outgoing.possible_duplicate);
    assert_eq!(w.shared.sends.borrow()[i].outgoing.attempt, 2);
}

#[test]
fn at_most_four_sends_are_in_flight_and_an_ending_one_starts_the_next() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    for _ in 0..6 {
        w.submit(&[("a@example.org", "SMTP")]);
    }
    assert_eq!(w.pending().len(), MAX_IN_FLIGHT);
    assert_eq!(w.pumps[0].in_flight(), MAX_IN_FLIGHT);
    w.answer(1, delivered());
    assert_eq!(w.pending().len(), MAX_IN_FLIGHT);
    assert_eq!(w.shared.sends.borrow().len(), 5);
    // Submit order: the fifth message went fifth.
    assert_eq!(w.shared.sends.borrow()[4].outgoing.submission_id, "sub5");
}

#[test]
fn a_deferred_message_waits_for_its_time_with_a_wake_up_set_for_it() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    let t = w.now();
    w.submit_with(&[("a@example.org", "SMTP")], 60_000, Vec::new());
    assert!(w.pending().is_empty());
    let wake = w.pumps[0].host.wake_at.get().expect("a wake-up");
    assert!(wake > t + 60_000 - 1 && wake <= t + 60_001, "{wake}");
    w.advance(59_999);
    assert!(w.pending().is_empty());
    w.advance(2);
    assert_eq!(w.pending().len(), 1);
    // Dated when it goes, not when it was submitted.
    let mime = String::from_utf8_lossy(&w.shared.sends.borrow()[0].outgoing.mime).into_owned();
    assert!(mime.contains("Date: "), "{mime}");
}

#[test]
fn undo_works_until_a_transport_has_the_message_and_is_refused_after() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    let (deferred, _) = w.submit_with(&[("a@example.org", "SMTP")], 5_000, Vec::new());
    w.shared.store.store.borrow_mut().abort(&deferred).unwrap();
    w.advance(10_000);
    assert!(
        w.shared.sends.borrow().is_empty(),
        "an aborted message is never sent"
    );
    let (going, _) = w.submit(&[("a@example.org", "SMTP")]);
    let err = w.shared.store.store.borrow_mut().abort(&going).unwrap_err();
    assert_eq!(err.code, MapiCode::UnableToAbort);
    w.answer(0, delivered());
    assert_eq!(w.sent_ids().len(), 1);
}

#[test]
fn a_dead_holders_message_is_taken_over_at_once_and_flagged_possible_duplicate() {
    let mut w = World::new(false, 5);
    let spec = || PumpSpec {
        transports: vec![transport("smtp", &["SMTP"])],
        full: true,
    };
    let a = w.add_pump(spec());
    w.submit(&[("a@example.org", "SMTP")]);
    assert_eq!(w.pending(), vec![0]);
    let b = w.add_pump(spec());
    // The first spooler's tab dies mid-send.
    w.pumps[a].stop();
    w.kick(b);
    assert_eq!(w.shared.sends.borrow().len(), 1, "the lease still runs");
    w.pumps[b].holder_died("spooler-0".into());
    w.settle();
    assert_eq!(w.shared.sends.borrow().len(), 2);
    let s = &w.shared.sends.borrow()[1];
    assert_eq!((s.pump, s.outgoing.possible_duplicate), (b, true));
}

#[test]
fn a_lapsed_lease_is_taken_over_by_another_spooler_when_it_runs_out() {
    let mut w = World::new(true, 6);
    let spec = || PumpSpec {
        transports: vec![transport("smtp", &["SMTP"])],
        full: true,
    };
    let a = w.add_pump(spec());
    w.submit(&[("a@example.org", "SMTP")]);
    // The first spooler stops renewing mid-send (its tab froze, then closed).
    w.pumps[a].stop();
    let b = w.add_pump(spec());
    w.kick(b);
    assert_eq!(w.shared.sends.borrow().len(), 1);
    w.advance(LEASE_MS + 1);
    let sends = w.shared.sends.borrow();
    assert_eq!(sends.len(), 2, "taken over when the lease ran out");
    assert!(sends[1].outgoing.possible_duplicate);
}

#[test]
fn a_closed_pump_sends_nothing_more_and_keeps_no_wake_up() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit_with(&[("a@example.org", "SMTP")], 5_000, Vec::new());
    assert!(w.pumps[0].host.wake_at.get().is_some());
    w.pumps[0].stop();
    assert_eq!(w.pumps[0].host.wake_at.get(), None);
    w.submit(&[("b@example.org", "SMTP")]);
    w.advance(60_000);
    assert!(w.shared.sends.borrow().is_empty());
    assert_eq!(w.queued().len(), 2, "what is queued stays queued");
}

#[test]
fn an_unreadable_record_is_retried_not_dropped() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    let (id, _) = w.submit_with(&[("a@example.org", "SMTP")], 1_000, Vec::new());
    w.shared.store.store.borrow_mut().corrupt(&id).unwrap();
    w.advance(1_001);
    assert!(w.shared.sends.borrow().is_empty());
    assert_eq!(retries(&w).len(), 1);
    assert_eq!(w.queued().len(), 1);
}

#[test]
fn delete_after_submit_finishes_without_a_sent_copy() {
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit_with(
        &[("a@example.org", "SMTP")],
        0,
        vec![(tags::PidTagDeleteAfterSubmit, PropValue::Boolean(true))],
    );
    w.answer(0, delivered());
    assert!(matches!(
        w.events().iter().find(|e| matches!(e, Event::Sent { .. })),
        Some(Event::Sent {
            sent_entry_id: None,
            ..
        })
    ));
    assert_eq!(
        w.shared.store.store.borrow().contents(Folder::Sent).count(),
        0
    );
}

#[test]
fn possible_duplicate_stays_set_after_a_later_attempt_fails_with_a_known_outcome() {
    // Found by the model test: attempt 1 timed out (it may have gone out), attempt 2 was
    // refused (421); attempt 3 must still say an earlier attempt may have delivered.
    let mut w = World::with(&[("smtp", &["SMTP"])]);
    w.submit(&[("a@example.org", "SMTP")]);
    w.advance(SEND_TIMEOUT_MS);
    let (_, _, next) = retries(&w).pop().unwrap();
    w.advance(next - w.now() + 1);
    let i = *w.pending().last().unwrap();
    assert!(w.shared.sends.borrow()[i].outgoing.possible_duplicate);
    w.answer(i, rejected(None, "421 try later", None));
    let (_, _, next) = retries(&w).pop().unwrap();
    w.advance(next - w.now() + 1);
    let i = *w.pending().last().unwrap();
    let s = &w.shared.sends.borrow()[i];
    assert_eq!(s.outgoing.attempt, 3);
    assert!(s.outgoing.possible_duplicate);
}

#[test]
fn a_store_closed_mid_attempt_hands_nothing_more_to_its_other_transports() {
    // Found by the model test: the offers of an attempt went on after close().
    let mut w = World::with(&[("smtp", &["SMTP"]), ("x400", &["X400"])]);
    w.submit(&[("a@example.org", "SMTP"), ("c=ZZ;o=x", "X400")]);
    assert_eq!(w.pending(), vec![0]);
    w.pumps[0].stop();
    w.answer(0, delivered());
    w.advance(60_000);
    assert_eq!(w.shared.sends.borrow().len(), 1);
    assert_eq!(
        w.queued().len(),
        1,
        "the rest stays queued for the next spooler"
    );
}
