//! The C-ABI path against the native path on the benchmark contracts
//! (`../shared/fixtures/ethereum/benchmarks`): the same transaction message on the same world
//! state (xvm-ethereum's), executed by xvm's interpreter directly and by `libxvm.so` loaded
//! through xvm's EVMC loader (every frame crosses the C ABI both ways). `cargo bench -p xvm-evmc`
//! prints criterion's figures per contract and then a table of C-ABI/native time ratios. Two
//! almost-empty calls (`tiny/stop`, `tiny/return32`) show the per-call set-up of each path.

use criterion::{black_box, Criterion};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xvm::LoadedVm;
use xvm_ethereum::parse::{parse_address, parse_bytes, parse_u256};
use xvm_ethereum::statetest::fixtures_root;
use xvm_ethereum::{Evm, PreAccount, PreState, State};
use xvm_evm::{
    Address, CallKind, ExecResult, Host, Interpreter, Message, Revision, TxContext, Vm, U256,
};

/// One benchmark: its pre-state, the transaction as a message, the revision and context.
struct Case {
    name: String,
    pre: PreState,
    msg: Message,
    rev: Revision,
    ctx: TxContext,
}

fn field<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a serde_json::Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Reads the first test of a fixture file: one [`Case`] per transaction data variant.
fn load(path: &Path) -> Vec<Case> {
    let n = std::fs::read(path)
        .ok()
        .and_then(|t| serde_json::from_slice::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            let t = v.as_object()?.values().next()?.clone();
            Some(t["transaction"]["data"].as_array()?.len())
        })
        .unwrap_or(0);
    (0..n).filter_map(|i| load_variant(path, i, n)).collect()
}

/// The case of data variant `index` (of `count`).
fn load_variant(path: &Path, index: usize, count: usize) -> Option<Case> {
    let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let (name, t) = raw.as_object()?.iter().next()?;
    let mut pre = PreState::new();
    for (a, acc) in t["pre"].as_object()? {
        let mut storage = xvm_ethereum::state::SlotMap::default();
        for (k, v) in acc["storage"].as_object().into_iter().flatten() {
            storage.insert(parse_u256(k).ok()?, parse_u256(text(v)).ok()?);
        }
        let code = parse_bytes(text(&acc["code"])).ok()?;
        let balance = parse_u256(text(&acc["balance"])).unwrap_or_default();
        let nonce = parse_u256(text(&acc["nonce"]))
            .unwrap_or_default()
            .to::<u64>();
        pre.insert(
            parse_address(a).ok()?,
            PreAccount::new(nonce, balance, &code, storage),
        );
    }
    let tx = &t["transaction"];
    let to = parse_address(text(&tx["to"])).ok()?;
    let sender = parse_address(text(&tx["sender"])).unwrap_or(Address::repeat_byte(0xa9));
    let fork = t["post"].as_object()?.keys().next()?;
    let rev: Revision = fork.parse().ok()?;
    let input = parse_bytes(text(field(tx, &["data"]).get(index)?)).ok()?;
    // The transaction's gas minus its intrinsic cost (base and calldata).
    let intrinsic: i64 = 21_000
        + input
            .iter()
            .map(|b| if *b == 0 { 4 } else { 16 })
            .sum::<i64>();
    let gas = parse_u256(text(field(tx, &["gasLimit"]).get(0)?))
        .ok()?
        .saturating_to::<i64>()
        - intrinsic;
    let msg = Message {
        kind: CallKind::Call,
        gas: gas.max(0),
        recipient: to,
        code_address: to,
        sender,
        input,
        value: U256::ZERO,
        ..Message::default()
    };
    let ctx = bench_context(sender);
    let mut name = format!("{}/{}", path.parent()?.file_name()?.to_string_lossy(), name);
    if count > 1 {
        name.push_str(&format!("/d{index}"));
    }
    Some(Case {
        name,
        pre,
        msg,
        rev,
        ctx,
    })
}

/// Runs the case's message once on a fresh world state.
#[inline(never)]
/// The block and transaction context every case runs in, sent by `origin`.
fn bench_context(origin: Address) -> TxContext {
    TxContext {
        gas_price: U256::from(10),
        origin,
        gas_limit: 30_000_000,
        number: 1,
        timestamp: 1000,
        chain_id: U256::from(1),
        base_fee: U256::from(7),
        ..TxContext::default()
    }
}

fn run<V: Vm>(case: &Case, vm: &V) -> ExecResult {
    let mut evm = Evm::new(State::new(&case.pre), vm, case.rev, case.ctx.clone());
    evm.call(&case.msg)
}

fn timed<V: Vm>(case: &Case, vm: &V, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(run(case, vm));
    }
    start.elapsed()
}

/// `libxvm.so` next to this bench executable (built with the package's library), else in-process
/// (the same C entry points linked in).
fn c_abi_vm() -> LoadedVm {
    let exe = std::env::current_exe().expect("current exe");
    let deps = exe.parent().expect("exe dir").to_path_buf();
    let name = format!(
        "{}xvm{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    for dir in [
        deps.clone(),
        deps.parent().map(Path::to_path_buf).unwrap_or(deps),
    ] {
        let lib = dir.join(&name);
        if lib.is_file() {
            if let Ok(vm) = LoadedVm::load(&lib) {
                eprintln!("C ABI path: {}", lib.display());
                return vm;
            }
        }
    }
    eprintln!("C ABI path: in-process xvm VM (no {name} found next to the bench)");
    xvm::in_process_vm()
}

fn cases() -> Vec<Case> {
    let root = fixtures_root().join("ethereum").join("benchmarks");
    let mut files: Vec<PathBuf> = ["main", "micro"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root.join(d))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases: Vec<Case> = files.iter().flat_map(|f| load(f)).collect();
    cases.extend(tiny_cases());
    cases
}

/// Almost-empty calls, where the per-call set-up is all there is to time: `STOP`, and a return
/// of 32 bytes of memory (`PUSH1 32 PUSH1 0 RETURN`).
fn tiny_cases() -> Vec<Case> {
    let to = Address::repeat_byte(0xc0);
    let sender = Address::repeat_byte(0xa9);
    [
        ("tiny/stop", &[0x00u8][..]),
        ("tiny/return32", &[0x60, 0x20, 0x60, 0x00, 0xf3][..]),
    ]
    .into_iter()
    .map(|(name, code)| {
        let mut pre = PreState::new();
        pre.insert(
            to,
            PreAccount::new(1, U256::ZERO, code, xvm_ethereum::state::SlotMap::default()),
        );
        Case {
            name: name.to_string(),
            pre,
            msg: Message {
                kind: CallKind::Call,
                gas: 1_000_000,
                recipient: to,
                code_address: to,
                sender,
                ..Message::default()
            },
            rev: Revision::Osaka,
            ctx: bench_context(sender),
        }
    })
    .collect()
}

fn main() {
    // `cargo bench -p xvm-evmc -- TEXT`: criterion runs only the groups whose name contains
    // TEXT; the ratio table keeps the same cases.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.name.contains(f.as_str())))
        .collect();
    if cases.is_empty() {
        eprintln!("no benchmark fixtures under {}", fixtures_root().display());
        return;
    }
    let c_vm = c_abi_vm();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    for case in &cases {
        // Both paths must agree before they are compared.
        let (n, v) = (run(case, &Interpreter), run(case, &c_vm));
        assert_eq!(n, v, "{}: the C ABI and the native path differ", case.name);
        let mut g = c.benchmark_group(&case.name);
        g.bench_function("native", |b| {
            b.iter_custom(|iters| timed(case, &Interpreter, iters))
        });
        g.bench_function("c_abi", |b| {
            b.iter_custom(|iters| timed(case, &c_vm, iters))
        });
        g.finish();
    }
    c.final_summary();

    // The ratio table: criterion's runs above are sequential (all native samples, then all
    // C-ABI ones), so on a busy machine a load change between them skews the ratio. Here the two
    // paths alternate, batch by batch, and each keeps its fastest batch.
    println!(
        "\n{:<40} {:>12} {:>12} {:>7}",
        "contract (fastest batch per iteration)", "native", "C ABI", "ratio"
    );
    let mut ratios = Vec::new();
    for case in &cases {
        let (n, v) = interleaved_best(case, &c_vm);
        ratios.push(v / n);
        println!(
            "{:<40} {:>9.1} us {:>9.1} us {:>7.3}",
            case.name,
            n * 1e6,
            v * 1e6,
            v / n
        );
    }
    let geo = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    println!("geometric mean of the C-ABI/native ratios: {geo:.3}");
}

/// Seconds per iteration of the fastest batch of each path, the paths alternating batch by batch.
fn interleaved_best(case: &Case, c_vm: &LoadedVm) -> (f64, f64) {
    // Batches of about 10 ms.
    let once = {
        let t = Instant::now();
        black_box(run(case, &Interpreter));
        t.elapsed().as_secs_f64().max(1e-7)
    };
    let iters = ((0.01 / once) as u64).clamp(1, 100_000);
    let (mut best_n, mut best_v) = (f64::MAX, f64::MAX);
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..iters {
            black_box(run(case, &Interpreter));
        }
        best_n = best_n.min(t.elapsed().as_secs_f64() / iters as f64);
        let t = Instant::now();
        for _ in 0..iters {
            black_box(run(case, c_vm));
        }
        best_v = best_v.min(t.elapsed().as_secs_f64() / iters as f64);
    }
    (best_n, best_v)
}
