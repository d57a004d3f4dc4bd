//! One song once, and no artist filling the list.
//!
//! The data holds one song under several ids (album, single, compilation, "- Spotify Session",
//! "- Live", "(Remastered 2011)"). [`song_key`] maps such titles of one artist to one key;
//! [`artist_key`] names the lead artist. [`Distinct`] walks a ranking best first and drops a
//! track whose song is a like's or a higher-ranked result's, one by a banned artist, and one
//! whose artist already has `max_per_artist` tracks above it.

use std::collections::HashMap;

/// Lead artist (the first of a "A, B" list), lower-case letters and digits only, hashed.
pub fn artist_key(artist: &str) -> u64 {
    let lead = before(artist, b", ");
    let mut h = Fnv::new();
    letters(lead, &mut h);
    h.0
}

/// Title without what tells versions apart (anything after " - ", bracketed parts like
/// "(feat. X)" or "[Live]"), lower-case letters and digits only, with the lead artist; hashed.
/// Hashing instead of building strings keeps the catalog's 66k keys cheap at load.
pub fn song_key(title: &str, artist: &str) -> u64 {
    song_key_of(title, artist_key(artist))
}

/// [`song_key`] given the artist's [`artist_key`] (the load has it already).
pub fn song_key_of(title: &str, artist_key: u64) -> u64 {
    let base = before(title, b" - ");
    let mut h = Fnv::new();
    let mut depth = 0usize;
    let mut any = false;
    for c in base.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 && c.is_alphanumeric() => {
                any = true;
                h.lower(c);
            }
            _ => {}
        }
    }
    // a title that is all brackets keeps its full text rather than becoming empty
    if !any {
        letters(title, &mut h);
    }
    h.char('|');
    h.u64(artist_key);
    h.0
}

/// `s` up to the first `sep` (all of it when there is none). A byte scan: `str::split` sets up a
/// substring searcher per call, which cost more than the scan for the page's 132k short strings.
fn before<'a>(s: &'a str, sep: &[u8]) -> &'a str {
    let b = s.as_bytes();
    let end = (0..b.len())
        .find(|&i| b[i..].starts_with(sep))
        .unwrap_or(b.len());
    // `sep` is ASCII, so `end` is a char boundary
    &s[..end]
}

fn letters(s: &str, h: &mut Fnv) {
    for c in s.chars().filter(|c| c.is_alphanumeric()) {
        h.lower(c);
    }
}

/// 64-bit FNV-1a: with ~66k songs a collision is about a 1-in-10⁹ event.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    /// `c` lower-cased (ASCII without the Unicode tables: most titles are ASCII).
    fn lower(&mut self, c: char) {
        if c.is_ascii() {
            self.byte(c.to_ascii_lowercase() as u8);
        } else {
            for l in c.to_lowercase() {
                self.char(l);
            }
        }
    }

    fn char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.byte(b);
        }
    }
    fn u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.byte(b);
        }
    }
}

/// Keys are already hashes: the map uses them as they are (SipHash over 66k keys cost more
/// than the keys themselves).
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// Map from a key to its dense id.
pub type KeyIds = HashMap<u64, u32, std::hash::BuildHasherDefault<KeyHasher>>;

/// Dense ids for keys (so a ranking indexes flat arrays), and the id of each key.
pub fn intern(keys: impl IntoIterator<Item = u64>) -> (Vec<u32>, KeyIds) {
    let mut ids = Interner::default();
    for k in keys {
        ids.push(k);
    }
    (ids.ids, ids.of)
}

/// [`intern`] a key at a time (the page's indexing runs in slices).
#[derive(Debug, Clone, Default)]
pub struct Interner {
    pub ids: Vec<u32>,
    pub of: KeyIds,
}

impl Interner {
    /// Room for `n` keys, so a catalog's worth does not rehash as it grows.
    pub fn with_capacity(n: usize) -> Interner {
        Interner {
            ids: Vec::with_capacity(n),
            of: KeyIds::with_capacity_and_hasher(n, Default::default()),
        }
    }

    pub fn push(&mut self, k: u64) {
        let n = self.of.len() as u32;
        self.ids.push(*self.of.entry(k).or_insert(n));
    }

    /// Push the last key again (the caller knows it repeats: no hashing, no probe).
    pub fn push_again(&mut self) -> bool {
        match self.ids.last() {
            Some(&id) => {
                self.ids.push(id);
                true
            }
            None => false,
        }
    }
}

/// The walk over one ranking. Flat arrays over song and artist ids, no hashing per track: the
/// scan asks [`Distinct::excluded`] for every catalog track.
pub struct Distinct<'a> {
    song: &'a [u32],
    artist: &'a [u32],
    seen_songs: Vec<bool>,
    per_artist: Vec<u16>,
    banned: Vec<bool>,
    max_per_artist: usize,
}

impl<'a> Distinct<'a> {
    /// `song[i]` and `artist[i]` are track `i`'s interned ids (below `n_songs`, `n_artists`);
    /// the likes' songs are taken; `max_per_artist == 0` means no cap.
    pub fn new(
        song: &'a [u32],
        artist: &'a [u32],
        (n_songs, n_artists): (usize, usize),
        likes: &[usize],
        banned: impl IntoIterator<Item = u32>,
        max_per_artist: usize,
    ) -> Self {
        let mut seen_songs = vec![false; n_songs];
        for &i in likes {
            if let Some(s) = song.get(i).and_then(|&s| seen_songs.get_mut(s as usize)) {
                *s = true;
            }
        }
        let mut banned_mask = vec![false; n_artists];
        for a in banned {
            if let Some(b) = banned_mask.get_mut(a as usize) {
                *b = true;
            }
        }
        Distinct {
            song,
            artist,
            seen_songs,
            per_artist: vec![0; n_artists],
            banned: banned_mask,
            max_per_artist,
        }
    }

    /// Whether track `i` may never appear (banned artist or a liked song), whatever ranks above.
    /// Asked for every scan candidate: inlined (the size-optimised wasm called it).
    #[inline(always)]
    pub fn excluded(&self, i: usize) -> bool {
        // (slices: a `Vec` index stayed a call in the size-optimised wasm)
        self.banned.as_slice()[self.artist[i] as usize]
            || self.seen_songs.as_slice()[self.song[i] as usize]
    }

    /// Take track `i` if it is new and its artist has room; records it when taken.
    pub fn take(&mut self, i: usize) -> bool {
        if self.excluded(i) {
            return false;
        }
        let n = &mut self.per_artist[self.artist[i] as usize];
        if self.max_per_artist > 0 && *n as usize >= self.max_per_artist {
            return false;
        }
        *n = n.saturating_add(1);
        self.seen_songs[self.song[i] as usize] = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_one_song_share_a_key() {
        let k = song_key("Lucky", "Jason Mraz, Colbie Caillat");
        assert_eq!(song_key("Lucky - Spotify Session", "Jason Mraz"), k);
        assert_eq!(song_key("Lucky (feat. Colbie Caillat)", "Jason Mraz"), k);
        assert_eq!(song_key("LUCKY [Live]", "jason mraz"), k);
        assert_ne!(song_key("Lucky", "Britney Spears"), k);
        assert_ne!(song_key("I'm Yours", "Jason Mraz"), k);
        assert_eq!(song_key("(Untitled)", "X"), song_key("Untitled", "X"));
        assert_ne!(artist_key("Jason Mraz"), artist_key("Jason Mraz Band"));
    }

    #[test]
    fn caps_artists_and_drops_repeats() {
        // tracks: 0 liked song, 1 same song as 0, 2..5 one artist, 5 banned artist
        let (song, _) = intern([1, 1, 2, 3, 4, 5]);
        let (artist, _) = intern([7, 7, 8, 8, 8, 9]);
        let sizes = (5, 3);
        let mut d = Distinct::new(&song, &artist, sizes, &[0], [artist[5]], 2);
        let taken: Vec<usize> = (1..6).filter(|&i| d.take(i)).collect();
        assert_eq!(taken, vec![2, 3]);
        let mut uncapped = Distinct::new(&song, &artist, sizes, &[], [], 0);
        assert_eq!((0..6).filter(|&i| uncapped.take(i)).count(), 5);
    }
}
