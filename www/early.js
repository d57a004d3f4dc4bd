// soundalike: what starts before the wasm has loaded. The engine worker and the downloads of the
// page's own catalog and model weights began the longest chain of a load: the page could start
// them only once its wasm was running. This starts them at once; the Rust side adopts each only
// if it is what it would have started itself (the same URL), and checks the downloads as it
// checks any download.
(() => {
  const app = document.getElementById("soundalike-app");
  // a `?catalog=` address is the Rust side's to validate before anything is fetched
  if (!app || new URLSearchParams(location.search).has("catalog")) return;
  const here = document.currentScript ? document.currentScript.src : location.href;
  const early = {};
  try {
    // the worker beside this script (as beside the wasm-bindgen glue); its start-up errors are
    // kept for the page, which listens only once it adopts the worker
    const url = new URL("engine-worker.js", here).href;
    const worker = new Worker(url, { type: "module" });
    const w = { url, worker, failed: null };
    worker.onerror = (e) => { w.failed = (e && e.message) || "it could not start"; };
    early.worker = w;
  } catch (e) {
    // no workers here (a Content-Security-Policy): the page finds out itself
  }
  const start = (name) => {
    const url = new URL(name, location.href).href;
    const result = (async () => {
      try {
        const resp = await fetch(url);
        const head = { status: resp.status, statusText: resp.statusText, chunks: [] };
        if (resp.headers.has("content-length")) head.total = Number(resp.headers.get("content-length"));
        if (!resp.ok || !resp.body) return head;
        const reader = resp.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return head;
          head.chunks.push(value);
        }
      } catch (e) {
        return { error: String(e) };
      }
    })();
    return { url, result };
  };
  early.weights = start(app.dataset.weights || "weights.bin");
  early.catalog = start(app.dataset.catalog || "catalog.bin");
  window.__soundalikeEarly = early;
})();
