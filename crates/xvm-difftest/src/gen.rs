//! The case generator: random pre-states with random programs, a block and a transaction of any
//! type the fork knows (and sometimes one it does not), all from one seed.
//!
//! Programs are biased towards doing something: arguments are pushed before the instruction that
//! takes them, addresses come from the pre-state, the precompiles and a few well-known others,
//! offsets are mostly small with an occasional huge one, and calls, creates, storage writes,
//! logs, jumps (also into push data) and self-destructs are all common.

use crate::case::{AccountSpec, AuthSpec, BlockSpec, Case, TxSpec, FORKS};
use crate::rng::Rng;
use alloy_primitives::{Address, Bytes, B256, U256};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use xvm_evm::Revision;

/// Externally owned accounts with known keys (senders and EIP-7702 authorities).
pub const KEY_COUNT: usize = 4;

fn signing_key(i: usize) -> k256::ecdsa::SigningKey {
    k256::ecdsa::SigningKey::from_slice(&[i as u8 + 1; 32]).expect("valid key")
}

/// The addresses of the keyed accounts.
pub fn eoas() -> &'static [Address; KEY_COUNT] {
    static EOAS: OnceLock<[Address; KEY_COUNT]> = OnceLock::new();
    EOAS.get_or_init(|| {
        std::array::from_fn(|i| {
            xvm_ethereum::tx::address_of_secret_key(&[i as u8 + 1; 32]).expect("valid key")
        })
    })
}

/// Contract address number `i`.
pub fn contract(i: u8) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xc0;
    a[19] = i;
    Address::from(a)
}

/// The default coinbase.
pub const COINBASE: Address = Address::new([0xcb; 20]);
/// An address that is never in the pre-state.
pub const NOBODY: Address = Address::new([0xde; 20]);

const CONTRACTS: u8 = 5;

fn precompiles(rev: Revision) -> Vec<Address> {
    let n: u64 = match rev {
        r if r >= Revision::Prague => 0x11,
        r if r >= Revision::Cancun => 0x0a,
        r if r >= Revision::Istanbul => 0x09,
        r if r >= Revision::Byzantium => 0x08,
        _ => 0x04,
    };
    let mut v: Vec<Address> = (1..=n as u8 + 1).map(Address::with_last_byte).collect();
    if rev >= Revision::Osaka {
        v.push(Address::left_padding_from(&[0x01, 0x00]));
    }
    v
}

/// Values that trip edge cases.
fn interesting(rng: &mut Rng) -> U256 {
    match rng.below(16) {
        0 => U256::ZERO,
        1 => U256::from(1),
        2 => U256::from(2),
        3 => U256::from(31),
        4 => U256::from(32),
        5 => U256::from(255),
        6 => U256::from(256),
        7 => U256::MAX,
        8 => U256::from(1) << 255,
        9 => (U256::from(1) << 255) - U256::from(1),
        10 => U256::from(rng.below(1 << 16)),
        11 => U256::from(1) << rng.below(256),
        12 => U256::from_be_bytes(rng.word()),
        13 => U256::MAX - U256::from(rng.below(4)),
        14 => U256::from(u64::MAX) + U256::from(rng.below(3)),
        _ => U256::from(rng.below(8)),
    }
}

/// A memory offset or size: mostly small, sometimes large, rarely absurd.
fn mem_arg(rng: &mut Rng) -> U256 {
    match rng.below(20) {
        0 => U256::from(rng.range(0x1000, 0x10_0000)),
        1 => interesting(rng),
        2..=4 => U256::ZERO,
        _ => U256::from(rng.below(0x90)),
    }
}

/// A code builder with jump targets filled in at the end.
struct Prog<'r> {
    rng: &'r mut Rng,
    rev: Revision,
    code: Vec<u8>,
    /// Positions of PUSH2 immediates to point at a jump target.
    patches: Vec<usize>,
    targets: Vec<Address>,
    depth: u32,
    /// Wild programs use any byte, jump anywhere and take huge offsets; calm ones stay valid
    /// for the fork, so that they run long enough to reach state changes.
    wild: bool,
}

/// Whether `op` is an instruction of `rev` (for the ones that came after Frontier).
fn available(op: u8, rev: Revision) -> bool {
    let since = match op {
        0xf4 => Revision::Homestead,
        0x3d | 0x3e | 0xfa | 0xfd => Revision::Byzantium,
        0x1b..=0x1d | 0x3f | 0xf5 => Revision::Constantinople,
        0x46 | 0x47 => Revision::Istanbul,
        0x48 => Revision::London,
        0x5f => Revision::Shanghai,
        0x49 | 0x4a | 0x5c..=0x5e => Revision::Cancun,
        0x1e => Revision::Osaka,
        _ => Revision::Frontier,
    };
    rev >= since
}

impl Prog<'_> {
    /// Emits `op`; a calm program emits a JUMPDEST instead of an instruction the fork lacks.
    fn op(&mut self, op: u8) {
        if !self.wild && !available(op, self.rev) {
            self.code.push(0x5b);
            return;
        }
        self.code.push(op);
    }

    fn mem(&mut self) -> U256 {
        if self.wild {
            mem_arg(self.rng)
        } else if self.rng.chance(3) {
            U256::from(self.rng.below(0x800))
        } else {
            U256::from(self.rng.below(0x90))
        }
    }

    fn push(&mut self, v: U256) {
        if v.is_zero() && self.rev >= Revision::Shanghai && self.rng.chance(50) {
            self.code.push(0x5f);
            return;
        }
        let bytes = v.to_be_bytes::<32>();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(31);
        let n = 32 - skip;
        self.code.push(0x5f + n as u8);
        self.code.extend_from_slice(&bytes[skip..]);
    }

    fn push_u(&mut self, v: u64) {
        self.push(U256::from(v));
    }

    fn push_addr(&mut self, a: Address) {
        self.push(U256::from_be_slice(a.as_slice()));
    }

    fn target(&mut self) -> Address {
        let t = self.targets.clone();
        self.rng.pick(&t)
    }

    /// Stores `bytes` in memory at `offset` with PUSH32/MSTORE pairs (the tail is zero-padded).
    fn store_bytes(&mut self, bytes: &[u8], offset: u64) {
        for (i, chunk) in bytes.chunks(32).enumerate() {
            let mut w = [0u8; 32];
            w[..chunk.len()].copy_from_slice(chunk);
            self.push(U256::from_be_bytes(w));
            self.push_u(offset + 32 * i as u64);
            self.op(0x52);
        }
    }

    fn gas_arg(&mut self) {
        if !self.wild && self.rev < Revision::TangerineWhistle {
            // Before EIP-150 a call asking for more gas than is left is out of gas.
            let v = self.rng.below(30_000);
            self.push_u(v);
            return;
        }
        match self.rng.below(6) {
            0 | 1 => self.op(0x5a),
            2 => {
                let v = self.rng.below(30_000);
                self.push_u(v)
            }
            3 => self.push(U256::MAX),
            4 => {
                let v = self.rng.below(200);
                self.push_u(v)
            }
            _ => {
                // GAS - small: most of what is left.
                {
                    let v = self.rng.below(5000);
                    self.push_u(v)
                };
                self.op(0x5a);
                self.op(0x03);
            }
        }
    }

    fn call(&mut self, to: Option<Address>) {
        let kinds: Vec<u8> = [0xf1u8, 0xf1, 0xf2, 0xf4, 0xfa]
            .into_iter()
            .filter(|k| self.wild || available(*k, self.rev))
            .collect();
        let kind = self.rng.pick(&kinds);
        let (ret_size, ret_off) = (self.mem(), self.mem());
        let (in_size, in_off) = (self.mem(), self.mem());
        self.push(ret_size);
        self.push(ret_off);
        self.push(in_size);
        self.push(in_off);
        if kind == 0xf1 || kind == 0xf2 {
            let v = match self.rng.below(4) {
                0 => interesting(self.rng),
                1 => U256::from(self.rng.below(1000)),
                _ => U256::ZERO,
            };
            self.push(v);
        }
        let to = to.unwrap_or_else(|| self.target());
        self.push_addr(to);
        self.gas_arg();
        self.op(kind);
        if !self.wild && available(0x3e, self.rev) && self.rng.chance(30) {
            self.op(0x3d);
            self.push_u(0);
            let v = self.mem();
            self.push(v);
            self.op(0x3e);
        } else if self.wild && self.rng.chance(30) {
            // Look at what came back (maybe out of bounds).
            {
                let v = self.mem();
                self.push(v)
            };
            {
                let v = self.mem();
                self.push(v)
            };
            {
                let v = self.mem();
                self.push(v)
            };
            self.op(0x3e);
        }
    }

    fn precompile_call(&mut self) {
        let pcs = precompiles(self.rev);
        let to = self.rng.pick(&pcs);
        let len = match self.rng.below(8) {
            0 => 0,
            1 => 32,
            2 => 64,
            3 => 128,
            4 => 192,
            5 => 213,
            6 => 96 + self.rng.below(3),
            _ => self.rng.below(400) as usize as u64,
        };
        let mut input = self.rng.bytes(len as usize);
        // modexp: small, plausible lengths in the header most of the time.
        if to == Address::with_last_byte(5) && len >= 96 && self.rng.chance(70) {
            for i in 0..3 {
                let mut w = [0u8; 32];
                if self.rng.chance(15) {
                    // Around the EIP-7823 bound (1024 bytes) and far past it.
                    let v: u64 = self.rng.pick(&[0x3ff, 0x400, 0x401, 0xffff, 1 << 32]);
                    w[24..].copy_from_slice(&v.to_be_bytes());
                } else {
                    w[31] = self.rng.below(70) as u8;
                }
                input[i * 32..i * 32 + 32].copy_from_slice(&w);
            }
        }
        if to == Address::with_last_byte(9) && len == 213 {
            input[212] = self.rng.below(3) as u8; // final flag: 0, 1 or invalid
            input[0..4].copy_from_slice(&[0, 0, 0, self.rng.below(20) as u8]);
        }
        self.store_bytes(&input, 0);
        {
            let v = self.rng.below(0x100);
            self.push_u(v)
        }; // ret size
        self.push_u(0); // ret offset
        self.push_u(len);
        self.push_u(0);
        let kind = self.rng.pick(&[0xfau8, 0xf1]);
        if kind == 0xf1 {
            {
                let v = self.rng.below(3);
                self.push_u(v)
            };
        }
        self.push_addr(to);
        self.gas_arg();
        self.op(kind);
    }

    /// Init code for CREATE/CREATE2.
    fn init_code(&mut self) -> Vec<u8> {
        let mut sub = Prog {
            rng: &mut *self.rng,
            rev: self.rev,
            code: Vec::new(),
            patches: Vec::new(),
            targets: self.targets.clone(),
            depth: self.depth + 1,
            wild: self.wild,
        };
        match sub.rng.below(8) {
            0 => {
                // Deploy a random runtime.
                let runtime = sub.random_program(6);
                sub.store_bytes(&runtime, 0);
                sub.push_u(runtime.len() as u64);
                sub.push_u(0);
                sub.op(0xf3);
            }
            1 => {
                // Deploy code starting with 0xEF (EIP-3541) or too much code (EIP-170).
                if sub.rng.chance(50) {
                    sub.push_u(0xef);
                    sub.push_u(0);
                    sub.op(0x53);
                    {
                        let v = sub.rng.range(1, 3);
                        sub.push_u(v)
                    };
                } else {
                    {
                        let v = sub.rng.pick(&[0x6000u64, 0x6001]);
                        sub.push_u(v)
                    };
                }
                sub.push_u(0);
                sub.op(0xf3);
            }
            2 => {
                {
                    let v = sub.rng.below(64);
                    sub.push_u(v)
                };
                sub.push_u(0);
                sub.op(0xfd);
            }
            _ => {
                let n = sub.rng.range(1, 8) as usize;
                for _ in 0..n {
                    sub.snippet();
                }
                {
                    let v = sub.rng.below(48);
                    sub.push_u(v)
                };
                sub.push_u(0);
                {
                    let v = sub.rng.pick(&[0xf3u8, 0xf3, 0x00, 0xfd]);
                    sub.op(v)
                };
            }
        }
        sub.finish()
    }

    fn create(&mut self) {
        let init = self.init_code();
        self.store_bytes(&init, 0);
        let is2 = self.rev >= Revision::Constantinople && self.rng.chance(50);
        let times = if self.rng.chance(25) { 2 } else { 1 };
        for _ in 0..times {
            if is2 {
                {
                    let v = self.rng.below(2);
                    self.push_u(v)
                }; // salt: collisions are likely
            }
            let len = if self.rng.chance(90) {
                init.len() as u64
            } else {
                self.rng.below(0xc001)
            };
            self.push_u(len);
            self.push_u(0);
            let v = if self.rng.chance(20) {
                interesting(self.rng)
            } else {
                U256::from(self.rng.below(3))
            };
            self.push(v);
            self.op(if is2 { 0xf5 } else { 0xf0 });
            if self.rng.chance(40) {
                // Call what was created.
                self.op(0x80); // DUP1
                let (a, b) = (self.mem(), self.mem());
                self.push(a);
                self.push(b);
                self.push_u(0);
                self.push_u(0);
                self.op(0x84); // DUP5: the address
                self.gas_arg();
                self.op(0xfa);
                self.op(0x50);
            }
        }
    }

    /// One random snippet.
    fn snippet(&mut self) {
        let mut k = self.rng.below(100);
        if !self.wild && k <= 11 && self.rng.chance(85) {
            k = 12 + self.rng.below(70);
        }
        match k {
            0..=11 => {
                // Any byte, with arguments.
                for _ in 0..self.rng.below(4) {
                    let v = interesting(self.rng);
                    self.push(v);
                }
                let op = self.rng.below(256) as u8;
                self.op(op);
                if (0x60..=0x7f).contains(&op) {
                    let n = (op - 0x5f) as usize;
                    let imm = self.rng.bytes(n);
                    self.code.extend_from_slice(&imm);
                }
            }
            12..=21 => {
                let op = self.rng.pick(&[
                    0x01u8, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11,
                    0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e,
                ]);
                for _ in 0..3 {
                    let v = interesting(self.rng);
                    self.push(v);
                }
                self.op(op);
            }
            22..=29 => {
                let op = self.rng.pick(&[0x52u8, 0x53, 0x51, 0x5e, 0x20, 0x37, 0x39]);
                for _ in 0..3 {
                    let v = self.mem();
                    self.push(v);
                }
                self.op(op);
            }
            30..=41 => {
                // SSTORE patterns (refund rules need repeated writes of few values).
                let n = self.rng.range(1, 3);
                for _ in 0..n {
                    let v = U256::from(self.rng.pick(&[0u64, 0, 1, 1, 2, 3]));
                    self.push(v);
                    {
                        let v = self.rng.below(4);
                        self.push_u(v)
                    };
                    self.op(0x55);
                }
                if self.rng.chance(30) {
                    {
                        let v = self.rng.below(4);
                        self.push_u(v)
                    };
                    self.op(0x54);
                }
            }
            42..=45 => {
                let v = U256::from(self.rng.below(3));
                self.push(v);
                {
                    let v = self.rng.below(3);
                    self.push_u(v)
                };
                self.op(0x5d);
                {
                    let v = self.rng.below(3);
                    self.push_u(v)
                };
                self.op(0x5c);
            }
            46..=59 => self.call(None),
            60..=63 => self.precompile_call(),
            64..=69 => {
                if self.depth < 2 {
                    self.create();
                } else {
                    self.call(None);
                }
            }
            70..=74 => {
                let n = self.rng.below(5) as u8;
                for _ in 0..n {
                    let v = interesting(self.rng);
                    self.push(v);
                }
                {
                    let v = self.mem();
                    self.push(v)
                };
                {
                    let v = self.mem();
                    self.push(v)
                };
                self.op(0xa0 + n);
            }
            75..=81 => {
                // Jumps: to a JUMPDEST, into push data, anywhere.
                if self.rng.chance(50) {
                    self.op(0x5b);
                }
                if self.rng.chance(50) {
                    {
                        let v = self.rng.below(2);
                        self.push_u(v)
                    };
                    self.code.extend_from_slice(&[0x61, 0, 0]);
                    self.patches.push(self.code.len() - 2);
                    self.op(0x57);
                } else {
                    self.code.extend_from_slice(&[0x61, 0, 0]);
                    self.patches.push(self.code.len() - 2);
                    self.op(0x56);
                }
                if !self.wild {
                    self.code.push(0x5b);
                }
                if self.rng.chance(30) {
                    // A JUMPDEST byte inside push data.
                    self.code.extend_from_slice(&[0x62, 0x5b, 0x5b, 0x5b, 0x50]);
                }
            }
            82..=83 => {
                let t = self.target();
                self.push_addr(t);
                self.op(0xff);
            }
            84..=89 => {
                let t = self.target();
                let op = self.rng.pick(&[0x3bu8, 0x3f, 0x31, 0x3c]);
                if op == 0x3c {
                    {
                        let v = self.mem();
                        self.push(v)
                    };
                    {
                        let v = self.mem();
                        self.push(v)
                    };
                    {
                        let v = self.mem();
                        self.push(v)
                    };
                }
                self.push_addr(t);
                self.op(op);
            }
            90..=92 => {
                let k = self.rng.below(300);
                self.push_u(k);
                self.op(0x43);
                self.op(0x03);
                self.op(0x40);
                {
                    let v = self.rng.below(3);
                    self.push_u(v)
                };
                self.op(0x49);
            }
            93..=95 => {
                {
                    let v = self.mem();
                    self.push(v)
                };
                self.op(0x35);
                {
                    let v = self.mem();
                    self.push(v)
                };
                {
                    let v = self.mem();
                    self.push(v)
                };
                {
                    let v = self.mem();
                    self.push(v)
                };
                self.op(0x37);
            }
            _ => {
                // Some environment.
                let op = self.rng.pick(&[
                    0x30u8, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x44, 0x45, 0x46,
                    0x47, 0x48, 0x4a, 0x58, 0x59, 0x5a,
                ]);
                self.op(op);
            }
        }
    }

    fn random_program(&mut self, max_snippets: u64) -> Vec<u8> {
        let mut sub = Prog {
            rng: &mut *self.rng,
            rev: self.rev,
            code: Vec::new(),
            patches: Vec::new(),
            targets: self.targets.clone(),
            depth: self.depth + 1,
            wild: self.wild,
        };
        let n = sub.rng.range(1, max_snippets);
        for _ in 0..n {
            sub.snippet();
        }
        sub.end();
        sub.finish()
    }

    fn end(&mut self) {
        match self.rng.below(6) {
            0 => self.op(0x00),
            1 | 2 => {
                {
                    let v = self.mem();
                    self.push(v)
                };
                {
                    let v = self.mem();
                    self.push(v)
                };
                self.op(0xf3);
            }
            3 => {
                {
                    let v = self.mem();
                    self.push(v)
                };
                {
                    let v = self.mem();
                    self.push(v)
                };
                self.op(0xfd);
            }
            _ => {}
        }
    }

    /// Fills the jump targets: mostly a JUMPDEST further on, else any position.
    fn finish(mut self) -> Vec<u8> {
        let dests: Vec<usize> = {
            let mut v = Vec::new();
            let mut i = 0;
            while i < self.code.len() {
                let op = self.code[i];
                if op == 0x5b {
                    v.push(i);
                }
                i += 1 + if (0x60..=0x7f).contains(&op) {
                    (op - 0x5f) as usize
                } else {
                    0
                };
            }
            v
        };
        for p in std::mem::take(&mut self.patches) {
            let ahead: Vec<usize> = dests.iter().copied().filter(|d| *d > p).collect();
            let t = match self.rng.below(10) {
                _ if !self.wild && !ahead.is_empty() => self.rng.pick(&ahead),
                0..=6 if !ahead.is_empty() => self.rng.pick(&ahead),
                0..=7 if !dests.is_empty() => self.rng.pick(&dests),
                _ => self.rng.below(self.code.len() as u64 + 2) as usize,
            };
            self.code[p] = (t >> 8) as u8;
            self.code[p + 1] = t as u8;
        }
        self.code
    }
}

fn delegation(to: Address) -> Bytes {
    let mut c = vec![0xef, 0x01, 0x00];
    c.extend_from_slice(to.as_slice());
    c.into()
}

fn sign_auth(key: usize, chain_id: U256, address: Address, nonce: u64) -> AuthSpec {
    let a = xvm_ethereum::tx::Authorization {
        chain_id,
        address,
        nonce: U256::from(nonce),
        y_parity: U256::ZERO,
        r: U256::ZERO,
        s: U256::ZERO,
    };
    let hash = xvm_ethereum::tx::authorization_hash(&a);
    let (sig, rid) = signing_key(key)
        .sign_prehash_recoverable(hash.as_slice())
        .expect("signing works");
    AuthSpec {
        chain_id,
        address,
        nonce,
        y_parity: rid.is_y_odd() as u8,
        r: U256::from_be_slice(&sig.r().to_bytes()),
        s: U256::from_be_slice(&sig.s().to_bytes()),
    }
}

/// Generates case number `index` of the campaign with `seed`.
pub fn generate(seed: u64, index: u64) -> Case {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let rev = rng.pick(&FORKS);
    let chain_id = 1;
    let eoas = *eoas();

    // Everything a program may point at.
    let mut targets: Vec<Address> = (0..CONTRACTS).map(contract).collect();
    targets.extend(eoas);
    targets.extend(precompiles(rev));
    targets.push(NOBODY);
    targets.push(COINBASE);
    targets.push(Address::ZERO);
    let targets_for_programs = targets.clone();

    let mut pre = BTreeMap::new();
    for i in 0..CONTRACTS {
        if rng.chance(4) {
            continue;
        }
        let wild = rng.chance(15);
        let code = {
            let mut p = Prog {
                rng: &mut rng,
                rev,
                code: Vec::new(),
                patches: Vec::new(),
                targets: targets_for_programs.clone(),
                depth: 0,
                wild,
            };
            let n = p.rng.range(1, 24);
            for _ in 0..n {
                p.snippet();
            }
            p.end();
            p.finish()
        };
        // revm only accepts 0xEF01 code when it is a delegation; such code could not be deployed
        // on any fork anyway.
        let code = if code.starts_with(&[0xef, 0x01]) {
            let mut c = vec![0x00];
            c.extend_from_slice(&code);
            c
        } else {
            code
        };
        let mut storage = BTreeMap::new();
        for _ in 0..rng.below(4) {
            let v = U256::from(rng.pick(&[1u64, 2, 3]));
            storage.insert(U256::from(rng.below(4)), v);
        }
        let nonce = rng.pick(&[0u64, 1, 1, 1, 5]);
        let balance = U256::from(rng.pick(&[0u64, 1, 1000, 1_000_000_000]));
        pre.insert(
            contract(i),
            AccountSpec {
                nonce,
                balance,
                code: code.into(),
                storage,
            },
        );
    }
    let sender_ix = rng.below(2) as usize;
    for (i, a) in eoas.iter().enumerate() {
        if i != sender_ix && rng.chance(30) {
            continue;
        }
        let mut code = Bytes::new();
        if rev >= Revision::Prague && i != sender_ix && rng.chance(50) {
            code = delegation(rng.pick(&targets));
        } else if rev >= Revision::Prague && i == sender_ix && rng.chance(10) {
            code = delegation(contract(rng.below(CONTRACTS as u64) as u8));
        }
        let balance = if i == sender_ix {
            U256::from(10u64).pow(U256::from(rng.range(15, 21)))
        } else {
            U256::from(rng.below(100))
        };
        pre.insert(
            *a,
            AccountSpec {
                nonce: if i == sender_ix {
                    rng.pick(&[0u64, 0, 1, 7])
                } else {
                    rng.below(3)
                },
                balance,
                code,
                storage: BTreeMap::new(),
            },
        );
    }
    if rng.chance(20) {
        // An account where a CREATE will land (of a contract, or of the sender for a creation
        // transaction): with a nonce, code, balance or storage (EIP-684).
        let creators: Vec<(Address, u64)> = pre
            .iter()
            .filter(|(a, acc)| !acc.code.is_empty() || **a == eoas[sender_ix])
            .map(|(a, acc)| (*a, acc.nonce))
            .collect();
        let (creator, nonce) = rng.pick(&creators);
        let at = xvm_ethereum::host::create_address(&creator, nonce);
        let mut acc = AccountSpec {
            nonce: 0,
            balance: U256::ZERO,
            code: Bytes::new(),
            storage: BTreeMap::new(),
        };
        match rng.below(4) {
            0 => acc.nonce = 1,
            1 => acc.code = vec![0x00].into(),
            2 => acc.balance = U256::from(5),
            _ => {
                // Storage with a nonce: a storage-only account here would be a collision by
                // EIP-7610 that revm does not implement (see known/ and FUZZING.md).
                acc.nonce = 1;
                acc.storage.insert(U256::from(1), U256::from(1));
            }
        }
        pre.insert(at, acc);
    }
    if rng.chance(15) {
        // An empty account (legal in old states) or one with only storage (EIP-7610).
        let mut storage = BTreeMap::new();
        if rng.chance(50) {
            storage.insert(U256::ZERO, U256::from(1));
        }
        pre.insert(
            NOBODY,
            AccountSpec {
                nonce: 0,
                balance: U256::ZERO,
                code: Bytes::new(),
                storage,
            },
        );
    }

    let base_fee = if rev >= Revision::London {
        rng.pick(&[0u64, 7, 10, 1000])
    } else {
        0
    };
    let block = BlockSpec {
        coinbase: if rng.chance(85) {
            COINBASE
        } else {
            rng.pick(&targets)
        },
        gas_limit: if rng.chance(95) { 30_000_000 } else { 100_000 },
        number: rng.range(1, 1000),
        timestamp: rng.range(1, 1 << 32),
        difficulty: U256::from(rng.range(0x20000, 0x30000)),
        prev_randao: B256::from(rng.word()),
        base_fee,
        excess_blob_gas: if rev >= Revision::Cancun && rng.chance(30) {
            rng.below(10_000_000)
        } else {
            0
        },
    };

    // The transaction.
    let mut types = vec![0u8];
    if rev >= Revision::Berlin {
        types.push(1);
    }
    if rev >= Revision::London {
        types.push(2);
    }
    if rev >= Revision::Cancun {
        types.extend([3, 3]);
    }
    if rev >= Revision::Prague {
        types.extend([4, 4]);
    }
    let mut ty = rng.pick(&types);
    if rng.chance(2) {
        ty = rng.below(5) as u8; // maybe one the fork does not know
    }
    let sender = eoas[sender_ix];
    let to = match rng.below(10) {
        0 if ty != 3 && ty != 4 => None,
        1 => Some(rng.pick(&targets)),
        _ => Some(contract(rng.below(CONTRACTS as u64) as u8)),
    };
    let wild = rng.chance(15);
    let data: Bytes = if to.is_none() {
        let mut p = Prog {
            rng: &mut rng,
            rev,
            code: Vec::new(),
            patches: Vec::new(),
            targets: targets_for_programs.clone(),
            depth: 0,
            wild,
        };
        p.init_code().into()
    } else {
        let n = rng.pick(&[0usize, 0, 4, 32, 36, 68, 100]);
        let mut d = rng.bytes(n);
        for b in d.iter_mut() {
            if rng.chance(40) {
                *b = 0;
            }
        }
        d.into()
    };
    let mut access_list = Vec::new();
    if ty >= 1 && rng.chance(50) {
        for _ in 0..rng.range(1, 3) {
            let keys = (0..rng.below(3))
                .map(|_| B256::from(U256::from(rng.below(4))))
                .collect();
            access_list.push((rng.pick(&targets), keys));
        }
    }
    let sender_nonce = pre.get(&sender).map(|a: &AccountSpec| a.nonce).unwrap_or(0);
    let nonce = if rng.chance(97) {
        sender_nonce
    } else {
        sender_nonce + 1
    };
    let tip = rng.pick(&[0u128, 1, 2, 100]);
    let max_fee = base_fee as u128 + tip + rng.pick(&[0u128, 0, 5]);
    let max_fee = if rng.chance(2) {
        max_fee.saturating_sub(2)
    } else {
        max_fee
    };
    let mut blob_hashes = Vec::new();
    let mut max_fee_per_blob_gas = 0;
    if ty == 3 {
        let n = if rng.chance(5) { 0 } else { rng.range(1, 6) };
        for _ in 0..n {
            let mut h = rng.word();
            h[0] = if rng.chance(97) { 1 } else { 2 };
            blob_hashes.push(B256::from(h));
        }
        max_fee_per_blob_gas = rng.pick(&[1u128, 1000, 1 << 40]);
    }
    let mut authorizations = Vec::new();
    if ty == 4 {
        let lo = if rng.chance(3) { 0 } else { 1 };
        for _ in 0..rng.range(lo, 3) {
            let key = rng.below(KEY_COUNT as u64) as usize;
            let authority = eoas[key];
            let cur =
                pre.get(&authority).map(|a| a.nonce).unwrap_or(0) + u64::from(authority == sender);
            let nonce = match rng.below(10) {
                0 => cur + 1,
                1 => u64::MAX,
                _ => cur,
            };
            let chain = match rng.below(10) {
                0 => U256::ZERO,
                1 => U256::from(2),
                _ => U256::from(chain_id),
            };
            let address = if rng.chance(10) {
                Address::ZERO
            } else {
                rng.pick(&targets)
            };
            let mut a = sign_auth(key, chain, address, nonce);
            if rng.chance(3) {
                a.s = U256::MAX - U256::from(1); // s too high: skipped
            }
            authorizations.push(a);
        }
    }
    let mut tx = TxSpec {
        ty,
        sender,
        to,
        nonce,
        gas_limit: 0,
        max_fee: if ty < 2 {
            base_fee as u128 + tip
        } else {
            max_fee
        },
        tip: if ty < 2 { base_fee as u128 + tip } else { tip },
        value: match rng.below(6) {
            0 => U256::from(rng.below(1000)),
            1 => U256::from(1),
            _ => U256::ZERO,
        },
        data,
        access_list,
        max_fee_per_blob_gas,
        blob_hashes,
        authorizations,
    };
    let intrinsic = crate::intrinsic(&tx, rev);
    tx.gas_limit = match rng.below(20) {
        0 => intrinsic.saturating_sub(rng.below(3)),
        1 => intrinsic + rng.below(5000),
        2 => (1 << 24) + rng.below(2),
        _ => intrinsic + rng.range(20_000, 3_000_000),
    };
    Case {
        rev,
        chain_id,
        pre,
        block,
        tx,
    }
}
