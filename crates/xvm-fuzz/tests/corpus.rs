//! Replays every fuzz target's committed seed corpus (`fuzz/corpus/<target>/`) and crash
//! regressions (`fuzz/regressions/<target>/`) through the target bodies, on stable Rust.

use std::path::PathBuf;

fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz"))
        .join(kind)
        .join(target);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    v
}

/// The text a panic carried.
fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn every_target_has_a_seed_corpus_that_replays() {
    // Run on a thread with a big stack, as libFuzzer's main thread has (deep EVM call chains).
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            for (name, target) in xvm_fuzz::TARGETS {
                let corpus = files("corpus", name);
                assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty");
                for f in corpus.iter().chain(files("regressions", name).iter()) {
                    let data = std::fs::read(f).unwrap();
                    if let Err(e) = std::panic::catch_unwind(|| target(&data)) {
                        let msg = panic_message(&*e);
                        panic!("{name}: {} fails: {msg}", f.display());
                    }
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A short fuzz run of every target, as CI runs them: mutants of the committed corpus
/// (`xvm_fuzz::mutate`, no coverage feedback) for `XVM_FUZZ_SECONDS` seconds per target (default
/// 2), from seed `XVM_FUZZ_SEED` (default 1). A failing input is printed in hex; put it in
/// `fuzz/regressions/<target>/` once fixed.
#[test]
fn short_fuzz_run_of_every_target() {
    let secs: f64 = std::env::var("XVM_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let seed: u64 = std::env::var("XVM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    // Two workers, each target on one of them (the json_rpc target's node is not shared).
    let workers: Vec<_> = (0..2)
        .map(|w| {
            std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn(move || {
                    let mut report = Vec::new();
                    for (i, (name, target)) in xvm_fuzz::TARGETS.iter().enumerate() {
                        if i % 2 != w {
                            continue;
                        }
                        let corpus: Vec<Vec<u8>> = files("corpus", name)
                            .iter()
                            .map(|f| std::fs::read(f).unwrap())
                            .collect();
                        let mut rng = xvm_fuzz::mutate::Rng::new(seed ^ i as u64);
                        let start = std::time::Instant::now();
                        let mut runs = 0u64;
                        while start.elapsed().as_secs_f64() < secs {
                            let input = xvm_fuzz::mutate::mutate(&mut rng, &corpus, 4096);
                            if let Err(e) = std::panic::catch_unwind(|| target(&input)) {
                                let msg = panic_message(&*e);
                                panic!(
                                    "{name}: input {runs} of seed {seed} fails: {msg}\ninput: {}",
                                    alloy_primitives::hex::encode(&input)
                                );
                            }
                            runs += 1;
                        }
                        report.push(format!("{name}: {runs} inputs"));
                    }
                    report
                })
                .unwrap()
        })
        .collect();
    for w in workers {
        for line in w.join().unwrap() {
            println!("{line}");
        }
    }
}

/// Writes the seed corpora (run by hand: `cargo test -p xvm-fuzz -- --ignored write_seed`).
/// The NEF and manifest seeds come from `XVM_NEO_BUILD` (a folder of compiled examples/neo
/// contracts), when set.
#[test]
#[ignore]
fn write_seed_corpora() {
    use xvm_neovm::asm::assemble;
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus"));
    let put = |target: &str, name: &str, data: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    };
    let h = |s: &str| alloy_primitives::hex::decode(s).unwrap();
    // EVM programs (hex): storage, memory, calls to self and a precompile, create, logs, loop.
    let programs = [
        "602a60005560005460005260206000f3",
        "600160005401600055600060006000600060003060645a03f100",
        "6000600060006000600060045af1503d6000600037",
        "7f600160005500000000000000000000000000000000000000000000000000000060005260056000f0",
        "60ff60005360206000a0600160026003a3",
        "5b600160000360005260206000205060025600",
        "600060006000600060007300000000000000000000000000000000000000015af1",
        "3360ff",
        "5f5f5f5f5f5f5f5f",
        "60016000fd",
    ];
    for (i, p) in programs.iter().enumerate() {
        let mut d = vec![(i * 3 % 15) as u8, 0x40, 0x1f, 4, 1, 2, 3, 4];
        d.extend(h(p));
        put("evm_exec", &format!("seed{i}"), &d);
        let mut e = (i as i32 * 2 % 15).to_le_bytes().to_vec();
        e.extend([0, 0x00, 0x10, 0, 0, d.len() as u8 - 8, 0]);
        e.extend(&d[8..]);
        e.extend([4, 1, 2, 3, 4, 0, 0, 1, 2, 3, 0xff, 0, 1]);
        put("evmc", &format!("seed{i}"), &e);
        let mut f = (i as u64).to_le_bytes().to_vec();
        f.extend(h(p));
        put("differential", &format!("code{i}"), &f);
    }
    for i in 0..6u64 {
        put(
            "differential",
            &format!("seed{i}"),
            &(i * 7919).to_le_bytes(),
        );
    }
    // NeoVM scripts.
    let scripts = [
        "PUSH1\nPUSH2\nADD\nRET",
        "NEWARRAY0\nDUP\nPUSH5\nAPPEND\nDUP\nDUP\nAPPEND\nRET",
        "NEWMAP\nDUP\nPUSH1\nNEWARRAY0\nSETITEM\nDUP\nKEYS\nDROP\nRET",
        "INITSLOT 2 0\nNEWSTRUCT0\nSTLOC0\nLDLOC0\nLDLOC0\nAPPEND\nLDLOC0\nSTLOC1\nRET",
        "PUSH3\nloop:\nDEC\nDUP\nJMPIF loop\nRET",
        "TRY catch, 0\nPUSH0\nTHROW\ncatch:\nDROP\nPUSH1\nENDTRY end\nend:\nRET",
        "PUSHDATA1 0x0102030405\nCONVERT Buffer\nDUP\nPUSH0\nPUSH9\nSETITEM\nRET",
        "PUSH2\nPUSH1\nPUSH3\nPACK\nUNPACK\nRET",
        "INITSSLOT 1\nNEWARRAY0\nSTSFLD0\nLDSFLD0\nPUSH1\nAPPEND\nCALL sub\nRET\nsub:\nLDSFLD0\nSIZE\nRET",
        "SYSCALL 0x00000000\nSYSCALL 0x01000000\nRET",
    ];
    for (i, s) in scripts.iter().enumerate() {
        let bytes = assemble(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        put("neovm_exec", &format!("seed{i}"), &bytes);
        put("neovm_refcount", &format!("seed{i}"), &bytes);
        put("neovm_asm", &format!("text{i}"), s.as_bytes());
        put("neovm_asm", &format!("bytes{i}"), &bytes);
    }
    // State tests: reproducer-format files for generated cases (expectation from revm).
    for i in 0..3 {
        let case = xvm_difftest::gen::generate(0x5eed, i);
        let expected = xvm_difftest::revm_run::run(&case);
        let json = xvm_difftest::reproducer::state_test("seed", &case, &expected);
        put(
            "statetest_json",
            &format!("seed{i}.json"),
            serde_json::to_string(&json).unwrap().as_bytes(),
        );
    }
    for (i, s) in [
        "0x",
        "0x00",
        "0X1f",
        "1234",
        "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0x:bigint 0x10",
        "deadbeef",
        "0xcafe0",
    ]
    .iter()
    .enumerate()
    {
        put("hex", &format!("seed{i}"), s.as_bytes());
    }
    for (i, s) in [
        "uint256\n42",
        "address\n0x00000000000000000000000000000000000000aa",
        "uint8[]\n[1,2,3]",
        "(bool,string)\n[true,\"x\"]",
        "bytes32\n0x01",
        "int256\n-5",
        "[{\"type\":\"function\",\"name\":\"f\",\"inputs\":[],\"outputs\":[{\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\"}]",
    ]
    .iter()
    .enumerate()
    {
        put("abi_args", &format!("seed{i}"), s.as_bytes());
    }
    put("raw_tx", "legacy", &h("f86c808504a817c80082520894000000000000000000000000000000000000aaaa880de0b6b3a76400008025a0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02222222222222222222222222222222222222222222222222222222222222222"));
    put("raw_tx", "typed", &h("02f8700180843b9aca008504a817c80082520894000000000000000000000000000000000000aaaa880de0b6b3a764000080c001a0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02222222222222222222222222222222222222222222222222222222222222222"));
    if let Some(dir) = std::env::var_os("XVM_NEO_BUILD") {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".nef") {
                put("nef", &name, &std::fs::read(&p).unwrap());
            } else if name.ends_with(".manifest.json") {
                put("manifest", &name, &std::fs::read(&p).unwrap());
            }
        }
    }
}

/// Shrinks a `differential` crash input into a state-test reproducer (run by hand:
/// `XVM_FUZZ_INPUT=path cargo test -p xvm-fuzz -- --ignored reproduce_differential`).
#[test]
#[ignore]
fn reproduce_differential() {
    let path = std::env::var("XVM_FUZZ_INPUT").expect("XVM_FUZZ_INPUT names a crash input");
    let data = std::fs::read(&path).unwrap();
    let case = xvm_fuzz::evm::differential_case(&data);
    match xvm_difftest::report(&case, "fuzz_differential") {
        Some(f) => println!("{f}"),
        None => println!("xvm and revm agree on {path}"),
    }
}
