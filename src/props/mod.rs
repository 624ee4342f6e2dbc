//! The property system: tags and their types, the canonical names, values, bags, and
//! the rules a value must pass before a message accepts it.

mod bag;
pub mod names;
pub mod rules;
mod tag;
mod value;

pub use bag::PropBag;
pub use names::{key_for_tag, parse_key};
pub use tag::{PropTag, PropType};
pub use value::{long_from_f64, systime_from_f64, Bytes, PropValue};
