//! Training: the autoencoder (reconstruction MSE, plus playlist co-occurrence for the taste
//! objective) and the rating head (playlist interactions).
//!
//! Core code (compiles for wasm32): no files, threads or clocks. Progress is reported through a
//! callback so the native CLI can draw indicatif bars.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::weights::Head;
use burn::tensor::activation::log_softmax;

use crate::catalog::features::N_FEATURES;
use crate::model::{
    bce_with_logits, cpu, cpu_autodiff, tensor2, to_vec, Autoencoder, Embedding, HeadInput, Input,
    Objective, RatingHead, N_IN,
};
use crate::rng::Rng64;

/// A training progress event.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// An epoch starts with this many batches.
    EpochStart {
        phase: &'static str,
        epoch: usize,
        batches: usize,
    },
    /// One batch done.
    Batch { loss: f32 },
    /// An epoch ended.
    EpochEnd {
        phase: &'static str,
        log: &'a EpochLog,
    },
}

/// Per-epoch losses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochLog {
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (dropout on).
    pub train_loss: f32,
    /// Validation loss (inference mode).
    pub val_loss: f32,
    pub lr: f64,
}

/// Seeded split of `0..n` into 80/10/10 (train, validation, test).
pub fn split_80_10_10(n: usize, seed: u64) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    Rng64::new(seed).shuffle(&mut idx);
    let n_tr = n * 8 / 10;
    let n_va = n / 10;
    let test = idx.split_off(n_tr + n_va);
    let val = idx.split_off(n_tr);
    (idx, val, test)
}

/// Autoencoder training settings (the paper's: MSE, Adam, batch 469, ≤30 epochs), plus the
/// taste objective's playlist co-occurrence term.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AeConfig {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// Stop after this many epochs without validation improvement.
    pub patience: usize,
    /// Reduce the learning rate after this many epochs without improvement …
    pub lr_patience: usize,
    /// … by this factor.
    pub lr_factor: f64,
    pub min_lr: f64,
    pub seed: u64,
    pub objective: Objective,
    /// Weight of the co-occurrence loss against the reconstruction MSE (taste objective only).
    pub contrastive: f32,
    /// Softmax temperature of the co-occurrence loss.
    pub temperature: f32,
    /// (anchor, positive) pairs per batch: two tracks of one training playlist; the other
    /// pairs' positives are the negatives.
    pub pairs: usize,
}

impl Default for AeConfig {
    fn default() -> Self {
        Self {
            epochs: 30,
            batch: 469,
            lr: 3e-3,
            patience: 8,
            lr_patience: 3,
            lr_factor: 0.5,
            min_lr: 1e-5,
            seed: 42,
            objective: Objective::Taste,
            contrastive: 0.05,
            temperature: 0.1,
            pairs: 256,
        }
    }
}

/// A setting outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be {expected}, got {got}")]
    OutOfRange {
        name: &'static str,
        expected: &'static str,
        got: String,
    },
    #[error("the taste objective needs training playlists with at least two tracks")]
    NoPlaylists,
}

impl AeConfig {
    /// Check every setting.
    pub fn check(&self) -> Result<(), ConfigError> {
        let bad = |name, expected, got: String| {
            Err(ConfigError::OutOfRange {
                name,
                expected,
                got,
            })
        };
        if self.epochs == 0 {
            return bad("epochs", "at least 1", self.epochs.to_string());
        }
        if self.batch < 2 {
            return bad("batch", "at least 2", self.batch.to_string());
        }
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return bad("lr", "a positive number", self.lr.to_string());
        }
        if !(self.contrastive >= 0.0 && self.contrastive.is_finite()) {
            return bad("contrastive", "≥ 0", self.contrastive.to_string());
        }
        if !(self.temperature > 0.0 && self.temperature.is_finite()) {
            return bad(
                "temperature",
                "a positive number",
                self.temperature.to_string(),
            );
        }
        if self.pairs < 2 {
            return bad("pairs", "at least 2", self.pairs.to_string());
        }
        Ok(())
    }

    fn co_occurrence(&self) -> bool {
        self.objective == Objective::Taste && self.contrastive > 0.0
    }
}

/// Outcome of autoencoder training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AeReport {
    pub objective: Objective,
    pub epochs: Vec<EpochLog>,
    pub best_epoch: usize,
    /// Reconstruction RMSE over the 16 features (the paper's figure), per split.
    pub train_rmse: f32,
    pub val_rmse: f32,
    pub test_rmse: f32,
    /// Co-occurrence loss on validation playlists' pairs (taste objective).
    pub val_co_occurrence: Option<f32>,
    pub n_train: usize,
    pub n_val: usize,
    pub n_test: usize,
}

fn rows_tensor(inputs: &[Input], rows: &[usize], device: &Device) -> Tensor<2> {
    let mut v = Vec::with_capacity(rows.len() * N_IN);
    for &r in rows {
        v.extend_from_slice(&inputs[r]);
    }
    tensor2(v, rows.len(), N_IN, device)
}

/// Reconstruction RMSE over `rows` in inference mode, over the 16 features ([0,1] scale): the
/// paper's figure, comparable across objectives.
pub fn reconstruction_rmse(ae: &Autoencoder, inputs: &[Input], rows: &[usize]) -> f32 {
    if rows.is_empty() {
        return f32::NAN;
    }
    let ae = ae.valid();
    let dev = cpu();
    let mut se = 0.0f64;
    for chunk in rows.chunks(8192) {
        let out = to_vec(ae.forward(rows_tensor(inputs, chunk, &dev)));
        for (k, &r) in chunk.iter().enumerate() {
            for j in 0..N_FEATURES {
                let d = out[k * N_IN + j] as f64 - inputs[r][j] as f64;
                se += d * d;
            }
        }
    }
    (se / (rows.len() * N_FEATURES) as f64).sqrt() as f32
}

/// `n` seeded (anchor, positive) pairs: two different tracks of one playlist.
pub fn playlist_pairs(playlists: &[Vec<usize>], n: usize, rng: &mut Rng64) -> Vec<(usize, usize)> {
    let usable: Vec<&Vec<usize>> = playlists.iter().filter(|p| p.len() >= 2).collect();
    if usable.is_empty() {
        return Vec::new();
    }
    (0..n)
        .map(|_| {
            let p = usable[rng.below(usable.len())];
            let a = rng.below(p.len());
            let b = (a + 1 + rng.below(p.len() - 1)) % p.len();
            (p[a], p[b])
        })
        .collect()
}

/// InfoNCE over a batch of codes: row i of `za` should pick row i of `zp` among all rows
/// (cosine similarity / temperature), and the other way round.
fn info_nce(za: Tensor<2>, zp: Tensor<2>, temperature: f32) -> Tensor<1> {
    let n = za.dims()[0];
    let unit = |z: Tensor<2>| {
        let norm = z.clone().powi_scalar(2).sum_dim(1).sqrt() + 1e-6;
        z / norm
    };
    let logits = unit(za).matmul(unit(zp).transpose()) / temperature;
    let eye = Tensor::<2>::eye(n, &logits.device());
    let a = (log_softmax(logits.clone(), 1) * eye.clone()).sum();
    let b = (log_softmax(logits.transpose(), 1) * eye).sum();
    (a + b) / (-2.0 * n as f32)
}

/// Mean co-occurrence loss of `pairs` in inference mode (chunks of `cfg.pairs`).
fn co_occurrence_loss(
    ae: &Autoencoder,
    inputs: &[Input],
    pairs: &[(usize, usize)],
    cfg: &AeConfig,
) -> f32 {
    let ae = ae.valid();
    let dev = cpu();
    let (mut sum, mut n) = (0.0f64, 0usize);
    for chunk in pairs.chunks(cfg.pairs) {
        if chunk.len() < 2 {
            continue;
        }
        let a: Vec<usize> = chunk.iter().map(|p| p.0).collect();
        let b: Vec<usize> = chunk.iter().map(|p| p.1).collect();
        let za = ae.encode(rows_tensor(inputs, &a, &dev));
        let zp = ae.encode(rows_tensor(inputs, &b, &dev));
        sum += info_nce(za, zp, cfg.temperature).into_scalar::<f32>() as f64;
        n += 1;
    }
    (sum / n.max(1) as f64) as f32
}

/// Train the autoencoder on a seeded 80/10/10 split of the tracks, with early stopping and
/// learning-rate reduction on plateau; returns the best (lowest validation loss) model.
///
/// The loss is the reconstruction MSE (over the 16 features for the paper objective, over every
/// input for the taste objective) plus, for the taste objective, `contrastive` × InfoNCE on pairs
/// of tracks that share one of `train_playlists`. Validation adds the same term on pairs from
/// `val_playlists`.
pub fn train_autoencoder(
    inputs: &[Input],
    train_playlists: &[Vec<usize>],
    val_playlists: &[Vec<usize>],
    cfg: &AeConfig,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Autoencoder, AeReport), ConfigError> {
    cfg.check()?;
    let co = cfg.co_occurrence();
    let val_pairs = playlist_pairs(val_playlists, 4096, &mut Rng64::fork(cfg.seed, 4));
    if co && (val_pairs.is_empty() || !train_playlists.iter().any(|p| p.len() >= 2)) {
        return Err(ConfigError::NoPlaylists);
    }
    let recon_cols = if cfg.objective.uses_context() {
        N_IN
    } else {
        N_FEATURES
    };
    let (train, val, test) = split_80_10_10(inputs.len(), cfg.seed);
    let dev = cpu_autodiff();
    dev.seed(cfg.seed);
    let mut model = Autoencoder::new(&dev);
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng64::fork(cfg.seed, 1);
    let mut lr = cfg.lr;
    let mut best = (f32::INFINITY, 0usize, model.valid());
    let mut since_best = 0;
    let mut since_lr = 0;
    let mut logs = Vec::new();
    let mut order = train.clone();
    let val_loss_of = |m: &Autoencoder| {
        let r = reconstruction_rmse(m, inputs, &val);
        let c = if co {
            co_occurrence_loss(m, inputs, &val_pairs, cfg)
        } else {
            0.0
        };
        r * r + cfg.contrastive * c
    };
    for epoch in 1..=cfg.epochs {
        rng.shuffle(&mut order);
        let batches = order.len().div_ceil(cfg.batch);
        progress(Progress::EpochStart {
            phase: "autoencoder",
            epoch,
            batches,
        });
        let mut sum = 0.0f64;
        for chunk in order.chunks(cfg.batch) {
            if chunk.len() < 2 {
                continue; // BatchNorm needs ≥2 rows
            }
            let b = chunk.len();
            let pairs = if co {
                playlist_pairs(train_playlists, cfg.pairs, &mut rng)
            } else {
                Vec::new()
            };
            let mut rows = chunk.to_vec();
            rows.extend(pairs.iter().map(|p| p.0));
            rows.extend(pairs.iter().map(|p| p.1));
            let x = rows_tensor(inputs, &rows, &dev);
            let y = x.clone().narrow(0, 0, b).narrow(1, 0, recon_cols);
            // one encoder pass over reconstruction rows and pairs, so BatchNorm sees one batch
            let z = model.encode_train(x, &mut rng);
            let out = model
                .decode_train(z.clone().narrow(0, 0, b), &mut rng)
                .narrow(1, 0, recon_cols);
            let mut loss = (out - y).powi_scalar(2).mean();
            if co {
                let p = pairs.len();
                let c = info_nce(
                    z.clone().narrow(0, b, p),
                    z.narrow(0, b + p, p),
                    cfg.temperature,
                );
                loss = loss + c * cfg.contrastive;
            }
            let l = loss.clone().into_scalar::<f32>();
            sum += l as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
            progress(Progress::Batch { loss: l });
        }
        let log = EpochLog {
            epoch,
            train_loss: (sum / batches as f64) as f32,
            val_loss: val_loss_of(&model),
            lr,
        };
        progress(Progress::EpochEnd {
            phase: "autoencoder",
            log: &log,
        });
        let v = log.val_loss;
        logs.push(log);
        if v < best.0 * (1.0 - 1e-4) {
            best = (v, epoch, model.valid());
            since_best = 0;
            since_lr = 0;
        } else {
            since_best += 1;
            since_lr += 1;
            if since_best >= cfg.patience {
                break;
            }
            if since_lr >= cfg.lr_patience {
                lr = (lr * cfg.lr_factor).max(cfg.min_lr);
                since_lr = 0;
            }
        }
    }
    let ae = best.2;
    let report = AeReport {
        objective: cfg.objective,
        best_epoch: best.1,
        train_rmse: reconstruction_rmse(&ae, inputs, &train),
        val_rmse: reconstruction_rmse(&ae, inputs, &val),
        test_rmse: reconstruction_rmse(&ae, inputs, &test),
        val_co_occurrence: co.then(|| co_occurrence_loss(&ae, inputs, &val_pairs, cfg)),
        epochs: logs,
        n_train: train.len(),
        n_val: val.len(),
        n_test: test.len(),
    };
    Ok((ae, report))
}

/// Rating-head pretraining settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadConfig {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// Early stopping: epochs without validation improvement.
    pub patience: usize,
    /// Sampled negatives per positive.
    pub neg_per_pos: usize,
    /// Fraction of negatives drawn from other playlists' tracks (popularity-weighted "hard"
    /// negatives); the rest are uniform over the catalog.
    pub hard_neg_frac: f32,
    pub seed: u64,
}

impl Default for HeadConfig {
    fn default() -> Self {
        Self {
            epochs: 30,
            batch: 512,
            lr: 1e-3,
            patience: 3,
            neg_per_pos: 4,
            hard_neg_frac: 0.0,
            seed: 42,
        }
    }
}

/// Outcome of head pretraining.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadReport {
    pub epochs: Vec<EpochLog>,
    pub best_epoch: usize,
    pub best_val_loss: f32,
}

/// One labelled (listener profile, track) pair.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub profile: usize,
    pub track: usize,
    pub label: f32,
}

/// Build labelled samples from playlists: a seeded half of each playlist forms the profile (its
/// mean embedding), the other half are positives; negatives are sampled per `cfg`.
/// Returns the samples and the profiles they refer to.
pub fn playlist_samples(
    embeddings: &[Embedding],
    playlists: &[Vec<usize>],
    pool: &[usize],
    neg_per_pos: usize,
    hard_neg_frac: f32,
    rng: &mut Rng64,
) -> (Vec<Sample>, Vec<Embedding>) {
    let n = embeddings.len();
    let mut samples = Vec::new();
    let mut profiles = Vec::new();
    for pl in playlists {
        if pl.len() < 2 || n == 0 {
            continue;
        }
        let mut t = pl.clone();
        rng.shuffle(&mut t);
        let half = t.len() / 2;
        let (likes, pos) = t.split_at(half);
        let Some(p) = crate::vector::mean_of(embeddings, likes) else {
            continue;
        };
        let pid = profiles.len();
        profiles.push(p);
        let members: std::collections::HashSet<usize> = pl.iter().copied().collect();
        for &track in pos {
            samples.push(Sample {
                profile: pid,
                track,
                label: 1.0,
            });
            let mut k = 0;
            let mut tries = 0;
            while k < neg_per_pos && tries < 100 * neg_per_pos {
                tries += 1;
                let cand = if !pool.is_empty() && rng.next_f32() < hard_neg_frac {
                    pool[rng.below(pool.len())]
                } else {
                    rng.below(n)
                };
                if !members.contains(&cand) {
                    samples.push(Sample {
                        profile: pid,
                        track: cand,
                        label: 0.0,
                    });
                    k += 1;
                }
            }
        }
    }
    (samples, profiles)
}

fn sample_batch(
    input: HeadInput,
    embeddings: &[Embedding],
    profiles: &[Embedding],
    batch: &[Sample],
    device: &Device,
) -> (Tensor<2>, Tensor<2>) {
    let w = input.width();
    let mut x = Vec::with_capacity(batch.len() * w);
    for s in batch {
        x.extend(input.build(embeddings, &[s.track], Some(&profiles[s.profile])));
    }
    let y: Vec<f32> = batch.iter().map(|s| s.label).collect();
    (
        tensor2(x, batch.len(), w, device),
        tensor2(y, batch.len(), 1, device),
    )
}

/// Mean BCE of `head` on samples (inference mode).
pub fn head_loss(
    head: &Head,
    embeddings: &[Embedding],
    profiles: &[Embedding],
    samples: &[Sample],
) -> f32 {
    let dev = cpu();
    let net = head.net(&dev);
    let mut sum = 0.0f64;
    for chunk in samples.chunks(8192) {
        let (x, y) = sample_batch(head.input, embeddings, profiles, chunk, &dev);
        sum += bce_with_logits(net.forward(x), y).into_scalar::<f32>() as f64 * chunk.len() as f64;
    }
    (sum / samples.len().max(1) as f64) as f32
}

/// Pretrain the rating head on playlists (`train`/`val` are lists of catalog indices).
/// Positives are playlist tracks, negatives are sampled; Adam; early stopping on validation BCE.
pub fn train_head(
    embeddings: &[Embedding],
    train: &[Vec<usize>],
    val: &[Vec<usize>],
    input: HeadInput,
    cfg: &HeadConfig,
    progress: &mut dyn FnMut(Progress),
) -> (Head, HeadReport) {
    let dev = cpu_autodiff();
    dev.seed(cfg.seed);
    let mut net = RatingHead::new(input.width(), &dev);
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng64::fork(cfg.seed, 2);
    // Hard-negative pool: every occurrence of a track in a training playlist (popularity-weighted).
    let pool: Vec<usize> = train.iter().flatten().copied().collect();
    let (val_samples, val_profiles) = playlist_samples(
        embeddings,
        val,
        &pool,
        cfg.neg_per_pos,
        cfg.hard_neg_frac,
        &mut Rng64::fork(cfg.seed, 3),
    );
    let mut best = (f32::INFINITY, 0usize, Head::from_net(&net.valid(), input));
    let mut since_best = 0;
    let mut logs = Vec::new();
    for epoch in 1..=cfg.epochs {
        let (mut samples, profiles) = playlist_samples(
            embeddings,
            train,
            &pool,
            cfg.neg_per_pos,
            cfg.hard_neg_frac,
            &mut rng,
        );
        rng.shuffle(&mut samples);
        let batches = samples.len().div_ceil(cfg.batch);
        progress(Progress::EpochStart {
            phase: "head",
            epoch,
            batches,
        });
        let mut sum = 0.0f64;
        for chunk in samples.chunks(cfg.batch) {
            let (x, y) = sample_batch(input, embeddings, &profiles, chunk, &dev);
            let loss = bce_with_logits(net.forward_train(x, &mut rng), y);
            let l = loss.clone().into_scalar::<f32>();
            sum += l as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(cfg.lr, net, grads);
            progress(Progress::Batch { loss: l });
        }
        let head_now = Head::from_net(&net.valid(), input);
        let val_loss = head_loss(&head_now, embeddings, &val_profiles, &val_samples);
        let log = EpochLog {
            epoch,
            train_loss: (sum / batches.max(1) as f64) as f32,
            val_loss,
            lr: cfg.lr,
        };
        progress(Progress::EpochEnd {
            phase: "head",
            log: &log,
        });
        logs.push(log);
        if val_loss < best.0 {
            best = (val_loss, epoch, head_now);
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                break;
            }
        }
    }
    (
        best.2,
        HeadReport {
            epochs: logs,
            best_epoch: best.1,
            best_val_loss: best.0,
        },
    )
}

/// Seeded split of playlist positions into (train, validation, test) with the given fractions.
pub fn split_playlists(
    n: usize,
    seed: u64,
    train_frac: f32,
    val_frac: f32,
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    Rng64::fork(seed, 0x5eed).shuffle(&mut idx);
    let n_tr = (n as f32 * train_frac).round() as usize;
    let n_va = (n as f32 * val_frac).round() as usize;
    let test = idx.split_off((n_tr + n_va).min(n));
    let val = idx.split_off(n_tr.min(idx.len()));
    (idx, val, test)
}
