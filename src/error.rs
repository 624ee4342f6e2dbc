//! The one error type of the crate: a MAPI code and a message in words. The binding layer
//! turns it into the JS `MapiError` in one place.

use std::fmt;

macro_rules! mapi_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $value:literal, $name:literal;)*) => {
        /// The MAPI error codes of SPEC §3, each with its HRESULT and its name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MapiCode { $($(#[doc = $doc])* $variant,)* }

        impl MapiCode {
            pub const ALL: &'static [MapiCode] = &[$(MapiCode::$variant,)*];

            /// The HRESULT as an unsigned 32-bit number.
            pub const fn value(self) -> u32 {
                match self { $(MapiCode::$variant => $value,)* }
            }

            /// The MAPI name, e.g. `MAPI_E_NO_RECIPIENTS`.
            pub const fn name(self) -> &'static str {
                match self { $(MapiCode::$variant => $name,)* }
            }
        }
    };
}

mapi_codes! {
    /// Unexpected internal failure (with a cause).
    CallFailed = 0x8000_4005, "MAPI_E_CALL_FAILED";
    /// Operation not supported by this store/backend.
    NoSupport = 0x8004_0102, "MAPI_E_NO_SUPPORT";
    /// An option value that is not one of the allowed ones.
    UnknownFlags = 0x8004_0106, "MAPI_E_UNKNOWN_FLAGS";
    /// An entry id that is not well formed.
    InvalidEntryId = 0x8004_0107, "MAPI_E_INVALID_ENTRYID";
    /// Any use of a message/attachment object after a successful submit (or after close/free).
    InvalidObject = 0x8004_0108, "MAPI_E_INVALID_OBJECT";
    /// Save conflicts with a newer save through another object.
    ObjectChanged = 0x8004_0109, "MAPI_E_OBJECT_CHANGED";
    /// Save of an object whose message was deleted or moved.
    ObjectDeleted = 0x8004_010A, "MAPI_E_OBJECT_DELETED";
    /// A call on a message whose submit is still in flight.
    Busy = 0x8004_010B, "MAPI_E_BUSY";
    /// IndexedDB quota exceeded (nothing half-written).
    NotEnoughDisk = 0x8004_010D, "MAPI_E_NOT_ENOUGH_DISK";
    /// Well-formed entry id that names nothing (any more).
    NotFound = 0x8004_010F, "MAPI_E_NOT_FOUND";
    /// Abort of a message a transport has locked.
    UnableToAbort = 0x8004_0114, "MAPI_E_UNABLE_TO_ABORT";
    /// Transport-side transient failure.
    NetworkError = 0x8004_0115, "MAPI_E_NETWORK_ERROR";
    /// Write to a property the store computes.
    Computed = 0x8004_011A, "MAPI_E_COMPUTED";
    /// The persisted copy of the message cannot be read back intact.
    CorruptData = 0x8004_011B, "MAPI_E_CORRUPT_DATA";
    /// Message over the size limit, or too many recipients.
    TooBig = 0x8004_0305, "MAPI_E_TOO_BIG";
    /// Transport: try again later.
    Wait = 0x8004_0500, "MAPI_E_WAIT";
    /// Transport: do not resend.
    Cancel = 0x8004_0501, "MAPI_E_CANCEL";
    /// Transport: not mine, try another transport.
    NotMe = 0x8004_0502, "MAPI_E_NOT_ME";
    /// Abort of a message no longer in the outgoing queue (sent, finished).
    NotInQueue = 0x8004_0601, "MAPI_E_NOT_IN_QUEUE";
    /// Submit with an empty recipient table.
    NoRecipients = 0x8004_0607, "MAPI_E_NO_RECIPIENTS";
    /// Open-for-write, delete or second submit of a queued message.
    Submitted = 0x8004_0608, "MAPI_E_SUBMITTED";
    /// Write through a read-only object; open of a locked message.
    NoAccess = 0x8007_0005, "MAPI_E_NO_ACCESS";
    /// Wrong type, bad address, CR/LF in a header value, unknown property name.
    InvalidParameter = 0x8007_0057, "MAPI_E_INVALID_PARAMETER";
}

impl MapiCode {
    pub fn from_value(value: u32) -> Option<MapiCode> {
        Self::ALL.iter().copied().find(|c| c.value() == value)
    }

    pub fn from_name(name: &str) -> Option<MapiCode> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for MapiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A MAPI error: the code, and a message naming the property, argument or entry id at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: MapiCode,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: MapiCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

/// `mapi_err!(NotFound, "no message {}", id)` builds an [`Error`].
#[macro_export]
macro_rules! mapi_err {
    ($code:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::MapiCode::$code, format!($($arg)*))
    };
}

/// `bail!(NotFound, "...")` returns early with an [`Error`].
#[macro_export]
macro_rules! bail {
    ($code:ident, $($arg:tt)*) => {
        return Err($crate::mapi_err!($code, $($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_by_value_and_name() {
        assert_eq!(MapiCode::ALL.len(), 23);
        for &c in MapiCode::ALL {
            assert_eq!(MapiCode::from_value(c.value()), Some(c));
            assert_eq!(MapiCode::from_name(c.name()), Some(c));
        }
    }

    #[test]
    fn values_match_the_spec_table() {
        assert_eq!(MapiCode::CallFailed.value(), 0x80004005);
        assert_eq!(MapiCode::NotInQueue.value(), 0x80040601);
        assert_eq!(MapiCode::InvalidParameter.value(), 0x80070057);
        assert_eq!(MapiCode::TooBig.name(), "MAPI_E_TOO_BIG");
    }

    #[test]
    fn display_starts_with_the_code_name() {
        let e = mapi_err!(NotFound, "no message {}", "ab");
        assert_eq!(e.to_string(), "MAPI_E_NOT_FOUND: no message ab");
    }
}
