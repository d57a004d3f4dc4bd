// The fine-tune fixture, shared by the native test (tests/models.rs, through tests/common/mod.rs)
// and the page's wasm self-check (`finetuneFixture` in src/widget.rs, checked against the native
// numbers by tests/browser/finetune.test.mjs). Both `include!` this file, so it has no inner
// attributes and no `use` lines: each includer imports `Embedding32`, `Weights`, `fine_tune`,
// `FineTuneConfig`, `profile` and `head_scores` itself.

/// 300 synthetic but fixed embeddings.
pub fn embeddings() -> Vec<Embedding32> {
    (0..300)
        .map(|i| std::array::from_fn(|j| (((i * 31 + j * 17) % 29) as f32 / 29.0 - 0.4) * 2.0))
        .collect()
}

/// Fine-tune the head of `w` on likes 0..12 (dislikes 20, 21) of [`embeddings`] for 10 steps,
/// lr 1e-3, seed 7, and return the fine-tuned head's logits for tracks 100..108.
pub fn finetune_fixture_with(w: &Weights) -> Vec<f32> {
    let emb = embeddings();
    let likes: Vec<usize> = (0..12).collect();
    let cfg = FineTuneConfig {
        steps: 10,
        lr: 1e-3,
        seed: 7,
        ..FineTuneConfig::default()
    };
    let head = fine_tune(&w.head, &emb, &likes, &[20, 21], cfg).expect("fine-tune");
    let p = profile(&emb, &likes);
    head_scores(&head, &emb[100..108], p.as_ref())
}
