//! A stored message as the JS object IndexedDB keeps: the plain-Rust `codec` decides the
//! bytes; this file only moves them in and out of a JS object.
//!
//! `{ id, format, folder, seq, qseq?, meta: Uint8Array }` in `messages`; the content blob
//! is kept apart, in `blobs`, under the same key.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::Result;
use crate::mapi_err;
use crate::store::codec::{self, META_FORMAT};
use crate::store::StoredMessage;

fn set(o: &js_sys::Object, k: &str, v: &JsValue) {
    let _ = js_sys::Reflect::set(o, &k.into(), v);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn to_js(rec: &StoredMessage) -> Result<JsValue> {
    let p = codec::to_parts(rec)?;
    let o = js_sys::Object::new();
    set(&o, "id", &p.key.as_str().into());
    set(&o, "format", &(META_FORMAT as f64).into());
    set(&o, "folder", &(p.folder as f64).into());
    set(&o, "seq", &(p.changed_seq as f64).into());
    if let Some(q) = p.queue_seq {
        set(&o, "qseq", &(q as f64).into());
    }
    set(&o, "meta", &js_sys::Uint8Array::from(&p.meta[..]).into());
    Ok(o.into())
}

fn bytes(o: &JsValue, k: &str) -> Option<Vec<u8>> {
    get(o, k)
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// `key` names the message in errors. `undefined` (no record) is None. `blob` is the
/// content from `blobs` (empty where only the metadata was read: the listings).
pub fn from_js(key: &str, v: &JsValue, blob: Vec<u8>) -> Result<Option<StoredMessage>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let meta = bytes(v, "meta").ok_or_else(|| {
        mapi_err!(
            CorruptData,
            "the stored record of message {key} is damaged (no metadata); delete the message"
        )
    })?;
    codec::from_parts(key, &meta, blob).map(Some)
}

/// A content blob as IndexedDB keeps it.
pub fn blob_to_js(blob: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(blob).into()
}

/// A content blob read from `blobs` (`undefined` when there is none).
pub fn blob_from_js(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<js_sys::Uint8Array>().map(|a| a.to_vec())
}
