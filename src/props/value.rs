use std::rc::Rc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::tag::PropType;
use crate::error::Result;
use crate::mapi_err;

/// A property value. SYSTIME is kept as milliseconds since the Unix epoch (JS `Date`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PropValue {
    Long(i32),
    Boolean(bool),
    I8(i64),
    Unicode(String),
    SysTime(i64),
    /// Shared, not copied, when the value is cloned (see [`Bytes`]).
    Binary(Bytes),
    MvLong(Vec<i32>),
    MvI8(Vec<i64>),
    MvUnicode(Vec<String>),
    MvSysTime(Vec<i64>),
    MvBinary(Vec<Vec<u8>>),
}

/// The bytes of a PT_BINARY value. A value is never changed in place (setting a property
/// replaces it), so clones share one buffer: an attachment's megabytes pass from the
/// attachment object into its message, into a save or a submit, without a copy.
///
/// Serialized as bytes (one copy), not as a sequence of u8 (an element at a time): postcard
/// writes both the same way, so records written before read back unchanged.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(Rc<Vec<u8>>);

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(Rc::new(v))
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(Rc::new(v.to_vec()))
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    fn from(v: &[u8; N]) -> Self {
        Bytes(Rc::new(v.to_vec()))
    }
}

impl From<Bytes> for Vec<u8> {
    /// The bytes themselves when no other value shares them, else a copy.
    fn from(b: Bytes) -> Vec<u8> {
        Rc::try_unwrap(b.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serde_bytes::serialize(self.as_slice(), s)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        serde_bytes::deserialize::<Vec<u8>, D>(d).map(Bytes::from)
    }
}

/// Bytes a property costs besides its value, in the size estimate.
const PER_PROP_OVERHEAD: usize = 16;

impl PropValue {
    pub fn prop_type(&self) -> (PropType, bool) {
        match self {
            PropValue::Long(_) => (PropType::Long, false),
            PropValue::Boolean(_) => (PropType::Boolean, false),
            PropValue::I8(_) => (PropType::I8, false),
            PropValue::Unicode(_) => (PropType::Unicode, false),
            PropValue::SysTime(_) => (PropType::SysTime, false),
            PropValue::Binary(_) => (PropType::Binary, false),
            PropValue::MvLong(_) => (PropType::Long, true),
            PropValue::MvI8(_) => (PropType::I8, true),
            PropValue::MvUnicode(_) => (PropType::Unicode, true),
            PropValue::MvSysTime(_) => (PropType::SysTime, true),
            PropValue::MvBinary(_) => (PropType::Binary, true),
        }
    }

    /// The value's share of PidTagMessageSize.
    pub fn byte_size(&self) -> usize {
        PER_PROP_OVERHEAD
            + match self {
                PropValue::Long(_) => 4,
                PropValue::Boolean(_) => 2,
                PropValue::I8(_) | PropValue::SysTime(_) => 8,
                PropValue::Unicode(s) => s.len(),
                PropValue::Binary(b) => b.len(),
                PropValue::MvLong(v) => 4 * v.len(),
                PropValue::MvI8(v) | PropValue::MvSysTime(v) => 8 * v.len(),
                PropValue::MvUnicode(v) => v.iter().map(|s| s.len() + 4).sum(),
                PropValue::MvBinary(v) => v.iter().map(|b| b.len() + 4).sum(),
            }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::Unicode(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_long(&self) -> Option<i32> {
        match self {
            PropValue::Long(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PropValue::Boolean(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_time(&self) -> Option<i64> {
        match self {
            PropValue::SysTime(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            PropValue::Binary(v) => Some(v.as_slice()),
            _ => None,
        }
    }
}

/// A JS number as PT_LONG: an integer in int32 range, else an error naming `key`.
pub fn long_from_f64(key: &str, n: f64) -> Result<i32> {
    if n.is_finite() && n.fract() == 0.0 && n >= i32::MIN as f64 && n <= i32::MAX as f64 {
        Ok(n as i32)
    } else {
        Err(mapi_err!(
            InvalidParameter,
            "property {key} must be an integer number in int32 range, got {}",
            crate::num::show(n)
        ))
    }
}

/// A JS Date's time value as PT_SYSTIME; NaN (an invalid Date) is an error naming `key`.
pub fn systime_from_f64(key: &str, ms: f64) -> Result<i64> {
    if ms.is_finite() {
        Ok(ms as i64)
    } else {
        Err(mapi_err!(
            InvalidParameter,
            "property {key} must be a valid Date, got an invalid Date"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_accepts_only_int32_integers() {
        assert_eq!(long_from_f64("k", 5.0).unwrap(), 5);
        assert_eq!(long_from_f64("k", -2147483648.0).unwrap(), i32::MIN);
        for bad in [1.5, f64::NAN, f64::INFINITY, 2147483648.0, -2147483649.0] {
            assert!(long_from_f64("k", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invalid_dates_are_rejected() {
        assert!(systime_from_f64("k", f64::NAN).is_err());
        assert_eq!(systime_from_f64("k", 1000.0).unwrap(), 1000);
    }
}

#[cfg(test)]
mod wire_tests {
    use super::PropValue;

    #[test]
    fn binary_values_keep_their_postcard_bytes() {
        // Variant 5, length 3, the bytes: what the element-by-element form wrote too.
        let bytes = postcard::to_allocvec(&PropValue::Binary(vec![1, 2, 255].into())).unwrap();
        assert_eq!(bytes, [5, 3, 1, 2, 255]);
        let back: PropValue = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, PropValue::Binary(vec![1, 2, 255].into()));
    }
}
