//! The database layout, and `upgradeneeded`: creating it, and migrating older versions.
//!
//! Version 1:
//! - `messages` (key path `id`, the entry id in hex): `{ id, format, folder, seq, qseq?,
//!   meta, blob }`, see `record.rs`. Indexes `byFolder` on `[folder, seq]` (folder views,
//!   newest first) and `byQueue` on `qseq` (the outgoing queue in submit order; only queued
//!   messages have `qseq`).
//! - `meta`: key `"store"` → `{ uid, seq }`: the store uid every entry id embeds (made once,
//!   in the upgrade transaction, so every tab of the database shares it) and the store-wide
//!   change sequence.
//! - `finished`: key = entry id in hex → `{ at }`: ids whose send was finished (abort of them
//!   answers MAPI_E_NOT_IN_QUEUE), bounded by `store::tombstones` (the most recent 4,096,
//!   pruned in the finishing transaction once 256 more have piled up).
//! - `leases`: key = lease name → `{ owner, until }`: the spooler leadership where the
//!   platform has no Web Locks.

use wasm_bindgen::prelude::*;

use super::error::OrDom;
use crate::entry_id::hex;
use crate::error::Result;

pub const VERSION: u32 = 1;
pub const MESSAGES: &str = "messages";
/// Content blobs, by entry id, apart from the records so that listing a folder or the queue
/// never reads a message's content (attachments can be megabytes).
pub const BLOBS: &str = "blobs";
pub const META: &str = "meta";
pub const FINISHED: &str = "finished";
pub const LEASES: &str = "leases";
pub const BY_FOLDER: &str = "byFolder";
pub const BY_QUEUE: &str = "byQueue";
pub const META_KEY: &str = "store";

/// Runs inside the versionchange transaction, synchronously.
pub fn upgrade(
    db: &web_sys::IdbDatabase,
    tx: &web_sys::IdbTransaction,
    old_version: u32,
    new_uid: [u8; 16],
) -> Result<()> {
    let what = "creating the mapi-outbox database";
    if old_version < 1 {
        let p = web_sys::IdbObjectStoreParameters::new();
        p.set_key_path(&JsValue::from_str("id"));
        let messages = db
            .create_object_store_with_optional_parameters(MESSAGES, &p)
            .dom(what)?;
        let by_folder = js_sys::Array::of2(&"folder".into(), &"seq".into());
        messages
            .create_index_with_str_sequence(BY_FOLDER, &by_folder)
            .dom(what)?;
        messages.create_index_with_str(BY_QUEUE, "qseq").dom(what)?;
        db.create_object_store(BLOBS).dom(what)?;
        let meta = db.create_object_store(META).dom(what)?;
        db.create_object_store(FINISHED).dom(what)?;
        db.create_object_store(LEASES).dom(what)?;
        let m = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&m, &"uid".into(), &hex(&new_uid).into());
        let _ = js_sys::Reflect::set(&m, &"seq".into(), &0.into());
        meta.put_with_key(&m, &META_KEY.into()).dom(what)?;
    }
    // Later versions migrate here, in the same transaction (`tx`), from `old_version` up.
    let _ = tx;
    Ok(())
}
