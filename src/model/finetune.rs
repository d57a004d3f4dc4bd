//! Personal fine-tune: the function the page runs in wasm.
//!
//! A copy of the pretrained head is trained for a bounded number of Adam steps on the
//! listener's likes (label 1), dislikes (label 0) and negatives sampled from the catalog with a
//! seeded [`Rng64`] (label 0). Everything (sampling, dropout masks, parameter updates) depends
//! only on the inputs and the seed. [`FineTuner`] can be driven step by step so the page stays
//! responsive; [`fine_tune`] runs all steps.
//!
//! The forward pass, its gradients (written out: three dense layers, two ReLUs, two dropout
//! masks, BCE on logits) and Adam are plain `f32` loops, so the page's wasm needs no training
//! framework. They are the same computation as burn's autodiff and `AdamConfig::new()` (the
//! native training code), and a test checks them against burn on the same head, batch and masks.

use super::dense::Dense;
use super::{dropout_values, Embedding, Head, HIDDEN};
use crate::rng::Rng64;
use crate::vector::mean_of;

/// Dropout probability of both hidden layers of the head (as in training).
pub const DROPOUT: f64 = 0.2;
/// Width of the head's second hidden layer.
const H2: usize = 32;

/// Adam's settings: burn's `AdamConfig::new()` defaults, what the fine-tune used when it ran on
/// burn (β₁ 0.9, β₂ 0.999, ε 1e-5, no weight decay, no clipping).
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// Gradients of the loss for each layer of a head (same shapes as its weights).
#[derive(Debug, Clone)]
pub struct Grads {
    pub fc1: Dense,
    pub fc2: Dense,
    pub out: Dense,
}

fn zeros_like(d: &Dense) -> Dense {
    Dense {
        d_in: d.d_in,
        d_out: d.d_out,
        w: vec![0.0; d.w.len()],
        b: vec![0.0; d.b.len()],
    }
}

/// `x W + b` for `n` rows of `x` (row-major), into a new `[n][d_out]`.
fn forward_layer(l: &Dense, x: &[f32], n: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(n * l.d_out);
    for r in 0..n {
        let row = &x[r * l.d_in..(r + 1) * l.d_in];
        let mut o = l.b.clone();
        for (i, &xi) in row.iter().enumerate() {
            for (o, &w) in o.iter_mut().zip(&l.w[i * l.d_out..(i + 1) * l.d_out]) {
                *o += xi * w;
            }
        }
        out.extend(o);
    }
    out
}

/// A gradient back through the dropout mask and the ReLU (0 where the ReLU was off).
fn through_mask_and_relu(d: &[f32], mask: &[f32], z: &[f32]) -> Vec<f32> {
    d.iter()
        .zip(mask)
        .zip(z)
        .map(|((d, m), z)| if *z > 0.0 { d * m } else { 0.0 })
        .collect()
}

/// Backward through `y = x W + b`: adds `xᵀ dy` and the column sums of `dy` into `g`, returns
/// `dy Wᵀ` (skipped for the first layer, whose input needs no gradient).
fn backward_layer(
    l: &Dense,
    x: &[f32],
    dy: &[f32],
    n: usize,
    g: &mut Dense,
    need_dx: bool,
) -> Vec<f32> {
    let (d_in, d_out) = (l.d_in, l.d_out);
    for r in 0..n {
        let dyr = &dy[r * d_out..(r + 1) * d_out];
        for (gb, &d) in g.b.iter_mut().zip(dyr) {
            *gb += d;
        }
        for i in 0..d_in {
            let xi = x[r * d_in + i];
            for (gw, &d) in g.w[i * d_out..(i + 1) * d_out].iter_mut().zip(dyr) {
                *gw += xi * d;
            }
        }
    }
    if !need_dx {
        return Vec::new();
    }
    let mut dx = vec![0.0f32; n * d_in];
    for r in 0..n {
        let dyr = &dy[r * d_out..(r + 1) * d_out];
        for i in 0..d_in {
            let w = &l.w[i * d_out..(i + 1) * d_out];
            dx[r * d_in + i] = w.iter().zip(dyr).map(|(w, d)| w * d).sum();
        }
    }
    dx
}

/// Mean BCE on logits of `head` over a batch, and its gradients. `x` is `[n][width]`, `y` the
/// labels, `m1` (`[n][64]`) and `m2` (`[n][32]`) the dropout masks, already scaled (as
/// [`dropout_values`] draws them). The network: `relu(x W₁ + b₁) ⊙ m1 → relu(· W₂ + b₂) ⊙ m2 →
/// · W₃ + b₃`; the loss `mean(softplus(z) − y z)`.
pub fn loss_and_grads(head: &Head, x: &[f32], y: &[f32], m1: &[f32], m2: &[f32]) -> (f32, Grads) {
    let n = y.len();
    let z1 = forward_layer(&head.fc1, x, n);
    let h1: Vec<f32> = z1.iter().zip(m1).map(|(z, m)| z.max(0.0) * m).collect();
    let z2 = forward_layer(&head.fc2, &h1, n);
    let h2: Vec<f32> = z2.iter().zip(m2).map(|(z, m)| z.max(0.0) * m).collect();
    let z = forward_layer(&head.out, &h2, n);
    // softplus(z) = max(z, 0) + ln(1 + e^−|z|); its derivative is sigmoid(z), written through
    // the same pieces: 1[z > 0] − sign(z) · e^−|z| / (1 + e^−|z|)
    let inv_n = 1.0 / n.max(1) as f32;
    let mut sum = 0.0f32;
    let dz: Vec<f32> = z
        .iter()
        .zip(y)
        .map(|(&z, &y)| {
            let u = (-z.abs()).exp();
            sum += z.max(0.0) + u.ln_1p() - z * y;
            let relu = if z > 0.0 { 1.0 } else { 0.0 };
            let sign = if z > 0.0 {
                1.0
            } else if z < 0.0 {
                -1.0
            } else {
                0.0
            };
            inv_n * (relu - sign * u / (1.0 + u) - y)
        })
        .collect();
    let loss = sum * inv_n;
    let mut g = Grads {
        fc1: zeros_like(&head.fc1),
        fc2: zeros_like(&head.fc2),
        out: zeros_like(&head.out),
    };
    let dh2 = backward_layer(&head.out, &h2, &dz, n, &mut g.out, true);
    let dz2 = through_mask_and_relu(&dh2, m2, &z2);
    let dh1 = backward_layer(&head.fc2, &h1, &dz2, n, &mut g.fc2, true);
    let dz1 = through_mask_and_relu(&dh1, m1, &z1);
    backward_layer(&head.fc1, x, &dz1, n, &mut g.fc1, false);
    (loss, g)
}

/// Adam's moments for one head, and the step count.
#[derive(Debug, Clone)]
pub struct Adam {
    m: Grads,
    v: Grads,
    t: i32,
}

impl Adam {
    /// Fresh moments for `head`.
    pub fn new(head: &Head) -> Self {
        let z = Grads {
            fc1: zeros_like(&head.fc1),
            fc2: zeros_like(&head.fc2),
            out: zeros_like(&head.out),
        };
        Self {
            m: z.clone(),
            v: z,
            t: 0,
        }
    }

    /// One step at learning rate `lr`: burn's `AdaptiveMomentum` (bias correction folded into
    /// the step and ε as burn scales it), the same operations in the same order.
    pub fn step(&mut self, head: &mut Head, g: &Grads, lr: f64) {
        self.t += 1;
        let bc2 = (1.0 - BETA_2.powi(self.t)).sqrt();
        let factor = bc2 / (1.0 - BETA_1.powi(self.t));
        let eps = EPSILON * bc2;
        let lr = lr as f32;
        let update = |p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]| {
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                *m = *m * BETA_1 + g * (1.0 - BETA_1);
                *v = *v * BETA_2 + g * g * (1.0 - BETA_2);
                *p -= *m * factor / (v.sqrt() + eps) * lr;
            }
        };
        for (p, g, m, v) in [
            (&mut head.fc1, &g.fc1, &mut self.m.fc1, &mut self.v.fc1),
            (&mut head.fc2, &g.fc2, &mut self.m.fc2, &mut self.v.fc2),
            (&mut head.out, &g.out, &mut self.m.out, &mut self.v.out),
        ] {
            update(&mut p.w, &g.w, &mut m.w, &mut v.w);
            update(&mut p.b, &g.b, &mut m.b, &mut v.b);
        }
    }
}

/// Settings of the personal fine-tune.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FineTuneConfig {
    /// Number of Adam steps (each a full batch of likes + dislikes + fresh negatives).
    pub steps: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Seed for negative sampling and dropout masks.
    pub seed: u64,
    /// Sampled negatives per like in each step (at least `min_negatives`).
    pub negatives_per_like: usize,
    /// Lower bound on sampled negatives per step.
    pub min_negatives: usize,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        Self {
            steps: 20,
            // chosen on validation playlists: 20 steps at 3e-3 beat 1e-3 (20 or 50 steps) and 3e-3 (30, 50)
            lr: 3e-3,
            seed: 42,
            negatives_per_like: 4,
            min_negatives: 64,
        }
    }
}

/// Why a fine-tune could not start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FineTuneError {
    #[error("fine-tune needs at least one liked track")]
    NoLikes,
    #[error("track index {index} is outside the catalog of {len} tracks")]
    OutOfRange { index: usize, len: usize },
}

/// A fine-tune in progress.
pub struct FineTuner {
    head: Head,
    adam: Adam,
    cfg: FineTuneConfig,
    rng: Rng64,
    /// Profile (mean embedding of the likes).
    profile: Embedding,
    /// Owned embeddings of likes then dislikes (fixed part of every batch).
    fixed: Vec<Embedding>,
    n_likes: usize,
    /// Pre-sampled negative embeddings, `n_neg` per step.
    negatives: Vec<Embedding>,
    n_neg: usize,
    step: usize,
    last_loss: f32,
}

impl FineTuner {
    /// Prepare a fine-tune of a copy of `head`. `likes`/`dislikes` index `embeddings`.
    pub fn new(
        head: &Head,
        embeddings: &[Embedding],
        likes: &[usize],
        dislikes: &[usize],
        cfg: FineTuneConfig,
    ) -> Result<Self, FineTuneError> {
        let len = embeddings.len();
        if likes.is_empty() {
            return Err(FineTuneError::NoLikes);
        }
        if let Some(&index) = likes.iter().chain(dislikes).find(|&&i| i >= len) {
            return Err(FineTuneError::OutOfRange { index, len });
        }
        let profile = mean_of(embeddings, likes).ok_or(FineTuneError::NoLikes)?;
        let mut rng = Rng64::new(cfg.seed);
        let mut excluded = std::collections::HashSet::with_capacity(likes.len() + dislikes.len());
        excluded.extend(likes.iter().chain(dislikes).copied());
        let n_neg = (cfg.negatives_per_like * likes.len()).max(cfg.min_negatives);
        let mut negatives = Vec::with_capacity(n_neg * cfg.steps);
        if excluded.len() < len {
            while negatives.len() < n_neg * cfg.steps {
                let i = rng.below(len);
                if !excluded.contains(&i) {
                    negatives.push(embeddings[i]);
                }
            }
        }
        let n_neg = if negatives.is_empty() { 0 } else { n_neg };
        let fixed: Vec<Embedding> = likes
            .iter()
            .chain(dislikes)
            .map(|&i| embeddings[i])
            .collect();
        Ok(Self {
            head: head.clone(),
            adam: Adam::new(head),
            cfg,
            rng,
            profile,
            fixed,
            n_likes: likes.len(),
            negatives,
            n_neg,
            step: 0,
            last_loss: f32::NAN,
        })
    }

    /// Run one Adam step; returns the batch loss (BCE) before the update.
    /// After [`FineTuner::done`] it does nothing and returns the last loss.
    pub fn step(&mut self) -> f32 {
        if self.done() {
            return self.last_loss;
        }
        let s = self.step;
        let negs = &self.negatives[s * self.n_neg..(s + 1) * self.n_neg];
        let rows: Vec<Embedding> = self.fixed.iter().chain(negs).copied().collect();
        let n = rows.len();
        let idx: Vec<usize> = (0..n).collect();
        let x = self.head.input.build(&rows, &idx, Some(&self.profile));
        let y: Vec<f32> = (0..n)
            .map(|i| if i < self.n_likes { 1.0 } else { 0.0 })
            .collect();
        // the masks in the order training draws them: first hidden layer, then the second
        let m1 = dropout_values(&mut self.rng, n, HIDDEN, DROPOUT);
        let m2 = dropout_values(&mut self.rng, n, H2, DROPOUT);
        let (value, grads) = loss_and_grads(&self.head, &x, &y, &m1, &m2);
        self.adam.step(&mut self.head, &grads, self.cfg.lr);
        self.step += 1;
        self.last_loss = value;
        value
    }

    /// Run up to `n` steps (for chunked driving from the page); returns the last loss.
    pub fn run(&mut self, n: usize) -> f32 {
        for _ in 0..n {
            if self.done() {
                break;
            }
            self.step();
        }
        self.last_loss
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.step
    }

    /// Whether all configured steps ran.
    /// Steps this fine-tune runs in all.
    pub fn steps(&self) -> usize {
        self.cfg.steps
    }

    /// Fraction of the steps done, in [0, 1].
    pub fn progress(&self) -> f32 {
        self.step as f32 / self.cfg.steps.max(1) as f32
    }

    pub fn done(&self) -> bool {
        self.step >= self.cfg.steps
    }

    /// Steps until done or until `budget_ms` have passed by `now`, with their losses: one slice
    /// of the fine-tune, so the thread running it can answer between slices.
    pub fn steps_for(&mut self, budget_ms: f64, now: impl Fn() -> f64) -> Vec<f32> {
        let t0 = now();
        let mut losses = Vec::new();
        while !self.done() && now() - t0 < budget_ms {
            losses.push(self.step());
        }
        losses
    }

    /// The listener's profile (mean embedding of the likes).
    pub fn profile(&self) -> &Embedding {
        &self.profile
    }

    /// The fine-tuned head.
    pub fn finish(self) -> Head {
        self.head
    }
}

/// Fine-tune a copy of `head` on the listener's likes/dislikes with all configured steps.
pub fn fine_tune(
    head: &Head,
    embeddings: &[Embedding],
    likes: &[usize],
    dislikes: &[usize],
    cfg: FineTuneConfig,
) -> Result<Head, FineTuneError> {
    let mut t = FineTuner::new(head, embeddings, likes, dislikes, cfg)?;
    while !t.done() {
        t.step();
    }
    Ok(t.finish())
}

/// A fixed fine-tune whose answer must be the same natively and in wasm: 300 synthetic
/// embeddings, likes 0..12, dislikes 20 and 21, 10 steps at lr 1e-3, seed 7, on `head`; returns
/// the tuned head's logits for tracks 100..108. The native tests pin the numbers, and the page
/// exposes it (`finetuneFixture`) so a browser test compares wasm with native in the same run.
pub fn check_fixture(head: &Head) -> Vec<f32> {
    let emb: Vec<Embedding> = (0..300)
        .map(|i| std::array::from_fn(|j| (((i * 31 + j * 17) % 29) as f32 / 29.0 - 0.4) * 2.0))
        .collect();
    let likes: Vec<usize> = (0..12).collect();
    let cfg = FineTuneConfig {
        steps: 10,
        lr: 1e-3,
        seed: 7,
        ..FineTuneConfig::default()
    };
    let Ok(tuned) = fine_tune(head, &emb, &likes, &[20, 21], cfg) else {
        return Vec::new();
    };
    let p = mean_of(&emb, &likes);
    super::dense::head_scores(&tuned, &emb[100..108], p.as_ref())
}

/// The hand-written pass and Adam against burn's autodiff and `AdamConfig::new()` (what the
/// fine-tune ran on before): the same head, batch and dropout masks must give the same loss,
/// gradients and updated weights.
#[cfg(test)]
mod tests {
    use burn::module::Module;
    use burn::optim::{AdamConfig, GradientsParams};

    use super::*;
    use crate::model::{bce_with_logits, cpu, cpu_autodiff, tensor2, to_vec, HeadInput, Weights};

    fn close(what: &str, a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let tol = 1e-5 * (1.0 + x.abs().max(y.abs()));
            assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs burn {y}");
        }
    }

    fn close_head(what: &str, a: &Head, b: &Head) {
        for (l, x, y) in [
            ("fc1", &a.fc1, &b.fc1),
            ("fc2", &a.fc2, &b.fc2),
            ("out", &a.out, &b.out),
        ] {
            close(&format!("{what} {l}.weight"), &x.w, &y.w);
            close(&format!("{what} {l}.bias"), &x.b, &y.b);
        }
    }

    /// A batch as `FineTuner::step` builds one: likes, then negatives.
    fn batch(input: HeadInput, n: usize, seed: u64) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
        let mut rng = Rng64::new(seed);
        let emb: Vec<Embedding> = (0..n)
            .map(|_| std::array::from_fn(|_| rng.next_f32() * 4.0 - 2.0))
            .collect();
        let idx: Vec<usize> = (0..n).collect();
        let p = mean_of(&emb, &idx[..5]);
        let x = input.build(&emb, &idx, p.as_ref());
        let y = (0..n).map(|i| if i < 5 { 1.0 } else { 0.0 }).collect();
        let m1 = dropout_values(&mut rng, n, HIDDEN, DROPOUT);
        let m2 = dropout_values(&mut rng, n, H2, DROPOUT);
        (x, y, m1, m2)
    }

    fn heads() -> Vec<Head> {
        let shipped = Weights::from_bytes(include_bytes!("../../www/weights.bin"))
            .expect("committed weights")
            .head;
        let dev = cpu();
        dev.seed(5);
        vec![shipped, Head::new(HeadInput::Embedding, &dev)]
    }

    #[test]
    fn gradients_and_adam_steps_equal_burns() {
        for head in heads() {
            let (w, n) = (head.input.width(), 70);
            let dev = cpu_autodiff();
            let mut net = head.net(&cpu()).to_device(&dev).train();
            let mut optim = AdamConfig::new().init();
            let mut mine = head.clone();
            let mut adam = Adam::new(&head);
            for step in 0..4 {
                let (x, y, m1, m2) = batch(head.input, n, 11 + step);
                let (loss, g) = loss_and_grads(&mine, &x, &y, &m1, &m2);
                let logits = net.forward_masked(
                    tensor2(x.clone(), n, w, &dev),
                    Some((
                        tensor2(m1.clone(), n, HIDDEN, &dev),
                        tensor2(m2.clone(), n, H2, &dev),
                    )),
                );
                let l = bce_with_logits(logits, tensor2(y.clone(), n, 1, &dev));
                let burn_loss = l.clone().into_scalar::<f32>();
                let grads = GradientsParams::from_grads(l.backward(), &net);
                let grad = |id| to_vec(grads.get::<2>(id).expect("a gradient"));
                let grad1 = |id| to_vec(grads.get::<1>(id).expect("a gradient"));
                let s = format!("{:?} step {step}", head.input);
                close(&format!("{s} loss"), &[loss], &[burn_loss]);
                close(&format!("{s} dW1"), &g.fc1.w, &grad(net.fc1.weight.id));
                close(
                    &format!("{s} db1"),
                    &g.fc1.b,
                    &grad1(net.fc1.bias.as_ref().unwrap().id),
                );
                close(&format!("{s} dW2"), &g.fc2.w, &grad(net.fc2.weight.id));
                close(
                    &format!("{s} db2"),
                    &g.fc2.b,
                    &grad1(net.fc2.bias.as_ref().unwrap().id),
                );
                close(&format!("{s} dW3"), &g.out.w, &grad(net.out.weight.id));
                close(
                    &format!("{s} db3"),
                    &g.out.b,
                    &grad1(net.out.bias.as_ref().unwrap().id),
                );
                net = optim.step(1e-2, net, grads);
                adam.step(&mut mine, &g, 1e-2);
                close_head(&s, &mine, &Head::from_net(&net.valid(), head.input));
            }
        }
    }

    #[test]
    fn fine_tuner_equals_the_burn_loop() {
        // the whole fine-tune (sampling, masks, 20 steps) against the loop it replaced
        let head = heads().remove(0);
        let emb: Vec<Embedding> = (0..400)
            .map(|i| std::array::from_fn(|j| (((i * 37 + j * 11) % 31) as f32 / 31.0 - 0.5) * 2.0))
            .collect();
        let (likes, dislikes) = ((0..9).collect::<Vec<_>>(), vec![30, 31]);
        let cfg = FineTuneConfig::default();
        let mut t = FineTuner::new(&head, &emb, &likes, &dislikes, cfg).unwrap();
        let dev = cpu_autodiff();
        let mut net = head.net(&cpu()).to_device(&dev).train();
        let mut optim = AdamConfig::new().init();
        let mut rng = Rng64::new(cfg.seed);
        // replay the tuner's sampling on a twin to get its batches
        let twin = FineTuner::new(&head, &emb, &likes, &dislikes, cfg).unwrap();
        rng.clone_from(&twin.rng);
        for s in 0..cfg.steps {
            let negs = &twin.negatives[s * twin.n_neg..(s + 1) * twin.n_neg];
            let rows: Vec<Embedding> = twin.fixed.iter().chain(negs).copied().collect();
            let n = rows.len();
            let idx: Vec<usize> = (0..n).collect();
            let x = head.input.build(&rows, &idx, Some(&twin.profile));
            let y: Vec<f32> = (0..n)
                .map(|i| if i < likes.len() { 1.0 } else { 0.0 })
                .collect();
            let logits = net.forward_train(tensor2(x, n, head.input.width(), &dev), &mut rng);
            let l = bce_with_logits(logits, tensor2(y, n, 1, &dev));
            let burn_loss = l.clone().into_scalar::<f32>();
            let grads = GradientsParams::from_grads(l.backward(), &net);
            net = optim.step(cfg.lr, net, grads);
            close(&format!("loss at step {s}"), &[t.step()], &[burn_loss]);
        }
        close_head(
            "tuned",
            &t.finish(),
            &Head::from_net(&net.valid(), head.input),
        );
    }
}
