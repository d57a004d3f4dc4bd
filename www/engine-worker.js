// soundalike's engine worker (a module worker, same origin as the page): the first message names
// the wasm-bindgen glue and carries the compiled wasm module, so this worker runs the page's own
// wasm without downloading or compiling it again. Every later message goes to the Rust side
// (src/web/worker.rs); messages that arrive while it starts wait their turn, in order.
let engine = null;
const waiting = [];

self.onmessage = async ({ data }) => {
  if (data && data.init) {
    try {
      const glue = await import(data.init.glue);
      await glue.default({ module_or_path: data.init.module });
      engine = glue;
      for (const m of waiting.splice(0)) engine.engineWorkerHandle(m);
    } catch (e) {
      // the page runs the engine itself from here on
      self.postMessage({ fatal: `the engine worker could not start: ${e}` });
    }
    return;
  }
  if (engine) engine.engineWorkerHandle(data);
  else waiting.push(data);
};
