//! The persisted form of a message's content: a header with a format version and a CRC-32
//! of the payload, then the payload (postcard). A record that does not read back intact is
//! `MAPI_E_CORRUPT_DATA`, never a panic and never a silently wrong message.

use crate::error::Result;
use crate::message::MessageContent;
use crate::{bail, mapi_err};

const MAGIC: &[u8; 3] = b"MOX";
pub const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 8;

pub fn encode(content: &MessageContent) -> Vec<u8> {
    let payload = postcard::to_allocvec(content).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Reads a record back; `what` names the message in the error.
pub fn decode(what: &str, bytes: &[u8]) -> Result<MessageContent> {
    if bytes.len() < HEADER_LEN || &bytes[..3] != MAGIC {
        bail!(
            CorruptData,
            "the stored copy of message {what} is damaged (no record header)"
        );
    }
    if bytes[3] != FORMAT_VERSION {
        bail!(
            CorruptData,
            "the stored copy of message {what} has record format {}, this version reads {FORMAT_VERSION}",
            bytes[3]
        );
    }
    let stored = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let payload = &bytes[HEADER_LEN..];
    if crc32fast::hash(payload) != stored {
        bail!(
            CorruptData,
            "the stored copy of message {what} is damaged (checksum mismatch)"
        );
    }
    postcard::from_bytes(payload).map_err(|e| {
        mapi_err!(
            CorruptData,
            "the stored copy of message {what} cannot be decoded: {e}"
        )
    })
}

/// Whether a record reads back intact.
pub fn is_intact(bytes: &[u8]) -> bool {
    decode("", bytes).is_ok()
}

/// Damages a record the way a torn write or bit rot would, so that `decode` fails: the
/// stored checksum is made to disagree with the payload. Doing it twice still leaves it damaged.
pub fn corrupt(bytes: &mut Vec<u8>) {
    if bytes.len() < HEADER_LEN {
        bytes.clear();
        return;
    }
    let wrong = !crc32fast::hash(&bytes[HEADER_LEN..]);
    bytes[4..8].copy_from_slice(&wrong.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::props::names::tags;
    use crate::props::PropValue;
    use crate::MapiCode;

    #[test]
    fn checksum_is_crc32_ieee() {
        // crates/crc32 stands in for crc32fast: records written before keep reading back.
        assert_eq!(crc32fast::hash(b""), 0);
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 131 + 7) as u8).collect();
        assert_eq!(crc32fast::hash(&data), 0x1ED5_7BB9); // zlib.crc32
    }

    fn sample() -> MessageContent {
        let mut m = MessageContent::default();
        m.props
            .set(tags::PidTagSubject, PropValue::Unicode("Отправка".into()));
        m.props.set(
            tags::PidTagAttachDataBinary,
            PropValue::Binary(vec![0, 1, 2, 255]),
        );
        m
    }

    #[test]
    fn a_record_round_trips() {
        let m = sample();
        assert_eq!(decode("x", &encode(&m)).unwrap(), m);
    }

    #[test]
    fn a_corrupted_record_is_corrupt_data_even_when_corrupted_twice() {
        let mut b = encode(&sample());
        corrupt(&mut b);
        assert_eq!(decode("x", &b).unwrap_err().code, MapiCode::CorruptData);
        corrupt(&mut b);
        assert_eq!(decode("x", &b).unwrap_err().code, MapiCode::CorruptData);
    }

    #[test]
    fn truncated_and_foreign_bytes_are_corrupt_data() {
        let b = encode(&sample());
        for bad in [&b[..0], &b[..5], &b[..b.len() - 1], b"not a record at all"] {
            assert_eq!(decode("x", bad).unwrap_err().code, MapiCode::CorruptData);
        }
        let mut newer = b.clone();
        newer[3] = 9;
        assert!(decode("x", &newer)
            .unwrap_err()
            .message
            .contains("format 9"));
    }
}
