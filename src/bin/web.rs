//! The wasm entry of the page and the widget (one wasm for both). On native it is an empty main.
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
    soundalike::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
