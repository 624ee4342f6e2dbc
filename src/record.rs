//! The persisted form of a message's content: a header with a format version and a CRC-32
//! of the payload, then the payload (postcard). A record that does not read back intact is
//! `MAPI_E_CORRUPT_DATA`, never a panic and never a silently wrong message.

use crate::error::Result;
use crate::message::MessageContent;
use crate::{bail, mapi_err};

/// CRC-32/ISO-HDLC (zlib's, crc32fast's), slice-by-16: about 5x the speed of one table over
/// a 100 KB record (it was a sixth of an IndexedDB submit's CPU, bench/profile-idb.mjs). Its
/// 16 KB of tables are made on first use, on the heap, not stored in the .wasm (a `static`
/// would add ~15 KB to the gzipped module).
pub fn crc32(bytes: &[u8]) -> u32 {
    type Slice16 = crc::Crc<u32, crc::Table<16>>;
    static CRC32: std::sync::OnceLock<Box<Slice16>> = std::sync::OnceLock::new();
    CRC32
        .get_or_init(|| Box::new(Slice16::new(&crc::CRC_32_ISO_HDLC)))
        .checksum(bytes)
}

const MAGIC: &[u8; 3] = b"MOX";
pub const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 8;

/// Why framed bytes did not read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Too short, or another kind of record.
    NoHeader,
    /// Written by another format version (the one found).
    Format(u8),
    /// The payload does not match its checksum.
    Checksum,
}

/// Serializes `value` (postcard) into a frame: `magic`, `format`, the CRC-32 of the payload,
/// the payload. Every persisted byte string of the crate is written here.
pub fn frame<T: serde::Serialize>(magic: &[u8; 3], format: u8, value: &T) -> Result<Vec<u8>> {
    let payload = postcard::to_allocvec(value)
        .map_err(|e| mapi_err!(CallFailed, "a record could not be encoded: {e}"))?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(magic);
    out.push(format);
    out.extend_from_slice(&crc32(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The payload of a frame written by `frame` with this `magic` and `format`, checked.
pub fn unframe<'a>(
    magic: &[u8; 3],
    format: u8,
    bytes: &'a [u8],
) -> std::result::Result<&'a [u8], FrameError> {
    if bytes.len() < HEADER_LEN || &bytes[..3] != magic {
        return Err(FrameError::NoHeader);
    }
    if bytes[3] != format {
        return Err(FrameError::Format(bytes[3]));
    }
    let stored = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let payload = &bytes[HEADER_LEN..];
    if crc32(payload) != stored {
        return Err(FrameError::Checksum);
    }
    Ok(payload)
}

/// A message's content as a record. Fails only if the encoder does (it cannot for the
/// types of the crate); never an empty record in its place.
pub fn encode(content: &MessageContent) -> Result<Vec<u8>> {
    frame(MAGIC, FORMAT_VERSION, content)
}

/// Reads a record back; `what` names the message in the error.
pub fn decode(what: &str, bytes: &[u8]) -> Result<MessageContent> {
    let payload = match unframe(MAGIC, FORMAT_VERSION, bytes) {
        Ok(p) => p,
        Err(FrameError::NoHeader) => bail!(
            CorruptData,
            "the stored copy of message {what} is damaged (no record header)"
        ),
        Err(FrameError::Format(v)) => bail!(
            CorruptData,
            "the stored copy of message {what} has record format {v}, this version reads {FORMAT_VERSION}"
        ),
        Err(FrameError::Checksum) => bail!(
            CorruptData,
            "the stored copy of message {what} is damaged (checksum mismatch)"
        ),
    };
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
    let wrong = !crc32(&bytes[HEADER_LEN..]);
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
        // The `crc` crate's CRC-32/ISO-HDLC is the checksum crc32fast wrote before: records
        // written by earlier versions keep reading back.
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 131 + 7) as u8).collect();
        assert_eq!(crc32(&data), 0x1ED5_7BB9); // zlib.crc32
    }

    fn sample() -> MessageContent {
        let mut m = MessageContent::default();
        m.props
            .set(tags::PidTagSubject, PropValue::Unicode("Отправка".into()));
        m.props.set(
            tags::PidTagAttachDataBinary,
            PropValue::Binary(vec![0, 1, 2, 255].into()),
        );
        m
    }

    #[test]
    fn a_record_round_trips() {
        let m = sample();
        assert_eq!(decode("x", &encode(&m).unwrap()).unwrap(), m);
    }

    #[test]
    fn a_corrupted_record_is_corrupt_data_even_when_corrupted_twice() {
        let mut b = encode(&sample()).unwrap();
        corrupt(&mut b);
        assert_eq!(decode("x", &b).unwrap_err().code, MapiCode::CorruptData);
        corrupt(&mut b);
        assert_eq!(decode("x", &b).unwrap_err().code, MapiCode::CorruptData);
    }

    #[test]
    fn truncated_and_foreign_bytes_are_corrupt_data() {
        let b = encode(&sample()).unwrap();
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
