//! The first stage of a ranking: every track's taste score from a compact integer copy of the
//! unit embeddings, with a per-track error bound, so that exact f32 scores are computed only for
//! the tracks that could be among the best.
//!
//! The embeddings are nearly low-rank (the autoencoder maps 16 inputs to 32 dimensions): in an
//! orthonormal basis of their principal directions, the first [`LEAD`] coordinates hold about
//! 99.8% of a unit embedding's squared length. Each track stores those [`LEAD`] coordinates as
//! 12-bit integers `codes · scale` (one scale per track), the norm of what rounding lost
//! (`resid`), and the norm of the coordinates left out (`rest`). A query (the interests and
//! dislikes of a [`Taste`]) is rotated and quantized the same way with one scale for all its
//! vectors, so the leading part of a cosine is an exact integer dot product times two scales. A
//! rotation keeps dot products, so `u·c = lead(u)·lead(c) + rest(u)·rest(c)`, and by
//! Cauchy–Schwarz `|u·c − û·ĉ| ≤ resid_u + (1 + resid_u)·resid_c + rest_u·rest_c`. The taste
//! score (a mean of the best cosines minus a weighted best dislike cosine) moves by at most
//! `(1 + dislike_weight)` times that. Keeping every track whose approximate score plus its bound
//! reaches the `n`-th best lower bound is therefore guaranteed to keep the exact top `n` (see
//! [`Candidates::exact_best`]). The basis only decides how tight the bound is, never whether it
//! holds.
//!
//! Tracks are stored in blocks of four, interleaved by pairs of coordinates, so SIMD128 computes
//! four tracks' dot products with one query vector in eight multiply-adds. The blocks are grouped
//! into cells of nearby tracks ([`super::cells`]); a scan visits the cells whose box bound is
//! highest first and skips every cell whose bound is below the running threshold.
//!
//! Knows unit embeddings and a [`Taste`], not catalogs, heads or the page.

use super::cells::{group, visiting_order, CellBox};
use super::nth_best::NthBest;
use super::score::{by_score, keep_best};
use super::taste::top_mean;
use super::taste::{Taste, TOP_M};
use crate::vector::{norm, symmetric_eigen, unit};

/// Leading principal coordinates the scan multiplies; the rest enter the bound by their norm.
pub const LEAD: usize = 16;
/// Coordinate pairs per track (one 16-bit lane pair each).
const PAIRS: usize = LEAD / 2;
/// Tracks per block.
const LANES: usize = 4;
/// Largest code magnitude: 16 products of 12-bit codes stay below 2^27, and three such sums
/// (the top-m) far inside i32.
const LEVELS: f32 = 2047.0;
/// Slack for f32 arithmetic: the exact score's own rounding, and the basis being orthonormal
/// only to f32 precision. Far below the bound.
const SLACK: f32 = 2e-5;
/// Added to a squared rest norm before its square root, so the f32 rounding of `1 − ‖lead‖²`
/// never makes a rest norm too small.
const REST_MARGIN: f32 = 4e-6;
/// Rows the basis is fitted on (evenly strided): the load fits it on the page, and a 32 × 32
/// second moment needs few rows.
const FIT_SAMPLE: usize = 1024;

/// Bytes of a block in [`Quantized::to_bytes`]: the codes, three f32 and the index per track.
const BLOCK_BYTES: usize = std::mem::size_of::<Block>();
/// Bytes of a cell in [`Quantized::to_bytes`].
const CELL_BYTES: usize = std::mem::size_of::<Cell>();
/// A lane that holds no track.
const NO_TRACK: u32 = u32::MAX;

/// Bytes that are not a scan index of this build's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanBytesError {
    #[error("the scan index is {got} bytes where its track and cell counts need {want}")]
    Size { got: usize, want: usize },
    #[error("the scan index's cells do not cover its {blocks} blocks in order")]
    Cells { blocks: usize },
    #[error("the scan index does not hold each of its {len} tracks exactly once")]
    Tracks { len: usize },
}

/// Four tracks: `codes[p]` holds coordinates `2p, 2p+1` of each track in turn, `index` which
/// tracks they are ([`NO_TRACK`] for an empty lane, whose numbers are all zero). Plain old data
/// (`repr(C)`, no padding), so the index travels to the page as its own bytes.
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Block {
    codes: [[i16; 2 * LANES]; PAIRS],
    scale: [f32; LANES],
    resid: [f32; LANES],
    rest: [f32; LANES],
    index: [u32; LANES],
}

/// One track's numbers in the index.
#[derive(Debug, Clone, Copy)]
struct Lane {
    codes: [i16; LEAD],
    scale: f32,
    resid: f32,
    rest: f32,
    index: u32,
}

impl Lane {
    /// The leading coordinates the codes stand for.
    fn dequantized(&self) -> [f32; LEAD] {
        self.codes.map(|c| c as f32 * self.scale)
    }
}

impl Block {
    const EMPTY: Block = Block {
        codes: [[0; 2 * LANES]; PAIRS],
        scale: [0.0; LANES],
        resid: [0.0; LANES],
        rest: [0.0; LANES],
        index: [NO_TRACK; LANES],
    };

    fn set_lane(&mut self, lane: usize, t: &Lane) {
        for (p, pair) in self.codes.iter_mut().enumerate() {
            pair[2 * lane] = t.codes[2 * p];
            pair[2 * lane + 1] = t.codes[2 * p + 1];
        }
        self.scale[lane] = t.scale;
        self.resid[lane] = t.resid;
        self.rest[lane] = t.rest;
        self.index[lane] = t.index;
    }

    fn lane(&self, lane: usize) -> Lane {
        Lane {
            codes: std::array::from_fn(|k| self.codes[k / 2][2 * lane + k % 2]),
            scale: self.scale[lane],
            resid: self.resid[lane],
            rest: self.rest[lane],
            index: self.index[lane],
        }
    }

    /// The first lane holding no track.
    fn free_lane(&self) -> Option<usize> {
        self.index.iter().position(|&i| i == NO_TRACK)
    }
}

/// A run of blocks (up to `end`) and the box of their tracks (none for the open cell).
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Cell {
    bx: CellBox,
    end: u32,
    /// 1 for the cell that rows appended since the last grouping go to (the last one).
    open: u32,
}

/// The integer copy of the unit embeddings. Invariant: `blocks` holds each track `0..len` in
/// exactly one lane (in cell order, not catalog order), every other lane empty; `cells` cover
/// the blocks in order (each ends where the next starts, the last at `blocks.len()`), and each
/// cell's box holds every track of its blocks, but for the open cell (only ever the last one),
/// which has none and takes the tracks appended since the last grouping; `basis` has `D`
/// rows, row `j` holding coordinate `j`'s loading on each leading direction, and the
/// directions are orthonormal (to f32 precision).
#[derive(Debug, Clone)]
pub struct Quantized<const D: usize> {
    basis: Vec<[f32; LEAD]>,
    blocks: Vec<Block>,
    cells: Vec<Cell>,
    len: usize,
}

impl<const D: usize> Default for Quantized<D> {
    /// No rows yet; the coordinate axes as the basis (exact, only slower than a fitted one).
    fn default() -> Self {
        let basis = (0..D)
            .map(|j| std::array::from_fn(|k| if j == k { 1.0 } else { 0.0 }))
            .collect();
        Quantized {
            basis,
            blocks: Vec::new(),
            cells: Vec::new(),
            len: 0,
        }
    }
}

/// A vector in the basis: its leading coordinates and the norm of the others.
struct Rotated {
    lead: [f32; LEAD],
    rest: f32,
}

/// One vector's codes and rounding residual norm, for a given scale.
fn quantize(lead: &[f32; LEAD], scale: f32) -> ([i16; LEAD], f32) {
    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
    // rounding half away from zero by a truncating cast (no libm call); any rounding is exact
    // for the bound, which is measured from the codes
    let codes = lead.map(|x| {
        let v = (x * inv).clamp(-LEVELS, LEVELS);
        (v + 0.5f32.copysign(v)) as i16
    });
    let back: [f32; LEAD] = std::array::from_fn(|k| lead[k] - codes[k] as f32 * scale);
    (codes, norm(&back))
}

fn scale_of<'a>(rows: impl IntoIterator<Item = &'a Rotated>) -> f32 {
    let max = rows
        .into_iter()
        .flat_map(|r| r.lead.iter())
        // a comparison rather than `f32::max`, a libm call in wasm (the coordinates are finite)
        .fold(0.0f32, |m, x| if x.abs() > m { x.abs() } else { m });
    max / LEVELS
}

impl<const D: usize> Quantized<D> {
    /// Quantize rows of any length (their unit vectors), in a basis fitted on them, grouped
    /// into cells.
    pub fn new(rows: &[[f32; D]]) -> Quantized<D> {
        let mut q = Quantized::fitted(rows);
        let lanes = rows
            .iter()
            .enumerate()
            .map(|(i, row)| q.lane_of(row, i))
            .collect();
        q.len = rows.len();
        q.set_grouped(lanes);
        q
    }

    /// No rows yet, in the principal basis of `rows` (any lengths: they are normalised).
    pub fn fitted(rows: &[[f32; D]]) -> Quantized<D> {
        if rows.is_empty() {
            return Quantized::default();
        }
        let stride = rows.len().div_ceil(FIT_SAMPLE).max(1);
        let mut m = vec![vec![0.0f64; D]; D];
        for r in rows.iter().step_by(stride) {
            add_outer(&mut m, &unit(r));
        }
        let full = (0..D)
            .map(|i| (0..D).map(|j| m[i.min(j)][i.max(j)]).collect())
            .collect();
        let (_, vectors) = symmetric_eigen(full);
        let basis = (0..D)
            .map(|j| std::array::from_fn(|k| vectors.get(k).map_or(0.0, |v| v[j] as f32)))
            .collect();
        Quantized {
            basis,
            blocks: Vec::new(),
            cells: Vec::new(),
            len: 0,
        }
    }

    fn rotate(&self, u: &[f32; D]) -> Rotated {
        let lead = self.lead(u);
        let all: f32 = u.iter().map(|x| x * x).sum();
        let kept: f32 = lead.iter().map(|x| x * x).sum();
        Rotated {
            lead,
            // (a comparison: `f32::max` is a libm call in wasm)
            rest: ((if all > kept { all - kept } else { 0.0 }) + REST_MARGIN).sqrt(),
        }
    }

    /// The leading coordinates: a sum of the basis rows scaled by u's coordinates (the inner
    /// loop runs over the 16 directions, which vectorises natively).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn lead(&self, u: &[f32; D]) -> [f32; LEAD] {
        let mut lead = [0.0f32; LEAD];
        for (&x, row) in u.iter().zip(&self.basis) {
            for (l, &b) in lead.iter_mut().zip(row) {
                *l += x * b;
            }
        }
        lead
    }

    /// The same sums in the same order with f32x4 lanes (the page's wasm is size-optimised:
    /// no auto-vectoriser). The engine worker rotates every track of a catalog while it loads.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn lead(&self, u: &[f32; D]) -> [f32; LEAD] {
        use core::arch::wasm32::*;
        const _: () = assert!(LEAD == 16, "four f32x4 lanes below");
        let zero = f32x4_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
        for (&x, row) in u.iter().zip(&self.basis) {
            let s = f32x4_splat(x);
            let p = row.as_ptr();
            // SAFETY: `row` is 16 f32, read as four v128; wasm loads may be unaligned.
            unsafe {
                a0 = f32x4_add(a0, f32x4_mul(s, v128_load(p as *const v128)));
                a1 = f32x4_add(a1, f32x4_mul(s, v128_load(p.add(4) as *const v128)));
                a2 = f32x4_add(a2, f32x4_mul(s, v128_load(p.add(8) as *const v128)));
                a3 = f32x4_add(a3, f32x4_mul(s, v128_load(p.add(12) as *const v128)));
            }
        }
        let mut lead = [0.0f32; LEAD];
        // SAFETY: `lead` is 16 writable f32.
        unsafe {
            let p = lead.as_mut_ptr();
            v128_store(p as *mut v128, a0);
            v128_store(p.add(4) as *mut v128, a1);
            v128_store(p.add(8) as *mut v128, a2);
            v128_store(p.add(12) as *mut v128, a3);
        }
        lead
    }

    /// Row `index`'s lane: its unit vector rotated and quantized. A function of its own, not
    /// inlined: V8 optimises a hot callee while the long loop calling it still runs its first,
    /// baseline code (the engine worker quantizes a whole catalog in one call).
    #[inline(never)]
    fn lane_of(&self, row: &[f32; D], index: usize) -> Lane {
        let r = self.rotate(&unit(row));
        let scale = scale_of([&r]);
        let (codes, resid) = quantize(&r.lead, scale);
        Lane {
            codes,
            scale,
            resid,
            rest: r.rest,
            index: index as u32,
        }
    }

    /// Room for `tracks` more tracks appended to the open cell, so that appending a catalog a
    /// slice at a time does not copy the blocks as they grow.
    pub fn reserve(&mut self, tracks: usize) {
        self.blocks.reserve(tracks.div_ceil(LANES) + 1);
    }

    /// Append rows of any length (their unit vectors: normalised here, one at a time, so callers
    /// keep no unit copy of the embeddings), as tracks `len..`, to the open cell (which every
    /// scan visits; [`Quantized::group`] sorts its tracks into cells).
    pub fn extend(&mut self, rows: &[[f32; D]]) {
        for row in rows {
            let lane = self.lane_of(row, self.len);
            self.push_open(&lane);
            self.len += 1;
        }
    }

    /// Put a track in the open cell (opened after the others when there is none).
    fn push_open(&mut self, t: &Lane) {
        if self.cells.last().is_none_or(|c| c.open == 0) {
            self.cells.push(Cell {
                bx: CellBox::empty(),
                end: self.blocks.len() as u32,
                open: 1,
            });
        }
        // the open cell's last block is the last block, when the cell has one
        let open = self.blocks_of(self.cells.len() - 1);
        let free = self.blocks[open].last().and_then(Block::free_lane);
        put(&mut self.blocks, free.unwrap_or(0), t);
        if let Some(cell) = self.cells.last_mut() {
            cell.end = self.blocks.len() as u32;
        }
    }

    /// The blocks of cell `c`.
    #[inline(always)]
    fn blocks_of(&self, c: usize) -> std::ops::Range<usize> {
        let start = match c {
            0 => 0,
            _ => self.cells[c - 1].end as usize,
        };
        start..self.cells[c].end as usize
    }

    /// Every track's lane, cell by cell (the cell's number beside it).
    fn cell_lanes(&self) -> Vec<(usize, Lane)> {
        let mut out = Vec::with_capacity(self.len);
        for c in 0..self.cells.len() {
            for b in &self.blocks[self.blocks_of(c)] {
                for lane in 0..LANES {
                    if b.index[lane] != NO_TRACK {
                        out.push((c, b.lane(lane)));
                    }
                }
            }
        }
        out
    }

    /// Group every track into cells of nearby tracks (see [`super::cells`]); none is open after.
    /// Nothing to do when no cell is open (an index read from bytes, or grouped already).
    pub fn group(&mut self) {
        if self.cells.last().is_none_or(|c| c.open == 0) {
            return;
        }
        let lanes = self.cell_lanes().into_iter().map(|(_, l)| l).collect();
        self.set_grouped(lanes);
    }

    /// The blocks and cells of these lanes, grouped.
    fn set_grouped(&mut self, lanes: Vec<Lane>) {
        let (order, ends) = group(lanes.len(), LEAD, |i, k| {
            lanes[i].codes[k] as f32 * lanes[i].scale
        });
        self.blocks = Vec::with_capacity(lanes.len().div_ceil(LANES) + ends.len());
        self.cells = Vec::with_capacity(ends.len());
        let mut start = 0;
        for end in ends {
            // (a cell's last block may have empty lanes)
            let mut bx = CellBox::empty();
            for (k, &i) in order[start..end].iter().enumerate() {
                place(&mut self.blocks, &mut bx, k % LANES, &lanes[i as usize]);
            }
            self.cells.push(Cell {
                bx,
                end: self.blocks.len() as u32,
                open: 0,
            });
            start = end;
        }
    }

    /// Drop every track from `len` on (each cell keeps the rest of its tracks, and its box).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let mut kept: Vec<Vec<Lane>> = vec![Vec::new(); self.cells.len()];
        for (c, lane) in self.cell_lanes() {
            if (lane.index as usize) < len {
                kept[c].push(lane);
            }
        }
        self.blocks.clear();
        for (cell, lanes) in self.cells.iter_mut().zip(kept) {
            for (k, t) in lanes.iter().enumerate() {
                put(&mut self.blocks, k % LANES, t);
            }
            cell.end = self.blocks.len() as u32;
        }
        self.len = len;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether both quantize in the same basis, bit for bit (fitted on the same rows).
    pub fn same_basis(&self, other: &Quantized<D>) -> bool {
        let (a, b) = (self.basis.as_flattened(), other.basis.as_flattened());
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index in three parts (native byte order, which is little-endian on wasm and on
    /// every target the CLI runs on): a head (track and cell counts, the basis) and the cells and
    /// blocks as they are in memory, for the engine worker to hand the page the index it built
    /// as three buffers that the page copies straight into its vectors.
    pub fn parts(&self) -> (Vec<u8>, &[u8], &[u8]) {
        let mut head = Vec::with_capacity(16 + 4 * D * LEAD);
        head.extend_from_slice(&(self.len as u64).to_le_bytes());
        head.extend_from_slice(&(self.cells.len() as u64).to_le_bytes());
        head.extend_from_slice(bytemuck::cast_slice(self.basis.as_slice()));
        (
            head,
            bytemuck::cast_slice(self.cells.as_slice()),
            bytemuck::cast_slice(self.blocks.as_slice()),
        )
    }

    /// The parts in one run of bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (head, cells, blocks) = self.parts();
        [head.as_slice(), cells, blocks].concat()
    }

    /// The track and cell counts and the basis a head holds.
    fn read_head(head: &[u8]) -> Result<(usize, usize, Vec<[f32; LEAD]>), ScanBytesError> {
        let want = 16 + 4 * D * LEAD;
        let count = |at: usize| {
            head.get(at..at + 8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .and_then(|n| usize::try_from(n).ok())
        };
        match (count(0), count(8)) {
            (Some(len), Some(cells)) if head.len() == want => {
                Ok((len, cells, pod_vec(&head[16..])))
            }
            _ => Err(ScanBytesError::Size {
                got: head.len(),
                want,
            }),
        }
    }

    /// [`Quantized::parts`] read back, or what is wrong with them.
    pub fn from_parts(
        head: &[u8],
        cells: Vec<Cell>,
        blocks: Vec<Block>,
    ) -> Result<Quantized<D>, ScanBytesError> {
        let (len, n_cells, basis) = Self::read_head(head)?;
        if cells.len() != n_cells {
            return Err(ScanBytesError::Cells {
                blocks: blocks.len(),
            });
        }
        let q = Quantized {
            basis,
            cells,
            blocks,
            len,
        };
        q.check()?;
        Ok(q)
    }

    /// [`Quantized::to_bytes`] read back, or what is wrong with the bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Quantized<D>, ScanBytesError> {
        let head = 16 + 4 * D * LEAD;
        let too_short = ScanBytesError::Size {
            got: bytes.len(),
            want: head,
        };
        let (_, cells, _) = Self::read_head(bytes.get(..head).ok_or(too_short.clone())?)?;
        let after_cells = cells
            .checked_mul(CELL_BYTES)
            .and_then(|c| c.checked_add(head))
            .filter(|&a| a <= bytes.len())
            .ok_or(too_short)?;
        let rest = bytes.len() - after_cells;
        if !rest.is_multiple_of(BLOCK_BYTES) {
            return Err(ScanBytesError::Size {
                got: bytes.len(),
                want: after_cells + rest / BLOCK_BYTES * BLOCK_BYTES,
            });
        }
        // copies: the bytes need not be aligned for f32
        Self::from_parts(
            &bytes[..head],
            pod_vec(&bytes[head..after_cells]),
            pod_vec(&bytes[after_cells..]),
        )
    }

    /// The invariant, for an index read from bytes (boxes are trusted: they only make a scan
    /// skip or visit cells).
    fn check(&self) -> Result<(), ScanBytesError> {
        let blocks = self.blocks.len();
        let mut start = 0;
        for (k, c) in self.cells.iter().enumerate() {
            let end = c.end as usize;
            let open_ok = c.open == 0 || (c.open == 1 && k + 1 == self.cells.len());
            if end < start || !open_ok {
                return Err(ScanBytesError::Cells { blocks });
            }
            start = end;
        }
        if start != blocks {
            return Err(ScanBytesError::Cells { blocks });
        }
        let mut seen = vec![false; self.len];
        let mut count = 0;
        for b in &self.blocks {
            for &i in &b.index {
                if i == NO_TRACK {
                    continue;
                }
                match seen.get_mut(i as usize) {
                    Some(s) if !*s => *s = true,
                    _ => return Err(ScanBytesError::Tracks { len: self.len }),
                }
                count += 1;
            }
        }
        if count != self.len {
            return Err(ScanBytesError::Tracks { len: self.len });
        }
        Ok(())
    }

    /// Approximate taste scores and their bounds for the tracks that `keep` admits and that could
    /// be among the best `n`: a running bound on the `n`-th best lower bound so far
    /// ([`NthBest`]) drops every track whose upper bound is already below it. That threshold
    /// only rises and never exceeds the final `n`-th best lower bound, so no track of the exact
    /// top `n` is dropped, and the tracks holding the `n` best lower bounds are all kept. `keep`
    /// is asked only about tracks whose upper bound reaches the threshold.
    pub fn scan(
        &self,
        taste: &Taste<D>,
        n: usize,
        mut keep: impl FnMut(usize) -> bool,
    ) -> Candidates {
        let q = QuantQuery::new(self, taste);
        let mut out = Candidates {
            // (about 9n candidates at 66k tracks and 5 likes: no regrowing on the way)
            rows: Vec::with_capacity(n.saturating_mul(10).min(self.len)),
            n,
            threshold: f32::NEG_INFINITY,
        };
        if n == 0 {
            return out;
        }
        // the n-th best lower bound so far (at most the final one, so no track of the exact top
        // n is dropped), raised after every candidate
        let mut nth = NthBest::new(n);
        let mut threshold = f32::NEG_INFINITY;
        // cells by their box bounds, highest first; a cell whose bound is below the threshold
        // holds no track that could reach it
        // (the open cell has no box: every scan visits it)
        let bounds: Vec<f32> = self
            .cells
            .iter()
            .map(|c| match c.open {
                0 => q.cell_bound(&c.bx),
                _ => f32::INFINITY,
            })
            .collect();
        let blocks = self.blocks.as_slice();
        for c in visiting_order(&bounds) {
            let c = c as usize;
            if bounds[c] < threshold {
                continue;
            }
            for block in &blocks[self.blocks_of(c)] {
                let Some((approx, bound)) = q.eval(block, threshold) else {
                    continue;
                };
                for lane in 0..LANES {
                    // (an empty lane's index is past every track)
                    let i = block.index[lane] as usize;
                    if approx[lane] + bound[lane] < threshold || i >= self.len || !keep(i) {
                        continue;
                    }
                    nth.push(approx[lane] - bound[lane]);
                    threshold = nth.bound();
                    out.rows.push(Candidate {
                        index: i as u32,
                        approx: approx[lane],
                        bound: bound[lane],
                    });
                }
            }
        }
        out.threshold = threshold;
        out
    }
}

/// Add `u`'s outer product to the upper triangle of `m`. Functions of their own, here and in
/// [`place`], not inlined: V8 optimises a hot callee while the long loop calling it still runs
/// its first, baseline code (the engine worker builds a catalog's index in one call).
#[inline(never)]
fn add_outer<const D: usize>(m: &mut [Vec<f64>], u: &[f32; D]) {
    for (i, row) in m.iter_mut().enumerate() {
        let ui = u[i] as f64;
        for (x, &uj) in row[i..].iter_mut().zip(&u[i..]) {
            *x += ui * uj as f64;
        }
    }
}

/// Put a track in lane `lane` of the last block (a new one for lane 0), and in its cell's box.
#[inline(never)]
fn place(blocks: &mut Vec<Block>, bx: &mut CellBox, lane: usize, t: &Lane) {
    put(blocks, lane, t);
    bx.widen(&t.dequantized(), t.resid, t.rest);
}

/// Put a track in lane `lane` of the last block (a new one for lane 0).
fn put(blocks: &mut Vec<Block>, lane: usize, t: &Lane) {
    if lane == 0 || blocks.is_empty() {
        blocks.push(Block::EMPTY);
    }
    if let Some(b) = blocks.last_mut() {
        b.set_lane(lane, t);
    }
}

/// `bytes` (a whole number of `T`s) as a `Vec<T>`, copied once: no zero fill first, which at a
/// million tracks cost more than the copy.
fn pod_vec<T: bytemuck::Pod>(bytes: &[u8]) -> Vec<T> {
    let size = std::mem::size_of::<T>().max(1);
    let n = bytes.len() / size;
    let mut v: Vec<T> = Vec::with_capacity(n);
    // SAFETY: the capacity holds `n · size` bytes, all written before `set_len`; any bytes are a
    // valid `T` (Pod); the source is a distinct allocation.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), v.as_mut_ptr().cast::<u8>(), n * size);
        v.set_len(n);
    }
    v
}

/// One query vector's codes, each coordinate pair packed in an i32 (low half first), as a
/// block's lanes hold a track's pair; with SIMD128 each pair is already splat to four lanes.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Packed = [i32; PAIRS];
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Packed = [core::arch::wasm32::v128; PAIRS];

fn pack(codes: &[i16; LEAD]) -> Packed {
    let pair = |p: usize| (codes[2 * p] as u16 as i32) | ((codes[2 * p + 1] as i32) << 16);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return std::array::from_fn(|p| core::arch::wasm32::i32x4_splat(pair(p)));
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    std::array::from_fn(pair)
}

/// A taste's vectors rotated and quantized with one common scale.
struct QuantQuery {
    /// The interests' leading coordinates and rest norms, for the cells' box bounds.
    rotated: Vec<([f32; LEAD], f32)>,
    interests: Vec<Packed>,
    dislikes: Vec<Packed>,
    /// The largest rounding residual norm, and the largest rest norm, of the query's vectors.
    resid: f32,
    rest: f32,
    /// How many of the best interest dots the score averages (1..=TOP_M).
    top_m: usize,
    /// What an integer dot becomes in the score, before the track's scale: the common scale
    /// over `top_m` for the interests, times the dislike weight for the dislikes.
    per_best: f32,
    per_dislike: f32,
    /// How much a cosine error moves the score: 1 for the top-m mean, plus the dislike weight.
    bound_factor: f32,
}

impl QuantQuery {
    fn new<const D: usize>(q: &Quantized<D>, taste: &Taste<D>) -> QuantQuery {
        let interests: Vec<Rotated> = taste.interest_rows().iter().map(|u| q.rotate(u)).collect();
        let dislikes: Vec<Rotated> = taste.dislike_rows().iter().map(|u| q.rotate(u)).collect();
        let scale = scale_of(interests.iter().chain(&dislikes));
        let rest = interests
            .iter()
            .chain(&dislikes)
            .fold(0.0f32, |m, r| m.max(r.rest));
        let mut resid = 0.0f32;
        let mut packed = |rows: &[Rotated]| -> Vec<Packed> {
            rows.iter()
                .map(|r| {
                    let (c, e) = quantize(&r.lead, scale);
                    resid = resid.max(e);
                    pack(&c)
                })
                .collect()
        };
        let interests_p = packed(&interests);
        let dislikes_p = packed(&dislikes);
        let w = if dislikes_p.is_empty() {
            0.0
        } else {
            taste.dislike_weight()
        };
        let top_m = taste.top_m().clamp(1, TOP_M);
        QuantQuery {
            rotated: interests.iter().map(|r| (r.lead, r.rest)).collect(),
            interests: interests_p,
            dislikes: dislikes_p,
            resid,
            rest,
            top_m,
            per_best: scale / top_m as f32,
            per_dislike: w * scale,
            bound_factor: 1.0 + w,
        }
    }

    /// An upper bound on the taste score of every track in a box (see [`super::cells`]).
    fn cell_bound(&self, bx: &CellBox) -> f32 {
        top_mean(
            self.rotated
                .iter()
                .map(|(lead, rest)| bx.bound(lead, *rest)),
            self.top_m,
        )
    }

    /// (approximate score, error bound) of a block's four tracks, or `None` when no track's
    /// upper bound reaches `threshold`. The portable loop: other targets, and the reference the
    /// x86-64 lanes are tested against.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
    #[inline(always)]
    fn eval_portable(&self, b: &Block, threshold: f32) -> Option<([f32; LANES], [f32; LANES])> {
        let dot = |c: &Packed, lane: usize| -> i32 {
            let mut s = 0i32;
            for (pair, &qc) in b.codes.iter().zip(c) {
                let (lo, hi) = (qc as i16 as i32, qc >> 16);
                s += pair[2 * lane] as i32 * lo + pair[2 * lane + 1] as i32 * hi;
            }
            s
        };
        let mut approx = [0.0f32; LANES];
        let mut bound = [0.0f32; LANES];
        let mut any = false;
        for lane in 0..LANES {
            let mut best = [i32::MIN / 4; TOP_M];
            for c in &self.interests {
                let mut s = dot(c, lane);
                for b in best.iter_mut() {
                    let hi = (*b).max(s);
                    s = (*b).min(s);
                    *b = hi;
                }
            }
            let dis = self.dislikes.iter().map(|d| dot(d, lane)).fold(0, i32::max);
            let sum: i32 = best[..self.top_m].iter().sum();
            approx[lane] =
                b.scale[lane] * (sum as f32 * self.per_best - dis as f32 * self.per_dislike);
            let r = b.resid[lane];
            bound[lane] =
                self.bound_factor * (r + (1.0 + r) * self.resid + b.rest[lane] * self.rest) + SLACK;
            any |= approx[lane] + bound[lane] >= threshold;
        }
        any.then_some((approx, bound))
    }

    #[cfg(not(any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        target_arch = "x86_64"
    )))]
    #[inline(always)]
    fn eval(&self, b: &Block, threshold: f32) -> Option<([f32; LANES], [f32; LANES])> {
        self.eval_portable(b, threshold)
    }

    /// The same numbers with SSE2 (every x86-64 has it), lane for lane as the SIMD128 version
    /// below: `pmaddwd` is `i32x4.dot_i16x8`. SSE2 has no 32-bit integer max, so it is a compare
    /// and a select. The CLI, eval and bench rank with this.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn eval(&self, b: &Block, threshold: f32) -> Option<([f32; LANES], [f32; LANES])> {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86-64 baseline; every load reads a 16-byte row of the
        // block (8 i16 or 4 f32) unaligned, every store writes a 4-f32 array.
        unsafe {
            let max = |a: __m128i, b: __m128i| {
                let gt = _mm_cmpgt_epi32(a, b);
                _mm_or_si128(_mm_and_si128(gt, a), _mm_andnot_si128(gt, b))
            };
            let min = |a: __m128i, b: __m128i| {
                let gt = _mm_cmpgt_epi32(a, b);
                _mm_or_si128(_mm_and_si128(gt, b), _mm_andnot_si128(gt, a))
            };
            let t: [__m128i; PAIRS] =
                std::array::from_fn(|p| _mm_loadu_si128(b.codes[p].as_ptr() as *const __m128i));
            let dot = |c: &Packed| {
                let d = |p: usize| _mm_madd_epi16(t[p], _mm_set1_epi32(c[p]));
                let s01 = _mm_add_epi32(d(0), d(1));
                let s23 = _mm_add_epi32(d(2), d(3));
                let s45 = _mm_add_epi32(d(4), d(5));
                let s67 = _mm_add_epi32(d(6), d(7));
                _mm_add_epi32(_mm_add_epi32(s01, s23), _mm_add_epi32(s45, s67))
            };
            const _: () = assert!(PAIRS == 8 && TOP_M == 3, "written out for 8 pairs, top 3");
            let floor = _mm_set1_epi32(i32::MIN / 4);
            let (mut b0, mut b1, mut b2) = (floor, floor, floor);
            for c in &self.interests {
                let s = dot(c);
                let (hi, s) = (max(b0, s), min(b0, s));
                b0 = hi;
                let (hi, s) = (max(b1, s), min(b1, s));
                b1 = hi;
                b2 = max(b2, s);
            }
            let sum = match self.top_m {
                1 => b0,
                2 => _mm_add_epi32(b0, b1),
                _ => _mm_add_epi32(_mm_add_epi32(b0, b1), b2),
            };
            let mut dis = _mm_setzero_si128();
            for d in &self.dislikes {
                dis = max(dis, dot(d));
            }
            let scale = _mm_loadu_ps(b.scale.as_ptr());
            let approx = _mm_mul_ps(
                scale,
                _mm_sub_ps(
                    _mm_mul_ps(_mm_cvtepi32_ps(sum), _mm_set1_ps(self.per_best)),
                    _mm_mul_ps(_mm_cvtepi32_ps(dis), _mm_set1_ps(self.per_dislike)),
                ),
            );
            let r = _mm_loadu_ps(b.resid.as_ptr());
            let rest = _mm_loadu_ps(b.rest.as_ptr());
            let inner = _mm_add_ps(
                _mm_add_ps(
                    r,
                    _mm_mul_ps(_mm_add_ps(_mm_set1_ps(1.0), r), _mm_set1_ps(self.resid)),
                ),
                _mm_mul_ps(rest, _mm_set1_ps(self.rest)),
            );
            let bound = _mm_add_ps(
                _mm_mul_ps(_mm_set1_ps(self.bound_factor), inner),
                _mm_set1_ps(SLACK),
            );
            let reach = _mm_cmpge_ps(_mm_add_ps(approx, bound), _mm_set1_ps(threshold));
            if _mm_movemask_ps(reach) == 0 {
                return None;
            }
            let (mut a, mut bd) = ([0.0f32; LANES], [0.0f32; LANES]);
            _mm_storeu_ps(a.as_mut_ptr(), approx);
            _mm_storeu_ps(bd.as_mut_ptr(), bound);
            Some((a, bd))
        }
    }

    /// The same numbers with SIMD128: one `i32x4.dot_i16x8` per coordinate pair gives that
    /// pair's products for all four tracks (integer sums are exact in any order), and the
    /// scores, bounds and the threshold test run on four lanes at once. The block's codes stay
    /// in eight registers for every interest; the dot is written out (at `opt-level = "z"` a
    /// closure with a loop was called per interest and kept the codes on the stack).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn eval(&self, b: &Block, threshold: f32) -> Option<([f32; LANES], [f32; LANES])> {
        use core::arch::wasm32::*;
        // SAFETY: each `codes` row is 16 bytes and each f32 row 16 bytes; wasm loads may be
        // unaligned.
        let load = |p: *const u8| unsafe { v128_load(p as *const v128) };
        let [t0, t1, t2, t3, t4, t5, t6, t7]: [v128; PAIRS] =
            std::array::from_fn(|p| load(b.codes[p].as_ptr() as *const u8));
        #[inline(always)]
        fn dot(t: [v128; PAIRS], c: &Packed) -> v128 {
            let [t0, t1, t2, t3, t4, t5, t6, t7] = t;
            let d = i32x4_dot_i16x8;
            let s01 = i32x4_add(d(t0, c[0]), d(t1, c[1]));
            let s23 = i32x4_add(d(t2, c[2]), d(t3, c[3]));
            let s45 = i32x4_add(d(t4, c[4]), d(t5, c[5]));
            let s67 = i32x4_add(d(t6, c[6]), d(t7, c[7]));
            i32x4_add(i32x4_add(s01, s23), i32x4_add(s45, s67))
        }
        let t = [t0, t1, t2, t3, t4, t5, t6, t7];
        const _: () = assert!(TOP_M == 3, "the network below keeps three");
        let floor = i32x4_splat(i32::MIN / 4);
        let (mut b0, mut b1, mut b2) = (floor, floor, floor);
        for c in &self.interests {
            // the top three of the interests' dots, a sorting network per lane
            let s = dot(t, c);
            let (hi, s) = (i32x4_max(b0, s), i32x4_min(b0, s));
            b0 = hi;
            let (hi, s) = (i32x4_max(b1, s), i32x4_min(b1, s));
            b1 = hi;
            b2 = i32x4_max(b2, s);
        }
        let sum = match self.top_m {
            1 => b0,
            2 => i32x4_add(b0, b1),
            _ => i32x4_add(i32x4_add(b0, b1), b2),
        };
        let mut dis = i32x4_splat(0);
        for d in &self.dislikes {
            dis = i32x4_max(dis, dot(t, d));
        }
        let per_best = f32x4_splat(self.per_best);
        let per_dislike = f32x4_splat(self.per_dislike);
        let scale = load(b.scale.as_ptr() as *const u8);
        let approx = f32x4_mul(
            scale,
            f32x4_sub(
                f32x4_mul(f32x4_convert_i32x4(sum), per_best),
                f32x4_mul(f32x4_convert_i32x4(dis), per_dislike),
            ),
        );
        // bound_factor · (r + (1 + r)·q.resid + rest·q.rest) + SLACK, in the scalar order
        let r = load(b.resid.as_ptr() as *const u8);
        let rest = load(b.rest.as_ptr() as *const u8);
        let inner = f32x4_add(
            f32x4_add(
                r,
                f32x4_mul(f32x4_add(f32x4_splat(1.0), r), f32x4_splat(self.resid)),
            ),
            f32x4_mul(rest, f32x4_splat(self.rest)),
        );
        let bound = f32x4_add(
            f32x4_mul(f32x4_splat(self.bound_factor), inner),
            f32x4_splat(SLACK),
        );
        if !v128_any_true(f32x4_ge(f32x4_add(approx, bound), f32x4_splat(threshold))) {
            return None;
        }
        let lanes = |v: v128| {
            [
                f32x4_extract_lane::<0>(v),
                f32x4_extract_lane::<1>(v),
                f32x4_extract_lane::<2>(v),
                f32x4_extract_lane::<3>(v),
            ]
        };
        Some((lanes(approx), lanes(bound)))
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    index: u32,
    approx: f32,
    bound: f32,
}

/// The approximate scores of one scan.
#[derive(Debug, Clone)]
pub struct Candidates {
    rows: Vec<Candidate>,
    /// The `n` the scan kept candidates for, and a bound at most the `n`-th best lower bound
    /// over every admitted track (−∞ when fewer than `n` were admitted).
    n: usize,
    threshold: f32,
}

impl Candidates {
    /// The exact best `n` of the scan (by [`by_score`]: score, then lower index), best first,
    /// where `exact` gives the exact score of a track. Of the tracks whose upper bound reaches
    /// the `n`-th best lower bound, the `n` with the highest upper bounds are scored exactly
    /// first; their `n`-th best exact score is a floor that any track of the result reaches, so
    /// of the others only those whose upper bound reaches it are scored. Any track left out has
    /// an exact score below the `n`-th best, so the result equals an exact scan of every
    /// admitted track.
    pub fn exact_best(&self, mut exact: impl FnMut(usize) -> f32) -> Vec<(usize, f32)> {
        let n = self.n;
        // (track, upper bound)
        let mut open: Vec<(usize, f32)> = self
            .rows
            .iter()
            .filter(|c| c.approx + c.bound >= self.threshold)
            .map(|c| (c.index as usize, c.approx + c.bound))
            .collect();
        if open.len() > n && n > 0 {
            open.select_nth_unstable_by(n - 1, by_score);
        }
        let (first, rest) = open.split_at(n.min(open.len()));
        let mut best: Vec<(usize, f32)> = first.iter().map(|&(i, _)| (i, exact(i))).collect();
        if !rest.is_empty() {
            let mut scores: Vec<f32> = best.iter().map(|b| b.1).collect();
            let floor = *scores
                .select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a))
                .1;
            // (a tie with the floor may still win on its index; a NaN floor lets every track in)
            best.extend(
                rest.iter()
                    .filter(|&&(_, up)| up >= floor || floor.is_nan())
                    .map(|&(i, _)| (i, exact(i))),
            );
        }
        keep_best(&mut best, n);
        debug_assert!(best.windows(2).all(|w| by_score(&w[0], &w[1]).is_lt()));
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::taste::Profile;
    use crate::rng::Rng64;
    use crate::vector::unit;

    fn random_units(n: usize, seed: u64) -> Vec<[f32; 32]> {
        let mut rng = Rng64::new(seed);
        (0..n)
            .map(|_| unit(&std::array::from_fn(|_| rng.next_f32() * 2.0 - 1.0)))
            .collect()
    }

    /// Unit vectors near a 12-dimensional subspace, as the real embeddings are.
    fn low_rank_units(n: usize, seed: u64) -> Vec<[f32; 32]> {
        let mut rng = Rng64::new(seed);
        let mix: Vec<[f32; 32]> = (0..12)
            .map(|_| std::array::from_fn(|_| rng.next_f32() * 2.0 - 1.0))
            .collect();
        (0..n)
            .map(|_| {
                let z: Vec<f32> = (0..12).map(|_| rng.next_f32() * 2.0 - 1.0).collect();
                unit(&std::array::from_fn(|j| {
                    z.iter().zip(&mix).map(|(a, m)| a * m[j]).sum::<f32>()
                        + 0.02 * (rng.next_f32() * 2.0 - 1.0)
                }))
            })
            .collect()
    }

    /// Every candidate's exact score within its bound, and the exact top `n` for several `n`.
    fn check_exact(units: &[[f32; 32]], q: &Quantized<32>, taste: &Taste<32>) -> usize {
        let keep = |i: usize| !i.is_multiple_of(7);
        let cands = q.scan(taste, 400, keep);
        for c in &cands.rows {
            let exact = taste.score(&units[c.index as usize]);
            assert!(
                (exact - c.approx).abs() <= c.bound,
                "track {}: exact {exact}, approx {}, bound {}",
                c.index,
                c.approx,
                c.bound
            );
        }
        // any n: 1, a few, the pool, more than are admitted
        for n in [1, 7, 400, 6000] {
            let mut all: Vec<(usize, f32)> = (0..units.len())
                .filter(|&i| keep(i))
                .map(|i| (i, taste.score(&units[i])))
                .collect();
            keep_best(&mut all, n);
            let fast = q
                .scan(taste, n, keep)
                .exact_best(|i| taste.score(&units[i]));
            assert_eq!(fast, all, "n = {n}");
        }
        // how many of the n = 400 scan's tracks were scored exactly
        let mut scored = 0;
        cands.exact_best(|i| {
            scored += 1;
            taste.score(&units[i])
        });
        scored
    }

    /// The x86-64 lanes give the portable loop's numbers, bit for bit, on every block (any
    /// threshold: −∞ so every block answers), for 1 to 40 likes, with and without dislikes.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_lanes_equal_the_portable_loop() {
        let units = low_rank_units(3001, 11);
        let q = Quantized::new(&units);
        for (seed, n_likes, n_dis) in [(2, 1, 0), (3, 2, 1), (4, 5, 2), (5, 40, 3)] {
            let likes = low_rank_units(n_likes, seed);
            let dis = low_rank_units(n_dis, seed + 100);
            let taste = Taste::new(&likes, &dis, Profile::MultiInterest, 0.5).unwrap();
            let qq = QuantQuery::new(&q, &taste);
            for b in &q.blocks {
                let (fast, portable) = (
                    qq.eval(b, f32::NEG_INFINITY),
                    qq.eval_portable(b, f32::NEG_INFINITY),
                );
                let bits = |x: Option<([f32; LANES], [f32; LANES])>| {
                    x.map(|(a, b)| (a.map(f32::to_bits), b.map(f32::to_bits)))
                };
                assert_eq!(bits(fast), bits(portable));
                // and the same answer to the threshold
                let t = portable.unwrap().0[0];
                assert_eq!(qq.eval(b, t).is_some(), qq.eval_portable(b, t).is_some());
            }
        }
    }

    #[test]
    fn the_bound_holds_and_the_top_is_exact() {
        // (units, a fitted basis, whether the bound must be tight)
        for (units, fitted, tight) in [
            (low_rank_units(5000, 1), true, true),
            (random_units(5000, 1), true, false),
            (low_rank_units(1234, 6), false, false),
        ] {
            let q = if fitted {
                Quantized::new(&units)
            } else {
                let mut q = Quantized::default();
                q.extend(&units);
                q
            };
            assert_eq!(q.len(), units.len());
            for (seed, n_likes, n_dis) in [(2, 1, 0), (3, 5, 2), (4, 40, 3), (5, 3, 0)] {
                let likes = low_rank_units(n_likes, seed);
                let dis = low_rank_units(n_dis, seed + 100);
                for profile in [Profile::MultiInterest, Profile::Centroid] {
                    let taste = Taste::new(&likes, &dis, profile, 0.5).unwrap();
                    let scored = check_exact(&units, &q, &taste);
                    // near a low-rank subspace, a fitted basis leaves a tight bound
                    if tight {
                        assert!(scored < units.len() / 4, "{scored} scored exactly");
                    }
                }
            }
        }
    }

    #[test]
    fn bytes_read_back_to_the_same_index() {
        for n in [0, 1, 5, 103] {
            let units = low_rank_units(n, 12);
            let q = Quantized::new(&units);
            let back = Quantized::<32>::from_bytes(&q.to_bytes()).unwrap();
            assert_eq!(back.to_bytes(), q.to_bytes());
            assert_eq!(back.len(), n);
        }
        let bytes = Quantized::new(&low_rank_units(9, 3)).to_bytes();
        assert!(matches!(
            Quantized::<32>::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ScanBytesError::Size { .. })
        ));
        assert!(Quantized::<32>::from_bytes(&[1, 2]).is_err());
        // a track twice (and so another missing)
        let q = Quantized::new(&low_rank_units(9, 3));
        let mut bad = q.clone();
        bad.blocks[0].index[1] = bad.blocks[0].index[0];
        assert_eq!(
            Quantized::<32>::from_bytes(&bad.to_bytes()).unwrap_err(),
            ScanBytesError::Tracks { len: 9 }
        );
        let mut bad = q.clone();
        bad.cells[0].end += 1;
        assert!(matches!(
            Quantized::<32>::from_bytes(&bad.to_bytes()),
            Err(ScanBytesError::Cells { .. })
        ));
    }

    #[test]
    fn truncating_and_extending_equals_building_anew() {
        let units = low_rank_units(1003, 8);
        let whole = Quantized::new(&units);
        let mut q = Quantized::fitted(&units);
        q.extend(&units[..50]);
        q.extend(&units[50..]);
        q.truncate(61);
        q.extend(&units[61..]);
        q.group();
        assert_eq!(q.to_bytes(), whole.to_bytes());
        // tracks added to a grouped index go to an open cell, and can be taken out again
        let mut grown = Quantized::new(&units[..900]);
        grown.extend(&units[900..]);
        assert_eq!(grown.cells.last().map(|c| c.open), Some(1));
        let mut cut = Quantized::new(&units);
        cut.truncate(700);
        assert_eq!(cut.len(), 700);
        for (seed, likes) in [(1, 3), (2, 7)] {
            let taste = Taste::new(
                &low_rank_units(likes, seed),
                &[],
                Profile::MultiInterest,
                0.5,
            )
            .unwrap();
            let exact = |i: usize| taste.score(&units[i]);
            let want = whole.scan(&taste, 20, |_| true).exact_best(exact);
            assert_eq!(grown.scan(&taste, 20, |_| true).exact_best(exact), want);
            let mut all: Vec<(usize, f32)> = (0..700).map(|i| (i, exact(i))).collect();
            keep_best(&mut all, 20);
            assert_eq!(cut.scan(&taste, 20, |_| true).exact_best(exact), all);
        }
    }

    /// Grouped into cells, a scan skips most of a catalog-like index and stays exact.
    #[test]
    fn cells_skip_tracks() {
        let units = low_rank_units(20_000, 21);
        let q = Quantized::new(&units);
        assert!(q.cells.len() >= 256, "{} cells", q.cells.len());
        let taste = Taste::new(&units[..5], &[], Profile::MultiInterest, 0.5).unwrap();
        let cands = q.scan(&taste, 400, |_| true);
        assert!(
            cands.rows.len() < units.len() / 4,
            "{} candidates",
            cands.rows.len()
        );
        check_exact(&units, &q, &taste);
    }

    #[test]
    fn empty_and_small() {
        let q = Quantized::<32>::new(&[]);
        let taste = Taste::new(&random_units(2, 9), &[], Profile::MultiInterest, 0.5).unwrap();
        assert!(q.scan(&taste, 10, |_| true).exact_best(|_| 0.0).is_empty());
        let units = random_units(3, 10);
        let q = Quantized::new(&units);
        let got = q
            .scan(&taste, 10, |_| true)
            .exact_best(|i| taste.score(&units[i]));
        assert_eq!(got.len(), 3);
        assert!(q.scan(&taste, 0, |_| true).exact_best(|_| 0.0).is_empty());
    }
}
