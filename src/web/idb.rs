//! IndexedDB, for what is too big for localStorage (the listener's own tracks, megabytes for
//! thousands of tracks): one object store of strings by key, behind three async calls. web-sys
//! directly: three calls do not need a wrapper crate.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use super::load::js_err;

const DB: &str = "soundalike";
const STORE: &str = "yours";

/// A promise settled by a request's success (with its result) or error.
fn request_done(req: &IdbRequest) -> js_sys::Promise {
    let req = req.clone();
    js_sys::Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let bad = Closure::once_into_js(move |_: web_sys::Event| {
            let e = r
                .error()
                .ok()
                .flatten()
                .map(|e| JsValue::from_str(&e.message()))
                .unwrap_or_else(|| JsValue::from_str("IndexedDB request failed"));
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(bad.unchecked_ref()));
    })
}

/// A promise settled when a transaction has committed (so a reload right after sees the data).
fn committed(tx: &IdbTransaction) -> js_sys::Promise {
    let tx = tx.clone();
    js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let bad = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("IndexedDB write failed"));
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onerror(Some(bad.unchecked_ref()));
    })
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(js_err)?
        .ok_or("IndexedDB is unavailable in this browser")?;
    let req = factory.open_with_u32(DB, 1).map_err(js_err)?;
    let r = req.clone();
    let upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = r.result() {
            let db: IdbDatabase = db.unchecked_into();
            let _ = db.create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = JsFuture::from(request_done(&req)).await.map_err(js_err)?;
    Ok(db.unchecked_into())
}

/// The string stored under `key`, if any.
pub async fn get(key: &str) -> Result<Option<String>, String> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE).map_err(js_err)?;
    let store = tx.object_store(STORE).map_err(js_err)?;
    let req = store.get(&JsValue::from_str(key)).map_err(js_err)?;
    let v = JsFuture::from(request_done(&req)).await.map_err(js_err);
    db.close();
    Ok(v?.as_string())
}

/// Store `value` under `key` (`None` deletes it); resolves once committed.
pub async fn put(key: &str, value: Option<&str>) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .map_err(js_err)?;
    let store = tx.object_store(STORE).map_err(js_err)?;
    let done = committed(&tx);
    let k = JsValue::from_str(key);
    match value {
        Some(v) => store.put_with_key(&JsValue::from_str(v), &k),
        None => store.delete(&k),
    }
    .map_err(js_err)?;
    let r = JsFuture::from(done).await.map_err(js_err);
    db.close();
    r.map(|_| ())
}
