//! Text for display, shared by the page and the widget: track names and meta lines, feature
//! names, values in their natural units, byte counts. No views, no signals.
//!
//! The `track_*` and `display_value` helpers read the page's engine through `slot`; the widget,
//! which has engines of its own, uses the pure functions on a `Track` or a `Scaler`.

use super::slot::with_engine;
use crate::catalog::features::{Scaler, FEATURE_NAMES};
use crate::catalog::Track;

/// "genre · year", leaving out what is unknown.
pub fn meta(t: &Track) -> String {
    let mut s = String::new();
    if !t.genre.is_empty() {
        s.push_str(&t.genre);
    }
    if let Some(y) = t.year_label() {
        if !s.is_empty() {
            s.push_str(" · ");
        }
        s.push_str(&y);
    }
    s
}

/// (title, artist) of track `i` of the page's catalog; empty strings when unknown.
pub fn track_name(i: usize) -> (String, String) {
    with_engine(|e| {
        e.catalog()
            .tracks
            .get(i)
            .map(|t| (t.name.clone(), t.artist.to_string()))
    })
    .flatten()
    .unwrap_or_default()
}

/// The Spotify id of track `i` of the page's catalog; empty when unknown.
pub fn track_id(i: usize) -> String {
    with_engine(|e| e.catalog().tracks.get(i).map(|t| t.id.clone()))
        .flatten()
        .unwrap_or_default()
}

/// The meta line (see [`meta`]) of track `i` of the page's catalog, "yours · " first for the
/// listener's own tracks.
pub fn track_meta(i: usize) -> String {
    with_engine(|e| {
        e.catalog().tracks.get(i).map(|t| {
            // the listener's own tracks say so wherever they are listed
            if e.is_yours(i) {
                let m = meta(t);
                if m.is_empty() {
                    "yours".to_string()
                } else {
                    format!("yours · {m}")
                }
            } else {
                meta(t)
            }
        })
    })
    .flatten()
    .unwrap_or_default()
}

/// A feature name for people: `energy_loudness` → "energy loudness".
pub fn pretty_feature(i: usize) -> String {
    FEATURE_NAMES[i].replace('_', " ")
}

/// A scaled value of feature `i` in the feature's natural unit (tempo in BPM, loudness in dB).
pub fn value_in_units(scaler: &Scaler, i: usize, v: f32) -> String {
    let raw = scaler.min[i] + v * (scaler.max[i] - scaler.min[i]);
    unit_text(i, v, raw)
}

/// [`value_in_units`] with the page's catalog scaler (the scaled value itself before loading).
pub fn display_value(i: usize, v: f32) -> String {
    with_engine(|e| value_in_units(&e.catalog().scaler, i, v)).unwrap_or_else(|| unit_text(i, v, v))
}

fn unit_text(i: usize, scaled: f32, raw: f32) -> String {
    match FEATURE_NAMES[i] {
        "tempo" => format!("{raw:.0} BPM"),
        "loudness" => format!("{raw:.1} dB"),
        _ => format!("{scaled:.2}"),
    }
}

/// "1.5 MB" from 1 MiB up, else "12 KB".
pub fn human_bytes(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MB", b as f64 / 1048576.0)
    } else {
        format!("{:.0} KB", b as f64 / 1024.0)
    }
}
