//! What the rating head sees ([`HeadInput`]). The head itself: plain weights in
//! `weights::Head` (both targets), the burn module for training in `head_net` (native).

use super::{Embedding, EMB};

/// What the rating head sees for a (listener, track) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadInput {
    /// The track's 32-d embedding only (the base design). Input width 32.
    Embedding,
    /// `[e, p ⊙ e]`: the embedding and its elementwise product with the listener's profile
    /// (mean embedding of the likes). Input width 64. Lets the head learn a weighted,
    /// listener-specific similarity instead of one global taste.
    EmbeddingProfile,
}

impl HeadInput {
    /// Input width of the head's first layer.
    pub fn width(self) -> usize {
        match self {
            HeadInput::Embedding => EMB,
            HeadInput::EmbeddingProfile => 2 * EMB,
        }
    }
    /// Stable tag stored in the weights file.
    pub fn tag(self) -> u8 {
        match self {
            HeadInput::Embedding => 0,
            HeadInput::EmbeddingProfile => 1,
        }
    }
    /// Inverse of [`HeadInput::tag`].
    pub fn from_tag(t: u8) -> Option<Self> {
        match t {
            0 => Some(HeadInput::Embedding),
            1 => Some(HeadInput::EmbeddingProfile),
            _ => None,
        }
    }
    /// Whether the head needs a listener profile.
    pub fn uses_profile(self) -> bool {
        self == HeadInput::EmbeddingProfile
    }

    /// Row-major head input for the given tracks (`profile` ignored by `Embedding`; a zero profile
    /// is used when it is needed but absent).
    pub fn build(
        self,
        embeddings: &[Embedding],
        rows: &[usize],
        profile: Option<&Embedding>,
    ) -> Vec<f32> {
        let w = self.width();
        let mut v = Vec::with_capacity(rows.len() * w);
        let zero = [0.0f32; EMB];
        let p = profile.unwrap_or(&zero);
        for &r in rows {
            let e = &embeddings[r];
            v.extend_from_slice(e);
            if self == HeadInput::EmbeddingProfile {
                v.extend(e.iter().zip(p.iter()).map(|(a, b)| a * b));
            }
        }
        v
    }
}
