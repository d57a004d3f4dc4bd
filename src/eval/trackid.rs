//! The paper's rating network (TrackIdNet) reproduced for comparison, and rating RMSE of
//! every rater on held-out (playlist, track) pairs.
//!
//! Pairs: for each playlist a seeded half forms the listener profile and the other half are
//! positives (rating 1); `neg_per_pos` negatives per positive are sampled (rating 0), exactly as
//! in head pretraining. TrackIdNet sees only the track id (as in the paper) and is trained with
//! MSE on the training playlists' pairs, early-stopped on the validation playlists' pairs.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use burn::nn::{Embedding as IdEmbedding, EmbeddingConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;

use crate::model::dense::head_scores;
use crate::model::train::{playlist_samples, Sample};
use crate::model::{cpu, cpu_autodiff, to_vec, Embedding, Head};
use crate::rng::Rng64;

/// RMSE per rater.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RatingRmse {
    pub pairs: usize,
    pub positive_rate: f32,
    pub rows: Vec<(String, f32)>,
    /// The paper's numbers (its hybrid, content, popularity, random) for reference.
    pub paper: Vec<(String, f32)>,
}

impl RatingRmse {
    /// Human-readable table.
    pub fn to_table(&self) -> String {
        let mut s = format!(
            "{} pairs, {:.0}% positive\n",
            self.pairs,
            self.positive_rate * 100.0
        );
        for (m, r) in &self.rows {
            s += &format!("  {m:<40} RMSE {r:.4}\n");
        }
        s += "  paper: ";
        s += &self
            .paper
            .iter()
            .map(|(m, r)| format!("{m} {r}"))
            .collect::<Vec<_>>()
            .join(", ");
        s.push('\n');
        s
    }
}

fn ids_tensor(samples: &[Sample], device: &Device) -> (Tensor<1, Int>, Tensor<2>) {
    let ids: Vec<i64> = samples.iter().map(|s| s.track as i64).collect();
    let y: Vec<f32> = samples.iter().map(|s| s.label).collect();
    let n = samples.len();
    (
        Tensor::from_data(TensorData::new(ids, [n]), device),
        Tensor::from_data(TensorData::new(y, [n, 1]), device),
    )
}

fn predict(net: &TrackIdNet, samples: &[Sample]) -> Vec<f32> {
    let dev = cpu();
    let net = net.valid();
    let mut out = Vec::with_capacity(samples.len());
    for c in samples.chunks(8192) {
        let (ids, _) = ids_tensor(c, &dev);
        out.extend(to_vec(net.forward(ids)));
    }
    out
}

fn rmse(pred: &[f32], samples: &[Sample]) -> f32 {
    let se: f64 = pred
        .iter()
        .zip(samples)
        .map(|(p, s)| ((p - s.label) as f64).powi(2))
        .sum();
    (se / samples.len().max(1) as f64).sqrt() as f32
}

/// Train TrackIdNet on the training playlists' pairs; early stop (patience 3) on validation.
pub fn train_trackid(
    n_tracks: usize,
    embeddings: &[Embedding],
    train: &[Vec<usize>],
    val: &[Vec<usize>],
    seed: u64,
) -> TrackIdNet {
    let dev = cpu_autodiff();
    dev.seed(seed);
    let mut net = TrackIdNet::new(n_tracks, &dev);
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng64::fork(seed, 7);
    let pool: Vec<usize> = train.iter().flatten().copied().collect();
    let (val_s, _) = playlist_samples(embeddings, val, &pool, 4, 0.5, &mut Rng64::fork(seed, 8));
    let mut best = (f32::INFINITY, net.valid());
    let mut since = 0;
    for _epoch in 0..20 {
        let (mut s, _) = playlist_samples(embeddings, train, &pool, 4, 0.5, &mut rng);
        rng.shuffle(&mut s);
        for c in s.chunks(512) {
            let (ids, y) = ids_tensor(c, &dev);
            let loss = (net.forward(ids) - y).powi_scalar(2).mean();
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(1e-3, net, grads);
        }
        let v = rmse(&predict(&net, &val_s), &val_s);
        if v < best.0 {
            best = (v, net.valid());
            since = 0;
        } else {
            since += 1;
            if since >= 3 {
                break;
            }
        }
    }
    best.1
}

/// Rating RMSE on `held_out` playlists' pairs for random, popularity, TrackIdNet and the
/// content-embedding head (which also sees the playlist profile).
pub fn rating_rmse(
    embeddings: &[Embedding],
    popularity: &[f32],
    head: &Head,
    train: &[Vec<usize>],
    val: &[Vec<usize>],
    held_out: &[Vec<usize>],
    seed: u64,
) -> RatingRmse {
    let pool: Vec<usize> = train.iter().flatten().copied().collect();
    let (samples, profiles) = playlist_samples(
        embeddings,
        held_out,
        &pool,
        4,
        0.5,
        &mut Rng64::fork(seed, 9),
    );
    let pos_rate = samples.iter().map(|s| s.label).sum::<f32>() / samples.len().max(1) as f32;
    let mut rng = Rng64::fork(seed, 10);
    let random: Vec<f32> = samples.iter().map(|_| rng.next_f32()).collect();
    let pop: Vec<f32> = samples
        .iter()
        .map(|s| popularity[s.track] / 100.0)
        .collect();
    let constant = vec![pos_rate; samples.len()];
    let net = train_trackid(embeddings.len(), embeddings, train, val, seed);
    let tid = predict(&net, &samples);
    // content head: sigmoid of the logit, per playlist profile
    let mut content = vec![0.0f32; samples.len()];
    let mut by_profile: Vec<Vec<usize>> = vec![Vec::new(); profiles.len()];
    for (i, s) in samples.iter().enumerate() {
        by_profile[s.profile].push(i);
    }
    for (p, idx) in by_profile.iter().enumerate() {
        let embs: Vec<Embedding> = idx.iter().map(|&i| embeddings[samples[i].track]).collect();
        let logits = head_scores(head, &embs, Some(&profiles[p]));
        for (&i, l) in idx.iter().zip(logits) {
            content[i] = 1.0 / (1.0 + (-l).exp());
        }
    }
    RatingRmse {
        pairs: samples.len(),
        positive_rate: pos_rate,
        rows: vec![
            ("random (uniform 0..1)".into(), rmse(&random, &samples)),
            ("popularity (pop/100)".into(), rmse(&pop, &samples)),
            ("constant positive rate".into(), rmse(&constant, &samples)),
            (
                "TrackIdNet (paper, 50-d track id)".into(),
                rmse(&tid, &samples),
            ),
            (
                "content head (embedding + profile)".into(),
                rmse(&content, &samples),
            ),
        ],
        paper: vec![
            ("hybrid".into(), 0.1004),
            ("content".into(), 0.138),
            ("popularity".into(), 0.15),
            ("random".into(), 0.23),
        ],
    }
}

/// The paper's rating network, reproduced for comparison (native evaluation only):
/// a 50-d track-id embedding → Dense 64 → ReLU → Dense 32 → ReLU → Dense 1.
#[derive(Module, Debug)]
pub struct TrackIdNet {
    pub emb: IdEmbedding,
    pub fc1: Linear,
    pub fc2: Linear,
    pub out: Linear,
}

impl TrackIdNet {
    /// Embedding width used by the paper.
    pub const D: usize = 50;

    /// Fresh network for `n_tracks` ids.
    pub fn new(n_tracks: usize, device: &Device) -> Self {
        Self {
            emb: EmbeddingConfig::new(n_tracks, Self::D).init(device),
            fc1: LinearConfig::new(Self::D, 64).init(device),
            fc2: LinearConfig::new(64, 32).init(device),
            out: LinearConfig::new(32, 1).init(device),
        }
    }

    /// Predicted rating `[n, 1]` for track ids `[n]`.
    pub fn forward(&self, ids: Tensor<1, Int>) -> Tensor<2> {
        let n = ids.dims()[0];
        let e: Tensor<3> = self.emb.forward(ids.reshape([n, 1]));
        let e: Tensor<2> = e.reshape([n, Self::D]);
        let h = relu(self.fc1.forward(e));
        let h = relu(self.fc2.forward(h));
        self.out.forward(h)
    }
}
