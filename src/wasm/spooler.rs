//! The binding's side of the spooler: the core's `spool::Pump` does the spooling; this file
//! gives it what only JS has — the clock, `setTimeout`, `spawn_local`, the JS transports,
//! the store's events, and on a shared database (IndexedDB, every tab of the origin) the
//! Web Locks that elect one spooling tab and tell when a lock holder died.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use super::backend::Backend;
use super::events::{self, Listeners};
use super::idb::{leader, Leadership};
use super::transport::{Controllers, JsTransport};
use super::{now_ms, random_bytes, timer};
use crate::spool::{Engine, Host, Outgoing, Pump, Settled, TransportInfo};
use crate::store::Event;

/// The spooler of one Store object.
pub type Spooler = Pump<JsHost>;

pub struct JsHost {
    backend: Rc<Backend>,
    listeners: Rc<Listeners>,
    /// The database name (lock names are made from it).
    db: String,
    /// Loosely coupled transports, in registration order.
    pub transports: RefCell<Vec<JsTransport>>,
    /// The tightly coupled transport given to Store.open.
    coupled: Option<JsTransport>,
    /// `spooler` option: whether the loose transports are used in this store object.
    enabled: bool,
    /// The database is shared with other store objects (IndexedDB): the loose transports
    /// run only while this store object leads the spooling of the database.
    shared: bool,
    wake: RefCell<JsValue>,
    /// The function the wake-up timer calls: one per spooler, made on first use (a new
    /// closure per timer would stay allocated whenever the timer is cleared first).
    wake_fn: RefCell<Option<Closure<dyn FnMut()>>>,
    waiters: RefCell<Vec<js_sys::Function>>,
    /// AbortControllers of the sends in flight: closing the store aborts them.
    controllers: Controllers,
    leadership: RefCell<Option<Leadership>>,
    seeking: Cell<bool>,
    /// Releases this spooler's sender lock (shared databases with Web Locks), taken before
    /// it locks its first message, so that other spoolers can tell when it dies.
    sender: RefCell<Option<js_sys::Function>>,
    sender_asked: Cell<bool>,
    /// Holders whose death this spooler waits to hear of.
    watched: RefCell<Vec<String>>,
}

impl JsHost {
    pub fn new(
        backend: Rc<Backend>,
        listeners: Rc<Listeners>,
        db: String,
        coupled: Option<JsTransport>,
        loose: Vec<JsTransport>,
        enabled: bool,
    ) -> JsHost {
        JsHost {
            shared: matches!(*backend, Backend::IndexedDb(_)),
            backend,
            listeners,
            db,
            transports: RefCell::new(loose),
            coupled,
            enabled,
            wake: RefCell::new(JsValue::UNDEFINED),
            wake_fn: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
            controllers: Controllers::default(),
            leadership: RefCell::new(None),
            seeking: Cell::new(false),
            sender: RefCell::new(None),
            sender_asked: Cell::new(false),
            watched: RefCell::new(Vec::new()),
        }
    }

    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// Whether this store object has loose transports to spool with.
    fn wants_to_spool(&self) -> bool {
        self.enabled && !self.transports.borrow().is_empty()
    }

    /// Whether this store object may run its loose transports now: always on a store of
    /// its own; on a shared database only while it holds the leadership.
    fn leads(&self) -> bool {
        !self.shared
            || self
                .leadership
                .borrow()
                .as_ref()
                .is_some_and(|l| l.is_held())
    }

    /// A promise resolved at the spooler's next step (an attempt ending, a pass ending).
    pub fn next_step(&self) -> js_sys::Promise {
        js_sys::Promise::new(&mut |resolve, _| self.waiters.borrow_mut().push(resolve))
    }

    /// Dispatches the events here and tells the other store objects of the same database.
    pub fn emit_events(&self, events: Vec<Event>) {
        self.backend.broadcast(&events);
        events::dispatch(&self.listeners, events);
    }

    /// What only JS holds, let go when the store closes (or is dropped): the wake-up timer,
    /// the sends in flight, the leadership and the sender lock; waiters are released.
    fn release_js(&self) {
        timer::clear(&self.wake.replace(JsValue::UNDEFINED));
        if let Some(l) = self.leadership.borrow_mut().take() {
            spawn_local(async move {
                let _ = l.release().await;
            });
        }
        self.controllers.abort_all();
        if let Some(release) = self.sender.borrow_mut().take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
        self.stepped();
    }
}

/// Stops the spooler of a closing store: no more passes, sends in flight aborted.
pub fn stop(sp: &Rc<Spooler>) {
    sp.stop();
    sp.host.release_js();
}

/// A store dropped without `close()` (garbage-collected with a wake-up pending, a deferred
/// message or a retry wait): the timer is cleared before the closure it would call is freed,
/// so it can never fire into freed memory ("closure invoked after being dropped" killed Node).
/// What is queued stays in the backend.
impl Drop for JsHost {
    fn drop(&mut self) {
        self.release_js();
    }
}

/// A JS transport as the core's pump sees it.
pub struct SpoolTransport {
    t: JsTransport,
    controllers: Controllers,
}

impl crate::spool::Transport for SpoolTransport {
    fn info(&self) -> &TransportInfo {
        &self.t.info
    }

    async fn send(&self, outgoing: &Outgoing) -> Settled {
        let o = super::wire::outgoing(outgoing);
        self.t.send(&o, &self.controllers).await
    }
}

impl Host for JsHost {
    type Storage = Backend;
    type Transport = SpoolTransport;
    type Sleep = timer::Sleep;

    fn storage(&self) -> &Backend {
        &self.backend
    }

    fn now_ms(&self) -> i64 {
        now_ms()
    }

    fn random(&self) -> [u8; 16] {
        random_bytes::<16>()
    }

    fn sleep(&self, ms: i64) -> timer::Sleep {
        timer::Sleep::new(ms as f64)
    }

    fn spawn(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        spawn_local(task);
    }

    fn wake_in(pump: &Rc<Spooler>, ms: Option<i64>) {
        let host = &pump.host;
        timer::clear(&host.wake.replace(JsValue::UNDEFINED));
        let Some(ms) = ms else { return };
        let mut wake_fn = host.wake_fn.borrow_mut();
        let f = wake_fn.get_or_insert_with(|| {
            let weak = pump.weak();
            Closure::new(move || {
                if let Some(pump) = weak.upgrade() {
                    pump.kick();
                }
            })
        });
        *host.wake.borrow_mut() = timer::set_timeout(f.as_ref().unchecked_ref(), ms as f64);
    }

    fn emit(&self, events: Vec<Event>) {
        self.emit_events(events);
    }

    fn can_send(&self) -> bool {
        self.coupled.is_some() || self.wants_to_spool()
    }

    fn engine(&self) -> Engine<SpoolTransport> {
        let full = self.wants_to_spool() && self.leads();
        let mut t: Vec<JsTransport> = self.coupled.iter().cloned().collect();
        if full {
            t.extend(self.transports.borrow().iter().cloned());
        }
        let transports = t
            .into_iter()
            .map(|t| SpoolTransport {
                t,
                controllers: self.controllers.clone(),
            })
            .collect();
        Engine { transports, full }
    }

    fn stepped(&self) {
        let waiters: Vec<_> = self.waiters.borrow_mut().drain(..).collect();
        for w in waiters {
            let _ = w.call0(&JsValue::UNDEFINED);
        }
    }

    /// On a shared database, exactly one store object runs its loose transports: it waits
    /// for the database's leadership (Web Locks, or a lease), then spools; when it loses it
    /// (a lease it could not renew), it waits again. A tab that closes or dies passes it on.
    fn on_kick(pump: &Rc<Spooler>) {
        let host = &pump.host;
        if !host.shared || !host.wants_to_spool() || host.seeking.get() || host.leads() {
            return;
        }
        host.seeking.set(true);
        host.leadership.borrow_mut().take();
        let weak = pump.weak();
        let owner = pump.config.owner.clone();
        let backend = host.backend.clone();
        spawn_local(async move {
            let got = backend.lead(&owner).await;
            let Some(pump) = weak.upgrade() else { return };
            pump.host.seeking.set(false);
            match got {
                Ok(Some(l)) if !pump.is_closed() => {
                    *pump.host.leadership.borrow_mut() = Some(l);
                    pump.kick();
                }
                Ok(Some(l)) => {
                    let _ = l.release().await;
                }
                _ => {}
            }
        });
    }

    /// On a shared database, takes this spooler's sender lock before it locks any message.
    async fn before_pass(pump: &Rc<Spooler>) {
        let host = &pump.host;
        if !host.shared || host.sender_asked.get() {
            return;
        }
        host.sender_asked.set(true);
        let release = leader::hold_sender_lock(&host.db, &pump.config.owner).await;
        if pump.is_closed() {
            if let Some(r) = release {
                let _ = r.call0(&JsValue::UNDEFINED);
            }
            return;
        }
        *host.sender.borrow_mut() = release;
    }

    /// Waits to hear of the death of every other spooler that holds a lock with a lease
    /// still running; when one dies, its messages are taken again at once.
    async fn on_drained(pump: &Rc<Spooler>) {
        let host = &pump.host;
        if !host.shared || host.sender.borrow().is_none() {
            return;
        }
        let Ok(holders) = host
            .backend
            .lock_holders(now_ms(), &pump.config.owner)
            .await
        else {
            return;
        };
        for owner in holders {
            if !crate::spool::push_once(&mut host.watched.borrow_mut(), owner.clone()) {
                continue;
            }
            let weak = pump.weak();
            let who = owner.clone();
            leader::watch_holder(&host.db, &owner, move || {
                if let Some(pump) = weak.upgrade() {
                    pump.holder_died(who);
                }
            });
        }
    }
}
