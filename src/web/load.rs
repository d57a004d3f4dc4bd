//! Fetching with progress, timers and small browser helpers.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::protocol::Fetched;

#[wasm_bindgen]
extern "C" {
    // the globals, as both the page (`window`) and the engine worker (a worker scope) have them
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = performance, js_name = mark, catch)]
    fn performance_mark(name: &str) -> Result<JsValue, JsValue>;
}

/// ms since the time origin, on the page and in the engine worker alike.
pub fn now() -> f64 {
    performance_now()
}

/// A User Timing mark (`soundalike:` + `what`): the load's milestones, on the page and in the engine
/// worker, for the bench and for DevTools' performance panel.
pub fn mark(what: &str) {
    let _ = performance_mark(&format!("soundalike:{what}"));
}

pub fn js_err(v: JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

#[wasm_bindgen]
extern "C" {
    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> MessagePort;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> MessagePort;
    type MessagePort;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &MessagePort, f: &js_sys::Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &MessagePort, v: &JsValue);
}

/// Yield to the event loop (a macrotask), so the page can paint and handle input. A message to
/// itself, not `setTimeout(0)`: nested timers are clamped to 4 ms, which a load of a few dozen
/// slices paid on every slice.
pub async fn yield_now() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let ch = MessageChannel::new();
        ch.port1().set_onmessage(&resolve);
        ch.port2().post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(p).await;
}

/// Once the browser has drawn the next frame (a frame callback, then a task after it), so that
/// work started then does not share the machine with showing what the page just changed. Never
/// in a hidden tab, which draws no frames: what waits here is not needed there.
pub async fn after_next_frame() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            if w.request_animation_frame(&resolve).is_ok() {
                return;
            }
        }
        let _ = resolve.call0(&JsValue::NULL);
    });
    let _ = JsFuture::from(p).await;
    yield_now().await;
}

/// Rows or tracks per step, and the time spent in steps before yielding to the browser: tasks
/// stay short on a slow phone as on a fast desktop.
const STEP: usize = 1024;
const SLICE_MS: f64 = 12.0;

/// Run `step` (which does up to n rows or tracks, true once all are done) in tasks of about
/// `SLICE_MS`, yielding to the browser between them, whatever the machine's speed.
pub async fn in_slices(mut step: impl FnMut(usize) -> Result<bool, String>) -> Result<(), String> {
    loop {
        yield_now().await;
        let t0 = now();
        while now() - t0 < SLICE_MS {
            if step(STEP)? {
                return Ok(());
            }
        }
    }
}

/// GET `url` as bytes, reporting (received, total if known) as chunks arrive.
pub async fn fetch_bytes(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let mut buf: Vec<u8> = Vec::new();
    fetch_stream(url, collect(&mut buf, on_progress)).await?;
    Ok(buf)
}

/// [`fetch_bytes`] of `url`, or the page's download of it when it `fetched` it already.
pub async fn fetch_or_replay(
    url: &str,
    fetched: Option<(&Fetched, &[js_sys::ArrayBuffer])>,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let mut buf: Vec<u8> = Vec::new();
    stream_or_replay(url, fetched, collect(&mut buf, on_progress)).await?;
    Ok(buf)
}

/// [`fetch_stream`] of `url`, or [`replay_stream`] of the page's download of it when it
/// `fetched` it already (its chunks beside it).
pub async fn stream_or_replay(
    url: &str,
    fetched: Option<(&Fetched, &[js_sys::ArrayBuffer])>,
    on_chunk: impl FnMut(Chunk<'_>, u64, Option<u64>),
) -> Result<(), String> {
    match fetched {
        Some((f, chunks)) => replay_stream(url, f, chunks, on_chunk),
        None => fetch_stream(url, on_chunk).await,
    }
}

/// A chunk handler that appends every chunk to `buf`.
fn collect<'b>(
    buf: &'b mut Vec<u8>,
    on_progress: impl Fn(u64, Option<u64>) + 'b,
) -> impl FnMut(Chunk<'_>, u64, Option<u64>) + 'b {
    move |chunk, got, total| {
        if buf.is_empty() {
            buf.reserve(total.unwrap_or(0) as usize);
        }
        buf.extend_from_slice(chunk.bytes);
        on_progress(got, total);
    }
}

/// One chunk of a download: its bytes copied into wasm memory, and the browser's own array
/// (a consumer that hands the bytes back to the browser, such as the inflater, passes a view of
/// it rather than copying them out again).
pub struct Chunk<'a> {
    pub bytes: &'a [u8],
    pub js: &'a Uint8Array,
}

/// GET `url` and hand each chunk to `on_chunk(chunk, received so far, total if known)` as it
/// arrives (once with an empty chunk first), so a caller can decode while the rest downloads.
/// Works on the page and in the engine worker (no `window` there).
pub async fn fetch_stream(
    url: &str,
    on_chunk: impl FnMut(Chunk<'_>, u64, Option<u64>),
) -> Result<(), String> {
    let promise = global_fetch(url);
    let resp = JsFuture::from(promise)
        .await
        .map_err(|e| format!("could not fetch {url}: {}", js_err(e)))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| "fetch gave no response".to_string())?;
    if !resp.ok() {
        return Err(http_error(url, resp.status(), &resp.status_text()));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<u64>().ok());
    let mut feed = Feed::start(on_chunk, total);
    let Some(body) = resp.body() else {
        return Ok(());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "no stream reader".to_string())?;
    loop {
        let r = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("download of {url} failed: {}", js_err(e)))?;
        let done = Reflect::get(&r, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&r, &JsValue::from_str("value")).map_err(js_err)?;
        // a byte stream's chunks are Uint8Arrays (`Uint8Array::new` would copy it)
        let arr: Uint8Array = value
            .dyn_into()
            .map_err(|_| format!("download of {url} gave a chunk that is not bytes"))?;
        feed.push(&arr);
    }
    Ok(())
}

/// Hands a download's chunks to a chunk handler: each copied into wasm memory (one buffer,
/// reused), with the bytes received so far and the total if known; once with no bytes first.
struct Feed<F> {
    on_chunk: F,
    bytes: Vec<u8>,
    got: u64,
    total: Option<u64>,
}

impl<F: FnMut(Chunk<'_>, u64, Option<u64>)> Feed<F> {
    fn start(mut on_chunk: F, total: Option<u64>) -> Feed<F> {
        let none = Chunk {
            bytes: &[],
            js: &Uint8Array::new_with_length(0),
        };
        on_chunk(none, 0, total);
        Feed {
            on_chunk,
            bytes: Vec::new(),
            got: 0,
            total,
        }
    }

    fn push(&mut self, js: &Uint8Array) {
        self.bytes.resize(js.length() as usize, 0);
        js.copy_to(&mut self.bytes);
        self.got += self.bytes.len() as u64;
        let chunk = Chunk {
            bytes: &self.bytes,
            js,
        };
        (self.on_chunk)(chunk, self.got, self.total);
    }
}

/// The error of a download the server refused (callers look for "answered HTTP 404").
fn http_error(url: &str, status: u16, text: &str) -> String {
    format!("{url} answered HTTP {status} {text}")
}

/// [`fetch_stream`] over a download that already happened (the page's early one: how it ended,
/// and its chunks), handed to `on_chunk` as [`fetch_stream`] would.
fn replay_stream(
    url: &str,
    fetched: &Fetched,
    chunks: &[js_sys::ArrayBuffer],
    on_chunk: impl FnMut(Chunk<'_>, u64, Option<u64>),
) -> Result<(), String> {
    if !(200..300).contains(&fetched.status) {
        return Err(http_error(url, fetched.status, &fetched.status_text));
    }
    let mut feed = Feed::start(on_chunk, fetched.total);
    for b in chunks {
        feed.push(&Uint8Array::new(b));
    }
    Ok(())
}

/// Offer `text` as a download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    offer(name, mime, &js_sys::Array::of1(&JsValue::from_str(text)))
}

/// Offer `bytes` as a download named `name` (a binary file such as a saved model).
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    offer(
        name,
        mime,
        &js_sys::Array::of1(&js_sys::Uint8Array::from(bytes)),
    )
}

fn offer(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), String> {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob =
        web_sys::Blob::new_with_buffer_source_sequence_and_options(parts, &opts).map_err(js_err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_err)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "no anchor")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
