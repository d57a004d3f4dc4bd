//! A recommendation list as files a player or a playlist tool takes: CSV, M3U, JSPF (the JSON
//! playlist format ListenBrainz imports) and `spotify:track:` URIs (pasted into a Spotify
//! playlist they add the tracks). Plain text building, no DOM: the page offers the result as a
//! download, so nothing leaves the device.

use serde::Serialize;

/// One track of the list, as the files show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// 22-character Spotify track id.
    pub id: String,
    pub title: String,
    pub artist: String,
    pub score: f32,
    /// "Title — Artist" of the like it is closest to.
    pub because: Option<String>,
}

/// The track's page on open.spotify.com.
pub fn spotify_url(id: &str) -> String {
    format!("https://open.spotify.com/track/{id}")
}

/// `id,title,artist,score,because`, RFC 4180 quoting.
pub fn to_csv(rows: &[ExportRow]) -> String {
    let mut s = String::from("id,title,artist,score,because\r\n");
    for r in rows {
        let fields = [
            r.id.clone(),
            r.title.clone(),
            r.artist.clone(),
            format!("{:.4}", r.score),
            r.because.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        s += &line.join(",");
        s += "\r\n";
    }
    s
}

/// Quote a field when it holds a separator, a quote or a line break; defuse a leading `=`, `+`,
/// `-` or `@`, which a spreadsheet would run as a formula (titles come from outside data).
fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) && f.parse::<f64>().is_err() {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

/// Extended M3U: one `#EXTINF` line ("Artist - Title", length unknown) and the track's URL each.
pub fn to_m3u(rows: &[ExportRow], title: &str) -> String {
    let mut s = format!("#EXTM3U\n#PLAYLIST:{}\n", one_line(title));
    for r in rows {
        s += &format!(
            "#EXTINF:-1,{} - {}\n{}\n",
            one_line(&r.artist),
            one_line(&r.title),
            spotify_url(&r.id)
        );
    }
    s
}

/// A line break inside a title would start a new M3U entry.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[derive(Serialize)]
struct Jspf<'a> {
    playlist: JspfPlaylist<'a>,
}

#[derive(Serialize)]
struct JspfPlaylist<'a> {
    title: &'a str,
    creator: &'a str,
    annotation: &'a str,
    track: Vec<JspfTrack<'a>>,
}

#[derive(Serialize)]
struct JspfTrack<'a> {
    title: &'a str,
    creator: &'a str,
    identifier: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotation: Option<&'a str>,
}

/// JSPF (XSPF as JSON): `playlist.track[]` with `title`, `creator` (the artist), `identifier`
/// (the Spotify URL) and the reason as `annotation`.
pub fn to_jspf(rows: &[ExportRow], title: &str) -> String {
    let doc = Jspf {
        playlist: JspfPlaylist {
            title,
            creator: "soundalike",
            annotation: "Recommended in the browser by soundalike",
            track: rows
                .iter()
                .map(|r| JspfTrack {
                    title: &r.title,
                    creator: &r.artist,
                    identifier: vec![spotify_url(&r.id)],
                    annotation: r.because.as_deref(),
                })
                .collect(),
        },
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// One `spotify:track:<id>` per line.
pub fn to_spotify_uris(rows: &[ExportRow]) -> String {
    rows.iter()
        .map(|r| format!("spotify:track:{}\n", r.id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<ExportRow> {
        vec![
            ExportRow {
                id: "1EzrEOXmMH3G43AXT1y7pA".into(),
                title: "I'm Yours".into(),
                artist: "Jason Mraz".into(),
                score: 1.5,
                because: Some("Lucky — Jason Mraz".into()),
            },
            ExportRow {
                id: "4hbGPfz03P8Nnh75mFIAoH".into(),
                title: "Say \"Hi\", again".into(),
                artist: "=HYPERLINK(\"x\")".into(),
                score: -0.25,
                because: None,
            },
        ]
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let csv = to_csv(&rows());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "id,title,artist,score,because");
        assert_eq!(
            lines[1],
            "1EzrEOXmMH3G43AXT1y7pA,I'm Yours,Jason Mraz,1.5000,Lucky — Jason Mraz"
        );
        assert_eq!(
            lines[2],
            "4hbGPfz03P8Nnh75mFIAoH,\"Say \"\"Hi\"\", again\",\"'=HYPERLINK(\"\"x\"\")\",-0.2500,"
        );
        assert_eq!(lines.len(), 4, "two rows and the final line break");
    }

    #[test]
    fn m3u_has_one_entry_per_track() {
        let m = to_m3u(&rows(), "My\nlist");
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(lines[0], "#EXTM3U");
        assert_eq!(lines[1], "#PLAYLIST:My list");
        assert_eq!(lines[2], "#EXTINF:-1,Jason Mraz - I'm Yours");
        assert_eq!(
            lines[3],
            "https://open.spotify.com/track/1EzrEOXmMH3G43AXT1y7pA"
        );
        assert_eq!(lines.iter().filter(|l| l.starts_with("#EXTINF")).count(), 2);
    }

    #[test]
    fn jspf_parses_back() {
        let v: serde_json::Value = serde_json::from_str(&to_jspf(&rows(), "For you")).unwrap();
        let tracks = v["playlist"]["track"].as_array().unwrap();
        assert_eq!(v["playlist"]["title"], "For you");
        assert_eq!(tracks.len(), 2);
        assert_eq!(tracks[1]["title"], "Say \"Hi\", again");
        assert_eq!(
            tracks[0]["identifier"][0],
            "https://open.spotify.com/track/1EzrEOXmMH3G43AXT1y7pA"
        );
        assert_eq!(tracks[0]["annotation"], "Lucky — Jason Mraz");
        assert!(tracks[1].get("annotation").is_none());
    }

    #[test]
    fn uris_one_per_line() {
        assert_eq!(
            to_spotify_uris(&rows()),
            "spotify:track:1EzrEOXmMH3G43AXT1y7pA\nspotify:track:4hbGPfz03P8Nnh75mFIAoH\n"
        );
    }
}
