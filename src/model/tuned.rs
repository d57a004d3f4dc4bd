//! The listener's tuned head as bytes (what the page keeps in localStorage):
//! `b"SLHEAD1\0"`, the head-input tag (u8), then the head's burnpack record.
//!
//! [`from_bytes`] never panics: whatever the bytes, the result is a head of the shipped head's
//! architecture or a [`TunedHeadError`].

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use super::weights::module_bytes;
use super::{cpu, Head, HeadInput, RatingHead};

const MAGIC: &[u8; 8] = b"SLHEAD1\0";

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

/// Serialise a tuned head.
pub fn to_bytes(h: &Head) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.push(h.input.tag());
    v.extend(module_bytes(&h.net));
    v
}

/// Read a tuned head; it must have the same input kind as `shipped`.
pub fn from_bytes(b: &[u8], shipped: &Head) -> Result<Head, TunedHeadError> {
    if b.len() < MAGIC.len() + 1 || &b[..MAGIC.len()] != MAGIC {
        return Err(TunedHeadError::NotATunedHead);
    }
    let tag = b[MAGIC.len()];
    let input = HeadInput::from_tag(tag).ok_or(TunedHeadError::UnknownInput(tag))?;
    if input != shipped.input {
        return Err(TunedHeadError::OtherModel);
    }
    // burn panics on some well-formed records (e.g. an I32 tensor): refuse them first
    super::weights::check_record(&b[MAGIC.len() + 1..], "tuned head")
        .map_err(|e| TunedHeadError::Decode(e.to_string()))?;
    let rec = ModuleRecord::from_bytes(Bytes::from_bytes_vec(b[MAGIC.len() + 1..].to_vec()))
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
        let b = to_bytes(&shipped);
        let back = from_bytes(&b, &shipped).unwrap();
        assert_eq!(to_bytes(&back), b);
        assert_eq!(
            from_bytes(b"nope", &shipped).unwrap_err(),
            TunedHeadError::NotATunedHead
        );
        let other = Head::new(HeadInput::Embedding, &dev);
        assert_eq!(
            from_bytes(&b, &other).unwrap_err(),
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
