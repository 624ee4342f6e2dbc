//! Opening the database: the factory looked up through the global object (Node has none:
//! TOOLCHAIN trap 11), `upgradeneeded` (schema.rs), `blocked` (another connection that does
//! not close for our upgrade: wait a while, then fail rather than hang), and the store uid.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{dom_error, OrDom};
use super::request::{request, sleep, First, Race};
use super::schema;
use super::tx::Tx;
use crate::entry_id::{hex, StoreUid};
use crate::error::{Error, Result};
use crate::{bail, mapi_err};

/// How long an open may stay blocked by another tab's connection before it fails.
const BLOCKED_TIMEOUT_MS: f64 = 5_000.0;

pub fn factory() -> Result<web_sys::IdbFactory> {
    let v =
        js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        bail!(
            NoSupport,
            "options.backend \"indexeddb\": this environment has no IndexedDB \
             (globalThis.indexedDB is missing; Node has none); use backend \"memory\" here"
        );
    }
    v.dyn_into::<web_sys::IdbFactory>().map_err(|_| {
        mapi_err!(
            NoSupport,
            "options.backend \"indexeddb\": globalThis.indexedDB is not an IDBFactory"
        )
    })
}

/// Opens (creating or upgrading) database `name`.
pub async fn open_database(name: &str, new_uid: [u8; 16]) -> Result<web_sys::IdbDatabase> {
    open_at(name, schema::VERSION, new_uid, BLOCKED_TIMEOUT_MS).await
}

/// Opens database `name` at `version`; an upgrade blocked by another connection for longer
/// than `blocked_timeout_ms` fails (and is aborted if it gets through later).
async fn open_at(
    name: &str,
    version: u32,
    new_uid: [u8; 16],
    blocked_timeout_ms: f64,
) -> Result<web_sys::IdbDatabase> {
    let what = format!("opening IndexedDB database {name:?}");
    let req = factory()?.open_with_u32(name, version).dom(&what)?;

    let upgrade_error: Rc<RefCell<Option<Error>>> = Rc::default();
    let on_upgrade = {
        let req = req.clone();
        let upgrade_error = upgrade_error.clone();
        Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
            move |ev: web_sys::IdbVersionChangeEvent| {
                let result = (|| {
                    let db: web_sys::IdbDatabase = req
                        .result()
                        .and_then(|d| d.dyn_into())
                        .dom("upgrading the database")?;
                    let tx = req.transaction().ok_or_else(|| {
                        mapi_err!(CallFailed, "upgrading the database: no upgrade transaction")
                    })?;
                    let r = schema::upgrade(&db, &tx, ev.old_version() as u32, new_uid);
                    if r.is_err() {
                        let _ = tx.abort();
                    }
                    r
                })();
                if let Err(e) = result {
                    *upgrade_error.borrow_mut() = Some(e);
                }
            },
        )
    };
    req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let blocked_at: Rc<Cell<Option<f64>>> = Rc::default();
    let on_blocked = {
        let blocked_at = blocked_at.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            blocked_at.set(Some(js_sys::Date::now()));
        })
    };
    req.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));

    let mut opened = request(&req);
    let outcome = loop {
        match Race(&mut opened, sleep(250.0)).await {
            First::A(outcome) => break Some(outcome),
            First::B(_) => {
                if blocked_at
                    .get()
                    .is_some_and(|t| js_sys::Date::now() - t > blocked_timeout_ms)
                {
                    break None;
                }
            }
        }
    };
    drop(opened);
    req.set_onupgradeneeded(None);
    req.set_onblocked(None);
    let Some(outcome) = outcome else {
        // The request stays queued: if the other connection closes later, it would upgrade
        // the database with nobody here to migrate it. Abort that upgrade (the database
        // keeps its old version; the next open upgrades it properly), and close a
        // connection that opens anyway.
        let abort_upgrade = Closure::once_into_js({
            let req = req.clone();
            move || {
                if let Some(tx) = req.transaction() {
                    let _ = tx.abort();
                }
            }
        });
        let _ = js_sys::Reflect::set(&req, &"onupgradeneeded".into(), &abort_upgrade);
        let _ = js_sys::Reflect::set(
            &req,
            &"onerror".into(),
            &Closure::once_into_js(|ev: web_sys::Event| ev.prevent_default()),
        );
        let late = Closure::once_into_js({
            let req = req.clone();
            move || {
                if let Ok(db) = req
                    .result()
                    .and_then(|d| d.dyn_into::<web_sys::IdbDatabase>())
                {
                    db.close();
                }
            }
        });
        let _ = js_sys::Reflect::set(&req, &"onsuccess".into(), &late);
        bail!(
            CallFailed,
            "{what}: another tab keeps the database open at an older version and does not close \
             it; close the other tabs of this site and try again"
        );
    };
    if let Some(e) = upgrade_error.borrow_mut().take() {
        return Err(e);
    }
    let db = outcome.map_err(|e| dom_error(&what, &e))?;
    db.dyn_into::<web_sys::IdbDatabase>()
        .map_err(|_| mapi_err!(CallFailed, "{what}: the result is not a database"))
}

/// Checks that the database is a mapi-outbox store and reads its uid.
pub async fn read_uid(
    db: &web_sys::IdbDatabase,
    name: &str,
    new_uid: [u8; 16],
) -> Result<StoreUid> {
    let names = db.object_store_names();
    for s in [
        schema::MESSAGES,
        schema::BLOBS,
        schema::META,
        schema::FINISHED,
        schema::LEASES,
    ] {
        if !names.contains(s) {
            bail!(
                CallFailed,
                "IndexedDB database {name:?} is not a mapi-outbox store (it has no {s:?} object \
                 store); choose another options.name"
            );
        }
    }
    let tx = Tx::begin(
        db,
        &[schema::META],
        false,
        format!("reading the store uid of {name:?}"),
    )?;
    let meta = tx
        .get(&tx.store(schema::META)?, &schema::META_KEY.into())
        .await?;
    if let Some(uid) = readable_meta(&meta) {
        return Ok(uid);
    }
    drop(tx);
    repair_meta(db, name, new_uid).await
}

/// The uid of a meta record whose uid and change sequence are both readable.
fn readable_meta(meta: &JsValue) -> Option<StoreUid> {
    let seq_ok = js_sys::Reflect::get(meta, &"seq".into())
        .ok()
        .and_then(|v| v.as_f64())
        .is_some_and(|s| s.is_finite() && s >= 0.0);
    let uid = js_sys::Reflect::get(meta, &"uid".into())
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|h| parse_uid(&h))?;
    seq_ok.then_some(uid)
}

/// A damaged meta record is rebuilt from the messages (`store::repair`), in one readwrite
/// transaction that looks again first (another tab may have repaired it meanwhile), and the
/// repair is said in the console. The messages stay where they are.
async fn repair_meta(db: &web_sys::IdbDatabase, name: &str, new_uid: [u8; 16]) -> Result<StoreUid> {
    let what = format!("repairing the damaged meta record of {name:?}");
    let tx = Tx::begin(db, &[schema::META, schema::MESSAGES], true, what.clone())?;
    let meta_store = tx.store(schema::META)?;
    let meta = tx.get(&meta_store, &schema::META_KEY.into()).await?;
    if let Some(uid) = readable_meta(&meta) {
        return Ok(uid);
    }
    let list = tx.get_all(tx.store(schema::MESSAGES)?.get_all()).await?;
    let mut keys = Vec::new();
    let mut max_seq = 0u64;
    for v in list.iter() {
        if let Some(k) = js_sys::Reflect::get(&v, &"id".into())
            .ok()
            .and_then(|k| k.as_string())
        {
            keys.push(k);
        }
        for field in ["seq", "qseq"] {
            let n = js_sys::Reflect::get(&v, &field.into())
                .ok()
                .and_then(|n| n.as_f64())
                .filter(|n| n.is_finite() && *n >= 0.0);
            if let Some(n) = n {
                max_seq = max_seq.max(n as u64);
            }
        }
    }
    let repair =
        crate::store::repair::repair_meta(name, keys.iter().map(String::as_str), max_seq, new_uid);
    let m = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&m, &"uid".into(), &hex(&repair.uid.0).into());
    let _ = js_sys::Reflect::set(&m, &"seq".into(), &(repair.seq as f64).into());
    tx.put_at(&meta_store, &m, &schema::META_KEY.into())?;
    tx.commit().await?;
    console_warn(&format!("mapi-outbox: {}", repair.note));
    Ok(repair.uid)
}

fn console_warn(text: &str) {
    let warn = js_sys::Reflect::get(&js_sys::global(), &"console".into())
        .and_then(|c| js_sys::Reflect::get(&c, &"warn".into()).map(|w| (c, w)));
    if let Ok((console, warn)) = warn {
        if let Some(f) = warn.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&console, &text.into());
        }
    }
}

fn parse_uid(h: &str) -> Option<StoreUid> {
    if h.len() != 32 || !h.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(StoreUid(out))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    async fn version_of(name: &str) -> u32 {
        // Opening without a version never upgrades: it reports the current one.
        let req = factory().unwrap().open(name).unwrap();
        let db: web_sys::IdbDatabase = request(&req).await.unwrap().dyn_into().unwrap();
        let v = db.version() as u32;
        db.close();
        v
    }

    /// A connection that never closes for an upgrade (a tab running an older version
    /// without a versionchange handler) makes the upgrade fail in bounded time with a
    /// message that says what to do; the abandoned upgrade does not happen behind our back
    /// when that connection closes later; the next open upgrades.
    #[wasm_bindgen_test]
    async fn an_upgrade_blocked_by_a_connection_that_never_closes_fails_in_time_and_is_not_done_later(
    ) {
        let name = format!("blocked-{}", js_sys::Math::random());
        let uid = [7u8; 16];
        let old = open_at(&name, 1, uid, 300.0).await.unwrap();
        let started = js_sys::Date::now();
        let err = open_at(&name, 2, uid, 300.0).await.unwrap_err();
        let waited = js_sys::Date::now() - started;
        assert_eq!(err.code, crate::MapiCode::CallFailed);
        assert!(
            err.message.contains("another tab keeps the database open"),
            "{}",
            err.message
        );
        assert!((300.0..5_000.0).contains(&waited), "waited {waited} ms");
        old.close();
        sleep(100.0).await.unwrap();
        assert_eq!(
            version_of(&name).await,
            1,
            "the abandoned upgrade was aborted"
        );
        let db = open_at(&name, 2, uid, 300.0).await.unwrap();
        assert_eq!(db.version() as u32, 2);
        db.close();
        let _ = factory().unwrap().delete_database(&name);
    }
}
