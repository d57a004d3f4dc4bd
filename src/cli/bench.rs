//! `soundalike bench`: the native side of scripts/bench.sh. Runs the same code as the page
//! (`recommend::bench`) on the same catalog and weights, so the browser figures can be shown as ratios.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args as ClapArgs;

use crate::recommend::{bench, Query, Recommender};

#[derive(ClapArgs)]
pub struct Args {
    /// The catalog file.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// The weights file.
    #[arg(long, default_value = "www/weights.bin")]
    pub weights: PathBuf,
    /// Ranking queries to average over.
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Likes for the fine-tune measurement.
    #[arg(long, default_value_t = 50)]
    pub likes: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    // the clock starts before the files are read: "cold load" is file → first recommendations
    let t0 = Instant::now();
    let now = move || t0.elapsed().as_secs_f64() * 1000.0;
    let cat_bytes = std::fs::read(&args.catalog)
        .with_context(|| format!("reading {}", args.catalog.display()))?;
    let w_bytes = std::fs::read(&args.weights)
        .with_context(|| format!("reading {}", args.weights.display()))?;
    let catalog = crate::catalog::Catalog::from_bytes(&cat_bytes)
        .with_context(|| format!("catalog {}", args.catalog.display()))?;
    let weights = crate::model::Weights::from_bytes(&w_bytes)
        .with_context(|| format!("weights {}", args.weights.display()))?;
    let load_ms = now();
    let rec = Recommender::new(catalog, weights)?;
    let ready_ms = now();
    // what the page shows first: the cold-start list (no likes yet)
    std::hint::black_box(rec.recommend(&Query::likes(&[], 20)));
    let first_recs_ms = now();
    let f = bench::run(&rec, args.queries, args.likes, &now);
    let peak_rss = peak_rss_bytes();
    if args.json {
        let mut v = serde_json::to_value(&f)?;
        v["decode_ms"] = load_ms.into();
        v["load_to_ready_ms"] = ready_ms.into();
        v["cold_load_ms"] = first_recs_ms.into();
        v["peak_rss_bytes"] = peak_rss.into();
        v["catalog_bytes"] = cat_bytes.len().into();
        println!("{v}");
    } else {
        println!("tracks                      {}", f.tracks);
        println!("cold load → first recs      {first_recs_ms:.1} ms");
        if let Some(b) = peak_rss {
            println!("peak RSS                    {:.0} MB", b as f64 / 1e6);
        }
        println!("decode catalog + weights    {load_ms:.1} ms");
        println!("decode + encode + index     {ready_ms:.1} ms");
        println!("encode all                  {:.1} ms", f.encode_ms);
        println!("ranking per query           {:.3} ms", f.rank_ms_per_query);
        println!(
            "ranking p50 / p95           {:.3} / {:.3} ms (all-f32 scan p50 {:.3} ms)",
            f.rank_p50_ms, f.rank_p95_ms, f.rank_exact_p50_ms
        );
        println!(
            "fine-tune, {} likes         {:.1} ms ({} steps, longest {:.1} ms)",
            f.finetune_likes, f.finetune_ms, f.finetune_steps, f.finetune_longest_step_ms
        );
    }
    Ok(())
}

/// The process's peak resident memory (Linux `VmHWM`), or `None` where /proc is not there.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}
