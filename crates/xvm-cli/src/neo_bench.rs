//! `xvm neo bench`: a fixed set of NeoVM scripts (integer loops, PACK/UNPACK, maps, REVERSEN,
//! CAT/SUBSTR, TRY/THROW, deep CALL chains, compiler-style slot code), each checked against its
//! expected result, timed per VM instruction.
//!
//! Wall-clock times are noisy on a shared machine; for stable numbers run one script once under
//! callgrind and count host instructions inside the engine (see BENCHMARKS.md):
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='xvm_neovm::engine::ExecutionEngine::execute' \
//!     xvm neo bench --filter int-loop --runs 1 --no-warmup
//! ```

use clap::Args;
use std::process::ExitCode;
use std::time::Instant;
use xvm_neovm::asm::assemble;
use xvm_neovm::engine::{ExecutionEngine, Interop, VmState};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::item::StackItem;
use xvm_neovm::script::{Instruction, Script};
use xvm_neovm::Limits;

/// Arguments of `xvm neo bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Run only the script of this name, or else the scripts whose name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Timed runs per script (the report gives their median and minimum).
    #[arg(long, default_value_t = 5)]
    runs: u32,
    /// Skip the untimed warm-up run (for a single run under callgrind).
    #[arg(long)]
    no_warmup: bool,
    /// Print one JSON object per script instead of the table.
    #[arg(long)]
    json: bool,
    /// List the scripts with their assembly and exit.
    #[arg(long)]
    list: bool,
}

/// What a benchmark script must leave on the result stack.
enum Expect {
    /// Nothing.
    Empty,
    /// One Integer.
    Int(i64),
    /// One Buffer or ByteString with these bytes.
    Bytes(&'static [u8]),
    /// One Array of these Integers.
    IntArray(Vec<i64>),
}

/// One benchmark: a name, what it exercises, its assembly and its expected result.
struct Bench {
    name: &'static str,
    what: &'static str,
    asm: String,
    expect: Expect,
}

/// The loop counter idiom every script uses: `LDLOC0 DEC DUP STLOC0 JMPIF label`.
fn count_down(label: &str) -> String {
    format!("LDLOC0\nDEC\nDUP\nSTLOC0\nJMPIF {label}\n")
}

fn benches() -> Vec<Bench> {
    let mut v = Vec::new();
    v.push(Bench {
        name: "int-loop",
        what: "the issue's counting loop: 200,000 x (LDLOC0 DEC DUP STLOC0 JMPIF)",
        asm: format!(
            "INITSLOT 1 0\nPUSHINT32 200000\nSTLOC0\nL:\n{}RET\n",
            count_down("L")
        ),
        expect: Expect::Empty,
    });
    v.push(Bench {
        name: "int-sum",
        what: "sum 1..100,000 in a local (LDLOC, ADD, STLOC per step)",
        asm: format!(
            "INITSLOT 2 0\nPUSHINT32 100000\nSTLOC0\nPUSH0\nSTLOC1\nL:\nLDLOC1\nLDLOC0\nADD\nSTLOC1\n{}LDLOC1\nRET\n",
            count_down("L")
        ),
        expect: Expect::Int(100_000 * 100_001 / 2),
    });
    v.push(Bench {
        name: "pack-unpack",
        what: "50,000 x (PACK 3 items, UNPACK, add them up)",
        asm: format!(
            "INITSLOT 2 0\nPUSHINT32 50000\nSTLOC0\nPUSH0\nSTLOC1\nL:\nLDLOC1\nPUSH2\nPUSH3\nPUSH4\nPUSH3\nPACK\nUNPACK\nDROP\nADD\nADD\nADD\nSTLOC1\n{}LDLOC1\nRET\n",
            count_down("L")
        ),
        expect: Expect::Int(50_000 * 9),
    });
    // map[i % 1000] = i for i = 20000..1, then sum map[i % 1000] over the same i.
    let mut map = std::collections::HashMap::new();
    for i in (1..=20_000i64).rev() {
        map.insert(i % 1000, i);
    }
    let map_sum: i64 = (1..=20_000i64).map(|i| map[&(i % 1000)]).sum();
    v.push(Bench {
        name: "map",
        what: "20,000 SETITEM then 20,000 PICKITEM on a 1,000-entry Map (Integer keys)",
        asm: format!(
            "INITSLOT 3 0\nNEWMAP\nSTLOC2\nPUSHINT32 20000\nSTLOC0\nI:\nLDLOC2\nLDLOC0\nPUSHINT16 1000\nMOD\nLDLOC0\nSETITEM\n{}\
             PUSHINT32 20000\nSTLOC0\nPUSH0\nSTLOC1\nK:\nLDLOC1\nLDLOC2\nLDLOC0\nPUSHINT16 1000\nMOD\nPICKITEM\nADD\nSTLOC1\n{}LDLOC1\nRET\n",
            count_down("I"),
            count_down("K")
        ),
        expect: Expect::Int(map_sum),
    });
    let mut push16 = String::new();
    for n in 1..=16 {
        push16.push_str(&format!("PUSH{n}\n"));
    }
    v.push(Bench {
        name: "reversen",
        what: "100,000 x REVERSEN of 16 items",
        asm: format!(
            "INITSLOT 1 0\n{push16}PUSHINT32 100000\nSTLOC0\nL:\nPUSH16\nREVERSEN\n{}PUSH16\nPACK\nRET\n",
            count_down("L")
        ),
        expect: Expect::IntArray((1..=16).rev().collect()),
    });
    v.push(Bench {
        name: "cat-substr",
        what: "50,000 x (CAT two 5-byte strings, SUBSTR 4 bytes)",
        asm: format!(
            "INITSLOT 1 0\nPUSHDATA1 0x00\nPUSHINT32 50000\nSTLOC0\nL:\nDROP\nPUSHDATA1 0x68656c6c6f\nPUSHDATA1 0x776f726c64\nCAT\nPUSH3\nPUSH4\nSUBSTR\n{}RET\n",
            count_down("L")
        ),
        expect: Expect::Bytes(b"lowo"),
    });
    v.push(Bench {
        name: "try-throw",
        what: "50,000 x (TRY, THROW, CATCH, ENDTRY), counting the caught exceptions",
        asm: format!(
            "INITSLOT 2 0\nPUSHINT32 50000\nSTLOC0\nPUSH0\nSTLOC1\nL:\nTRY C, 0\nPUSH1\nTHROW\nC:\nLDLOC1\nADD\nSTLOC1\nENDTRY E\nE:\n{}LDLOC1\nRET\n",
            count_down("L")
        ),
        expect: Expect::Int(50_000),
    });
    v.push(Bench {
        name: "call-chain",
        what: "2,000 x a recursive CALL chain 64 deep (f(n) = n == 0 ? 0 : f(n - 1) + 1)",
        asm: format!(
            "INITSLOT 2 0\nPUSHINT16 2000\nSTLOC0\nPUSH0\nSTLOC1\nL:\nLDLOC1\nPUSHINT8 64\nCALL F\nADD\nSTLOC1\n{}LDLOC1\nRET\n\
             F:\nDUP\nJMPIFNOT Z\nDEC\nCALL F\nINC\nRET\nZ:\nRET\n",
            count_down("L")
        ),
        expect: Expect::Int(2000 * 64),
    });
    // acc = g(acc, i) for i = 40000..1 with g(a, b) = (a + b) - ((a + b) & 1), as a compiler
    // emits it: INITSLOT with arguments and locals, LDARG/STLOC/LDLOC.
    let mut acc = 0i64;
    for i in (1..=40_000i64).rev() {
        let s = acc + i;
        acc = s - (s & 1);
    }
    v.push(Bench {
        name: "slots",
        what: "40,000 calls of a 2-argument, 2-local function (INITSLOT, LDARG, STLOC, LDLOC)",
        asm: format!(
            "INITSLOT 2 0\nPUSHINT32 40000\nSTLOC0\nPUSH0\nSTLOC1\nL:\nLDLOC0\nLDLOC1\nCALL G\nSTLOC1\n{}LDLOC1\nRET\n\
             G:\nINITSLOT 2 2\nLDARG0\nLDARG1\nADD\nSTLOC0\nLDLOC0\nPUSH1\nAND\nSTLOC1\nLDLOC0\nLDLOC1\nSUB\nRET\n",
            count_down("L")
        ),
        expect: Expect::Int(acc),
    });
    v
}

/// A host that counts the VM instructions executed (nothing else: no gas, no syscalls).
struct Counter {
    instructions: u64,
}

impl Interop for Counter {
    fn syscall(&mut self, _engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!(
            "Syscall 0x{id:08x} is not available in the benchmark"
        )))
    }

    #[inline]
    fn pre_execute(&mut self, _: &ExecutionEngine, _: &Instruction<'_>) -> Result<(), VmError> {
        self.instructions += 1;
        Ok(())
    }
}

/// Runs `bytes` once as a fresh script in a fresh engine; returns the instruction count and
/// the time of `execute` alone, or what went wrong.
fn run_once(b: &Bench, bytes: &[u8]) -> Result<(u64, f64), String> {
    let mut engine = ExecutionEngine::new(Limits::default());
    let mut host = Counter { instructions: 0 };
    engine
        .load_script(Script::new(bytes.to_vec()), -1, 0)
        .map_err(|e| format!("{e:?}"))?;
    let t = Instant::now();
    let state = engine.execute(&mut host);
    let secs = t.elapsed().as_secs_f64();
    if state != VmState::Halt {
        return Err(format!(
            "ended in {state}: {}",
            engine.fault_message().unwrap_or("")
        ));
    }
    check(&b.expect, engine.result_stack())?;
    Ok((host.instructions, secs))
}

fn check(expect: &Expect, stack: &[StackItem]) -> Result<(), String> {
    let int = |x: &StackItem| match x {
        StackItem::Integer(i) => i.to_i64(),
        _ => None,
    };
    let ok = match expect {
        Expect::Empty => stack.is_empty(),
        Expect::Int(want) => stack.len() == 1 && int(&stack[0]) == Some(*want),
        Expect::Bytes(want) => {
            stack.len() == 1
                && matches!(&stack[0], StackItem::Buffer(_) | StackItem::ByteString(_))
                && stack[0].to_bytes().ok().as_deref() == Some(*want)
        }
        Expect::IntArray(want) => match stack {
            [StackItem::Array(a)] => {
                let got: Vec<Option<i64>> = a.items().iter().map(int).collect();
                got == want.iter().map(|&w| Some(w)).collect::<Vec<_>>()
            }
            _ => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(format!("wrong result stack: {stack:?}"))
    }
}

/// Runs `xvm neo bench`.
pub fn bench(a: BenchArgs) -> ExitCode {
    let all = benches();
    let exact = all.iter().any(|b| Some(b.name) == a.filter.as_deref());
    let selected: Vec<Bench> = all
        .into_iter()
        .filter(|b| match a.filter.as_deref() {
            None => true,
            Some(f) if exact => b.name == f,
            Some(f) => b.name.contains(f),
        })
        .collect();
    if selected.is_empty() {
        return crate::usage_error("no benchmark matches the filter");
    }
    if a.list {
        for b in &selected {
            println!("; {} -- {}\n{}", b.name, b.what, b.asm);
        }
        return ExitCode::SUCCESS;
    }
    if a.runs == 0 {
        return crate::usage_error("--runs must be at least 1");
    }
    if !a.json {
        println!(
            "{:<12} {:>12} {:>12} {:>12} {:>10} {:>10}",
            "script", "VM instr", "median ms", "min ms", "ns/instr", "min ns/in"
        );
    }
    let mut failed = false;
    for b in &selected {
        let bytes = match assemble(&b.asm) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{}: assembly error: {e}", b.name);
                failed = true;
                continue;
            }
        };
        let mut times = Vec::new();
        let mut count = 0;
        let total = a.runs + u32::from(!a.no_warmup);
        for run in 0..total {
            match run_once(b, &bytes) {
                Ok((n, secs)) => {
                    count = n;
                    if a.no_warmup || run > 0 {
                        times.push(secs);
                    }
                }
                Err(e) => {
                    eprintln!("{}: {e}", b.name);
                    failed = true;
                    break;
                }
            }
        }
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let min = times[0];
        let per = |s: f64| s * 1e9 / count.max(1) as f64;
        if a.json {
            println!(
                "{}",
                serde_json::json!({
                    "script": b.name,
                    "vm_instructions": count,
                    "runs": times.len(),
                    "median_ms": median * 1e3,
                    "min_ms": min * 1e3,
                    "ns_per_instruction": per(median),
                    "min_ns_per_instruction": per(min),
                })
            );
        } else {
            println!(
                "{:<12} {:>12} {:>12.3} {:>12.3} {:>10.2} {:>10.2}",
                b.name,
                count,
                median * 1e3,
                min * 1e3,
                per(median),
                per(min)
            );
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every script assembles, halts with its expected result, and runs the instruction count
    /// its loop structure implies (so a benchmark cannot silently shrink).
    #[test]
    fn every_script_halts_with_its_result() {
        let expected_counts = [
            ("int-loop", 3 + 5 * 200_000 + 1),
            ("int-sum", 5 + 9 * 100_000 + 2),
            ("pack-unpack", 5 + 17 * 50_000 + 2),
            ("try-throw", 5 + 12 * 50_000 + 2),
        ];
        for b in benches() {
            let bytes = assemble(&b.asm).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            let (n, _) = run_once(&b, &bytes).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert!(n > 400_000, "{}: only {n} instructions", b.name);
            if let Some((_, want)) = expected_counts.iter().find(|(name, _)| *name == b.name) {
                assert_eq!(n, *want, "{}", b.name);
            }
        }
    }

    #[test]
    fn a_wrong_result_is_reported() {
        let b = Bench {
            name: "t",
            what: "",
            asm: "PUSH1\nRET\n".into(),
            expect: Expect::Int(2),
        };
        let bytes = assemble(&b.asm).unwrap();
        assert!(run_once(&b, &bytes).unwrap_err().contains("wrong result"));
        let b = Bench {
            expect: Expect::Empty,
            asm: "ABORT\n".into(),
            ..b
        };
        let bytes = assemble(&b.asm).unwrap();
        assert!(run_once(&b, &bytes).unwrap_err().contains("FAULT"));
    }
}
