//! `xvm neo profile`: runs an invocation (as `xvm neo invoke --test`: nothing is committed)
//! with a host wrapper that charges every datoshi to the invocation stack it was spent in.
//!
//! Accounting (exact): the GAS the host has consumed is read before each instruction; what was
//! spent since the previous one (its opcode price × ExecFeeFactor, a SYSCALL's price, a native
//! method's CPU and storage fees) is charged to the previous instruction's stack: contract,
//! method (by the manifest's offsets), opcode. A call into a native contract (CALLT or
//! System.Contract.Call) is split: the instruction's own price stays on it, the native's fees
//! go to a `Native;method` frame under the caller. The stacks add up to the GAS consumed
//! (the invocation's system fee); Neo has no refunds.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use xvm_neo::types::UInt160;
use xvm_neo::Host;
use xvm_neovm::engine::{ExecutionContext, ExecutionEngine, Interop};
use xvm_neovm::error::VmError;
use xvm_neovm::script::Instruction;
use xvm_neovm::{Limits, OpCode, StackItem, VmState};
use xvm_profile::{Frame, Profile};

use crate::neo_platform::gas_text;
use crate::neo_tools::{op_text, stack_frames, InvocationArgs};
use crate::usage_error;

/// Arguments of `xvm neo profile`.
#[derive(Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    inv: InvocationArgs,
    /// Write the flame graph (interactive SVG) here.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write the folded stacks (`frame;frame;opcode datoshi` per line) here.
    #[arg(long, value_name = "FILE")]
    folded: Option<PathBuf>,
    /// Rows per table section.
    #[arg(long, default_value = "12")]
    top: usize,
}

/// The stack an instruction is charged to, and for a call into a native, how much of the
/// charge is the instruction's own price (the rest goes to the native's frames).
struct Pending {
    path: Vec<Frame>,
    native: Option<(u64, Vec<Frame>)>,
}

/// Wraps the host: forwards every hook, charging GAS to stacks between instructions.
struct Profiler<'h, 'a> {
    host: &'h mut Host<'a>,
    profile: Profile,
    charged: i64,
    pending: Option<Pending>,
}

impl Profiler<'_, '_> {
    fn flush(&mut self) {
        let spent = self.host.gas_consumed - self.charged;
        self.charged = self.host.gas_consumed;
        let spent = spent.max(0) as u64;
        let Some(p) = self.pending.take() else {
            if spent > 0 {
                self.profile
                    .add(&[Frame::other("[before the first instruction]")], spent);
            }
            return;
        };
        match p.native {
            Some((own, native_path)) => {
                let own = own.min(spent);
                self.profile.add(&p.path, own);
                self.profile.add(&native_path, spent - own);
            }
            None => self.profile.add(&p.path, spent),
        }
    }

    /// The native contract and method an instruction calls, if it calls one.
    fn native_call(&self, vm: &ExecutionEngine, ins: &Instruction<'_>) -> Option<(String, String)> {
        let ctx = vm.current_context()?;
        let (hash, method) = if ins.opcode == OpCode::CALLT && ins.operand.len() == 2 {
            let token = u16::from_le_bytes([ins.operand[0], ins.operand[1]]) as usize;
            let c = crate::neo_tools::contract_of(self.host, ctx)?;
            let t = c.nef.tokens.get(token)?;
            (t.hash, t.method.clone())
        } else if ins.opcode == OpCode::SYSCALL
            && ins.operand.len() == 4
            && xvm_neovm::syscalls::syscall_name(u32::from_le_bytes(ins.operand.try_into().ok()?))
                == Some("System.Contract.Call")
        {
            let stack = vm.evaluation_stack(ctx);
            let n = stack.len();
            let hash = item_bytes(stack.get(n.checked_sub(1)?)?)?;
            let method = item_bytes(stack.get(n.checked_sub(2)?)?)?;
            (
                UInt160::from_slice(&hash)?,
                String::from_utf8_lossy(&method).into_owned(),
            )
        } else {
            return None;
        };
        let native = self.host.platform.native_by_hash(&hash)?;
        Some((native.name.clone(), method))
    }

    /// The price of the instruction itself (before any native it calls), in datoshi.
    fn own_price(&self, ins: &Instruction<'_>) -> u64 {
        let factor = self.host.settings.exec_fee_factor.max(0) as u64;
        let mut price = ins.opcode.price() as u64 * factor;
        if ins.opcode == OpCode::SYSCALL && ins.operand.len() == 4 {
            let id = u32::from_le_bytes(ins.operand.try_into().expect("4 bytes"));
            if let Some(sc) = self.host.platform.syscall(id) {
                price += sc.price.max(0) as u64 * factor;
            }
        }
        price
    }
}

fn item_bytes(item: &StackItem) -> Option<Vec<u8>> {
    item.to_bytes().ok()
}

impl Interop for Profiler<'_, '_> {
    fn syscall(&mut self, engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        self.host.syscall(engine, id)
    }

    fn call_token(&mut self, engine: &mut ExecutionEngine, token: u16) -> Result<(), VmError> {
        self.host.call_token(engine, token)
    }

    fn pre_execute(
        &mut self,
        engine: &ExecutionEngine,
        ins: &Instruction<'_>,
    ) -> Result<(), VmError> {
        self.flush();
        let mut path = stack_frames(self.host, engine);
        let native = self.native_call(engine, ins).map(|(n, m)| {
            let mut np = path.clone();
            np.push(Frame::contract(n));
            np.push(Frame::function(m));
            np.push(Frame::other("[native]"));
            (self.own_price(ins), np)
        });
        path.push(Frame::opcode(op_text(ins.opcode, ins.operand)));
        self.pending = Some(Pending { path, native });
        self.host.pre_execute(engine, ins)
    }

    fn context_loaded(&mut self, engine: &mut ExecutionEngine) -> Result<(), VmError> {
        self.host.context_loaded(engine)
    }

    fn context_unloaded(
        &mut self,
        engine: &mut ExecutionEngine,
        context: &ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        self.host.context_unloaded(engine, context, returned)
    }
}

/// `xvm neo profile`.
pub fn main(a: ProfileArgs) -> ExitCode {
    run(a).unwrap_or_else(|code| code)
}

fn run(a: ProfileArgs) -> Result<ExitCode, ExitCode> {
    let p = a.inv.prepare().map_err(usage_error)?;
    let (mut host, _tx, _block) = p
        .chain
        .prepare_host(p.script.clone(), p.signers.clone(), p.gas)
        .map_err(usage_error)?;
    let mut vm = ExecutionEngine::new(Limits::default());
    let mut profile = Profile::new(p.title.clone(), "datoshi");
    let loaded = host.load_entry(&mut vm, &p.script);
    let (state, fault) = match loaded {
        Err(e) => (VmState::Fault, Some(e.to_string())),
        Ok(()) => {
            let mut prof = Profiler {
                host: &mut host,
                profile,
                charged: 0,
                pending: None,
            };
            let state = vm.execute(&mut prof);
            prof.flush();
            profile = prof.profile;
            let fault =
                (state == VmState::Fault).then(|| vm.fault_message().unwrap_or("").to_string());
            (state, fault)
        }
    };
    let outcome = host.finish(&vm, fault);
    if profile.gross() != outcome.gas_consumed.max(0) as u64 {
        return Err(usage_error(format!(
            "gas accounting does not add up: stacks {}, GAS consumed {}",
            profile.gross(),
            outcome.gas_consumed
        )));
    }
    print!("{}", profile.table(a.top));
    println!(
        "state {state}  gasconsumed {} ({} GAS)",
        outcome.gas_consumed,
        gas_text(outcome.gas_consumed)
    );
    if let Some(f) = &outcome.fault {
        println!("exception: {f}");
    }
    crate::profile_out::write_files(&profile, a.svg.as_deref(), a.folded.as_deref())
}
