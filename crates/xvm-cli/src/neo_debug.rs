//! `xvm neo debug`: runs an invocation (as `xvm neo invoke --test`: nothing is committed)
//! under the NeoVM engine's debugger API: `step` is [`ExecutionEngine::step_into`]; `next`,
//! `out` and `continue` are the engine's `step_over`, `step_out` and `execute` when no
//! breakpoint is set, and loops of `step_into` that check the breakpoints (by contract offset,
//! opcode or manifest method, in any contract, including ones loaded later) when one is.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use xvm_neo::convert::item_to_json;
use xvm_neo::Host;
use xvm_neovm::engine::ExecutionEngine;
use xvm_neovm::{Limits, OpCode, StackItem, VmState};

use crate::debugger::{self, Motion, Session};
use crate::neo_tools::{contract_name, contract_of, method_at, op_text, InvocationArgs};
use crate::usage_error;

/// Arguments of `xvm neo debug`.
#[derive(Args)]
pub struct DebugArgs {
    #[command(flatten)]
    inv: InvocationArgs,
    /// Read commands from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
}

enum Break {
    Offset(usize),
    Op(OpCode),
    Method(String),
}

struct NeoSession<'a> {
    host: Host<'a>,
    vm: ExecutionEngine,
    breaks: Vec<Break>,
}

fn item_text(item: &StackItem) -> String {
    serde_json::to_string(&item_to_json(item)).unwrap_or_else(|_| "?".into())
}

impl NeoSession<'_> {
    fn depth(&self) -> usize {
        self.vm.invocation_stack().len()
    }

    fn running(&self) -> bool {
        !matches!(self.vm.state(), VmState::Halt | VmState::Fault)
            && !self.vm.invocation_stack().is_empty()
    }

    /// The breakpoint (1-based) the current instruction is at, if any.
    fn at_break(&self) -> Option<usize> {
        let ctx = self.vm.current_context()?;
        let contract = contract_of(&self.host, ctx);
        self.breaks.iter().position(|b| match b {
            Break::Offset(o) => ctx.ip == *o,
            Break::Op(op) => ctx.next_opcode() == *op,
            Break::Method(name) => contract.as_ref().is_some_and(|c| {
                c.manifest.methods.iter().any(|m| {
                    m.offset == ctx.ip
                        && (m.name == *name || format!("{}.{}", c.manifest.name, m.name) == *name)
                })
            }),
        })
    }

    fn step(&mut self) {
        self.vm.step_into(&mut self.host);
    }
}

impl Session for NeoSession<'_> {
    fn motion(&mut self, m: Motion) -> String {
        let start = self.depth();
        if self.breaks.is_empty() {
            match m {
                Motion::Step => self.step(),
                Motion::Next => {
                    self.vm.step_over(&mut self.host);
                }
                Motion::Out => {
                    self.vm.step_out(&mut self.host);
                }
                Motion::Continue => {
                    self.vm.execute(&mut self.host);
                }
            }
            return match m {
                Motion::Step => "step",
                Motion::Next => "next",
                Motion::Out => "out",
                Motion::Continue => "end",
            }
            .into();
        }
        loop {
            self.step();
            if !self.running() {
                return "end".into();
            }
            if m == Motion::Step {
                return "step".into();
            }
            if let Some(b) = self.at_break() {
                return format!("breakpoint {}", b + 1);
            }
            let d = self.depth();
            match m {
                Motion::Next if d <= start => return "next".into(),
                Motion::Out if d < start => return "out".into(),
                _ => {}
            }
        }
    }

    fn finished(&self) -> bool {
        !self.running()
    }

    fn summary(&self) -> String {
        let stack: Vec<String> = self.vm.result_stack().iter().map(item_text).collect();
        let mut s = format!(
            "{} gasconsumed {} stack [{}]",
            if self.vm.state() == VmState::Fault {
                "FAULT"
            } else {
                "HALT"
            },
            self.host.gas_consumed,
            stack.join(", ")
        );
        if let Some(f) = self.vm.fault_message() {
            s.push_str(&format!(" exception {f:?}"));
        }
        s
    }

    fn add_break(&mut self, spec: &str) -> Result<String, String> {
        if spec.is_empty() {
            return Err("break needs an offset (26 or 0x1a), an OPCODE or a method".into());
        }
        let n = self.breaks.len() + 1;
        let offset = match spec.strip_prefix("0x") {
            Some(h) => usize::from_str_radix(h, 16).ok(),
            None => spec.parse::<usize>().ok(),
        };
        let (b, text) = if let Some(o) = offset {
            (Break::Offset(o), format!("{n} at offset {o}"))
        } else if let Some(op) = OpCode::from_name(spec) {
            (Break::Op(op), format!("{n} at opcode {spec}"))
        } else {
            (
                Break::Method(spec.to_string()),
                format!("{n} at method {spec}"),
            )
        };
        self.breaks.push(b);
        Ok(text)
    }

    fn location(&self) -> String {
        let Some(ctx) = self.vm.current_context() else {
            return format!("end ({})", self.summary());
        };
        let contract = contract_of(&self.host, ctx);
        let method = contract
            .as_ref()
            .and_then(|c| method_at(c, ctx.ip).map(str::to_string));
        let name = match method {
            Some(m) => format!("{}.{m}", contract_name(&self.host, ctx)),
            None => contract_name(&self.host, ctx),
        };
        let ins = match ctx.script.instruction(ctx.ip) {
            Ok(i) => {
                let mut t = op_text(i.opcode, i.operand);
                if !i.operand.is_empty() && i.opcode != OpCode::SYSCALL {
                    t.push_str(&format!(" 0x{}", hex::encode(i.operand)));
                }
                t
            }
            Err(_) if ctx.ip >= ctx.script.len() => "RET (end of script)".into(),
            Err(e) => format!("(bad instruction: {})", e.0),
        };
        format!(
            "depth {} {name} offset {} {ins} gas {}",
            self.depth(),
            ctx.ip,
            self.host.gas_consumed
        )
    }

    fn show(&self, what: &str) -> Result<String, String> {
        if what == "where" {
            let mut out = self.location();
            for (i, ctx) in self.vm.invocation_stack().iter().enumerate().rev() {
                let method = contract_of(&self.host, ctx)
                    .and_then(|c| method_at(&c, ctx.ip).map(|m| format!(".{m}")))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "\n  #{} {}{method} offset {}",
                    i + 1,
                    contract_name(&self.host, ctx),
                    ctx.ip
                ));
            }
            return Ok(out);
        }
        let ctx = self.vm.current_context().ok_or("the execution has ended")?;
        let list = |title: &str, items: Option<&[StackItem]>| -> String {
            match items {
                None => format!("{title}: none"),
                Some(items) => {
                    let mut s = format!("{title} ({}):", items.len());
                    for (i, it) in items.iter().enumerate() {
                        s.push_str(&format!("\n  {i}: {}", item_text(it)));
                    }
                    s
                }
            }
        };
        Ok(match what {
            "stack" => {
                let st = self.vm.evaluation_stack(ctx);
                if st.is_empty() {
                    "stack: empty".into()
                } else {
                    let mut s = format!("stack ({} items, top first):", st.len());
                    for (i, it) in st.iter().rev().enumerate() {
                        s.push_str(&format!("\n  {i}: {}", item_text(it)));
                    }
                    s
                }
            }
            "slots" => [
                list("locals", ctx.locals()),
                list("arguments", ctx.arguments()),
                list("statics", self.vm.static_fields(ctx)),
            ]
            .join("\n"),
            "storage" => {
                let c = contract_of(&self.host, ctx).ok_or("the entry script has no storage")?;
                let entries = self
                    .host
                    .cache
                    .find(&xvm_neo::syscalls::storage_key(c.id, &[]))?;
                if entries.is_empty() {
                    format!("storage of {}: empty", c.manifest.name)
                } else {
                    let mut s = format!(
                        "storage of {} ({} entries):",
                        c.manifest.name,
                        entries.len()
                    );
                    for (k, v) in entries {
                        s.push_str(&format!(
                            "\n  0x{}: 0x{}",
                            hex::encode(&k[4..]),
                            hex::encode(&v)
                        ));
                    }
                    s
                }
            }
            "memory" => {
                return Err("NeoVM has no memory; try stack, slots or storage".into());
            }
            other => return Err(format!("unknown view '{other}'")),
        })
    }
}

/// `xvm neo debug`.
pub fn main(a: DebugArgs) -> ExitCode {
    run(a).unwrap_or_else(|code| code)
}

fn run(a: DebugArgs) -> Result<ExitCode, ExitCode> {
    let p = a.inv.prepare().map_err(usage_error)?;
    let (input, interactive) = debugger::input(a.script.as_deref()).map_err(usage_error)?;
    let (mut host, _tx, _block) = p
        .chain
        .prepare_host(p.script.clone(), p.signers.clone(), p.gas)
        .map_err(usage_error)?;
    let mut vm = ExecutionEngine::new(Limits::default());
    host.load_entry(&mut vm, &p.script)
        .map_err(|e| usage_error(format!("cannot load the entry script: {e}")))?;
    println!("debugging {} (nothing is committed)", p.title);
    let mut session = NeoSession {
        host,
        vm,
        breaks: Vec::new(),
    };
    Ok(debugger::run(&mut session, input, interactive))
}
