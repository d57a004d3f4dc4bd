//! What the encoder reads of a track: its 16 scaled features, then its era and popularity, each
//! with an explicit flag, so a missing year or popularity is never read as a real 0.
//!
//! The paper's autoencoder ([`Objective::Paper`]) reads the 16 features only: its context slots
//! are held at 0, where they add nothing to the first layer (`0 · w = 0`), so it is exactly the
//! paper's 16 → 64 → 32 → 64 → 16 network with five unused input columns.

use serde::{Deserialize, Serialize};

use crate::catalog::features::{Features, N_FEATURES};
use crate::catalog::Context;

/// Context slots after the 16 features: year, year known, year exact, popularity, popularity known.
pub const N_CONTEXT: usize = 5;
/// Width of one encoder input row.
pub const N_IN: usize = N_FEATURES + N_CONTEXT;
/// One encoder input row.
pub type Input = [f32; N_IN];

/// Years map linearly from this one (0) …
pub const YEAR_FROM: f32 = 1950.0;
/// … to this one (1), clamped.
pub const YEAR_TO: f32 = 2020.0;

/// What the autoencoder was trained for (stored in the weights file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// The paper: 16 features in, reconstruction loss only.
    Paper,
    /// The taste space: features, era and popularity in; reconstruction plus playlist
    /// co-occurrence (tracks sharing a training playlist are close).
    Taste,
}

impl Objective {
    pub fn tag(self) -> u8 {
        match self {
            Objective::Paper => 0,
            Objective::Taste => 1,
        }
    }

    pub fn from_tag(t: u8) -> Option<Objective> {
        match t {
            0 => Some(Objective::Paper),
            1 => Some(Objective::Taste),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Objective::Paper => "paper",
            Objective::Taste => "taste",
        }
    }

    /// Whether the encoder reads the context slots.
    pub fn uses_context(self) -> bool {
        self == Objective::Taste
    }
}

/// A year on the encoder's [0, 1] scale.
pub fn scale_year(y: u16) -> f32 {
    ((y as f32 - YEAR_FROM) / (YEAR_TO - YEAR_FROM)).clamp(0.0, 1.0)
}

/// One track's encoder input.
pub fn input(f: &Features, c: &Context, objective: Objective) -> Input {
    let mut x = [0.0f32; N_IN];
    x[..N_FEATURES].copy_from_slice(f);
    if objective.uses_context() {
        if let Some(y) = c.year {
            x[N_FEATURES] = scale_year(y);
            x[N_FEATURES + 1] = 1.0;
            x[N_FEATURES + 2] = if c.year_approx { 0.0 } else { 1.0 };
        }
        if let Some(p) = c.popularity {
            x[N_FEATURES + 3] = f32::from(p.min(100)) / 100.0;
            x[N_FEATURES + 4] = 1.0;
        }
    }
    x
}

/// Encoder inputs for parallel feature rows and contexts.
pub fn inputs<'a>(
    rows: impl IntoIterator<Item = (&'a Features, Context)>,
    objective: Objective,
) -> Vec<Input> {
    rows.into_iter()
        .map(|(f, c)| input(f, &c, objective))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_context_is_flagged_not_zero() {
        let f = [0.5; N_FEATURES];
        let none = input(&f, &Context::default(), Objective::Taste);
        assert_eq!(none[N_FEATURES..], [0.0; N_CONTEXT]);
        let c = Context {
            year: Some(1985),
            year_approx: true,
            popularity: Some(0),
        };
        let x = input(&f, &c, Objective::Taste);
        assert_eq!(x[N_FEATURES], 0.5);
        assert_eq!(x[N_FEATURES + 1..], [1.0, 0.0, 0.0, 1.0]);
        assert_eq!(
            input(&f, &c, Objective::Paper)[N_FEATURES..],
            [0.0; N_CONTEXT]
        );
    }
}
