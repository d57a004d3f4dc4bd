//! The binary catalog file the page loads.
//!
//! ```text
//! offset  size  field
//!  0      8     magic  b"SNDLKCAT"
//!  8      2     format version, u16 LE (currently 4; 3 was brotli, 2 had no `YAPX`, 1 stored
//!               genres as one byte)
//! 10      2     reserved, 0
//! 12      4     compressed payload length, u32 LE
//! 16      4     uncompressed payload length, u32 LE
//! 20      4     CRC-32 of the compressed payload, u32 LE
//! 24      …     payload: zlib-compressed (deflate) sequence of sections
//! ```
//! Each section is `tag (4 ASCII bytes) | length (u32 LE) | bytes`; unknown tags are skipped so a
//! newer writer can add sections. Columns are stored one after another (all ids, then all titles,
//! …), which compresses far better than rows:
//!
//! | tag | content |
//! |---|---|
//! | `META` | postcard `Meta`: track count, the 16-feature scaler, the genre names |
//! | `IDS_` | 16 bytes per track: the base62 Spotify id as a u128, big endian |
//! | `NAME` | postcard `Vec<String>`: titles |
//! | `ARTS` | postcard `Vec<(String, u32)>`: artist runs (tracks are sorted by artist) |
//! | `YEAR` | 1 byte per track: year − 1800, 0 = unknown |
//! | `YAPX` | 1 byte per track: 1 = the year is approximate (a decade's middle), else 0 |
//! | `POPU` | 1 byte per track: popularity 0–100, 255 = unknown |
//! | `GENR` | 2 bytes per track: u16 index into `Meta::genres` (0 = ""), all low bytes then all high bytes |
//! | `FEAT` | 9 bytes per track, column-major: the scaled base features quantized to 1/255 |
//! | `SYNT` | optional; postcard `synth::Synthetic` (source track count, seed): present only in a synthetic benchmark catalog, which the page then labels as such |
//!
//! `SYNT` is an optional section rather than a version bump: a reader that knows it flags the
//! catalog, and one that does not skips it.
//!
//! The 7 engineered features are derived at load time from the quantized base features with the
//! stored scaler, exactly as the builder derived them.

use serde::{Deserialize, Serialize};

use std::ops::Range;
use std::sync::Arc;

use super::features::{dequantize, Features, Scaler, N_BASE};
use super::{Catalog, Context, Track};

pub const MAGIC: &[u8; 8] = b"SNDLKCAT";
pub const VERSION: u16 = 4;
/// Most distinct genres a catalog can hold (index 0 is the empty genre, so one fewer names).
pub const MAX_GENRES: usize = u16::MAX as usize;
const HEADER_LEN: usize = 24;
/// Refuse to inflate beyond this (a corrupt length must not allocate gigabytes).
const MAX_RAW_LEN: u32 = 512 << 20;
const YEAR_BASE: u16 = 1800;

/// Why a catalog file could not be read. Each message says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("catalog file is {len} bytes, too short for the {HEADER_LEN}-byte header (truncated or not a catalog)")]
    TooShort { len: usize },
    #[error("not a soundalike catalog: the file does not start with \"SNDLKCAT\" (got {found:?})")]
    BadMagic { found: Vec<u8> },
    #[error("catalog format version {found} is not supported (this build reads version {supported}); rebuild the catalog with `soundalike catalog build`")]
    UnsupportedVersion { found: u16, supported: u16 },
    #[error(
        "catalog file is truncated: header promises {expected} payload bytes, {found} present"
    )]
    Truncated { expected: usize, found: usize },
    #[error(
        "catalog file is corrupt: checksum {found:08x} does not match the stored {expected:08x}"
    )]
    Checksum { expected: u32, found: u32 },
    #[error("catalog payload is corrupt: {0}")]
    Decompress(String),
    #[error("catalog is missing its {0} section")]
    MissingSection(&'static str),
    #[error("catalog section {section} is invalid: {reason}")]
    BadSection {
        section: &'static str,
        reason: String,
    },
}

/// Why a catalog could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("the tracks have {count} distinct genres; a catalog holds at most {limit}")]
    TooManyGenres { count: usize, limit: usize },
    #[error("track id {0:?} is not a 22-character base62 Spotify id")]
    BadId(String),
    #[error("{count} tracks; a catalog holds at most {limit}")]
    TooManyTracks { count: usize, limit: usize },
}

#[derive(Serialize, Deserialize)]
struct Meta {
    count: u32,
    scaler: Scaler,
    genres: Vec<String>,
}

const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Decode a 22-character base62 Spotify id into its 128-bit value.
pub fn id_to_u128(id: &str) -> Option<u128> {
    if id.len() != 22 {
        return None;
    }
    let mut v: u128 = 0;
    for c in id.bytes() {
        let d = ALPHABET.iter().position(|&a| a == c)? as u128;
        v = v.checked_mul(62)?.checked_add(d)?;
    }
    Some(v)
}

/// Encode a 128-bit value as a 22-character base62 Spotify id.
pub fn u128_to_id(v: u128) -> String {
    // long division in base 62^5 (< 2^30) over four 32-bit limbs: 64-bit divisions only. A
    // 128-bit division is a software routine in wasm, and the page runs this for every track
    // while it loads.
    const D5: u64 = 62u64.pow(5);
    let mut limbs = [
        (v >> 96) as u32,
        (v >> 64) as u32,
        (v >> 32) as u32,
        v as u32,
    ];
    let mut out = [b'0'; 22];
    let mut end = out.len();
    while end > 0 {
        let mut r = 0u64;
        for l in limbs.iter_mut() {
            let cur = (r << 32) | *l as u64;
            *l = (cur / D5) as u32;
            r = cur % D5;
        }
        // the remainder's five base-62 digits (2^128 < 62^22: digits past the 22nd are zero)
        let mut r = r as u32;
        for _ in 0..5.min(end) {
            end -= 1;
            out[end] = ALPHABET[(r % 62) as usize];
            r /= 62;
        }
    }
    String::from_utf8(out.to_vec()).expect("alphabet is ASCII")
}

/// The digit-by-digit encoding `u128_to_id` replaced, kept to test it against.
#[cfg(test)]
fn u128_to_id_slow(mut v: u128) -> String {
    let mut out = [b'0'; 22];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v % 62) as usize];
        v /= 62;
    }
    String::from_utf8(out.to_vec()).expect("alphabet is ASCII")
}

#[cfg(not(target_arch = "wasm32"))]
fn push_section(out: &mut Vec<u8>, tag: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(tag);
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
}

/// Encode a catalog. Fails (never panics) on more than [`MAX_GENRES`] genres, more than
/// `u32::MAX` tracks, or an id that is not base62 (ingest drops such rows).
#[cfg(not(target_arch = "wasm32"))]
pub fn encode(cat: &Catalog) -> Result<Vec<u8>, EncodeError> {
    use super::features::quantize;
    use std::collections::HashMap;
    let n = cat.len();
    let count = u32::try_from(n).map_err(|_| EncodeError::TooManyTracks {
        count: n,
        limit: u32::MAX as usize,
    })?;
    let mut genres: Vec<String> = vec![String::new()];
    let mut index: HashMap<&str, u16> = HashMap::from([("", 0)]);
    let mut genre_idx: Vec<u16> = Vec::with_capacity(n);
    for t in &cat.tracks {
        let i = match index.get(&*t.genre) {
            Some(&i) => i,
            None => {
                let i = u16::try_from(genres.len()).map_err(|_| EncodeError::TooManyGenres {
                    count: distinct_genres(cat),
                    limit: MAX_GENRES,
                })?;
                genres.push(t.genre.to_string());
                index.insert(&t.genre, i);
                i
            }
        };
        genre_idx.push(i);
    }
    let meta = Meta {
        count,
        scaler: cat.scaler.clone(),
        genres,
    };
    let mut ids = Vec::with_capacity(16 * n);
    for t in &cat.tracks {
        let v = id_to_u128(&t.id).ok_or_else(|| EncodeError::BadId(t.id.clone()))?;
        ids.extend_from_slice(&v.to_be_bytes());
    }
    let names: Vec<&str> = cat.tracks.iter().map(|t| t.name.as_str()).collect();
    let mut runs: Vec<(&str, u32)> = Vec::new();
    for t in &cat.tracks {
        match runs.last_mut() {
            Some((a, c)) if **a == *t.artist => *c += 1,
            _ => runs.push((&t.artist, 1)),
        }
    }
    let years: Vec<u8> = cat
        .tracks
        .iter()
        .map(|t| match t.year {
            Some(y) if y > YEAR_BASE && y < YEAR_BASE + 256 => (y - YEAR_BASE) as u8,
            _ => 0,
        })
        .collect();
    let approx: Vec<u8> = cat
        .tracks
        .iter()
        .map(|t| u8::from(t.year_approx && t.year.is_some()))
        .collect();
    let pops: Vec<u8> = cat
        .tracks
        .iter()
        .map(|t| t.popularity.map_or(255, |p| p.min(100)))
        .collect();
    let mut feats = Vec::with_capacity(N_BASE * n);
    for j in 0..N_BASE {
        feats.extend(cat.features.iter().map(|f| quantize(f[j])));
    }

    let mut raw = Vec::new();
    push_section(
        &mut raw,
        b"META",
        &postcard::to_allocvec(&meta).expect("meta"),
    );
    push_section(&mut raw, b"IDS_", &ids);
    push_section(
        &mut raw,
        b"NAME",
        &postcard::to_allocvec(&names).expect("names"),
    );
    push_section(
        &mut raw,
        b"ARTS",
        &postcard::to_allocvec(&runs).expect("artists"),
    );
    push_section(&mut raw, b"YEAR", &years);
    push_section(&mut raw, b"YAPX", &approx);
    push_section(&mut raw, b"POPU", &pops);
    // Byte planes: with few genres the high plane is all zeros and compresses to almost nothing.
    let genre_bytes: Vec<u8> = genre_idx
        .iter()
        .map(|&g| g as u8)
        .chain(genre_idx.iter().map(|&g| (g >> 8) as u8))
        .collect();
    push_section(&mut raw, b"GENR", &genre_bytes);
    push_section(&mut raw, b"FEAT", &feats);
    if let Some(synth) = cat.synthetic() {
        push_section(
            &mut raw,
            b"SYNT",
            &postcard::to_allocvec(synth).expect("synthetic"),
        );
    }

    let payload = compress(&raw);

    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The payload compressed: zlib (deflate), at the best level. The browser inflates it natively
/// (`DecompressionStream("deflate")`) as it downloads; brotli made the file 7% smaller but put a
/// decoder and its 122 KB dictionary in the page's wasm, and inflated 3.5 MB in about 140 ms there.
#[cfg(not(target_arch = "wasm32"))]
pub fn compress(raw: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(raw).expect("in-memory zlib");
    z.finish().expect("in-memory zlib")
}

/// Distinct non-empty genres of a catalog (for the error message).
#[cfg(not(target_arch = "wasm32"))]
fn distinct_genres(cat: &Catalog) -> usize {
    let set: std::collections::HashSet<&str> = cat
        .tracks
        .iter()
        .map(|t| &*t.genre)
        .filter(|g| !g.is_empty())
        .collect();
    set.len()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn bad(section: &'static str, reason: impl Into<String>) -> FormatError {
    FormatError::BadSection {
        section,
        reason: reason.into(),
    }
}

/// Decode a catalog file (natively; the page inflates with the browser's `DecompressionStream`
/// and parses with [`decode_raw`]). Every failure is a [`FormatError`]; this never panics.
#[cfg(not(target_arch = "wasm32"))]
pub fn decode(bytes: &[u8]) -> Result<Catalog, FormatError> {
    let mut d = StreamDecoder::new();
    d.push(bytes);
    decode_raw(d.finish()?)
}

/// Parse an inflated payload (what [`StreamDecoder::finish`] returns) into the catalog. The page
/// inflates in its engine worker and hands the raw sections over, so this is the cheap half.
pub fn decode_raw(raw: Vec<u8>) -> Result<Catalog, FormatError> {
    RawDecoder::new(raw)?.finish()
}

/// Output grown by this much at a time while inflating, so a corrupt length never reserves
/// memory up front.
#[cfg(not(target_arch = "wasm32"))]
const OUT_STEP: usize = 64 << 10;

/// A catalog file's container as it arrives, chunk by chunk: the header checked, the payload
/// counted and checksummed. The payload itself goes to an inflater ([`StreamDecoder`] natively;
/// the browser's own `DecompressionStream` in the page, which keeps a deflate decoder out of the
/// wasm). [`finish`](Self::finish) reports errors in the order [`decode`] does (a short or
/// foreign file, the version, truncation, the checksum, then the payload), so a corrupt byte
/// reads as a checksum error even when the inflater stumbles on it first.
#[derive(Default)]
pub struct Container {
    header: Vec<u8>,
    /// Payload length, inflated length and CRC once the header is complete and valid.
    expect: Option<(usize, u32, u32)>,
    header_error: Option<FormatError>,
    crc: crc32fast::Hasher,
    fed: usize,
}

impl Container {
    pub fn new() -> Container {
        Container::default()
    }

    /// Bytes of the file received so far (header and payload).
    pub fn received(&self) -> usize {
        self.header.len() + self.fed
    }

    /// The inflated length the header declares, once a valid header has arrived.
    pub fn inflated_len(&self) -> Option<usize> {
        self.expect.map(|(_, raw_len, _)| raw_len as usize)
    }

    /// Take the next bytes of the file; returns the part of them that is payload, for the
    /// inflater (nothing before a valid header, nothing past the declared payload).
    pub fn push<'a>(&mut self, mut chunk: &'a [u8]) -> &'a [u8] {
        if self.header.len() < HEADER_LEN {
            let take = (HEADER_LEN - self.header.len()).min(chunk.len());
            self.header.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.header.len() == HEADER_LEN {
                match check_header(&self.header) {
                    Ok(e) => self.expect = Some(e),
                    Err(e) => self.header_error = Some(e),
                }
            }
        }
        let Some((plen, _, _)) = self.expect else {
            return &[];
        };
        // bytes after the payload are not part of the catalog
        let chunk = &chunk[..chunk.len().min(plen - self.fed)];
        self.fed += chunk.len();
        self.crc.update(chunk);
        chunk
    }

    /// The inflated payload, once the container checks out: `inflated` is what the inflater made
    /// of the payload (or why it failed), checked against the declared length.
    pub fn finish(self, inflated: Result<Vec<u8>, String>) -> Result<Vec<u8>, FormatError> {
        if self.header.len() < HEADER_LEN {
            if self.header.len() >= 8 && &self.header[..8] != MAGIC {
                return Err(FormatError::BadMagic {
                    found: self.header[..8].to_vec(),
                });
            }
            return Err(FormatError::TooShort {
                len: self.header.len(),
            });
        }
        if let Some(e) = self.header_error {
            return Err(e);
        }
        let Some((plen, raw_len, crc)) = self.expect else {
            return Err(FormatError::TooShort { len: 0 });
        };
        if self.fed < plen {
            return Err(FormatError::Truncated {
                expected: plen,
                found: self.fed,
            });
        }
        let found = self.crc.finalize();
        if found != crc {
            return Err(FormatError::Checksum {
                expected: crc,
                found,
            });
        }
        let raw = inflated.map_err(FormatError::Decompress)?;
        if raw.len() != raw_len as usize {
            return Err(FormatError::Decompress(format!(
                "inflated to {} bytes, header says {raw_len}",
                raw.len()
            )));
        }
        Ok(raw)
    }
}

/// A catalog file decoded as it arrives (native): feed each chunk to [`push`](Self::push) (the
/// zlib payload is inflated incrementally and checksummed on the way), then
/// [`finish`](Self::finish). Errors are those of [`Container::finish`].
#[cfg(not(target_arch = "wasm32"))]
pub struct StreamDecoder {
    container: Container,
    zlib: flate2::Decompress,
    raw: Vec<u8>,
    /// The first inflation failure (reported after truncation and checksum).
    failed: Option<String>,
    /// The zlib stream has ended.
    ended: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl StreamDecoder {
    pub fn new() -> StreamDecoder {
        StreamDecoder {
            container: Container::new(),
            zlib: flate2::Decompress::new(true),
            raw: Vec::new(),
            failed: None,
            ended: false,
        }
    }

    /// Bytes of the file received so far.
    pub fn received(&self) -> usize {
        self.container.received()
    }

    /// Inflated payload bytes so far.
    pub fn inflated(&self) -> usize {
        self.raw.len()
    }

    /// Feed the next bytes of the file. Never fails: errors are kept for [`finish`](Self::finish),
    /// and after one the rest is only counted.
    pub fn push(&mut self, chunk: &[u8]) {
        let payload = self.container.push(chunk);
        if self.failed.is_none() && !payload.is_empty() {
            let limit = self.container.inflated_len().unwrap_or(0);
            if let Err(e) = self.inflate(payload, limit) {
                self.failed = Some(e);
            }
        }
    }

    fn inflate(&mut self, mut input: &[u8], limit: usize) -> Result<(), String> {
        use flate2::FlushDecompress;
        loop {
            if self.ended {
                return match input.is_empty() {
                    true => Ok(()),
                    false => Err("data after the end of the compressed stream".into()),
                };
            }
            if self.raw.len() == self.raw.capacity() {
                self.raw.reserve(OUT_STEP);
            }
            let (in_before, out_before) = (self.zlib.total_in(), self.raw.len());
            let status = self
                .zlib
                .decompress_vec(input, &mut self.raw, FlushDecompress::None)
                .map_err(|e| format!("invalid zlib data ({e})"))?;
            input = &input[(self.zlib.total_in() - in_before) as usize..];
            if self.raw.len() > limit {
                return Err(format!("inflates beyond the {limit} bytes the header says"));
            }
            if status == flate2::Status::StreamEnd {
                self.ended = true;
                continue;
            }
            let stalled = self.zlib.total_in() == in_before && self.raw.len() == out_before;
            // all input taken and room left for output: wait for the next chunk
            if input.is_empty() && self.raw.len() < self.raw.capacity() {
                return Ok(());
            }
            if stalled && self.raw.len() < self.raw.capacity() {
                return Err("the zlib stream stopped making progress".into());
            }
        }
    }

    /// The inflated payload, checked against the header (length, checksum, end of stream).
    pub fn finish(self) -> Result<Vec<u8>, FormatError> {
        let inflated = match (self.failed, self.ended) {
            (Some(e), _) => Err(e),
            (None, false) => Err(format!(
                "the compressed stream ends early (inflated {} bytes)",
                self.raw.len()
            )),
            (None, true) => Ok(self.raw),
        };
        self.container.finish(inflated)
    }
}

/// Magic, version and sizes of a complete 24-byte header: (payload length, inflated length, CRC).
fn check_header(h: &[u8]) -> Result<(usize, u32, u32), FormatError> {
    if &h[..8] != MAGIC {
        return Err(FormatError::BadMagic {
            found: h[..8].to_vec(),
        });
    }
    let version = u16::from_le_bytes([h[8], h[9]]);
    if version != VERSION {
        return Err(FormatError::UnsupportedVersion {
            found: version,
            supported: VERSION,
        });
    }
    let raw_len = u32_at(h, 16);
    if raw_len > MAX_RAW_LEN {
        return Err(FormatError::Decompress(format!(
            "declared size {raw_len} bytes is implausibly large"
        )));
    }
    Ok((u32_at(h, 12) as usize, raw_len, u32_at(h, 20)))
}

/// Where each section lies in the inflated payload.
#[derive(Default)]
struct Sections {
    meta: Option<Range<usize>>,
    ids: Option<Range<usize>>,
    names: Option<Range<usize>>,
    artists: Option<Range<usize>>,
    years: Option<Range<usize>>,
    approx: Option<Range<usize>>,
    pops: Option<Range<usize>>,
    genres: Option<Range<usize>>,
    feats: Option<Range<usize>>,
    synthetic: Option<Range<usize>>,
}

fn find_sections(raw: &[u8]) -> Result<Sections, FormatError> {
    let mut s = Sections::default();
    let mut at = 0;
    while at < raw.len() {
        if raw.len() - at < 8 {
            return Err(bad("table", "section header cut short"));
        }
        let tag = &raw[at..at + 4];
        let len = u32_at(raw, at + 4) as usize;
        let start = at + 8;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= raw.len())
            .ok_or_else(|| {
                bad(
                    "table",
                    format!(
                        "section {:?} overruns the payload",
                        String::from_utf8_lossy(tag)
                    ),
                )
            })?;
        let range = Some(start..end);
        match tag {
            b"META" => s.meta = range,
            b"IDS_" => s.ids = range,
            b"NAME" => s.names = range,
            b"ARTS" => s.artists = range,
            b"YEAR" => s.years = range,
            b"YAPX" => s.approx = range,
            b"POPU" => s.pops = range,
            b"GENR" => s.genres = range,
            b"FEAT" => s.feats = range,
            b"SYNT" => s.synthetic = range,
            _ => {}
        }
        at = end;
    }
    Ok(s)
}

/// The `ARTS` section (postcard `Vec<(String, u32)>`) as the byte range of each name and its
/// track count: no string is made here (the decoder makes one per run as it reaches it, a slice
/// of tracks at a time). Checks the lengths, not the UTF-8 (the decoder does, per run).
fn artist_runs(raw: &[u8], section: Range<usize>) -> Result<Vec<(Range<usize>, u32)>, FormatError> {
    let d = &raw[..section.end];
    let mut at = section.start;
    let count = varint(d, &mut at, "ARTS")?;
    let mut runs = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(d.len()));
    for k in 0..count {
        let name = string_bytes(d, &mut at, "ARTS", || format!("artist {k}"))?;
        let tracks = u32::try_from(varint(d, &mut at, "ARTS")?)
            .map_err(|_| bad("ARTS", format!("artist {k} has too many tracks")))?;
        runs.push((name, tracks));
    }
    if at != d.len() {
        return Err(bad("ARTS", "bytes left after the last artist"));
    }
    Ok(runs)
}

/// Where a postcard string lies in `d` (a varint length at `*at`, then the bytes), moving `*at`
/// past it; `what` names it in the error when it overruns the section.
fn string_bytes(
    d: &[u8],
    at: &mut usize,
    section: &'static str,
    what: impl FnOnce() -> String,
) -> Result<Range<usize>, FormatError> {
    let len = varint(d, at, section)?;
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| at.checked_add(l))
        .filter(|&e| e <= d.len())
        .ok_or_else(|| bad(section, format!("{} overruns the section", what())))?;
    let range = *at..end;
    *at = end;
    Ok(range)
}

/// A postcard varint (LEB128, at most 10 bytes) at `*at` in `d`, moving `*at` past it.
fn varint(d: &[u8], at: &mut usize, section: &'static str) -> Result<u64, FormatError> {
    let mut v = 0u64;
    for k in 0..10 {
        let b = *d
            .get(*at)
            .ok_or_else(|| bad(section, "a length is cut short"))?;
        *at += 1;
        v |= ((b & 0x7f) as u64)
            .checked_shl(7 * k)
            .filter(|_| k < 9 || b <= 1)
            .ok_or_else(|| bad(section, "a length overflows"))?;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(bad(section, "a length overflows"))
}

/// The checked table of an inflated payload: the track count, the scaler, and where each
/// fixed-width column lies (each checked to hold one entry per track). Enough to read the
/// numbers a range of tracks at a time ([`numbers`](Self::numbers), what the engine worker
/// encodes from) without the text; [`RawDecoder`] parses the text with it.
pub struct Columns {
    meta: Meta,
    n: usize,
    ids: Range<usize>,
    years: Range<usize>,
    approx: Range<usize>,
    pops: Range<usize>,
    genres: Range<usize>,
    feats: Range<usize>,
    names: Option<Range<usize>>,
    artists: Option<Range<usize>>,
    synthetic: Option<Range<usize>>,
}

impl Columns {
    pub fn new(raw: &[u8]) -> Result<Columns, FormatError> {
        let s = find_sections(raw)?;
        let meta: Meta =
            postcard::from_bytes(&raw[s.meta.ok_or(FormatError::MissingSection("META"))?])
                .map_err(|e| bad("META", e.to_string()))?;
        if !meta.scaler.is_valid() {
            return Err(bad("META", "scaler has a non-finite or inverted range"));
        }
        let n = meta.count as usize;
        let fixed = |name: &'static str,
                     r: Option<Range<usize>>,
                     per: usize|
         -> Result<Range<usize>, FormatError> {
            let r = r.ok_or(FormatError::MissingSection(name))?;
            if Some(r.len()) != n.checked_mul(per) {
                return Err(bad(
                    name,
                    format!(
                        "{} bytes for {n} tracks, expected {}",
                        r.len(),
                        n.saturating_mul(per)
                    ),
                ));
            }
            Ok(r)
        };
        Ok(Columns {
            ids: fixed("IDS_", s.ids, 16)?,
            years: fixed("YEAR", s.years, 1)?,
            approx: fixed("YAPX", s.approx, 1)?,
            pops: fixed("POPU", s.pops, 1)?,
            genres: fixed("GENR", s.genres, 2)?,
            feats: fixed("FEAT", s.feats, N_BASE)?,
            names: s.names,
            artists: s.artists,
            synthetic: s.synthetic,
            meta,
            n,
        })
    }

    /// Tracks in the catalog.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The features and context of the tracks in `range` (within `0..len`), without the text:
    /// what encoding needs. A range at a time, so that the engine worker encodes as it reads
    /// (and wasm engines compile a function that is called often, not one long loop).
    pub fn numbers(
        &self,
        raw: &[u8],
        range: Range<usize>,
    ) -> Result<(Vec<Features>, Vec<Context>), FormatError> {
        let mut features = Vec::with_capacity(range.len());
        let mut contexts = Vec::with_capacity(range.len());
        for i in range {
            let pop = self.popularity(raw, i)?;
            let year = raw[self.years.start + i];
            contexts.push(Context {
                year: (year != 0).then(|| YEAR_BASE + year as u16),
                year_approx: year != 0 && raw[self.approx.start + i] != 0,
                popularity: pop,
            });
            features.push(self.features_of(raw, i));
        }
        Ok((features, contexts))
    }

    fn popularity(&self, raw: &[u8], i: usize) -> Result<Option<u8>, FormatError> {
        match raw[self.pops.start + i] {
            255 => Ok(None),
            p if p > 100 => Err(bad("POPU", format!("track {i} has popularity {p}"))),
            p => Ok(Some(p)),
        }
    }

    fn features_of(&self, raw: &[u8], i: usize) -> Features {
        let base: [f32; N_BASE] =
            std::array::from_fn(|j| dequantize(raw[self.feats.start + j * self.n + i]));
        self.meta.scaler.complete(&base)
    }
}

/// An inflated payload (what [`StreamDecoder::finish`] returns) parsed a slice of tracks at a
/// time, so the page can yield between slices: [`new`](Self::new) checks the table of sections
/// and every section's size, [`step`](Self::step) builds the next tracks (titles read in place,
/// as postcard wrote them), [`finish`](Self::finish) the catalog. Errors are [`FormatError`]s
/// naming the section, as [`decode_raw`]'s.
pub struct RawDecoder {
    raw: Vec<u8>,
    cols: Columns,
    /// Reading position in the NAME section, and its end.
    names_at: usize,
    names_end: usize,
    /// Lead artists as runs (where the name lies in `raw`, tracks); the next run, the current
    /// one's name and what is left of it.
    runs: Vec<(Range<usize>, u32)>,
    next_run: usize,
    artist: Arc<str>,
    run_left: u32,
    /// The genre names, shared by their tracks.
    genres: Vec<Arc<str>>,
    synthetic: Option<super::synth::Synthetic>,
    tracks: Vec<Track>,
    features: Vec<Features>,
    /// Track id → index, built as the tracks are (as `Catalog::new` builds it).
    index: super::IdIndex,
}

impl RawDecoder {
    pub fn new(raw: Vec<u8>) -> Result<RawDecoder, FormatError> {
        let cols = Columns::new(&raw)?;
        let n = cols.n;
        let names = cols
            .names
            .clone()
            .ok_or(FormatError::MissingSection("NAME"))?;
        let mut names_at = names.start;
        let count = varint(&raw[..names.end], &mut names_at, "NAME")?;
        if count != n as u64 {
            return Err(bad("NAME", format!("{count} titles for {n} tracks")));
        }
        let runs = artist_runs(
            &raw,
            cols.artists
                .clone()
                .ok_or(FormatError::MissingSection("ARTS"))?,
        )?;
        // one string per genre, shared by its tracks (and one per artist, made as its run
        // starts)
        let genres = cols
            .meta
            .genres
            .iter()
            .map(|g| Arc::from(g.as_str()))
            .collect();
        let total: u64 = runs.iter().map(|(_, c)| *c as u64).sum();
        if total != n as u64 {
            return Err(bad(
                "ARTS",
                format!("artist runs cover {total} tracks, expected {n}"),
            ));
        }
        let synthetic = cols
            .synthetic
            .clone()
            .map(|r| postcard::from_bytes(&raw[r]).map_err(|e| bad("SYNT", e.to_string())))
            .transpose()?;
        Ok(RawDecoder {
            genres,
            names_at,
            names_end: names.end,
            runs,
            next_run: 0,
            artist: Arc::default(),
            run_left: 0,
            synthetic,
            tracks: Vec::with_capacity(n),
            features: Vec::with_capacity(n),
            index: super::IdIndex::with_capacity(n),
            cols,
            raw,
        })
    }

    /// Tracks parsed so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.tracks.len(), self.cols.n)
    }

    /// Parse up to `count` more tracks; true once every track is.
    pub fn step(&mut self, count: usize) -> Result<bool, FormatError> {
        let (from, n) = (self.tracks.len(), self.cols.n);
        let to = from.saturating_add(count).min(n);
        let raw = &self.raw;
        let names = &raw[..self.names_end];
        for i in from..to {
            let title = string_bytes(names, &mut self.names_at, "NAME", || format!("title {i}"))?;
            let name = std::str::from_utf8(&names[title])
                .map_err(|_| bad("NAME", format!("title {i} is not UTF-8")))?
                .to_string();
            while self.run_left == 0 {
                let Some((name, count)) = self.runs.get(self.next_run) else {
                    // (the runs cover every track: `new` checked)
                    self.run_left = u32::MAX;
                    self.artist = Arc::default();
                    break;
                };
                self.run_left = *count;
                self.artist = std::str::from_utf8(&raw[name.clone()])
                    .map_err(|_| bad("ARTS", format!("artist {} is not UTF-8", self.next_run)))?
                    .into();
                self.next_run += 1;
            }
            self.run_left -= 1;
            let artist = Arc::clone(&self.artist);
            let at = self.cols.ids.start + 16 * i;
            let id = u128::from_be_bytes(raw[at..at + 16].try_into().expect("16 bytes"));
            let g = u16::from_le_bytes([
                raw[self.cols.genres.start + i],
                raw[self.cols.genres.start + n + i],
            ]) as usize;
            let genre = self
                .genres
                .get(g)
                .ok_or_else(|| {
                    bad(
                        "GENR",
                        format!(
                            "track {i} has genre index {g}, only {} genres",
                            self.genres.len()
                        ),
                    )
                })?
                .clone();
            let popularity = self.cols.popularity(raw, i)?;
            let year = raw[self.cols.years.start + i];
            self.tracks.push(Track {
                id: u128_to_id(id),
                name,
                artist,
                year: (year != 0).then(|| YEAR_BASE + year as u16),
                year_approx: year != 0 && raw[self.cols.approx.start + i] != 0,
                popularity,
                genre,
            });
            self.index.insert(&self.tracks, i);
            let f = self.cols.features_of(raw, i);
            self.features.push(f);
        }
        Ok(to == n)
    }

    /// The catalog (parsing what is left first).
    pub fn finish(mut self) -> Result<Catalog, FormatError> {
        while !self.step(usize::MAX)? {}
        let mut cat = Catalog::with_index(
            self.tracks,
            self.features,
            self.cols.meta.scaler,
            self.index,
        );
        if let Some(synth) = self.synthetic {
            cat.set_synthetic(synth);
        }
        Ok(cat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_ids_round_trip() {
        for id in [
            "6f807x0ima9a1j3VPbc7VN",
            "0000000000000000000000",
            "6ZZZZZZZZZZZZZZZZZZZZZ",
        ] {
            let v = id_to_u128(id).unwrap();
            assert_eq!(u128_to_id(v), id);
        }
        assert_eq!(id_to_u128("short"), None);
        assert_eq!(id_to_u128("6f807x0ima9a1j3VPbc7V!"), None);
        assert_eq!(
            id_to_u128("ZZZZZZZZZZZZZZZZZZZZZZ"),
            None,
            "overflows 128 bits"
        );
        assert_eq!(id_to_u128(&u128_to_id(u128::MAX)), Some(u128::MAX));
    }

    #[test]
    fn fast_base62_equals_digit_by_digit() {
        let mut rng = crate::rng::Rng64::new(7);
        let mut cases = vec![
            0,
            1,
            61,
            62,
            u64::MAX as u128,
            u128::MAX,
            62u128.pow(10) - 1,
            62u128.pow(10),
            62u128.pow(20),
            62u128.pow(5) - 1,
            62u128.pow(5),
            1 << 32,
            (1 << 96) - 1,
        ];
        for _ in 0..10_000 {
            cases.push(((rng.next_u64() as u128) << 64) | rng.next_u64() as u128);
        }
        for v in cases {
            assert_eq!(u128_to_id(v), u128_to_id_slow(v), "{v}");
        }
    }
}
