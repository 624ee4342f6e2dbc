//! IndexedDB failures (DOMExceptions, aborted transactions) as MapiErrors, in one place.

use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::mapi_err;

fn field(v: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(v, &key.into()).ok()?.as_string()
}

/// `what` says what was being done ("submit of message …", "opening database \"x\"").
pub fn dom_error(what: &str, e: &JsValue) -> Error {
    let name = field(e, "name").unwrap_or_default();
    let msg = field(e, "message").unwrap_or_default();
    let detail = if name.is_empty() && msg.is_empty() {
        "the transaction was aborted".to_string()
    } else {
        format!("{name}: {msg}")
    };
    match name.as_str() {
        "QuotaExceededError" => mapi_err!(
            NotEnoughDisk,
            "{what}: the IndexedDB quota of this origin is exhausted ({detail}); nothing was \
             written, earlier data is intact"
        ),
        "VersionError" => mapi_err!(
            NoSupport,
            "{what}: the database was made by a newer version of mapi-outbox ({detail})"
        ),
        _ => mapi_err!(CallFailed, "{what}: IndexedDB failed ({detail})"),
    }
}

/// A synchronous IndexedDB call threw.
pub trait OrDom<T> {
    fn dom(self, what: &str) -> Result<T, Error>;
}

impl<T> OrDom<T> for Result<T, JsValue> {
    fn dom(self, what: &str) -> Result<T, Error> {
        self.map_err(|e| dom_error(what, &e))
    }
}
