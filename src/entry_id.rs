//! Entry ids: 4 flag bytes (zero), the 16-byte uid of the store, the 16-byte uid of the
//! object. In the API they are lowercase hex strings of 72 characters.

use std::fmt;

use crate::error::Result;
use crate::{bail, mapi_err};

pub const ENTRY_ID_LEN: usize = 36;
pub const ENTRY_ID_HEX_LEN: usize = ENTRY_ID_LEN * 2;

/// The uid shared by every entry id of one store (one database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreUid(pub [u8; 16]);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub [u8; ENTRY_ID_LEN]);

impl EntryId {
    pub fn new(store: StoreUid, object: [u8; 16]) -> EntryId {
        let mut b = [0u8; ENTRY_ID_LEN];
        b[4..20].copy_from_slice(&store.0);
        b[20..].copy_from_slice(&object);
        EntryId(b)
    }

    pub fn store_uid(&self) -> StoreUid {
        let mut s = [0u8; 16];
        s.copy_from_slice(&self.0[4..20]);
        StoreUid(s)
    }

    pub fn object_uid(&self) -> [u8; 16] {
        let mut s = [0u8; 16];
        s.copy_from_slice(&self.0[20..]);
        s
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// From the binary form; `what` names the argument in the error.
    pub fn from_bytes(what: &str, bytes: &[u8]) -> Result<EntryId> {
        if bytes.len() != ENTRY_ID_LEN {
            bail!(
                InvalidEntryId,
                "{what} must be an entry id of {ENTRY_ID_LEN} bytes, got {} bytes",
                bytes.len()
            );
        }
        let mut b = [0u8; ENTRY_ID_LEN];
        b.copy_from_slice(bytes);
        if b[..4] != [0, 0, 0, 0] {
            bail!(
                InvalidEntryId,
                "{what} has non-zero flag bytes; it is not an entry id of this store"
            );
        }
        Ok(EntryId(b))
    }

    /// From the hex form (either case); `what` names the argument in the error.
    pub fn parse_hex(what: &str, s: &str) -> Result<EntryId> {
        if s.len() != ENTRY_ID_HEX_LEN {
            bail!(
                InvalidEntryId,
                "{what} must be an entry id of {ENTRY_ID_HEX_LEN} hex digits, got {} characters",
                s.chars().count()
            );
        }
        let mut b = [0u8; ENTRY_ID_LEN];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16);
            match (digit(pair[0]), digit(pair[1])) {
                (Some(h), Some(l)) => b[i] = (h * 16 + l) as u8,
                _ => {
                    return Err(mapi_err!(
                        InvalidEntryId,
                        "{what} must be hex digits only, got {:?}",
                        s
                    ))
                }
            }
        }
        EntryId::from_bytes(what, &b)
    }
}

impl fmt::Debug for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryId({})", self.to_hex())
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MapiCode;

    #[test]
    fn hex_round_trips_and_is_lowercase() {
        let id = EntryId::new(StoreUid([0xAB; 16]), [0x1F; 16]);
        let h = id.to_hex();
        assert_eq!(h.len(), 72);
        assert_eq!(h, h.to_lowercase());
        assert_eq!(EntryId::parse_hex("id", &h).unwrap(), id);
        assert_eq!(EntryId::parse_hex("id", &h.to_uppercase()).unwrap(), id);
        assert_eq!(EntryId::from_bytes("id", &id.0).unwrap(), id);
    }

    #[test]
    fn malformed_ids_are_invalid_entryid() {
        let good = EntryId::new(StoreUid([1; 16]), [2; 16]).to_hex();
        let bad = [
            String::new(),
            "00".into(),
            good[..70].to_string(),
            format!("{good}00"),
            format!("zz{}", &good[2..]),
            format!("{}é", &good[..70]),
            "a".repeat(10_000_000),
            format!("ff{}", &good[2..]),
        ];
        for b in bad {
            let e = EntryId::parse_hex("entryId", &b).unwrap_err();
            assert_eq!(e.code, MapiCode::InvalidEntryId);
            assert!(e.message.len() < 400);
        }
    }
}
