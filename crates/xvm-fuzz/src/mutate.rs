//! A small input mutator for short fuzz runs on stable Rust (`cargo test`): byte flips,
//! interesting values, inserts, deletes, copies and splices of corpus inputs, in the manner of
//! libFuzzer's mutations but without coverage feedback. Long campaigns use cargo-fuzz.

/// A xorshift64* generator: deterministic for a seed, so a failing run repeats.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Byte values that often sit on an edge.
const INTERESTING: &[u8] = &[0, 1, 0x7f, 0x80, 0xff, 0x20, 0x40, 0x5f, 0x60, 0x7f, 0xfe];

/// A mutant of `corpus[i]` for a random `i`: 1 to 8 mutations, some of them splicing in a part
/// of another corpus input. The result is at most `max_len` bytes.
pub fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut d = match corpus.len() {
        0 => Vec::new(),
        n => corpus[rng.below(n)].clone(),
    };
    for _ in 0..1 + rng.below(8) {
        let len = d.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                d[i] = rng.next_u64() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                d[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            3 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                for _ in 0..n {
                    d.insert(i, rng.next_u64() as u8);
                }
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                d.drain(i..i + n);
            }
            5 if len > 1 => {
                // Copy a run of the input over another place in it.
                let from = rng.below(len);
                let to = rng.below(len);
                let n = 1 + rng.below((len - from).min(len - to).min(32));
                let run = d[from..from + n].to_vec();
                d[to..to + n].copy_from_slice(&run);
            }
            6 if !corpus.is_empty() => {
                // Splice: this input up to a point, another one from a point.
                let other = &corpus[rng.below(corpus.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                d.truncate(cut);
                d.extend_from_slice(&other[from..]);
            }
            _ if len >= 8 => {
                // An arithmetic step on a little-endian word.
                let i = rng.below(len - 7);
                let w = u64::from_le_bytes(d[i..i + 8].try_into().expect("8 bytes"));
                let step = (rng.below(70) as u64).wrapping_sub(35);
                d[i..i + 8].copy_from_slice(&w.wrapping_add(step).to_le_bytes());
            }
            _ => d.push(rng.next_u64() as u8),
        }
    }
    d.truncate(max_len);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutants_differ_repeat_for_a_seed_and_respect_the_length() {
        let corpus = vec![b"hello world".to_vec(), vec![0u8; 40], Vec::new()];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..500)
                .map(|_| mutate(&mut rng, &corpus, 64))
                .collect::<Vec<_>>()
        };
        let a = run(1);
        assert_eq!(a, run(1));
        assert_ne!(a, run(2));
        assert!(a.iter().all(|m| m.len() <= 64));
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert!(distinct.len() > 400, "{} distinct mutants", distinct.len());
        assert!(a.iter().any(|m| !corpus.contains(m)));
    }
}
