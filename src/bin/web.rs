//! The wasm entry of the page, the widget and the engine worker (one wasm for all three). On native it is an empty main.
// talc instead of the default dlmalloc: the load allocates a few strings per track, and talc is
// faster at that and smaller in the wasm
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    // keep the widget's and the bench's exports linked in
    std::hint::black_box(soundalike::web::widget::mount as *const ());
    std::hint::black_box(soundalike::web::bench::bench_rank as *const ());
    std::hint::black_box(soundalike::web::bench::bench_encode as *const ());
    std::hint::black_box(soundalike::web::bench::bench_finetune as *const ());
    std::hint::black_box(soundalike::web::bench::bench_all as *const ());
    std::hint::black_box(soundalike::web::bench::track_ids as *const ());
    std::hint::black_box(soundalike::web::bench::finetune_fixture as *const ());
    // the engine worker's entry (www/engine-worker.js calls it)
    std::hint::black_box(soundalike::web::worker::handle as *const ());
    soundalike::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
