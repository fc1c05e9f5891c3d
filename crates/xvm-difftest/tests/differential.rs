//! The bounded differential suite: xvm against revm on generated cases, with a fixed seed.
//! `XVM_DIFF_CASES` (default 100000) and `XVM_DIFF_SEED` (default 0x5eed) run more or others;
//! `XVM_DIFF_THREADS` sets the workers (default: the available cores).

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}"))
        }
        Err(_) => default,
    }
}

#[test]
fn differential_xvm_matches_revm() {
    let cases = env_u64("XVM_DIFF_CASES", 100_000);
    let seed = env_u64("XVM_DIFF_SEED", 0x5eed);
    let threads = env_u64(
        "XVM_DIFF_THREADS",
        std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
    ) as usize;
    let start = std::time::Instant::now();
    let report = xvm_difftest::campaign(seed, 0, cases, threads, 5, &|_| {});
    eprintln!(
        "differential: {} cases ({} executed, the rest invalid in both) in {:.1?}, seed {seed:#x}",
        report.cases,
        report.executed,
        start.elapsed()
    );
    for f in &report.findings {
        eprintln!("{f}");
    }
    assert!(
        report.findings.is_empty(),
        "{} differential mismatch(es); reproducers in {}",
        report.findings.len(),
        xvm_difftest::failures_dir().display()
    );
    // The generator must produce mostly valid transactions, or the suite tests little.
    assert!(
        report.executed * 10 >= report.cases * 6,
        "too few valid transactions: {report:?}"
    );
}
