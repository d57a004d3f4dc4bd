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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Corrupt(String),
    OldVersion(u32),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Corrupt(m) => write!(f, "the saved data was unreadable ({m})"),
            ReadError::OldVersion(v) => write!(
                f,
                "the saved data used format version {v}, this page reads version {VERSION}"
            ),
        }
    }
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
            return Err(ReadError::OldVersion(version as u32));
        }
        let st: Stored =
            serde_json::from_value(v).map_err(|e| ReadError::Corrupt(e.to_string()))?;
        if st.likes.len() + st.dislikes.len() > 2 * MAX_IDS
            || !st.likes.iter().chain(&st.dislikes).all(|s| valid_id(s))
        {
            return Err(ReadError::Corrupt("invalid track ids".into()));
        }
        Ok(st)
    }
}

/// Parse an imported file: our JSON, a JSON array of ids, or CSV/plain text
/// with one id per line (first column; a header line is skipped).
pub fn parse_import(text: &str) -> Result<Vec<String>, String> {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err("the file is empty".into());
    }
    let ids: Vec<String> = if t.starts_with('{') {
        match Stored::from_json(t) {
            Ok(s) => s.likes,
            Err(e) => return Err(e.to_string()),
        }
    } else if t.starts_with('[') {
        let v: Vec<String> =
            serde_json::from_str(t).map_err(|e| format!("not a JSON list of ids: {e}"))?;
        v
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
    let bad = ids.iter().filter(|s| !valid_id(s)).count();
    if bad > 0 {
        return Err(format!("{bad} entries are not track ids"));
    }
    if ids.len() > MAX_IDS {
        return Err(format!("too many ids ({}; at most {MAX_IDS})", ids.len()));
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

pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for ch in s.bytes() {
        let v = B64.iter().position(|&b| b == ch).ok_or("invalid base64")? as u32;
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
        assert!(parse_import("").is_err());
        assert!(parse_import("hello world\n").is_err());
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
        assert!(base64_decode("@@").is_err());
    }
}
