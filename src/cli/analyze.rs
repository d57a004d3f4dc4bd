//! `soundalike analyze`: the 16×16 feature correlation matrix.

use std::path::PathBuf;

use clap::Args as ClapArgs;

use crate::catalog::analysis::{correlation, correlation_matrix, strongest_pairs};
use crate::catalog::features::FEATURE_NAMES;

#[derive(ClapArgs)]
pub struct Args {
    /// The catalog file.
    pub file: PathBuf,
    /// Print JSON (matrix, names, strongest pairs, the paper's pairs) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How many of the strongest pairs to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// The pairs the paper reports, with its values.
pub const PAPER_PAIRS: [(&str, &str, f32); 3] = [
    ("energy", "loudness", 0.78),
    ("danceability", "valence", 0.52),
    ("acousticness", "energy", -0.75),
];

pub fn run(args: Args) -> anyhow::Result<()> {
    let (cat, _) = super::catalog::load(&args.file)?;
    let m = correlation_matrix(&cat.features);
    let top = strongest_pairs(&m, args.top);
    let paper: Vec<_> = PAPER_PAIRS
        .iter()
        .map(|(a, b, p)| serde_json::json!({"a": a, "b": b, "paper": p, "ours": correlation(&m, a, b)}))
        .collect();
    if args.json {
        let v = serde_json::json!({
            "tracks": cat.len(),
            "features": FEATURE_NAMES,
            "matrix": m,
            "strongest": top,
            "paper": paper,
        });
        println!("{v}");
        return Ok(());
    }
    println!(
        "Pearson correlations over {} tracks (scaled features)\n",
        cat.len()
    );
    print!("{:>22}", "");
    for j in 0..FEATURE_NAMES.len() {
        print!(" {:>5}", j);
    }
    println!();
    for (i, row) in m.iter().enumerate() {
        print!("{:>2} {:>19}", i, FEATURE_NAMES[i]);
        for v in row {
            print!(" {:>5.2}", v);
        }
        println!();
    }
    println!("\nStrongest pairs:");
    for p in &top {
        println!("  {:>6.3}  {} – {}", p.r, p.a, p.b);
    }
    println!("\nAgainst the paper:");
    for (a, b, p) in PAPER_PAIRS {
        println!(
            "  {a:>13} – {b:<9} paper {p:>5.2}   ours {:>6.3}",
            correlation(&m, a, b).unwrap_or(f32::NAN)
        );
    }
    Ok(())
}
