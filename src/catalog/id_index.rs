//! Track id → catalog index, without a second copy of the ids: the table holds indices only and
//! hashes `tracks[i].id` whenever it needs a key. The page builds it for every track while it
//! loads, and a `String` key per track was one more allocation and copy each. foldhash rather
//! than SipHash: ids come from the catalog file, not from an adversary probing the table.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::Track;

/// Invariant: every entry `i` is an index into the `tracks` the methods are given (always the
/// catalog's own), and no two entries hold tracks with equal ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<usize>,
    hasher: foldhash::fast::FixedState,
}

impl IdIndex {
    pub fn with_capacity(n: usize) -> IdIndex {
        IdIndex {
            table: HashTable::with_capacity(n),
            hasher: Default::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    /// Map `tracks[i].id` to `i` (a track already there with that id is replaced: the last
    /// one wins, as in a map).
    pub fn insert(&mut self, tracks: &[Track], i: usize) {
        let id = tracks[i].id.as_str();
        let hash = self.hash(id);
        let hasher = &self.hasher;
        match self.table.entry(
            hash,
            |&j| tracks[j].id == id,
            |&j| hasher.hash_one(tracks[j].id.as_str()),
        ) {
            hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i,
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }

    pub fn get(&self, tracks: &[Track], id: &str) -> Option<usize> {
        self.table
            .find(self.hash(id), |&j| tracks[j].id == id)
            .copied()
    }

    /// Forget track `i` (when the entry for its id is `i`).
    pub fn remove(&mut self, tracks: &[Track], i: usize) {
        if let Ok(e) = self.table.find_entry(self.hash(&tracks[i].id), |&j| j == i) {
            e.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str) -> Track {
        Track {
            id: id.into(),
            ..Track::default()
        }
    }

    #[test]
    fn the_last_of_equal_ids_wins_and_removal_forgets_only_its_own_entry() {
        let tracks: Vec<Track> = ["a", "b", "a", "c"].into_iter().map(track).collect();
        let mut ix = IdIndex::with_capacity(2);
        for i in 0..tracks.len() {
            ix.insert(&tracks, i);
        }
        assert_eq!(ix.get(&tracks, "a"), Some(2));
        assert_eq!(ix.get(&tracks, "b"), Some(1));
        assert_eq!(ix.get(&tracks, "c"), Some(3));
        assert_eq!(ix.get(&tracks, "d"), None);
        // track 0's id maps to track 2: removing track 0 leaves it
        ix.remove(&tracks, 0);
        assert_eq!(ix.get(&tracks, "a"), Some(2));
        ix.remove(&tracks, 2);
        ix.remove(&tracks, 3);
        assert_eq!(ix.get(&tracks, "a"), None);
        assert_eq!(ix.get(&tracks, "c"), None);
        assert_eq!(ix.get(&tracks, "b"), Some(1));
    }
}
