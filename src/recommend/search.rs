//! Fast title/artist search over the catalog (DOM-free, native-tested).
//!
//! The index keeps one lowercased haystack per track. A query is split into
//! words; every word must occur in the title or the artist. Matches are ranked:
//! title prefix, artist prefix, word prefix, then plain substring; ties go to
//! the more popular track, then the shorter title. A linear scan over ~66k short
//! strings takes a few milliseconds in wasm, which is fast enough per keystroke.

/// Lowercase and fold the common Latin accents so "beyonce" finds "Beyoncé".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appended to `out` (ASCII, most titles, without the per-character tables).
fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let from = out.len();
        out.push_str(s);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in s.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => {
                'a'
            }
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
}

/// Folded strings end to end in one buffer (two allocations for the whole catalog, not one per
/// track). Invariant: `ends` is non-decreasing, each end on a char boundary of `text`.
#[derive(Debug, Clone, Default)]
struct Texts {
    text: String,
    ends: Vec<u32>,
}

impl Texts {
    fn push(&mut self, s: &str) {
        fold_into(s, &mut self.text);
        self.ends.push(self.text.len() as u32);
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    titles: Texts,
    artists: Texts,
    popularity: Vec<u8>,
}

/// One hit: the track index and its match class (0 = best).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub class: u8,
}

fn word_prefix(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        i == 0
            || !hay[..i]
                .chars()
                .next_back()
                .map(char::is_alphanumeric)
                .unwrap_or(false)
    })
}

impl SearchIndex {
    /// Build from (title, artist, popularity) triples, in catalog order.
    pub fn new<'a, I>(items: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a str, Option<u8>)>,
    {
        let mut idx = SearchIndex::default();
        for (t, a, p) in items {
            idx.push(t, a, p);
        }
        idx
    }

    /// Add the next track (the index is built in steps at load, see `Indexer`).
    pub fn push(&mut self, title: &str, artist: &str, popularity: Option<u8>) {
        self.titles.push(title);
        self.artists.push(artist);
        self.popularity.push(popularity.unwrap_or(0));
    }

    pub fn len(&self) -> usize {
        self.titles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
    }

    /// Up to `limit` hits for `query`, best first. An empty query gives none.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = fold(query.trim());
        let words: Vec<&str> = q.split_whitespace().collect();
        if words.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = Vec::new();
        for i in 0..self.titles.len() {
            let t = self.titles.get(i);
            let a = self.artists.get(i);
            if !words.iter().all(|w| t.contains(w) || a.contains(w)) {
                continue;
            }
            let class = if t.starts_with(q.as_str()) {
                0
            } else if a.starts_with(q.as_str()) {
                1
            } else if words.iter().all(|w| word_prefix(t, w) || word_prefix(a, w)) {
                2
            } else {
                3
            };
            hits.push(Hit { index: i, class });
        }
        let key = |h: &Hit| {
            (
                h.class,
                std::cmp::Reverse(self.popularity[h.index]),
                self.titles.get(h.index).len(),
                h.index,
            )
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by_key(limit - 1, key);
            hits.truncate(limit);
        }
        hits.sort_by_key(key);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> SearchIndex {
        SearchIndex::new(vec![
            ("Hello", "Adele", Some(80)),
            ("Say Hello", "Someone", Some(90)),
            ("Othello", "Band", Some(99)),
            ("Crazy in Love", "Beyoncé", Some(70)),
            ("Hello", "Lionel Richie", Some(60)),
        ])
    }

    #[test]
    fn ranks_prefix_then_word_then_substring() {
        let hits = idx().search("hello", 10);
        let order: Vec<usize> = hits.iter().map(|h| h.index).collect();
        assert_eq!(order, vec![0, 4, 1, 2]);
        assert_eq!(hits[0].class, 0);
        assert_eq!(hits[2].class, 2);
        assert_eq!(hits[3].class, 3);
    }

    #[test]
    fn multi_word_and_accent_folding() {
        let i = idx();
        assert_eq!(i.search("beyonce love", 10)[0].index, 3);
        assert_eq!(i.search("HELLO lionel", 10)[0].index, 4);
        assert!(i.search("zzz", 10).is_empty());
        assert!(i.search("   ", 10).is_empty());
    }

    #[test]
    fn limit_is_respected_and_keeps_best() {
        let hits = idx().search("hello", 2);
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), vec![0, 4]);
    }

    #[test]
    fn html_is_just_text() {
        let i = SearchIndex::new(vec![("<b>Bold</b>", "x", None)]);
        assert_eq!(i.search("<b>", 5).len(), 1);
    }
}
