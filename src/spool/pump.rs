//! The spooler's loop, in plain Rust: it takes due messages in submit order, locks them,
//! hands them to the transports for their recipients' address types (through `Attempt`),
//! renews the lock's lease while a send runs, gives up on a send after `SEND_TIMEOUT_MS`,
//! and finishes, releases or reschedules each message.
//!
//! It is generic over what only the embedder has: the storage (`Storage`: the memory store,
//! or IndexedDB in the binding), the transports (`Transport`), and a `Host` for the clock,
//! timers, task spawning, events and the cross-tab machinery (leadership, sender locks).
//! The binding drives it with JS timers and promises; the native tests drive it with a fake
//! clock and a single-threaded executor, deterministically.
//!
//! Concurrency model: one `Pump` per store object, shared as `Rc`. `kick` starts a pass (or
//! asks the running one for another); a pass locks up to `MAX_IN_FLIGHT` due messages and
//! spawns one task per attempt; an attempt that ends starts the next pass. When nothing is
//! due the pass asks the storage when the next message becomes due and sets the host's
//! wake-up for then.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::{Rc, Weak};
use std::task::Poll;

use super::{backoff_ms, classify, Attempt, Outcome, Settled, TransportInfo};
use super::{MAX_IN_FLIGHT, SEND_TIMEOUT_MS};
use crate::entry_id::EntryId;
use crate::error::Result;
use crate::message::MessageContent;
use crate::mime::{self, MimeOptions};
use crate::object::Identity;
use crate::props::names::tags;
use crate::props::{PropTag, PropValue};
use crate::queue::Failure;
use crate::record;
use crate::store::{Event, Finished, Progress, StoredMessage};

/// How long the spooler waits before it looks again at a queue it could not read, or whose
/// every due message was locked by another spooler.
pub const READ_RETRY_MS: i64 = 1000;

/// At most this many lock attempts a pass (a lock lost to another spooler is looked at
/// again, but never forever).
pub const LOOKS_PER_PASS: u32 = 64;

/// What a transport is handed for one offer (SPEC §6 `outgoing`).
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub submission_id: String,
    pub entry_id: EntryId,
    pub message_id: String,
    /// The message as MIME (SPEC §7), shared by every offer of the attempt.
    pub mime: Rc<Vec<u8>>,
    pub mail_from: String,
    /// The envelope: each address once, in table order.
    pub rcpt_to: Vec<String>,
    /// The recipient rows offered.
    pub recipients: Vec<Vec<(PropTag, PropValue)>>,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// An earlier attempt may have gone out (a lock taken over, an answer lost).
    pub possible_duplicate: bool,
}

/// The queue operations the spooler needs. Each is one atomic step of the backend (one
/// readwrite transaction on IndexedDB). `types`: None for a full spooler, else the address
/// types of the only transport this store object has. `dead`: lock holders known to have
/// died (their locks are taken over at once).
#[allow(async_fn_in_trait)] // used by static dispatch only, on one thread
pub trait Storage {
    async fn next_due(
        &self,
        now: i64,
        types: Option<&[String]>,
        dead: &[String],
    ) -> Result<Option<EntryId>>;
    async fn next_wake(&self, now: i64, types: Option<&[String]>) -> Result<Option<i64>>;
    async fn lock(
        &self,
        id: EntryId,
        owner: &str,
        now: i64,
        lease_ms: i64,
        dead: &[String],
    ) -> Result<StoredMessage>;
    async fn renew(&self, id: EntryId, owner: &str, until: i64) -> Result<()>;
    #[allow(clippy::too_many_arguments)]
    async fn release_for_retry(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
        error: &str,
        next_at: i64,
        outcome_unknown: bool,
    ) -> Result<StoredMessage>;
    async fn release_partial(
        &self,
        id: EntryId,
        owner: &str,
        progress: &Progress<'_>,
    ) -> Result<()>;
    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        id: EntryId,
        owner: &str,
        content: &MessageContent,
        failed: &[Failure],
        uids: ([u8; 16], [u8; 16]),
        now: i64,
    ) -> Result<Finished>;
}

/// A transport as the spooler sees it.
#[allow(async_fn_in_trait)]
pub trait Transport {
    fn info(&self) -> &TransportInfo;
    /// Hands `outgoing` over and reads how the answer settled. Dropping the future abandons
    /// the send: the embedder tells the transport (an abort signal) and lets go of it.
    async fn send(&self, outgoing: &Outgoing) -> Settled;
}

/// The transports a pass sends with.
pub struct Engine<T> {
    /// Coupled first, then the loose ones in registration order.
    pub transports: Vec<T>,
    /// Whether this store object spools every address type (it has the loose transports
    /// and may run them): a recipient no transport takes then fails for good. Otherwise only
    /// the coupled transport's types are looked at and the rest is left to another spooler.
    pub full: bool,
}

/// What only the embedder has.
pub trait Host: Sized + 'static {
    type Storage: Storage;
    type Transport: Transport;
    type Sleep: Future<Output = ()>;

    fn storage(&self) -> &Self::Storage;
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> i64;
    /// Random bytes (ids, back-off jitter).
    fn random(&self) -> [u8; 16];
    /// A future that completes `ms` later; dropping it cancels the timer.
    fn sleep(&self, ms: i64) -> Self::Sleep;
    /// Runs a task to completion in the background.
    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>);
    /// Calls `pump.kick()` once after `ms`, replacing any earlier wake-up; None clears it.
    fn wake_in(pump: &Rc<Pump<Self>>, ms: Option<i64>);
    /// The store's events (listeners here, and other store objects of the database).
    fn emit(&self, events: Vec<Event>);
    /// Whether anything in this store object can send (a kick is pointless otherwise).
    fn can_send(&self) -> bool;
    /// The transports this store object may run now.
    fn engine(&self) -> Engine<Self::Transport>;
    /// The spooler became idle (its pass and its sends ended), or stopped: whoever waits for
    /// that (flush) looks again.
    fn stepped(&self);
    /// Called by `kick`: on a shared database, seek the spooling leadership.
    fn on_kick(_pump: &Rc<Pump<Self>>) {}
    /// Before a pass locks anything (a shared database: take this spooler's sender lock).
    fn before_pass(_pump: &Rc<Pump<Self>>) -> impl Future<Output = ()> {
        async {}
    }
    /// The queue was found with nothing due (a shared database: watch the holders of other
    /// locks, to take their messages at once when they die).
    fn on_drained(_pump: &Rc<Pump<Self>>) -> impl Future<Output = ()> {
        async {}
    }
}

/// The spooler's settings.
#[derive(Debug, Clone)]
pub struct PumpConfig {
    /// Lock owner id of this spooler.
    pub owner: String,
    pub lease_ms: i64,
    pub retry_initial_ms: i64,
    pub retry_max_ms: i64,
    /// The store identity: the sender when a message has none.
    pub identity: Option<Identity>,
}

/// The spooler of one store object.
pub struct Pump<H: Host> {
    pub host: H,
    pub config: PumpConfig,
    closed: Cell<bool>,
    pumping: Cell<bool>,
    again: Cell<bool>,
    /// At most MAX_IN_FLIGHT ids: a plain vector (one less BTreeSet instantiation in the module).
    in_flight: RefCell<Vec<EntryId>>,
    /// Attempts started so far (flush() tells progress from a spooler that cannot send).
    started: Cell<u64>,
    /// Lock holders known to have died: their messages are taken again at once.
    dead: RefCell<Vec<String>>,
}

/// A message locked for one attempt.
struct Ticket {
    id: EntryId,
    attempt: u32,
    possible_duplicate: bool,
    submission_id: String,
    /// The `Date` of the message (SPEC §7: the later of its submit and deferred send time).
    date: Option<i64>,
}

impl<H: Host> Pump<H> {
    pub fn new(host: H, config: PumpConfig) -> Rc<Self> {
        Rc::new(Pump {
            host,
            config,
            closed: Cell::new(false),
            pumping: Cell::new(false),
            again: Cell::new(false),
            in_flight: RefCell::new(Vec::new()),
            started: Cell::new(0),
            dead: RefCell::new(Vec::new()),
        })
    }

    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// No pass is running and no send is in flight.
    pub fn is_idle(&self) -> bool {
        self.in_flight.borrow().is_empty() && !self.pumping.get()
    }

    /// How many attempts this spooler has started.
    pub fn attempts_started(&self) -> u64 {
        self.started.get()
    }

    /// How many sends are in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.borrow().len()
    }

    /// Whether this message is being sent by this spooler.
    pub fn is_sending(&self, id: &EntryId) -> bool {
        self.in_flight.borrow().contains(id)
    }

    /// Stops: no more passes or wake-ups; attempts in flight end without touching the queue
    /// more than their answer requires. What is queued stays in the storage.
    pub fn stop(self: &Rc<Self>) {
        self.closed.set(true);
        H::wake_in(self, None);
        self.host.stepped();
    }

    /// A lock holder died (its Web Lock was freed): its messages may be taken at once.
    pub fn holder_died(self: &Rc<Self>, owner: String) {
        self.dead.borrow_mut().push(owner);
        self.kick();
    }

    /// Starts a pass over the queue (or asks the running one for another).
    pub fn kick(self: &Rc<Self>) {
        if self.closed.get() || !self.host.can_send() {
            return;
        }
        H::on_kick(self);
        let me = self.clone();
        self.host.spawn(Box::pin(async move { me.pass().await }));
    }

    async fn pass(self: Rc<Self>) {
        if self.pumping.get() {
            self.again.set(true);
            return;
        }
        self.pumping.set(true);
        H::before_pass(&self).await;
        loop {
            self.again.set(false);
            let engine = self.host.engine();
            // Asked again each pass: the leadership may have come (or gone) since the last
            // one, and a pass with the types of a non-leader would leave the queue to nobody.
            let types = wanted_types(&engine);
            let mut drained = false;
            let mut read_failed = false;
            // The time the last look found nothing due: the wake-up is computed for that
            // same instant, so a message that becomes due between the two reads is not
            // missed.
            let mut looked_at = self.host.now_ms();
            let mut looks = 0;
            while self.in_flight.borrow().len() < MAX_IN_FLIGHT
                && !self.closed.get()
                && looks < LOOKS_PER_PASS
            {
                looks += 1;
                let now = self.host.now_ms();
                looked_at = now;
                let dead = self.dead.borrow().clone();
                let storage = self.host.storage();
                let id = match storage.next_due(now, types.as_deref(), &dead).await {
                    Ok(Some(id)) => id,
                    Ok(None) => {
                        drained = true;
                        break;
                    }
                    // The queue could not be read (the database is busy or closing): look
                    // again a little later rather than leave the messages waiting for the
                    // next submit.
                    Err(_) => {
                        read_failed = true;
                        break;
                    }
                };
                if self.in_flight.borrow().contains(&id) {
                    // Still ours (its attempt is ending): not due, whatever the read said.
                    break;
                }
                let lease = self.config.lease_ms;
                match storage
                    .lock(id, &self.config.owner, now, lease, &dead)
                    .await
                {
                    Ok(rec) => {
                        if self.closed.get() {
                            break;
                        }
                        super::push_once(&mut self.in_flight.borrow_mut(), id);
                        self.started.set(self.started.get() + 1);
                        self.host.emit(vec![Event::QueueChange]);
                        let q = rec.queue.as_ref();
                        let ticket = Ticket {
                            id,
                            attempt: q.map_or(1, |q| q.attempts + 1),
                            possible_duplicate: q.is_some_and(|q| q.possible_duplicate),
                            submission_id: q.map(|q| q.submission_id.clone()).unwrap_or_default(),
                            date: q.map(|q| q.send_date()),
                        };
                        let me = self.clone();
                        self.host.spawn(Box::pin(async move {
                            me.run_attempt(ticket, &rec.blob).await;
                            me.in_flight.borrow_mut().retain(|x| *x != id);
                            if me.is_idle() {
                                me.host.stepped();
                            }
                            me.kick();
                        }));
                    }
                    // Another spooler (tab) took it first; look again.
                    Err(_) => continue,
                }
            }
            if self.closed.get() {
                break;
            }
            if self.again.get() {
                continue;
            }
            // Only when nothing is due: while sends are in flight, each one that ends starts
            // a pass, so looking for the next wake-up time (a scan of the waiting messages)
            // would cost every message a look at the whole queue.
            if drained {
                H::on_drained(&self).await;
                self.schedule_wake(looked_at, types.as_deref()).await;
            } else if read_failed || self.in_flight.borrow().is_empty() {
                // Nothing in flight will start the next pass (the queue could not be read,
                // or every lock was lost to other spoolers): look again a little later.
                H::wake_in(&self, Some(READ_RETRY_MS));
            }
            // A kick that came while the wake-up time was read (the read may await, and a
            // submit may commit meanwhile) asks for another pass: without it that message
            // would wait for the next submit.
            if !self.again.get() || self.closed.get() {
                break;
            }
        }
        self.pumping.set(false);
        if self.is_idle() {
            self.host.stepped();
        }
    }

    /// Wakes the spooler when the next deferred or backing-off message becomes due. `now`
    /// is when the queue was last found with nothing due: whatever became due since is woken
    /// for at once.
    async fn schedule_wake(self: &Rc<Self>, now: i64, types: Option<&[String]>) {
        if self.closed.get() {
            return;
        }
        match self.host.storage().next_wake(now, types).await {
            Ok(Some(at)) => {
                let ms = (at - self.host.now_ms()).max(0) + 1;
                H::wake_in(self, Some(ms));
            }
            Ok(None) => H::wake_in(self, None),
            Err(_) => H::wake_in(self, Some(READ_RETRY_MS)),
        }
    }

    /// One attempt at one locked message.
    async fn run_attempt(self: &Rc<Self>, t: Ticket, blob: &[u8]) {
        let content = match record::decode(&t.id.to_hex(), blob) {
            Ok(c) => c,
            Err(e) => {
                let progress = Progress {
                    content: None,
                    failed: Vec::new(),
                };
                self.retry(&t, &progress, e.to_string(), None, false).await;
                return;
            }
        };
        let engine = self.host.engine();
        let full = engine.full;
        let infos = engine.transports.iter().map(|t| t.info().clone()).collect();
        let mut attempt = Attempt::new(content, infos, full);
        let built = mime::build(
            attempt.content(),
            &MimeOptions {
                identity: self.config.identity.as_ref(),
                now_ms: self.host.now_ms(),
                date_ms: t.date,
            },
        );
        let mime = match built {
            Ok(m) => Rc::new(m),
            Err(e) => {
                // The message cannot be written as MIME: no transport can send it, ever.
                let reason = format!("the message cannot be sent: {}", e.message);
                self.apply(&t, attempt.unsendable(&reason)).await;
                return;
            }
        };
        let props = &attempt.content().props;
        let mail_from = props
            .str(tags::PidTagSenderEmailAddress)
            .map(str::to_owned)
            .or_else(|| self.config.identity.as_ref().map(|i| i.email.clone()))
            .unwrap_or_default();
        let message_id = props
            .str(tags::PidTagInternetMessageId)
            .unwrap_or_default()
            .to_string();
        'offers: loop {
            let offers = attempt.next_offers();
            if offers.is_empty() {
                break;
            }
            for mut offer in offers {
                // A closed store hands nothing more over (what is left is retried by the
                // next spooler).
                if self.closed.get() {
                    break 'offers;
                }
                let transport = &engine.transports[offer.transport];
                let outgoing = Outgoing {
                    submission_id: t.submission_id.clone(),
                    entry_id: t.id,
                    message_id: message_id.clone(),
                    mime: mime.clone(),
                    mail_from: mail_from.clone(),
                    // (The attempt records an answer by the offer's transport and rows.)
                    rcpt_to: std::mem::take(&mut offer.rcpt_to),
                    recipients: std::mem::take(&mut offer.recipients),
                    attempt: t.attempt,
                    possible_duplicate: t.possible_duplicate,
                };
                self.host.emit(vec![Event::Sending {
                    entry_id: t.id,
                    transport: transport.info().name.clone(),
                }]);
                let settled = self.send_one(transport, &outgoing).await;
                attempt.record(&offer, classify(settled));
            }
        }
        self.apply(&t, attempt.outcome()).await;
    }

    /// One hand-over: the transport's answer, or `TimedOut` after `SEND_TIMEOUT_MS`; the
    /// lock's lease is renewed every third of it meanwhile.
    async fn send_one(self: &Rc<Self>, transport: &H::Transport, o: &Outgoing) -> Settled {
        let mut send = pin!(transport.send(o));
        let mut timeout = pin!(self.host.sleep(SEND_TIMEOUT_MS));
        let mut renew = pin!(self.keep_lease(o.entry_id));
        poll_fn(|cx| {
            if let Poll::Ready(s) = send.as_mut().poll(cx) {
                return Poll::Ready(s);
            }
            if timeout.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Settled::TimedOut);
            }
            let _ = renew.as_mut().poll(cx);
            Poll::Pending
        })
        .await
    }

    /// Renews the lock every third of the lease, for as long as it is polled (never ends).
    async fn keep_lease(self: &Rc<Self>, id: EntryId) {
        let period = (self.config.lease_ms / 3).max(1);
        while !self.closed.get() {
            self.host.sleep(period).await;
            if self.closed.get() {
                break;
            }
            let until = self.host.now_ms() + self.config.lease_ms;
            let _ = self
                .host
                .storage()
                .renew(id, &self.config.owner, until)
                .await;
        }
        std::future::pending::<()>().await;
    }

    /// Applies how an attempt ended through the storage (the core decided it).
    async fn apply(self: &Rc<Self>, t: &Ticket, outcome: Outcome) {
        match outcome {
            Outcome::Finish { content, failed } => self.finish(t, &content, &failed).await,
            Outcome::Retry {
                content,
                failed,
                error,
                retry_after_ms,
                outcome_unknown,
            } => {
                let progress = Progress {
                    content: Some(&content),
                    failed,
                };
                self.retry(t, &progress, error, retry_after_ms, outcome_unknown)
                    .await;
            }
            Outcome::Release { content, failed } => {
                let progress = Progress {
                    content: Some(&content),
                    failed,
                };
                let owner = &self.config.owner;
                let released = self.host.storage().release_partial(t.id, owner, &progress);
                if released.await.is_ok() {
                    self.host.emit(vec![Event::QueueChange]);
                }
            }
        }
    }

    async fn retry(
        self: &Rc<Self>,
        t: &Ticket,
        progress: &Progress<'_>,
        error: String,
        retry_after: Option<i64>,
        unknown: bool,
    ) {
        let jitter = self.host.random()[0] as f64 / 255.0;
        let delay = retry_after.unwrap_or_else(|| {
            backoff_ms(
                t.attempt,
                self.config.retry_initial_ms.max(0) as u64,
                self.config.retry_max_ms.max(0) as u64,
                jitter,
            )
        });
        let next_at = self.host.now_ms().saturating_add(delay);
        let owner = &self.config.owner;
        let released = self
            .host
            .storage()
            .release_for_retry(t.id, owner, progress, &error, next_at, unknown);
        if released.await.is_ok() {
            self.host.emit(vec![
                Event::Retry {
                    entry_id: t.id,
                    attempt: t.attempt,
                    error,
                    next_attempt_at: next_at,
                },
                Event::QueueChange,
            ]);
        }
    }

    async fn finish(self: &Rc<Self>, t: &Ticket, content: &MessageContent, failed: &[Failure]) {
        let uids = (self.host.random(), self.host.random());
        let now = self.host.now_ms();
        let owner = &self.config.owner;
        let storage = self.host.storage();
        if let Ok(f) = storage
            .finish(t.id, owner, content, failed, uids, now)
            .await
        {
            self.host.emit(Event::of_finish(t.id, &f));
        }
    }

    /// A weak handle, for timers and callbacks that must not keep the spooler alive.
    pub fn weak(self: &Rc<Self>) -> Weak<Self> {
        Rc::downgrade(self)
    }
}

/// None: a full spooler (any address type). Some: only the coupled transport runs here.
fn wanted_types<T: Transport>(engine: &Engine<T>) -> Option<Vec<String>> {
    if engine.full {
        return None;
    }
    let mut types: Vec<String> = engine
        .transports
        .iter()
        .flat_map(|t| t.info().address_types.iter().cloned())
        .collect();
    types.sort();
    types.dedup();
    Some(types)
}
