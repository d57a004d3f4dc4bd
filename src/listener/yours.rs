//! The listener's own tracks (added from dropped CSVs) as the page stores them on the device:
//! versioned JSON of the raw rows (id, title, artist, year, popularity, the 9 raw features), so
//! they are scaled again with whichever catalog is loaded. Decoding checks everything it reads
//! with the cleaning rules of `catalog build` and fails with a message naming the track.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::catalog::features::RawFeatures;
use crate::catalog::format::id_to_u128;
use crate::catalog::ingest::check_features;
use crate::catalog::{RawTrack, Track};

/// Version of the stored format; bump it when the layout changes.
pub const VERSION: u32 = 1;
/// The most tracks one store holds (a bound for decoding outside bytes).
pub const MAX_TRACKS: usize = 1_000_000;

#[derive(Serialize, Deserialize)]
struct StoredTrack {
    id: String,
    title: String,
    artist: String,
    #[serde(default)]
    year: Option<u16>,
    #[serde(default)]
    popularity: Option<u8>,
    raw: RawFeatures,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    tracks: Vec<StoredTrack>,
}

/// Why stored tracks could not be read back (the page then resets them and says so).
#[derive(Debug, thiserror::Error)]
pub enum YoursError {
    #[error("they are not readable ({0})")]
    Json(#[from] serde_json::Error),
    #[error("they were saved in format version {found}, this page reads version {VERSION}")]
    Version { found: u32 },
    #[error("they hold more than {MAX_TRACKS} tracks")]
    TooMany,
    #[error("track {index}: {id:?} is not a 22-character Spotify id")]
    BadId { index: usize, id: String },
    #[error("track {index} ({id}) appears twice")]
    Duplicate { index: usize, id: String },
    #[error("track {index} ({id}): {problem}")]
    BadFeatures {
        index: usize,
        id: String,
        problem: String,
    },
    #[error("track {index} ({id}): the year {year} is not between 1800 and 2100")]
    BadYear { index: usize, id: String, year: u16 },
    #[error("track {index} ({id}): popularity {popularity} is above 100")]
    BadPopularity {
        index: usize,
        id: String,
        popularity: u8,
    },
}

/// The tracks as stored text.
pub fn encode(tracks: &[RawTrack]) -> String {
    let stored = Stored {
        version: VERSION,
        tracks: tracks
            .iter()
            .map(|r| StoredTrack {
                id: r.track.id.clone(),
                title: r.track.name.clone(),
                artist: r.track.artist.to_string(),
                year: r.track.year,
                popularity: r.track.popularity,
                raw: r.raw,
            })
            .collect(),
    };
    // plain data: serialising cannot fail
    serde_json::to_string(&stored).unwrap_or_default()
}

/// Stored text back to tracks, every field checked.
pub fn decode(text: &str) -> Result<Vec<RawTrack>, YoursError> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    let v: Version = serde_json::from_str(text)?;
    if v.version != VERSION {
        return Err(YoursError::Version { found: v.version });
    }
    let stored: Stored = serde_json::from_str(text)?;
    if stored.tracks.len() > MAX_TRACKS {
        return Err(YoursError::TooMany);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(stored.tracks.len());
    for (index, t) in stored.tracks.into_iter().enumerate() {
        let id = t.id;
        if id_to_u128(&id).is_none() {
            let id: String = id.chars().take(40).collect();
            return Err(YoursError::BadId { index, id });
        }
        if !seen.insert(id.clone()) {
            return Err(YoursError::Duplicate { index, id });
        }
        if let Err(p) = check_features(&t.raw) {
            return Err(YoursError::BadFeatures {
                index,
                id,
                problem: p.message,
            });
        }
        if let Some(year) = t.year.filter(|y| !(1800..2100).contains(y)) {
            return Err(YoursError::BadYear { index, id, year });
        }
        if let Some(popularity) = t.popularity.filter(|p| *p > 100) {
            return Err(YoursError::BadPopularity {
                index,
                id,
                popularity,
            });
        }
        out.push(RawTrack {
            track: Track {
                id,
                name: t.title,
                artist: t.artist.into(),
                year: t.year,
                year_approx: false,
                popularity: t.popularity,
                genre: Default::default(),
            },
            raw: t.raw,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> RawTrack {
        RawTrack {
            track: Track {
                id: id.into(),
                name: "<b>Song</b>".into(),
                artist: "Me".into(),
                year: Some(2020),
                year_approx: false,
                popularity: None,
                genre: Default::default(),
            },
            raw: [0.5, 0.6, -7.0, 0.05, 0.2, 0.0, 0.1, 0.4, 120.0],
        }
    }

    #[test]
    fn round_trips() {
        let v = vec![
            track("4uLU6hMCjMI75M1A2tKUQC"),
            track("0gxyHStUsqpMadRV0Di1Qt"),
        ];
        assert_eq!(decode(&encode(&v)).unwrap(), v);
    }

    #[test]
    fn bad_records_are_named() {
        let mut v = vec![track("4uLU6hMCjMI75M1A2tKUQC")];
        v[0].raw[8] = 0.0;
        let e = decode(&encode(&v)).unwrap_err().to_string();
        assert!(
            e.contains("track 0 (4uLU6hMCjMI75M1A2tKUQC): tempo 0"),
            "{e}"
        );
        let e = decode(r#"{"version":7,"tracks":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 7"), "{e}");
        let e = decode(&encode(&[track("x"), track("x")])).unwrap_err();
        assert!(matches!(e, YoursError::BadId { index: 0, .. }), "{e}");
        let twice = [
            track("4uLU6hMCjMI75M1A2tKUQC"),
            track("4uLU6hMCjMI75M1A2tKUQC"),
        ];
        assert!(matches!(
            decode(&encode(&twice)).unwrap_err(),
            YoursError::Duplicate { index: 1, .. }
        ));
        assert!(matches!(decode("not json"), Err(YoursError::Json(_))));
    }
}
