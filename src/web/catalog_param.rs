//! `?catalog=PATH`: the page loads another catalog of the same site (a synthetic benchmark
//! catalog, say) named in its address. Only a relative path on this origin is accepted, so a link
//! cannot make the page fetch from elsewhere or climb out of the site's folder; anything else is
//! refused with a message the page shows.

/// Why a `?catalog=` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogParamError {
    #[error("?catalog= is empty: give a catalog file of this site, e.g. ?catalog=synth-1m.bin")]
    Empty,
    #[error(
        "?catalog={0:?} is not allowed: only a path relative to this page on this site, e.g. \
         ?catalog=synth-1m.bin (no scheme or host, no leading / or \\)"
    )]
    NotRelative(String),
    #[error(
        "?catalog={0:?} is not allowed: the path may not contain \"..\", \".\" or empty parts"
    )]
    DotSegment(String),
    #[error(
        "?catalog={value:?} is not allowed: {ch:?} may not appear in it (letters, digits, \
         \"-\", \"_\", \".\" and \"/\" only)"
    )]
    BadCharacter { value: String, ch: char },
    #[error("?catalog={0:?} is not allowed: it points outside this site")]
    OtherOrigin(String),
}

/// Longest accepted value: a file path, not a payload.
const MAX_LEN: usize = 200;

/// Check a decoded `?catalog=` value: a relative path of plain segments (no scheme, host, leading
/// slash, `.`/`..` or empty segment, no query or fragment, no percent escapes left).
pub fn check_path(value: &str) -> Result<(), CatalogParamError> {
    if value.is_empty() {
        return Err(CatalogParamError::Empty);
    }
    if value.starts_with('/') || value.starts_with('\\') || value.contains("://") {
        return Err(CatalogParamError::NotRelative(value.into()));
    }
    if let Some(ch) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')))
    {
        let value = value.chars().take(MAX_LEN).collect();
        return Err(CatalogParamError::BadCharacter { value, ch });
    }
    if value.len() > MAX_LEN {
        return Err(CatalogParamError::NotRelative(value[..MAX_LEN].into()));
    }
    if value
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(CatalogParamError::DotSegment(value.into()));
    }
    Ok(())
}

/// The catalog URL the page should load: the `?catalog=` value of the page's address when there
/// is one (checked, and resolved against the page to make sure it stays on this origin), else
/// `default` (from `data-catalog`). The flag says whether it came from the address.
pub fn catalog_url(default: &str) -> Result<(String, bool), CatalogParamError> {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return Ok((default.into(), false));
    };
    let search = location.search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Ok((default.into(), false));
    };
    let Some(value) = params.get("catalog") else {
        return Ok((default.into(), false));
    };
    check_path(&value)?;
    // belt and braces: the checked path resolves on the page's own origin
    let href = location.href().unwrap_or_default();
    let origin = location.origin().unwrap_or_default();
    match web_sys::Url::new_with_base(&value, &href) {
        Ok(u) if u.origin() == origin => Ok((value, true)),
        _ => Err(CatalogParamError::OtherOrigin(value)),
    }
}
