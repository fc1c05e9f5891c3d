//! `xvm evm profile`: re-executes a transaction or call under a tracer that charges every unit
//! of gas to its call stack (contract, function, opcode) and prints or writes the profile.
//!
//! Accounting (exact): each instruction is charged the gas that left its frame between it and
//! the frame's next instruction (or the frame's end), minus the gas its callees used, so
//! dynamic costs (memory growth, cold access, SSTORE) land on the instruction that paid them
//! and a CALL or CREATE is charged only its caller-side cost; the callee's gas goes to the
//! callee's own stacks. The transaction's intrinsic gas is its own stack (`[intrinsic]`). The
//! stacks add up to the gross gas `intrinsic + execution`; the refund is shown apart, and
//! `gross - refund` is the gas used of the receipt. When EIP-7623's calldata floor is higher,
//! the difference is a stack of its own (`[calldata floor]`).
//!
//! With `--artifact` holding solc's runtime source map (and the sources found), the called
//! contract's instructions are also attributed to their source line (`File.sol:LINE`, a frame
//! between the function and the opcode).

use std::path::PathBuf;
use std::process::ExitCode;

use alloy_primitives::Address;
use clap::Args;
use xvm_evm::opcodes::op_name;
use xvm_evm::trace::Step;
use xvm_evm::{CallKind, ExecResult, Message, StatusCode, Tracer};
use xvm_profile::{Frame, Profile};

use super::target::{execute, Names, TargetArgs};
use crate::usage_error;

/// Arguments of `xvm evm profile`.
#[derive(Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Write the flame graph (interactive SVG) here.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write the folded stacks (`frame;frame;opcode gas` per line) here.
    #[arg(long, value_name = "FILE")]
    folded: Option<PathBuf>,
    /// Rows per table section.
    #[arg(long, default_value = "12")]
    top: usize,
}

struct FrameState {
    /// Contract and function frames of this message, its callers' first.
    path: Vec<Frame>,
    /// Gas left as of the last charge.
    cursor: i64,
    /// The instruction waiting to be charged: (opcode, pc).
    last: Option<(u8, usize)>,
    /// The account whose runtime code runs (`None` for init code).
    code: Option<Address>,
    /// Gas used by callees since the last instruction.
    child_used: i64,
    /// Gas the message started with.
    msg_gas: i64,
    /// The size RETURN was given (a create deposits that much code).
    return_size: i64,
}

/// A tracer that charges every unit of execution gas to a stack of frames.
pub struct GasTracer<'c> {
    names: Names<'c>,
    frames: Vec<FrameState>,
    /// The profile so far.
    pub profile: Profile,
    /// Gas the transaction's own message started with (gas limit minus intrinsic gas).
    pub top_gas: Option<i64>,
    /// Gas the transaction's own message used.
    pub top_used: i64,
    /// Charges that came out negative (kept to keep totals exact; 0 in practice).
    debt: u64,
}

impl<'c> GasTracer<'c> {
    /// A tracer naming frames with `names`.
    pub fn new(names: Names<'c>, title: String) -> Self {
        GasTracer {
            names,
            frames: Vec::new(),
            profile: Profile::new(title, "gas"),
            top_gas: None,
            top_used: 0,
            debt: 0,
        }
    }

    fn charge(&mut self, path: Vec<Frame>, gas: i64) {
        if gas < 0 {
            self.debt += gas.unsigned_abs();
            self.profile.add_cost(&path, Default::default());
            return;
        }
        let mut g = gas as u64;
        let pay = g.min(self.debt);
        self.debt -= pay;
        g -= pay;
        self.profile.add(&path, g);
    }

    fn charge_pending(&mut self, upto: i64, at_end: bool) {
        let Some(f) = self.frames.last_mut() else {
            return;
        };
        let spent = f.cursor - upto - f.child_used;
        f.child_used = 0;
        f.cursor = upto;
        let mut path = f.path.clone();
        match f.last.take() {
            Some((op, pc)) => {
                if let Some(line) = f.code.and_then(|c| self.names.line(&c, pc)) {
                    path.push(Frame::line(line));
                }
                path.push(Frame::opcode(op_name(op)));
            }
            // Gas a frame lost with no instruction to blame: a precompile's price, or (never
            // in practice) a difference before the first instruction.
            None if at_end => path.push(Frame::other("[no code]")),
            None => path.push(Frame::other("[entry]")),
        }
        if spent != 0 || path.last().is_some_and(|l| !l.name.starts_with('[')) {
            self.charge(path, spent);
        }
    }

    /// Finishes the profile: the intrinsic gas, the refund, the floor, from the transaction's
    /// gas limit and the gas used its receipt reports.
    pub fn finish(mut self, gas_limit: u64, gas_used: u64) -> Result<Profile, String> {
        let top = self
            .top_gas
            .ok_or("the transaction ran no message (nothing to profile)")?;
        let intrinsic = gas_limit as i64 - top;
        if intrinsic < 0 || self.debt != 0 {
            return Err("gas accounting does not add up (a tracer bug)".into());
        }
        self.profile
            .add(&[Frame::other("[intrinsic]")], intrinsic as u64);
        let gross = self.profile.gross();
        if gross != intrinsic as u64 + self.top_used as u64 {
            return Err(format!(
                "gas accounting does not add up: stacks {gross}, intrinsic {intrinsic} + execution {}",
                self.top_used
            ));
        }
        if gas_used > gross {
            self.profile
                .add(&[Frame::other("[calldata floor]")], gas_used - gross);
        } else {
            self.profile.set_refund(gross - gas_used);
        }
        Ok(self.profile)
    }
}

impl Tracer for GasTracer<'_> {
    fn on_step(&mut self, step: &Step<'_>) {
        self.charge_pending(step.gas, false);
        if let Some(f) = self.frames.last_mut() {
            f.last = Some((step.op, step.pc));
            if step.op == 0xf3 {
                let n = step.stack.len();
                f.return_size = step
                    .stack
                    .get(n.wrapping_sub(2))
                    .and_then(|v| i64::try_from(*v).ok())
                    .unwrap_or(0);
            }
        }
    }

    fn on_frame_end(&mut self, _depth: i32, _result: &ExecResult) {}

    fn on_call_start(&mut self, msg: &Message, input: &[u8]) {
        let create = matches!(msg.kind, CallKind::Create | CallKind::Create2);
        let code = match msg.kind {
            CallKind::DelegateCall | CallKind::CallCode => msg.code_address,
            _ => msg.recipient,
        };
        let mut path = self
            .frames
            .last()
            .map(|f| f.path.clone())
            .unwrap_or_default();
        let mut contract = self.names.contract(&code);
        if msg.kind == CallKind::DelegateCall {
            contract = format!("{contract} (delegate)");
        }
        path.push(Frame::contract(contract));
        path.push(Frame::function(self.names.function(&code, input, create)));
        if self.frames.is_empty() {
            self.top_gas = Some(msg.gas);
        }
        self.frames.push(FrameState {
            path,
            cursor: msg.gas,
            last: None,
            child_used: 0,
            msg_gas: msg.gas,
            return_size: 0,
            code: (!create).then_some(code),
        });
    }

    fn on_call_end(&mut self, result: &ExecResult) {
        // What the caller gets back: the engine credits `gas_left` whatever the status (a
        // call refused before running, e.g. for want of balance, returns all of its gas).
        let left = result.gas_left.max(0);
        // A successful create pays 200 gas per byte of code it deposits after its last
        // instruction: a stack of its own rather than part of RETURN.
        if result.status == StatusCode::Success && result.create_address.is_some() {
            if let Some(f) = self.frames.last_mut() {
                let deposit = f
                    .return_size
                    .saturating_mul(200)
                    .min(f.cursor - left - f.child_used);
                if deposit > 0 {
                    f.cursor -= deposit;
                    let mut path = f.path.clone();
                    path.push(Frame::other("[code deposit]"));
                    self.charge(path, deposit);
                }
            }
        }
        self.charge_pending(left, true);
        let Some(f) = self.frames.pop() else {
            return;
        };
        let used = f.msg_gas - left;
        match self.frames.last_mut() {
            Some(parent) => parent.child_used += used,
            None => self.top_used = used,
        }
    }
}

/// `xvm evm profile`.
pub fn main(a: ProfileArgs) -> ExitCode {
    run(a).unwrap_or_else(|code| code)
}

fn run(a: ProfileArgs) -> Result<ExitCode, ExitCode> {
    let chain = a.target.open().map_err(usage_error)?;
    let mut names = Names::new(&chain);
    let (target, title) = a.target.resolve(&chain, &mut names).map_err(usage_error)?;
    let abi = target.to(&chain).and_then(|to| names.abi(&to));
    let mut tracer = GasTracer::new(names, title);
    let out = execute(&chain, &target, &mut tracer).map_err(usage_error)?;
    let profile = tracer
        .finish(out.gas_limit, out.gas_used)
        .map_err(usage_error)?;
    print!("{}", profile.table(a.top));
    if !out.success {
        println!(
            "the top frame failed: {}",
            xvm_chain::abi::decode_revert(abi.as_ref(), &out.output)
        );
    }
    crate::profile_out::write_files(&profile, a.svg.as_deref(), a.folded.as_deref())
}
