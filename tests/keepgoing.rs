//! The keep-going rules of SPEC §5–§7 in the core, natively, with a fake clock: retryNow,
//! sendNow, flush's result, taking over the lock of a spooler known to be dead, and the
//! `Date` of a message sent later.
#![cfg(not(target_arch = "wasm32"))]

use mapi_outbox::entry_id::{EntryId, StoreUid};
use mapi_outbox::message::RecipientOp;
use mapi_outbox::mime::{self, MimeOptions};
use mapi_outbox::object::MessageObject;
use mapi_outbox::props::names::tags;
use mapi_outbox::props::PropValue;
use mapi_outbox::record;
use mapi_outbox::store::due;
use mapi_outbox::store::transitions::{self, Hurry};
use mapi_outbox::store::{Limits, MemoryStore, Progress, SubmitInput};
use mapi_outbox::MapiCode;

const OWNER: &str = "spooler-a";

fn submitted(
    store: &mut MemoryStore,
    n: u8,
    now: i64,
    send_delay_ms: u64,
    extra: Vec<(mapi_outbox::props::PropTag, PropValue)>,
) -> EntryId {
    let id = EntryId::new(store.uid(), [n; 16]);
    let mut o = MessageObject::create(id, None);
    let mut props = vec![
        (tags::PidTagSubject, PropValue::Unicode(format!("m{n}"))),
        (
            tags::PidTagSenderEmailAddress,
            PropValue::Unicode("me@example.org".into()),
        ),
    ];
    props.extend(extra);
    o.set_props(props).unwrap();
    o.modify_recipients(
        RecipientOp::Add,
        vec![vec![(
            tags::PidTagEmailAddress,
            PropValue::Unicode("a@example.org".into()),
        )]],
    )
    .unwrap();
    let input = SubmitInput {
        now,
        seq: 0,
        submission_id: format!("sub{n}"),
        message_id: format!("<{n}@example.org>"),
        send_delay_ms,
        limits: Limits::default(),
    };
    store.submit(&o.base, &o.content, input).unwrap();
    id
}

/// Locks and fails the message once: it then waits for a retry at `next_at`.
fn fail_once(s: &mut MemoryStore, id: &EntryId, now: i64, next_at: i64) {
    s.lock(id, OWNER, now, 30_000).unwrap();
    let c = record::decode("x", &s.get(id).unwrap().blob).unwrap();
    let p = Progress {
        content: Some(&c),
        failed: vec![],
    };
    s.release_for_retry(id, OWNER, &p, "MAPI_E_WAIT: later", next_at, false)
        .unwrap();
}

fn code<T: std::fmt::Debug>(r: mapi_outbox::error::Result<T>) -> MapiCode {
    r.unwrap_err().code
}

#[test]
fn retry_now_makes_a_message_waiting_for_a_retry_due_at_once_and_counts_it() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, 0, vec![]);
    fail_once(&mut s, &id, 1000, 61_000);
    assert_eq!(s.next_due(2000, None), None, "backing off until 61 s");
    assert!(s.hurry(&id, Hurry::RetryNow, 2000).unwrap());
    assert_eq!(s.next_due(2000, None), Some(id));
    let q = s.get(&id).unwrap().queue.clone().unwrap();
    assert_eq!(q.attempts, 1, "the failed attempt stays counted");
    assert_eq!(q.last_error.as_deref(), Some("MAPI_E_WAIT: later"));
    // Nothing left to hurry: a second retryNow changes nothing.
    assert!(!s.hurry(&id, Hurry::RetryNow, 2000).unwrap());
}

#[test]
fn retry_now_keeps_a_deferred_send_time_and_counts_only_waiting_messages() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let later = 1000 + 3_600_000;
    let deferred = submitted(
        &mut s,
        1,
        1000,
        0,
        vec![(tags::PidTagDeferredSendTime, PropValue::SysTime(later))],
    );
    let failing = submitted(&mut s, 2, 1000, 0, vec![]);
    let fresh = submitted(&mut s, 3, 1000, 60_000, vec![]);
    fail_once(&mut s, &failing, 1000, 301_000);
    assert_eq!(s.retry_all(2000), 1, "only the one waiting for a retry");
    assert_eq!(s.next_due(2000, None), Some(failing));
    assert_eq!(
        s.get(&deferred)
            .unwrap()
            .queue
            .as_ref()
            .unwrap()
            .deferred_until,
        Some(later),
        "retryNow keeps a send-later time"
    );
    assert_eq!(
        s.get(&fresh)
            .unwrap()
            .queue
            .as_ref()
            .unwrap()
            .deferred_until,
        Some(61_000),
        "and the undo window"
    );
}

#[test]
fn send_now_ends_the_undo_window_the_send_later_time_and_the_retry_wait() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let undo = submitted(&mut s, 1, 1000, 5000, vec![]);
    let later = submitted(
        &mut s,
        2,
        1000,
        0,
        vec![(tags::PidTagDeferredSendTime, PropValue::SysTime(9_000_000))],
    );
    let failing = submitted(&mut s, 3, 1000, 0, vec![]);
    fail_once(&mut s, &failing, 1000, 301_000);
    assert_eq!(s.next_due(2000, None), None);
    for id in [undo, later, failing] {
        assert!(s.hurry(&id, Hurry::SendNow, 2000).unwrap());
        let q = s.get(&id).unwrap().queue.clone().unwrap();
        assert!(q.is_eligible(2000), "{id} goes at once");
    }
    assert_eq!(
        s.get(&later)
            .unwrap()
            .queue
            .as_ref()
            .unwrap()
            .deferred_until,
        Some(2000),
        "the deferred time moves to now, so the message is dated when it goes"
    );
    assert_eq!(s.next_due(2000, None), Some(undo), "in submit order");
}

#[test]
fn send_now_of_a_locked_message_changes_nothing_and_errors_name_the_state() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, 5000, vec![]);
    s.lock(&id, OWNER, 7000, 30_000).unwrap();
    assert!(!s.hurry(&id, Hurry::SendNow, 8000).unwrap(), "it is going");
    let unknown = EntryId::new(s.uid(), [9; 16]);
    assert_eq!(
        code(s.hurry(&unknown, Hurry::SendNow, 8000)),
        MapiCode::NotFound
    );
    assert_eq!(
        code(s.hurry(&unknown, Hurry::RetryNow, 8000)),
        MapiCode::NotFound
    );
    // A draft (never submitted) is not in the queue.
    let draft = submitted(&mut s, 2, 1000, 0, vec![]);
    s.abort(&draft).unwrap();
    assert_eq!(
        code(s.hurry(&draft, Hurry::SendNow, 8000)),
        MapiCode::NotInQueue
    );
    assert_eq!(
        code(s.hurry(&draft, Hurry::RetryNow, 8000)),
        MapiCode::NotInQueue
    );
    // A sent message's old id: not in the queue any more.
    let c = record::decode("x", &s.get(&id).unwrap().blob).unwrap();
    s.finish(&id, OWNER, &c, &[], ([3; 16], [4; 16]), 9000)
        .unwrap();
    assert_eq!(
        code(s.hurry(&id, Hurry::SendNow, 9000)),
        MapiCode::NotInQueue
    );
}

#[test]
fn flush_result_counts_what_is_queued_and_says_when_the_first_becomes_due() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    assert_eq!(s.remaining(0), (0, None));
    submitted(&mut s, 1, 1000, 2000, vec![]);
    let failing = submitted(&mut s, 2, 1000, 0, vec![]);
    fail_once(&mut s, &failing, 1000, 2500);
    assert_eq!(s.remaining(1500), (2, Some(2500)), "the retry comes first");
    assert_eq!(
        s.remaining(2600),
        (2, Some(2600)),
        "an overdue message is due now, not in the past"
    );
}

#[test]
fn a_lock_whose_holder_is_known_dead_is_taken_at_once_as_a_possible_duplicate() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, 0, vec![]);
    s.lock(&id, "spooler-dead", 1000, 30_000).unwrap();
    let queued: Vec<_> = s.outgoing_queue().cloned().collect();
    assert_eq!(
        due::lock_holders(queued.iter(), 2000, "spooler-b"),
        vec!["spooler-dead".to_string()]
    );
    assert!(
        due::lock_holders(queued.iter(), 2000, "spooler-dead").is_empty(),
        "a spooler does not watch itself"
    );
    assert!(
        due::lock_holders(queued.iter(), 31_000, "spooler-b").is_empty(),
        "an expired lease needs no watching"
    );
    assert_eq!(due::next_due_given(queued.iter(), 2000, None, &[]), None);
    let dead = vec!["spooler-dead".to_string()];
    assert_eq!(
        due::next_due_given(queued.iter(), 2000, None, &dead),
        Some(id)
    );
    let rec = s.get(&id).cloned();
    let taken =
        transitions::lock_given(rec.as_ref(), &id, "spooler-b", 2000, 30_000, &dead).unwrap();
    let q = taken.queue.unwrap();
    assert!(q.possible_duplicate);
    assert_eq!(q.lock.unwrap().owner, "spooler-b");
    // Without the knowledge, the live lease keeps others out.
    assert_eq!(
        code(transitions::lock_given(
            rec.as_ref(),
            &id,
            "spooler-b",
            2000,
            30_000,
            &["someone-else".to_string()]
        )),
        MapiCode::Busy
    );
}

#[test]
fn a_message_sent_later_is_dated_when_it_goes_and_every_attempt_has_the_same_date() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let submit_at = 1_700_000_000_000;
    let later = submit_at + 3_600_000;
    let id = submitted(
        &mut s,
        1,
        submit_at,
        0,
        vec![(tags::PidTagDeferredSendTime, PropValue::SysTime(later))],
    );
    let now_id = submitted(&mut s, 2, submit_at, 0, vec![]);
    let date_of = |s: &MemoryStore, id: &EntryId, clock: i64| {
        let rec = s.get(id).unwrap();
        let c = record::decode("x", &rec.blob).unwrap();
        let opts = MimeOptions {
            identity: None,
            now_ms: clock,
            date_ms: Some(rec.queue.as_ref().unwrap().send_date()),
        };
        let bytes = mime::build(&c, &opts).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        text.lines()
            .find(|l| l.starts_with("Date: "))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        date_of(&s, &id, later + 5),
        "Date: Tue, 14 Nov 2023 23:13:20 +0000"
    );
    assert_eq!(
        date_of(&s, &id, later + 99_000),
        date_of(&s, &id, later + 5),
        "a retry sends the same bytes"
    );
    assert_eq!(
        date_of(&s, &now_id, submit_at + 7000),
        "Date: Tue, 14 Nov 2023 22:13:20 +0000",
        "a message sent at once is dated at its submit"
    );
    // sendNow of the send-later message: dated at the moment it went.
    s.hurry(&id, Hurry::SendNow, submit_at + 60_000).unwrap();
    assert_eq!(
        date_of(&s, &id, submit_at + 60_001),
        "Date: Tue, 14 Nov 2023 22:14:20 +0000"
    );
}
