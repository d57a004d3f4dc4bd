//! Progress bars for long work (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// A byte-counting bar for reading files.
pub fn bytes(total: u64, message: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg:30!} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .expect("template")
            .progress_chars("=> "),
    );
    pb.set_message(message.into());
    pb
}

/// A step-counting bar (epochs, queries, playlists).
pub fn steps(total: u64, message: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg:30!} [{bar:30}] {pos}/{len} {per_sec} ({eta})")
            .expect("template")
            .progress_chars("=> "),
    );
    pb.set_message(message.into());
    pb
}
