//! The store: folders, stored message records, the pure state transitions that decide
//! every change (save, submit, abort, delete, lock), and the memory backend that applies
//! them. A browser backend applies the same transitions in one IndexedDB transaction each.

mod folder;
mod memory;
mod record;
pub mod rows;
pub mod transitions;

pub use folder::Folder;
pub use memory::{Event, MemoryStore};
pub use record::{StoredMessage, Summary};
pub use transitions::{Limits, SubmitInput};
