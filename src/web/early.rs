//! What `www/early.js` starts while the wasm loads: the engine worker, and the downloads of the
//! page's catalog and model weights. Each is taken (once) only if it is what the page would have
//! started itself, the same URL; the downloads go to the engine worker as they ended (status,
//! size, chunks), which checks them as it would its own. A download that failed is dropped: the
//! worker downloads that file itself.

use js_sys::{Array, ArrayBuffer, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::protocol::{Fetched, Worker};

/// The global early.js sets: `{ worker: { url, worker, failed }, catalog: { url, result },
/// weights: { url, result } }`, each part optional.
const GLOBAL: &str = "__soundalikeEarly";

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Part `what` of what early.js started if it is for `url` (absolute), taken off the page so
/// nothing later reuses it.
fn take(what: &str, url: &str) -> Option<JsValue> {
    let early = get(&web_sys::window()?.into(), GLOBAL);
    let p = get(&early, what);
    if p.is_undefined() || get(&p, "url").as_string().as_deref() != Some(url) {
        return None;
    }
    let _ = Reflect::delete_property(early.unchecked_ref::<js_sys::Object>(), &what.into());
    Some(p)
}

/// The early download of `file` ("catalog" or "weights") if it is of `url`.
pub fn download(file: &str, url: &str) -> Option<Promise> {
    get(&take(file, url)?, "result").dyn_into().ok()
}

/// The early engine worker if its script is `url`: the worker, or why it failed to start.
pub fn worker(url: &str) -> Option<Result<Worker, String>> {
    let w = take("worker", url)?;
    Some(match get(&w, "failed").as_string() {
        Some(why) => Err(why),
        None => get(&w, "worker")
            .dyn_into()
            .map_err(|_| "early.js gave no worker".to_string()),
    })
}

/// How an early download ended, its chunks appended to `bufs` (to transfer); `None` when there was
/// none, or it failed before an answer (a network error) or gave something unreadable.
pub async fn wait(result: Option<Promise>, bufs: &mut Vec<ArrayBuffer>) -> Option<Fetched> {
    let r = JsFuture::from(result?).await.ok()?;
    let status = get(&r, "status").as_f64()?;
    let chunks: Array = get(&r, "chunks").dyn_into().ok()?;
    let mut mine = Vec::with_capacity(chunks.length() as usize);
    for c in chunks.iter() {
        let c: Uint8Array = c.dyn_into().ok()?;
        let whole = c.byte_offset() == 0 && c.byte_length() == c.buffer().byte_length();
        // a view of part of a buffer is copied, so the transfer moves exactly its bytes
        mine.push(if whole {
            c.buffer()
        } else {
            c.slice(0, c.length()).buffer()
        });
    }
    let fetched = Fetched {
        status: status as u16,
        status_text: get(&r, "statusText").as_string().unwrap_or_default(),
        total: get(&r, "total").as_f64().map(|t| t as u64),
        chunks: mine.len(),
    };
    bufs.extend(mine);
    Some(fetched)
}
