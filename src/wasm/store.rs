//! `Store`: opens a backend and answers the store-level calls of SPEC §5.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use wasm_bindgen_futures::future_to_promise;

use super::backend::Backend;
use super::convert::{self, describe, entry_id, set, time_or_null};
use super::error::{settle, to_js, IntoJs, JsResult};
use super::events::{self, Listeners};
use super::idb::{IdbStore, Leadership};
use super::message::Message;
use super::options::{self, Config};
use super::spooler::{self, JsHost, Spooler};
use super::wire;
use super::{now_ms, random_bytes};
use crate::entry_id::{hex, EntryId, StoreUid};
use crate::mapi_err;
use crate::object::MessageObject;
use crate::spool::{Flush, FlushStep, FlushView, Host, PumpConfig, Storage};
use crate::store::transitions::{Access, Hurry};
use crate::store::{Event, Folder, MemoryStore};
use std::future::Future;

/// What a Store and every Message and Attachment taken from it share.
pub struct StoreInner {
    pub config: Config,
    pub closed: Cell<bool>,
    pub backend: Rc<Backend>,
    pub listeners: Rc<Listeners>,
    pub spooler: Rc<Spooler>,
    uid: StoreUid,
}

impl StoreInner {
    pub fn check_open(&self) -> JsResult<()> {
        if self.closed.get() {
            return Err(to_js(mapi_err!(InvalidObject, "the store is closed")));
        }
        Ok(())
    }

    /// The backend, once the store is known to be open.
    pub fn backend(&self) -> JsResult<&Backend> {
        self.check_open()?;
        Ok(&self.backend)
    }

    /// Dispatches the events here and tells the other store objects of the same database.
    pub fn emit(&self, events: Vec<Event>) {
        self.spooler.host.emit_events(events);
    }

    pub fn entry_id(&self, what: &str, v: &JsValue) -> JsResult<EntryId> {
        entry_id(what, v, self.uid)
    }

    pub fn new_submission_id(&self) -> String {
        hex(&random_bytes::<16>())
    }

    pub fn new_message_id(&self) -> String {
        let domain = self
            .config
            .identity
            .as_ref()
            .and_then(|i| i.email.rsplit_once('@').map(|(_, d)| d.to_string()))
            .filter(|d| !d.starts_with('['))
            .unwrap_or_else(|| "mapi-outbox.invalid".into());
        format!("<{}@{}>", hex(&random_bytes::<16>()), domain)
    }
}

#[wasm_bindgen]
pub struct Store {
    inner: Rc<StoreInner>,
}

#[wasm_bindgen]
impl Store {
    /// `new Store()` is not how one is made: it throws a MapiError saying what is.
    #[wasm_bindgen(constructor)]
    pub fn new_refused() -> JsResult<Store> {
        Err(super::error::to_js(crate::mapi_err!(
            NoSupport,
            "new Store() is not supported: open one with `await Store.open(options)`"
        )))
    }

    /// `Store.open(options?)`.
    pub fn open(options: JsValue) -> js_sys::Promise {
        let parsed = options::parse(&options);
        run(async move { Self::open_with(parsed?).await.map(JsValue::from) })
    }

    async fn open_with(o: options::Options) -> JsResult<Store> {
        let listeners = Rc::new(Listeners::default());
        let backend = match o.config.backend {
            options::Backend::Memory => {
                Backend::memory(MemoryStore::new(StoreUid(random_bytes::<16>())))
            }
            options::Backend::IndexedDb => Backend::IndexedDb(
                IdbStore::connect(&o.config.name, listeners.clone(), random_bytes::<16>())
                    .await
                    .js()?,
            ),
        };
        let backend = Rc::new(backend);
        let c = &o.config;
        let host = JsHost::new(
            backend.clone(),
            listeners.clone(),
            c.name.clone(),
            o.coupled,
            o.loose,
            c.spooler,
        );
        let spooler = Spooler::new(
            host,
            PumpConfig {
                owner: format!("spooler-{}", hex(&random_bytes::<8>())),
                lease_ms: c.lease_ms.min(i64::MAX as u64) as i64,
                retry_initial_ms: c.retry_initial_ms.min(i64::MAX as u64) as i64,
                retry_max_ms: c.retry_max_ms.min(i64::MAX as u64) as i64,
                identity: c.identity.clone(),
            },
        );
        let inner = Rc::new(StoreInner {
            config: o.config,
            closed: Cell::new(false),
            uid: backend.uid(),
            backend,
            listeners,
            spooler,
        });
        // Another tab's change (a submit, an abort, a finished send) wakes this spooler,
        // and whoever waits in flush() here.
        let weak = Rc::downgrade(&inner);
        inner.listeners.set_on_remote(Box::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.spooler.host.stepped();
                inner.spooler.kick();
            }
        }));
        inner.spooler.kick();
        Ok(Store { inner })
    }

    /// `{ drafts, outbox, sent, inbox }` folder entry ids.
    #[wasm_bindgen(getter)]
    pub fn folders(&self) -> JsResult<JsValue> {
        self.inner.check_open()?;
        let o = js_sys::Object::new();
        for f in Folder::ALL {
            set(&o, f.name(), &f.entry_id(self.inner.uid).to_hex().into());
        }
        Ok(o.into())
    }

    /// The database name this store was opened with.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.config.name.clone()
    }

    /// The Background Sync tag this store registers (`backgroundSync` option), or undefined;
    /// read by the JS entry, which does the registering.
    #[wasm_bindgen(getter, js_name = backgroundSyncTag)]
    pub fn background_sync_tag(&self) -> Option<String> {
        self.inner.config.background_sync.clone()
    }

    /// The backend this store was opened with: "memory" or "indexeddb".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        match *self.inner.backend {
            Backend::Memory(_) => "memory".into(),
            Backend::IndexedDb(_) => "indexeddb".into(),
        }
    }

    #[wasm_bindgen(js_name = createMessage)]
    pub fn create_message(&self) -> JsResult<Message> {
        self.inner.check_open()?;
        let id = EntryId::new(self.inner.uid, random_bytes::<16>());
        let obj = MessageObject::create(id, self.inner.config.identity.as_ref());
        Ok(Message::new(self.inner.clone(), obj))
    }

    #[wasm_bindgen(js_name = openMessage)]
    pub fn open_message(&self, entry_id: JsValue, options: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let id = inner.entry_id("entryId", &entry_id)?;
            let o = convert::options_object("openMessage options", &options, &["access"])?;
            let access = match convert::opt(&o, "access")? {
                None => Access::ReadWrite,
                Some(a) => {
                    let a = convert::enum_option("options.access", &a, &["readwrite", "read"])?;
                    Access::parse(&a).js()?
                }
            };
            let opened = inner.backend()?.open(id, access).await.js()?;
            Ok(Message::new(inner.clone(), MessageObject::opened(id, opened)).into())
        })
    }

    #[wasm_bindgen(js_name = abortSubmit)]
    pub fn abort_submit(&self, entry_id: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let id = inner.entry_id("entryId", &entry_id)?;
            let events = inner.backend()?.abort(id).await.js()?;
            inner.emit(events);
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = outgoingQueue)]
    pub fn outgoing_queue(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            let rows = inner.backend()?.queue_rows().await.js()?;
            Ok(rows
                .iter()
                .map(wire::queue_row)
                .collect::<js_sys::Array>()
                .into())
        })
    }

    pub fn contents(&self, folder: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        let f = self
            .inner
            .check_open()
            .and_then(|()| self.folder_arg(&folder));
        run(async move {
            let rows = inner.backend()?.contents_rows(f?).await.js()?;
            Ok(rows
                .iter()
                .map(wire::contents_row)
                .collect::<js_sys::Array>()
                .into())
        })
    }

    fn folder_arg(&self, v: &JsValue) -> JsResult<Folder> {
        if let Some(s) = v.as_string() {
            return Folder::parse(self.inner.uid, &s).js();
        }
        if v.is_instance_of::<js_sys::Uint8Array>() {
            let id = self.inner.entry_id("folder", v)?;
            return Folder::from_entry_id(self.inner.uid, &id)
                .ok_or_else(|| to_js(mapi_err!(NotFound, "no folder has entry id {id}")));
        }
        Err(to_js(mapi_err!(
            InvalidEntryId,
            "folder must be a folder name (\"drafts\", \"outbox\", \"sent\", \"inbox\") or a folder \
             entry id, got {}",
            describe(v)
        )))
    }

    #[wasm_bindgen(js_name = deleteMessage)]
    pub fn delete_message(&self, entry_id: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let id = inner.entry_id("entryId", &entry_id)?;
            inner.backend()?.delete(id).await.js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = corruptRecordForTesting)]
    pub fn corrupt_record_for_testing(&self, entry_id: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let id = inner.entry_id("entryId", &entry_id)?;
            inner.backend()?.corrupt(id).await.js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// A loosely coupled transport for this store object's spooler, after the ones before it.
    #[wasm_bindgen(js_name = registerTransport)]
    pub fn register_transport(&self, transport: JsValue) -> JsResult<()> {
        self.inner.check_open()?;
        let t = super::transport::parse("registerTransport argument", &transport)?;
        self.inner.spooler.host.transports.borrow_mut().push(t);
        self.inner.spooler.kick();
        Ok(())
    }

    /// Resolves when no queued message is due now: each is sent, failed, or waiting for a
    /// deferred or retry time. Each step looks at the head of the queue only, so waiting for
    /// a long queue to drain costs O(1) a message.
    pub fn flush(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            let mut flush = Flush::default();
            loop {
                inner.check_open()?;
                let sp = &inner.spooler;
                let due = inner.backend()?.next_due(now_ms(), None, &[]).await.js()?;
                let view = FlushView {
                    due: due.is_some(),
                    idle: sp.is_idle(),
                    shared: sp.host.is_shared(),
                    can_send: sp.host.can_send(),
                    started: sp.attempts_started(),
                };
                let mut step = flush.step(view);
                if step == FlushStep::CheckHeld {
                    let rows = inner.backend()?.queue_rows().await.js()?;
                    let held = rows
                        .iter()
                        .any(|r| r.submit_flags & crate::message::submit_flags::LOCKED != 0);
                    step = flush.held(held, sp.is_idle());
                }
                let kick = match step {
                    FlushStep::Done => return flush_result(&inner).await,
                    FlushStep::Fail(e) => return Err(to_js(e)),
                    FlushStep::Wait { kick } => kick,
                    // (Answered above; `held` never asks again.)
                    FlushStep::CheckHeld => sp.is_idle(),
                };
                let next = sp.host.next_step();
                if kick {
                    sp.kick();
                }
                let _ = wasm_bindgen_futures::JsFuture::from(next).await;
            }
        })
    }

    /// `retryNow(entryId?)`: messages waiting for a retry after a failed attempt become due
    /// at once (their deferred send time is kept); resolves with how many.
    #[wasm_bindgen(js_name = retryNow)]
    pub fn retry_now(&self, entry_id: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let n = if entry_id.is_undefined() {
                inner.backend()?.retry_all(now_ms()).await.js()?
            } else {
                let id = inner.entry_id("entryId", &entry_id)?;
                inner
                    .backend()?
                    .hurry(id, Hurry::RetryNow, now_ms())
                    .await
                    .js()? as u32
            };
            if n > 0 {
                inner.emit(vec![Event::QueueChange]);
            }
            inner.spooler.kick();
            Ok((n as f64).into())
        })
    }

    /// `sendNow(entryId)`: a queued, unlocked message goes at once (its deferred send time
    /// and any retry wait end now).
    #[wasm_bindgen(js_name = sendNow)]
    pub fn send_now(&self, entry_id: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        run(async move {
            inner.check_open()?;
            let id = inner.entry_id("entryId", &entry_id)?;
            let changed = inner
                .backend()?
                .hurry(id, Hurry::SendNow, now_ms())
                .await
                .js()?;
            if changed {
                inner.emit(vec![Event::QueueChange]);
            }
            inner.spooler.kick();
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(&self, ty: JsValue, listener: JsValue) -> JsResult<()> {
        self.inner.check_open()?;
        let ty = event_type(&ty)?;
        check_listener("addEventListener", &listener)?;
        self.inner.listeners.add(ty, listener);
        Ok(())
    }

    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(&self, ty: JsValue, listener: JsValue) -> JsResult<()> {
        self.inner.check_open()?;
        let ty = event_type(&ty)?;
        check_listener("removeEventListener", &listener)?;
        self.inner.listeners.remove(&ty, &listener);
        Ok(())
    }

    pub fn close(&self) -> js_sys::Promise {
        settle((|| {
            if self.inner.closed.get() {
                return Ok(JsValue::UNDEFINED); // a second close() is harmless, like free()
            }
            self.inner.closed.set(true);
            spooler::stop(&self.inner.spooler);
            self.inner.listeners.clear();
            self.inner.backend.close();
            Ok(JsValue::UNDEFINED)
        })())
    }
}

/// What flush() resolves with: `{ remaining, nextDueAt }`.
async fn flush_result(inner: &Rc<StoreInner>) -> JsResult<JsValue> {
    let (remaining, next) = inner.backend()?.remaining(now_ms()).await.js()?;
    let o = js_sys::Object::new();
    set(&o, "remaining", &(remaining as f64).into());
    set(&o, "nextDueAt", &time_or_null(next));
    Ok(o.into())
}

/// An async method's body as a promise: argument errors reject too, never throw. Boxed, so
/// that the promise glue is compiled once for every method rather than once per method.
pub fn run(f: impl Future<Output = JsResult<JsValue>> + 'static) -> js_sys::Promise {
    let f: std::pin::Pin<Box<dyn Future<Output = JsResult<JsValue>>>> = Box::pin(f);
    future_to_promise(f)
}

fn check_listener(what: &str, listener: &JsValue) -> JsResult<()> {
    if listener.is_function() || listener.is_object() {
        return Ok(());
    }
    Err(to_js(mapi_err!(
        InvalidParameter,
        "{what}: the listener must be a function or an object with handleEvent, got {}",
        describe(listener)
    )))
}

fn event_type(v: &JsValue) -> JsResult<String> {
    let t = convert::expect_string("event type", v)?;
    if !events::TYPES.contains(&t.as_str()) {
        return Err(to_js(mapi_err!(
            InvalidParameter,
            "unknown event type {}; the store fires {}",
            crate::props::names::shown(&t),
            events::TYPES.join(", ")
        )));
    }
    Ok(t)
}

/// Rust-only seams for the spooler and the wasm tests (not exported to JS).
impl Store {
    /// The atomic check-and-lock of one queued message (`transitions::lock`).
    #[doc(hidden)]
    pub async fn lock_message(
        &self,
        entry_id: &str,
        owner: &str,
        now: f64,
        lease_ms: f64,
    ) -> JsResult<()> {
        let id = self.inner.entry_id("entryId", &entry_id.into())?;
        self.inner
            .backend()?
            .lock(id, owner, now as i64, lease_ms as i64, &[])
            .await
            .js()
            .map(drop)
    }

    /// Waits for the spooler leadership of this store's database (None: a memory store,
    /// which is never shared).
    #[doc(hidden)]
    pub async fn lead(&self, owner: &str) -> JsResult<Option<Leadership>> {
        self.inner.backend()?.lead(owner).await.js()
    }

    /// The leadership through the lease fallback used where `navigator.locks` is missing.
    #[doc(hidden)]
    pub async fn lead_with_lease(&self, owner: &str) -> JsResult<Option<Leadership>> {
        match self.inner.backend()? {
            Backend::IndexedDb(db) => db.lead_with_lease(owner).await.map(Some).js(),
            Backend::Memory(_) => Ok(None),
        }
    }
}
