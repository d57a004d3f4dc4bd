//! The one weights file the page loads (`www/weights.bin`): the autoencoder and the rating head.
//!
//! Layout (little endian):
//! ```text
//! 0  magic      b"SNDW"
//! 4  version    u16 (= 2; 1 had 16 inputs and no objective)
//! 6  head_input u8  (HeadInput tag)
//! 7  objective  u8  (Objective tag: 0 paper, 1 taste)
//! 8  n_in       u16 (= 21)   10 emb u16 (= 32)
//! 12 blend      f32 (default hybrid blend chosen by measurement)
//! 16 ae_len     u32          20 head_len u32
//! 24 crc32      u32 of the payload
//! 28 payload    burnpack(autoencoder) ++ burnpack(head)
//! ```
//! [`Weights::from_bytes`] never panics: every failure is a [`WeightsError`].

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use super::{cpu, Autoencoder, HeadInput, Objective, RatingHead, EMB, N_IN};

const MAGIC: &[u8; 4] = b"SNDW";
const VERSION: u16 = 2;
const HEADER: usize = 28;

/// Why a weights file could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    #[error("weights file too short: {0} bytes, header needs {HEADER}")]
    TooShort(usize),
    #[error("not a soundalike weights file (bad magic)")]
    BadMagic,
    #[error("unsupported weights version {0} (this build reads {VERSION})")]
    UnsupportedVersion(u16),
    #[error("unknown head input kind {0}")]
    UnknownHeadInput(u8),
    #[error("unknown training objective {0}")]
    UnknownObjective(u8),
    #[error("weights were trained for {found_in} inputs / {found_emb}-d embeddings, this build expects {N_IN} / {EMB}")]
    WrongDimensions { found_in: u16, found_emb: u16 },
    #[error("weights file truncated: payload needs {expected} bytes, found {found}")]
    Truncated { expected: usize, found: usize },
    #[error("weights file corrupt: checksum mismatch")]
    Checksum,
    #[error("{part} weights could not be decoded: {msg}")]
    Decode { part: &'static str, msg: String },
    #[error("{part} weights do not match the architecture: {msg}")]
    Shape { part: &'static str, msg: String },
    #[error("{part} weights store tensor {tensor} as {found}; this build reads F32 weights")]
    Dtype {
        part: &'static str,
        tensor: String,
        found: String,
    },
}

/// The autoencoder and the rating head, on the CPU device.
#[derive(Debug, Clone)]
pub struct Weights {
    pub autoencoder: Autoencoder,
    pub head: Head,
    /// Default hybrid blend (weight of cosine), chosen on validation playlists.
    pub blend: f32,
    /// What the autoencoder was trained for (and so which inputs it reads).
    pub objective: Objective,
}

/// A rating head plus the kind of input it was trained on.
#[derive(Debug, Clone)]
pub struct Head {
    pub net: RatingHead,
    pub input: HeadInput,
}

impl Head {
    /// A fresh head on `device`.
    pub fn new(input: HeadInput, device: &burn::prelude::Device) -> Self {
        Self {
            net: RatingHead::new(input.width(), device),
            input,
        }
    }
}

fn rd_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn rd_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn load_into<M: Module>(module: M, bytes: &[u8], part: &'static str) -> Result<M, WeightsError> {
    check_record(bytes, part)?;
    let rec = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).map_err(|e| {
        WeightsError::Decode {
            part,
            msg: e.to_string(),
        }
    })?;
    module
        .try_load_record(rec)
        .map_err(|e| WeightsError::Shape {
            part,
            msg: e.to_string(),
        })
}

/// Burnpack bytes of a module (full precision, inference snapshot).
pub fn module_bytes<M: Module>(m: &M) -> Vec<u8> {
    m.valid()
        .into_record()
        .into_bytes()
        .map(|b| b.to_vec())
        .unwrap_or_default()
}

impl Weights {
    /// Parse a weights file. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WeightsError> {
        if bytes.len() < HEADER {
            return Err(WeightsError::TooShort(bytes.len()));
        }
        if &bytes[0..4] != MAGIC {
            return Err(WeightsError::BadMagic);
        }
        let version = rd_u16(bytes, 4);
        if version != VERSION {
            return Err(WeightsError::UnsupportedVersion(version));
        }
        let input =
            HeadInput::from_tag(bytes[6]).ok_or(WeightsError::UnknownHeadInput(bytes[6]))?;
        let objective =
            Objective::from_tag(bytes[7]).ok_or(WeightsError::UnknownObjective(bytes[7]))?;
        let (found_in, found_emb) = (rd_u16(bytes, 8), rd_u16(bytes, 10));
        if found_in as usize != N_IN || found_emb as usize != EMB {
            return Err(WeightsError::WrongDimensions {
                found_in,
                found_emb,
            });
        }
        let blend = f32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
        let ae_len = rd_u32(bytes, 16) as usize;
        let head_len = rd_u32(bytes, 20) as usize;
        let crc = rd_u32(bytes, 24);
        let expected = ae_len.saturating_add(head_len);
        let payload = &bytes[HEADER..];
        if payload.len() != expected {
            return Err(WeightsError::Truncated {
                expected,
                found: payload.len(),
            });
        }
        if crc32fast::hash(payload) != crc {
            return Err(WeightsError::Checksum);
        }
        let dev = cpu();
        let autoencoder = load_into(Autoencoder::new(&dev), &payload[..ae_len], "autoencoder")?;
        let net = load_into(
            RatingHead::new(input.width(), &dev),
            &payload[ae_len..],
            "rating head",
        )?;
        let blend = if blend.is_finite() {
            blend.clamp(0.0, 1.0)
        } else {
            0.5
        };
        Ok(Self {
            autoencoder: autoencoder.valid(),
            head: Head {
                net: net.valid(),
                input,
            },
            blend,
            objective,
        })
    }

    /// Serialise (what `soundalike train` writes to `www/weights.bin`).
    pub fn to_bytes(&self) -> Vec<u8> {
        pack(
            &module_bytes(&self.autoencoder),
            &module_bytes(&self.head.net),
            self.head.input.tag(),
            self.objective.tag(),
            self.blend,
        )
    }
}

/// Build a container from raw parts (exposed for tests of malformed files).
pub fn pack(ae: &[u8], head: &[u8], head_input_tag: u8, objective_tag: u8, blend: f32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + ae.len() + head.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.push(head_input_tag);
    out.push(objective_tag);
    out.extend_from_slice(&(N_IN as u16).to_le_bytes());
    out.extend_from_slice(&(EMB as u16).to_le_bytes());
    out.extend_from_slice(&blend.to_le_bytes());
    out.extend_from_slice(&(ae.len() as u32).to_le_bytes());
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
    let mut h = crc32fast::Hasher::new();
    h.update(ae);
    h.update(head);
    out.extend_from_slice(&h.finalize().to_le_bytes());
    out.extend_from_slice(ae);
    out.extend_from_slice(head);
    out
}

/// Check a burnpack record before burn reads it.
///
/// burn 0.22 panics (it does not return an error) when a record stores a tensor in an integer or
/// bool dtype and the module's parameter is a float ("Expected float dtype"): a corrupt file
/// would abort the page. So the CBOR metadata is read here first, and only the form our writer
/// produces is accepted: a map whose `tensors` entry maps each name to a map with text keys and
/// `dtype: "F32"`. Anything else (another dtype, a tag, integer keys, a descriptor written as an
/// array, indefinite lengths) is an error. Header and range checks stay burn's.
pub fn check_record(bytes: &[u8], part: &'static str) -> Result<(), WeightsError> {
    let decode = |msg: &str| WeightsError::Decode {
        part,
        msg: msg.to_string(),
    };
    // Header: magic u32 LE "BURN", version u16, metadata size u32.
    if bytes.len() < 10 || rd_u32(bytes, 0) != 0x4255_524E {
        return Err(decode("not a burnpack record (bad header)"));
    }
    let size = rd_u32(bytes, 6) as usize;
    let meta = bytes
        .get(10..10usize.saturating_add(size))
        .ok_or_else(|| decode("burnpack metadata is cut short"))?;
    let bad = |_| decode("burnpack metadata is not in the form this build writes");
    let mut c = Cbor { b: meta, at: 0 };
    for _ in 0..c.map().map_err(bad)? {
        if c.text().map_err(bad)? != b"tensors" {
            c.skip(0).map_err(bad)?;
            continue;
        }
        for _ in 0..c.map().map_err(bad)? {
            let name = String::from_utf8_lossy(c.text().map_err(bad)?).into_owned();
            for _ in 0..c.map().map_err(bad)? {
                if c.text().map_err(bad)? != b"dtype" {
                    c.skip(0).map_err(bad)?;
                    continue;
                }
                let found = c.text().map_err(|_| WeightsError::Dtype {
                    part,
                    tensor: name.clone(),
                    found: "a non-plain dtype".into(),
                })?;
                if found != b"F32" {
                    return Err(WeightsError::Dtype {
                        part,
                        tensor: name,
                        found: String::from_utf8_lossy(found).into_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Just enough CBOR (RFC 8949) to walk burnpack metadata: definite lengths only.
struct Cbor<'a> {
    b: &'a [u8],
    at: usize,
}

/// Unreadable or unexpected CBOR.
struct CborError;

impl<'a> Cbor<'a> {
    /// Major type and argument of the next item.
    fn head(&mut self) -> Result<(u8, u64), CborError> {
        let first = *self.b.get(self.at).ok_or(CborError)?;
        self.at += 1;
        let (major, info) = (first >> 5, first & 0x1f);
        let n = match info {
            0..=23 => return Ok((major, info as u64)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return Err(CborError),
        };
        let bytes = self.take(n)?;
        Ok((major, bytes.iter().fold(0u64, |v, &x| v << 8 | x as u64)))
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], CborError> {
        let n = usize::try_from(n).map_err(|_| CborError)?;
        let end = self.at.checked_add(n).ok_or(CborError)?;
        let s = self.b.get(self.at..end).ok_or(CborError)?;
        self.at = end;
        Ok(s)
    }

    /// A map header: the number of pairs.
    fn map(&mut self) -> Result<u64, CborError> {
        match self.head()? {
            (5, n) => Ok(n),
            _ => Err(CborError),
        }
    }

    fn text(&mut self) -> Result<&'a [u8], CborError> {
        match self.head()? {
            (3, n) => self.take(n),
            _ => Err(CborError),
        }
    }

    /// Skip one item of any type (nesting bounded like burn's reader).
    fn skip(&mut self, depth: usize) -> Result<(), CborError> {
        if depth > 128 {
            return Err(CborError);
        }
        match self.head()? {
            (0 | 1 | 7, _) => Ok(()),
            (2 | 3, n) => self.take(n).map(|_| ()),
            (4, n) => (0..n).try_for_each(|_| self.skip(depth + 1)),
            (5, n) => (0..n).try_for_each(|_| {
                self.skip(depth + 1)?;
                self.skip(depth + 1)
            }),
            (6, _) => self.skip(depth + 1),
            _ => Err(CborError),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let dev = cpu();
        Weights {
            autoencoder: Autoencoder::new(&dev),
            head: Head::new(HeadInput::EmbeddingProfile, &dev),
            blend: 0.4,
            objective: Objective::Taste,
        }
        .to_bytes()
    }

    #[test]
    fn roundtrip_and_size() {
        let b = sample();
        assert!(b.len() < 100_000, "{} bytes", b.len());
        let w = Weights::from_bytes(&b).unwrap();
        assert_eq!(w.head.input, HeadInput::EmbeddingProfile);
        assert!((w.blend - 0.4).abs() < 1e-6);
        let b2 = w.to_bytes();
        assert_eq!(b2.len(), b.len());
        let w2 = Weights::from_bytes(&b2).unwrap();
        let a = crate::model::to_vec(w.autoencoder.enc1.weight.val());
        let c = crate::model::to_vec(w2.autoencoder.enc1.weight.val());
        assert!(a == c, "weights changed in a round trip");
    }

    #[test]
    fn malformed_files_are_typed_errors() {
        let b = sample();
        assert_eq!(
            Weights::from_bytes(&b[..10]).unwrap_err(),
            WeightsError::TooShort(10)
        );
        let mut m = b.clone();
        m[0] = b'X';
        assert_eq!(Weights::from_bytes(&m).unwrap_err(), WeightsError::BadMagic);
        assert!(matches!(
            Weights::from_bytes(&b[..b.len() - 7]).unwrap_err(),
            WeightsError::Truncated { .. }
        ));
        let mut c = b.clone();
        let last = c.len() - 3;
        c[last] ^= 0xFF;
        assert_eq!(Weights::from_bytes(&c).unwrap_err(), WeightsError::Checksum);
        let mut v = b.clone();
        v[4] = 9;
        assert_eq!(
            Weights::from_bytes(&v).unwrap_err(),
            WeightsError::UnsupportedVersion(9)
        );
        assert!(Weights::from_bytes(&[]).is_err());
        assert!(Weights::from_bytes(&vec![0u8; 5000]).is_err());
    }

    #[test]
    fn wrong_shape_is_clear_error() {
        let dev = cpu();
        // A head trained for 32-d input stored under the 64-d input tag.
        let ae = module_bytes(&Autoencoder::new(&dev));
        let head = module_bytes(&RatingHead::new(32, &dev));
        let b = pack(&ae, &head, HeadInput::EmbeddingProfile.tag(), 1, 0.5);
        let err = Weights::from_bytes(&b).unwrap_err();
        assert!(
            matches!(
                err,
                WeightsError::Shape {
                    part: "rating head",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("shape"), "{err}");
        // Head bytes where the autoencoder should be.
        let b = pack(&head, &ae, 0, 1, 0.5);
        assert!(matches!(
            Weights::from_bytes(&b).unwrap_err(),
            WeightsError::Shape { .. }
        ));
        // A tensor stored as I32 (burn itself would panic on it).
        let mut ints = ae.clone();
        let at = ints.windows(4).position(|w| w == b"\x63F32").unwrap();
        ints[at + 1] = b'I';
        let err = Weights::from_bytes(&pack(&ints, &head, 0, 1, 0.5)).unwrap_err();
        assert!(
            matches!(&err, WeightsError::Dtype { part: "autoencoder", found, .. } if found == "I32"),
            "{err}"
        );
        assert!(err.to_string().contains("F32"), "{err}");
        // Metadata in another CBOR form (a tag in front of the map).
        let mut tagged = ae.clone();
        tagged.insert(10, 0xc0);
        let size = u32::from_le_bytes(tagged[6..10].try_into().unwrap()) + 1;
        tagged[6..10].copy_from_slice(&size.to_le_bytes());
        assert!(matches!(
            Weights::from_bytes(&pack(&tagged, &head, 0, 1, 0.5)).unwrap_err(),
            WeightsError::Decode { .. }
        ));
        // Garbage payload with a valid checksum.
        let b = pack(&[1, 2, 3, 4, 5, 6, 7, 8], &head, 0, 1, 0.5);
        assert!(matches!(
            Weights::from_bytes(&b).unwrap_err(),
            WeightsError::Decode { .. }
        ));
    }
}
