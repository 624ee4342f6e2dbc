//! A model-based property test of the whole core spooler: one or two pumps (tabs) over one
//! store, random submits (some deferred, some with recipients no transport takes), aborts,
//! retryNow/sendNow, random transport answers (deliver, fail some recipients, reject
//! transiently with or without Retry-After, NOT_ME, CANCEL, never settle), random clock
//! steps, and tabs that die mid-send. After every step:
//!
//! - never lost: every submitted message not aborted is queued or was sent, once;
//! - never delivered twice unless flagged: a hand-over of a recipient that an earlier
//!   hand-over may have delivered (delivered, or its answer never came) says
//!   possibleDuplicate;
//! - never stuck: with a live spooler, a due message is being sent or waits for a free
//!   in-flight slot, and a message not yet due has a wake-up set no later than its time;
//! - undo is exact: an abort succeeds only while no transport has the message.
//!
//! At the end every transport answers at once and the clock runs on: the queue must empty
//! with every message sent exactly once. CASES × ops ≥ 10,000 steps a run.

use std::collections::BTreeMap;

use mapi_outbox::entry_id::EntryId;
use mapi_outbox::spool::pump::READ_RETRY_MS;
use mapi_outbox::spool::Storage;
use mapi_outbox::spool::{Settled, MAX_IN_FLIGHT};
use mapi_outbox::store::transitions::Hurry;
use mapi_outbox::store::Event;
use proptest::prelude::*;

use super::harness::*;

const CASES: u32 = 200;
const MIN_OPS: usize = 50;
const MAX_OPS: usize = 150;

#[derive(Debug, Clone)]
enum How {
    Deliver,
    /// Fails the recipients whose bit is set, delivers the others.
    FailSome(u8),
    Transient(Option<u32>),
    NotMe,
    Cancel,
    NeverSettle,
}

#[derive(Debug, Clone)]
enum Op {
    /// Recipients as (address index, type index); deferred by `defer` ms.
    Submit {
        rcpts: Vec<(u8, u8)>,
        defer: u32,
    },
    Abort(u8),
    Answer(u8, How),
    Advance(u32),
    Kick(u8),
    RetryNow,
    SendNow(u8),
    /// The tab of pump n dies (its sends stay unanswered); the others hear of it.
    Kill(u8),
}

const ADDRS: [&str; 4] = [
    "a@example.org",
    "b@example.org",
    "c@example.net",
    "d@example.com",
];
const TYPES: [&str; 3] = ["SMTP", "X400", "FAX"];

fn how() -> impl Strategy<Value = How> {
    prop_oneof![
        4 => Just(How::Deliver),
        1 => any::<u8>().prop_map(How::FailSome),
        3 => prop_oneof![Just(None), (0u32..90_000).prop_map(Some)].prop_map(How::Transient),
        1 => Just(How::NotMe),
        1 => Just(How::Cancel),
        1 => Just(How::NeverSettle),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            prop::collection::vec((0u8..4, prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)]), 1..4),
            prop_oneof![3 => Just(0u32), 1 => 0u32..120_000],
        )
            .prop_map(|(rcpts, defer)| Op::Submit { rcpts, defer }),
        2 => any::<u8>().prop_map(Op::Abort),
        6 => (any::<u8>(), how()).prop_map(|(i, h)| Op::Answer(i, h)),
        4 => prop_oneof![0u32..2_000, 0u32..40_000, 0u32..400_000].prop_map(Op::Advance),
        1 => any::<u8>().prop_map(Op::Kick),
        1 => Just(Op::RetryNow),
        1 => any::<u8>().prop_map(Op::SendNow),
        1 => any::<u8>().prop_map(Op::Kill),
    ]
}

struct Model {
    w: World,
    /// (entry id, submission id, aborted)
    submitted: Vec<(EntryId, String, bool)>,
    live: Vec<bool>,
    steps: usize,
    /// Aborted submissions and how many sends had been made when each was aborted.
    aborted_after: BTreeMap<String, usize>,
}

fn settled_of(how: &How, rcpts: &[String]) -> Option<Settled> {
    Some(match how {
        How::Deliver => delivered(),
        How::FailSome(mask) => Settled::Resolved {
            failed: rcpts
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << (i % 8)) != 0)
                .map(|(_, r)| (r.clone(), "550 5.1.1 no such user".to_string()))
                .collect(),
        },
        How::Transient(after) => rejected(None, "421 try later", after.map(|ms| ms as f64)),
        How::NotMe => rejected(Some(0x8004_0502), "MAPI_E_NOT_ME", None),
        How::Cancel => rejected(Some(0x8004_0501), "MAPI_E_CANCEL: policy", None),
        How::NeverSettle => return None,
    })
}

impl Model {
    fn new(pumps: usize, yielding: bool, seed: u64) -> Model {
        let mut w = World::new(yielding, seed);
        for _ in 0..pumps {
            w.add_pump(PumpSpec {
                transports: vec![
                    transport("smtp", &["SMTP"]),
                    transport("relay", &["SMTP", "X400"]),
                ],
                full: true,
            });
        }
        Model {
            w,
            submitted: Vec::new(),
            live: vec![true; pumps],
            steps: 0,
            aborted_after: BTreeMap::new(),
        }
    }

    fn live_pumps(&self) -> Vec<usize> {
        (0..self.live.len()).filter(|&i| self.live[i]).collect()
    }

    fn apply(&mut self, op: &Op) {
        self.steps += 1;
        let live = self.live_pumps();
        let w = &mut self.w;
        match op {
            Op::Submit { rcpts, defer } => {
                // Each address type has addresses of its own (the same text under two
                // types would be two recipients).
                let addrs: Vec<(String, &str)> = rcpts
                    .iter()
                    .map(|&(a, t)| {
                        let a = ADDRS[a as usize];
                        match t {
                            0 => (a.to_string(), TYPES[0]),
                            1 => (format!("c=ZZ;o={a}"), TYPES[1]),
                            _ => (format!("+1555{}", a.len()), TYPES[2]),
                        }
                    })
                    .collect();
                let r: Vec<(&str, &str)> = addrs.iter().map(|(a, t)| (a.as_str(), *t)).collect();
                let (id, sub) = w.submit_with(&r, *defer as u64, Vec::new());
                self.submitted.push((id, sub, false));
            }
            Op::Abort(i) => {
                if self.submitted.is_empty() {
                    return;
                }
                let k = *i as usize % self.submitted.len();
                let (id, sub, _) = self.submitted[k].clone();
                let locked = w.queued().iter().any(|r| {
                    r.entry_id == id && r.queue.as_ref().is_some_and(|q| q.lock.is_some())
                });
                let r = w.shared.store.store.borrow_mut().abort(&id);
                if r.is_ok() {
                    assert!(!locked, "abort succeeded on a locked message");
                    self.submitted[k].2 = true;
                    self.aborted_after
                        .insert(sub, w.shared.sends.borrow().len());
                }
                w.settle();
            }
            Op::Answer(i, how) => {
                let pending = w.pending();
                if pending.is_empty() {
                    return;
                }
                let s = pending[*i as usize % pending.len()];
                let rcpts = w.shared.sends.borrow()[s].outgoing.rcpt_to.clone();
                match settled_of(how, &rcpts) {
                    Some(settled) => w.answer(s, settled),
                    None => w.never_settle(s),
                }
            }
            Op::Advance(ms) => w.advance(*ms as i64),
            Op::Kick(p) => {
                let p = live[*p as usize % live.len()];
                w.kick(p);
            }
            Op::RetryNow => {
                let now = w.now();
                w.shared.store.store.borrow_mut().retry_all(now);
                for &p in &live {
                    w.pumps[p].kick();
                }
                w.settle();
            }
            Op::SendNow(i) => {
                if self.submitted.is_empty() {
                    return;
                }
                let (id, _, _) = self.submitted[*i as usize % self.submitted.len()].clone();
                let now = w.now();
                let _ = w
                    .shared
                    .store
                    .store
                    .borrow_mut()
                    .hurry(&id, Hurry::SendNow, now);
                for &p in &live {
                    w.pumps[p].kick();
                }
                w.settle();
            }
            Op::Kill(p) => {
                if live.len() < 2 {
                    return;
                }
                let p = live[*p as usize % live.len()];
                self.live[p] = false;
                w.pumps[p].stop();
                let owner = w.pumps[p].config.owner.clone();
                for &q in live.iter().filter(|&&q| q != p) {
                    w.pumps[q].holder_died(owner.clone());
                }
                w.settle();
            }
        }
    }

    /// The invariants, after the step has settled.
    fn check(&self) {
        let w = &self.w;
        let sends = w.shared.sends.borrow();
        // Never delivered twice unless flagged.
        let mut maybe: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (n, s) in sends.iter().enumerate() {
            let sub = &s.outgoing.submission_id;
            if let Some(&after) = self.aborted_after.get(sub) {
                assert!(n < after, "send {n} of {sub} after its submit was aborted");
            }
            for r in &s.outgoing.rcpt_to {
                if let Some(first) = maybe.get(&(sub.clone(), r.clone())) {
                    assert!(
                        s.outgoing.possible_duplicate,
                        "send {n} of {sub} to {r} may repeat send {first} but is not flagged \
                         possibleDuplicate"
                    );
                }
            }
            let delivered: Vec<&String> = match &s.answered {
                Some(Settled::Resolved { failed }) => s
                    .outgoing
                    .rcpt_to
                    .iter()
                    .filter(|r| !failed.iter().any(|(e, _)| e == *r))
                    .collect(),
                Some(_) => Vec::new(),
                // Unanswered, abandoned or never settling: it may have gone out.
                None => s.outgoing.rcpt_to.iter().collect(),
            };
            for r in delivered {
                maybe.entry((sub.clone(), r.clone())).or_insert(n);
            }
        }
        drop(sends);
        // Never lost; sent once.
        let queued: Vec<_> = w.queued();
        let sent = w.sent_ids();
        for (id, sub, aborted) in &self.submitted {
            let times = sent.iter().filter(|s| *s == sub).count();
            assert!(times <= 1, "{sub} finished {times} times");
            let in_queue = queued.iter().any(|r| r.entry_id == *id);
            if *aborted {
                assert!(!in_queue && times == 0, "{sub}: aborted but queued or sent");
            } else {
                assert!(
                    in_queue != (times == 1),
                    "{sub}: lost (queued {in_queue}, sent {times})"
                );
            }
        }
        // Never stuck.
        let now = w.now();
        let store = &w.shared.store;
        for p in self.live_pumps() {
            let pump = &w.pumps[p];
            let wake = pump.host.wake_at.get();
            let dead: Vec<String> = (0..self.live.len())
                .filter(|&q| !self.live[q])
                .map(|q| w.pumps[q].config.owner.clone())
                .collect();
            let due = block_on(store.next_due(now, None, &dead)).unwrap();
            if let Some(id) = due {
                assert!(
                    pump.in_flight() == MAX_IN_FLIGHT
                        || wake.is_some_and(|t| t <= now + READ_RETRY_MS),
                    "pump {p}: {id} is due at {now} but nothing sends it (in flight {}, wake \
                     {wake:?})",
                    pump.in_flight()
                );
            } else if pump.in_flight() == 0 {
                if let Some(t) = block_on(store.next_wake(now, None)).unwrap() {
                    assert!(
                        wake.is_some_and(|w| w <= t.max(now) + 1),
                        "pump {p}: next message due at {t}, wake-up {wake:?} (now {now})"
                    );
                }
            }
        }
    }

    /// Everything answers at once from now on; the clock runs until the queue is empty.
    fn drain(&mut self) {
        let w = &mut self.w;
        *w.shared.auto.borrow_mut() = Some(delivered());
        for s in w.pending() {
            w.answer(s, delivered());
        }
        for _ in 0..200 {
            if w.queued().is_empty() {
                break;
            }
            w.advance(60_000);
        }
        assert!(
            w.queued().is_empty(),
            "stuck: {:?}",
            w.queued()
                .iter()
                .map(|r| r.queue.clone())
                .collect::<Vec<_>>()
        );
        let sent = w.sent_ids();
        for (_, sub, aborted) in &self.submitted {
            let times = sent.iter().filter(|s| *s == sub).count();
            assert_eq!(times, usize::from(!aborted), "{sub}");
        }
        // Every Sending event belongs to a message that was submitted.
        for e in w.events() {
            if let Event::Sending { entry_id, .. } = e {
                assert!(self.submitted.iter().any(|(id, _, _)| *id == entry_id));
            }
        }
    }
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, max_shrink_iters: 20000, ..ProptestConfig::default() })]

    #[test]
    fn the_pump_never_loses_never_repeats_unflagged_and_never_gets_stuck(
        pumps in 1usize..=2,
        yielding in any::<bool>(),
        seed in any::<u64>(),
        ops in prop::collection::vec(op(), MIN_OPS..=MAX_OPS),
    ) {
        let mut m = Model::new(pumps, yielding, seed);
        for op in &ops {
            m.apply(op);
            m.check();
        }
        m.drain();
        m.check();
        prop_assert!(m.steps >= MIN_OPS);
    }
}

#[test]
fn the_model_test_runs_at_least_10000_pump_steps() {
    assert!(CASES as usize * MIN_OPS >= 10_000, "raise CASES or MIN_OPS");
}
