//! Reading Spotify audio-feature CSVs: schema detection from the header, row → track, cleaning
//! with every dropped row counted by file and reason, and merging by track id.
//!
//! The header and row parsing (`detect_schema`, [`Layout`], [`read_tracks_from`]) compiles for
//! wasm too: the page's CSV import (`listener::import`) reads files with the same code as
//! `catalog build`. Walking directories and building a catalog from files is native only.
//!
//! Invariant: no row disappears silently. Each row read is either kept, merged into an earlier
//! row of the same track, or counted under a [`DropReason`] (with the first few examples kept,
//! naming file and line).

use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::features::{idx, RawFeatures, BASE_FEATURES, N_BASE, RAW_RANGES};
use super::format::id_to_u128;
#[cfg(not(target_arch = "wasm32"))]
use super::interactions::{Interactions, Playlist};
use super::Track;
#[cfg(not(target_arch = "wasm32"))]
use super::{Catalog, RawTrack};

/// The CSV layouts we understand, recognised by their header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Schema {
    /// TidyTuesday 2020-01-21 `spotify_songs.csv` (`track_id`, `playlist_id`, …).
    TidyTuesday,
    /// Kaggle "Spotify Hit Predictor" `dataset-of-XXs.csv` (`uri` = `spotify:track:<id>`).
    HitPredictor,
    /// Kaggle "Spotify Dataset 1921–2020" `data.csv` (`id`, `artists`, `year`, …).
    Kaggle160k,
    /// Kaggle "600k+ tracks" `tracks.csv` (`id`, `id_artists`, `release_date`, …).
    Kaggle600k,
    /// HF/Kaggle "Spotify Tracks Dataset" `dataset.csv` (`track_id`, `track_genre`, …).
    SpotifyTracks,
    /// Exportify's playlist export with audio features ("Spotify ID", "Artist IDs", "Track Name",
    /// …, "Danceability", …, "Time Signature").
    Exportify,
    /// Exportify's original playlist export keyed by "Track URI" (`spotify:track:<id>`); its
    /// audio-feature columns ("Danceability", …) may be absent.
    ExportifyUri,
}

impl Schema {
    pub fn name(self) -> &'static str {
        match self {
            Schema::TidyTuesday => "TidyTuesday spotify_songs",
            Schema::HitPredictor => "Spotify Hit Predictor",
            Schema::Kaggle160k => "Kaggle Spotify 1921-2020 data.csv",
            Schema::Kaggle600k => "Kaggle 600k tracks.csv",
            Schema::SpotifyTracks => "Spotify Tracks Dataset",
            Schema::Exportify => "Exportify playlist export",
            Schema::ExportifyUri => "Exportify playlist export (Track URI)",
        }
    }

    /// (id, title, artist) columns; the base feature columns share their names in every layout.
    fn columns(self) -> [&'static str; 3] {
        match self {
            Schema::TidyTuesday => ["track_id", "track_name", "track_artist"],
            Schema::HitPredictor => ["uri", "track", "artist"],
            Schema::Kaggle160k => ["id", "name", "artists"],
            Schema::Kaggle600k => ["id", "name", "artists"],
            Schema::SpotifyTracks => ["track_id", "track_name", "artists"],
            Schema::Exportify => ["Spotify ID", "Track Name", "Artist Name(s)"],
            Schema::ExportifyUri => ["Track URI", "Track Name", "Artist Name(s)"],
        }
    }

    /// Exportify files may come without audio features (their rows can then only match tracks
    /// already in a catalog); every other layout must have all nine.
    pub fn features_optional(self) -> bool {
        matches!(self, Schema::Exportify | Schema::ExportifyUri)
    }
}

/// What a header turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    Tracks(Schema),
    /// A per-genre or per-year aggregate file (Kaggle `data_by_genres.csv`): no track ids, skipped.
    Aggregate,
}

const LAYOUTS_EXPECTED: &str = "TidyTuesday (track_id, playlist_id, …), Hit Predictor (uri, track, artist, …), \
Kaggle 1921-2020 data.csv (id, artists, year, …), Kaggle 600k tracks.csv (id, id_artists, release_date, …), \
Spotify Tracks Dataset (track_id, track_genre, …), Exportify (\"Spotify ID\" or \"Track URI\", \"Track Name\", \"Artist Name(s)\", …); each with the 9 audio features danceability, energy, loudness, \
speechiness, acousticness, instrumentalness, liveness, valence, tempo";

/// Why a CSV header was not recognised. The messages name the columns, so a person can fix the
/// file (the path is added by [`IngestError::Schema`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The header matches a known layout but lacks some of its columns.
    #[error("header looks like {} but lacks the column(s) {}", .schema.name(), .missing.join(", "))]
    MissingColumns {
        schema: Schema,
        missing: Vec<String>,
    },
    /// No known layout matches.
    #[error("unknown CSV layout. Columns found: {}. Expected one of: {LAYOUTS_EXPECTED}", .found.join(", "))]
    UnknownLayout { found: Vec<String> },
}

/// Recognise a header. A header that matches no layout, or a layout without all of its id,
/// title, artist and feature columns, is an error naming what is missing.
pub fn detect_schema(header: &[&str]) -> Result<Detected, SchemaError> {
    let has = |c: &str| header.iter().any(|h| h.trim() == c);
    // Exportify capitalises the feature names ("Danceability")
    let has_feature = |c: &str| header.iter().any(|h| h.trim().eq_ignore_ascii_case(c));
    let missing_feats: Vec<&str> = BASE_FEATURES
        .iter()
        .copied()
        .filter(|f| !has_feature(f))
        .collect();
    let schema = if has("Spotify ID") && has("Track Name") {
        Some(Schema::Exportify)
    } else if has("Track URI") {
        Some(Schema::ExportifyUri)
    } else if has("id_artists") && has("id") {
        Some(Schema::Kaggle600k)
    } else if has("track_genre") && has("track_id") {
        Some(Schema::SpotifyTracks)
    } else if has("track_id") && has("track_name") && has("track_artist") {
        Some(Schema::TidyTuesday)
    } else if has("uri") && has("track") && has("artist") {
        Some(Schema::HitPredictor)
    } else if has("id") && has("artists") && has("year") {
        Some(Schema::Kaggle160k)
    } else {
        None
    };
    match schema {
        Some(s) => {
            // a file without any feature column is fine where features are optional; one with
            // some of them lacks the others
            let feats = if s.features_optional() && missing_feats.len() == BASE_FEATURES.len() {
                Vec::new()
            } else {
                missing_feats
            };
            let missing: Vec<String> = s
                .columns()
                .into_iter()
                .filter(|c| !has(c))
                .chain(feats)
                .map(String::from)
                .collect();
            if missing.is_empty() {
                Ok(Detected::Tracks(s))
            } else {
                Err(SchemaError::MissingColumns { schema: s, missing })
            }
        }
        None if missing_feats.is_empty() && (has("genres") || has("year") || has("artists")) => {
            Ok(Detected::Aggregate)
        }
        None => Err(SchemaError::UnknownLayout {
            found: header.iter().map(|h| h.to_string()).collect(),
        }),
    }
}

/// Why a row was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DropReason {
    /// The CSV row itself is broken (wrong number of fields, bad UTF-8 or quoting).
    Malformed,
    /// The track id is missing or is not a 22-character base62 Spotify id.
    BadId,
    /// A feature value is empty.
    MissingValue,
    /// A feature value is not a number.
    Unparseable,
    /// Tempo above 300 BPM or 0 (no beat detected).
    TempoOutlier,
    /// Loudness outside [-60, 5] dB.
    LoudnessOutlier,
    /// A unit feature (danceability, energy, …) outside [0, 1].
    OutOfRange,
    /// The same track id appeared in an earlier row: merged into it (its playlist is kept).
    Duplicate,
    /// An Exportify row (or file) without audio features.
    NoFeatures,
}

impl DropReason {
    pub fn label(self) -> &'static str {
        match self {
            DropReason::Malformed => "malformed row",
            DropReason::BadId => "bad track id",
            DropReason::MissingValue => "missing value",
            DropReason::Unparseable => "unparseable value",
            DropReason::TempoOutlier => "tempo outlier (0 or >300 BPM)",
            DropReason::LoudnessOutlier => "loudness outside [-60, 5] dB",
            DropReason::OutOfRange => "unit feature outside [0, 1]",
            DropReason::Duplicate => "duplicate track (merged)",
            DropReason::NoFeatures => "no audio features",
        }
    }
}

/// Per-file counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub schema: Option<Schema>,
    /// Set when the file was skipped entirely (aggregate file), with the reason.
    pub skipped: Option<String>,
    pub rows: usize,
    pub kept: usize,
    pub dropped: BTreeMap<DropReason, usize>,
    /// The first few problems, as "file:line: message".
    pub examples: Vec<String>,
}

/// Everything `build_catalog` did, for printing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub files: Vec<FileReport>,
    pub tracks: usize,
    pub playlists: usize,
    pub interactions: usize,
}

impl BuildReport {
    pub fn rows(&self) -> usize {
        self.files.iter().map(|f| f.rows).sum()
    }
    pub fn dropped(&self, reason: DropReason) -> usize {
        self.files
            .iter()
            .map(|f| f.dropped.get(&reason).copied().unwrap_or(0))
            .sum()
    }
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in &self.files {
            let name = file.path.display();
            if let Some(why) = &file.skipped {
                writeln!(f, "  {name}: skipped ({why})")?;
                continue;
            }
            let schema = file.schema.map_or("?", |s| s.name());
            writeln!(
                f,
                "  {name} [{schema}]: {} rows read, {} kept",
                file.rows, file.kept
            )?;
            for (reason, n) in &file.dropped {
                writeln!(f, "      {:>6}  {}", n, reason.label())?;
            }
            for e in &file.examples {
                writeln!(f, "      e.g. {e}")?;
            }
        }
        writeln!(f, "  total: {} rows read", self.rows())?;
        let mut reasons: BTreeMap<DropReason, usize> = BTreeMap::new();
        for file in &self.files {
            for (r, n) in &file.dropped {
                *reasons.entry(*r).or_default() += n;
            }
        }
        for (r, n) in reasons {
            writeln!(f, "  {:>8}  {}", n, r.label())?;
        }
        writeln!(
            f,
            "  {} tracks kept; {} playlists with {} (playlist, track) pairs",
            self.tracks, self.playlists, self.interactions
        )
    }
}

/// An error that stops the build (as opposed to a dropped row). Each names the file; the
/// underlying error is part of the message (not a `source()`, so a printed chain does not
/// repeat it).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: cannot read the CSV header: {error}")]
    Header { path: PathBuf, error: csv::Error },
    #[error("{path}: {error}")]
    Schema { path: PathBuf, error: SchemaError },
    #[error("no CSV files found under {0}")]
    NoFiles(PathBuf),
    #[error("no usable track rows in {0}: every row was dropped (see the counts above)")]
    NoTracks(String),
}

/// One cleaned row.
#[derive(Debug, Clone)]
pub struct Row {
    pub track: Track,
    pub raw: RawFeatures,
    /// (playlist id, playlist name) when the row says which playlist it is in.
    pub playlist: Option<(String, String)>,
}

const MAX_EXAMPLES: usize = 3;

fn col(header: &csv::StringRecord, name: &str) -> Option<usize> {
    header.iter().position(|h| h.trim() == name)
}

/// A feature column: exact name first, else any capitalisation (Exportify's "Danceability").
fn feature_col(header: &csv::StringRecord, name: &str) -> Option<usize> {
    col(header, name).or_else(|| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    })
}

/// Python-list artists (`['A', 'B']`) or `;`-separated → "A, B".
fn clean_artists(s: &str) -> String {
    let t = s.trim();
    if t.starts_with('[') && t.ends_with(']') {
        let inner = &t[1..t.len() - 1];
        inner
            .split("', '")
            .map(|a| a.trim_matches(|c| c == '\'' || c == '"' || c == ' '))
            .filter(|a| !a.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    } else if t.contains(';') {
        t.split(';').map(str::trim).collect::<Vec<_>>().join(", ")
    } else {
        t.to_string()
    }
}

/// The middle year of the decade a Hit Predictor file covers, from its name
/// (`dataset-of-60s.csv` → 1965, `dataset-of-00s.csv` → 2005).
fn decade_of_file(path: &Path) -> Option<u16> {
    let stem = path.file_stem()?.to_str()?;
    let d: u16 = stem
        .strip_suffix('s')?
        .rsplit(['-', '_'])
        .next()?
        .parse()
        .ok()?;
    match d {
        _ if !d.is_multiple_of(10) || d > 90 => None,
        0..=20 => Some(2005 + d),
        _ => Some(1905 + d),
    }
}

fn parse_year(s: &str) -> Option<u16> {
    let y: u16 = s.trim().get(..4)?.parse().ok()?;
    (1800..2100).contains(&y).then_some(y)
}

/// Read one CSV file of any supported layout into cleaned rows, counting every drop.
/// `on_progress(bytes_read)` is called every few thousand rows.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_tracks_csv(
    path: &Path,
    mut on_progress: impl FnMut(u64),
) -> Result<(Vec<Row>, FileReport), IngestError> {
    let io = |e: std::io::Error| IngestError::Io {
        path: path.to_path_buf(),
        error: e,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    read_tracks_from(std::io::BufReader::new(file), path, &mut on_progress)
}

/// A problem with one row: why it cannot be used, and a message naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub reason: DropReason,
    pub message: String,
}

impl RowProblem {
    fn new(reason: DropReason, message: impl Into<String>) -> RowProblem {
        RowProblem {
            reason,
            message: message.into(),
        }
    }
}

/// One row with a valid track id, its metadata, and its audio features or why they are unusable.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub track: Track,
    pub raw: Result<RawFeatures, RowProblem>,
    /// (playlist id, playlist name) when the row says which playlist it is in.
    pub playlist: Option<(String, String)>,
}

/// A header resolved to column positions: the one place that knows which column means what, used
/// by `catalog build`, `place` and the page's CSV import alike.
#[derive(Debug, Clone)]
pub struct Layout {
    pub schema: Schema,
    id: usize,
    name: usize,
    artist: usize,
    /// `None`: the layout carries no audio features (Exportify's original export).
    feats: Option<[usize; N_BASE]>,
    year: Option<usize>,
    /// The decade's middle year a Hit Predictor file covers (from its name).
    decade: Option<u16>,
    popularity: Option<usize>,
    genre: Option<usize>,
    playlist: (Option<usize>, Option<usize>),
}

impl Layout {
    /// Resolve a header (`path` names the file, for the Hit Predictor decade). `Ok(None)` is an
    /// aggregate file without track ids, to be skipped.
    pub fn resolve(header: &csv::StringRecord, path: &Path) -> Result<Option<Layout>, SchemaError> {
        let fields: Vec<&str> = header.iter().collect();
        let schema = match detect_schema(&fields)? {
            Detected::Tracks(s) => s,
            Detected::Aggregate => return Ok(None),
        };
        // `detect_schema` checked every one of these columns; a miss would still be an error
        // here, never a panic.
        let required = |c: &str| {
            col(header, c).ok_or_else(|| SchemaError::MissingColumns {
                schema,
                missing: vec![c.to_string()],
            })
        };
        let [id, name, artist] = {
            let [a, b, c] = schema.columns();
            [required(a)?, required(b)?, required(c)?]
        };
        let feats = if schema.features_optional() && feature_col(header, BASE_FEATURES[0]).is_none()
        {
            None
        } else {
            let mut feat_c = [0usize; N_BASE];
            for (slot, name) in feat_c.iter_mut().zip(BASE_FEATURES) {
                *slot = feature_col(header, name).ok_or_else(|| SchemaError::MissingColumns {
                    schema,
                    missing: vec![name.to_string()],
                })?;
            }
            Some(feat_c)
        };
        let year = match schema {
            Schema::TidyTuesday => col(header, "track_album_release_date"),
            Schema::Kaggle160k => col(header, "year"),
            Schema::Kaggle600k => col(header, "release_date"),
            Schema::Exportify | Schema::ExportifyUri => {
                col(header, "Release Date").or_else(|| col(header, "Album Release Date"))
            }
            _ => None,
        };
        let decade = (schema == Schema::HitPredictor)
            .then(|| decade_of_file(path))
            .flatten();
        let popularity = col(header, "track_popularity")
            .or_else(|| col(header, "popularity"))
            .or_else(|| col(header, "Popularity"));
        // Exportify's "Genres" are the artists' micro-genres, not the catalog's playlist genres
        let genre = col(header, "playlist_genre").or_else(|| col(header, "track_genre"));
        let playlist = (col(header, "playlist_id"), col(header, "playlist_name"));
        Ok(Some(Layout {
            schema,
            id,
            name,
            artist,
            feats,
            year,
            decade,
            popularity,
            genre,
            playlist,
        }))
    }

    /// Whether rows of this layout carry the 9 audio features.
    pub fn has_features(&self) -> bool {
        self.feats.is_some()
    }

    /// Read one record: `Err` when its id is unusable; otherwise the track, with its features or
    /// the reason they cannot be used.
    pub fn parse(&self, record: &csv::StringRecord) -> Result<ParsedRow, RowProblem> {
        let get = |c: usize| record.get(c).unwrap_or("").trim();
        let id_field = get(self.id);
        let id = id_field.strip_prefix("spotify:track:").unwrap_or(id_field);
        if id_to_u128(id).is_none() {
            let shown: String = id_field.chars().take(60).collect();
            return Err(RowProblem::new(
                DropReason::BadId,
                format!("track id {shown:?} is not a 22-character Spotify id"),
            ));
        }
        let raw = match self.feats {
            None => Err(RowProblem::new(
                DropReason::NoFeatures,
                "the file has no audio-feature columns",
            )),
            Some(feat_c) => self.features(&feat_c, &get),
        };
        let artist = clean_artists(get(self.artist)).into();
        let popularity = self
            .popularity
            .and_then(|c| get(c).parse::<f32>().ok())
            .map(|p| p.clamp(0.0, 100.0).round() as u8);
        let playlist = match self.playlist {
            (Some(i), Some(n)) if !get(i).is_empty() => {
                Some((get(i).to_string(), get(n).to_string()))
            }
            _ => None,
        };
        Ok(ParsedRow {
            track: Track {
                id: id.to_string(),
                name: get(self.name).to_string(),
                artist,
                year: self.year.and_then(|c| parse_year(get(c))).or(self.decade),
                year_approx: self.year.is_none() && self.decade.is_some(),
                popularity,
                genre: self.genre.map(|c| get(c).into()).unwrap_or_default(),
            },
            raw,
            playlist,
        })
    }

    fn features<'r>(
        &self,
        feat_c: &[usize; N_BASE],
        get: &impl Fn(usize) -> &'r str,
    ) -> Result<RawFeatures, RowProblem> {
        // Exportify leaves every feature empty for tracks Spotify has none for
        if self.schema.features_optional() && feat_c.iter().all(|&c| get(c).is_empty()) {
            return Err(RowProblem::new(
                DropReason::NoFeatures,
                "the row has no audio features",
            ));
        }
        let mut raw = [0.0f32; N_BASE];
        for (j, &c) in feat_c.iter().enumerate() {
            let v = get(c);
            if v.is_empty() || v.eq_ignore_ascii_case("na") || v.eq_ignore_ascii_case("nan") {
                return Err(RowProblem::new(
                    DropReason::MissingValue,
                    format!("{} is empty", BASE_FEATURES[j]),
                ));
            }
            match v.parse::<f32>() {
                Ok(x) if x.is_finite() => raw[j] = x,
                _ => {
                    let shown: String = v.chars().take(40).collect();
                    return Err(RowProblem::new(
                        DropReason::Unparseable,
                        format!("{} = {shown:?} is not a number", BASE_FEATURES[j]),
                    ));
                }
            }
        }
        match outlier(&raw) {
            Some((reason, msg)) => Err(RowProblem::new(reason, msg)),
            None => Ok(raw),
        }
    }
}

/// As [`read_tracks_csv`], from any reader (`path` only names it in messages).
pub fn read_tracks_from(
    reader: impl std::io::Read,
    path: &Path,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<Row>, FileReport), IngestError> {
    let mut report = FileReport {
        path: path.to_path_buf(),
        ..Default::default()
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header = rdr
        .headers()
        .map_err(|e| IngestError::Header {
            path: path.to_path_buf(),
            error: e,
        })?
        .clone();
    let layout = match Layout::resolve(&header, path) {
        Ok(Some(l)) => l,
        Ok(None) => {
            report.skipped = Some("aggregate file without track ids".into());
            return Ok((Vec::new(), report));
        }
        Err(error) => {
            return Err(IngestError::Schema {
                path: path.to_path_buf(),
                error,
            })
        }
    };
    report.schema = Some(layout.schema);

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let name = path.display().to_string();
    loop {
        let line = rdr.position().line() + 1;
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report.rows += 1;
                let line = e.position().map_or(line, |p| p.line());
                drop_row(
                    &mut report,
                    DropReason::Malformed,
                    format!("{name}:{line}: {e}"),
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        report.rows += 1;
        if report.rows.is_multiple_of(4096) {
            on_progress(rdr.position().byte());
        }
        let line = record.position().map_or(line, |p| p.line());
        let parsed = layout.parse(&record).and_then(|p| match p.raw {
            Ok(raw) => Ok(Row {
                track: p.track,
                raw,
                playlist: p.playlist,
            }),
            Err(problem) => Err(problem),
        });
        match parsed {
            Ok(row) => {
                rows.push(row);
                report.kept += 1;
            }
            Err(p) => drop_row(
                &mut report,
                p.reason,
                format!("{name}:{line}: {}", p.message),
            ),
        }
    }
    on_progress(rdr.position().byte());
    Ok((rows, report))
}

/// The cleaning rules for 9 raw features (finite, tempo, loudness, unit ranges), for features
/// that come from somewhere else than a CSV row (the page's stored tracks).
pub fn check_features(raw: &RawFeatures) -> Result<(), RowProblem> {
    if let Some(j) = raw.iter().position(|x| !x.is_finite()) {
        return Err(RowProblem::new(
            DropReason::Unparseable,
            format!("{} is not a finite number", BASE_FEATURES[j]),
        ));
    }
    match outlier(raw) {
        Some((reason, msg)) => Err(RowProblem::new(reason, msg)),
        None => Ok(()),
    }
}

fn outlier(raw: &RawFeatures) -> Option<(DropReason, String)> {
    let t = raw[idx::TEMPO];
    if t <= 0.0 || t > RAW_RANGES[idx::TEMPO].1 {
        return Some((DropReason::TempoOutlier, format!("tempo {t} BPM")));
    }
    let (lo, hi) = RAW_RANGES[idx::LOUDNESS];
    let l = raw[idx::LOUDNESS];
    if !(lo..=hi).contains(&l) {
        return Some((DropReason::LoudnessOutlier, format!("loudness {l} dB")));
    }
    for j in 0..N_BASE {
        if j == idx::TEMPO || j == idx::LOUDNESS {
            continue;
        }
        if !(0.0..=1.0).contains(&raw[j]) {
            return Some((
                DropReason::OutOfRange,
                format!("{} = {}", BASE_FEATURES[j], raw[j]),
            ));
        }
    }
    None
}

fn drop_row(report: &mut FileReport, reason: DropReason, example: String) {
    *report.dropped.entry(reason).or_default() += 1;
    if report.examples.len() < MAX_EXAMPLES && reason != DropReason::Duplicate {
        report.examples.push(example);
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// Every `.csv` under the given paths (files are taken as they are, directories are walked),
/// sorted so the result does not depend on the file system's order.
pub fn collect_csvs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out).map_err(|e| IngestError::Io {
                path: p.clone(),
                error: e,
            })?;
            if out.len() == before {
                return Err(IngestError::NoFiles(p.clone()));
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(IngestError::Io {
                path: p.clone(),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
    }
    Ok(out)
}

#[cfg(not(target_arch = "wasm32"))]
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
    Ok(())
}

/// The result of a build.
#[cfg(not(target_arch = "wasm32"))]
pub struct Built {
    pub catalog: Catalog,
    pub interactions: Interactions,
    pub report: BuildReport,
}

#[cfg(not(target_arch = "wasm32"))]
/// Read, clean and merge every CSV under `inputs` into a catalog and the playlist interactions.
///
/// Merging: the first row of a track id wins for its features and metadata (files are read in
/// the given order); later rows of the same id are counted as duplicates, but their playlist
/// membership and genre votes are kept. Genre = majority `playlist_genre` over the track's rows
/// (ties broken alphabetically).
pub fn build_catalog(
    inputs: &[PathBuf],
    mut on_progress: impl FnMut(&Path, u64, u64),
) -> Result<Built, IngestError> {
    let files = collect_csvs(inputs)?;
    let mut report = BuildReport::default();
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut raws: Vec<RawTrack> = Vec::new();
    let mut genre_votes: Vec<BTreeMap<std::sync::Arc<str>, usize>> = Vec::new();
    let mut playlists: BTreeMap<String, Playlist> = BTreeMap::new();
    for path in &files {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (rows, mut file_report) = read_tracks_csv(path, |b| on_progress(path, b, size))?;
        for row in rows {
            let i = match first.get(&row.track.id) {
                Some(&i) => {
                    *file_report
                        .dropped
                        .entry(DropReason::Duplicate)
                        .or_default() += 1;
                    file_report.kept -= 1;
                    if raws[i].track.popularity.is_none() {
                        raws[i].track.popularity = row.track.popularity;
                    }
                    // an exact date beats a decade's middle
                    let t = &mut raws[i].track;
                    if row.track.year.is_some()
                        && (t.year.is_none() || (t.year_approx && !row.track.year_approx))
                    {
                        t.year = row.track.year;
                        t.year_approx = row.track.year_approx;
                    }
                    i
                }
                None => {
                    first.insert(row.track.id.clone(), raws.len());
                    raws.push(RawTrack {
                        track: row.track.clone(),
                        raw: row.raw,
                    });
                    genre_votes.push(BTreeMap::new());
                    raws.len() - 1
                }
            };
            if !row.track.genre.is_empty() {
                *genre_votes[i].entry(row.track.genre.clone()).or_default() += 1;
            }
            if let Some((pid, pname)) = row.playlist {
                let p = playlists.entry(pid.clone()).or_insert_with(|| Playlist {
                    id: pid,
                    name: pname,
                    genre: row.track.genre.to_string(),
                    tracks: Vec::new(),
                });
                if !p.tracks.contains(&row.track.id) {
                    p.tracks.push(row.track.id);
                }
            }
        }
        report.files.push(file_report);
    }
    for (raw, votes) in raws.iter_mut().zip(&genre_votes) {
        // BTreeMap iterates alphabetically; max_by_key keeps the last maximum, so reverse.
        raw.track.genre = votes
            .iter()
            .rev()
            .max_by_key(|(_, n)| **n)
            .map(|(g, _)| std::sync::Arc::clone(g))
            .unwrap_or_default();
    }
    if raws.is_empty() {
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        return Err(IngestError::NoTracks(names.join(", ")));
    }
    let interactions = Interactions {
        playlists: playlists.into_values().collect(),
    };
    report.tracks = raws.len();
    report.playlists = interactions.playlists.len();
    report.interactions = interactions.playlists.iter().map(|p| p.tracks.len()).sum();
    Ok(Built {
        catalog: Catalog::from_raw(raws),
        interactions,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artists_are_normalised() {
        assert_eq!(
            clean_artists("['Frank Sinatra', 'Count Basie']"),
            "Frank Sinatra, Count Basie"
        );
        assert_eq!(
            clean_artists("Ed Sheeran;Justin Bieber"),
            "Ed Sheeran, Justin Bieber"
        );
        assert_eq!(clean_artists(" Garland Green "), "Garland Green");
    }

    #[test]
    fn hit_predictor_files_give_a_decade() {
        assert_eq!(
            decade_of_file(Path::new("x/dataset-of-60s.csv")),
            Some(1965)
        );
        assert_eq!(decade_of_file(Path::new("dataset-of-00s.csv")), Some(2005));
        assert_eq!(decade_of_file(Path::new("dataset-of-10s.csv")), Some(2015));
        assert_eq!(decade_of_file(Path::new("tracks.csv")), None);
        assert_eq!(decade_of_file(Path::new("dataset-of-65s.csv")), None);
    }

    #[test]
    fn years_parse_from_dates() {
        assert_eq!(parse_year("2019-06-14"), Some(2019));
        assert_eq!(parse_year("1998"), Some(1998));
        assert_eq!(parse_year(""), None);
        assert_eq!(parse_year("abc"), None);
    }
}
