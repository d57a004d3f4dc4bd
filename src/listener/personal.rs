//! "My model" as one file the listener carries to another device or browser: the tuned head
//! together with the likes, dislikes and banned artists it was tuned on.
//!
//! Layout (little endian):
//! ```text
//! 0  magic      b"SLMODEL\0"
//! 8  version    u16 (= 2; 1 held the head as a burn record)
//! 10 likes_len  u32          14 head_len u32
//! 18 crc32      u32 of the payload
//! 22 payload    likes (listener::likes JSON) ++ tuned head (model::tuned bytes)
//! ```
//! The head part carries the shipped head's fingerprint (`model::tuned`), so a file saved with
//! other weights is refused as [`PersonalError::OtherModel`]. [`from_bytes`] never panics.

use super::likes::{ReadError, Stored};
use crate::model::tuned::{self, TunedHeadError};
use crate::model::Head;

const MAGIC: &[u8; 8] = b"SLMODEL\0";
/// Format version this build writes and reads (2: the head as plain tensors).
pub const VERSION: u16 = 2;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 22;
/// localStorage key of the ratings the stored tuned head was tuned on (likes JSON).
pub const TUNED_ON_KEY: &str = "soundalike.tuned_on";
/// The name the page offers the file under.
pub const FILE_NAME: &str = "soundalike-my-model.slmodel";

/// Why a personal-model file was refused. The messages are shown on the page as they are.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PersonalError {
    #[error("this is not a saved model: it looks like {0}")]
    WrongKind(&'static str),
    #[error("this saved model uses format version {0}; this page reads version {VERSION}")]
    UnsupportedVersion(u16),
    #[error("this model was saved by an older version of soundalike; tune again and save it anew")]
    OlderVersion,
    #[error("the file is cut short: {expected} bytes expected, {found} found")]
    Truncated { expected: usize, found: usize },
    #[error("the file is corrupt (checksum mismatch)")]
    Corrupt,
    #[error("it was tuned for another version of the model (saved with other weights)")]
    OtherModel,
    #[error("its likes are unreadable: {0}")]
    Likes(#[from] ReadError),
    #[error("its tuned model is unreadable: {0}")]
    Head(TunedHeadError),
}

/// A decoded file: what the head was tuned on, and the head.
#[derive(Debug, Clone)]
pub struct Personal {
    pub likes: Stored,
    pub head: Head,
}

/// Serialise `tuned` (tuned from `shipped`) with the ratings it was tuned on.
pub fn to_bytes(likes: &Stored, tuned: &Head, shipped: &Head) -> Vec<u8> {
    let l = likes.to_json().into_bytes();
    let h = tuned::to_bytes(tuned, shipped);
    let mut out = Vec::with_capacity(HEADER_LEN + l.len() + h.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(l.len() as u32).to_le_bytes());
    out.extend_from_slice(&(h.len() as u32).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&l);
    crc.update(&h);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend(l);
    out.extend(h);
    out
}

/// What a file that is not ours looks like, to say which button it belongs to.
fn kind_of(b: &[u8]) -> &'static str {
    let text = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    let first = text.iter().find(|c| !c.is_ascii_whitespace());
    if b.starts_with(b"SNDW") {
        "the model weights file, not a listener's model"
    } else if b.starts_with(b"SLHEAD") {
        "a bare tuned head without its likes"
    } else if matches!(first, Some(b'{') | Some(b'[')) {
        "a likes file (use Import under Your likes)"
    } else if b.is_empty() {
        "an empty file"
    } else if std::str::from_utf8(b).is_ok() {
        "a text file (a likes CSV goes to Import under Your likes)"
    } else {
        "a file of another kind"
    }
}

fn rd_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Read a file saved by [`to_bytes`]; its head must have been tuned from `shipped`.
pub fn from_bytes(b: &[u8], shipped: &Head) -> Result<Personal, PersonalError> {
    if !b.starts_with(MAGIC) {
        // a prefix of the magic is a file cut short, anything else is another kind of file
        if !b.is_empty() && MAGIC.starts_with(b) {
            return Err(PersonalError::Truncated {
                expected: HEADER_LEN,
                found: b.len(),
            });
        }
        return Err(PersonalError::WrongKind(kind_of(b)));
    }
    if b.len() < HEADER_LEN {
        return Err(PersonalError::Truncated {
            expected: HEADER_LEN,
            found: b.len(),
        });
    }
    let version = u16::from_le_bytes([b[8], b[9]]);
    if version < VERSION {
        return Err(PersonalError::OlderVersion);
    }
    if version != VERSION {
        return Err(PersonalError::UnsupportedVersion(version));
    }
    let likes_len = rd_u32(b, 10) as usize;
    let head_len = rd_u32(b, 14) as usize;
    let expected = HEADER_LEN
        .saturating_add(likes_len)
        .saturating_add(head_len);
    if b.len() < expected {
        return Err(PersonalError::Truncated {
            expected,
            found: b.len(),
        });
    }
    if b.len() > expected {
        // bytes after the payload: not written by `to_bytes`
        return Err(PersonalError::Corrupt);
    }
    let payload = &b[HEADER_LEN..];
    if crc32fast::hash(payload) != rd_u32(b, 18) {
        return Err(PersonalError::Corrupt);
    }
    let text = std::str::from_utf8(&payload[..likes_len])
        .map_err(|e| ReadError::Corrupt(format!("not UTF-8 ({e})")))?;
    let likes = Stored::from_json(text)?;
    let head = tuned::from_bytes(&payload[likes_len..], shipped).map_err(|e| match e {
        TunedHeadError::OtherModel => PersonalError::OtherModel,
        TunedHeadError::OlderVersion => PersonalError::OlderVersion,
        e => PersonalError::Head(e),
    })?;
    Ok(Personal { likes, head })
}

/// The outcome of merging an imported file's ratings into the listener's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub stored: Stored,
    pub likes_added: usize,
    pub dislikes_added: usize,
    pub bans_added: usize,
    /// Imported ratings left out because the listener had rated the track the other way.
    pub conflicts: usize,
}

/// Merge `imported` into `current` without losing anything of `current`: new likes, dislikes
/// and bans are appended; a track the listener already rated keeps the listener's rating; the
/// listener's cap per artist wins unless it has none.
pub fn merge(current: &Stored, imported: &Stored) -> Merged {
    let mut s = current.clone();
    let (mut likes_added, mut dislikes_added, mut bans_added, mut conflicts) = (0, 0, 0, 0);
    for id in &imported.likes {
        if s.likes.contains(id) {
            continue;
        }
        if s.dislikes.contains(id) {
            conflicts += 1;
        } else {
            s.likes.push(id.clone());
            likes_added += 1;
        }
    }
    for id in &imported.dislikes {
        if s.dislikes.contains(id) {
            continue;
        }
        if s.likes.contains(id) {
            conflicts += 1;
        } else {
            s.dislikes.push(id.clone());
            dislikes_added += 1;
        }
    }
    for a in &imported.banned_artists {
        if !s.banned_artists.contains(a) {
            s.banned_artists.push(a.clone());
            bans_added += 1;
        }
    }
    s.max_per_artist = s.max_per_artist.or(imported.max_per_artist);
    Merged {
        stored: s,
        likes_added,
        dislikes_added,
        bans_added,
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{cpu, HeadInput};

    fn stored(likes: &[&str], dislikes: &[&str]) -> Stored {
        Stored::new(
            likes.iter().map(|s| s.to_string()).collect(),
            dislikes.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn header_errors_name_the_problem() {
        let dev = cpu();
        let shipped = Head::new(HeadInput::EmbeddingProfile, &dev);
        let tuned = Head::new(HeadInput::EmbeddingProfile, &dev);
        let b = to_bytes(&stored(&["a1"], &[]), &tuned, &shipped);
        assert!(from_bytes(&b, &shipped).is_ok());
        assert!(matches!(
            from_bytes(b"{\"version\":1}", &shipped),
            Err(PersonalError::WrongKind(k)) if k.contains("likes")
        ));
        assert!(matches!(
            from_bytes(b"SNDW....", &shipped),
            Err(PersonalError::WrongKind(k)) if k.contains("weights")
        ));
        assert!(matches!(
            from_bytes(b"", &shipped),
            Err(PersonalError::WrongKind("an empty file"))
        ));
        assert_eq!(
            from_bytes(&b[..4], &shipped).unwrap_err(),
            PersonalError::Truncated {
                expected: HEADER_LEN,
                found: 4
            }
        );
        assert!(matches!(
            from_bytes(&b[..b.len() - 1], &shipped),
            Err(PersonalError::Truncated { .. })
        ));
        let mut v = b.clone();
        v[8] = 9;
        assert_eq!(
            from_bytes(&v, &shipped).unwrap_err(),
            PersonalError::UnsupportedVersion(9)
        );
        // version 1 (a burn record inside): saved before the head became plain tensors
        v[8] = 1;
        let err = from_bytes(&v, &shipped).unwrap_err();
        assert_eq!(err, PersonalError::OlderVersion);
        assert!(err.to_string().contains("tune again"), "{err}");
        let mut c = b.clone();
        let last = c.len() - 1;
        c[last] ^= 1;
        assert_eq!(
            from_bytes(&c, &shipped).unwrap_err(),
            PersonalError::Corrupt
        );
        let mut long = b.clone();
        long.push(0);
        assert_eq!(
            from_bytes(&long, &shipped).unwrap_err(),
            PersonalError::Corrupt
        );
    }

    #[test]
    fn merge_keeps_what_the_listener_has() {
        let mut cur = stored(&["a", "b"], &["x"]);
        cur.banned_artists = vec!["Q".into()];
        let mut imp = stored(&["b", "c", "x"], &["a", "y"]);
        imp.banned_artists = vec!["Q".into(), "R".into()];
        imp.max_per_artist = Some(3);
        let m = merge(&cur, &imp);
        assert_eq!(m.stored.likes, vec!["a", "b", "c"]);
        assert_eq!(m.stored.dislikes, vec!["x", "y"]);
        assert_eq!(m.stored.banned_artists, vec!["Q", "R"]);
        assert_eq!(m.stored.max_per_artist, Some(3));
        assert_eq!(
            (m.likes_added, m.dislikes_added, m.bans_added, m.conflicts),
            (1, 1, 1, 2)
        );
    }
}
