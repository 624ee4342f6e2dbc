use crate::error::Result;
use crate::mapi_err;

/// The base types this library stores (SPEC §4); `multi` is the 0x1000 bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropType {
    Long,
    Boolean,
    I8,
    Unicode,
    SysTime,
    Binary,
}

pub const MV_FLAG: u16 = 0x1000;

impl PropType {
    pub const fn code(self) -> u16 {
        match self {
            PropType::Long => 0x0003,
            PropType::Boolean => 0x000B,
            PropType::I8 => 0x0014,
            PropType::Unicode => 0x001F,
            PropType::SysTime => 0x0040,
            PropType::Binary => 0x0102,
        }
    }

    pub fn from_code(code: u16) -> Option<PropType> {
        [
            PropType::Long,
            PropType::Boolean,
            PropType::I8,
            PropType::Unicode,
            PropType::SysTime,
            PropType::Binary,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }

    pub const fn js_name(self) -> &'static str {
        match self {
            PropType::Long => "an integer number in int32 range (PT_LONG)",
            PropType::Boolean => "a boolean (PT_BOOLEAN)",
            PropType::I8 => "a bigint in int64 range (PT_I8)",
            PropType::Unicode => "a string (PT_UNICODE)",
            PropType::SysTime => "a valid Date (PT_SYSTIME)",
            PropType::Binary => "a Uint8Array (PT_BINARY)",
        }
    }
}

/// A property tag: `(id << 16) | type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropTag(pub u32);

impl PropTag {
    pub const fn new(id: u16, ty: u16) -> PropTag {
        PropTag(((id as u32) << 16) | ty as u32)
    }

    pub const fn id(self) -> u16 {
        (self.0 >> 16) as u16
    }

    pub const fn type_code(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }

    /// The base type and whether the tag is multi-valued; an unsupported type is an error
    /// naming `key`.
    pub fn value_type(self, key: &str) -> Result<(PropType, bool)> {
        let code = self.type_code();
        let multi = code & MV_FLAG != 0;
        let base = PropType::from_code(code & !MV_FLAG)
            .filter(|b| !(multi && *b == PropType::Boolean))
            .ok_or_else(|| {
                mapi_err!(
                    InvalidParameter,
                    "property {key} has type 0x{code:04X}, which is not supported \
                     (PT_UNICODE, PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_BINARY, PT_I8 and their \
                     multi-valued forms are)"
                )
            })?;
        Ok((base, multi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_splits_into_id_and_type() {
        let t = PropTag(0x0037_001F);
        assert_eq!(t.id(), 0x0037);
        assert_eq!(t.type_code(), 0x001F);
        assert_eq!(PropTag::new(0x0037, 0x001F), t);
    }

    #[test]
    fn multi_valued_unicode_is_supported_and_multi_boolean_is_not() {
        assert_eq!(
            PropTag(0x8001_101F).value_type("k").unwrap(),
            (PropType::Unicode, true)
        );
        assert!(PropTag(0x8001_100B).value_type("k").is_err());
        assert!(PropTag(0x8001_001E).value_type("k").is_err());
    }
}
