//! The page's side of the engine worker: starts it once (`engine-worker.js`, next to the
//! wasm-bindgen glue, given the glue's URL and the compiled module so it neither downloads nor
//! compiles the wasm again), sends [`Request`]s and routes each [`Reply`] to the request it
//! answers. When this page cannot run the worker (a host's Content-Security-Policy forbids
//! workers, or it failed to start) the requests fail with [`NoWorker`] and callers run the same
//! work inline.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use wasm_bindgen::prelude::*;

use super::early;
use super::protocol::{Envelope, Reply, Request, Worker, GLUE_URL};

/// The worker script, beside the glue (trunk copies it to dist/, build-site.sh to pkg/).
const SCRIPT: &str = "engine-worker.js";

/// One reply with the buffers that came with it.
pub struct Answer {
    pub reply: Reply,
    pub bufs: Vec<js_sys::ArrayBuffer>,
}

/// The page has no engine worker (the reason, for the console); run the work inline.
#[derive(Debug, Clone)]
pub struct NoWorker(pub String);

struct Client {
    worker: Worker,
    next: Cell<u32>,
    pending: Rc<RefCell<HashMap<u32, UnboundedSender<Answer>>>>,
    _on_message: Closure<dyn FnMut(JsValue)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Rc<Client>>> = const { RefCell::new(None) };
    /// Set once the worker failed: later requests go inline at once.
    static DEAD: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The weights file the engine was built from: a fine-tune in the worker starts from its head.
    static WEIGHTS: RefCell<Option<Rc<Vec<u8>>>> = const { RefCell::new(None) };
}

/// Keep the weights file the page's engine was built from.
pub fn set_weights(w: Vec<u8>) {
    WEIGHTS.with(|s| *s.borrow_mut() = Some(Rc::new(w)));
}

/// The weights file the page's engine was built from, once loaded.
pub fn weights() -> Option<Rc<Vec<u8>>> {
    WEIGHTS.with(|s| s.borrow().clone())
}

fn console(msg: &str) {
    web_sys::console::warn_1(&format!("soundalike: {msg}; the engine runs on the page").into());
}

/// The worker is gone: every open request ends (its receiver closes) and the next ones go inline.
fn kill(reason: String, pending: &RefCell<HashMap<u32, UnboundedSender<Answer>>>) {
    console(&reason);
    DEAD.with(|d| *d.borrow_mut() = Some(reason));
    pending.borrow_mut().clear();
    if let Some(c) = CLIENT.with(|c| c.borrow_mut().take()) {
        c.worker.terminate();
    }
}

fn start() -> Result<Rc<Client>, NoWorker> {
    if let Some(why) = DEAD.with(|d| d.borrow().clone()) {
        return Err(NoWorker(why));
    }
    if let Some(c) = CLIENT.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let glue = GLUE_URL.with(String::clone);
    let url = web_sys::Url::new_with_base(SCRIPT, &glue)
        .map(|u| u.href())
        .map_err(|_| NoWorker(format!("no worker URL beside {glue}")))?;
    let dead = |why: String| {
        console(&why);
        DEAD.with(|d| *d.borrow_mut() = Some(why.clone()));
        NoWorker(why)
    };
    // the one early.js started while the wasm loaded, else a new one
    let worker = match early::worker(&url) {
        Some(Ok(w)) => w,
        Some(Err(why)) => return Err(dead(format!("the engine worker failed: {why}"))),
        None => {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"type".into(), &"module".into());
            Worker::new(&url, &opts)
                .map_err(|e| dead(format!("the engine worker is not allowed here ({e:?})")))?
        }
    };
    let pending: Rc<RefCell<HashMap<u32, UnboundedSender<Answer>>>> = Rc::default();
    let p = pending.clone();
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let data = js_sys::Reflect::get(&ev, &"data".into()).unwrap_or(JsValue::UNDEFINED);
        if let Some(f) = js_sys::Reflect::get(&data, &"fatal".into())
            .ok()
            .and_then(|f| f.as_string())
        {
            return kill(f, &p);
        }
        let env = match Envelope::<Reply>::from_js(&data) {
            Ok(env) => env,
            Err(e) => return console(&format!("the engine worker sent {e}")),
        };
        let ends = env.msg.ends();
        let mut pending = p.borrow_mut();
        if let Some(tx) = pending.get(&env.id) {
            let _ = tx.unbounded_send(Answer {
                reply: env.msg,
                bufs: env.bufs,
            });
        }
        if ends {
            pending.remove(&env.id);
        }
    });
    let p = pending.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let msg = js_sys::Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "it could not start".into());
        kill(format!("the engine worker failed: {msg}"), &p);
    });
    worker.set_onmessage(on_message.as_ref().unchecked_ref());
    worker.set_onerror(on_error.as_ref().unchecked_ref());
    let init = js_sys::Object::new();
    let inner = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&inner, &"glue".into(), &glue.into());
    let _ = js_sys::Reflect::set(&inner, &"module".into(), &wasm_bindgen::module());
    let _ = js_sys::Reflect::set(&init, &"init".into(), &inner);
    worker
        .post_message(&init, &js_sys::Array::new())
        .map_err(|e| NoWorker(format!("the engine worker could not be reached ({e:?})")))?;
    let c = Rc::new(Client {
        worker,
        next: Cell::new(1),
        pending,
        _on_message: on_message,
        _on_error: on_error,
    });
    CLIENT.with(|s| *s.borrow_mut() = Some(c.clone()));
    Ok(c)
}

/// Start the worker now (it takes a while), before there is a request for it.
pub fn boot() -> Result<(), NoWorker> {
    start().map(|_| ())
}

/// Send `req`, which gets no reply of its own.
pub fn notify(req: Request) -> Result<(), NoWorker> {
    post(&*start()?, 0, req, Vec::new())
}

/// Post one envelope to the worker, `bufs` transferred.
fn post(c: &Client, id: u32, msg: Request, bufs: Vec<js_sys::ArrayBuffer>) -> Result<(), NoWorker> {
    let (v, transfer) = Envelope { id, msg, bufs }.to_js().map_err(NoWorker)?;
    c.worker
        .post_message(&v, &transfer)
        .map_err(|e| NoWorker(format!("the engine worker could not be reached ({e:?})")))
}

/// Send `req` with `bufs` (transferred: they are empty on this side afterwards). The receiver
/// yields its replies up to the one that ends it; it closes early only when the worker died.
pub fn request(
    req: Request,
    bufs: Vec<js_sys::ArrayBuffer>,
) -> Result<UnboundedReceiver<Answer>, NoWorker> {
    let c = start()?;
    let id = c.next.get();
    c.next.set(id.wrapping_add(1).max(1));
    let (tx, rx) = unbounded();
    c.pending.borrow_mut().insert(id, tx);
    post(&c, id, req, bufs)?;
    Ok(rx)
}
