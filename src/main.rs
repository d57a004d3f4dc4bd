//! The `soundalike` command line (native only).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    soundalike::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
