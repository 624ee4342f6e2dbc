//! A deterministic world for the core spooler (`spool::Pump`): a fake clock whose timers
//! fire in deadline order, a single-threaded executor, the memory store (optionally made to
//! yield at every call, as IndexedDB's requests do), and scripted transports whose every
//! send waits for the test to answer it. No sleeps, no threads.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::channel::oneshot;
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;

use mapi_outbox::entry_id::{EntryId, StoreUid};
use mapi_outbox::error::Result;
use mapi_outbox::message::{MessageContent, RecipientOp};
use mapi_outbox::object::MessageObject;
use mapi_outbox::props::names::tags;
use mapi_outbox::props::{PropTag, PropValue};
use mapi_outbox::queue::Failure;
use mapi_outbox::spool::{
    Engine, Host, Outgoing, Pump, PumpConfig, Settled, Storage, Transport, TransportInfo,
};
use mapi_outbox::store::SubmitInput;
use mapi_outbox::store::{Event, Finished, Limits, MemoryStore, Progress, StoredMessage};

pub const LEASE_MS: i64 = 30_000;
pub const T0: i64 = 1_700_000_000_000;

/// The fake clock: `now`, and the wakers of sleeps by deadline.
#[derive(Default)]
pub struct Clock {
    now: Cell<i64>,
    timers: RefCell<BTreeMap<(i64, u64), Waker>>,
    seq: Cell<u64>,
}

impl Clock {
    pub fn now(&self) -> i64 {
        self.now.get()
    }
    fn next_deadline(&self) -> Option<i64> {
        self.timers.borrow().keys().next().map(|k| k.0)
    }
    fn fire_due(&self) {
        let now = self.now.get();
        let due: Vec<(i64, u64)> = self
            .timers
            .borrow()
            .range(..(now + 1, 0))
            .map(|(k, _)| *k)
            .collect();
        for k in due {
            if let Some(w) = self.timers.borrow_mut().remove(&k) {
                w.wake();
            }
        }
    }
}

pub struct Sleep {
    clock: Rc<Clock>,
    at: i64,
    key: Option<(i64, u64)>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.clock.now() >= self.at {
            if let Some(k) = self.key.take() {
                self.clock.timers.borrow_mut().remove(&k);
            }
            return Poll::Ready(());
        }
        let key = match self.key {
            Some(k) => k,
            None => {
                let seq = self.clock.seq.get() + 1;
                self.clock.seq.set(seq);
                let k = (self.at, seq);
                self.key = Some(k);
                k
            }
        };
        self.clock
            .timers
            .borrow_mut()
            .insert(key, cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            self.clock.timers.borrow_mut().remove(&k);
        }
    }
}

/// Completes on its second poll: a storage call that awaits, as an IndexedDB request does.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The memory store, shared by every pump of the world (several pumps = several tabs).
pub struct SharedStore {
    pub store: RefCell<MemoryStore>,
    /// Every call awaits once before it runs (other tasks run in between).
    pub yielding: bool,
    /// Renewals made, per owner (lease renewal is observable).
    pub renewals: RefCell<Vec<(String, i64)>>,
}

impl SharedStore {
    async fn pause(&self) {
        if self.yielding {
            YieldOnce(false).await;
        }
    }
}

impl Storage for SharedStore {
    async fn next_due(
        &self,
        now: i64,
        types: Option<&[String]>,
        dead: &[String],
    ) -> Result<Option<EntryId>> {
        self.pause().await;
        self.store.next_due(now, types, dead).await
    }
    async fn next_wake(&self, now: i64, types: Option<&[String]>) -> Result<Option<i64>> {
        self.pause().await;
        self.store.next_wake(now, types).await
    }
    async fn lock(
        &self,
        id: EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage> {
        self.pause().await;
        self.store.lock(id, owner, now, lease_ms, dead).await
    }
    async fn renew(&self, id: EntryId, owner: &str, until: i64) -> Result<()> {
        self.pause().await;
        self.renewals.borrow_mut().push((owner.to_string(), until));
        self.store.renew(id, owner, until).await
    }
    async fn release_for_retry(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage> {
        self.pause().await;
        self.store
            .release_for_retry(id, owner, progress, error, next_at, outcome_unknown)
            .await
    }
    async fn release_partial(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()> {
        self.pause().await;
        self.store.release_partial(id, owner, progress).await
    }
    async fn finish(
        &self,
        id: EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished> {
        self.pause().await;
        self.store
            .finish(id, owner, content, failed, uids, now)
            .await
    }
}

/// One hand-over made by a pump, waiting for (or given) its answer.
pub struct Send {
    pub pump: usize,
    pub transport: String,
    pub outgoing: Outgoing,
    /// None once answered (or dropped by the test to never settle).
    answer: Option<oneshot::Sender<Settled>>,
    /// The answer given, when one was.
    pub answered: Option<Settled>,
}

impl Send {
    pub fn is_pending(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| !a.is_canceled())
    }
    /// The spooler gave up waiting (time-out, closed) before an answer came.
    pub fn is_abandoned(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.is_canceled())
    }
}

/// The world's state shared by the test and every host.
pub struct Shared {
    pub clock: Rc<Clock>,
    pub store: Rc<SharedStore>,
    pub sends: RefCell<Vec<Send>>,
    pub events: RefCell<Vec<(usize, Event)>>,
    spawner: LocalSpawner,
    rng: Cell<u64>,
    /// Sends that are answered at once with this (None: they wait for the test).
    pub auto: RefCell<Option<Settled>>,
    /// Every pump of the world: one's events reach the others, as a BroadcastChannel
    /// message reaches the other tabs (a task later), and wake them.
    pumps: RefCell<Vec<std::rc::Weak<Pump<TestHost>>>>,
}

impl Shared {
    fn next_random(&self) -> u64 {
        // xorshift64*: deterministic per world.
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[derive(Clone)]
pub struct FakeTransport {
    info: TransportInfo,
    shared: Rc<Shared>,
    pump: usize,
}

impl Transport for FakeTransport {
    fn info(&self) -> &TransportInfo {
        &self.info
    }
    async fn send(&self, outgoing: &Outgoing) -> Settled {
        let (tx, rx) = oneshot::channel();
        let auto = self.shared.auto.borrow().clone();
        let mut send = Send {
            pump: self.pump,
            transport: self.info.name.clone(),
            outgoing: outgoing.clone(),
            answer: Some(tx),
            answered: None,
        };
        if let Some(a) = auto {
            let _ = send.answer.take().map(|tx| tx.send(a.clone()));
            send.answered = Some(a);
        }
        self.shared.sends.borrow_mut().push(send);
        match rx.await {
            Ok(s) => s,
            // The test let go of the answer: the transport never settles.
            Err(_) => std::future::pending().await,
        }
    }
}

pub struct TestHost {
    pub index: usize,
    pub shared: Rc<Shared>,
    pub transports: Vec<FakeTransport>,
    pub full: bool,
    pub wake_at: Cell<Option<i64>>,
    pub steps: Cell<u64>,
}

impl Host for TestHost {
    type Storage = SharedStore;
    type Transport = FakeTransport;
    type Sleep = Sleep;

    fn storage(&self) -> &SharedStore {
        &self.shared.store
    }
    fn now_ms(&self) -> i64 {
        self.shared.clock.now()
    }
    fn random(&self) -> [u8; 16] {
        let a = self.shared.next_random().to_le_bytes();
        let b = self.shared.next_random().to_le_bytes();
        let mut out = [0; 16];
        out[..8].copy_from_slice(&a);
        out[8..].copy_from_slice(&b);
        out
    }
    fn sleep(&self, ms: i64) -> Sleep {
        Sleep {
            clock: self.shared.clock.clone(),
            at: self.shared.clock.now().saturating_add(ms),
            key: None,
        }
    }
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        self.shared.spawner.spawn_local(task).expect("spawn");
    }
    fn wake_in(pump: &Rc<Pump<Self>>, ms: Option<i64>) {
        let now = pump.host.shared.clock.now();
        pump.host.wake_at.set(ms.map(|ms| now.saturating_add(ms)));
    }
    fn emit(&self, events: Vec<Event>) {
        let mut all = self.shared.events.borrow_mut();
        all.extend(events.into_iter().map(|e| (self.index, e)));
        let others: Vec<_> = self.shared.pumps.borrow().clone();
        for (i, other) in others.into_iter().enumerate() {
            if i != self.index {
                self.shared
                    .spawner
                    .spawn_local(async move {
                        if let Some(p) = other.upgrade() {
                            p.kick();
                        }
                    })
                    .expect("spawn");
            }
        }
    }
    fn can_send(&self) -> bool {
        !self.transports.is_empty()
    }
    fn engine(&self) -> Engine<FakeTransport> {
        Engine {
            transports: self.transports.clone(),
            full: self.full,
        }
    }
    fn stepped(&self) {
        self.steps.set(self.steps.get() + 1);
    }
}

/// A transport of the world: name and address types.
pub fn transport(name: &str, types: &[&str]) -> (String, Vec<String>) {
    (
        name.to_string(),
        types.iter().map(|t| t.to_string()).collect(),
    )
}

pub struct World {
    pub pool: LocalPool,
    pub shared: Rc<Shared>,
    pub pumps: Vec<Rc<Pump<TestHost>>>,
    next_msg: u32,
}

pub struct PumpSpec {
    pub transports: Vec<(String, Vec<String>)>,
    pub full: bool,
}

impl World {
    pub fn new(yielding: bool, seed: u64) -> World {
        let pool = LocalPool::new();
        let shared = Rc::new(Shared {
            clock: Rc::new(Clock::default()),
            store: Rc::new(SharedStore {
                store: RefCell::new(MemoryStore::new(StoreUid([7; 16]))),
                yielding,
                renewals: RefCell::new(Vec::new()),
            }),
            sends: RefCell::new(Vec::new()),
            events: RefCell::new(Vec::new()),
            spawner: pool.spawner(),
            rng: Cell::new(seed | 1),
            auto: RefCell::new(None),
            pumps: RefCell::new(Vec::new()),
        });
        shared.clock.now.set(T0);
        World {
            pool,
            shared,
            pumps: Vec::new(),
            next_msg: 0,
        }
    }

    /// A world with one full spooler over these transports.
    pub fn with(transports: &[(&str, &[&str])]) -> World {
        let mut w = World::new(false, 1);
        w.add_pump(PumpSpec {
            transports: transports.iter().map(|(n, t)| transport(n, t)).collect(),
            full: true,
        });
        w
    }

    pub fn add_pump(&mut self, spec: PumpSpec) -> usize {
        let index = self.pumps.len();
        let transports = spec
            .transports
            .into_iter()
            .map(|(name, address_types)| FakeTransport {
                info: TransportInfo {
                    name,
                    address_types,
                },
                shared: self.shared.clone(),
                pump: index,
            })
            .collect();
        let host = TestHost {
            index,
            shared: self.shared.clone(),
            transports,
            full: spec.full,
            wake_at: Cell::new(None),
            steps: Cell::new(0),
        };
        let pump = Pump::new(
            host,
            PumpConfig {
                owner: format!("spooler-{index}"),
                lease_ms: LEASE_MS,
                retry_initial_ms: 5_000,
                retry_max_ms: 300_000,
                identity: None,
            },
        );
        self.shared.pumps.borrow_mut().push(Rc::downgrade(&pump));
        self.pumps.push(pump);
        index
    }

    pub fn now(&self) -> i64 {
        self.shared.clock.now()
    }

    /// Runs every task until none can make progress at this instant.
    pub fn settle(&mut self) {
        self.pool.run_until_stalled();
    }

    pub fn kick(&mut self, pump: usize) {
        self.pumps[pump].kick();
        self.settle();
    }

    /// Moves the clock forward by `ms`, firing every timer and wake-up in deadline order
    /// and letting the tasks run after each.
    pub fn advance(&mut self, ms: i64) {
        let target = self.now().saturating_add(ms);
        loop {
            self.settle();
            let timer = self.shared.clock.next_deadline();
            let wake = self.pumps.iter().filter_map(|p| p.host.wake_at.get()).min();
            let next = [timer, wake].into_iter().flatten().min();
            match next {
                Some(at) if at <= target => {
                    self.shared.clock.now.set(at.max(self.now()));
                    self.shared.clock.fire_due();
                    for p in &self.pumps {
                        if p.host.wake_at.get().is_some_and(|w| w <= self.now()) {
                            p.host.wake_at.set(None);
                            p.kick();
                        }
                    }
                }
                _ => break,
            }
        }
        self.shared.clock.now.set(target);
        self.settle();
    }

    /// Submits a message with these recipients `(address, address type)`; `defer_ms` defers
    /// it. Returns its entry id and submission id.
    pub fn submit_with(
        &mut self,
        recipients: &[(&str, &str)],
        defer_ms: u64,
        extra: Vec<(PropTag, PropValue)>,
    ) -> (EntryId, String) {
        self.next_msg += 1;
        let n = self.next_msg;
        let mut uid = [0u8; 16];
        uid[..4].copy_from_slice(&n.to_be_bytes());
        let id = EntryId::new(StoreUid([7; 16]), uid);
        let mut o = MessageObject::create(id, None);
        let mut props = vec![
            (tags::PidTagSubject, PropValue::Unicode(format!("m{n}"))),
            (
                tags::PidTagSenderEmailAddress,
                PropValue::Unicode("me@example.org".into()),
            ),
            (tags::PidTagBody, PropValue::Unicode("hello".into())),
        ];
        props.extend(extra);
        o.set_props(props).unwrap();
        let rows = recipients
            .iter()
            .map(|(addr, ty)| {
                vec![
                    (
                        tags::PidTagEmailAddress,
                        PropValue::Unicode(addr.to_string()),
                    ),
                    (tags::PidTagAddressType, PropValue::Unicode(ty.to_string())),
                    (tags::PidTagRecipientType, PropValue::Long(1)),
                ]
            })
            .collect();
        o.modify_recipients(RecipientOp::Add, rows).unwrap();
        let submission_id = format!("sub{n}");
        let input = SubmitInput {
            now: self.now(),
            seq: 0,
            submission_id: submission_id.clone(),
            message_id: format!("<{n}@example.org>"),
            send_delay_ms: defer_ms,
            limits: Limits::default(),
        };
        self.shared
            .store
            .store
            .borrow_mut()
            .submit(&o.base, &o.content, input)
            .unwrap();
        for p in self.pumps.clone() {
            p.kick();
        }
        self.settle();
        (id, submission_id)
    }

    pub fn submit(&mut self, recipients: &[(&str, &str)]) -> (EntryId, String) {
        self.submit_with(recipients, 0, Vec::new())
    }

    /// Indexes of the sends waiting for an answer.
    pub fn pending(&self) -> Vec<usize> {
        let sends = self.shared.sends.borrow();
        (0..sends.len())
            .filter(|&i| sends[i].is_pending())
            .collect()
    }

    /// Answers send `i` and lets the spooler act on it.
    pub fn answer(&mut self, i: usize, s: Settled) {
        {
            let mut sends = self.shared.sends.borrow_mut();
            let send = &mut sends[i];
            if let Some(tx) = send.answer.take() {
                let _ = tx.send(s.clone());
            }
            send.answered = Some(s);
        }
        self.settle();
    }

    /// Send `i` will never settle.
    pub fn never_settle(&mut self, i: usize) {
        let mut sends = self.shared.sends.borrow_mut();
        // Dropping the sender makes the transport wait for ever (see FakeTransport).
        sends[i].answer.take();
        sends[i].answered = None;
    }

    pub fn queued(&self) -> Vec<StoredMessage> {
        self.shared
            .store
            .store
            .borrow()
            .outgoing_queue()
            .cloned()
            .collect()
    }

    pub fn events(&self) -> Vec<Event> {
        self.shared
            .events
            .borrow()
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }

    pub fn sent_ids(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Sent { submission_id, .. } => Some(submission_id),
                _ => None,
            })
            .collect()
    }
}

pub fn delivered() -> Settled {
    Settled::Resolved { failed: Vec::new() }
}

pub fn rejected(code: Option<u32>, text: &str, retry_after_ms: Option<f64>) -> Settled {
    Settled::Rejected {
        code,
        text: text.to_string(),
        retry_after_ms,
    }
}
