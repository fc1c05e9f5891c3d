//! `xvm evm debug`: re-executes a transaction or call once under a recording tracer (every
//! step with its stack, bounded by `--max-steps`), then replays the recording under the
//! debugger's commands; stepping backwards is not offered, but every stop is exact and
//! deterministic.
//!
//! The step hook reports the stack but not memory or storage, so the recorder keeps a shadow
//! of each frame's memory from the instructions that write it (MSTORE, MSTORE8, the *COPY
//! family, MCOPY, the return data a call writes back) and the storage slots the execution
//! reads and writes (SLOAD's result is the next step's top of stack).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use alloy_primitives::{Address, Bytes, U256};
use clap::Args;
use xvm_chain::Chain;
use xvm_evm::opcodes::op_name;
use xvm_evm::trace::Step;
use xvm_evm::{CallKind, ExecResult, Message, Tracer};

use super::target::{execute, Names, Outcome, TargetArgs};
use crate::debugger::{self, Motion, Session};
use crate::usage_error;

/// Arguments of `xvm evm debug`.
#[derive(Args)]
pub struct DebugArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Read commands from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
    /// Most steps recorded; longer executions are refused.
    #[arg(long, default_value = "200000")]
    max_steps: usize,
}

struct RFrame {
    contract: String,
    function: String,
    address: Address,
    depth: usize,
}

struct RStep {
    frame: usize,
    pc: usize,
    op: u8,
    gas: i64,
    gas_cost: i64,
    stack: Vec<U256>,
    mem_size: usize,
    mem_writes: Vec<(usize, Vec<u8>)>,
    /// (slot, value if known, written)
    storage: Option<(U256, Option<U256>, bool)>,
    push_data: Vec<u8>,
    /// Source line, when a source map is known for the code.
    line: Option<String>,
}

struct Live {
    frame: usize,
    /// The account whose runtime code runs (`None` for init code).
    code_addr: Option<Address>,
    code: Bytes,
    input: Bytes,
    memory: Vec<u8>,
    last_return: Bytes,
    last_step: Option<usize>,
    pending_sload: Option<usize>,
}

/// The recording tracer.
struct Recorder<'c> {
    chain: &'c Chain,
    names: Names<'c>,
    frames: Vec<RFrame>,
    steps: Vec<RStep>,
    live: Vec<Live>,
    limit: usize,
    overflow: bool,
}

/// Memory larger than this is not shadowed (such an execution runs out of gas anyway).
const MAX_SHADOW: usize = 1 << 26;

fn small(v: &U256) -> Option<usize> {
    usize::try_from(*v).ok().filter(|&x| x <= MAX_SHADOW)
}

/// `size` bytes of `src` from `off`, zero-padded past its end.
fn slice_padded(src: &[u8], off: &U256, size: usize) -> Vec<u8> {
    let mut out = vec![0u8; size];
    if let Ok(off) = usize::try_from(*off) {
        if off < src.len() {
            let n = size.min(src.len() - off);
            out[..n].copy_from_slice(&src[off..off + n]);
        }
    }
    out
}

fn write_mem(mem: &mut Vec<u8>, off: usize, data: &[u8]) {
    if data.is_empty() || off + data.len() > MAX_SHADOW {
        return;
    }
    if mem.len() < off + data.len() {
        mem.resize(off + data.len(), 0);
    }
    mem[off..off + data.len()].copy_from_slice(data);
}

impl Recorder<'_> {
    fn code_of(&self, addr: &Address) -> Bytes {
        self.chain.account(addr).code
    }

    /// The memory an instruction writes, from its stack (before it runs).
    fn mem_writes(&self, live: &Live, op: u8, s: &[U256]) -> Vec<(usize, Vec<u8>)> {
        let n = s.len();
        let arg = |i: usize| s.get(n.wrapping_sub(1 + i)).copied();
        let copy = |src: &[u8], dest: Option<U256>, off: Option<U256>, size: Option<U256>| match (
            dest.as_ref().and_then(small),
            off,
            size.as_ref().and_then(small),
        ) {
            (Some(d), Some(o), Some(z)) if z > 0 => vec![(d, slice_padded(src, &o, z))],
            _ => Vec::new(),
        };
        match op {
            0x52 => match (arg(0).as_ref().and_then(small), arg(1)) {
                (Some(off), Some(v)) => vec![(off, v.to_be_bytes::<32>().to_vec())],
                _ => Vec::new(),
            },
            0x53 => match (arg(0).as_ref().and_then(small), arg(1)) {
                (Some(off), Some(v)) => vec![(off, vec![v.byte(0)])],
                _ => Vec::new(),
            },
            0x37 => copy(&live.input, arg(0), arg(1), arg(2)),
            0x39 => copy(&live.code, arg(0), arg(1), arg(2)),
            0x3e => copy(&live.last_return, arg(0), arg(1), arg(2)),
            0x3c => match arg(0) {
                Some(a) => {
                    let addr = Address::from_word(a.to_be_bytes::<32>().into());
                    copy(&self.code_of(&addr), arg(1), arg(2), arg(3))
                }
                None => Vec::new(),
            },
            0x5e => copy(&live.memory, arg(0), arg(1), arg(2)),
            _ => Vec::new(),
        }
    }
}

impl Tracer for Recorder<'_> {
    fn on_step(&mut self, step: &Step<'_>) {
        if self.overflow {
            return;
        }
        if self.steps.len() >= self.limit {
            self.overflow = true;
            return;
        }
        let Some(live) = self.live.last() else { return };
        if let Some(i) = live.pending_sload {
            if let Some(st) = self.steps[i].storage.as_mut() {
                st.1 = step.stack.last().copied();
            }
        }
        let writes = self.mem_writes(live, step.op, step.stack);
        let storage = match step.op {
            0x54 => step.stack.last().map(|k| (*k, None, false)),
            0x55 => {
                let n = step.stack.len();
                (n >= 2).then(|| (step.stack[n - 1], Some(step.stack[n - 2]), true))
            }
            _ => None,
        };
        let push_data = if (0x60..=0x7f).contains(&step.op) {
            let len = (step.op - 0x5f) as usize;
            let code = &live.code;
            let start = (step.pc + 1).min(code.len());
            code[start..(start + len).min(code.len())].to_vec()
        } else {
            Vec::new()
        };
        let line = live.code_addr.and_then(|c| self.names.line(&c, step.pc));
        let idx = self.steps.len();
        let live = self.live.last_mut().expect("a live frame");
        for (off, data) in &writes {
            write_mem(&mut live.memory, *off, data);
        }
        live.last_step = Some(idx);
        live.pending_sload = (step.op == 0x54).then_some(idx);
        self.steps.push(RStep {
            frame: live.frame,
            pc: step.pc,
            op: step.op,
            gas: step.gas,
            gas_cost: step.gas_cost,
            stack: step.stack.to_vec(),
            mem_size: step.mem_size,
            mem_writes: writes,
            storage,
            push_data,
            line,
        });
    }

    fn on_frame_end(&mut self, _depth: i32, _result: &ExecResult) {}

    fn on_call_start(&mut self, msg: &Message, input: &[u8]) {
        let create = matches!(msg.kind, CallKind::Create | CallKind::Create2);
        let code_addr = match msg.kind {
            CallKind::DelegateCall | CallKind::CallCode => msg.code_address,
            _ => msg.recipient,
        };
        let code = if create {
            Bytes::copy_from_slice(input)
        } else {
            self.code_of(&code_addr)
        };
        self.frames.push(RFrame {
            contract: self.names.contract(&code_addr),
            function: self.names.function(&code_addr, input, create),
            address: msg.recipient,
            depth: self.live.len() + 1,
        });
        self.live.push(Live {
            frame: self.frames.len() - 1,
            code_addr: (!create).then_some(code_addr),
            code,
            input: Bytes::copy_from_slice(input),
            memory: Vec::new(),
            last_return: Bytes::new(),
            last_step: None,
            pending_sload: None,
        });
    }

    fn on_call_end(&mut self, result: &ExecResult) {
        self.live.pop();
        let Some(parent) = self.live.last_mut() else {
            return;
        };
        parent.last_return = result.output.clone();
        parent.pending_sload = None;
        let Some(i) = parent.last_step else { return };
        let st = &mut self.steps[i];
        let n = st.stack.len();
        let ret = match st.op {
            0xf1 | 0xf2 if n >= 7 => Some((st.stack[n - 6], st.stack[n - 7])),
            0xf4 | 0xfa if n >= 6 => Some((st.stack[n - 5], st.stack[n - 6])),
            _ => None,
        };
        if matches!(st.op, 0xf0 | 0xf5) && result.create_address.is_some() {
            parent.last_return = Bytes::new();
        }
        if let Some((off, size)) = ret {
            if let (Some(off), Some(size)) = (small(&off), small(&size)) {
                let n = size.min(result.output.len());
                if n > 0 {
                    let data = result.output[..n].to_vec();
                    write_mem(&mut parent.memory, off, &data);
                    st.mem_writes.push((off, data));
                }
            }
        }
    }
}

enum Break {
    Pc(usize),
    Op(u8),
    Function(String),
    /// A source line (`File.sol:LINE`, with --artifact's source map): stops on entering it.
    Line(String),
}

/// The replay of a recording under the debugger.
struct Replay {
    frames: Vec<RFrame>,
    steps: Vec<RStep>,
    cursor: usize,
    breaks: Vec<Break>,
    outcome: Outcome,
}

fn word(v: &U256) -> String {
    format!("{v:#x}")
}

impl Replay {
    fn at_break(&self, i: usize) -> Option<usize> {
        let s = &self.steps[i];
        let f = &self.frames[s.frame];
        let entering = i == 0 || self.steps[i - 1].frame != s.frame && s.pc == 0;
        self.breaks.iter().position(|b| match b {
            Break::Pc(pc) => s.pc == *pc,
            Break::Op(op) => s.op == *op,
            Break::Function(name) => {
                entering
                    && (f.function == *name || format!("{}.{}", f.contract, f.function) == *name)
            }
            Break::Line(line) => {
                s.line.as_deref() == Some(line.as_str())
                    && (i == 0 || self.steps[i - 1].line != s.line)
            }
        })
    }

    fn depth(&self, i: usize) -> usize {
        self.frames[self.steps[i].frame].depth
    }
}

impl Session for Replay {
    fn motion(&mut self, m: Motion) -> String {
        let start_depth = self.depth(self.cursor);
        loop {
            self.cursor += 1;
            if self.cursor >= self.steps.len() {
                self.cursor = self.steps.len();
                return "end".into();
            }
            let d = self.depth(self.cursor);
            if let Some(b) = self.at_break(self.cursor) {
                if m != Motion::Step {
                    return format!("breakpoint {}", b + 1);
                }
            }
            match m {
                Motion::Step => return "step".into(),
                Motion::Next if d <= start_depth => return "next".into(),
                Motion::Out if d < start_depth => return "out".into(),
                _ => {}
            }
        }
    }

    fn finished(&self) -> bool {
        self.cursor >= self.steps.len()
    }

    fn summary(&self) -> String {
        format!(
            "{} gas used {} output {}",
            if self.outcome.success {
                "success"
            } else {
                "failed"
            },
            self.outcome.gas_used,
            self.outcome.output
        )
    }

    fn add_break(&mut self, spec: &str) -> Result<String, String> {
        if spec.is_empty() {
            return Err(
                "break needs a pc (26 or 0x1a), an OPCODE, a function or a source line".into(),
            );
        }
        let pc = match spec.strip_prefix("0x") {
            Some(h) => usize::from_str_radix(h, 16).ok(),
            None => spec.parse::<usize>().ok(),
        };
        let (b, text) = if let Some(pc) = pc {
            (
                Break::Pc(pc),
                format!("{} at pc {pc:#x}", self.breaks.len() + 1),
            )
        } else if let Some(op) = (0..=255u8).find(|&o| op_name(o) == spec) {
            (
                Break::Op(op),
                format!("{} at opcode {spec}", self.breaks.len() + 1),
            )
        } else if self.steps.iter().any(|s| s.line.as_deref() == Some(spec)) {
            (
                Break::Line(spec.to_string()),
                format!("{} at line {spec}", self.breaks.len() + 1),
            )
        } else {
            let known = self
                .frames
                .iter()
                .any(|f| f.function == spec || format!("{}.{}", f.contract, f.function) == spec);
            if !known {
                return Err(format!(
                    "'{spec}' is no pc, opcode, source line this execution reaches, or function it runs (it runs: {})",
                    {
                        let mut v: Vec<String> = self
                            .frames
                            .iter()
                            .map(|f| format!("{}.{}", f.contract, f.function))
                            .collect();
                        v.dedup();
                        v.join(", ")
                    }
                ));
            }
            (
                Break::Function(spec.to_string()),
                format!("{} at entry of {spec}", self.breaks.len() + 1),
            )
        };
        self.breaks.push(b);
        Ok(text)
    }

    fn location(&self) -> String {
        if self.finished() {
            return format!("end ({})", self.summary());
        }
        let s = &self.steps[self.cursor];
        let f = &self.frames[s.frame];
        let push = if s.push_data.is_empty() {
            String::new()
        } else {
            format!(" 0x{}", hex::encode(&s.push_data))
        };
        let line = s
            .line
            .as_ref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        format!(
            "step {}/{} depth {} {}.{} pc {:#x} {}{push} gas {} cost {}{line}",
            self.cursor + 1,
            self.steps.len(),
            f.depth,
            f.contract,
            f.function,
            s.pc,
            op_name(s.op),
            s.gas,
            s.gas_cost
        )
    }

    fn show(&self, what: &str) -> Result<String, String> {
        if self.finished() && what != "where" {
            return Err("the execution has ended".into());
        }
        let s = self.steps.get(self.cursor);
        Ok(match (what, s) {
            ("where", _) => {
                let mut out = self.location();
                if let Some(s) = s {
                    let mut chain: Vec<String> = Vec::new();
                    let mut i = self.cursor;
                    let mut depth = self.frames[s.frame].depth;
                    chain.push(format!(
                        "  #{} {}.{}",
                        depth, self.frames[s.frame].contract, self.frames[s.frame].function
                    ));
                    while i > 0 && depth > 1 {
                        i -= 1;
                        let f = &self.frames[self.steps[i].frame];
                        if f.depth < depth {
                            depth = f.depth;
                            chain.push(format!(
                                "  #{} {}.{} pc {:#x}",
                                depth,
                                f.contract,
                                f.function,
                                self.steps[i].pc
                            ));
                        }
                    }
                    out.push('\n');
                    out.push_str(&chain.join("\n"));
                }
                out
            }
            ("stack", Some(s)) => {
                if s.stack.is_empty() {
                    "stack: empty".into()
                } else {
                    let mut out = format!("stack ({} items, top first):", s.stack.len());
                    for (i, v) in s.stack.iter().rev().enumerate() {
                        out.push_str(&format!("\n  {i}: {}", word(v)));
                    }
                    out
                }
            }
            ("memory", Some(s)) => {
                let mut mem = vec![0u8; s.mem_size.min(MAX_SHADOW)];
                for st in &self.steps[..self.cursor] {
                    if st.frame != s.frame {
                        continue;
                    }
                    for (off, data) in &st.mem_writes {
                        write_mem(&mut mem, *off, data);
                    }
                }
                mem.truncate(s.mem_size);
                if mem.is_empty() {
                    "memory: empty".into()
                } else {
                    let mut out = format!("memory ({} bytes):", mem.len());
                    for (i, row) in mem.chunks(32).enumerate() {
                        out.push_str(&format!("\n  {:#06x}: {}", i * 32, hex::encode(row)));
                    }
                    out
                }
            }
            ("storage", Some(s)) => {
                let addr = self.frames[s.frame].address;
                let mut slots: BTreeMap<U256, (Option<U256>, bool)> = BTreeMap::new();
                for st in &self.steps[..self.cursor] {
                    if self.frames[st.frame].address != addr {
                        continue;
                    }
                    if let Some((k, v, w)) = st.storage {
                        let e = slots.entry(k).or_insert((None, false));
                        if v.is_some() {
                            e.0 = v;
                        }
                        e.1 |= w;
                    }
                }
                if slots.is_empty() {
                    format!("storage of {}: no slot read or written yet", addr.to_checksum(None))
                } else {
                    let mut out = format!(
                        "storage of {} (slots this execution read or wrote so far):",
                        addr.to_checksum(None)
                    );
                    for (k, (v, w)) in slots {
                        let v = v.map(|v| word(&v)).unwrap_or_else(|| "?".into());
                        let how = if w { "written" } else { "read" };
                        out.push_str(&format!("\n  {} = {v} ({how})", word(&k)));
                    }
                    out
                }
            }
            ("slots", _) => {
                return Err("the EVM has no slots (Neo's locals, arguments, statics); try stack, memory or storage".into())
            }
            _ => return Err(format!("unknown view '{what}'")),
        })
    }
}

/// `xvm evm debug`.
pub fn main(a: DebugArgs) -> ExitCode {
    run(a).unwrap_or_else(|code| code)
}

fn run(a: DebugArgs) -> Result<ExitCode, ExitCode> {
    let chain = a.target.open().map_err(usage_error)?;
    let mut names = Names::new(&chain);
    let (target, title) = a.target.resolve(&chain, &mut names).map_err(usage_error)?;
    let (input, interactive) = debugger::input(a.script.as_deref()).map_err(usage_error)?;
    let mut rec = Recorder {
        chain: &chain,
        names,
        frames: Vec::new(),
        steps: Vec::new(),
        live: Vec::new(),
        limit: a.max_steps,
        overflow: false,
    };
    let outcome = execute(&chain, &target, &mut rec).map_err(usage_error)?;
    if rec.overflow {
        return Err(usage_error(format!(
            "the execution runs more than {} steps; raise --max-steps to debug it",
            a.max_steps
        )));
    }
    if rec.steps.is_empty() {
        return Err(usage_error("the execution ran no instruction (no code)"));
    }
    println!("debugging {title}: {} steps recorded", rec.steps.len());
    let mut replay = Replay {
        frames: rec.frames,
        steps: rec.steps,
        cursor: 0,
        breaks: Vec::new(),
        outcome,
    };
    Ok(debugger::run(&mut replay, input, interactive))
}
