//! The listener's tuned head as bytes (what the page keeps in localStorage):
//! `b"SLHEAD2\0"`, the head-input tag (u8), the shipped head's fingerprint (u32 LE: CRC-32 of
//! its record), then the tuned head's burnpack record.
//!
//! The fingerprint ties a tuned head to the model it was tuned from: after new weights ship, a
//! head tuned on the old embedding would rank nonsense, so it is refused
//! ([`TunedHeadError::OtherModel`]) and the page says so. [`from_bytes`] never panics: whatever
//! the bytes, the result is a head of the shipped head's architecture or a [`TunedHeadError`].

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use super::weights::module_bytes;
use super::{cpu, Head, HeadInput, RatingHead};

const MAGIC: &[u8; 8] = b"SLHEAD2\0";
/// Bytes before the burnpack record: magic, tag, fingerprint.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + 4;

/// Why stored tuned-head bytes were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TunedHeadError {
    #[error("it is not a tuned model (bad header)")]
    NotATunedHead,
    #[error("its head kind {0} is unknown")]
    UnknownInput(u8),
    #[error("it was tuned for another model")]
    OtherModel,
    #[error("its weights could not be decoded: {0}")]
    Decode(String),
    #[error("its weights do not fit the model: {0}")]
    Shape(String),
}

/// CRC-32 of a head's record: which shipped model a tuned head belongs to.
pub fn fingerprint(h: &Head) -> u32 {
    crc32fast::hash(&module_bytes(&h.net))
}

/// Serialise a head tuned from `shipped`.
pub fn to_bytes(tuned: &Head, shipped: &Head) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.push(tuned.input.tag());
    v.extend_from_slice(&fingerprint(shipped).to_le_bytes());
    v.extend(module_bytes(&tuned.net));
    v
}

/// Read a tuned head; it must have been tuned from `shipped`.
pub fn from_bytes(b: &[u8], shipped: &Head) -> Result<Head, TunedHeadError> {
    if b.len() >= MAGIC.len()
        && b[..MAGIC.len() - 2] == MAGIC[..MAGIC.len() - 2]
        && b[..MAGIC.len()] != MAGIC[..]
    {
        // an older "SLHEAD" version: tuned from earlier weights
        return Err(TunedHeadError::OtherModel);
    }
    if b.len() < HEADER_LEN || &b[..MAGIC.len()] != MAGIC {
        return Err(TunedHeadError::NotATunedHead);
    }
    let tag = b[MAGIC.len()];
    let input = HeadInput::from_tag(tag).ok_or(TunedHeadError::UnknownInput(tag))?;
    let print = u32::from_le_bytes(b[MAGIC.len() + 1..HEADER_LEN].try_into().expect("4 bytes"));
    if input != shipped.input || print != fingerprint(shipped) {
        return Err(TunedHeadError::OtherModel);
    }
    let record = &b[HEADER_LEN..];
    // burn panics on some well-formed records (e.g. an I32 tensor): refuse them first
    super::weights::check_record(record, "tuned head")
        .map_err(|e| TunedHeadError::Decode(e.to_string()))?;
    let rec = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
        .map_err(|e| TunedHeadError::Decode(e.to_string()))?;
    let net = RatingHead::new(input.width(), &cpu())
        .try_load_record(rec)
        .map_err(|e| TunedHeadError::Shape(e.to_string()))?;
    Ok(Head {
        net: net.valid(),
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_refusals() {
        let dev = cpu();
        let shipped = Head::new(HeadInput::EmbeddingProfile, &dev);
        let tuned = Head::new(HeadInput::EmbeddingProfile, &dev);
        let b = to_bytes(&tuned, &shipped);
        let back = from_bytes(&b, &shipped).unwrap();
        assert_eq!(to_bytes(&back, &shipped), b);
        assert_eq!(
            from_bytes(b"nope", &shipped).unwrap_err(),
            TunedHeadError::NotATunedHead
        );
        let other = Head::new(HeadInput::Embedding, &dev);
        assert_eq!(
            from_bytes(&b, &other).unwrap_err(),
            TunedHeadError::OtherModel
        );
        // same architecture, other shipped weights: refused
        let retrained = Head::new(HeadInput::EmbeddingProfile, &dev);
        assert_eq!(
            from_bytes(&b, &retrained).unwrap_err(),
            TunedHeadError::OtherModel
        );
        let mut old = b.clone();
        old[6] = b'1';
        assert_eq!(
            from_bytes(&old, &shipped).unwrap_err(),
            TunedHeadError::OtherModel
        );
        let mut bad = b.clone();
        bad[8] = 9;
        assert_eq!(
            from_bytes(&bad, &shipped).unwrap_err(),
            TunedHeadError::UnknownInput(9)
        );
        assert!(from_bytes(&b[..b.len() / 2], &shipped).is_err());
    }
}
