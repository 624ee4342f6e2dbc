//! The spooler's state changes on the memory backend, natively, with a fake clock: lock,
//! lease expiry, retry, finish (move, delete, NDR) and what the old entry id answers after.
#![cfg(not(target_arch = "wasm32"))]

use mapi_outbox::entry_id::{EntryId, StoreUid};
use mapi_outbox::message::{flags, RecipientOp};
use mapi_outbox::object::MessageObject;
use mapi_outbox::props::names::tags;
use mapi_outbox::props::PropValue;
use mapi_outbox::queue::Failure;
use mapi_outbox::record;
use mapi_outbox::store::transitions::Access;
use mapi_outbox::store::{Folder, Limits, MemoryStore, Progress, SubmitInput};
use mapi_outbox::MapiCode;

const OWNER: &str = "spooler-a";

fn submitted(
    store: &mut MemoryStore,
    n: u8,
    now: i64,
    extra: Vec<(mapi_outbox::props::PropTag, PropValue)>,
) -> EntryId {
    submitted_as(store, [n; 16], now, extra)
}

fn submitted_as(
    store: &mut MemoryStore,
    uid: [u8; 16],
    now: i64,
    extra: Vec<(mapi_outbox::props::PropTag, PropValue)>,
) -> EntryId {
    let n = uid[0];
    let id = EntryId::new(store.uid(), uid);
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
        send_delay_ms: 0,
        limits: Limits::default(),
    };
    store.submit(&o.base, &o.content, input).unwrap();
    id
}

fn content(store: &MemoryStore, id: &EntryId) -> mapi_outbox::message::MessageContent {
    record::decode("x", &store.get(id).unwrap().blob).unwrap()
}

#[test]
fn the_spooler_takes_due_messages_in_submit_order_and_skips_deferred_ones() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let later = submitted(
        &mut s,
        1,
        1000,
        vec![(tags::PidTagDeferredSendTime, PropValue::SysTime(60_000))],
    );
    let first = submitted(&mut s, 2, 1000, vec![]);
    let second = submitted(&mut s, 3, 1000, vec![]);
    assert_eq!(s.next_due(2000, None), Some(first));
    s.lock(&first, OWNER, 2000, 30_000).unwrap();
    assert_eq!(
        s.next_due(2000, None),
        Some(second),
        "a locked message does not block the next"
    );
    assert_eq!(
        s.next_wake(2000, None),
        Some(32_000),
        "the lease ends before the deferral"
    );
    assert_eq!(s.next_due(60_000, None), Some(later));
}

#[test]
fn a_locked_message_cannot_be_aborted_opened_or_locked_twice() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    assert_eq!(s.abort(&id).unwrap_err().code, MapiCode::UnableToAbort);
    assert_eq!(
        s.open(&id, Access::Read).unwrap_err().code,
        MapiCode::NoAccess
    );
    assert!(s.lock(&id, "spooler-b", 2000, 30_000).is_err());
    let q = s.get(&id).unwrap().queue.clone().unwrap();
    assert_eq!(q.submit_flags(), 1);
}

#[test]
fn an_expired_lease_lets_another_spooler_take_it_as_a_possible_duplicate() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let rec = s.lock(&id, "spooler-b", 31_000, 30_000).unwrap();
    let q = rec.queue.unwrap();
    assert!(q.possible_duplicate);
    assert_eq!(q.submission_id, "sub1", "the same submission");
    assert_eq!(
        content(&s, &id).props.str(tags::PidTagInternetMessageId),
        Some("<1@example.org>")
    );
}

#[test]
fn a_transient_failure_counts_the_attempt_and_backs_off_and_abort_works_between_attempts() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let c = content(&s, &id);
    let p = Progress {
        content: Some(&c),
        failed: vec![],
    };
    s.release_for_retry(&id, OWNER, &p, "MAPI_E_WAIT: later", 5000, false)
        .unwrap();
    let q = s.get(&id).unwrap().queue.clone().unwrap();
    assert_eq!(
        (q.attempts, q.last_error.as_deref(), q.next_attempt_at),
        (1, Some("MAPI_E_WAIT: later"), Some(5000))
    );
    assert_eq!(s.next_due(4999, None), None);
    assert_eq!(s.next_due(5000, None), Some(id));
    s.abort(&id).unwrap();
    assert_eq!(s.get(&id).unwrap().folder, Folder::Drafts);
}

#[test]
fn finishing_moves_to_sent_under_a_new_id_and_the_old_id_is_gone() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let mut c = content(&s, &id);
    c.recipients[0]
        .props
        .set(tags::PidTagResponsibility, PropValue::Boolean(true));
    let f = s
        .finish(&id, OWNER, &c, &[], ([9; 16], [8; 16]), 2000)
        .unwrap();
    let sent = f.sent.unwrap();
    assert_ne!(sent.entry_id, id);
    assert_eq!(sent.folder, Folder::Sent);
    assert_eq!(sent.flags & (flags::SUBMIT | flags::UNSENT), 0);
    assert!(f.ndr.is_none());
    assert_eq!(
        s.open(&id, Access::Read).unwrap_err().code,
        MapiCode::NotFound
    );
    assert_eq!(s.abort(&id).unwrap_err().code, MapiCode::NotInQueue);
    assert_eq!(s.contents(Folder::Sent).count(), 1);
    assert_eq!(s.outgoing_queue().count(), 0);
}

#[test]
fn delete_after_submit_deletes_and_sent_mail_entry_id_picks_the_folder() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let gone = submitted(
        &mut s,
        1,
        1000,
        vec![(tags::PidTagDeleteAfterSubmit, PropValue::Boolean(true))],
    );
    let inbox = Folder::Inbox.entry_id(s.uid());
    let filed = submitted(
        &mut s,
        2,
        1000,
        vec![(
            tags::PidTagSentMailEntryId,
            PropValue::Binary(inbox.0.to_vec().into()),
        )],
    );
    for id in [gone, filed] {
        s.lock(&id, OWNER, 1000, 30_000).unwrap();
        let c = content(&s, &id);
        s.finish(&id, OWNER, &c, &[], ([id.0[20] + 100; 16], [7; 16]), 2000)
            .unwrap();
    }
    assert_eq!(
        s.open(&gone, Access::Read).unwrap_err().code,
        MapiCode::NotFound
    );
    assert_eq!(s.abort(&gone).unwrap_err().code, MapiCode::NotInQueue);
    assert_eq!(s.contents(Folder::Inbox).count(), 1);
    assert_eq!(s.contents(Folder::Sent).count(), 0);
}

#[test]
fn failures_from_every_attempt_end_up_in_one_ndr_in_the_inbox() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let c = content(&s, &id);
    let first = Failure {
        email: "x@example.org".into(),
        reason: "mailbox unknown".into(),
    };
    let p = Progress {
        content: Some(&c),
        failed: vec![first],
    };
    s.release_for_retry(&id, OWNER, &p, "e", 1000, false)
        .unwrap();
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let second = Failure {
        email: "a@example.org".into(),
        reason: "rejected".into(),
    };
    let f = s
        .finish(&id, OWNER, &c, &[second], ([9; 16], [8; 16]), 2000)
        .unwrap();
    let ndr = f.ndr.unwrap();
    assert_eq!(ndr.folder, Folder::Inbox);
    assert_eq!(f.failed.len(), 2);
    let report = record::decode("x", &ndr.blob).unwrap();
    assert_eq!(
        report.props.str(tags::PidTagMessageClass),
        Some("REPORT.IPM.Note.NDR")
    );
    let body = report.props.str(tags::PidTagBody).unwrap();
    assert!(
        body.contains("x@example.org: mailbox unknown") && body.contains("a@example.org: rejected")
    );
}

#[test]
fn only_the_lock_holder_can_release_or_finish() {
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let id = submitted(&mut s, 1, 1000, vec![]);
    s.lock(&id, OWNER, 1000, 30_000).unwrap();
    let c = content(&s, &id);
    let p = Progress {
        content: Some(&c),
        failed: vec![],
    };
    assert_eq!(
        s.release_for_retry(&id, "other", &p, "e", 0, false)
            .unwrap_err()
            .code,
        MapiCode::NoAccess
    );
    assert_eq!(
        s.finish(&id, "other", &c, &[], ([9; 16], [8; 16]), 0)
            .unwrap_err()
            .code,
        MapiCode::NoAccess
    );
}

#[test]
fn abort_of_a_recently_sent_message_is_not_in_queue_and_the_store_remembers_a_bounded_number_of_them(
) {
    use mapi_outbox::store::FINISHED_KEPT;
    let mut s = MemoryStore::new(StoreUid([1; 16]));
    let uid = |i: usize| {
        let mut u = [0u8; 16];
        u[..8].copy_from_slice(&(i as u64).to_le_bytes());
        u[15] = 0xAA;
        u
    };
    let total = FINISHED_KEPT + 10;
    let mut ids = Vec::new();
    for i in 0..total {
        let id = submitted_as(
            &mut s,
            uid(i),
            1000,
            vec![(tags::PidTagDeleteAfterSubmit, PropValue::Boolean(true))],
        );
        s.lock(&id, OWNER, 1000, 30_000).unwrap();
        let c = content(&s, &id);
        let mut sent = uid(i);
        sent[15] = 0xBB;
        s.finish(&id, OWNER, &c, &[], (sent, sent), 2000).unwrap();
        ids.push(id);
    }
    assert_eq!(
        s.abort(&ids[total - 1]).unwrap_err().code,
        MapiCode::NotInQueue
    );
    assert_eq!(
        s.abort(&ids[total - FINISHED_KEPT]).unwrap_err().code,
        MapiCode::NotInQueue,
        "the last FINISHED_KEPT are remembered"
    );
    assert_eq!(
        s.abort(&ids[0]).unwrap_err().code,
        MapiCode::NotFound,
        "older ones are forgotten: the store does not grow per message sent"
    );
}
