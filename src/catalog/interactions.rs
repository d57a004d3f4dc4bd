//! Playlist membership: which tracks each (TidyTuesday) playlist holds. Used natively for
//! training and evaluation; the page never loads it.

use std::path::{Path, PathBuf};

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

/// Why an interactions file could not be loaded; each message names the file and what to do.
/// (The underlying error is part of the message, not a `source()`, so a printed chain does not
/// repeat it.)
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {error} (build it with `soundalike catalog build`)", .path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: not an interactions file: {error}", .path.display())]
    Parse {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("{}: format {found:?}, expected {FORMAT:?}; rebuild it with `soundalike catalog build`", .path.display())]
    Format { path: PathBuf, found: String },
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

    /// Read a file written by [`Interactions::save`].
    pub fn load(path: &Path) -> Result<Interactions, LoadError> {
        let bytes = std::fs::read(path).map_err(|error| LoadError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let disk: OnDisk = serde_json::from_slice(&bytes).map_err(|error| LoadError::Parse {
            path: path.to_path_buf(),
            error,
        })?;
        if disk.format != FORMAT {
            return Err(LoadError::Format {
                path: path.to_path_buf(),
                found: disk.format,
            });
        }
        Ok(disk.interactions)
    }
}
