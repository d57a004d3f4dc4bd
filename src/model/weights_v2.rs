//! Version 2 of the weights file (burnpack records), read natively only to convert a file to
//! version 3 ([`upgrade`]): the committed weights were converted with it, and a test checks the
//! conversion is lossless. Nothing else reads version 2; `Weights::from_bytes` refuses it.

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use super::weights::{AutoencoderWeights, Head, Weights, WeightsError};
use super::{cpu, Autoencoder, HeadInput, Objective, RatingHead};

const HEADER: usize = 28;

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

/// The burn modules of a version-2 file: autoencoder, head, head input, objective, blend.
pub fn read(
    bytes: &[u8],
) -> Result<(Autoencoder, RatingHead, HeadInput, Objective, f32), WeightsError> {
    let decode = |msg: &str| WeightsError::Decode {
        part: "version 2 file",
        msg: msg.into(),
    };
    if bytes.len() < HEADER || &bytes[0..4] != b"SNDW" || bytes[4..6] != [2, 0] {
        return Err(decode("not a version 2 weights file"));
    }
    let input = HeadInput::from_tag(bytes[6]).ok_or(WeightsError::UnknownHeadInput(bytes[6]))?;
    let objective =
        Objective::from_tag(bytes[7]).ok_or(WeightsError::UnknownObjective(bytes[7]))?;
    let blend = f32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
    let ae_len = rd_u32(bytes, 16) as usize;
    let payload = &bytes[HEADER..];
    if payload.len() < ae_len || crc32fast::hash(payload) != rd_u32(bytes, 24) {
        return Err(WeightsError::Checksum);
    }
    let dev = cpu();
    let ae = load_into(Autoencoder::new(&dev), &payload[..ae_len], "autoencoder")?;
    let head = load_into(
        RatingHead::new(input.width(), &dev),
        &payload[ae_len..],
        "rating head",
    )?;
    Ok((ae.valid(), head.valid(), input, objective, blend))
}

/// A version-2 file as version 3: the same f32 values, tensor by tensor.
pub fn upgrade(bytes: &[u8]) -> Result<Vec<u8>, WeightsError> {
    let (ae, head, input, objective, blend) = read(bytes)?;
    Ok(Weights {
        autoencoder: AutoencoderWeights::from_module(&ae),
        head: Head::from_net(&head, input),
        blend,
        objective,
    }
    .to_bytes())
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
                let found = c.text().map_err(|_| decode("a non-plain dtype"))?;
                if found != b"F32" {
                    return Err(decode(&format!(
                        "tensor {name} is stored as {}, not F32",
                        String::from_utf8_lossy(found)
                    )));
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
