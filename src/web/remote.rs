//! An engine loaded through the engine worker, for the page and the widget alike: the worker
//! downloads the weights and the catalog (inflating it as it arrives) and encodes every track;
//! this side only parses the inflated sections and indexes the embeddings it is sent, yielding
//! between the steps so that none blocks the page for long.

use futures::StreamExt;

use super::client::{self, Answer};
use super::early;
use super::load::{in_slices, mark, yield_now};
use super::protocol::{buf_bytes, buf_sliced, Reply, Request};
use crate::catalog::format::{FormatError, RawDecoder};
use crate::model::{Embedding, Weights, EMB};
use crate::recommend::scan::{Block, Cell, Quantized};
use crate::recommend::{Indexer, LoadError, Recommender};
use crate::vector::Mean;

/// What the worker's load gave.
pub enum Remote {
    /// The engine, the weights file it was built from, and the grouped scan index to come.
    Engine(Box<Recommender>, Vec<u8>, Grouping),
    /// The host serves no catalog (HTTP 404): the weights file.
    NoCatalog(Vec<u8>),
}

/// A load the worker has started (or will, once the page's early downloads end: see
/// `early`): its replies, read by [`Pending::finish`].
pub struct Pending(Started);

enum Started {
    Sent(Replies),
    /// Sent once the page's early downloads (see `early`) have ended; `None` if it could not be.
    Prefetching(futures::channel::oneshot::Receiver<Option<Replies>>),
}

type Replies = futures::channel::mpsc::UnboundedReceiver<Answer>;

/// The rest of a load once the engine is built: the worker groups the scan index into cells
/// (see `recommend::scan`) when [`Grouping::index`] asks, so the page need not wait for it.
pub struct Grouping(futures::channel::mpsc::UnboundedReceiver<Answer>);

impl Grouping {
    /// Ask the worker to group the scan index now, and wait for it: the grouped index, or `None`
    /// when the worker sent none (it failed, or died).
    pub async fn index(mut self) -> Option<Quantized<EMB>> {
        if client::notify(Request::Group).is_err() {
            return None;
        }
        while let Some(Answer { reply, bufs }) = self.0.next().await {
            match reply {
                Reply::Grouped => {
                    return read_scan(&bufs, 0).await.map_err(|e| console_warn(&e)).ok();
                }
                Reply::Failed(e) => {
                    console_warn(&e);
                    return None;
                }
                _ => {}
            }
        }
        None
    }
}

fn console_warn(why: &str) {
    web_sys::console::warn_1(
        &format!("soundalike: no grouped scan index ({why}); ranking scans every track").into(),
    );
}

/// Ask the worker to load at once (the download runs while the page does its other start-up
/// work). `None`: there is no worker (the caller loads inline).
/// `grouping`: the scan index grouped into cells follows when asked ([`Grouping::index`]).
pub fn start(catalog_url: &str, weights_url: &str, grouping: bool) -> Option<Pending> {
    // the worker resolves relative URLs against its own script (beside the glue), so they go
    // absolute, against the page's address
    let (catalog_url, weights_url) = (absolute(catalog_url), absolute(weights_url));
    let catalog = early::download("catalog", &catalog_url);
    let weights = early::download("weights", &weights_url);
    if catalog.is_some() || weights.is_some() {
        // the worker starts now; the request goes as soon as the downloads have ended (a task
        // of its own: the caller may not wait for the replies at once)
        client::boot().ok()?;
        let (tx, rx) = futures::channel::oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            // a failed early download leaves that file to the worker
            let mut bufs = Vec::new();
            let catalog = early::wait(catalog, &mut bufs).await;
            let weights = early::wait(weights, &mut bufs).await;
            let req = Request::Load {
                catalog_url,
                weights_url,
                catalog,
                weights,
                grouping,
            };
            let _ = tx.send(client::request(req, bufs).ok());
        });
        return Some(Pending(Started::Prefetching(rx)));
    }
    let req = Request::Load {
        catalog_url,
        weights_url,
        catalog: None,
        weights: None,
        grouping,
    };
    client::request(req, Vec::new())
        .ok()
        .map(|rx| Pending(Started::Sent(rx)))
}

impl Pending {
    /// Wait for the load; `on_progress` sees every reply before it is acted on (downloads in
    /// bytes, encoding in tracks, `Loaded` when the last indexing here starts). The catalog is
    /// parsed and its text indexed here while the worker encodes. `Err(None)`: the worker died
    /// (the caller loads inline); `Err(Some(_))`: the load failed, with a message for people.
    pub async fn finish(self, on_progress: impl Fn(&Reply)) -> Result<Remote, Option<String>> {
        let mut rx = match self.0 {
            Started::Sent(rx) => rx,
            Started::Prefetching(sent) => sent.await.ok().flatten().ok_or(None)?,
        };
        let mut indexer = None;
        while let Some(Answer { reply, bufs }) = rx.next().await {
            on_progress(&reply);
            match reply {
                Reply::NoCatalog => {
                    return buf_bytes(&bufs, 0, "model weights")
                        .map(Remote::NoCatalog)
                        .map_err(Some)
                }
                Reply::Failed(e) => return Err(Some(e)),
                Reply::Inflated => indexer = Some(index_text(&bufs).await.map_err(Some)?),
                Reply::Loaded {
                    tracks, emb_sums, ..
                } => {
                    let indexer = indexer.ok_or_else(|| {
                        Some("The engine sent embeddings before the catalog.".to_string())
                    })?;
                    let emb_mean = Mean::from_sums(&emb_sums, tracks).ok_or_else(|| {
                        Some(format!(
                            "The engine sent {} embedding sums.",
                            emb_sums.len()
                        ))
                    })?;
                    let (engine, w) = build(indexer, &bufs, emb_mean).await.map_err(Some)?;
                    return Ok(Remote::Engine(Box::new(engine), w, Grouping(rx)));
                }
                _ => {}
            }
        }
        // the worker died before answering
        Err(None)
    }
}

/// Load through the worker (see [`start`] and [`Pending::finish`]), the scan index in catalog
/// order (no grouping: one call would block the page).
pub async fn load(
    catalog_url: &str,
    weights_url: &str,
    on_progress: impl Fn(&Reply),
) -> Result<Remote, Option<String>> {
    start(catalog_url, weights_url, false)
        .ok_or(None)?
        .finish(on_progress)
        .await
}

/// `url` resolved against the page's address (unchanged when that fails: the fetch then says why).
fn absolute(url: &str) -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|base| web_sys::Url::new_with_base(url, &base).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| url.to_string())
}

/// Parse the inflated catalog and index its text, yielding between slices.
async fn index_text(bufs: &[js_sys::ArrayBuffer]) -> Result<Indexer, String> {
    yield_now().await;
    let raw = buf_sliced::<u8>(bufs, 0, "catalog").await?;
    let failed = |e: FormatError| LoadError::from(e).to_string();
    let mut decoder = RawDecoder::new(raw).map_err(failed)?;
    mark("page-got-catalog");
    in_slices(|n| decoder.step(n).map_err(failed)).await?;
    let catalog = decoder.finish().map_err(failed)?;
    mark("page-parsed");
    let mut indexer = Indexer::start(catalog).map_err(|e| e.to_string())?;
    in_slices(|n| Ok(indexer.step_text(n))).await?;
    mark("page-text-indexed");
    Ok(indexer)
}

/// The scan index from buffers `from..from + 3` (`Quantized::parts`), each copied straight into
/// its vector in slices.
async fn read_scan(bufs: &[js_sys::ArrayBuffer], from: usize) -> Result<Quantized<EMB>, String> {
    let head = buf_bytes(bufs, from, "scan index")?;
    let cells = buf_sliced::<Cell>(bufs, from + 1, "scan index's cells").await?;
    let blocks = buf_sliced::<Block>(bufs, from + 2, "scan index's blocks").await?;
    Quantized::from_parts(&head, cells, blocks).map_err(|e| e.to_string())
}

/// The engine from the text-indexed catalog and the worker's embeddings and weights file.
async fn build(
    mut indexer: Indexer,
    bufs: &[js_sys::ArrayBuffer],
    emb_mean: Mean<EMB>,
) -> Result<(Recommender, Vec<u8>), String> {
    mark("page-got-embeddings");
    let emb = buf_sliced::<Embedding>(bufs, 0, "embeddings").await?;
    let w = buf_bytes(bufs, 1, "model weights")?;
    let weights = Weights::from_bytes(&w).map_err(|e| LoadError::from(e).to_string())?;
    indexer.embed(weights, emb).map_err(|e| e.to_string())?;
    let quant = read_scan(bufs, 2).await?;
    indexer.scan_index(quant).map_err(|e| e.to_string())?;
    let inv_norm = buf_sliced::<f32>(bufs, 5, "embedding lengths").await?;
    indexer
        .norms(inv_norm, emb_mean)
        .map_err(|e| e.to_string())?;
    in_slices(|n| Ok(indexer.step(n))).await?;
    mark("page-indexed");
    yield_now().await;
    let engine = indexer.finish().map_err(|e| e.to_string())?;
    Ok((engine, w))
}
