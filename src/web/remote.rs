//! An engine loaded through the engine worker, for the page and the widget alike: the worker
//! downloads the weights and the catalog (inflating it as it arrives) and encodes every track;
//! this side only parses the inflated sections and indexes the embeddings it is sent, yielding
//! between the steps so that none blocks the page for long.

use futures::StreamExt;

use super::client::{self, Answer};
use super::load::yield_now;
use super::protocol::{buf_bytes, buf_embeddings, Reply, Request};
use crate::catalog::format::decode_raw;
use crate::model::Weights;
use crate::recommend::{Indexer, LoadError, Recommender};

/// Tracks indexed between two yields to the browser (~10 ms in wasm).
const INDEX_STEP: usize = 8192;

/// What the worker's load gave.
pub enum Remote {
    /// The engine, and the weights file it was built from.
    Engine(Box<Recommender>, Vec<u8>),
    /// The host serves no catalog (HTTP 404): the weights file.
    NoCatalog(Vec<u8>),
}

/// Load through the worker; `on_progress` sees every reply before it is acted on (downloads in
/// bytes, encoding in tracks, `Loaded` when the indexing here starts). `Err(None)`: there is no
/// worker (the caller loads inline); `Err(Some(_))`: the load failed, with a message for people.
pub async fn load(
    catalog_url: &str,
    weights_url: &str,
    on_progress: impl Fn(&Reply),
) -> Result<Remote, Option<String>> {
    // the worker resolves relative URLs against its own script (beside the glue), so they go
    // absolute, against the page's address
    let req = Request::Load {
        catalog_url: absolute(catalog_url),
        weights_url: absolute(weights_url),
    };
    let mut rx = client::request(req, Vec::new()).map_err(|_| None)?;
    while let Some(Answer { reply, bufs }) = rx.next().await {
        on_progress(&reply);
        match reply {
            Reply::NoCatalog => {
                return buf_bytes(&bufs, 0, "model weights")
                    .map(Remote::NoCatalog)
                    .map_err(Some)
            }
            Reply::Failed(e) => return Err(Some(e)),
            Reply::Loaded { .. } => return build(&bufs).await.map_err(Some),
            _ => {}
        }
    }
    // the worker died before answering
    Err(None)
}

/// `url` resolved against the page's address (unchanged when that fails: the fetch then says why).
fn absolute(url: &str) -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|base| web_sys::Url::new_with_base(url, &base).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| url.to_string())
}

/// The engine from the worker's buffers: inflated catalog, embeddings, weights file.
async fn build(bufs: &[js_sys::ArrayBuffer]) -> Result<Remote, String> {
    yield_now().await;
    let raw = buf_bytes(bufs, 0, "catalog")?;
    let catalog = decode_raw(&raw).map_err(|e| LoadError::from(e).to_string())?;
    drop(raw);
    yield_now().await;
    let emb = buf_embeddings(bufs, 1)?;
    let w = buf_bytes(bufs, 2, "model weights")?;
    let weights = Weights::from_bytes(&w).map_err(|e| LoadError::from(e).to_string())?;
    let mut indexer = Indexer::new(catalog, weights, emb).map_err(|e| e.to_string())?;
    loop {
        yield_now().await;
        if indexer.step(INDEX_STEP) {
            break;
        }
    }
    yield_now().await;
    Ok(Remote::Engine(Box::new(indexer.finish()), w))
}
