//! The spooler leadership of one database: at most one store object (in any tab) holds it.
//! A Web Lock named after the database where `navigator.locks` exists (released by the
//! browser when the tab dies); elsewhere a lease record in the database (`leases` store)
//! that the holder renews every third of its lease, and that another tab may take once it
//! has expired (the decisions are plain Rust: `crate::lease`).
//!
//! For the spooler: `let l = store.lead(owner).await?; ... l.release().await;`

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::request::sleep;
use super::schema::LEASES;
use super::tx::Tx;
use super::IdbStore;
use crate::error::Result;
use crate::lease::{self, Lease};
use crate::mapi_err;

/// Lease length of the fallback: a dead tab's leadership passes on after at most this long.
pub const LEASE_MS: i64 = 10_000;
/// How often a waiting tab looks at the lease of the fallback.
const POLL_MS: i64 = 250;

/// The Web Lock / lease name for database `db`.
pub fn lock_name(db: &str) -> String {
    format!("mapi-outbox-spooler:{db}")
}

enum How {
    /// Resolving this function ends the lock callback's promise, which releases the lock.
    WebLock(js_sys::Function),
    Lease {
        db: web_sys::IdbDatabase,
        name: String,
        owner: String,
    },
}

/// Held leadership. Dropping it without `release` keeps a Web Lock until the page goes, and
/// lets a lease run out.
pub struct Leadership {
    how: RefCell<Option<How>>,
    held: Rc<Cell<bool>>,
}

fn deferred() -> (js_sys::Promise, js_sys::Function, js_sys::Function) {
    let mut fns = (JsValue::UNDEFINED, JsValue::UNDEFINED);
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        fns = (resolve.into(), reject.into());
    });
    (p, fns.0.unchecked_into(), fns.1.unchecked_into())
}

fn web_locks() -> Option<(JsValue, js_sys::Function)> {
    let nav = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = js_sys::Reflect::get(&nav, &"locks".into()).ok()?;
    if !locks.is_object() {
        return None;
    }
    let request = js_sys::Reflect::get(&locks, &"request".into()).ok()?;
    Some((locks, request.dyn_into().ok()?))
}

fn read_lease(v: &JsValue) -> Option<Lease> {
    let owner = js_sys::Reflect::get(v, &"owner".into()).ok()?.as_string()?;
    let until = js_sys::Reflect::get(v, &"until".into()).ok()?.as_f64()? as i64;
    Some(Lease { owner, until })
}

/// One lease transaction: take or renew (`Ok(None)`), or say when to try again.
async fn try_lease(db: &web_sys::IdbDatabase, name: &str, owner: &str) -> Result<Option<i64>> {
    let tx = Tx::begin(
        db,
        &[LEASES],
        true,
        format!("taking the spooler lease {name:?}"),
    )?;
    let store = tx.store(LEASES)?;
    let existing = read_lease(&tx.get(&store, &name.into()).await?);
    match lease::take(
        existing.as_ref(),
        owner,
        js_sys::Date::now() as i64,
        LEASE_MS,
    ) {
        Ok(l) => {
            let o = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&o, &"owner".into(), &l.owner.as_str().into());
            let _ = js_sys::Reflect::set(&o, &"until".into(), &(l.until as f64).into());
            tx.put_at(&store, &o, &name.into())?;
            tx.commit().await?;
            Ok(None)
        }
        Err(until) => Ok(Some(until)),
    }
}

impl IdbStore {
    /// Waits until this store object leads the spooling of its database. `owner` names this
    /// spooler (unique per store object).
    pub async fn lead(&self, owner: &str) -> Result<Leadership> {
        match web_locks() {
            Some((locks, request)) => self.lead_with_web_lock(&locks, &request).await,
            None => self.lead_with_lease(owner).await,
        }
    }

    async fn lead_with_web_lock(
        &self,
        locks: &JsValue,
        request: &js_sys::Function,
    ) -> Result<Leadership> {
        self.db()?;
        let name = lock_name(self.name());
        let (granted, on_granted, on_failed) = deferred();
        let (held_until, release, _) = deferred();
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = on_granted.call0(&JsValue::UNDEFINED);
            held_until.into()
        });
        let pending = request
            .call2(locks, &name.as_str().into(), &callback)
            .map_err(|e| super::error::dom_error("requesting the spooler lock", &e))?;
        // If the request fails before granting, fail the wait instead of hanging.
        if let Ok(then) = js_sys::Reflect::get(&pending, &"then".into()) {
            if let Some(then) = then.dyn_ref::<js_sys::Function>() {
                let _ = then.call2(&pending, &JsValue::UNDEFINED, &on_failed);
            }
        }
        JsFuture::from(granted)
            .await
            .map_err(|e| super::error::dom_error("requesting the spooler lock", &e))?;
        Ok(Leadership {
            how: RefCell::new(Some(How::WebLock(release))),
            held: Rc::new(Cell::new(true)),
        })
    }

    /// The fallback where `navigator.locks` is missing (public so that it is tested in
    /// browsers that have Web Locks too).
    pub async fn lead_with_lease(&self, owner: &str) -> Result<Leadership> {
        let name = lock_name(self.name());
        let db = self.db()?.clone();
        loop {
            match try_lease(&db, &name, owner).await? {
                None => break,
                Some(until) => {
                    // Poll rather than sleep to the expiry: a released lease is gone at once.
                    let wait = (until - js_sys::Date::now() as i64).clamp(10, POLL_MS);
                    sleep(wait as f64)
                        .await
                        .map_err(|_| mapi_err!(CallFailed, "timer failed"))?;
                    self.db()?;
                }
            }
        }
        let held = Rc::new(Cell::new(true));
        {
            let (held, db, name, owner) =
                (held.clone(), db.clone(), name.clone(), owner.to_string());
            wasm_bindgen_futures::spawn_local(async move {
                loop {
                    let _ = sleep((LEASE_MS / 3) as f64).await;
                    if !held.get() {
                        break;
                    }
                    if !matches!(try_lease(&db, &name, &owner).await, Ok(None)) {
                        held.set(false);
                        break;
                    }
                }
            });
        }
        Ok(Leadership {
            how: RefCell::new(Some(How::Lease {
                db,
                name,
                owner: owner.to_string(),
            })),
            held,
        })
    }
}

impl Leadership {
    /// False once released, or once a lease could not be renewed (another tab may lead now).
    pub fn is_held(&self) -> bool {
        self.held.get()
    }

    pub async fn release(&self) -> Result<()> {
        self.held.set(false);
        let how = self.how.borrow_mut().take();
        match how {
            None => Ok(()),
            Some(How::WebLock(release)) => {
                let _ = release.call0(&JsValue::UNDEFINED);
                Ok(())
            }
            Some(How::Lease { db, name, owner }) => {
                let tx = Tx::begin(
                    &db,
                    &[LEASES],
                    true,
                    format!("releasing the spooler lease {name:?}"),
                )?;
                let store = tx.store(LEASES)?;
                let existing = read_lease(&tx.get(&store, &name.as_str().into()).await?);
                if lease::may_release(existing.as_ref(), &owner) {
                    tx.delete(&store, &name.as_str().into())?;
                }
                tx.commit().await
            }
        }
    }
}

/// The Web Lock a spooler holds for as long as it lives: while a message it locked shows a
/// lease, another spooler that is granted this lock knows the holder died (its tab closed or
/// its worker stopped) and takes the message again at once (SPEC §6).
pub fn sender_lock_name(db: &str, owner: &str) -> String {
    format!("mapi-outbox-sender:{db}:{owner}")
}

/// Takes this spooler's sender lock and keeps it until the returned function is called (or
/// the page goes). None where Web Locks are missing or refuse the request.
pub async fn hold_sender_lock(db: &str, owner: &str) -> Option<js_sys::Function> {
    let (locks, request) = web_locks()?;
    let (granted, on_granted, on_failed) = deferred();
    let (held_until, release, _) = deferred();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = on_granted.call0(&JsValue::UNDEFINED);
        held_until.into()
    });
    let pending = request
        .call2(&locks, &sender_lock_name(db, owner).into(), &callback)
        .ok()?;
    if let Ok(then) = js_sys::Reflect::get(&pending, &"then".into()) {
        if let Some(then) = then.dyn_ref::<js_sys::Function>() {
            let _ = then.call2(&pending, &JsValue::UNDEFINED, &on_failed);
        }
    }
    JsFuture::from(granted).await.ok()?;
    Some(release)
}

/// Calls `on_dead` once the spooler `owner` has died: its sender lock is then granted to
/// this request (released again at once). Returns false where Web Locks are missing.
pub fn watch_holder(db: &str, owner: &str, on_dead: impl FnOnce() + 'static) -> bool {
    let Some((locks, request)) = web_locks() else {
        return false;
    };
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        on_dead();
    });
    let Ok(pending) = request.call2(&locks, &sender_lock_name(db, owner).into(), &callback) else {
        return false;
    };
    // A request cut off by the page going away rejects: nothing to do then.
    let ignore = Closure::once_into_js(|_e: JsValue| {});
    if let Ok(then) = js_sys::Reflect::get(&pending, &"then".into()) {
        if let Some(then) = then.dyn_ref::<js_sys::Function>() {
            let _ = then.call2(&pending, &JsValue::UNDEFINED, &ignore);
        }
    }
    true
}
