//! One song once, and no artist filling the list.
//!
//! The data holds one song under several ids (album, single, compilation, "- Spotify Session",
//! "- Live", "(Remastered 2011)"). [`song_key`] maps such titles of one artist to one key;
//! [`artist_key`] names the lead artist. [`Distinct`] walks a ranking best first and drops a
//! track whose song is a like's or a higher-ranked result's, one by a banned artist, and one
//! whose artist already has `max_per_artist` tracks above it.

use std::collections::HashMap;

/// Lower-case lead artist (the first of a "A, B" list), letters and digits only.
pub fn artist_key(artist: &str) -> String {
    let lead = artist.split(", ").next().unwrap_or(artist);
    letters(lead)
}

/// Lower-case title without what tells versions apart: anything after " - ", and bracketed
/// parts ("(feat. X)", "[Live]"), letters and digits only; then `|` and the artist key.
pub fn song_key(title: &str, artist: &str) -> String {
    let base = title.split(" - ").next().unwrap_or(title);
    let mut kept = String::with_capacity(base.len());
    let mut depth = 0usize;
    for c in base.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    let t = letters(&kept);
    // a title that is all brackets keeps its full text rather than becoming empty
    let t = if t.is_empty() { letters(title) } else { t };
    format!("{t}|{}", artist_key(artist))
}

fn letters(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Dense ids for keys (so the ranking compares integers).
pub fn intern(keys: impl IntoIterator<Item = String>) -> Vec<u32> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    keys.into_iter()
        .map(|k| {
            let n = ids.len() as u32;
            *ids.entry(k).or_insert(n)
        })
        .collect()
}

/// The walk over one ranking.
pub struct Distinct<'a> {
    song: &'a [u32],
    artist: &'a [u32],
    seen_songs: std::collections::HashSet<u32>,
    per_artist: HashMap<u32, usize>,
    banned: std::collections::HashSet<u32>,
    max_per_artist: usize,
}

impl<'a> Distinct<'a> {
    /// `song[i]` and `artist[i]` are track `i`'s interned keys; the likes' songs are taken;
    /// `max_per_artist == 0` means no cap.
    pub fn new(
        song: &'a [u32],
        artist: &'a [u32],
        likes: &[usize],
        banned: impl IntoIterator<Item = u32>,
        max_per_artist: usize,
    ) -> Self {
        Distinct {
            song,
            artist,
            seen_songs: likes.iter().filter_map(|&i| song.get(i).copied()).collect(),
            per_artist: HashMap::new(),
            banned: banned.into_iter().collect(),
            max_per_artist,
        }
    }

    /// Whether track `i` may never appear (banned artist or a liked song), whatever ranks above.
    pub fn excluded(&self, i: usize) -> bool {
        self.banned.contains(&self.artist[i]) || self.seen_songs.contains(&self.song[i])
    }

    /// Take track `i` if it is new and its artist has room; records it when taken.
    pub fn take(&mut self, i: usize) -> bool {
        let (s, a) = (self.song[i], self.artist[i]);
        if self.banned.contains(&a) || self.seen_songs.contains(&s) {
            return false;
        }
        let n = self.per_artist.entry(a).or_default();
        if self.max_per_artist > 0 && *n >= self.max_per_artist {
            return false;
        }
        *n += 1;
        self.seen_songs.insert(s);
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
        assert_eq!(song_key("(Untitled)", "X"), "untitled|x");
    }

    #[test]
    fn caps_artists_and_drops_repeats() {
        // tracks: 0 liked song, 1 same song as 0, 2..5 one artist, 5 banned artist
        let song = intern(["a", "a", "b", "c", "d", "e"].map(String::from));
        let artist = intern(["x", "x", "y", "y", "y", "z"].map(String::from));
        let mut d = Distinct::new(&song, &artist, &[0], [artist[5]], 2);
        let taken: Vec<usize> = (1..6).filter(|&i| d.take(i)).collect();
        assert_eq!(taken, vec![2, 3]);
        let mut uncapped = Distinct::new(&song, &artist, &[], [], 0);
        assert_eq!((0..6).filter(|&i| uncapped.take(i)).count(), 5);
    }
}
