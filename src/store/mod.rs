//! The store: folders, stored message records, the pure state transitions that decide
//! every change (save, submit, abort, delete, lock), and the memory backend that applies
//! them. A browser backend applies the same transitions in one IndexedDB transaction each.

pub mod codec;
pub mod due;
mod event;
mod folder;
mod memory;
mod record;
pub mod repair;
pub mod rows;
pub mod tombstones;
pub mod transitions;

pub use event::Event;
pub use folder::Folder;
pub use memory::{borrowed as borrow_memory, MemoryStore};
pub use record::{StoredMessage, Summary};
pub use tombstones::FINISHED_KEPT;
pub use transitions::{Destination, Finished, Limits, Progress, SubmitInput};
