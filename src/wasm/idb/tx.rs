//! One IndexedDB transaction: state changes are `readwrite` with durability `"strict"` (an
//! fsync before `complete`: Chromium's default is `"relaxed"`, TOOLCHAIN trap 13). Reads are
//! awaited with `request::request`; writes are issued without waiting, since any failure
//! aborts the whole transaction and shows in `commit`. A write transaction dropped without
//! `commit` is aborted, so an early return (a transition said no) writes nothing.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{dom_error, OrDom};
use super::request::{done, request, EventFuture};
use crate::error::Result;

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase` seen through `transaction(names, mode, options)`, which web-sys has
    /// only behind `web_sys_unstable_apis`.
    type DbWithOptions;
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &DbWithOptions,
        names: &js_sys::Array,
        mode: &str,
        options: &JsValue,
    ) -> std::result::Result<web_sys::IdbTransaction, JsValue>;
}

pub struct Tx {
    tx: web_sys::IdbTransaction,
    done: Option<EventFuture>,
    write: bool,
    what: String,
}

impl Tx {
    /// `what` names the operation in errors ("submit of message …").
    pub fn begin(
        db: &web_sys::IdbDatabase,
        stores: &[&str],
        write: bool,
        what: String,
    ) -> Result<Tx> {
        let names: js_sys::Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let options = js_sys::Object::new();
        let durability = if write { "strict" } else { "default" };
        let _ = js_sys::Reflect::set(&options, &"durability".into(), &durability.into());
        let mode = if write { "readwrite" } else { "readonly" };
        let tx = db
            .unchecked_ref::<DbWithOptions>()
            .transaction_with_options(&names, mode, &options)
            .dom(&what)?;
        let done = done(&tx);
        Ok(Tx {
            tx,
            done: Some(done),
            write,
            what,
        })
    }

    pub fn store(&self, name: &str) -> Result<web_sys::IdbObjectStore> {
        self.tx.object_store(name).dom(&self.what)
    }

    pub async fn get(&self, store: &web_sys::IdbObjectStore, key: &JsValue) -> Result<JsValue> {
        let req = store.get(key).dom(&self.what)?;
        request(&req).await.map_err(|e| dom_error(&self.what, &e))
    }

    /// Starts a `get` now and returns its result to await later, so that several requests
    /// of one transaction are in flight at once (one round trip instead of one each).
    pub fn start_get(&self, store: &web_sys::IdbObjectStore, key: &JsValue) -> Result<EventFuture> {
        let req = store.get(key).dom(&self.what)?;
        Ok(request(&req))
    }

    /// The result of a request started with `start_get`.
    pub async fn result(&self, started: EventFuture) -> Result<JsValue> {
        started.await.map_err(|e| dom_error(&self.what, &e))
    }

    pub async fn get_all(
        &self,
        req: std::result::Result<web_sys::IdbRequest, JsValue>,
    ) -> Result<js_sys::Array> {
        let req = req.dom(&self.what)?;
        let v = request(&req).await.map_err(|e| dom_error(&self.what, &e))?;
        Ok(js_sys::Array::from(&v))
    }

    /// The result of a request (a count, say) as it is.
    pub async fn get_value(
        &self,
        req: std::result::Result<web_sys::IdbRequest, JsValue>,
    ) -> Result<JsValue> {
        let req = req.dom(&self.what)?;
        request(&req).await.map_err(|e| dom_error(&self.what, &e))
    }

    pub fn put(&self, store: &web_sys::IdbObjectStore, value: &JsValue) -> Result<()> {
        store.put(value).dom(&self.what).map(drop)
    }

    pub fn put_at(
        &self,
        store: &web_sys::IdbObjectStore,
        value: &JsValue,
        key: &JsValue,
    ) -> Result<()> {
        store.put_with_key(value, key).dom(&self.what).map(drop)
    }

    pub fn delete(&self, store: &web_sys::IdbObjectStore, key: &JsValue) -> Result<()> {
        store.delete(key).dom(&self.what).map(drop)
    }

    /// Waits until the transaction has committed (durably, for a write).
    pub async fn commit(mut self) -> Result<()> {
        let Some(done) = self.done.take() else {
            return Ok(());
        };
        // Ask for the commit now rather than after the event loop notices no request is left.
        if let Ok(f) = js_sys::Reflect::get(&self.tx, &"commit".into()) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call0(&self.tx);
            }
        }
        done.await.map(drop).map_err(|e| dom_error(&self.what, &e))
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.write && self.done.is_some() {
            // Throws when it already ended: nothing to undo then.
            let _ = self.tx.abort();
        }
    }
}
