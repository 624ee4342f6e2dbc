//! The record decoder (what IndexedDB hands back, possibly damaged): arbitrary bytes never
//! panic, and whatever decodes re-encodes to bytes that decode to the same content. The
//! store's metadata codec gets the same treatment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapi_outbox::record;
use mapi_outbox::store::codec;

fn round_trip(bytes: &[u8]) {
    if let Ok(content) = record::decode("fuzz", bytes) {
        let again = record::encode(&content).expect("a decoded content encodes");
        let back = record::decode("fuzz", &again).expect("a re-encoded record decodes");
        assert_eq!(back, content);
    }
}

fuzz_target!(|data: &[u8]| {
    // As stored (header, CRC-32, payload): damaged bytes must be refused, never a panic.
    round_trip(data);
    // The payload under a valid header and CRC, so the fuzzer explores the payload decoder
    // instead of stopping at the checksum.
    let mut wrapped = b"MOX\x01".to_vec();
    wrapped.extend_from_slice(&record::crc32(data).to_le_bytes());
    wrapped.extend_from_slice(data);
    round_trip(&wrapped);
    let cut = data.first().map_or(0, |b| *b as usize).min(data.len());
    let (meta, blob) = data.split_at(cut);
    if let Ok(rec) = codec::from_parts(
        "000000000101010101010101010101010101010102020202020202020202020202020202",
        meta,
        blob.to_vec(),
    ) {
        let parts = codec::to_parts(&rec).expect("a decoded record encodes");
        let back = codec::from_parts(&parts.key, &parts.meta, rec.blob.clone())
            .expect("re-encoded metadata decodes");
        assert_eq!(back.entry_id, rec.entry_id);
        assert_eq!(back.queue, rec.queue);
    }
});
