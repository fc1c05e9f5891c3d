//! Running a case and timing it.

use crate::host::{message, MemHost};
use std::time::{Duration, Instant};
use xvm_evm::{AnalyzedCode, ExecResult, Revision, Vm};

/// Runs analysed `code` on `input` once through `vm` with `host`.
#[inline]
pub fn run<V: Vm>(
    vm: &V,
    rev: Revision,
    code: &AnalyzedCode,
    input: &[u8],
    host: &mut MemHost,
) -> ExecResult {
    vm.execute_with_input(host, rev, &message(), input, code)
}

/// Timings of repeated runs.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Median run time.
    pub median: Duration,
    /// Fastest run.
    pub min: Duration,
    /// Number of timed runs.
    pub runs: usize,
}

/// Times `f` `runs` times (at least once) after `warmup` untimed calls.
pub fn time<F: FnMut()>(mut f: F, warmup: usize, runs: usize) -> Timing {
    for _ in 0..warmup {
        f();
    }
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    Timing {
        median: times[times.len() / 2],
        min: times[0],
        runs: times.len(),
    }
}

/// Runs `runs` times, each on a fresh host, and checks that every run used the same gas and
/// returned the same status and output as the first; returns that result and the timing.
/// Analysis is outside the timing; creating the fresh host is inside (it is a few empty maps).
pub fn bench<V: Vm>(
    vm: &V,
    rev: Revision,
    code: &AnalyzedCode,
    input: &[u8],
    warmup: usize,
    runs: usize,
) -> Result<(ExecResult, Timing), String> {
    let first = run(vm, rev, code, input, &mut MemHost::new());
    let mut mismatch = None;
    let timing = time(
        || {
            let r = run(vm, rev, code, input, &mut MemHost::new());
            if mismatch.is_none()
                && (r.status != first.status
                    || r.gas_left != first.gas_left
                    || r.output != first.output)
            {
                mismatch = Some(format!(
                    "runs differ: {:?} gas left {} vs {:?} gas left {}",
                    first.status, first.gas_left, r.status, r.gas_left
                ));
            }
        },
        warmup,
        runs,
    );
    match mismatch {
        Some(m) => Err(m),
        None => Ok((first, timing)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xvm_evm::{Interpreter, StatusCode};

    #[test]
    fn bench_returns_the_result_and_run_count() {
        // PUSH1 2 PUSH1 3 ADD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN (offset 0, size 32)
        let code = AnalyzedCode::new(&hex::decode("600260030160005260206000f3").unwrap());
        let (r, t) = bench(&Interpreter, Revision::Osaka, &code, &[], 1, 5).unwrap();
        assert_eq!(r.status, StatusCode::Success);
        assert_eq!(r.output.len(), 32);
        assert_eq!(r.output[31], 5);
        assert_eq!(t.runs, 5);
        assert!(t.min <= t.median);
    }
}
