//! mapi-outbox: the MAPI message-submission model (compose, save, submit into a durable
//! outgoing queue, undo send, spooler hand-over) for browser mail front-ends.
//!
//! The core (everything but `wasm`) is plain Rust with no JavaScript in it: the message
//! model, the property system, record encoding with checksums, the queue's state
//! transitions and the memory backend. The `wasm` module is the thin binding layer, the
//! only code that touches wasm-bindgen and js-sys.

pub mod entry_id;
pub mod error;
pub mod lease;
pub mod message;
pub mod mime;
pub mod num;
pub mod object;
pub mod props;
pub mod queue;
pub mod record;
pub mod spool;
pub mod store;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use entry_id::{EntryId, StoreUid};
pub use error::{Error, MapiCode, Result};
