//! A CSV file dropped on the page: which of its tracks the catalog has (they become likes), which
//! it lacks but carry audio features (they are added to the catalog as the listener's own), and
//! which rows cannot be used, counted by reason with line numbers.
//!
//! The header and each row are read by `catalog::ingest::Layout`, the code `catalog build` uses,
//! so every layout the build reads is accepted here, plus Exportify's playlist exports (with and
//! without audio features). Whole-file problems (empty, not a CSV, unknown header) are an
//! [`ImportError`]; the [`Importer`] reads rows in slices so the page can yield between them.
//! Knows track ids and raw features, not the models, the ranking or the DOM.

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;
use std::path::Path;

use crate::catalog::ingest::{DropReason, Layout, Schema, SchemaError};
use crate::catalog::RawTrack;

/// Why a whole file cannot be imported. The messages are shown on the page as they are.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("this is {0}, not a CSV file")]
    NotCsv(&'static str),
    #[error("the CSV header cannot be read: {0}")]
    Header(csv::Error),
    #[error("{0}")]
    Layout(#[from] SchemaError),
    #[error("this file holds per-genre or per-year averages, not tracks")]
    Aggregate,
    #[error("the file has a header line but no rows")]
    NoRows,
}

/// What one file brought.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub schema: Schema,
    /// Data rows read (the header not counted).
    pub rows: usize,
    /// Rows with a usable track id seen for the first time in the file.
    pub tracks: usize,
    /// Catalog indices of the tracks the catalog already has, in file order (they become likes).
    pub found: Vec<usize>,
    /// Tracks the catalog lacks that carry valid audio features (to be added as the listener's).
    pub new: Vec<RawTrack>,
    /// Rows that cannot be used, by reason.
    pub unusable: BTreeMap<DropReason, usize>,
    /// The first few unusable rows, as "line N: message".
    pub examples: Vec<String>,
}

/// How many example problems a report keeps.
pub const MAX_EXAMPLES: usize = 5;

/// "3 rows without audio features", in the words of the import (not of `catalog build`).
pub fn describe(reason: DropReason, n: usize) -> String {
    let rows = if n == 1 { "row" } else { "rows" };
    let are = if n == 1 { "is" } else { "are" };
    let what = match reason {
        DropReason::Malformed => {
            return format!(
                "{n} {rows} that {are} not well-formed CSV (wrong number of fields or bad quoting)"
            )
        }
        DropReason::BadId => "whose track id is not a 22-character Spotify id",
        DropReason::MissingValue => "with an empty audio feature",
        DropReason::Unparseable => "with an audio feature that is not a number",
        DropReason::TempoOutlier => "with a tempo of 0 or above 300 BPM",
        DropReason::LoudnessOutlier => "with a loudness outside -60…5 dB",
        DropReason::OutOfRange => "with an audio feature outside 0…1",
        DropReason::Duplicate => "repeating a track id seen earlier in the file",
        DropReason::NoFeatures => "without audio features, for tracks the catalog lacks",
    };
    format!("{n} {rows} {what}")
}

impl ImportReport {
    pub fn unusable_rows(&self) -> usize {
        self.unusable.values().sum()
    }

    /// One line per reason, most frequent first.
    pub fn unusable_lines(&self) -> Vec<String> {
        let mut v: Vec<(DropReason, usize)> = self.unusable.iter().map(|(r, n)| (*r, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().map(|(r, n)| describe(r, n)).collect()
    }
}

/// What a file that is not text looks like, from its first bytes.
fn sniff(bytes: &[u8]) -> Result<(), ImportError> {
    const MAGIC: [(&[u8], &str); 8] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (
            b"PK\x03\x04",
            "a ZIP archive (Exportify's \"Export All\" zip: unpack it and drop the CSV files)",
        ),
        (b"\x1F\x8B", "a gzip archive"),
        (b"ID3", "an MP3 file"),
        (b"RIFF", "a RIFF (WAV/WebP/AVI) file"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(ImportError::NotCsv(kind));
    }
    let head = &bytes[..bytes.len().min(8192)];
    // text has no NUL and few control characters; a stray non-UTF-8 byte is only a bad row
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F)
        .count();
    if head.contains(&0) || control * 20 > head.len() {
        return Err(ImportError::NotCsv("a binary file"));
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(ImportError::Empty),
        Some(b'{') | Some(b'[') => Err(ImportError::NotCsv(
            "a JSON file (likes exported as JSON are imported under Your likes)",
        )),
        Some(b'<') => Err(ImportError::NotCsv("an HTML or XML file")),
        Some(_) => Ok(()),
    }
}

/// Reads one file's rows a slice at a time (see [`Importer::step`]).
pub struct Importer {
    rdr: csv::Reader<Cursor<Vec<u8>>>,
    layout: Layout,
    total: u64,
    seen: HashSet<String>,
    record: csv::StringRecord,
    report: ImportReport,
    done: bool,
}

impl Importer {
    /// Check the file and read its header.
    pub fn new(mut bytes: Vec<u8>) -> Result<Importer, ImportError> {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        if bytes.is_empty() {
            return Err(ImportError::Empty);
        }
        sniff(&bytes)?;
        let total = bytes.len() as u64;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(Cursor::new(bytes));
        let header = rdr.headers().map_err(ImportError::Header)?.clone();
        // the decade of a Hit Predictor file comes from its name, which a dropped file keeps
        // only in the page; without it the years stay unknown
        let layout =
            Layout::resolve(&header, Path::new("dropped.csv"))?.ok_or(ImportError::Aggregate)?;
        Ok(Importer {
            rdr,
            report: ImportReport {
                schema: layout.schema,
                rows: 0,
                tracks: 0,
                found: Vec::new(),
                new: Vec::new(),
                unusable: BTreeMap::new(),
                examples: Vec::new(),
            },
            layout,
            total,
            seen: HashSet::new(),
            record: csv::StringRecord::new(),
            done: false,
        })
    }

    /// The layout the header was recognised as.
    pub fn schema(&self) -> Schema {
        self.layout.schema
    }

    /// Whether the file's rows carry audio features.
    pub fn has_features(&self) -> bool {
        self.layout.has_features()
    }

    /// (bytes read, file size).
    pub fn progress(&self) -> (u64, u64) {
        (self.rdr.position().byte(), self.total)
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    fn unusable(&mut self, reason: DropReason, line: u64, message: &str) {
        *self.report.unusable.entry(reason).or_default() += 1;
        if self.report.examples.len() < MAX_EXAMPLES {
            self.report.examples.push(format!("line {line}: {message}"));
        }
    }

    /// Read up to `max_rows` rows; `in_catalog` gives a track id's catalog index. True once the
    /// file is read to its end.
    pub fn step(&mut self, max_rows: usize, in_catalog: impl Fn(&str) -> Option<usize>) -> bool {
        for _ in 0..max_rows {
            if self.done {
                break;
            }
            let line = self.rdr.position().line() + 1;
            match self.rdr.read_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    self.report.rows += 1;
                    let line = self.record.position().map_or(line, |p| p.line());
                    self.row(line, &in_catalog);
                }
                Err(e) => {
                    self.report.rows += 1;
                    let line = e.position().map_or(line, |p| p.line());
                    let io = matches!(e.kind(), csv::ErrorKind::Io(_));
                    self.unusable(DropReason::Malformed, line, &e.to_string());
                    if io {
                        self.done = true;
                    }
                }
            }
        }
        self.done
    }

    fn row(&mut self, line: u64, in_catalog: &impl Fn(&str) -> Option<usize>) {
        let parsed = match self.layout.parse(&self.record) {
            Ok(p) => p,
            Err(p) => return self.unusable(p.reason, line, &p.message),
        };
        if !self.seen.insert(parsed.track.id.clone()) {
            let msg = format!("track id {} repeats an earlier row", parsed.track.id);
            return self.unusable(DropReason::Duplicate, line, &msg);
        }
        self.report.tracks += 1;
        if let Some(i) = in_catalog(&parsed.track.id) {
            self.report.found.push(i);
            return;
        }
        match parsed.raw {
            Ok(raw) => self.report.new.push(RawTrack {
                track: parsed.track,
                raw,
            }),
            Err(p) => self.unusable(p.reason, line, &p.message),
        }
    }

    /// The report, once [`Importer::step`] said done (rows not yet read are not in it).
    pub fn finish(self) -> Result<ImportReport, ImportError> {
        if self.report.rows == 0 {
            return Err(ImportError::NoRows);
        }
        Ok(self.report)
    }
}

/// Read a whole file at once (the native tests and the CLI; the page steps an [`Importer`]).
pub fn import(
    bytes: Vec<u8>,
    in_catalog: impl Fn(&str) -> Option<usize>,
) -> Result<ImportReport, ImportError> {
    let mut imp = Importer::new(bytes)?;
    while !imp.step(4096, &in_catalog) {}
    imp.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_another_kind_are_named() {
        let e = |b: &[u8]| Importer::new(b.to_vec()).err().unwrap().to_string();
        assert_eq!(e(b""), "the file is empty");
        assert_eq!(e(b"\xEF\xBB\xBF  \n\n"), "the file is empty");
        assert_eq!(
            e(b"\x89PNG\r\n\x1a\n\0\0"),
            "this is a PNG image, not a CSV file"
        );
        assert!(e(b"{\"likes\":[]}").contains("a JSON file"));
        assert!(e(b"<!doctype html><p>x</p>").contains("HTML"));
        assert!(e(b"\x01\x02\x03\x04abc").contains("binary"));
        assert!(e(b"abc\0def").contains("binary"));
    }

    #[test]
    fn a_row_that_is_not_utf8_is_counted_not_fatal() {
        let text = b"Track URI,Track Name,Artist Name(s)\nspotify:track:5zr3QA7YeEEBY3ABp3e2zS,Caf\xe9,X\nspotify:track:5AjxvUlKsiC47wqaMl9Xvq,Ok,Y\n";
        let r = import(text.to_vec(), |_| Some(0)).unwrap();
        assert_eq!(r.rows, 2);
        assert_eq!(r.found.len(), 1);
        assert_eq!(r.unusable.get(&DropReason::Malformed), Some(&1));
        assert!(r.examples[0].starts_with("line 2:"), "{:?}", r.examples);
    }

    #[test]
    fn a_header_without_rows_is_an_error() {
        let e = import(b"Track URI,Track Name,Artist Name(s)\n".to_vec(), |_| None).unwrap_err();
        assert!(matches!(e, ImportError::NoRows), "{e}");
    }

    #[test]
    fn describe_counts_rows() {
        assert_eq!(
            describe(DropReason::NoFeatures, 3),
            "3 rows without audio features, for tracks the catalog lacks"
        );
        assert!(describe(DropReason::BadId, 1).starts_with("1 row whose"));
    }
}
