//! The engine worker's side: `www/engine-worker.js` loads this same wasm in a dedicated worker
//! and hands every message from the page to [`handle`]. The heavy work runs here, off the page's
//! thread: downloading and inflating the catalog as it arrives, encoding every track, and the
//! fine-tune. It keeps no state between requests (the page owns the engine it ranks with and
//! sends what a fine-tune needs), so the two never disagree about the catalog.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::inflate::Inflating;
use super::load::{fetch_or_replay, mark, now, stream_or_replay, Chunk};
use super::protocol::{
    buf_bytes, buf_sliced, bytes_buf, embeddings_buf, post_to_page, Envelope, Fetched, Reply,
    Request,
};
use crate::catalog::format::Columns;
use crate::model::dense::DenseEncoder;
use crate::model::input::input;
use crate::model::{tuned, Embedding, Weights, EMB};
use crate::recommend::scan::Quantized;
use crate::recommend::{LoadError, Recommender};
use crate::vector::{inv_norm, Mean};

/// Tracks read and encoded (and then indexed) per call, between two progress reports: small
/// enough that the engine's optimised code takes over after the first blocks (a wasm function
/// already running keeps its baseline code to the end).
const ENCODE_BLOCK: usize = 2048;
/// Shortest time between two progress reports of the load.
const PROGRESS_MS: f64 = 50.0;
/// Longest stretch of fine-tune steps between two progress reports (the page draws the curve).
const SLICE_MS: f64 = 25.0;

thread_local! {
    /// The load waiting to group its scan index until the page asks (`Request::Group`).
    static GROUP_NOW: std::cell::RefCell<Option<futures::channel::oneshot::Sender<()>>> =
        const { std::cell::RefCell::new(None) };
}

/// One kind of progress report at most every [`PROGRESS_MS`], and always the last.
struct Pace(std::cell::Cell<f64>);

impl Default for Pace {
    fn default() -> Pace {
        Pace(std::cell::Cell::new(f64::NEG_INFINITY))
    }
}

impl Pace {
    /// Whether to report now (`last`: this is the final report).
    fn due(&self, last: bool) -> bool {
        let t = now();
        if last || t - self.0.get() >= PROGRESS_MS {
            self.0.set(t);
            return true;
        }
        false
    }
}

/// Run one message from the page (called by engine-worker.js).
#[wasm_bindgen(js_name = engineWorkerHandle)]
pub fn handle(data: JsValue) {
    match Envelope::<Request>::from_js(&data) {
        Ok(env) => spawn_local(run(env)),
        Err(e) => post(0, Reply::Failed(format!("The engine got {e}.")), Vec::new()),
    }
}

fn post(id: u32, msg: Reply, bufs: Vec<js_sys::ArrayBuffer>) {
    let env = Envelope { id, msg, bufs };
    match env.to_js() {
        Ok((v, transfer)) => {
            let _ = post_to_page(&v, &transfer);
        }
        Err(e) => {
            let _ = post_to_page(&format!("engine worker: {e}").into(), &js_sys::Array::new());
        }
    }
}

async fn run(env: Envelope<Request>) {
    let id = env.id;
    let end = match env.msg {
        Request::Load {
            catalog_url,
            weights_url,
            catalog,
            weights,
            grouping,
        } => {
            let urls = (catalog_url.as_str(), weights_url.as_str());
            load(id, urls, (catalog, weights), &env.bufs, grouping).await
        }
        Request::Group => {
            if let Some(go) = GROUP_NOW.with(|g| g.borrow_mut().take()) {
                let _ = go.send(());
            }
            Ok(())
        }
        Request::Tune {
            likes,
            dislikes,
            seed,
        } => tune(id, &likes, &dislikes, seed, &env.bufs).await,
    };
    if let Err(e) = end {
        post(id, Reply::Failed(e), Vec::new());
    }
}

/// The weights and the catalog at once (the catalog inflated while it downloads), then every
/// track encoded; the page gets the inflated sections, the embeddings and the weights, all
/// transferred. A file the page downloaded already comes `fetched`, its chunks in `bufs`.
async fn load(
    id: u32,
    (catalog_url, weights_url): (&str, &str),
    fetched: (Option<Fetched>, Option<Fetched>),
    bufs: &[js_sys::ArrayBuffer],
    grouping: bool,
) -> Result<(), String> {
    let (catalog_fetched, weights_fetched) = fetched;
    let n_catalog = catalog_fetched.as_ref().map_or(0, |f| f.chunks);
    let chunks = |from: usize, n: usize| {
        bufs.get(from..from + n)
            .ok_or_else(|| "The page sent fewer downloaded chunks than it said.".to_string())
    };
    let catalog_chunks = chunks(0, n_catalog)?;
    let weights_chunks = chunks(n_catalog, weights_fetched.as_ref().map_or(0, |f| f.chunks))?;
    mark("worker-request");
    // at most one report per PROGRESS_MS per file (and the last): each one is a message, a
    // status line redrawn on the page, and a frame the page paints while the load runs
    let progress = |what: &'static str| {
        let pace = Pace::default();
        move |got, total: Option<u64>| {
            if !pace.due(total == Some(got)) {
                return;
            }
            post(
                id,
                Reply::Download {
                    what: what.into(),
                    got,
                    total,
                },
                Vec::new(),
            )
        }
    };
    // both downloads at once; the catalog is inflated chunk by chunk while it arrives
    let weights_dl = fetch_or_replay(
        weights_url,
        weights_fetched.as_ref().map(|f| (f, weights_chunks)),
        progress("model weights"),
    );
    let mut dec = Inflating::new().map_err(|e| LoadError::from(e).to_string())?;
    let report = progress("catalog");
    let catalog_dl = stream_or_replay(
        catalog_url,
        catalog_fetched.as_ref().map(|f| (f, catalog_chunks)),
        |chunk: Chunk<'_>, got, total| {
            dec.push(chunk);
            report(got, total);
        },
    );
    let (w, fetched) = futures::future::join(weights_dl, catalog_dl).await;
    mark("worker-downloaded");
    let w = w.map_err(|e| format!("The model weights could not be downloaded: {e}."))?;
    let weights = Weights::from_bytes(&w).map_err(|e| LoadError::from(e).to_string())?;
    match fetched {
        Err(e) if e.contains("answered HTTP 404") => {
            post(id, Reply::NoCatalog, vec![bytes_buf(&w)]);
            return Ok(());
        }
        Err(e) => return Err(format!("The catalog could not be downloaded: {e}.")),
        Ok(()) => {}
    }
    let (raw, raw_buf) = dec
        .finish_both()
        .await
        .map_err(|e| LoadError::from(e).to_string())?;
    mark("worker-inflated");
    // the page parses and indexes its copy while this encodes
    post(id, Reply::Inflated, vec![raw_buf]);
    // the numbers alone (the page parses the text), read and encoded a block at a time
    let cols = Columns::new(&raw).map_err(|e| LoadError::from(e).to_string())?;
    if cols.is_empty() {
        return Err(LoadError::EmptyCatalog.to_string());
    }
    let n = cols.len();
    let encoder = DenseEncoder::new(&weights.autoencoder);
    let mut emb = Vec::with_capacity(n);
    // what the page would compute from the embeddings after they arrive, computed here while
    // the page indexes the text (the page's part is the one after both are done)
    let mut inv_norms = Vec::with_capacity(n);
    let mut emb_mean = Mean::<EMB>::default();
    let pace = Pace::default();
    for from in (0..n).step_by(ENCODE_BLOCK) {
        let to = (from + ENCODE_BLOCK).min(n);
        let (features, contexts) = cols
            .numbers(&raw, from..to)
            .map_err(|e| LoadError::from(e).to_string())?;
        encoder.encode_into(
            features
                .iter()
                .zip(&contexts)
                .map(|(f, c)| input(f, c, weights.objective)),
            &mut emb,
        );
        for e in &emb[from..to] {
            inv_norms.push(inv_norm(e));
            emb_mean.push(e);
        }
        if pace.due(to == n) {
            post(id, Reply::Encoding { done: to, total: n }, Vec::new());
        }
    }
    mark("worker-encoded");
    // the scan's index too (the page's thread is the busier one during a load)
    // in blocks: each call after the first few runs V8's optimised code (a long call runs its
    // first, baseline-compiled code to the end)
    let mut quant = Quantized::fitted(&emb);
    quant.reserve(n);
    for block in emb.chunks(ENCODE_BLOCK) {
        quant.extend(block);
    }
    mark("worker-indexed");
    let mut bufs = vec![embeddings_buf(&emb), bytes_buf(&w)];
    bufs.extend(scan_bufs(&quant));
    bufs.push(bytes_buf(bytemuck::cast_slice(&inv_norms)));
    let emb_sums = emb_mean.sums().0;
    post(
        id,
        Reply::Loaded {
            tracks: n,
            emb_sums,
            grouping,
        },
        bufs,
    );
    if !grouping {
        return Ok(());
    }
    // the page has its copies: only the index stays while the page asks for the grouping
    drop((emb, raw, inv_norms));
    let (go, asked) = futures::channel::oneshot::channel();
    // (a later load's request replaces this one's, which then ends ungrouped)
    GROUP_NOW.with(|g| *g.borrow_mut() = Some(go));
    if asked.await.is_err() {
        return Ok(());
    }
    quant.group();
    mark("worker-grouped");
    post(id, Reply::Grouped, scan_bufs(&quant).to_vec());
    Ok(())
}

/// The scan index as three buffers (`Quantized::parts`).
fn scan_bufs(q: &Quantized<EMB>) -> [js_sys::ArrayBuffer; 3] {
    let (head, cells, blocks) = q.parts();
    [bytes_buf(&head), bytes_buf(cells), bytes_buf(blocks)]
}

/// The page's fine-tune, reporting the losses every ~25 ms; ends with the tuned head's bytes.
async fn tune(
    id: u32,
    likes: &[usize],
    dislikes: &[usize],
    seed: u64,
    bufs: &[js_sys::ArrayBuffer],
) -> Result<(), String> {
    let w = buf_bytes(bufs, 0, "model weights")?;
    let weights = Weights::from_bytes(&w).map_err(|e| LoadError::from(e).to_string())?;
    let emb = buf_sliced::<Embedding>(bufs, 1, "embeddings").await?;
    let mut tuner = Recommender::tuner_on(&weights.head, &emb, likes, dislikes, seed)
        .map_err(|e| format!("Could not tune: {e}."))?;
    let mut longest = 0.0f64;
    while !tuner.done() {
        let s0 = now();
        let losses = tuner.steps_for(SLICE_MS, now);
        longest = longest.max(now() - s0);
        let progress = tuner.progress();
        post(id, Reply::Steps { losses, progress }, Vec::new());
    }
    let head = tuner.finish();
    let bytes = tuned::to_bytes(&head, &weights.head);
    post(
        id,
        Reply::Tuned {
            longest_slice_ms: longest,
        },
        vec![bytes_buf(&bytes)],
    );
    Ok(())
}
