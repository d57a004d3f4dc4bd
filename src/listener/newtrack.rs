//! Parse a "new track" entered by a label: 9 raw base features, either typed
//! or pasted as a CSV row (DOM-free, native-tested).
//!
//! Accepted pastes: a header line plus a row (columns found by name, e.g. the
//! TidyTuesday schema); a bare 23-column TidyTuesday row; or 9 numbers in the
//! base-feature order (danceability, energy, loudness, speechiness,
//! acousticness, instrumentalness, liveness, valence, tempo).

/// The base-feature names, in the order a bare row of 9 numbers uses.
pub use crate::catalog::features::BASE_FEATURES as BASE;

/// Column index of each base feature in a bare TidyTuesday row.
const TIDY_COLS: [usize; 9] = [11, 12, 14, 16, 17, 18, 19, 20, 21];

/// A raw feature outside its plausible range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} = {value} is outside {lo}..{hi}")]
pub struct OutOfRange {
    pub name: &'static str,
    pub value: f32,
    pub lo: f32,
    pub hi: f32,
}

/// Why a pasted row could not be read. The messages are shown on the page as they are.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("paste a CSV row or enter the features")]
    Empty,
    #[error("the header line has no row below it: paste the header and one row")]
    HeaderOnly,
    #[error("the header has no column \"{0}\"")]
    MissingColumn(&'static str),
    #[error("a row needs 9 features or the 23 TidyTuesday columns; it has {0} fields")]
    FieldCount(usize),
    #[error("{name}: \"{value}\" is not a number")]
    NotANumber {
        name: &'static str,
        /// The field as pasted, cut to 40 characters.
        value: String,
    },
    #[error("{name}: not a finite number")]
    NotFinite { name: &'static str },
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
}

fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if q && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => q = !q,
            ',' | '\t' | ';' if !q => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

fn num(s: &str, name: &'static str) -> Result<f32, ParseError> {
    let v: f32 = s.trim().parse().map_err(|_| ParseError::NotANumber {
        name,
        value: s.chars().take(40).collect(),
    })?;
    if !v.is_finite() {
        return Err(ParseError::NotFinite { name });
    }
    Ok(v)
}

fn is_header(fields: &[String]) -> bool {
    fields
        .iter()
        .any(|h| h.eq_ignore_ascii_case("danceability"))
}

/// Check plausible ranges of the raw values (loudness in dB, tempo in BPM, the rest 0..1).
pub fn validate(raw: &[f32; 9]) -> Result<(), OutOfRange> {
    for (i, &v) in raw.iter().enumerate() {
        let (lo, hi) = match i {
            2 => (-80.0, 10.0),
            8 => (0.0, 300.0),
            _ => (0.0, 1.0),
        };
        if !(lo..=hi).contains(&v) {
            return Err(OutOfRange {
                name: BASE[i],
                value: v,
                lo,
                hi,
            });
        }
    }
    Ok(())
}

/// A release year typed next to a pasted row is outside 1800–2100 or not a number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the release year {0:?} is not a year between 1800 and 2100 (leave it empty if unknown)")]
pub struct BadYear(pub String);

/// An optional release year: empty is `None` (unknown, never 0).
pub fn parse_year(text: &str) -> Result<Option<u16>, BadYear> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u16>() {
        Ok(y) if (1800..=2100).contains(&y) => Ok(Some(y)),
        _ => Err(BadYear(t.to_string())),
    }
}

/// Parse a pasted row (see the module docs for the accepted forms) and check its ranges.
pub fn parse_row(text: &str) -> Result<[f32; 9], ParseError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut raw = [0.0f32; 9];
    match lines.as_slice() {
        [] => return Err(ParseError::Empty),
        [header, row, ..] if is_header(&split_csv(header)) => {
            let h = split_csv(header);
            let r = split_csv(row);
            for (k, name) in BASE.iter().enumerate() {
                let j = h
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(name))
                    .ok_or(ParseError::MissingColumn(name))?;
                raw[k] = num(r.get(j).map(String::as_str).unwrap_or(""), name)?;
            }
        }
        [row, ..] => {
            let r = split_csv(row);
            if is_header(&r) {
                return Err(ParseError::HeaderOnly);
            }
            let cols: &[usize] = match r.len() {
                23 => &TIDY_COLS,
                9 => &[0, 1, 2, 3, 4, 5, 6, 7, 8],
                n => return Err(ParseError::FieldCount(n)),
            };
            for (k, &j) in cols.iter().enumerate() {
                raw[k] = num(&r[j], BASE[k])?;
            }
        }
    }
    validate(&raw)?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_optional_and_checked() {
        assert_eq!(parse_year(" "), Ok(None));
        assert_eq!(parse_year("2008"), Ok(Some(2008)));
        assert!(parse_year("20o8").unwrap_err().to_string().contains("20o8"));
        assert!(parse_year("3000").is_err());
    }

    #[test]
    fn parses_nine_numbers() {
        let r = parse_row("0.5, 0.7, -6.2, 0.05, 0.1, 0.0, 0.12, 0.6, 120").unwrap();
        assert_eq!(r[2], -6.2);
        assert_eq!(r[8], 120.0);
    }

    #[test]
    fn parses_tidytuesday_row_with_quotes() {
        let row = r#"6f807x0ima9a1j3VPbc7VN,"I Don't Care, Really",Ed Sheeran,66,2oCs0DGTsRO98Gh5ZSl2Cx,"Album, x",2019-06-14,Pop Remix,37i9dQZF1DXcZDD7cfEKhW,pop,dance pop,0.748,0.916,6,-2.634,1,0.0583,0.102,0,0.0653,0.518,122.036,194754"#;
        let r = parse_row(row).unwrap();
        assert_eq!(
            r,
            [0.748, 0.916, -2.634, 0.0583, 0.102, 0.0, 0.0653, 0.518, 122.036]
        );
    }

    #[test]
    fn parses_header_and_row() {
        let t = "tempo,energy,danceability,loudness,speechiness,acousticness,instrumentalness,liveness,valence\n100,0.2,0.3,-10,0.1,0.9,0.5,0.1,0.2";
        let r = parse_row(t).unwrap();
        assert_eq!(r[0], 0.3);
        assert_eq!(r[8], 100.0);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(parse_row(" \n"), Err(ParseError::Empty));
        assert_eq!(parse_row("1,2,3"), Err(ParseError::FieldCount(3)));
        assert_eq!(
            parse_row("0.5,0.7,-6,0.05,0.1,0,0.1,0.6,abc"),
            Err(ParseError::NotANumber {
                name: "tempo",
                value: "abc".into()
            })
        );
        assert_eq!(
            parse_row("1.5,0.7,-6,0.05,0.1,0,0.1,0.6,120")
                .unwrap_err()
                .to_string(),
            "danceability = 1.5 is outside 0..1"
        );
        assert_eq!(
            parse_row("0.5,0.7,-6,0.05,0.1,0,0.1,0.6,NaN"),
            Err(ParseError::NotFinite { name: "tempo" })
        );
        assert_eq!(
            parse_row("danceability,energy\n0.5,0.6"),
            Err(ParseError::MissingColumn("loudness"))
        );
        assert_eq!(
            parse_row("danceability,energy,loudness"),
            Err(ParseError::HeaderOnly)
        );
        let long = format!("0.5,0.7,-6,0.05,0.1,0,0.1,0.6,{}", "x".repeat(100));
        match parse_row(&long) {
            Err(ParseError::NotANumber { value, .. }) => assert_eq!(value.len(), 40),
            other => panic!("{other:?}"),
        }
    }
}
