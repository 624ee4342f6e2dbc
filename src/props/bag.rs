use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{PropTag, PropValue};

/// A set of properties keyed by tag, in tag order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PropBag(BTreeMap<u32, PropValue>);

impl PropBag {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, tag: PropTag) -> Option<&PropValue> {
        self.0.get(&tag.0)
    }

    pub fn set(&mut self, tag: PropTag, value: PropValue) {
        self.0.insert(tag.0, value);
    }

    pub fn remove(&mut self, tag: PropTag) -> Option<PropValue> {
        self.0.remove(&tag.0)
    }

    pub fn contains(&self, tag: PropTag) -> bool {
        self.0.contains_key(&tag.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (PropTag, &PropValue)> {
        self.0.iter().map(|(t, v)| (PropTag(*t), v))
    }

    pub fn str(&self, tag: PropTag) -> Option<&str> {
        self.get(tag).and_then(PropValue::as_str)
    }

    pub fn long(&self, tag: PropTag) -> Option<i32> {
        self.get(tag).and_then(PropValue::as_long)
    }

    pub fn bool(&self, tag: PropTag) -> Option<bool> {
        self.get(tag).and_then(PropValue::as_bool)
    }

    pub fn time(&self, tag: PropTag) -> Option<i64> {
        self.get(tag).and_then(PropValue::as_time)
    }

    pub fn binary(&self, tag: PropTag) -> Option<&[u8]> {
        self.get(tag).and_then(PropValue::as_binary)
    }

    pub fn byte_size(&self) -> usize {
        self.0.values().map(PropValue::byte_size).sum()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
