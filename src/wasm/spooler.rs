//! The spooler of one Store object: takes due messages in submit order, locks them, hands
//! them to the transports for their recipients' address types, and finishes or reschedules
//! them. Every decision is the core's (`spool`, `store::transitions`); this file only runs
//! the loop, calls the transports and applies the decisions through the backend.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::convert::{rows_to_array, set};
use super::idb::{leader, Leadership};
use super::store::StoreInner;
use super::transport::{self, JsTransport};
use super::{now_ms, random_bytes, timer};
use crate::entry_id::{hex, EntryId};
use crate::message::MessageContent;
use crate::mime::{self, MimeOptions};
use crate::props::names::tags;
use crate::queue::Failure;
use crate::record;
use crate::spool;
use crate::store::{Event, Progress};

pub struct Spooler {
    /// Lock owner id of this spooler.
    pub owner: String,
    /// Loosely coupled transports, in registration order.
    pub transports: RefCell<Vec<JsTransport>>,
    /// The tightly coupled transport given to Store.open.
    pub coupled: Option<JsTransport>,
    /// `spooler` option: whether the loose transports are used in this store object.
    pub enabled: bool,
    pumping: Cell<bool>,
    again: Cell<bool>,
    in_flight: RefCell<BTreeSet<EntryId>>,
    wake: RefCell<JsValue>,
    /// The function the wake-up timer calls: one per spooler, made on first use (a new
    /// closure per timer would stay allocated whenever the timer is cleared first).
    wake_fn: RefCell<Option<Closure<dyn FnMut()>>>,
    waiters: RefCell<Vec<js_sys::Function>>,
    controllers: RefCell<Vec<JsValue>>,
    /// The database is shared with other store objects (IndexedDB): the loose transports
    /// run only while this store object leads the spooling of the database.
    shared: Cell<bool>,
    leadership: RefCell<Option<Leadership>>,
    seeking: Cell<bool>,
    /// Releases this spooler's sender lock (shared databases with Web Locks), taken before
    /// it locks its first message.
    sender: RefCell<Option<js_sys::Function>>,
    sender_asked: Cell<bool>,
    /// Spoolers known to have died while holding locks: their messages are taken again at
    /// once. `watched`: holders whose death this spooler waits to hear of.
    dead: Rc<RefCell<Vec<String>>>,
    watched: RefCell<BTreeSet<String>>,
}

impl Spooler {
    pub fn new(coupled: Option<JsTransport>, loose: Vec<JsTransport>, enabled: bool) -> Spooler {
        Spooler {
            owner: format!("spooler-{}", hex(&random_bytes::<8>())),
            transports: RefCell::new(loose),
            coupled,
            enabled,
            pumping: Cell::new(false),
            again: Cell::new(false),
            in_flight: RefCell::new(BTreeSet::new()),
            wake: RefCell::new(JsValue::UNDEFINED),
            wake_fn: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
            controllers: RefCell::new(Vec::new()),
            shared: Cell::new(false),
            leadership: RefCell::new(None),
            seeking: Cell::new(false),
            sender: RefCell::new(None),
            sender_asked: Cell::new(false),
            dead: Rc::default(),
            watched: RefCell::new(BTreeSet::new()),
        }
    }

    /// The store's database is shared with other store objects (every tab of the origin).
    pub fn set_shared(&self, shared: bool) {
        self.shared.set(shared);
    }

    pub fn is_shared(&self) -> bool {
        self.shared.get()
    }

    /// Whether this store object has loose transports to spool with.
    fn wants_to_spool(&self) -> bool {
        self.enabled && !self.transports.borrow().is_empty()
    }

    /// Whether this store object may run its loose transports now: always on a store of
    /// its own; on a shared database only while it holds the leadership.
    fn leads(&self) -> bool {
        !self.shared.get()
            || self
                .leadership
                .borrow()
                .as_ref()
                .is_some_and(|l| l.is_held())
    }

    /// The transports this store object sends with, coupled first.
    fn engine(&self) -> Vec<JsTransport> {
        let mut t: Vec<JsTransport> = self.coupled.iter().cloned().collect();
        if self.wants_to_spool() && self.leads() {
            t.extend(self.transports.borrow().iter().cloned());
        }
        t
    }

    /// None: a full spooler (any address type; recipients nobody takes fail for good).
    /// Some: only the coupled transport runs here; other recipients wait for a spooler.
    fn wanted_types(&self) -> Option<Vec<String>> {
        if self.wants_to_spool() && self.leads() {
            None
        } else {
            Some(
                self.coupled
                    .as_ref()
                    .map(|c| c.info.address_types.clone())
                    .unwrap_or_default(),
            )
        }
    }

    /// Whether anything in this store object can send.
    pub fn can_send(&self) -> bool {
        self.coupled.is_some() || self.wants_to_spool()
    }

    pub fn is_idle(&self) -> bool {
        self.in_flight.borrow().is_empty() && !self.pumping.get()
    }

    /// Releases whoever waits for the next step (flush), e.g. when another tab changed the
    /// queue.
    pub fn wake_waiters(&self) {
        self.notify();
    }

    fn notify(&self) {
        for w in self.waiters.borrow_mut().drain(..) {
            let _ = w.call0(&JsValue::UNDEFINED);
        }
    }

    /// A promise resolved at the spooler's next step (an attempt ending, a pass ending).
    pub fn next_step(&self) -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, _| self.waiters.borrow_mut().push(resolve))
    }

    /// Stops: no more passes, in-flight sends aborted, waiters released.
    pub fn stop(&self) {
        self.stop_inner();
    }

    fn stop_inner(&self) {
        timer::clear(&self.wake.borrow());
        if let Some(l) = self.leadership.borrow_mut().take() {
            spawn_local(async move {
                let _ = l.release().await;
            });
        }
        for c in self.controllers.borrow_mut().drain(..) {
            transport::abort(&c);
        }
        if let Some(release) = self.sender.borrow_mut().take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
        self.notify();
    }
}

/// On a shared database, takes this spooler's sender lock before it locks any message, so
/// that other spoolers can tell when it dies.
async fn hold_sender_lock(inner: &Rc<StoreInner>) {
    let sp = &inner.spooler;
    if !sp.shared.get() || sp.sender_asked.get() {
        return;
    }
    sp.sender_asked.set(true);
    let release = leader::hold_sender_lock(&inner.config.name, &sp.owner).await;
    if inner.closed.get() {
        if let Some(r) = release {
            let _ = r.call0(&JsValue::UNDEFINED);
        }
        return;
    }
    *sp.sender.borrow_mut() = release;
}

/// Waits to hear of the death of every other spooler that holds a lock with a lease still
/// running; when one dies, its messages are taken again at once.
async fn watch_holders(inner: &Rc<StoreInner>) {
    let sp = &inner.spooler;
    if !sp.shared.get() || sp.sender.borrow().is_none() {
        return;
    }
    let Ok(holders) = inner.backend.lock_holders(now_ms(), &sp.owner).await else {
        return;
    };
    for owner in holders {
        if !sp.watched.borrow_mut().insert(owner.clone()) {
            continue;
        }
        let weak = Rc::downgrade(inner);
        let dead = sp.dead.clone();
        let who = owner.clone();
        leader::watch_holder(&inner.config.name, &owner, move || {
            dead.borrow_mut().push(who);
            if let Some(inner) = weak.upgrade() {
                kick(&inner);
            }
        });
    }
}

/// Starts a pass over the queue (or asks the running one for another).
pub fn kick(inner: &Rc<StoreInner>) {
    if !inner.spooler.can_send() || inner.closed.get() {
        return;
    }
    seek_leadership(inner);
    let inner = inner.clone();
    spawn_local(async move { pump(inner).await });
}

/// On a shared database, exactly one store object runs its loose transports: it waits for
/// the database's leadership (Web Locks, or a lease), then spools; when it loses it (a lease
/// it could not renew), it waits again. A tab that closes or dies passes it on.
fn seek_leadership(inner: &Rc<StoreInner>) {
    let sp = &inner.spooler;
    if !sp.shared.get() || !sp.wants_to_spool() || sp.seeking.get() || sp.leads() {
        return;
    }
    sp.seeking.set(true);
    sp.leadership.borrow_mut().take();
    let weak = Rc::downgrade(inner);
    let owner = sp.owner.clone();
    let contender = inner.clone();
    spawn_local(async move {
        let got = contender.backend.lead(&owner).await;
        drop(contender);
        let Some(inner) = weak.upgrade() else { return };
        inner.spooler.seeking.set(false);
        match got {
            Ok(Some(l)) if !inner.closed.get() => {
                *inner.spooler.leadership.borrow_mut() = Some(l);
                kick(&inner);
            }
            Ok(Some(l)) => {
                let _ = l.release().await;
            }
            _ => {}
        }
    });
}

async fn pump(inner: Rc<StoreInner>) {
    let sp = &inner.spooler;
    if sp.pumping.get() {
        sp.again.set(true);
        return;
    }
    sp.pumping.set(true);
    hold_sender_lock(&inner).await;
    loop {
        sp.again.set(false);
        // Asked again each pass: the leadership may have come (or gone) since the last one,
        // and a pass with the types of a non-leader would leave the queue to nobody.
        let types = sp.wanted_types();
        let mut queue_drained = false;
        let mut read_failed = false;
        // The time the last look found nothing due: the wake-up is computed for that same
        // instant, so a message that becomes due between the two reads is not missed.
        let mut looked_at = now_ms();
        // Bounded: a lock lost to another spooler is looked at again, but never forever.
        let mut looks = 0;
        while sp.in_flight.borrow().len() < spool::MAX_IN_FLIGHT
            && !inner.closed.get()
            && looks < 64
        {
            looks += 1;
            let now = now_ms();
            looked_at = now;
            let dead = sp.dead.borrow().clone();
            let id = match inner.backend.next_due(now, types.as_deref(), &dead).await {
                Ok(Some(id)) => id,
                Ok(None) => {
                    queue_drained = true;
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
            match inner
                .backend
                .lock(id, &sp.owner, now, inner.config.lease_ms as i64, &dead)
                .await
            {
                Ok(rec) => {
                    sp.in_flight.borrow_mut().insert(id);
                    inner.emit(vec![Event::QueueChange]);
                    let possible_duplicate =
                        rec.queue.as_ref().is_some_and(|q| q.possible_duplicate);
                    let attempt = rec.queue.as_ref().map_or(1, |q| q.attempts + 1);
                    let submission_id = rec
                        .queue
                        .as_ref()
                        .map(|q| q.submission_id.clone())
                        .unwrap_or_default();
                    let date = rec.queue.as_ref().map(|q| q.send_date());
                    let blob = rec.blob.clone();
                    let inner2 = inner.clone();
                    spawn_local(async move {
                        let ticket = Ticket {
                            id,
                            attempt,
                            possible_duplicate,
                            submission_id,
                            date,
                        };
                        run_attempt(&inner2, ticket, &blob).await;
                        inner2.spooler.in_flight.borrow_mut().remove(&id);
                        inner2.spooler.notify();
                        kick(&inner2);
                    });
                }
                // Another spooler (tab) took it first; look again.
                Err(_) => continue,
            }
        }
        if inner.closed.get() {
            break;
        }
        if sp.again.get() {
            continue;
        }
        // Only when nothing is due: while sends are in flight, each one that ends starts a
        // pass, so looking for the next wake-up time (a scan of the waiting messages) would
        // cost every message a look at the whole queue.
        if queue_drained {
            watch_holders(&inner).await;
            schedule_wake(&inner, looked_at, types.as_deref()).await;
        } else if read_failed || sp.in_flight.borrow().is_empty() {
            // Nothing in flight will start the next pass (the queue could not be read, or
            // every lock was lost to other spoolers): look again a little later.
            wake_in(&inner, READ_RETRY_MS);
        }
        // A kick that came while the wake-up time was read (on IndexedDB that read
        // awaits, and a submit may commit meanwhile) asks for another pass: without it
        // that message would wait for the next submit.
        if !sp.again.get() || inner.closed.get() {
            break;
        }
    }
    sp.pumping.set(false);
    sp.notify();
}

/// Wakes the spooler when the next deferred or backing-off message becomes due.
/// `now` is when the queue was last found with nothing due: whatever became due since is
/// woken for at once.
async fn schedule_wake(inner: &Rc<StoreInner>, now: i64, types: Option<&[String]>) {
    let sp = &inner.spooler;
    timer::clear(&sp.wake.borrow());
    if inner.closed.get() {
        return;
    }
    match inner.backend.next_wake(now, types).await {
        Ok(Some(at)) => wake_in(inner, (at - now_ms()).max(0) as f64 + 1.0),
        Ok(None) => {}
        Err(_) => wake_in(inner, READ_RETRY_MS),
    }
}

/// How long the spooler waits before it looks at a queue it could not read.
const READ_RETRY_MS: f64 = 1000.0;

/// Starts a pass after `ms` (replacing any wake-up already set).
fn wake_in(inner: &Rc<StoreInner>, ms: f64) {
    let sp = &inner.spooler;
    timer::clear(&sp.wake.borrow());
    let mut wake_fn = sp.wake_fn.borrow_mut();
    let f = wake_fn.get_or_insert_with(|| {
        let weak = Rc::downgrade(inner);
        Closure::new(move || {
            if let Some(inner) = weak.upgrade() {
                kick(&inner);
            }
        })
    });
    *sp.wake.borrow_mut() = timer::set_timeout(f.as_ref().unchecked_ref(), ms);
}

/// A store dropped without `close()` (garbage-collected with a wake-up pending, a deferred
/// message or a retry wait): the timer is cleared before the closure it would call is freed,
/// so it can never fire into freed memory ("closure invoked after being dropped" killed Node).
/// What is queued stays in the backend.
impl Drop for Spooler {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

struct Ticket {
    id: EntryId,
    attempt: u32,
    possible_duplicate: bool,
    submission_id: String,
    /// The `Date` of the message (SPEC §7: the later of its submit and deferred send time).
    date: Option<i64>,
}

/// One attempt at one locked message.
async fn run_attempt(inner: &Rc<StoreInner>, t: Ticket, blob: &[u8]) {
    let sp = &inner.spooler;
    let id = t.id;
    let content = match record::decode(&id.to_hex(), blob) {
        Ok(c) => c,
        Err(e) => {
            let progress = Progress {
                content: None,
                failed: Vec::new(),
            };
            retry(inner, &t, &progress, e.to_string(), None, false).await;
            return;
        }
    };
    let transports = sp.engine();
    let full_spooler = sp.wanted_types().is_none();
    let identity = inner.config.identity.as_ref();
    let infos: Vec<_> = transports.iter().map(|t| t.info.clone()).collect();
    let mut attempt = spool::Attempt::new(content, infos, full_spooler);
    let mime = mime::build(
        attempt.content(),
        &MimeOptions {
            identity,
            now_ms: now_ms(),
            date_ms: t.date,
        },
    );
    let mime = match mime {
        Ok(m) => js_sys::Uint8Array::from(&m[..]),
        Err(e) => {
            // The message cannot be written as MIME: no transport can send it, ever.
            let reason = format!("the message cannot be sent: {}", e.message);
            apply(inner, &t, attempt.unsendable(&reason)).await;
            return;
        }
    };
    let props = &attempt.content().props;
    let mail_from = props
        .str(tags::PidTagSenderEmailAddress)
        .map(str::to_owned)
        .or_else(|| identity.map(|i| i.email.clone()))
        .unwrap_or_default();
    let message_id = props
        .str(tags::PidTagInternetMessageId)
        .unwrap_or_default()
        .to_string();

    loop {
        let offers = attempt.next_offers();
        if offers.is_empty() || inner.closed.get() {
            break;
        }
        for offer in offers {
            let tr = &transports[offer.transport];
            let rcpt_to: js_sys::Array =
                offer.rcpt_to.iter().map(|a| JsValue::from_str(a)).collect();
            let outgoing = js_sys::Object::new();
            set(&outgoing, "submissionId", &t.submission_id.as_str().into());
            set(&outgoing, "entryId", &id.to_hex().into());
            set(&outgoing, "messageId", &message_id.as_str().into());
            set(&outgoing, "mime", &mime);
            set(&outgoing, "mailFrom", &mail_from.as_str().into());
            set(&outgoing, "rcptTo", &rcpt_to);
            set(&outgoing, "recipients", &rows_to_array(&offer.recipients));
            set(&outgoing, "attempt", &(t.attempt as f64).into());
            set(&outgoing, "possibleDuplicate", &t.possible_duplicate.into());
            inner.emit(vec![Event::Sending {
                entry_id: id,
                transport: tr.info.name.clone(),
            }]);
            let controller = transport::new_controller();
            if let Some(c) = &controller {
                sp.controllers.borrow_mut().push(c.clone());
            }
            let renewing = keep_lease(inner, id);
            let settled = tr
                .send(
                    &outgoing.into(),
                    spool::SEND_TIMEOUT_MS as f64,
                    controller.as_ref(),
                )
                .await;
            renewing.stop();
            if let Some(c) = &controller {
                sp.controllers
                    .borrow_mut()
                    .retain(|x| !js_sys::Object::is(x, c));
            }
            attempt.record(&offer, spool::classify(settled));
        }
    }
    apply(inner, &t, attempt.outcome()).await;
}

/// Applies how an attempt ended through the backend (the core decided it).
async fn apply(inner: &Rc<StoreInner>, t: &Ticket, outcome: spool::Outcome) {
    match outcome {
        spool::Outcome::Finish { content, failed } => finish(inner, t, &content, &failed).await,
        spool::Outcome::Retry {
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
            retry(inner, t, &progress, error, retry_after_ms, outcome_unknown).await;
        }
        spool::Outcome::Release { content, failed } => {
            let progress = Progress {
                content: Some(&content),
                failed,
            };
            let _ = inner
                .backend
                .release_partial(t.id, &inner.spooler.owner, &progress)
                .await;
            inner.emit(vec![Event::QueueChange]);
        }
    }
}

/// Renews a lock's lease while a send runs; `stop` ends it at once (the task does not
/// linger until its next renewal time: a send that takes a millisecond must not leave a
/// sleeping task behind for a third of the lease).
struct LeaseKeeper {
    on: Rc<Cell<bool>>,
    /// The pending sleep: its timer and the resolve function of its promise.
    sleeping: Rc<RefCell<Option<(JsValue, js_sys::Function)>>>,
}

impl LeaseKeeper {
    fn stop(&self) {
        self.on.set(false);
        if let Some((handle, resolve)) = self.sleeping.borrow_mut().take() {
            timer::clear(&handle);
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

fn keep_lease(inner: &Rc<StoreInner>, id: EntryId) -> LeaseKeeper {
    let keeper = LeaseKeeper {
        on: Rc::new(Cell::new(true)),
        sleeping: Rc::default(),
    };
    let (on, sleeping) = (keeper.on.clone(), keeper.sleeping.clone());
    let weak = Rc::downgrade(inner);
    spawn_local(async move {
        loop {
            let Some(lease) = weak.upgrade().map(|i| i.config.lease_ms) else {
                return;
            };
            if !on.get() {
                return;
            }
            let sleep = js_sys::Promise::new(&mut |resolve, _| {
                let handle = timer::set_timeout(&resolve, lease as f64 / 3.0);
                *sleeping.borrow_mut() = Some((handle, resolve));
            });
            let _ = JsFuture::from(sleep).await;
            sleeping.borrow_mut().take();
            let Some(inner) = weak.upgrade() else { return };
            if !on.get() || inner.closed.get() {
                return;
            }
            let until = now_ms() + inner.config.lease_ms as i64;
            let _ = inner.backend.renew(id, &inner.spooler.owner, until).await;
        }
    });
    keeper
}

async fn retry(
    inner: &Rc<StoreInner>,
    t: &Ticket,
    progress: &Progress<'_>,
    error: String,
    retry_after: Option<i64>,
    unknown: bool,
) {
    let jitter = random_bytes::<1>()[0] as f64 / 255.0;
    let delay = retry_after.unwrap_or_else(|| {
        spool::backoff_ms(
            t.attempt,
            inner.config.retry_initial_ms,
            inner.config.retry_max_ms,
            jitter,
        )
    });
    let next_at = now_ms().saturating_add(delay);
    let owner = &inner.spooler.owner;
    if inner
        .backend
        .release_for_retry(t.id, owner, progress, &error, next_at, unknown)
        .await
        .is_ok()
    {
        inner.emit(vec![
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

async fn finish(inner: &Rc<StoreInner>, t: &Ticket, content: &MessageContent, failed: &[Failure]) {
    let owner = &inner.spooler.owner;
    let uids = (random_bytes::<16>(), random_bytes::<16>());
    if let Ok(f) = inner
        .backend
        .finish(t.id, owner, content, failed, uids, now_ms())
        .await
    {
        inner.emit(Event::of_finish(t.id, &f));
    }
}
