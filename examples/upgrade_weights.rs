//! Convert a version-2 weights file (burnpack records) to version 3 (named f32 tensors), value
//! for value: `cargo run --example upgrade_weights -- IN OUT`. How `www/weights.bin` and
//! `out/weights-paper.bin` were converted; `soundalike train` writes version 3 itself.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to] = args.as_slice() else {
        return Err("usage: upgrade_weights IN OUT".into());
    };
    let v3 = soundalike::model::weights_v2::upgrade(&std::fs::read(from)?)?;
    soundalike::model::Weights::from_bytes(&v3)?;
    std::fs::write(to, &v3)?;
    eprintln!("{from} → {to}: {} bytes", v3.len());
    Ok(())
}

#[cfg(target_arch = "wasm32")]
fn main() {}
