//! Differential testing of xvm's Ethereum state transition against revm.
//!
//! A seeded generator ([`gen::generate`]) makes whole cases: a fork from Frontier to Osaka, a
//! random pre-state whose contracts hold random (but purposeful) programs, a block and a
//! transaction of any type. Each case runs in xvm ([`xvm_run`]) and in revm ([`revm_run`]);
//! validity, status, gas used, output, logs and the whole post-state must agree. A mismatch is
//! shrunk ([`shrink`]) and written as a state test ([`reproducer`]) that `xvm evm statetest`
//! replays, with revm's state root and logs hash as the expectation.

#![deny(missing_docs)]

pub mod case;
pub mod gen;
pub mod outcome;
pub mod reproducer;
pub mod revm_run;
pub mod rng;
pub mod shrink;
pub mod xvm_run;

use case::Case;
use outcome::Outcome;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Intrinsic gas of the case's transaction (xvm's computation; used to pick gas limits).
pub fn intrinsic(tx: &case::TxSpec, rev: xvm_evm::Revision) -> u64 {
    let c = Case {
        rev,
        chain_id: 1,
        pre: Default::default(),
        block: case::BlockSpec {
            coinbase: gen::COINBASE,
            gas_limit: 0,
            number: 0,
            timestamp: 0,
            difficulty: Default::default(),
            prev_randao: Default::default(),
            base_fee: 0,
            excess_blob_gas: 0,
        },
        tx: tx.clone(),
    };
    let (gas, floor) = xvm_ethereum::tx::intrinsic_gas(&xvm_run::transaction(&c), rev);
    gas.max(floor)
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Both outcomes of a case (a runner that panics gives `Err` with the message).
pub fn run_both(case: &Case) -> (Result<Outcome, String>, Result<Outcome, String>) {
    let x = std::panic::catch_unwind(|| xvm_run::run(case)).map_err(panic_text);
    let r = std::panic::catch_unwind(|| revm_run::run(case)).map_err(panic_text);
    (x, r)
}

/// A disagreement between the two VMs.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The first differing field.
    pub field: String,
    /// xvm's value.
    pub xvm: String,
    /// revm's value.
    pub revm: String,
}

/// Compares the two runs of `case`: `Ok(executed)` when they agree (`executed`: the transaction
/// was valid), else the first difference.
pub fn check_full(case: &Case) -> Result<bool, Mismatch> {
    match run_both(case) {
        (Ok(x), Ok(r)) => match x.first_difference(&r) {
            None => Ok(matches!(r, Outcome::Executed(_))),
            Some((field, xvm, revm)) => Err(Mismatch { field, xvm, revm }),
        },
        (x, r) => Err(Mismatch {
            field: "panic".into(),
            xvm: format!("{x:?}"),
            revm: format!("{r:?}"),
        }),
    }
}

/// Compares the two runs of `case`; `None` when they agree.
pub fn check(case: &Case) -> Option<Mismatch> {
    check_full(case).err()
}

/// A hint at the fork rule or component a mismatch points to.
pub fn component(case: &Case, m: &Mismatch) -> String {
    let rev = case.rev;
    let f = m.field.as_str();
    let what = if f == "validity" {
        format!("transaction validation (type {} transaction)", case.tx.ty)
    } else if f == "panic" {
        "a runner panicked".to_string()
    } else if f == "status" || f == "gas used" || f == "output" {
        "the interpreter (gas schedule, instruction semantics or call/create rules)".to_string()
    } else if f == "refund" {
        "the refund counter (SSTORE refund rules, EIP-3529 cap, EIP-7702 authorizations)"
            .to_string()
    } else if f == "logs" {
        "LOG instructions or log reverting".to_string()
    } else if f.ends_with("storage") {
        "SSTORE/refund rules or storage reverting".to_string()
    } else if f.ends_with("existence") {
        "account creation/deletion rules (EIP-161 touch, SELFDESTRUCT, CREATE collisions)"
            .to_string()
    } else if f.contains(&format!("{:#x}", case.block.coinbase)) {
        "fee payment to the coinbase (priority fee, refunds)".to_string()
    } else if f.ends_with("code") {
        "code deposit rules (EIP-170, EIP-3541, EIP-7702 delegation)".to_string()
    } else {
        "value transfers, gas payment or nonces".to_string()
    };
    format!("{what} in {rev}")
}

/// Where reproducers are written: `$XVM_DIFF_OUT`, else `target/difftest-failures` of the
/// workspace.
pub fn failures_dir() -> PathBuf {
    match std::env::var_os("XVM_DIFF_OUT") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/difftest-failures"
        )),
    }
}

/// A reported mismatch: the shrunk case, the difference and the reproducer path.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Campaign seed.
    pub seed: u64,
    /// Case index.
    pub index: u64,
    /// The difference (of the shrunk case).
    pub mismatch: Mismatch,
    /// The component hint.
    pub component: String,
    /// The state-test file written (None if it could not be written).
    pub path: Option<PathBuf>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "differential mismatch (seed {}, case {}): {} differs\n  xvm:  {}\n  revm: {}\n  points at: {}\n  reproducer: {}",
            self.seed,
            self.index,
            self.mismatch.field,
            self.mismatch.xvm,
            self.mismatch.revm,
            self.component,
            self.path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(not written)".into())
        )
    }
}

/// Checks case `index` of campaign `seed`; on a mismatch shrinks it and writes the reproducer.
pub fn check_index(seed: u64, index: u64) -> Option<Finding> {
    let case = gen::generate(seed, index);
    let name = format!("difftest_{seed:x}_{index}");
    let mut f = report(&case, &name)?;
    (f.seed, f.index) = (seed, index);
    Some(f)
}

/// Checks `case`; on a mismatch shrinks it and writes the reproducer `<name>.json` (the seed and
/// index of the finding are 0).
pub fn report(case: &Case, name: &str) -> Option<Finding> {
    let (seed, index) = (0, 0);
    let first = check(case)?;
    let small = shrink::shrink(case, 400, |c| check(c).is_some());
    let mismatch = check(&small).unwrap_or(first);
    let expected = revm_run::run(&small);
    let json = reproducer::state_test(name, &small, &expected);
    let dir = failures_dir();
    let path = dir.join(format!("{name}.json"));
    let written = std::fs::create_dir_all(&dir)
        .and_then(|_| {
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&json).unwrap_or_default(),
            )
        })
        .is_ok();
    Some(Finding {
        seed,
        index,
        component: component(&small, &mismatch),
        mismatch,
        path: written.then_some(path),
    })
}

/// The result of a campaign.
#[derive(Debug, Default)]
pub struct Report {
    /// Cases run.
    pub cases: u64,
    /// Cases in which revm executed the transaction (the rest were invalid in both).
    pub executed: u64,
    /// Mismatches found.
    pub findings: Vec<Finding>,
}

/// Runs cases `start..start + count` of campaign `seed` on `threads` threads (each with a big
/// stack), stopping early after `max_findings` mismatches. `progress` is called now and then with
/// the number of cases done.
pub fn campaign(
    seed: u64,
    start: u64,
    count: u64,
    threads: usize,
    max_findings: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Report {
    let next = AtomicU64::new(start);
    let done = AtomicU64::new(0);
    let executed = AtomicU64::new(0);
    let found = AtomicUsize::new(0);
    let findings = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            std::thread::Builder::new()
                .stack_size(64 << 20)
                .spawn_scoped(s, || loop {
                    if found.load(Ordering::Relaxed) >= max_findings {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= start + count {
                        break;
                    }
                    let case = gen::generate(seed, i);
                    match check_full(&case) {
                        Ok(true) => {
                            executed.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(false) => {}
                        Err(_) => {
                            if let Some(f) = check_index(seed, i) {
                                found.fetch_add(1, Ordering::Relaxed);
                                findings.lock().unwrap_or_else(|e| e.into_inner()).push(f);
                            }
                        }
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if d % 1000 == 0 {
                        progress(d);
                    }
                })
                .expect("spawn a worker thread");
        }
    });
    let mut findings = findings.into_inner().unwrap_or_else(|e| e.into_inner());
    findings.sort_by_key(|f| f.index);
    Report {
        cases: done.into_inner(),
        executed: executed.into_inner(),
        findings,
    }
}
