//! The native command line: clap commands, progress bars and printing. Each command lives in
//! its own file and exposes an `Args` struct and a `run` function.

pub mod analyze;
pub mod bench;
pub mod catalog;
pub mod common;
pub mod eval;
pub mod path;
pub mod place;
pub mod recommend;
pub mod train;

use clap::{Parser, Subcommand};

/// soundalike: recommend music by how it sounds.
#[derive(Parser)]
#[command(name = "soundalike", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build or inspect the catalog file.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Feature correlations of a catalog (16×16 Pearson matrix and its strongest pairs).
    Analyze(analyze::Args),
    /// Train the autoencoder and the rating head; write www/weights.bin and loss curves.
    Train(train::TrainArgs),
    /// Playlist-continuation evaluation on held-out playlists (and TrackIdNet rating RMSE).
    Eval(eval::EvalArgs),
    /// Recommend tracks for likes (JSONL batch with --queries, or --like ID ...).
    Recommend(recommend::RecommendArgs),
    /// Place new tracks (CSV) among their nearest catalog tracks.
    Place(place::PlaceArgs),
    /// A playlist that walks from one track to another through the taste space.
    Path(path::PathArgs),
    /// Time encoding, ranking and fine-tuning natively (the native half of scripts/bench.sh).
    Bench(bench::Args),
}

/// Entry point of the `soundalike` binary.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(c) => catalog::run(c),
        Command::Analyze(a) => analyze::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Recommend(a) => recommend::run(a),
        Command::Place(a) => place::run(a),
        Command::Path(a) => path::run(a),
        Command::Bench(a) => bench::run(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
