//! The stored form of a listener's likes (DOM-free, native-tested).
//!
//! Kept apart from the page's reactive state: the page converts to and from
//! this versioned serde format at the edges (localStorage, import/export, the
//! share link). Anything unreadable yields an error the page turns into a
//! notice, never a panic.

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;
pub const STORAGE_KEY: &str = "soundalike.likes";
pub const HEAD_KEY: &str = "soundalike.tuned_head";
pub const MAX_IDS: usize = 5000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub version: u32,
    pub likes: Vec<String>,
    #[serde(default)]
    pub dislikes: Vec<String>,
    /// Artists the listener never wants recommended ("never this artist").
    #[serde(default)]
    pub banned_artists: Vec<String>,
    /// The listener's cap of tracks per artist, when not the default.
    #[serde(default)]
    pub max_per_artist: Option<usize>,
}

/// The most banned artists kept, and the longest name.
pub const MAX_BANNED: usize = 1000;
const MAX_ARTIST_LEN: usize = 300;

/// Why stored likes (localStorage, or our JSON export) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, no version, wrong shape, or ids that are not track ids.
    #[error("the saved data was unreadable ({0})")]
    Corrupt(String),
    /// Readable, but another format version.
    #[error("the saved data used format version {0}, this page reads version {VERSION}")]
    OldVersion(u64),
}

/// Why an imported likes file was refused. The messages are shown on the page as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    /// A JSON object that is not a readable likes export.
    #[error(transparent)]
    Stored(#[from] ReadError),
    /// Starts with `[` but is not a JSON list of strings.
    #[error("not a JSON list of ids: {0}")]
    NotAList(String),
    #[error("{count} of {total} entries are not track ids (e.g. {example:?})")]
    NotIds {
        count: usize,
        total: usize,
        /// The first bad entry, cut to 40 characters.
        example: String,
    },
    #[error("too many ids ({count}; at most {MAX_IDS})")]
    TooMany { count: usize },
}

/// A character outside the base64 alphabet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base64: {found:?} at position {at}")]
pub struct Base64Error {
    pub found: char,
    pub at: usize,
}

/// A plausible track id: 1..=64 chars of [A-Za-z0-9_-].
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Stored {
    pub fn new(likes: Vec<String>, dislikes: Vec<String>) -> Stored {
        Stored {
            version: VERSION,
            likes,
            dislikes,
            banned_artists: Vec::new(),
            max_per_artist: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Result<Stored, ReadError> {
        let v: serde_json::Value =
            serde_json::from_str(s).map_err(|e| ReadError::Corrupt(e.to_string()))?;
        let version = v
            .get("version")
            .and_then(|x| x.as_u64())
            .ok_or_else(|| ReadError::Corrupt("no version".into()))?;
        if version != VERSION as u64 {
            return Err(ReadError::OldVersion(version));
        }
        let st: Stored =
            serde_json::from_value(v).map_err(|e| ReadError::Corrupt(e.to_string()))?;
        if st.likes.len() + st.dislikes.len() > 2 * MAX_IDS
            || !st.likes.iter().chain(&st.dislikes).all(|s| valid_id(s))
        {
            return Err(ReadError::Corrupt("invalid track ids".into()));
        }
        if st.banned_artists.len() > MAX_BANNED
            || st
                .banned_artists
                .iter()
                .any(|a| a.is_empty() || a.len() > MAX_ARTIST_LEN)
        {
            return Err(ReadError::Corrupt("invalid banned artists".into()));
        }
        if st
            .max_per_artist
            .is_some_and(|m| m > crate::recommend::Options::MAX_K)
        {
            return Err(ReadError::Corrupt("invalid cap per artist".into()));
        }
        Ok(st)
    }
}

/// Parse an imported file: our JSON, a JSON array of ids, or CSV/plain text
/// with one id per line (first column; a header line is skipped).
pub fn parse_import(text: &str) -> Result<Vec<String>, ImportError> {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err(ImportError::Empty);
    }
    let ids: Vec<String> = if t.starts_with('{') {
        Stored::from_json(t)?.likes
    } else if t.starts_with('[') {
        serde_json::from_str(t).map_err(|e| ImportError::NotAList(e.to_string()))?
    } else {
        t.lines()
            .map(|l| {
                l.split([',', ';', '\t'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
            .filter(|s| !s.is_empty())
            .filter(|s| !matches!(s.to_ascii_lowercase().as_str(), "track_id" | "id" | "track"))
            .collect()
    };
    if let Some(first) = ids.iter().find(|s| !valid_id(s)) {
        return Err(ImportError::NotIds {
            count: ids.iter().filter(|s| !valid_id(s)).count(),
            total: ids.len(),
            example: first.chars().take(40).collect(),
        });
    }
    if ids.len() > MAX_IDS {
        return Err(ImportError::TooMany { count: ids.len() });
    }
    Ok(dedup(ids))
}

fn dedup(ids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|s| seen.insert(s.clone())).collect()
}

/// CSV export: a header and one id per line.
pub fn export_csv(ids: &[String]) -> String {
    let mut s = String::from("track_id\n");
    for id in ids {
        s.push_str(id);
        s.push('\n');
    }
    s
}

/// `likes=ID,ID,...` for the URL fragment (ids are URL-safe by `valid_id`).
pub fn to_fragment(ids: &[String]) -> String {
    format!("likes={}", ids.join(","))
}

/// Likes from a URL fragment (with or without the leading '#'); None when it carries none.
///
/// Deliberately lenient, so an `Option` rather than a `Result`: the fragment is a link someone
/// clicked, most page loads have none (None), and entries that are not track ids are skipped
/// (the page reports how many shared ids were not in the catalog), so there is no failure to
/// explain.
pub fn from_fragment(frag: &str) -> Option<Vec<String>> {
    let f = frag.trim_start_matches('#');
    for part in f.split('&') {
        if let Some(v) = part.strip_prefix("likes=") {
            let ids: Vec<String> = v
                .split(',')
                .map(str::trim)
                .filter(|s| valid_id(s))
                .map(String::from)
                .take(MAX_IDS)
                .collect();
            return Some(dedup(ids));
        }
    }
    None
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                out.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode standard base64 (padding optional, surrounding whitespace ignored).
pub fn base64_decode(s: &str) -> Result<Vec<u8>, Base64Error> {
    let s = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for (at, ch) in s.char_indices() {
        let v = u8::try_from(ch)
            .ok()
            .and_then(|b| B64.iter().position(|&x| x == b))
            .ok_or(Base64Error { found: ch, at })? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_version_check() {
        let s = Stored::new(vec!["a1".into(), "b2".into()], vec!["c3".into()]);
        assert_eq!(Stored::from_json(&s.to_json()).unwrap(), s);
        assert_eq!(
            Stored::from_json(r#"{"version":0,"likes":[]}"#),
            Err(ReadError::OldVersion(0))
        );
        assert!(matches!(
            Stored::from_json("{not json"),
            Err(ReadError::Corrupt(_))
        ));
        assert!(matches!(
            Stored::from_json(r#"{"version":1,"likes":["<script>"]}"#),
            Err(ReadError::Corrupt(_))
        ));
        assert!(matches!(
            Stored::from_json(r#"{"version":1,"likes":5}"#),
            Err(ReadError::Corrupt(_))
        ));
        assert!(matches!(
            Stored::from_json("null"),
            Err(ReadError::Corrupt(_))
        ));
        // A version beyond u32 is reported as it is, not wrapped around to a valid-looking one.
        assert_eq!(
            Stored::from_json(r#"{"version":4294967297,"likes":[]}"#),
            Err(ReadError::OldVersion(4_294_967_297))
        );
    }

    #[test]
    fn imports_json_csv_and_lists() {
        assert_eq!(parse_import(r#"["x","y","x"]"#).unwrap(), vec!["x", "y"]);
        assert_eq!(
            parse_import("track_id\nabc\n\"def\",foo\n").unwrap(),
            vec!["abc", "def"]
        );
        assert_eq!(
            parse_import(&Stored::new(vec!["q".into()], vec![]).to_json()).unwrap(),
            vec!["q"]
        );
        assert_eq!(parse_import("\u{feff} \n"), Err(ImportError::Empty));
        assert_eq!(
            parse_import("hello world\nabc\n"),
            Err(ImportError::NotIds {
                count: 1,
                total: 2,
                example: "hello world".into()
            })
        );
        assert_eq!(
            parse_import("hello world\n").unwrap_err().to_string(),
            "1 of 1 entries are not track ids (e.g. \"hello world\")"
        );
        assert!(matches!(
            parse_import("[1, 2]"),
            Err(ImportError::NotAList(_))
        ));
        assert_eq!(
            parse_import(r#"{"version":2,"likes":[]}"#),
            Err(ImportError::Stored(ReadError::OldVersion(2)))
        );
        let many: Vec<String> = (0..=MAX_IDS).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_import(&export_csv(&many)),
            Err(ImportError::TooMany { count: MAX_IDS + 1 })
        );
        let csv = export_csv(&["a".into(), "b".into()]);
        assert_eq!(parse_import(&csv).unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn fragment_roundtrip() {
        let ids = vec!["4uLU6hMCjMI75M1A2tKUQC".to_string(), "x".to_string()];
        assert_eq!(
            from_fragment(&format!("#{}", to_fragment(&ids))).unwrap(),
            ids
        );
        assert_eq!(from_fragment("#foo=1"), None);
        assert_eq!(from_fragment("likes=a,%3Cb%3E,c").unwrap(), vec!["a", "c"]);
    }

    #[test]
    fn base64_roundtrip() {
        for n in 0..20 {
            let v: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&v)).unwrap(), v);
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert_eq!(
            base64_decode("QQ@@"),
            Err(Base64Error { found: '@', at: 2 })
        );
        assert_eq!(
            base64_decode("QQ\u{e9}").unwrap_err().to_string(),
            "invalid base64: 'é' at position 2"
        );
    }
}
