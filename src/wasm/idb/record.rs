//! A stored message as the JS object IndexedDB keeps: the plain-Rust `codec` decides the
//! bytes; this file only moves them in and out of a JS object.
//!
//! `{ id, format, folder, seq, qseq?, meta: Uint8Array, blob: Uint8Array }`

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

pub fn to_js(rec: &StoredMessage) -> JsValue {
    let p = codec::to_parts(rec);
    let o = js_sys::Object::new();
    set(&o, "id", &p.key.as_str().into());
    set(&o, "format", &(META_FORMAT as f64).into());
    set(&o, "folder", &(p.folder as f64).into());
    set(&o, "seq", &(p.changed_seq as f64).into());
    if let Some(q) = p.queue_seq {
        set(&o, "qseq", &(q as f64).into());
    }
    set(&o, "meta", &js_sys::Uint8Array::from(&p.meta[..]).into());
    set(&o, "blob", &js_sys::Uint8Array::from(&p.blob[..]).into());
    o.into()
}

fn bytes(o: &JsValue, k: &str) -> Option<Vec<u8>> {
    get(o, k)
        .dyn_into::<js_sys::Uint8Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// `key` names the message in errors. `undefined` (no record) is None.
pub fn from_js(key: &str, v: &JsValue) -> Result<Option<StoredMessage>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let meta = bytes(v, "meta").ok_or_else(|| {
        mapi_err!(
            CorruptData,
            "the stored record of message {key} is damaged (no metadata); delete the message"
        )
    })?;
    let blob = bytes(v, "blob").unwrap_or_default();
    codec::from_parts(key, &meta, blob).map(Some)
}

/// Replaces the content blob of a raw record object (corruptRecordForTesting).
pub fn set_blob(v: &JsValue, blob: &[u8]) {
    set(
        v.unchecked_ref(),
        "blob",
        &js_sys::Uint8Array::from(blob).into(),
    );
}

pub fn blob_of(v: &JsValue) -> Option<Vec<u8>> {
    bytes(v, "blob")
}
