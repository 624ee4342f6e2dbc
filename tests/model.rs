//! Model-based property test of the core: random sequences of create / edit / save / submit /
//! abort / open / delete / corrupt / lock / release, through message objects and the memory
//! store, checked step by step against a small reference model and a set of invariants.
//!
//! Invariants after every step:
//! - every stored message is listed in exactly one folder;
//! - a message is queued exactly when PidTagMessageFlags has SUBMIT, exactly when it is in
//!   the Outbox and in the outgoing queue, and the queue is in submit order;
//! - abort succeeds exactly when the message is queued and not locked;
//! - nothing is lost: every intact stored message holds what was last saved or submitted.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use mapi_outbox::entry_id::{EntryId, StoreUid};
use mapi_outbox::message::{flags, RecipientOp};
use mapi_outbox::object::{Liveness, MessageObject};
use mapi_outbox::props::names::tags;
use mapi_outbox::props::PropValue;
use mapi_outbox::record;
use mapi_outbox::store::transitions::Access;
use mapi_outbox::store::{Folder, Limits, MemoryStore, Progress, SubmitInput};
use mapi_outbox::MapiCode;
use proptest::prelude::*;

const STEPS: usize = 50;
const CASES: u32 = 256; // 256 × 50 = 12,800 operations a run

#[derive(Debug, Clone)]
enum Op {
    Create,
    SetSubject(usize, u8),
    AddRecipient(usize),
    RemoveAllRecipients(usize),
    Save(usize, bool),
    SaveReadOnly(usize),
    Submit(usize),
    Abort(usize),
    Open(usize, bool),
    Delete(usize),
    Corrupt(usize),
    Lock(usize),
    Release(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..8;
    prop_oneof![
        2 => Just(Op::Create),
        3 => (i.clone(), any::<u8>()).prop_map(|(o, s)| Op::SetSubject(o, s)),
        3 => i.clone().prop_map(Op::AddRecipient),
        1 => i.clone().prop_map(Op::RemoveAllRecipients),
        3 => (i.clone(), prop::bool::weighted(0.2)).prop_map(|(o, f)| Op::Save(o, f)),
        1 => i.clone().prop_map(Op::SaveReadOnly),
        3 => i.clone().prop_map(Op::Submit),
        2 => i.clone().prop_map(Op::Abort),
        2 => (i.clone(), any::<bool>()).prop_map(|(m, rw)| Op::Open(m, rw)),
        1 => i.clone().prop_map(Op::Delete),
        1 => i.clone().prop_map(Op::Corrupt),
        1 => i.clone().prop_map(Op::Lock),
        1 => i.prop_map(Op::Release),
    ]
}

/// What the reference model knows of one stored message.
#[derive(Debug, Clone, PartialEq)]
struct ModelMsg {
    version: u64,
    queued: bool,
    locked: bool,
    corrupt: bool,
    subject: Option<String>,
    recipients: usize,
}

/// What the model knows of one object.
#[derive(Debug, Clone)]
struct ModelObj {
    id: EntryId,
    version: Option<u64>,
    read_only: bool,
    /// Opened read-only while queued: submit answers SUBMITTED rather than NO_ACCESS.
    opened_queued: bool,
    dead: bool,
    subject: Option<String>,
    recipients: usize,
}

struct World {
    store: MemoryStore,
    objs: Vec<(MessageObject, ModelObj)>,
    msgs: HashMap<EntryId, ModelMsg>,
    known_ids: Vec<EntryId>,
    next: u8,
    now: i64,
}

const LIMITS: Limits = Limits {
    max_message_size: 1 << 20,
    max_recipients: 3,
};

impl World {
    fn new() -> World {
        World {
            store: MemoryStore::new(StoreUid([7; 16])),
            objs: Vec::new(),
            msgs: HashMap::new(),
            known_ids: Vec::new(),
            next: 0,
            now: 1_000_000,
        }
    }

    fn id_at(&self, i: usize) -> Option<EntryId> {
        (!self.known_ids.is_empty()).then(|| self.known_ids[i % self.known_ids.len()])
    }

    fn expect_code(&self, what: &str, r: Result<(), mapi_outbox::Error>, want: Option<MapiCode>) {
        match (r, want) {
            (Ok(()), None) => {}
            (Err(e), Some(c)) if e.code == c => {}
            (r, w) => panic!("{what}: got {r:?}, the model expected {w:?}"),
        }
    }

    /// The error the model predicts for writing through object `m` (save or submit).
    fn write_conflict(&self, m: &ModelObj, force: bool) -> Option<MapiCode> {
        match (self.msgs.get(&m.id), m.version) {
            (None, Some(_)) => Some(MapiCode::ObjectDeleted),
            (None, None) => None,
            (Some(s), _) if s.queued => Some(MapiCode::Submitted),
            (Some(s), v) if !force && v != Some(s.version) => Some(MapiCode::ObjectChanged),
            _ => None,
        }
    }

    fn step(&mut self, op: &Op) {
        self.now += 1000;
        match *op {
            Op::Create => {
                self.next = self.next.wrapping_add(1);
                let mut uid = [0u8; 16];
                uid[0] = 0xEE;
                uid[1] = self.next;
                uid[2] = self.objs.len() as u8;
                let id = EntryId::new(self.store.uid(), uid);
                let obj = MessageObject::create(id, None);
                self.known_ids.push(id);
                self.objs.push((
                    obj,
                    ModelObj {
                        id,
                        version: None,
                        read_only: false,
                        opened_queued: false,
                        dead: false,
                        subject: None,
                        recipients: 0,
                    },
                ));
            }
            Op::SetSubject(i, s) => {
                let Some((o, m)) = self.obj(i) else { return };
                let subject = format!("subject {s}");
                let r = o.set_props(vec![(
                    tags::PidTagSubject,
                    PropValue::Unicode(subject.clone()),
                )]);
                let want = if m.dead {
                    Some(MapiCode::InvalidObject)
                } else if m.read_only {
                    Some(MapiCode::NoAccess)
                } else {
                    None
                };
                if r.is_ok() {
                    m.subject = Some(subject);
                }
                self.expect_code("setProps", r, want);
            }
            Op::AddRecipient(i) => {
                let Some((o, m)) = self.obj(i) else { return };
                let row = vec![(
                    tags::PidTagEmailAddress,
                    PropValue::Unicode(format!("r{}@example.org", m.recipients)),
                )];
                let r = o.modify_recipients(RecipientOp::Add, vec![row]);
                let want = if m.dead {
                    Some(MapiCode::InvalidObject)
                } else if m.read_only {
                    Some(MapiCode::NoAccess)
                } else {
                    None
                };
                if r.is_ok() {
                    m.recipients += 1;
                }
                self.expect_code("modifyRecipients", r, want);
            }
            Op::RemoveAllRecipients(i) => {
                let Some((o, m)) = self.obj(i) else { return };
                let r = o.remove_all_recipients();
                if r.is_ok() {
                    m.recipients = 0;
                }
                assert_eq!(r.is_ok(), !m.dead && !m.read_only);
            }
            Op::Save(i, _) | Op::SaveReadOnly(i) => {
                let force = matches!(op, Op::Save(_, true));
                let read_only_after = matches!(op, Op::SaveReadOnly(_));
                if self.objs.is_empty() {
                    return;
                }
                let k = i % self.objs.len();
                let m = self.objs[k].1.clone();
                let want = if m.dead {
                    Some(MapiCode::InvalidObject)
                } else if m.read_only {
                    Some(MapiCode::NoAccess)
                } else {
                    self.write_conflict(&m, force)
                };
                let (o, _) = &mut self.objs[k];
                let r = o
                    .check_write()
                    .and_then(|()| self.store.save(&o.base, &o.content, force));
                let r = r.inspect(|rec| o.after_save(rec, read_only_after));
                if let Ok(rec) = &r {
                    let mm = &mut self.objs[k].1;
                    mm.version = Some(rec.version);
                    mm.read_only = read_only_after;
                    self.msgs.insert(
                        m.id,
                        ModelMsg {
                            version: rec.version,
                            queued: false,
                            locked: false,
                            corrupt: false,
                            subject: m.subject.clone(),
                            recipients: m.recipients,
                        },
                    );
                }
                self.expect_code("saveChanges", r.map(|_| ()), want);
            }
            Op::Submit(i) => {
                if self.objs.is_empty() {
                    return;
                }
                let k = i % self.objs.len();
                let m = self.objs[k].1.clone();
                let stored = self.msgs.get(&m.id).cloned();
                let want = if m.dead {
                    Some(MapiCode::InvalidObject)
                } else if m.read_only {
                    Some(if m.opened_queued {
                        MapiCode::Submitted
                    } else {
                        MapiCode::NoAccess
                    })
                } else if m.recipients == 0 {
                    Some(MapiCode::NoRecipients)
                } else if m.recipients > LIMITS.max_recipients as usize {
                    Some(MapiCode::TooBig)
                } else if let Some(c) = self.write_conflict(&m, false) {
                    Some(c)
                } else if stored.as_ref().is_some_and(|s| s.corrupt) {
                    Some(MapiCode::CorruptData)
                } else {
                    None
                };
                let input = SubmitInput {
                    now: self.now,
                    seq: 0,
                    submission_id: format!("sub{}", self.now),
                    message_id: format!("<{}@example.org>", self.now),
                    send_delay_ms: 0,
                    limits: LIMITS,
                };
                let (o, _) = &mut self.objs[k];
                let r = o.begin_submit().and_then(|()| {
                    let r = self.store.submit(&o.base, &o.content, input);
                    o.end_submit(r.is_ok());
                    r
                });
                match (&r, want) {
                    (Ok((rec, _, _)), None) => {
                        assert_eq!(o.state, Liveness::Dead);
                        self.objs[k].1.dead = true;
                        self.msgs.insert(
                            m.id,
                            ModelMsg {
                                version: rec.version,
                                queued: true,
                                locked: false,
                                corrupt: false,
                                subject: m.subject.clone(),
                                recipients: m.recipients,
                            },
                        );
                    }
                    (Err(e), Some(c)) if e.code == c => {
                        // A failed submit leaves the object usable (unless it was dead already).
                        if c != MapiCode::InvalidObject {
                            assert_eq!(o.state, Liveness::Live, "after failed submit {c:?}");
                        }
                    }
                    (r, w) => panic!(
                        "submit: got {:?}, the model expected {w:?}",
                        r.as_ref().map(|_| ())
                    ),
                }
            }
            Op::Abort(i) => {
                let Some(id) = self.id_at(i) else { return };
                let want = match self.msgs.get(&id) {
                    None => Some(MapiCode::NotFound),
                    Some(s) if !s.queued => Some(MapiCode::NotInQueue),
                    Some(s) if s.locked => Some(MapiCode::UnableToAbort),
                    Some(_) => None,
                };
                let r = self.store.abort(&id).map(|_| ());
                if r.is_ok() {
                    let s = self.msgs.get_mut(&id).unwrap();
                    s.queued = false;
                    s.version = self.store.get(&id).unwrap().version;
                }
                self.expect_code("abortSubmit", r, want);
            }
            Op::Open(i, rw) => {
                let Some(id) = self.id_at(i) else { return };
                let access = if rw { Access::ReadWrite } else { Access::Read };
                let want = match self.msgs.get(&id) {
                    None => Some(MapiCode::NotFound),
                    Some(s) if s.queued && s.locked => Some(MapiCode::NoAccess),
                    Some(s) if s.queued && rw => Some(MapiCode::Submitted),
                    Some(s) if s.corrupt => Some(MapiCode::CorruptData),
                    Some(_) => None,
                };
                let r = self.store.open(&id, access);
                if let Ok(opened) = &r {
                    let s = &self.msgs[&id];
                    assert_eq!(
                        opened.content.recipients.len(),
                        s.recipients,
                        "recipients lost"
                    );
                    assert_eq!(
                        opened
                            .content
                            .props
                            .str(tags::PidTagSubject)
                            .map(str::to_owned),
                        s.subject,
                        "subject lost"
                    );
                    let model = ModelObj {
                        id,
                        version: Some(opened.version),
                        read_only: !rw,
                        opened_queued: s.queued,
                        dead: false,
                        subject: s.subject.clone(),
                        recipients: s.recipients,
                    };
                    self.objs
                        .push((MessageObject::opened(id, opened.clone()), model));
                }
                self.expect_code("openMessage", r.map(|_| ()), want);
            }
            Op::Delete(i) => {
                let Some(id) = self.id_at(i) else { return };
                let want = match self.msgs.get(&id) {
                    None => Some(MapiCode::NotFound),
                    Some(s) if s.queued => Some(MapiCode::Submitted),
                    Some(_) => None,
                };
                let r = self.store.delete(&id);
                if r.is_ok() {
                    self.msgs.remove(&id);
                }
                self.expect_code("deleteMessage", r, want);
            }
            Op::Corrupt(i) => {
                let Some(id) = self.id_at(i) else { return };
                let r = self.store.corrupt(&id);
                if r.is_ok() {
                    self.msgs.get_mut(&id).unwrap().corrupt = true;
                }
                let want = (!self.msgs.contains_key(&id)).then_some(MapiCode::NotFound);
                self.expect_code("corrupt", r, want);
            }
            Op::Lock(i) => {
                let Some(id) = self.id_at(i) else { return };
                let ok = self.msgs.get(&id).is_some_and(|s| s.queued && !s.locked);
                let r = self
                    .store
                    .lock(&id, "spooler", self.now, 60_000)
                    .map(|_| ());
                assert_eq!(r.is_ok(), ok, "lock {r:?}");
                if ok {
                    let s = self.msgs.get_mut(&id).unwrap();
                    s.locked = true;
                    s.version = self.store.get(&id).unwrap().version;
                }
            }
            Op::Release(i) => {
                let Some(id) = self.id_at(i) else { return };
                let ok = self.msgs.get(&id).is_some_and(|s| s.locked);
                // The spooler writes back the content it read (with responsibilities); from a
                // damaged copy it read nothing and leaves the copy as it is.
                let content = self
                    .store
                    .get(&id)
                    .and_then(|r| record::decode("x", &r.blob).ok());
                let progress = Progress {
                    content: content.as_ref(),
                    failed: Vec::new(),
                };
                let r = self
                    .store
                    .release_for_retry(&id, "spooler", &progress, "MAPI_E_WAIT", self.now, false)
                    .map(|_| ());
                assert_eq!(r.is_ok(), ok, "release {r:?}");
                if ok {
                    let s = self.msgs.get_mut(&id).unwrap();
                    s.locked = false;
                    s.version = self.store.get(&id).unwrap().version;
                }
            }
        }
        self.check_invariants();
    }

    fn obj(&mut self, i: usize) -> Option<(&mut MessageObject, &mut ModelObj)> {
        if self.objs.is_empty() {
            return None;
        }
        let k = i % self.objs.len();
        let (o, m) = &mut self.objs[k];
        Some((o, m))
    }

    fn check_invariants(&self) {
        let mut listed: HashMap<EntryId, usize> = HashMap::new();
        for f in Folder::ALL {
            for rec in self.store.contents(f) {
                assert_eq!(rec.folder, f);
                *listed.entry(rec.entry_id).or_default() += 1;
            }
        }
        assert_eq!(
            listed.len(),
            self.msgs.len(),
            "stored messages differ from the model"
        );
        let queue: Vec<_> = self.store.outgoing_queue().collect();
        let seqs: Vec<u64> = queue
            .iter()
            .map(|r| r.queue.as_ref().unwrap().seq)
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "queue out of submit order"
        );
        for (id, s) in &self.msgs {
            assert_eq!(
                listed.get(id),
                Some(&1),
                "message in {} folders",
                listed.get(id).unwrap_or(&0)
            );
            let rec = self.store.get(id).expect("message lost");
            let submit_flag = rec.flags & flags::SUBMIT != 0;
            assert_eq!(rec.queue.is_some(), s.queued);
            assert_eq!(submit_flag, s.queued, "SUBMIT flag vs queued");
            assert_eq!(rec.folder == Folder::Outbox, s.queued, "Outbox vs queued");
            assert_eq!(queue.iter().any(|q| q.entry_id == *id), s.queued);
            assert_eq!(rec.queue.as_ref().is_some_and(|q| q.is_locked()), s.locked);
            assert!(rec.flags & flags::UNSENT != 0, "UNSENT lost before sending");
            assert_eq!(rec.version, s.version);
            if !s.corrupt {
                let c = record::decode("x", &rec.blob).expect("intact record does not decode");
                assert_eq!(c.recipients.len(), s.recipients);
                assert_eq!(
                    c.props.str(tags::PidTagSubject).map(str::to_owned),
                    s.subject
                );
            } else {
                assert!(!record::is_intact(&rec.blob));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_operation_sequences_keep_the_store_consistent_with_the_model(
        ops in prop::collection::vec(op(), STEPS)
    ) {
        let mut w = World::new();
        for op in &ops {
            w.step(op);
        }
    }
}

#[test]
fn the_model_test_runs_at_least_ten_thousand_operations() {
    assert!(STEPS as u64 * CASES as u64 >= 10_000);
}
