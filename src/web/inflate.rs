//! The catalog inflated by the browser (`DecompressionStream("deflate")`), chunk by chunk as it
//! downloads: the container (header, length, checksum) is checked by `catalog::format::Container`
//! here, the zlib payload is inflated natively by the browser, so the wasm carries no decoder.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::load::{js_err, Chunk};
use crate::catalog::format::{decode_raw, Container, FormatError};
use crate::catalog::Catalog;

#[wasm_bindgen]
extern "C" {
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> web_sys::ReadableStream;

    type WritableStream;
    #[wasm_bindgen(method, js_name = getWriter)]
    fn get_writer(this: &WritableStream) -> StreamWriter;

    type StreamWriter;
    #[wasm_bindgen(method)]
    fn write(this: &StreamWriter, chunk: &Uint8Array) -> Promise;
    #[wasm_bindgen(method)]
    fn close(this: &StreamWriter) -> Promise;
}

/// A catalog file being inflated as it arrives: [`push`](Self::push) each chunk, then
/// [`finish`](Self::finish).
pub struct Inflating {
    container: Container,
    writer: StreamWriter,
    /// The whole inflated payload, collected by the browser.
    out: Promise,
}

thread_local! {
    /// Swallows the writes' rejections: a corrupt stream fails every later write, and the one
    /// error that counts comes out of `out` (or the container's checks before it). One for the
    /// thread's life, so a rejection settling after `finish` never calls a dropped closure.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

fn ignore_rejection(p: Promise) {
    IGNORE.with(|f| {
        let _ = p.catch(f);
    });
}

impl Inflating {
    /// Fails only where the browser has no `DecompressionStream` (every current one has it).
    pub fn new() -> Result<Inflating, FormatError> {
        let stream = DecompressionStream::new("deflate").map_err(|e| {
            FormatError::Decompress(format!(
                "this browser cannot inflate it (no DecompressionStream: {})",
                js_err(e)
            ))
        })?;
        let writer = stream.writable().get_writer();
        let response = web_sys::Response::new_with_opt_readable_stream(Some(&stream.readable()))
            .map_err(|e| FormatError::Decompress(js_err(e)))?;
        let out = response
            .array_buffer()
            .map_err(|e| FormatError::Decompress(js_err(e)))?;
        // `finish` reads the outcome; until then a corrupt stream's rejection ("Failed to
        // fetch") would be reported as unhandled (a page error) whenever it came before the end
        // of the download, or when the load stopped early (weights missing, catalog 404)
        ignore_rejection(out.clone());
        Ok(Inflating {
            container: Container::new(),
            writer,
            out,
        })
    }

    /// Feed the next bytes of the file (never fails: errors come out of `finish`).
    pub fn push(&mut self, chunk: Chunk<'_>) {
        let payload = self.container.push(chunk.bytes);
        if !payload.is_empty() {
            // the payload is a slice of the chunk: the inflater reads a view of the browser's
            // own array, not a copy
            let at = payload.as_ptr() as usize - chunk.bytes.as_ptr() as usize;
            let view = chunk.js.subarray(at as u32, (at + payload.len()) as u32);
            ignore_rejection(self.writer.write(&view));
        }
    }

    /// The inflated payload, checked against the header (length, checksum, end of stream).
    pub async fn finish(self) -> Result<Vec<u8>, FormatError> {
        Ok(self.finish_both().await?.0)
    }

    /// [`finish`](Self::finish), with the browser's buffer of the same bytes (to transfer on
    /// without copying them out of wasm memory again).
    pub async fn finish_both(self) -> Result<(Vec<u8>, js_sys::ArrayBuffer), FormatError> {
        ignore_rejection(self.writer.close());
        let (inflated, buf) = match JsFuture::from(self.out).await {
            Ok(buf) => (Ok(Uint8Array::new(&buf).to_vec()), buf.unchecked_into()),
            Err(e) => (
                Err(format!("invalid zlib data ({})", js_err(e))),
                js_sys::ArrayBuffer::new(0),
            ),
        };
        Ok((self.container.finish(inflated)?, buf))
    }
}

/// A whole catalog file decoded: inflated by the browser, then parsed.
pub async fn decode(bytes: &[u8]) -> Result<Catalog, FormatError> {
    let mut inflating = Inflating::new()?;
    inflating.push(Chunk {
        bytes,
        js: &Uint8Array::from(bytes),
    });
    decode_raw(inflating.finish().await?)
}
