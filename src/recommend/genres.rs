//! Genre ids: each distinct genre name numbered by its first appearance, so a ranking compares
//! `u16`s instead of strings. Built as the page indexes the catalog and extended when the
//! listener adds tracks.

use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Genres {
    names: Vec<String>,
    ids: HashMap<String, u16>,
}

impl Genres {
    /// The id of `genre`, numbering it if it is new. Beyond `u16::MAX` distinct genres the new
    /// ones share the last id: only the genre switch sees it.
    pub fn id_of(&mut self, genre: &str) -> u16 {
        if let Some(&g) = self.ids.get(genre) {
            return g;
        }
        self.names.push(genre.to_string());
        let g = (self.names.len() - 1).min(u16::MAX as usize) as u16;
        self.ids.insert(genre.to_string(), g);
        g
    }

    /// The distinct names, in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_first_appearance() {
        let mut g = Genres::default();
        let ids: Vec<u16> = ["pop", "", "rock", "pop", ""].map(|n| g.id_of(n)).to_vec();
        assert_eq!(ids, [0, 1, 2, 0, 1]);
        assert_eq!(g.names(), ["pop", "", "rock"]);
    }
}
