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

/// Opens (creating or upgrading) database `name`, and reads its store uid: from the meta
/// record, or, when this open created the database, the `new_uid` its upgrade wrote (no read
/// transaction: one round trip less on a first start).
pub async fn open_database(
    name: &str,
    new_uid: [u8; 16],
) -> Result<(web_sys::IdbDatabase, StoreUid)> {
    let (db, created) = open_at(name, schema::VERSION, new_uid, BLOCKED_TIMEOUT_MS).await?;
    let uid = if created {
        StoreUid(new_uid)
    } else {
        match read_uid(&db, name, new_uid).await {
            Ok(uid) => uid,
            Err(e) => {
                db.close();
                return Err(e);
            }
        }
    };
    Ok((db, uid))
}

/// Opens database `name` at `version`; an upgrade blocked by another connection for longer
/// than `blocked_timeout_ms` fails (and is aborted if it gets through later). Also says
/// whether this open created the database (its upgrade ran from version 0 and committed).
async fn open_at(
    name: &str,
    version: u32,
    new_uid: [u8; 16],
    blocked_timeout_ms: f64,
) -> Result<(web_sys::IdbDatabase, bool)> {
    let what = format!("opening IndexedDB database {name:?}");
    let req = factory()?.open_with_u32(name, version).dom(&what)?;

    let upgrade_error: Rc<RefCell<Option<Error>>> = Rc::default();
    let created: Rc<Cell<bool>> = Rc::default();
    let on_upgrade = {
        let req = req.clone();
        let upgrade_error = upgrade_error.clone();
        let created = created.clone();
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
                    } else {
                        created.set(ev.old_version() < 1.0);
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
    let db = db
        .dyn_into::<web_sys::IdbDatabase>()
        .map_err(|_| mapi_err!(CallFailed, "{what}: the result is not a database"))?;
    // `success` comes after the upgrade transaction committed: the meta record it wrote is there.
    Ok((db, created.get()))
}

/// Checks that the database is a mapi-outbox store and reads its uid.
async fn read_uid(db: &web_sys::IdbDatabase, name: &str, new_uid: [u8; 16]) -> Result<StoreUid> {
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

    /// The first open creates the database and takes the uid its upgrade wrote without
    /// reading it back; every later open reads that same uid from the meta record (so entry
    /// ids made before and after a reload belong to one store).
    #[wasm_bindgen_test]
    async fn the_uid_a_first_open_takes_is_the_one_later_opens_read() {
        let name = format!("uid-{}", js_sys::Math::random());
        let (db, first) = open_database(&name, [3u8; 16]).await.unwrap();
        assert_eq!(first.0, [3u8; 16], "created: the new uid");
        db.close();
        let (db, again) = open_database(&name, [9u8; 16]).await.unwrap();
        assert_eq!(
            again.0, [3u8; 16],
            "reopened: the stored uid, not the new one offered"
        );
        db.close();
        let _ = factory().unwrap().delete_database(&name);
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
        let (old, _) = open_at(&name, 1, uid, 300.0).await.unwrap();
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
        let (db, created) = open_at(&name, 2, uid, 300.0).await.unwrap();
        assert!(!created, "an upgrade from version 1 is not a creation");
        assert_eq!(db.version() as u32, 2);
        db.close();
        let _ = factory().unwrap().delete_database(&name);
    }
}
