//! xvm against revm 43 on the same inputs, in the same process: every input of the benchmark
//! fixtures (`ethereum/benchmarks/{main,micro}`) and every synthetic per-family loop, at Osaka
//! (`XVM_BENCH_REV` picks another revision).
//!
//! Both engines run the bare interpreter on the same bytecode and input with the same kind of
//! in-memory host (`xvm_bench::host::MemHost` and [`RevmHost`] below: storage in hash maps, warm
//! sets, logs in a vector, the same block and transaction context). Code analysis is outside the
//! timing for both (xvm: `AnalyzedCode`; revm: `Bytecode::new_raw`, its jump table). revm's
//! interpreter object is reused across runs (`Interpreter::clear`, which keeps its stack
//! allocation), as revm's own frame handling does; xvm takes its buffers from its frame pool.
//! Before timing, status, gas left and output are checked equal; an input where they differ is
//! reported and left out.
//!
//! `cargo bench -p xvm-bench [-- FILTER]` prints criterion's figures per input and engine, then a
//! table of xvm/revm time ratios from interleaved batches (median batch per engine) and their
//! geometric mean. `XVM_BENCH_NO_CRITERION=1` prints the table only; `XVM_BENCH_PROFILE=xvm` (or
//! `revm`) only runs each input `XVM_BENCH_PROFILE_RUNS` times (default 1) through that engine, for
//! callgrind. `XVM_BENCH_CLOCK=cpu` times the table's batches in thread CPU time instead of wall
//! clock, and `XVM_BENCH_BATCHES=N` sets the number of batches (default 21).
//! `XVM_BENCH_MEMORY=1` prints, instead of timings, each engine's peak heap use per input (see
//! [`heap`]).

use criterion::{black_box, Criterion};
use revm::context_interface::cfg::GasParams;
use revm::context_interface::context::{SStoreResult, SelfDestructResult, StateLoad};
use revm::context_interface::host::LoadError;
use revm::context_interface::journaled_state::AccountInfoLoad;
use revm::interpreter::interpreter::{EthInterpreter, ExtBytecode};
use revm::interpreter::{
    instruction_table, instructions::gas_table_spec, CallInput, GasTable, Host as RevmHostTrait,
    InputsImpl, InstructionTable, Interpreter as RevmInterpreter, InterpreterAction, SharedMemory,
};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, Log, StorageKey, StorageValue, B256, U256};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use xvm_bench::host::{context, MemHost, RECIPIENT, SENDER};
use xvm_bench::{measure, Case, GAS};
use xvm_evm::{AnalyzedCode, ExecResult, Interpreter, Revision, StatusCode};

/// revm's revision for ours.
fn spec(rev: Revision) -> SpecId {
    match rev {
        Revision::Frontier => SpecId::FRONTIER,
        Revision::Homestead => SpecId::HOMESTEAD,
        Revision::TangerineWhistle => SpecId::TANGERINE,
        Revision::SpuriousDragon => SpecId::SPURIOUS_DRAGON,
        Revision::Byzantium => SpecId::BYZANTIUM,
        Revision::Constantinople | Revision::Petersburg => SpecId::PETERSBURG,
        Revision::Istanbul => SpecId::ISTANBUL,
        Revision::Berlin => SpecId::BERLIN,
        Revision::London => SpecId::LONDON,
        Revision::Paris => SpecId::MERGE,
        Revision::Shanghai => SpecId::SHANGHAI,
        Revision::Cancun => SpecId::CANCUN,
        Revision::Prague => SpecId::PRAGUE,
        Revision::Osaka => SpecId::OSAKA,
    }
}

/// revm's side of the in-memory host: what `MemHost` does, through revm's `Host` trait.
struct RevmHost {
    gas_params: GasParams,
    ctx: xvm_evm::TxContext,
    storage: HashMap<(Address, U256), (U256, U256)>,
    transient: HashMap<(Address, U256), U256>,
    warm_accounts: HashSet<Address>,
    warm_slots: HashSet<(Address, U256)>,
    logs: Vec<Log>,
    account: revm::state::AccountInfo,
}

impl RevmHost {
    fn new(gas_params: &GasParams) -> Self {
        RevmHost {
            gas_params: gas_params.clone(),
            ctx: context(),
            storage: HashMap::new(),
            transient: HashMap::new(),
            warm_accounts: [SENDER, RECIPIENT].into_iter().collect(),
            warm_slots: HashSet::new(),
            logs: Vec::new(),
            account: Default::default(),
        }
    }
}

impl RevmHostTrait for RevmHost {
    fn basefee(&self) -> U256 {
        self.ctx.base_fee
    }
    fn blob_gasprice(&self) -> U256 {
        self.ctx.blob_base_fee
    }
    fn gas_limit(&self) -> U256 {
        U256::from(self.ctx.gas_limit)
    }
    fn difficulty(&self) -> U256 {
        U256::ZERO
    }
    fn prevrandao(&self) -> Option<U256> {
        Some(self.ctx.prev_randao.into())
    }
    fn block_number(&self) -> U256 {
        U256::from(self.ctx.number)
    }
    fn timestamp(&self) -> U256 {
        U256::from(self.ctx.timestamp)
    }
    fn beneficiary(&self) -> Address {
        self.ctx.coinbase
    }
    fn slot_num(&self) -> U256 {
        U256::ZERO
    }
    fn chain_id(&self) -> U256 {
        self.ctx.chain_id
    }
    fn effective_gas_price(&self) -> U256 {
        self.ctx.gas_price
    }
    fn caller(&self) -> Address {
        self.ctx.origin
    }
    fn blob_hash(&self, _number: usize) -> Option<U256> {
        None
    }
    fn max_initcode_size(&self) -> usize {
        xvm_evm::MAX_INITCODE_SIZE
    }
    fn gas_params(&self) -> &GasParams {
        &self.gas_params
    }
    fn is_amsterdam_eip8037_enabled(&self) -> bool {
        false
    }
    fn block_hash(&mut self, _number: u64) -> Option<B256> {
        Some(B256::ZERO)
    }
    fn selfdestruct(
        &mut self,
        _address: Address,
        target: Address,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<SelfDestructResult>, LoadError> {
        let is_cold = self.warm_accounts.insert(target);
        Ok(StateLoad::new(
            SelfDestructResult {
                had_value: false,
                target_exists: target == SENDER || target == RECIPIENT,
                previously_destroyed: false,
            },
            is_cold,
        ))
    }
    fn log(&mut self, log: Log) {
        self.logs.push(log);
    }
    fn sstore_skip_cold_load(
        &mut self,
        address: Address,
        key: StorageKey,
        value: StorageValue,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<SStoreResult>, LoadError> {
        let is_cold = self.warm_slots.insert((address, key));
        let slot = self.storage.entry((address, key)).or_default();
        let result = SStoreResult {
            original_value: slot.0,
            present_value: slot.1,
            new_value: value,
        };
        slot.1 = value;
        Ok(StateLoad::new(result, is_cold))
    }
    fn sload_skip_cold_load(
        &mut self,
        address: Address,
        key: StorageKey,
        _skip_cold_load: bool,
    ) -> Result<StateLoad<StorageValue>, LoadError> {
        let is_cold = self.warm_slots.insert((address, key));
        let v = self
            .storage
            .get(&(address, key))
            .map(|s| s.1)
            .unwrap_or_default();
        Ok(StateLoad::new(v, is_cold))
    }
    fn tstore(&mut self, address: Address, key: StorageKey, value: StorageValue) {
        self.transient.insert((address, key), value);
    }
    fn tload(&mut self, address: Address, key: StorageKey) -> StorageValue {
        self.transient
            .get(&(address, key))
            .copied()
            .unwrap_or_default()
    }
    fn load_account_info_skip_cold_load(
        &mut self,
        address: Address,
        _load_code: bool,
        _skip_cold_load: bool,
    ) -> Result<AccountInfoLoad<'_>, LoadError> {
        let is_cold = self.warm_accounts.insert(address);
        let is_empty = !(address == SENDER || address == RECIPIENT);
        Ok(AccountInfoLoad::new(&self.account, is_cold, is_empty))
    }
}

type Table = InstructionTable<EthInterpreter, RevmHost>;

/// One input prepared for both engines.
struct Prepared {
    name: String,
    input: Vec<u8>,
    xvm_code: AnalyzedCode,
    revm_code: revm::bytecode::Bytecode,
}

/// revm's reusable interpreter plus its tables.
struct Revm {
    spec: SpecId,
    gas_params: GasParams,
    table: Table,
    gas: GasTable,
    interp: RevmInterpreter<EthInterpreter>,
}

/// What both engines must agree on.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// 0 success, 1 revert, 2 failure.
    class: u8,
    gas_left: u64,
    output: Vec<u8>,
}

impl Revm {
    fn new(spec: SpecId) -> Self {
        Revm {
            spec,
            gas_params: GasParams::new_spec(spec),
            table: instruction_table::<EthInterpreter, RevmHost>(),
            gas: gas_table_spec(spec),
            interp: RevmInterpreter::default(),
        }
    }

    #[inline]
    fn run(&mut self, p: &Prepared) -> Outcome {
        let mut host = RevmHost::new(&self.gas_params);
        let inputs = InputsImpl {
            target_address: RECIPIENT,
            bytecode_address: Some(RECIPIENT),
            caller_address: SENDER,
            input: CallInput::Bytes(Bytes::copy_from_slice(&p.input)),
            call_value: U256::ZERO,
            depth: 0,
        };
        self.interp.clear(
            SharedMemory::new(),
            ExtBytecode::new(p.revm_code.clone()),
            inputs,
            false,
            self.spec,
            GAS as u64,
            0,
        );
        let action = self.interp.run_plain(&self.table, &self.gas, &mut host);
        match action {
            InterpreterAction::Return(r) => Outcome {
                class: if r.result.is_ok() {
                    0
                } else if r.result.is_revert() {
                    1
                } else {
                    2
                },
                gas_left: if r.result.is_ok() || r.result.is_revert() {
                    r.gas.remaining()
                } else {
                    0
                },
                output: if r.result.is_ok() || r.result.is_revert() {
                    r.output.to_vec()
                } else {
                    Vec::new()
                },
            },
            // A call or create: the bare interpreter hands it to its caller; not benchmarked.
            InterpreterAction::NewFrame(_) => Outcome {
                class: 3,
                gas_left: 0,
                output: Vec::new(),
            },
        }
    }
}

#[inline]
fn run_xvm(rev: Revision, p: &Prepared) -> ExecResult {
    measure::run(
        &Interpreter,
        rev,
        &p.xvm_code,
        &p.input,
        &mut MemHost::new(),
    )
}

fn xvm_outcome(r: &ExecResult) -> Outcome {
    Outcome {
        class: match r.status {
            StatusCode::Success => 0,
            StatusCode::Revert => 1,
            _ => 2,
        },
        gas_left: r.gas_left as u64,
        output: r.output.to_vec(),
    }
}

fn filter_arg() -> Option<String> {
    std::env::args().skip(1).find(|a| !a.starts_with('-'))
}

fn main() {
    let rev: Revision = std::env::var("XVM_BENCH_REV")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(Revision::Osaka);
    let filter = filter_arg();
    let mut cases: Vec<Case> = match xvm_bench::fixtures::load_all(&[]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("benchmark fixtures: {e}");
            Vec::new()
        }
    };
    cases.extend(xvm_bench::synthetic::cases());
    let mut revm = Revm::new(spec(rev));
    let mut prepared = Vec::new();
    let mut failures = 0;
    for c in cases {
        let name = c.name();
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let p = Prepared {
            name,
            xvm_code: AnalyzedCode::new(&c.code),
            revm_code: revm::bytecode::Bytecode::new_raw(c.code.clone().into()),
            input: c.input,
        };
        let (x, r) = (xvm_outcome(&run_xvm(rev, &p)), revm.run(&p));
        if x != r {
            eprintln!(
                "{}: engines differ, left out: xvm class {} gas left {}, revm class {} gas left {}",
                p.name, x.class, x.gas_left, r.class, r.gas_left
            );
            failures += 1;
            continue;
        }
        prepared.push(p);
    }

    if std::env::var_os("XVM_BENCH_MEMORY").is_some() {
        heap::report(rev, &prepared);
        return;
    }
    if let Ok(engine) = std::env::var("XVM_BENCH_PROFILE") {
        let runs = std::env::var("XVM_BENCH_PROFILE_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        profile_runs(&engine, rev, &prepared, &mut revm, runs);
        return;
    }
    if std::env::var_os("XVM_BENCH_NO_CRITERION").is_none() {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(10)
            .configure_from_args();
        for p in &prepared {
            let mut g = c.benchmark_group(&p.name);
            g.bench_function("xvm", |b| b.iter(|| black_box(run_xvm(rev, p))));
            g.bench_function("revm", |b| b.iter(|| black_box(revm.run(p))));
            g.finish();
        }
        c.final_summary();
    }

    println!(
        "\n{:<42} {:>12} {:>12} {:>7}",
        format!("input ({rev:?}; median of interleaved batches)"),
        "xvm",
        "revm",
        "xvm/revm"
    );
    let mut ratios = Vec::new();
    for p in &prepared {
        let (x, r) = interleaved(rev, p, &mut revm);
        ratios.push(x / r);
        println!(
            "{:<42} {:>9.2} us {:>9.2} us {:>7.3}",
            p.name,
            x * 1e6,
            r * 1e6,
            x / r
        );
    }
    if !ratios.is_empty() {
        let geo = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        let worst = ratios.iter().cloned().fold(0.0, f64::max);
        println!(
            "geometric mean of xvm/revm over {} inputs: {geo:.3} (max {worst:.3})",
            ratios.len()
        );
    }
    if failures > 0 {
        eprintln!("{failures} input(s) left out because the engines differ");
        std::process::exit(1);
    }
}

/// For instruction counts (`valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect=*profile_runs*`): `runs` runs of each input through one engine only.
#[inline(never)]
fn profile_runs(engine: &str, rev: Revision, prepared: &[Prepared], revm: &mut Revm, runs: u32) {
    for p in prepared {
        eprintln!("profile input: {}", p.name);
        profile_one(engine, rev, p, revm, runs);
    }
}

/// The runs of one input; `--dump-after='*profile_one*'` gives one callgrind dump per input, in
/// the order of the `profile input:` lines on stderr.
#[inline(never)]
fn profile_one(engine: &str, rev: Revision, p: &Prepared, revm: &mut Revm, runs: u32) {
    for _ in 0..runs {
        if engine == "revm" {
            black_box(revm.run(p));
        } else {
            black_box(run_xvm(rev, p));
        }
    }
}

/// Which clock the ratio table reads: wall clock (default), or with `XVM_BENCH_CLOCK=cpu` this
/// thread's CPU time, which leaves out the time the thread waits while other processes run (on a
/// loaded machine the wall-clock batches are mostly waiting).
#[derive(Clone, Copy)]
enum Clock {
    Wall(Instant),
    Cpu,
}

impl Clock {
    fn from_env() -> Self {
        match std::env::var("XVM_BENCH_CLOCK").as_deref() {
            Ok("cpu") => Clock::Cpu,
            _ => Clock::Wall(Instant::now()),
        }
    }

    /// Seconds since an arbitrary start.
    fn now(self) -> f64 {
        match self {
            Clock::Wall(start) => start.elapsed().as_secs_f64(),
            Clock::Cpu => {
                let mut ts = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is
                // supported on every Linux this runs on (an error leaves `ts` zero).
                unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
                ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
            }
        }
    }
}

/// Seconds per run of each engine: `XVM_BENCH_BATCHES` (default 21) batches of about 5 ms each,
/// the engines alternating; the median batch of each.
fn interleaved(rev: Revision, p: &Prepared, revm: &mut Revm) -> (f64, f64) {
    let clock = Clock::from_env();
    let batches = std::env::var("XVM_BENCH_BATCHES")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(21usize)
        .max(1);
    let once = {
        let t = clock.now();
        black_box(run_xvm(rev, p));
        (clock.now() - t).max(1e-7)
    };
    let iters = ((0.005 / once) as u64).clamp(1, 100_000);
    let (mut xs, mut rs) = (Vec::new(), Vec::new());
    for _ in 0..batches {
        let t = clock.now();
        for _ in 0..iters {
            black_box(run_xvm(rev, p));
        }
        xs.push((clock.now() - t) / iters as f64);
        let t = clock.now();
        for _ in 0..iters {
            black_box(revm.run(p));
        }
        rs.push((clock.now() - t) / iters as f64);
    }
    xs.sort_by(f64::total_cmp);
    rs.sort_by(f64::total_cmp);
    (xs[xs.len() / 2], rs[rs.len() / 2])
}

/// Peak heap use per engine and input, counted by this binary's global allocator.
///
/// Each run happens on a fresh thread, so that neither engine finds buffers left by an earlier
/// run in its thread-local pools (xvm's frame pool, memory pool), and revm gets a new
/// `Interpreter` (its stack allocation) inside the counted window. The figure is the highest
/// number of live heap bytes during the thread's life above the count when it started: the
/// engine's state, its host (hash maps, logs), stack, memory, return data and output. Code
/// analysis is outside (done before, for both). Counting costs one relaxed flag load per
/// allocation when it is off, so the timing modes are not affected.
mod heap {
    use super::{run_xvm, Prepared, Revision, Revm};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

    static COUNTING: AtomicBool = AtomicBool::new(false);
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    static PEAK: AtomicIsize = AtomicIsize::new(0);

    /// The system allocator, counting live bytes while [`COUNTING`] is set.
    struct Counting;

    fn grew(by: usize) {
        let now = LIVE.fetch_add(by as isize, Relaxed) + by as isize;
        PEAK.fetch_max(now, Relaxed);
    }

    fn shrank(by: usize) {
        LIVE.fetch_sub(by as isize, Relaxed);
    }

    // SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
    // contract; the counters only observe sizes.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: same layout, same contract as the caller's.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() && COUNTING.load(Relaxed) {
                grew(layout.size());
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as for `alloc`.
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() && COUNTING.load(Relaxed) {
                grew(layout.size());
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from this allocator (that is, from `System`) with `layout`.
            unsafe { System.dealloc(ptr, layout) };
            if COUNTING.load(Relaxed) {
                shrank(layout.size());
            }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: forwarded with the caller's guarantees.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() && COUNTING.load(Relaxed) {
                if new_size >= layout.size() {
                    grew(new_size - layout.size());
                } else {
                    shrank(layout.size() - new_size);
                }
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// Peak live heap bytes, above the count at the start, while `f` runs on a fresh thread.
    pub(super) fn peak_of(f: impl FnOnce() + Send) -> usize {
        std::thread::scope(|s| {
            s.spawn(|| {
                let start = LIVE.load(Relaxed);
                PEAK.store(start, Relaxed);
                COUNTING.store(true, Relaxed);
                f();
                COUNTING.store(false, Relaxed);
                (PEAK.load(Relaxed) - start).max(0) as usize
            })
            .join()
            .expect("a measured run panicked")
        })
    }

    /// Prints per input the two engines' peak heap use and their ratio, then the largest ratio.
    pub(super) fn report(rev: Revision, prepared: &[Prepared]) {
        println!(
            "\n{:<42} {:>12} {:>12} {:>8}",
            format!("input ({rev:?}; peak heap bytes)"),
            "xvm",
            "revm",
            "xvm/revm"
        );
        let spec = super::spec(rev);
        let mut worst: (f64, &str) = (0.0, "");
        let (mut sum_x, mut sum_r) = (0usize, 0usize);
        for p in prepared {
            let x = peak_of(|| {
                std::hint::black_box(run_xvm(rev, p));
            });
            let r = peak_of(|| {
                let mut revm = Revm::new(spec);
                std::hint::black_box(revm.run(p));
            });
            let ratio = x as f64 / r.max(1) as f64;
            if ratio > worst.0 {
                worst = (ratio, &p.name);
            }
            sum_x += x;
            sum_r += r;
            println!("{:<42} {x:>12} {r:>12} {ratio:>8.3}", p.name);
        }
        println!(
            "peak heap over {} inputs: largest xvm/revm {:.3} ({}); total {} against {} bytes",
            prepared.len(),
            worst.0,
            worst.1,
            sum_x,
            sum_r
        );
    }
}
