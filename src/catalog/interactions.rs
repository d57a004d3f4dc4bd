//! Playlist membership: which tracks each (TidyTuesday) playlist holds. Used natively for
//! training and evaluation; the page never loads it.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One playlist and its tracks (Spotify ids, in file order, without repeats).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playlist {
    pub id: String,
    pub name: String,
    pub genre: String,
    pub tracks: Vec<String>,
}

/// All playlists, sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interactions {
    pub playlists: Vec<Playlist>,
}

/// Format tag written into the file so an old or foreign JSON is recognised.
const FORMAT: &str = "soundalike-interactions/1";

#[derive(Serialize, Deserialize)]
struct OnDisk {
    format: String,
    #[serde(flatten)]
    interactions: Interactions,
}

impl Interactions {
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let disk = OnDisk {
            format: FORMAT.into(),
            interactions: self.clone(),
        };
        std::fs::write(
            path,
            serde_json::to_vec(&disk).map_err(std::io::Error::other)?,
        )
    }

    pub fn load(path: &Path) -> Result<Interactions, String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "{}: {e} (build it with `soundalike catalog build`)",
                path.display()
            )
        })?;
        let disk: OnDisk = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not an interactions file: {e}", path.display()))?;
        if disk.format != FORMAT {
            return Err(format!(
                "{}: format {:?}, expected {FORMAT:?}; rebuild it with `soundalike catalog build`",
                path.display(),
                disk.format
            ));
        }
        Ok(disk.interactions)
    }
}
