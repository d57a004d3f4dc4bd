//! Fetching with progress, timers and small browser helpers.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

pub fn js_err(v: JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

/// Yield to the event loop (a macrotask via setTimeout 0), so the page can paint and handle input.
pub async fn yield_now() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// GET `url` as bytes, reporting (received, total if known) as chunks arrive.
pub async fn fetch_bytes(
    url: &str,
    on_progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not fetch {url}: {}", js_err(e)))?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| "fetch gave no response".to_string())?;
    if !resp.ok() {
        return Err(format!(
            "{url} answered HTTP {} {}",
            resp.status(),
            resp.status_text()
        ));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<u64>().ok());
    let mut buf: Vec<u8> = Vec::with_capacity(total.unwrap_or(0) as usize);
    on_progress(0, total);
    let Some(body) = resp.body() else {
        return Ok(buf);
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
        let chunk = Uint8Array::new(&value);
        let start = buf.len();
        buf.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut buf[start..]);
        on_progress(buf.len() as u64, total);
    }
    Ok(buf)
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
