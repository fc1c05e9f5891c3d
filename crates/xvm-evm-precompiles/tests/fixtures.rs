//! Cross-check against the Ethereum state-test fixtures (read in place, never copied).
//!
//! The execution-spec-tests precompile tests send the precompile input as transaction data to a
//! small contract that copies it to memory, calls the precompile with a fixed gas amount and stores
//! the outcome (success flag, return data size, return data hash or words, sometimes the gas the
//! call consumed) in storage. This test runs those contracts with a tiny interpreter of the few
//! opcodes they use, calling this crate for the precompile, and compares the storage it writes with
//! the fixture's post-state. Contracts using any other opcode are skipped: the full state
//! transition is checked elsewhere.

use alloy_primitives::{keccak256, U256};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use xvm_evm::{Address, Revision, StatusCode};
use xvm_evm_precompiles::{execute, is_precompile};

/// The fixtures folder (holding `ethereum/`), or `None` (after printing why) when it is absent
/// outside CI. Under `CI=true` a missing folder fails the test.
fn fixtures_root() -> Option<PathBuf> {
    let root = match std::env::var_os("XVM_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    };
    if root.join("ethereum").is_dir() {
        return Some(root);
    }
    let msg = format!(
        "fixtures not found at {} (set XVM_FIXTURES)",
        root.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("skipping: {msg}");
    None
}

/// Why a contract could not be simulated.
#[derive(Debug)]
struct Unsupported;

/// Words of memory for `len` bytes.
fn mem_words(len: usize) -> u64 {
    (len as u64).div_ceil(32)
}

/// Memory cost of `words` words (yellow paper C_mem).
fn mem_cost(words: u64) -> u64 {
    3 * words + words * words / 512
}

struct Sim<'a> {
    calldata: &'a [u8],
    rev: Revision,
    stack: Vec<U256>,
    mem: Vec<u8>,
    gas: u64,
    returndata: Vec<u8>,
    storage: BTreeMap<U256, U256>,
    /// Precompile calls made.
    calls: usize,
}

fn small(v: U256) -> Result<usize, Unsupported> {
    usize::try_from(v)
        .ok()
        .filter(|&n| n < (1 << 24))
        .ok_or(Unsupported)
}

impl Sim<'_> {
    fn pop(&mut self) -> Result<U256, Unsupported> {
        self.stack.pop().ok_or(Unsupported)
    }

    fn charge(&mut self, cost: u64) -> Result<(), Unsupported> {
        self.gas = self.gas.checked_sub(cost).ok_or(Unsupported)?;
        Ok(())
    }

    /// Grows memory to cover `[offset, offset + len)`, charging the expansion.
    fn touch(&mut self, offset: usize, len: usize) -> Result<(), Unsupported> {
        if len == 0 {
            return Ok(());
        }
        let end = offset + len;
        if end > self.mem.len() {
            let old = mem_words(self.mem.len());
            let new = mem_words(end);
            self.charge(mem_cost(new) - mem_cost(old))?;
            self.mem.resize(new as usize * 32, 0);
        }
        Ok(())
    }

    fn run(&mut self, code: &[u8]) -> Result<(), Unsupported> {
        let mut pc = 0;
        while pc < code.len() {
            let op = code[pc];
            pc += 1;
            match op {
                0x00 => return Ok(()),
                0x01 | 0x03 => {
                    self.charge(3)?;
                    let (a, b) = (self.pop()?, self.pop()?);
                    self.stack.push(if op == 0x01 {
                        a.wrapping_add(b)
                    } else {
                        a.wrapping_sub(b)
                    });
                }
                0x20 => {
                    let (off, len) = (small(self.pop()?)?, small(self.pop()?)?);
                    self.charge(30 + 6 * mem_words(len))?;
                    self.touch(off, len)?;
                    let h = keccak256(&self.mem[off..off + len]);
                    self.stack.push(U256::from_be_bytes(h.0));
                }
                0x36 => {
                    self.charge(2)?;
                    self.stack.push(U256::from(self.calldata.len()));
                }
                0x37 => {
                    let (dst, src, len) = (
                        small(self.pop()?)?,
                        small(self.pop()?)?,
                        small(self.pop()?)?,
                    );
                    self.charge(3 + 3 * mem_words(len))?;
                    self.touch(dst, len)?;
                    for i in 0..len {
                        self.mem[dst + i] = self.calldata.get(src + i).copied().unwrap_or(0);
                    }
                }
                0x3d => {
                    self.charge(2)?;
                    self.stack.push(U256::from(self.returndata.len()));
                }
                0x3e => {
                    let (dst, src, len) = (
                        small(self.pop()?)?,
                        small(self.pop()?)?,
                        small(self.pop()?)?,
                    );
                    if src + len > self.returndata.len() {
                        return Err(Unsupported);
                    }
                    self.charge(3 + 3 * mem_words(len))?;
                    self.touch(dst, len)?;
                    self.mem[dst..dst + len].copy_from_slice(&self.returndata[src..src + len]);
                }
                0x51 => {
                    self.charge(3)?;
                    let off = small(self.pop()?)?;
                    self.touch(off, 32)?;
                    let mut w = [0u8; 32];
                    w.copy_from_slice(&self.mem[off..off + 32]);
                    self.stack.push(U256::from_be_bytes(w));
                }
                0x55 => {
                    let (key, value) = (self.pop()?, self.pop()?);
                    self.storage.insert(key, value);
                    // SSTORE's gas does not matter to what these contracts store.
                }
                0x5a => {
                    self.charge(2)?;
                    self.stack.push(U256::from(self.gas));
                }
                0x5f => {
                    self.charge(2)?;
                    self.stack.push(U256::ZERO);
                }
                0x60..=0x7f => {
                    self.charge(3)?;
                    let n = usize::from(op - 0x5f);
                    let bytes = code.get(pc..pc + n).ok_or(Unsupported)?;
                    self.stack.push(U256::from_be_slice(bytes));
                    pc += n;
                }
                0x80..=0x8f => {
                    self.charge(3)?;
                    let n = usize::from(op - 0x7f);
                    let v = *self.stack.iter().rev().nth(n - 1).ok_or(Unsupported)?;
                    self.stack.push(v);
                }
                0x90..=0x9f => {
                    self.charge(3)?;
                    let n = usize::from(op - 0x8f);
                    let len = self.stack.len();
                    if len <= n {
                        return Err(Unsupported);
                    }
                    self.stack.swap(len - 1, len - 1 - n);
                }
                0xf1 | 0xf2 | 0xf4 | 0xfa => self.call(op)?,
                _ => return Err(Unsupported),
            }
        }
        Ok(())
    }

    fn call(&mut self, op: u8) -> Result<(), Unsupported> {
        let gas_arg = self.pop()?;
        let to = self.pop()?;
        if op == 0xf1 || op == 0xf2 {
            let value = self.pop()?;
            if !value.is_zero() {
                return Err(Unsupported);
            }
        }
        let (args_off, args_len) = (small(self.pop()?)?, small(self.pop()?)?);
        let (ret_off, ret_len) = (small(self.pop()?)?, small(self.pop()?)?);
        let addr = Address::from_word(to.to_be_bytes::<32>().into());
        let active = is_precompile(&addr, self.rev);
        // Precompiles are warm (EIP-2929); any other address here is a cold, empty account.
        self.charge(if active { 100 } else { 2600 })?;
        self.touch(args_off, args_len)?;
        self.touch(ret_off, ret_len)?;
        let available = self.gas - self.gas / 64;
        let gas = u64::try_from(gas_arg).unwrap_or(u64::MAX).min(available);
        if !active {
            self.returndata.clear();
            self.stack.push(U256::from(1));
            return Ok(());
        }
        self.calls += 1;
        let input = self.mem[args_off..args_off + args_len].to_vec();
        let r = execute(&addr, &input, gas as i64, self.rev);
        if r.status == StatusCode::Success {
            self.gas -= gas - r.gas_left as u64;
            self.returndata = r.output.to_vec();
            let n = ret_len.min(self.returndata.len());
            self.mem[ret_off..ret_off + n].copy_from_slice(&self.returndata[..n]);
            self.stack.push(U256::from(1));
        } else {
            assert_eq!(r.gas_left, 0, "a failed precompile call must leave no gas");
            assert!(
                r.output.is_empty(),
                "a failed precompile call must return nothing"
            );
            self.gas -= gas;
            self.returndata.clear();
            self.stack.push(U256::ZERO);
        }
        Ok(())
    }
}

/// The intrinsic gas of a call transaction with `data` and `access_list` (no creation).
fn intrinsic_gas(data: &[u8], access_list: &Value, rev: Revision) -> u64 {
    let nonzero = if rev >= Revision::Istanbul { 16 } else { 68 };
    let calldata: u64 = data.iter().map(|&b| if b == 0 { 4 } else { nonzero }).sum();
    let list: u64 = access_list
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            2400 + 1900
                * entry["storageKeys"]
                    .as_array()
                    .map_or(0, |k| k.len() as u64)
        })
        .sum();
    21_000 + calldata + list
}

fn hex_bytes(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or("");
    hex::decode(s.trim_start_matches("0x")).unwrap_or_default()
}

fn hex_u256(s: &str) -> U256 {
    U256::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(U256::ZERO)
}

#[derive(Default)]
struct Tally {
    checked: usize,
    skipped: usize,
    calls: usize,
    failures: Vec<String>,
}

fn check_file(path: &Path, tally: &mut Tally) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tests: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (name, test) in tests.as_object().into_iter().flatten() {
        let tx = &test["transaction"];
        let Some(to) = tx["to"].as_str().filter(|s| !s.is_empty()) else {
            tally.skipped += 1;
            continue;
        };
        let code = hex_bytes(&test["pre"][to]["code"]);
        if code.is_empty() {
            tally.skipped += 1;
            continue;
        }
        for (fork, posts) in test["post"].as_object().into_iter().flatten() {
            let Ok(rev) = fork.parse::<Revision>() else {
                tally.skipped += 1;
                continue;
            };
            for post in posts.as_array().into_iter().flatten() {
                if post.get("expectException").is_some() {
                    tally.skipped += 1;
                    continue;
                }
                // Older fixtures give only the state root: nothing to compare against.
                let Some(expected) = post["state"].get(to) else {
                    tally.skipped += 1;
                    continue;
                };
                let i = post["indexes"]["data"].as_u64().unwrap_or(0) as usize;
                let g = post["indexes"]["gas"].as_u64().unwrap_or(0) as usize;
                let data = hex_bytes(&tx["data"][i]);
                let gas_limit = tx["gasLimit"][g].as_str().map(hex_u256).unwrap_or_default();
                let gas_limit = u64::try_from(gas_limit).unwrap_or(u64::MAX);
                let Some(gas) =
                    gas_limit.checked_sub(intrinsic_gas(&data, &tx["accessLists"][i], rev))
                else {
                    tally.skipped += 1;
                    continue;
                };
                let mut sim = Sim {
                    calldata: &data,
                    rev,
                    stack: Vec::new(),
                    mem: Vec::new(),
                    gas,
                    returndata: Vec::new(),
                    storage: BTreeMap::new(),
                    calls: 0,
                };
                if sim.run(&code).is_err() || sim.calls == 0 {
                    tally.skipped += 1;
                    continue;
                }
                let expected = &expected["storage"];
                let mut bad = Vec::new();
                for (slot, value) in &sim.storage {
                    let want = expected
                        .as_object()
                        .into_iter()
                        .flatten()
                        .find(|(k, _)| hex_u256(k) == *slot)
                        .map(|(_, v)| hex_u256(v.as_str().unwrap_or("0")))
                        .unwrap_or(U256::ZERO);
                    if want != *value {
                        bad.push(format!("slot {slot:#x}: got {value:#x}, want {want:#x}"));
                    }
                }
                tally.checked += 1;
                tally.calls += sim.calls;
                if !bad.is_empty() {
                    tally.failures.push(format!(
                        "{} [{fork} data {i}] {name}: {}",
                        path.display(),
                        bad.join("; ")
                    ));
                }
            }
        }
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Runs every fixture file under `dirs` (relative to `ethereum/state`) and returns the tally.
fn check_dirs(root: &Path, dirs: &[&str]) -> Tally {
    let base = root.join("ethereum/state");
    let mut files = Vec::new();
    for d in dirs {
        json_files(&base.join(d), &mut files);
    }
    let mut tally = Tally::default();
    for f in &files {
        check_file(f, &mut tally);
    }
    eprintln!(
        "{dirs:?}: {} files, {} cases checked ({} precompile calls), {} skipped, {} mismatches",
        files.len(),
        tally.checked,
        tally.calls,
        tally.skipped,
        tally.failures.len()
    );
    tally
}

fn assert_clean(tally: &Tally, min_checked: usize) {
    for f in tally.failures.iter().take(20) {
        eprintln!("MISMATCH {f}");
    }
    assert!(
        tally.failures.is_empty(),
        "{} mismatches",
        tally.failures.len()
    );
    assert!(
        tally.checked >= min_checked,
        "only {} cases checked, expected at least {min_checked}",
        tally.checked
    );
}

#[test]
fn eip2537_bls12_381() {
    let Some(root) = fixtures_root() else { return };
    let t = check_dirs(&root, &["prague/prague/eip2537_bls_12_381_precompiles"]);
    assert_clean(&t, 300);
}

#[test]
fn eip7951_p256verify() {
    let Some(root) = fixtures_root() else { return };
    let t = check_dirs(&root, &["osaka/eip7951_p256verify_precompiles"]);
    assert_clean(&t, 200);
}

#[test]
fn modexp_eip198_eip7823_eip7883() {
    let Some(root) = fixtures_root() else { return };
    let t = check_dirs(
        &root,
        &[
            "prague/byzantium/eip198_modexp_precompile",
            "osaka/eip7883_modexp_gas_increase",
            "osaka/eip7823_modexp_upper_bounds",
        ],
    );
    assert_clean(&t, 100);
}

#[test]
fn eip4844_point_evaluation() {
    let Some(root) = fixtures_root() else { return };
    let t = check_dirs(
        &root,
        &[
            "prague/cancun/eip4844_blobs/point_evaluation_precompile",
            "prague/cancun/eip4844_blobs/point_evaluation_precompile_gas",
            "istanbul-to-cancun/Pyspecs/cancun/eip4844_blobs",
        ],
    );
    assert_clean(&t, 100);
}

#[test]
fn blake2f_and_frontier_precompiles() {
    let Some(root) = fixtures_root() else { return };
    let t = check_dirs(
        &root,
        &[
            "prague/istanbul/eip152_blake2",
            "prague/frontier/precompiles",
        ],
    );
    assert_clean(&t, 10);
}
