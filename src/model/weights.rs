//! The one weights file the page loads (`www/weights.bin`): the autoencoder and the rating head
//! as named f32 tensors, readable without burn (the page's wasm carries no burn).
//!
//! Layout (little endian):
//! ```text
//! 0  magic      b"SNDW"
//! 4  version    u16 (= 3; 2 held burnpack records, 1 had 16 inputs and no objective)
//! 6  head_input u8  (HeadInput tag)
//! 7  objective  u8  (Objective tag: 0 paper, 1 taste)
//! 8  n_in       u16 (= 21)   10 emb u16 (= 32)
//! 12 blend      f32 (default hybrid blend chosen by measurement)
//! 16 ae_len     u32          20 head_len u32
//! 24 crc32      u32 of the payload
//! 28 payload    tensors(autoencoder) ++ tensors(head)
//! ```
//! A tensors section (also the tuned head's, `model::tuned`):
//! ```text
//! count u16, then per tensor: name_len u8, name (UTF-8), rank u8 (1 or 2), dims u32 × rank,
//! data f32 × product(dims), row-major (a Dense weight is [d_in][d_out])
//! ```
//! [`Weights::from_bytes`] never panics: every failure is a [`WeightsError`].

use super::dense::Dense;
use super::{HeadInput, Objective, EMB, HIDDEN, N_IN};

const MAGIC: &[u8; 4] = b"SNDW";
/// Format version this build writes and reads.
pub const VERSION: u16 = 3;
const HEADER: usize = 28;
/// BatchNorm's epsilon: burn's `BatchNormConfig` default, which training uses.
pub const BN_EPSILON: f32 = 1e-5;

/// Why a weights file could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    #[error("weights file too short: {0} bytes, header needs {HEADER}")]
    TooShort(usize),
    #[error("not a soundalike weights file (bad magic)")]
    BadMagic,
    #[error("unsupported weights version {0} (this build reads version {VERSION}; write the file again with `soundalike train`)")]
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
}

/// An inference-mode BatchNorm: `(x − mean) / sqrt(var + ε) · gamma + beta`.
#[derive(Debug, Clone, PartialEq)]
pub struct Norm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
}

/// The autoencoder's weights: `N_IN → 64 → BatchNorm → ReLU → 32 → 64 → BatchNorm → ReLU → N_IN`.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoencoderWeights {
    pub enc1: Dense,
    pub enc_bn: Norm,
    pub enc2: Dense,
    pub dec1: Dense,
    pub dec_bn: Norm,
    pub dec2: Dense,
}

/// A rating head (`width → 64 → ReLU → 32 → ReLU → 1`, dropout 0.2 in training) plus the kind
/// of input it was trained on.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub fc1: Dense,
    pub fc2: Dense,
    pub out: Dense,
    pub input: HeadInput,
}

/// The autoencoder and the rating head.
#[derive(Debug, Clone)]
pub struct Weights {
    pub autoencoder: AutoencoderWeights,
    pub head: Head,
    /// Default hybrid blend (weight of cosine), chosen on validation playlists.
    pub blend: f32,
    /// What the autoencoder was trained for (and so which inputs it reads).
    pub objective: Objective,
}

fn rd_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn rd_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// One named tensor of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Serialise named tensors as a section (see the module docs).
pub fn write_tensors(tensors: &[Named]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(tensors.len() as u16).to_le_bytes());
    for t in tensors {
        out.push(t.name.len() as u8);
        out.extend_from_slice(t.name.as_bytes());
        out.push(t.shape.len() as u8);
        for &d in &t.shape {
            out.extend_from_slice(&(d as u32).to_le_bytes());
        }
        for v in &t.data {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Parse a section into its tensors: every length checked before it is used, the section read
/// to its last byte, names unique, every value finite.
pub fn read_tensors(b: &[u8], part: &'static str) -> Result<Vec<Named>, WeightsError> {
    let err = |msg: String| WeightsError::Decode { part, msg };
    let mut at = 0usize;
    let mut take = |n: usize, what: &str| -> Result<&[u8], WeightsError> {
        let s = at
            .checked_add(n)
            .and_then(|end| b.get(at..end))
            .ok_or_else(|| err(format!("cut short in {what}")))?;
        at += n;
        Ok(s)
    };
    let count = u16::from_le_bytes(take(2, "the tensor count")?.try_into().expect("2"));
    let mut out: Vec<Named> = Vec::with_capacity(usize::from(count).min(64));
    for _ in 0..count {
        let len = take(1, "a name")?[0] as usize;
        let name = std::str::from_utf8(take(len, "a name")?)
            .map_err(|_| err("a tensor name is not UTF-8".into()))?
            .to_string();
        if out.iter().any(|t| t.name == name) {
            return Err(err(format!("tensor {name} appears twice")));
        }
        let rank = take(1, "a shape")?[0] as usize;
        if !(1..=2).contains(&rank) {
            return Err(err(format!(
                "tensor {name} has rank {rank} (1 or 2 expected)"
            )));
        }
        let mut shape = Vec::with_capacity(rank);
        for _ in 0..rank {
            shape.push(u32::from_le_bytes(take(4, "a shape")?.try_into().expect("4")) as usize);
        }
        let n = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(|| err(format!("tensor {name} is too large")))?;
        let data: Vec<f32> = take(n, &format!("tensor {name}"))?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4")))
            .collect();
        if data.iter().any(|v| !v.is_finite()) {
            return Err(err(format!(
                "tensor {name} holds a value that is not finite"
            )));
        }
        out.push(Named { name, shape, data });
    }
    if at != b.len() {
        return Err(err(format!("{} bytes after the last tensor", b.len() - at)));
    }
    Ok(out)
}

/// Tensors of a section taken by name and checked against the architecture.
struct Section {
    part: &'static str,
    tensors: Vec<Named>,
}

impl Section {
    fn shape_err(&self, msg: String) -> WeightsError {
        WeightsError::Shape {
            part: self.part,
            msg,
        }
    }

    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, WeightsError> {
        let i = self
            .tensors
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| self.shape_err(format!("tensor {name} is missing")))?;
        let t = self.tensors.swap_remove(i);
        if t.shape != shape {
            return Err(self.shape_err(format!(
                "tensor {name} has shape {:?}, the architecture needs {shape:?}",
                t.shape
            )));
        }
        Ok(t.data)
    }

    fn dense(&mut self, name: &str, d_in: usize, d_out: usize) -> Result<Dense, WeightsError> {
        Ok(Dense {
            d_in,
            d_out,
            w: self.take(&format!("{name}.weight"), &[d_in, d_out])?,
            b: self.take(&format!("{name}.bias"), &[d_out])?,
        })
    }

    fn norm(&mut self, name: &str, n: usize) -> Result<Norm, WeightsError> {
        Ok(Norm {
            gamma: self.take(&format!("{name}.gamma"), &[n])?,
            beta: self.take(&format!("{name}.beta"), &[n])?,
            mean: self.take(&format!("{name}.running_mean"), &[n])?,
            var: self.take(&format!("{name}.running_var"), &[n])?,
        })
    }

    /// Every tensor used: anything left is not this architecture's.
    fn finish(self) -> Result<(), WeightsError> {
        match self.tensors.first() {
            Some(t) => Err(self.shape_err(format!("unexpected tensor {}", t.name))),
            None => Ok(()),
        }
    }
}

fn put_dense(out: &mut Vec<Named>, name: &str, d: &Dense) {
    out.push(Named {
        name: format!("{name}.weight"),
        shape: vec![d.d_in, d.d_out],
        data: d.w.clone(),
    });
    out.push(Named {
        name: format!("{name}.bias"),
        shape: vec![d.d_out],
        data: d.b.clone(),
    });
}

fn put_norm(out: &mut Vec<Named>, name: &str, n: &Norm) {
    for (k, v) in [
        ("gamma", &n.gamma),
        ("beta", &n.beta),
        ("running_mean", &n.mean),
        ("running_var", &n.var),
    ] {
        out.push(Named {
            name: format!("{name}.{k}"),
            shape: vec![v.len()],
            data: v.clone(),
        });
    }
}

impl AutoencoderWeights {
    /// The section's tensors.
    pub fn tensors(&self) -> Vec<Named> {
        let mut t = Vec::new();
        put_dense(&mut t, "enc1", &self.enc1);
        put_norm(&mut t, "enc_bn", &self.enc_bn);
        put_dense(&mut t, "enc2", &self.enc2);
        put_dense(&mut t, "dec1", &self.dec1);
        put_norm(&mut t, "dec_bn", &self.dec_bn);
        put_dense(&mut t, "dec2", &self.dec2);
        t
    }

    /// Read a section written by [`AutoencoderWeights::tensors`].
    pub fn from_section(b: &[u8]) -> Result<Self, WeightsError> {
        let part = "autoencoder";
        let mut s = Section {
            part,
            tensors: read_tensors(b, part)?,
        };
        let ae = Self {
            enc1: s.dense("enc1", N_IN, HIDDEN)?,
            enc_bn: s.norm("enc_bn", HIDDEN)?,
            enc2: s.dense("enc2", HIDDEN, EMB)?,
            dec1: s.dense("dec1", EMB, HIDDEN)?,
            dec_bn: s.norm("dec_bn", HIDDEN)?,
            dec2: s.dense("dec2", HIDDEN, N_IN)?,
        };
        s.finish()?;
        Ok(ae)
    }
}

impl Head {
    /// The head's tensors as a section (what the weights file and a tuned head store).
    pub fn to_section(&self) -> Vec<u8> {
        let mut t = Vec::new();
        put_dense(&mut t, "fc1", &self.fc1);
        put_dense(&mut t, "fc2", &self.fc2);
        put_dense(&mut t, "out", &self.out);
        write_tensors(&t)
    }

    /// Read a section written by [`Head::to_section`] for a head of kind `input`.
    pub fn from_section(
        b: &[u8],
        input: HeadInput,
        part: &'static str,
    ) -> Result<Self, WeightsError> {
        let mut s = Section {
            part,
            tensors: read_tensors(b, part)?,
        };
        let head = Self {
            fc1: s.dense("fc1", input.width(), HIDDEN)?,
            fc2: s.dense("fc2", HIDDEN, 32)?,
            out: s.dense("out", 32, 1)?,
            input,
        };
        s.finish()?;
        Ok(head)
    }
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
        let autoencoder = AutoencoderWeights::from_section(&payload[..ae_len])?;
        let head = Head::from_section(&payload[ae_len..], input, "rating head")?;
        let blend = if blend.is_finite() {
            blend.clamp(0.0, 1.0)
        } else {
            0.5
        };
        Ok(Self {
            autoencoder,
            head,
            blend,
            objective,
        })
    }

    /// Serialise (what `soundalike train` writes to `www/weights.bin`).
    pub fn to_bytes(&self) -> Vec<u8> {
        pack(
            &write_tensors(&self.autoencoder.tensors()),
            &self.head.to_section(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cpu;

    fn sample() -> Vec<u8> {
        let dev = cpu();
        Weights {
            autoencoder: AutoencoderWeights::from_module(&crate::model::Autoencoder::new(&dev)),
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
        assert_eq!(w.to_bytes(), b, "a round trip changed the file");
        // and through burn modules and back
        let dev = cpu();
        let again = Weights {
            autoencoder: AutoencoderWeights::from_module(&w.autoencoder.module(&dev)),
            head: Head::from_net(&w.head.net(&dev), w.head.input),
            ..w
        };
        assert_eq!(again.to_bytes(), b, "burn modules changed the weights");
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
        v[4] = 2;
        let err = Weights::from_bytes(&v).unwrap_err();
        assert_eq!(err, WeightsError::UnsupportedVersion(2));
        assert!(err.to_string().contains("soundalike train"), "{err}");
        assert!(Weights::from_bytes(&[]).is_err());
        assert!(Weights::from_bytes(&vec![0u8; 5000]).is_err());
    }

    #[test]
    fn wrong_shape_is_clear_error() {
        let dev = cpu();
        let w = Weights::from_bytes(&sample()).unwrap();
        let ae = write_tensors(&w.autoencoder.tensors());
        // A head trained for 32-d input stored under the 64-d input tag.
        let head = Head::new(HeadInput::Embedding, &dev).to_section();
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
        // Head tensors where the autoencoder should be.
        let b = pack(&head, &ae, 0, 1, 0.5);
        assert!(matches!(
            Weights::from_bytes(&b).unwrap_err(),
            WeightsError::Shape { .. }
        ));
        // A tensor missing, one too many, one twice.
        let mut t = w.autoencoder.tensors();
        t.remove(0);
        let err = Weights::from_bytes(&pack(&write_tensors(&t), &head, 0, 1, 0.5)).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        let mut t = w.autoencoder.tensors();
        t.push(Named {
            name: "extra".into(),
            shape: vec![1],
            data: vec![0.0],
        });
        let err = Weights::from_bytes(&pack(&write_tensors(&t), &head, 0, 1, 0.5)).unwrap_err();
        assert!(err.to_string().contains("unexpected tensor extra"), "{err}");
        let mut t = w.autoencoder.tensors();
        t.push(t[0].clone());
        let err = Weights::from_bytes(&pack(&write_tensors(&t), &head, 0, 1, 0.5)).unwrap_err();
        assert!(matches!(err, WeightsError::Decode { .. }), "{err}");
        // A value that is not finite.
        let mut t = w.autoencoder.tensors();
        t[3].data[0] = f32::NAN;
        let err = Weights::from_bytes(&pack(&write_tensors(&t), &head, 0, 1, 0.5)).unwrap_err();
        assert!(err.to_string().contains("not finite"), "{err}");
        // A huge claimed shape, and garbage, with a valid checksum.
        let mut t = w.autoencoder.tensors();
        t[0].shape = vec![u32::MAX as usize, u32::MAX as usize];
        t[0].data.clear();
        let b = pack(&write_tensors(&t), &head, 0, 1, 0.5);
        assert!(matches!(
            Weights::from_bytes(&b).unwrap_err(),
            WeightsError::Decode { .. }
        ));
        let b = pack(&[1, 2, 3, 4, 5, 6, 7, 8], &head, 0, 1, 0.5);
        assert!(matches!(
            Weights::from_bytes(&b).unwrap_err(),
            WeightsError::Decode { .. }
        ));
    }
}
