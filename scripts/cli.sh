# Sourced by the test scripts: `soundalike ARGS...` runs the soundalike CLI exactly as `cargo test`
# builds it (dev profile, dependencies optimised, the tests' feature set). `cargo run` would build
# the dependency tree a second time: the dev-dependencies (proptest) switch on features (std,
# default) of crates that burn depends on, so the test and the non-test builds differ.
soundalike() {
  # builds the lib, the CLI binary and one test; a no-op when `cargo test` already ran
  cargo test --quiet --no-run --test models
  local dir
  dir=$(cargo metadata --format-version 1 --no-deps --offline |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  "$dir/debug/soundalike" "$@"
}
