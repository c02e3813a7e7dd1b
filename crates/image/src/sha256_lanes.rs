//! sha256 of several streams at once on one thread.
//!
//! Checking an image's digests means hashing every byte of every layer, and
//! that is most of `image inspect`'s time. One sha256 stream is bound by the
//! latency of the CPU's SHA instructions, not by their throughput: with the x86
//! SHA extensions, hashing three independent streams in one instruction stream
//! gives about 1.7 times the bytes per second of hashing them one after the
//! other. [`LaneHash::update_together`] takes one piece of each of several
//! streams and hashes the whole blocks they have in common side by side; the
//! rest (a stream's last blocks, or a CPU without SHA extensions) goes through
//! the `sha2` crate one stream at a time. The digests are the same either way.

/// How many streams one call hashes side by side at most.
pub const LANES: usize = 3;

const INITIAL: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Whether this CPU hashes streams side by side faster than one by one.
pub fn side_by_side_is_faster() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        x86::supported()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The running sha256 of one stream.
#[derive(Clone)]
pub struct LaneHash {
    state: [u32; 8],
    /// Bytes taken so far (hashed, or waiting in `partial`).
    length: u64,
    /// The start of a block whose end has not come yet.
    partial: [u8; 64],
    partial_len: usize,
}

impl Default for LaneHash {
    fn default() -> Self {
        LaneHash::new()
    }
}

impl LaneHash {
    /// The hash of the empty stream.
    pub fn new() -> Self {
        LaneHash {
            state: INITIAL,
            length: 0,
            partial: [0; 64],
            partial_len: 0,
        }
    }

    /// Bytes hashed so far.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Hashes the next piece of this stream alone.
    pub fn update(&mut self, piece: &[u8]) {
        let rest = self.complete_partial(piece);
        let blocks = self.whole_blocks(rest);
        compress_one(&mut self.state, blocks);
        self.keep_tail(rest);
    }

    /// Hashes the next piece of each stream: `pieces[j]` continues `lanes[j]`.
    /// Streams that have whole blocks in common are hashed side by side.
    pub fn update_together(lanes: &mut [&mut LaneHash], pieces: &[&[u8]]) {
        let count = lanes.len().min(pieces.len());
        let mut rests: Vec<&[u8]> = Vec::with_capacity(count);
        for (lane, piece) in lanes.iter_mut().zip(pieces) {
            rests.push(lane.complete_partial(piece));
        }
        let mut blocks: Vec<&[u8]> = lanes
            .iter_mut()
            .zip(&rests)
            .map(|(lane, rest)| lane.whole_blocks(rest))
            .collect();
        compress_together(lanes, &mut blocks);
        for (lane, rest) in lanes.iter_mut().zip(&rests) {
            lane.keep_tail(rest);
        }
    }

    /// Pads the stream's end and returns `sha256:<hex>`.
    pub fn finish(mut self) -> String {
        let mut tail = [0u8; 128];
        tail[..self.partial_len].copy_from_slice(&self.partial[..self.partial_len]);
        tail[self.partial_len] = 0x80;
        let used = if self.partial_len < 56 { 64 } else { 128 };
        tail[used - 8..used].copy_from_slice(&(self.length.wrapping_mul(8)).to_be_bytes());
        compress_one(&mut self.state, &tail[..used]);
        let bytes: Vec<u8> = self.state.iter().flat_map(|w| w.to_be_bytes()).collect();
        format!("sha256:{}", hex::encode(bytes))
    }

    /// Fills a pending partial block from the front of `piece` (hashing it
    /// once whole); returns the rest of the piece.
    fn complete_partial<'p>(&mut self, piece: &'p [u8]) -> &'p [u8] {
        self.length += piece.len() as u64;
        if self.partial_len == 0 {
            return piece;
        }
        let take = piece.len().min(64 - self.partial_len);
        self.partial[self.partial_len..self.partial_len + take].copy_from_slice(&piece[..take]);
        self.partial_len += take;
        if self.partial_len == 64 {
            let block = self.partial;
            compress_one(&mut self.state, &block);
            self.partial_len = 0;
        }
        &piece[take..]
    }

    /// The whole blocks at the front of `rest` (none while a block is pending).
    fn whole_blocks<'p>(&self, rest: &'p [u8]) -> &'p [u8] {
        if self.partial_len > 0 {
            return &[];
        }
        &rest[..rest.len() / 64 * 64]
    }

    /// Keeps the bytes after the whole blocks of `rest` for the next piece.
    fn keep_tail(&mut self, rest: &[u8]) {
        if self.partial_len > 0 {
            // `rest` was used up completing the pending block.
            return;
        }
        let tail = &rest[rest.len() / 64 * 64..];
        self.partial[..tail.len()].copy_from_slice(tail);
        self.partial_len = tail.len();
    }
}

/// Hashes `blocks[j]` (whole blocks) into `lanes[j]`, side by side where the
/// CPU can, alone otherwise.
fn compress_together(lanes: &mut [&mut LaneHash], blocks: &mut [&[u8]]) {
    #[cfg(target_arch = "x86_64")]
    if x86::supported() {
        loop {
            // Up to LANES streams that still have blocks, and the count they share.
            let mut group: Vec<usize> = (0..blocks.len())
                .filter(|&j| !blocks[j].is_empty())
                .collect();
            group.truncate(LANES);
            if group.len() < 2 {
                break;
            }
            let common = group.iter().map(|&j| blocks[j].len()).min().unwrap_or(0);
            let mut states: Vec<[u32; 8]> = group.iter().map(|&j| lanes[j].state).collect();
            let data: Vec<&[u8]> = group.iter().map(|&j| &blocks[j][..common]).collect();
            x86::compress_many(&mut states, &data);
            for (&j, state) in group.iter().zip(states) {
                lanes[j].state = state;
                blocks[j] = &blocks[j][common..];
            }
        }
    }
    for (lane, data) in lanes.iter_mut().zip(blocks.iter()) {
        compress_one(&mut lane.state, data);
    }
}

/// Hashes `data` (whole blocks) into `state` with the `sha2` crate's best code
/// for this CPU.
fn compress_one(state: &mut [u32; 8], data: &[u8]) {
    let (blocks, _) = data.as_chunks::<64>();
    sha2::block_api::compress256(state, blocks);
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The SHA-256 block function with the x86 SHA extensions, written after
    //! Intel's published description of them, for `N` independent states whose
    //! instructions are interleaved so each hides the others' latency.

    use std::arch::x86_64::*;
    use std::sync::OnceLock;

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// Whether this CPU has the instructions [`compress`] uses.
    pub fn supported() -> bool {
        static SUPPORTED: OnceLock<bool> = OnceLock::new();
        *SUPPORTED.get_or_init(|| {
            std::arch::is_x86_feature_detected!("sha")
                && std::arch::is_x86_feature_detected!("sse4.1")
                && std::arch::is_x86_feature_detected!("ssse3")
        })
    }

    /// Whether this CPU has AVX-512VL, which [`compress_wide`] needs.
    pub fn wide_registers() -> bool {
        static WIDE: OnceLock<bool> = OnceLock::new();
        *WIDE.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
        })
    }

    /// Hashes `data[j]` into `states[j]` for two or three streams of the same
    /// number of whole blocks. Only call when [`supported`] is true.
    pub fn compress_many(states: &mut [[u32; 8]], data: &[&[u8]]) {
        debug_assert!(supported());
        let blocks = data.first().map_or(0, |d| d.len() / 64);
        if !supported() || data.iter().any(|d| d.len() < blocks * 64) {
            return;
        }
        // SAFETY: the CPU has the features (checked above), and every slice
        // holds at least `blocks` whole blocks (checked above).
        unsafe {
            match (states, data) {
                ([a, b], [da, db]) => {
                    let mut s = [*a, *b];
                    compress::<2>(&mut s, [da, db], blocks);
                    [*a, *b] = s;
                }
                ([a, b, c], [da, db, dc]) => {
                    let mut s = [*a, *b, *c];
                    compress::<3>(&mut s, [da, db, dc], blocks);
                    [*a, *b, *c] = s;
                }
                (states, data) => {
                    for (state, d) in states.iter_mut().zip(data) {
                        compress::<1>(std::array::from_mut(state), [d], blocks);
                    }
                }
            }
        }
    }

    /// The block function's body, shared by its instruction-set variants
    /// (expanded inside a function generic over `N`).
    macro_rules! compress_body {
        ($states:ident, $data:ident, $blocks:ident, $n:ident) => {{
            let (states, data, blocks): (&mut [[u32; 8]; $n], [&[u8]; $n], usize) =
                ($states, $data, $blocks);
            let byte_swap = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203);
            let mut abef = [_mm_setzero_si128(); N];
            let mut cdgh = [_mm_setzero_si128(); N];
            for j in 0..N {
                // SAFETY: each state is eight u32, read as two unaligned vectors.
                let (dcba, hgfe) = unsafe {
                    (
                        _mm_loadu_si128(states[j].as_ptr().cast()),
                        _mm_loadu_si128(states[j].as_ptr().add(4).cast()),
                    )
                };
                let cdab = _mm_shuffle_epi32(dcba, 0xB1);
                let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
                abef[j] = _mm_alignr_epi8(cdab, efgh, 8);
                cdgh[j] = _mm_blend_epi16(efgh, cdab, 0xF0);
            }
            for block in 0..blocks {
                let (saved_abef, saved_cdgh) = (abef, cdgh);
                let mut w = [[_mm_setzero_si128(); 4]; N];
                for j in 0..N {
                    // SAFETY: the caller guarantees `blocks` whole blocks in `data[j]`.
                    let p = unsafe { data[j].as_ptr().add(block * 64) };
                    for (q, word) in w[j].iter_mut().enumerate() {
                        // SAFETY: 16 bytes inside the block.
                        let bytes = unsafe { _mm_loadu_si128(p.add(16 * q).cast()) };
                        *word = _mm_shuffle_epi8(bytes, byte_swap);
                    }
                }
                // Four rounds of every lane; `$r` is a literal, so that the
                // message words stay in registers (a loop over `r` indexes them
                // at run time, through memory).
                macro_rules! four_rounds {
                    ($r:literal) => {{
                        // SAFETY: four round constants inside K.
                        let k = unsafe { _mm_loadu_si128(K.as_ptr().add($r * 4).cast()) };
                        let mut m = [_mm_setzero_si128(); N];
                        for j in 0..N {
                            m[j] = _mm_add_epi32(w[j][$r % 4], k);
                        }
                        for j in 0..N {
                            cdgh[j] = _mm_sha256rnds2_epu32(cdgh[j], abef[j], m[j]);
                        }
                        for j in 0..N {
                            abef[j] = _mm_sha256rnds2_epu32(
                                abef[j],
                                cdgh[j],
                                _mm_shuffle_epi32(m[j], 0x0E),
                            );
                        }
                        if $r < 12 {
                            // The next four message words from the last sixteen.
                            for wj in w.iter_mut() {
                                let next = _mm_sha256msg2_epu32(
                                    _mm_add_epi32(
                                        _mm_sha256msg1_epu32(wj[$r % 4], wj[($r + 1) % 4]),
                                        _mm_alignr_epi8(wj[($r + 3) % 4], wj[($r + 2) % 4], 4),
                                    ),
                                    wj[($r + 3) % 4],
                                );
                                wj[$r % 4] = next;
                            }
                        }
                    }};
                }
                four_rounds!(0);
                four_rounds!(1);
                four_rounds!(2);
                four_rounds!(3);
                four_rounds!(4);
                four_rounds!(5);
                four_rounds!(6);
                four_rounds!(7);
                four_rounds!(8);
                four_rounds!(9);
                four_rounds!(10);
                four_rounds!(11);
                four_rounds!(12);
                four_rounds!(13);
                four_rounds!(14);
                four_rounds!(15);
                for j in 0..N {
                    abef[j] = _mm_add_epi32(abef[j], saved_abef[j]);
                    cdgh[j] = _mm_add_epi32(cdgh[j], saved_cdgh[j]);
                }
            }
            for j in 0..N {
                let feba = _mm_shuffle_epi32(abef[j], 0x1B);
                let dchg = _mm_shuffle_epi32(cdgh[j], 0xB1);
                let dcba = _mm_blend_epi16(feba, dchg, 0xF0);
                let hgef = _mm_alignr_epi8(dchg, feba, 8);
                // SAFETY: each state is eight u32, written as two unaligned vectors.
                unsafe {
                    _mm_storeu_si128(states[j].as_mut_ptr().cast(), dcba);
                    _mm_storeu_si128(states[j].as_mut_ptr().add(4).cast(), hgef);
                }
            }
        }};
    }

    /// Hashes `blocks` 64-byte blocks of each `data[j]` into `states[j]`,
    /// with the AVX-512 registers when the CPU has them (three lanes need
    /// more vector registers than SSE's sixteen).
    ///
    /// # Safety
    /// The CPU must have the `sha`, `sse4.1` and `ssse3` features, and every
    /// `data[j]` must hold at least `blocks * 64` bytes.
    unsafe fn compress<const N: usize>(
        states: &mut [[u32; 8]; N],
        data: [&[u8]; N],
        blocks: usize,
    ) {
        // SAFETY: the caller guarantees the SHA features and the data; the
        // wide variant runs only where AVX-512VL was detected.
        unsafe {
            if wide_registers() {
                compress_wide(states, data, blocks)
            } else {
                compress_sse(states, data, blocks)
            }
        }
    }

    /// [`compress`] with the instruction sets the SHA extensions need.
    ///
    /// # Safety
    /// As [`compress`].
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn compress_sse<const N: usize>(
        states: &mut [[u32; 8]; N],
        data: [&[u8]; N],
        blocks: usize,
    ) {
        compress_body!(states, data, blocks, N)
    }

    /// [`compress`] with AVX-512VL too: the same instructions, thirty-two
    /// vector registers to keep the lanes' words in.
    ///
    /// # Safety
    /// As [`compress`], and the CPU must have `avx512f` and `avx512vl`.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1,avx512f,avx512vl")]
    pub(super) unsafe fn compress_wide<const N: usize>(
        states: &mut [[u32; 8]; N],
        data: [&[u8]; N],
        blocks: usize,
    ) {
        compress_body!(states, data, blocks, N)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn expected(data: &[u8]) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(data)))
    }

    fn data(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Hashes `blobs` side by side, each cut into pieces of the sizes given
    /// (cycled), the way a lane scheduler hands them over.
    fn hash_in_pieces(blobs: &[Vec<u8>], sizes: &[usize]) -> Vec<String> {
        let mut lanes: Vec<LaneHash> = blobs.iter().map(|_| LaneHash::new()).collect();
        let mut offsets = vec![0usize; blobs.len()];
        let mut turn = 0;
        while offsets.iter().zip(blobs).any(|(o, b)| *o < b.len()) {
            let mut refs: Vec<&mut LaneHash> = Vec::new();
            let mut pieces: Vec<&[u8]> = Vec::new();
            for (j, lane) in lanes.iter_mut().enumerate() {
                let size = sizes[(turn + j) % sizes.len()].max(1);
                let end = (offsets[j] + size).min(blobs[j].len());
                pieces.push(&blobs[j][offsets[j]..end]);
                offsets[j] = end;
                refs.push(lane);
            }
            turn += 1;
            LaneHash::update_together(&mut refs, &pieces);
        }
        lanes.into_iter().map(LaneHash::finish).collect()
    }

    #[test]
    fn one_stream_of_every_length_around_the_padding_edges() {
        for len in (0..200).chain([1000, 4095, 4096, 4097, 65536 + 55]) {
            let blob = data(len, len as u64);
            assert_eq!(
                hash_in_pieces(std::slice::from_ref(&blob), &[4096]),
                [expected(&blob)]
            );
            let mut single = LaneHash::new();
            for piece in blob.chunks(77) {
                single.update(piece);
            }
            assert_eq!(single.length(), len as u64);
            assert_eq!(single.finish(), expected(&blob), "length {len}");
        }
    }

    #[test]
    fn streams_of_different_lengths_in_odd_pieces() {
        let blobs: Vec<Vec<u8>> = [0, 1, 63, 64, 65, 1000, 70_000, 300_001, 5, 128, 200_000]
            .iter()
            .enumerate()
            .map(|(i, &len)| data(len, i as u64 + 7))
            .collect();
        for group in blobs
            .chunks(3)
            .chain(blobs.chunks(4))
            .chain(blobs.chunks(2))
        {
            let want: Vec<String> = group.iter().map(|b| expected(b)).collect();
            assert_eq!(hash_in_pieces(group, &[1, 64, 4096, 100_003, 37]), want);
            assert_eq!(hash_in_pieces(group, &[256 * 1024]), want);
        }
    }

    /// Both instruction-set variants of the block function, whichever the
    /// dispatcher picks on this machine, give sha2's states.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn both_block_function_variants_agree_with_sha2() {
        if !x86::supported() {
            return;
        }
        let blocks = 5;
        let inputs: Vec<Vec<u8>> = (0..3).map(|j| data(64 * blocks, 90 + j)).collect();
        let mut want = [INITIAL; 3];
        for (state, input) in want.iter_mut().zip(&inputs) {
            compress_one(state, input);
        }
        for use_wide in [false, true] {
            if use_wide && !x86::wide_registers() {
                continue;
            }
            let mut two = [INITIAL; 2];
            let mut three = [INITIAL; 3];
            // SAFETY: features checked above; every input holds `blocks` blocks.
            unsafe {
                let d2 = [inputs[0].as_slice(), &inputs[1]];
                let d3 = [inputs[0].as_slice(), &inputs[1], &inputs[2]];
                if use_wide {
                    x86::compress_wide::<2>(&mut two, d2, blocks);
                    x86::compress_wide::<3>(&mut three, d3, blocks);
                } else {
                    x86::compress_sse::<2>(&mut two, d2, blocks);
                    x86::compress_sse::<3>(&mut three, d3, blocks);
                }
            }
            assert_eq!(two[..], want[..2], "wide: {use_wide}");
            assert_eq!(three, want, "wide: {use_wide}");
        }
    }

    proptest::proptest! {
        #[test]
        fn equals_sha2_for_any_streams_and_pieces(
            lens in proptest::collection::vec(0usize..5000, 1..6),
            sizes in proptest::collection::vec(1usize..3000, 1..5),
        ) {
            let blobs: Vec<Vec<u8>> = lens
                .iter()
                .enumerate()
                .map(|(i, &len)| data(len, i as u64 + len as u64))
                .collect();
            let want: Vec<String> = blobs.iter().map(|b| expected(b)).collect();
            proptest::prop_assert_eq!(hash_in_pieces(&blobs, &sizes), want);
        }
    }
}
