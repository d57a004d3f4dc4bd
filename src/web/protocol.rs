//! The wire between the page and its engine worker: typed requests and replies (serde, through
//! `serde-wasm-bindgen`), each in an envelope `{ id, msg, bufs }` whose `bufs` are ArrayBuffers
//! moved with the message (transferred, not copied: the catalog crosses threads once), and the
//! bindings both ends need (`Worker`, the worker's `postMessage`).
//!
//! A request's id ties its replies to it; a request gets any number of progress replies and then
//! exactly one that ends it (`Reply::ends`).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::Embedding;

/// What the page asks the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Download the weights, then the catalog (inflated as it arrives), encode every track.
    /// Replies `Inflated` (then `Encoding`), then `Loaded`, and ends with `NoCatalog` or
    /// `Failed`, else: with `grouping`, the load waits for [`Request::Group`] and ends with the
    /// scan index grouped into cells (`Grouped`); without, `Loaded` ends it. A file the page
    /// downloaded already comes with its [`Fetched`], its chunks in `bufs` (the catalog's
    /// first).
    Load {
        catalog_url: String,
        weights_url: String,
        catalog: Option<Fetched>,
        weights: Option<Fetched>,
        grouping: bool,
    },
    /// Group the scan index of the load waiting for it now (the page asks once it has shown its
    /// first recommendations: grouping earlier shared the machine with them). No reply of its
    /// own: the load answers `Grouped`.
    Group,
    /// Fine-tune the shipped head of the weights in `bufs[0]` over the embeddings in `bufs[1]`
    /// (f32, `EMB` per track) on these track indices. Ends with `Tuned` or `Failed`.
    Tune {
        likes: Vec<usize>,
        dislikes: Vec<usize>,
        seed: u64,
    },
}

/// How a download the page made ended (its chunks travel in `bufs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fetched {
    pub status: u16,
    pub status_text: String,
    /// The file's size, when the server gave it.
    pub total: Option<u64>,
    /// How many of the message's buffers are its chunks.
    pub chunks: usize,
}

/// What the worker answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Reply {
    /// Bytes of a file received so far.
    Download {
        what: String,
        got: u64,
        total: Option<u64>,
    },
    /// The catalog is downloaded and inflated (the page starts parsing and indexing it while
    /// the worker encodes). `bufs`: the inflated payload (`catalog::format::decode_raw`).
    Inflated,
    /// Tracks encoded so far.
    Encoding { done: usize, total: usize },
    /// `bufs`: the embeddings (f32, `EMB` per track), the weights file, the scan index
    /// (`Quantized::parts`: three buffers), its tracks in catalog order, and each embedding's
    /// inverse length (f32); `emb_sums`: the embeddings' sums per coordinate (`vector::Mean`).
    /// [`Reply::Grouped`] follows when the load asked for `grouping`.
    Loaded {
        tracks: usize,
        emb_sums: Vec<f64>,
        grouping: bool,
    },
    /// `bufs`: the same scan index grouped into cells (three buffers; a ranking skips most of
    /// the catalog with it). Built once the page asks ([`Request::Group`]), after it is ready.
    Grouped,
    /// The host serves no catalog (HTTP 404). `bufs`: the weights file.
    NoCatalog,
    /// Losses of the fine-tune steps since the last report, and the fraction done.
    Steps { losses: Vec<f32>, progress: f32 },
    /// `bufs`: the tuned head (`model::tuned` bytes, tied to the shipped head).
    Tuned { longest_slice_ms: f64 },
    /// The request failed; the text is for the listener.
    Failed(String),
}

impl Reply {
    /// Whether this reply is the last one of its request.
    pub fn ends(&self) -> bool {
        !matches!(
            self,
            Reply::Download { .. }
                | Reply::Inflated
                | Reply::Encoding { .. }
                | Reply::Loaded { grouping: true, .. }
                | Reply::Steps { .. }
        )
    }
}

/// One message on the wire.
pub struct Envelope<T> {
    pub id: u32,
    pub msg: T,
    pub bufs: Vec<js_sys::ArrayBuffer>,
}

impl<T: Serialize> Envelope<T> {
    /// The JS object to post, and the list of buffers to transfer with it.
    pub fn to_js(&self) -> Result<(JsValue, js_sys::Array), String> {
        let o = js_sys::Object::new();
        let msg = serde_wasm_bindgen::to_value(&self.msg).map_err(|e| e.to_string())?;
        let bufs = js_sys::Array::new();
        for b in &self.bufs {
            bufs.push(b);
        }
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&o, &k.into(), v).map(|_| ());
        set("id", &self.id.into())
            .and_then(|_| set("msg", &msg))
            .and_then(|_| set("bufs", &bufs))
            .map_err(|_| "could not build a message".to_string())?;
        Ok((o.into(), bufs))
    }
}

impl<T: for<'de> Deserialize<'de>> Envelope<T> {
    /// Read a posted object back; anything else is an error naming what is wrong.
    pub fn from_js(v: &JsValue) -> Result<Envelope<T>, String> {
        let get = |k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let id = get("id")
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64)
            .ok_or("a message without an id")? as u32;
        let msg = serde_wasm_bindgen::from_value(get("msg"))
            .map_err(|e| format!("an unreadable message: {e}"))?;
        let bufs = match get("bufs").dyn_into::<js_sys::Array>() {
            Ok(a) => a
                .iter()
                .map(|b| b.dyn_into::<js_sys::ArrayBuffer>())
                .collect::<Result<_, _>>()
                .map_err(|_| "a message buffer that is not an ArrayBuffer")?,
            Err(_) => Vec::new(),
        };
        Ok(Envelope { id, msg, bufs })
    }
}

/// A fresh ArrayBuffer holding `bytes` (the one copy out of wasm memory; it is then transferred).
pub fn bytes_buf(bytes: &[u8]) -> js_sys::ArrayBuffer {
    js_sys::Uint8Array::from(bytes).buffer()
}

/// The embeddings as one ArrayBuffer of f32 rows.
pub fn embeddings_buf(emb: &[Embedding]) -> js_sys::ArrayBuffer {
    js_sys::Float32Array::from(emb.as_flattened()).buffer()
}

/// The bytes of buffer `i` of a message, or an error naming what is missing.
pub fn buf_bytes(bufs: &[js_sys::ArrayBuffer], i: usize, what: &str) -> Result<Vec<u8>, String> {
    bufs.get(i)
        .map(|b| js_sys::Uint8Array::new(b).to_vec())
        .ok_or_else(|| format!("the message lacks the {what}"))
}

/// Bytes copied between JS and wasm memory per task by [`buf_sliced`] (and the page's copy of
/// its embeddings for a fine-tune). The destination is fresh memory, so a copy also pays the
/// first touch of its pages: 16 MB took 50–70 ms while the engine worker grouped a million
/// tracks beside it.
pub const COPY_SLICE: usize = 4 << 20;

/// Buffer `i` as a vector of `T` (plain data: bytes, embedding rows), copied in slices of
/// [`COPY_SLICE`] with a yield between them: at a million tracks the page receives 50 MB of catalog,
/// 128 MB of embeddings and 44 MB of scan index, and one copy of each blocked it for over 100 ms.
pub async fn buf_sliced<T: bytemuck::Pod>(
    bufs: &[js_sys::ArrayBuffer],
    i: usize,
    what: &str,
) -> Result<Vec<T>, String> {
    let b = bufs
        .get(i)
        .ok_or_else(|| format!("the message lacks the {what}"))?;
    let size = std::mem::size_of::<T>().max(1);
    let bytes = b.byte_length() as usize;
    if !bytes.is_multiple_of(size) {
        return Err(format!(
            "{bytes} bytes of {what} are not whole rows of {size} bytes"
        ));
    }
    let src = js_sys::Uint8Array::new(b);
    let mut out: Vec<T> = Vec::with_capacity(bytes / size);
    let dst = out.as_mut_ptr().cast::<u8>();
    let mut at = 0;
    while at < bytes {
        let end = (at + COPY_SLICE).min(bytes);
        // SAFETY: the capacity holds `bytes` bytes and `at..end` lies within it; nothing reads
        // the vector before `set_len`, after every byte has been written (any bytes are a
        // valid `T`: it is `Pod`).
        unsafe {
            src.subarray(at as u32, end as u32)
                .raw_copy_to_ptr(dst.add(at));
        }
        at = end;
        if at < bytes {
            super::load::yield_now().await;
        }
    }
    // SAFETY: see above; all `bytes / size` elements are written.
    unsafe { out.set_len(bytes / size) };
    release(b);
    Ok(out)
}

/// Free a received buffer's memory now (`ArrayBuffer.prototype.transfer(0)` detaches it) rather
/// than whenever the JS heap is next collected: at a million tracks the page's copies are in
/// wasm memory and the 220 MB it was sent would otherwise stay alive beside them for a while.
/// Where the browser lacks `transfer` (older Safari), the collector frees it as before.
fn release(b: &js_sys::ArrayBuffer) {
    if let Ok(f) = js_sys::Reflect::get(b, &"transfer".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(b, &0.into());
        }
    }
}

// Bindings to what web-sys would need extra features for (a feature change rebuilds web-sys
// and everything above it): the page's `Worker`, and the worker's global `postMessage`.
#[wasm_bindgen]
extern "C" {
    /// A dedicated worker, seen from the page.
    pub type Worker;

    #[wasm_bindgen(constructor, catch)]
    pub fn new(url: &str, options: &JsValue) -> Result<Worker, JsValue>;

    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub fn post_message(
        this: &Worker,
        msg: &JsValue,
        transfer: &js_sys::Array,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, setter)]
    pub fn set_onmessage(this: &Worker, f: &js_sys::Function);

    #[wasm_bindgen(method, setter)]
    pub fn set_onerror(this: &Worker, f: &js_sys::Function);

    #[wasm_bindgen(method)]
    pub fn terminate(this: &Worker);

    /// Inside the worker: post to the page.
    #[wasm_bindgen(catch, js_name = postMessage)]
    pub fn post_to_page(msg: &JsValue, transfer: &js_sys::Array) -> Result<(), JsValue>;

    /// The URL of the wasm-bindgen glue this module was loaded through (trunk's for the page,
    /// pkg/soundalike.js for the widget): the worker imports the same glue.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    pub static GLUE_URL: String;
}
