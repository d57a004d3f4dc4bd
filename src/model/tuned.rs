//! The listener's tuned head as bytes (what the page keeps in localStorage):
//! `b"SLHEAD3\0"`, the head-input tag (u8), the shipped head's fingerprint (u32 LE: CRC-32 of
//! its tensors section), then the tuned head's tensors (the weights file's section format).
//!
//! The fingerprint ties a tuned head to the model it was tuned from: after new weights ship, a
//! head tuned on the old embedding would rank nonsense, so it is refused
//! ([`TunedHeadError::OtherModel`]) and the page says so. A head saved by an earlier format
//! (`SLHEAD2`: a burn record) is [`TunedHeadError::OlderVersion`]. [`from_bytes`] never panics:
//! whatever the bytes, the result is a head of the shipped head's architecture or a
//! [`TunedHeadError`].

use super::weights::WeightsError;
use super::{Head, HeadInput};

const MAGIC: &[u8; 8] = b"SLHEAD3\0";
/// Bytes before the tensors: magic, tag, fingerprint.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + 4;

/// Why stored tuned-head bytes were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TunedHeadError {
    #[error("it is not a tuned model (bad header)")]
    NotATunedHead,
    #[error("it was saved by an older version of soundalike; tune again")]
    OlderVersion,
    #[error("its head kind {0} is unknown")]
    UnknownInput(u8),
    #[error("it was tuned for another model")]
    OtherModel,
    #[error("its weights could not be decoded: {0}")]
    Decode(String),
    #[error("its weights do not fit the model: {0}")]
    Shape(String),
}

/// CRC-32 of a head's tensors: which shipped model a tuned head belongs to.
pub fn fingerprint(h: &Head) -> u32 {
    crc32fast::hash(&h.to_section())
}

/// Serialise a head tuned from `shipped`.
pub fn to_bytes(tuned: &Head, shipped: &Head) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.push(tuned.input.tag());
    v.extend_from_slice(&fingerprint(shipped).to_le_bytes());
    v.extend(tuned.to_section());
    v
}

/// Read a tuned head; it must have been tuned from `shipped`.
pub fn from_bytes(b: &[u8], shipped: &Head) -> Result<Head, TunedHeadError> {
    if b.len() >= MAGIC.len()
        && b[..MAGIC.len() - 2] == MAGIC[..MAGIC.len() - 2]
        && b[..MAGIC.len()] != MAGIC[..]
    {
        // an earlier "SLHEAD" format (the head as a burn record)
        return Err(TunedHeadError::OlderVersion);
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
    Head::from_section(&b[HEADER_LEN..], input, "tuned head").map_err(|e| match e {
        WeightsError::Shape { msg, .. } => TunedHeadError::Shape(msg),
        WeightsError::Decode { msg, .. } => TunedHeadError::Decode(msg),
        e => TunedHeadError::Decode(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cpu;

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
        for v in [b'1', b'2'] {
            let mut old = b.clone();
            old[6] = v;
            let err = from_bytes(&old, &shipped).unwrap_err();
            assert_eq!(err, TunedHeadError::OlderVersion);
            assert!(err.to_string().contains("tune again"), "{err}");
        }
        let mut bad = b.clone();
        bad[8] = 9;
        assert_eq!(
            from_bytes(&bad, &shipped).unwrap_err(),
            TunedHeadError::UnknownInput(9)
        );
        assert!(matches!(
            from_bytes(&b[..b.len() / 2], &shipped).unwrap_err(),
            TunedHeadError::Decode(_)
        ));
    }
}
