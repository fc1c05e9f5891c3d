//! The interpreter: one frame's state and the dispatch loop. Instruction bodies live in
//! `crate::instructions`, one file per family.

use crate::analysis::{AnalyzedCode, Block};
use crate::host::Host;
use crate::memory::Memory;
use crate::message::Message;
use crate::opcodes::{self, op, OpInfo};
use crate::revision::Revision;
use crate::stack::Stack;
use crate::status::{ExecResult, StatusCode};
use crate::trace::Step;
use alloy_primitives::Bytes;

/// Something that executes EVM code for a host: xvm's own interpreter ([`Interpreter`]), or, via
/// xvm-evmc, any EVMC VM. World-state implementations are generic over it.
pub trait Vm {
    /// Executes `code` for `msg` in revision `rev`, reaching the world through `host`.
    fn execute<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        code: &AnalyzedCode,
    ) -> ExecResult;

    /// Like [`Vm::execute`], with the call's input given separately, borrowed for the call
    /// (`msg.input` is not read). The default copies it into the message; xvm's interpreter and
    /// the EVMC loader read it in place.
    fn execute_with_input<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        input: &[u8],
        code: &AnalyzedCode,
    ) -> ExecResult {
        let mut m = msg.clone();
        m.input = Bytes::copy_from_slice(input);
        self.execute(host, rev, &m, code)
    }
}

/// xvm's own interpreter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Interpreter;

impl Vm for Interpreter {
    #[inline]
    fn execute<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        code: &AnalyzedCode,
    ) -> ExecResult {
        execute_analyzed(host, rev, msg, code)
    }

    #[inline]
    fn execute_with_input<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        input: &[u8],
        code: &AnalyzedCode,
    ) -> ExecResult {
        execute_with_input(host, rev, msg, input, code)
    }
}

/// Executes `code` for `msg` in revision `rev`, reaching the world through `host`.
pub fn execute<H: Host>(host: &mut H, rev: Revision, msg: &Message, code: &[u8]) -> ExecResult {
    execute_analyzed(host, rev, msg, &AnalyzedCode::new(code))
}

/// Executes already analysed code (see [`AnalyzedCode`]).
///
/// Nested calls recurse through the host; when the native stack runs low the frame moves to a
/// pooled stack segment, so a 1024-deep call chain is safe on any thread, in debug and release
/// builds alike. A frame's stack and memory buffers come from a per-thread pool.
pub fn execute_analyzed<H: Host>(
    host: &mut H,
    rev: Revision,
    msg: &Message,
    code: &AnalyzedCode,
) -> ExecResult {
    execute_with_input(host, rev, msg, &msg.input, code)
}

/// Like [`execute_analyzed`], with the call's input given separately (borrowed; `msg.input` is
/// not read). EVMC's `execute` runs on the host's input buffer this way, without copying it.
pub fn execute_with_input<H: Host>(
    host: &mut H,
    rev: Revision,
    msg: &Message,
    input: &[u8],
    code: &AnalyzedCode,
) -> ExecResult {
    execute_on(host, rev, msg, input, code)
}

/// The one copy of the interpreter: every host type reaches it through `dyn Host`, so the
/// dispatch loop is compiled once, in this crate, and a program runs the same machine code
/// natively and inside `libxvm.so` (a per-host copy got a different register allocation in each
/// binary, up to 1.3x apart on the same input).
#[inline(never)]
fn execute_on(
    host: &mut dyn Host,
    rev: Revision,
    msg: &Message,
    input: &[u8],
    code: &AnalyzedCode,
) -> ExecResult {
    crate::native_stack::with_enough_stack(|| {
        let buffers = crate::frame_pool::take();
        let pad = native_pad(&buffers);
        let mut job = FrameJob {
            host,
            rev,
            msg,
            input,
            code,
            buffers: Some(buffers),
            result: None,
        };
        run_padded(pad, &mut job);
        match job.result {
            Some(r) => r,
            None => unreachable!("run_frame always sets the result"),
        }
    })
}

/// What [`run_frame`] needs, passed through the padding functions by reference.
struct FrameJob<'a, 'h> {
    host: &'a mut (dyn Host + 'h),
    rev: Revision,
    msg: &'a Message,
    input: &'a [u8],
    code: &'a AnalyzedCode,
    buffers: Option<crate::frame_pool::FrameBuffers>,
    result: Option<ExecResult>,
}

/// Runs one frame: the body of [`execute_on`], below the padding.
#[inline(never)]
fn run_frame(job: &mut FrameJob<'_, '_>) {
    let Some(buffers) = job.buffers.take() else {
        return;
    };
    let tracing = job.host.tracing();
    let mut frame = Frame::new(
        &mut *job.host,
        job.rev,
        job.msg,
        job.input,
        job.code,
        buffers,
    );
    let status = if tracing {
        frame.run::<true>()
    } else {
        frame.run::<false>()
    };
    let result = frame.into_result(status);
    if tracing {
        job.host.on_frame_end(job.msg.depth, &result);
    }
    job.result = Some(result);
}

/// Native stack to leave unused above the frame, so that the interpreter's own native frames
/// do not share page offsets with the EVM stack's first words.
///
/// A load from the EVM stack whose address has the same low 12 bits as a store in flight to
/// the native stack waits for that store (4K aliasing). Where malloc put the stack buffer and
/// where address randomisation put the native stack decided it per process: the SWAPn loops
/// ran at 0.96x revm's time in some processes and 1.13-1.18x in others. [`run_frame`] and the
/// loop take about 1.1 KiB of native stack below the padding; the padding puts that span
/// 2.4-3.8 KiB past the EVM stack's first word, modulo 4 KiB, clear of its first 2 KiB
/// (64 words). Returns the padding in units of 256 bytes (0..=15).
fn native_pad(buffers: &crate::frame_pool::FrameBuffers) -> usize {
    let marker = 0u8;
    let here = std::hint::black_box(std::ptr::addr_of!(marker)) as usize;
    pad_units(here, &*buffers.stack as *const crate::stack::Words as usize)
}

/// The padding (in 256-byte units) that puts `here - padding` at 3.5-3.75 KiB past `stack`,
/// modulo 4 KiB.
fn pad_units(here: usize, stack: usize) -> usize {
    (here.wrapping_sub(stack).wrapping_sub(3584) & 0xfff) >> 8
}

/// Calls [`run_frame`] from below `units` x 256 bytes of unused native stack.
fn run_padded(units: usize, job: &mut FrameJob<'_, '_>) {
    match units {
        0 => padded::<0>(job),
        1 => padded::<256>(job),
        2 => padded::<512>(job),
        3 => padded::<768>(job),
        4 => padded::<1024>(job),
        5 => padded::<1280>(job),
        6 => padded::<1536>(job),
        7 => padded::<1792>(job),
        8 => padded::<2048>(job),
        9 => padded::<2304>(job),
        10 => padded::<2560>(job),
        11 => padded::<2816>(job),
        12 => padded::<3072>(job),
        13 => padded::<3328>(job),
        14 => padded::<3584>(job),
        _ => padded::<3840>(job),
    }
}

/// Reserves `N` bytes of native stack, then calls [`run_frame`] through an opaque function
/// pointer (so that the frame's code is not inlined here: one copy of it, not sixteen).
#[inline(never)]
fn padded<const N: usize>(job: &mut FrameJob<'_, '_>) {
    let mut space = [std::mem::MaybeUninit::<u8>::uninit(); N];
    std::hint::black_box(&mut space);
    let run = std::hint::black_box(run_frame as fn(&mut FrameJob<'_, '_>));
    run(job);
}

/// Result of one instruction: `Err` ends the frame with that status (also for STOP/RETURN).
pub(crate) type OpResult = Result<(), StatusCode>;

/// One execution frame.
pub(crate) struct Frame<'a, H: Host + ?Sized> {
    pub(crate) host: &'a mut H,
    pub(crate) rev: Revision,
    pub(crate) msg: &'a Message,
    /// The call's input (calldata).
    pub(crate) input: &'a [u8],
    pub(crate) code: &'a AnalyzedCode,
    pub(crate) stack: Stack,
    pub(crate) memory: Memory,
    pub(crate) gas: i64,
    pub(crate) refund: i64,
    pub(crate) pc: usize,
    pub(crate) return_data: Bytes,
    pub(crate) output: Bytes,
    /// Set when a block's entry check fails: the frame then finishes on the exact
    /// per-instruction path, which reports the failure exactly where it happens.
    fallback: bool,
}

impl<'a, H: Host + ?Sized> Frame<'a, H> {
    fn new(
        host: &'a mut H,
        rev: Revision,
        msg: &'a Message,
        input: &'a [u8],
        code: &'a AnalyzedCode,
        buffers: crate::frame_pool::FrameBuffers,
    ) -> Self {
        let memory_limit = host.memory_limit();
        Frame {
            host,
            rev,
            msg,
            input,
            code,
            stack: Stack::from_buffer(buffers.stack),
            memory: Memory::from_buffer(buffers.memory, memory_limit),
            gas: msg.gas,
            refund: 0,
            pc: 0,
            return_data: Bytes::new(),
            output: Bytes::new(),
            fallback: false,
        }
    }

    fn into_result(self, status: StatusCode) -> ExecResult {
        let (gas_left, gas_refund) = match status {
            StatusCode::Success => (self.gas, self.refund),
            StatusCode::Revert => (self.gas, 0),
            _ => (0, 0),
        };
        let output = match status {
            StatusCode::Success | StatusCode::Revert => self.output,
            _ => Bytes::new(),
        };
        crate::frame_pool::give_back(crate::frame_pool::FrameBuffers {
            stack: self.stack.into_buffer(),
            memory: self.memory.into_buffer(),
        });
        ExecResult {
            status,
            gas_left,
            gas_refund,
            output,
            create_address: None,
        }
    }

    /// Charges dynamic gas.
    #[inline(always)]
    pub(crate) fn charge(&mut self, cost: i64) -> OpResult {
        self.gas -= cost;
        if self.gas < 0 {
            return Err(StatusCode::OutOfGas);
        }
        Ok(())
    }

    /// Expands memory for `[offset, offset+size)` (charging gas); returns the offset.
    #[inline(always)]
    pub(crate) fn mem(
        &mut self,
        offset: alloy_primitives::U256,
        size: alloy_primitives::U256,
    ) -> Result<usize, StatusCode> {
        self.memory
            .expand(&mut self.gas, offset, size)
            .ok_or(StatusCode::OutOfGas)
    }

    #[inline(never)]
    #[cold]
    fn trace_step(&mut self, opcode: u8, info: &OpInfo) {
        let step = Step {
            pc: self.pc,
            op: opcode,
            gas: self.gas,
            gas_cost: info.gas.max(0) as i64,
            mem_size: self.memory.len(),
            stack: self.stack.as_slice(),
            depth: self.msg.depth + 1,
            refund: self.refund,
        };
        self.host.on_step(&step);
    }

    /// Runs the frame: the block-checked fast path (see [`Block`]) unless tracing, which takes
    /// the per-instruction path so that every step reports its own gas.
    fn run<const TRACE: bool>(&mut self) -> StatusCode {
        if !TRACE {
            if let Some(blocks) = self.code.blocks(self.rev) {
                return self.run_blocks(blocks);
            }
        }
        self.run_exact::<TRACE>()
    }

    /// The fast loop: static gas and stack bounds are checked once per block on entry
    /// ([`Frame::enter_block`]), so an instruction here only does its own work.
    fn run_blocks(&mut self, blocks: &[Block]) -> StatusCode {
        let code = self.code.padded();
        let mut pc = self.pc;
        let status = match self.enter_block(blocks, pc) {
            Err(status) => status,
            Ok(()) => loop {
                // SAFETY: as in `run_exact`: `pc` stays within the padded code.
                let opcode = unsafe { *code.get_unchecked(pc) };
                if let Err(status) = self.dispatch::<true>(opcode, blocks, &mut pc) {
                    break status;
                }
            },
        };
        self.pc = pc;
        if self.fallback {
            self.fallback = false;
            return self.run_exact::<false>();
        }
        status
    }

    /// Charges and checks the block entered at `pc`. When the check fails the frame is bound to
    /// fail inside the block; it returns an error with `fallback` set, and the frame goes on
    /// instruction by instruction from `pc` so that the failure is the exact one.
    #[inline(always)]
    fn enter_block(&mut self, blocks: &[Block], pc: usize) -> OpResult {
        let b = blocks[pc];
        let height = self.stack.len();
        if height < b.need as usize
            || height + b.up as usize > crate::STACK_LIMIT
            || self.gas < b.gas as i64
        {
            self.fallback = true;
            return Err(StatusCode::InternalError);
        }
        self.gas -= b.gas as i64;
        Ok(())
    }

    /// The per-instruction loop: checks each instruction's stack bounds and charges its static
    /// gas before running it.
    fn run_exact<const TRACE: bool>(&mut self) -> StatusCode {
        let table = opcodes::table(self.rev);
        let code = self.code.padded();
        let mut pc = self.pc;
        let status = loop {
            // SAFETY: `pc` never exceeds the code length: PUSH advances by its immediate size,
            // which the padding covers, and the byte right after the code is a padding STOP that
            // ends the frame; jumps only land on analysed JUMPDESTs inside the code.
            let opcode = unsafe { *code.get_unchecked(pc) };
            let info = &table[opcode as usize];
            if TRACE {
                self.pc = pc;
                self.trace_step(opcode, info);
            }
            if info.gas < 0 {
                break if opcode == op::INVALID {
                    StatusCode::InvalidInstruction
                } else {
                    StatusCode::UndefinedInstruction
                };
            }
            let height = self.stack.len();
            if height < info.min_stack as usize {
                break StatusCode::StackUnderflow;
            }
            if height > info.max_stack as usize {
                break StatusCode::StackOverflow;
            }
            self.gas -= info.gas as i64;
            if self.gas < 0 {
                break StatusCode::OutOfGas;
            }
            if let Err(status) = self.dispatch::<false>(opcode, &[], &mut pc) {
                break status;
            }
        };
        self.pc = pc;
        status
    }

    /// Runs the instruction `opcode` at `pc`, whose static checks passed, and advances `pc`.
    /// With `BLOCKS`, an instruction that ends a block enters the next one (`blocks` is the block
    /// table). The loops keep `pc` in a local and store it in the frame only when they stop.
    ///
    /// Handlers that reach the host (other than the transaction-context getters) are
    /// `#[inline(never)]`: the loop keeps only a call for each, which leaves its register
    /// allocation to the instructions that run in it (synthetic/MOD measured 1.13x revm's time
    /// with them inlined through `dyn Host`, under 0.9x with them out of line).
    #[inline(always)]
    fn dispatch<const BLOCKS: bool>(
        &mut self,
        opcode: u8,
        blocks: &[Block],
        pc: &mut usize,
    ) -> OpResult {
        match opcode {
            op::STOP => return Err(StatusCode::Success),
            op::ADD => self.op_add(),
            op::MUL => self.op_mul(),
            op::SUB => self.op_sub(),
            op::DIV => self.op_div(),
            op::SDIV => self.op_sdiv(),
            op::MOD => self.op_mod(),
            op::SMOD => self.op_smod(),
            op::ADDMOD => self.op_addmod(),
            op::MULMOD => self.op_mulmod(),
            op::EXP => self.op_exp()?,
            op::SIGNEXTEND => self.op_signextend(),
            op::LT => self.op_lt(),
            op::GT => self.op_gt(),
            op::SLT => self.op_slt(),
            op::SGT => self.op_sgt(),
            op::EQ => self.op_eq(),
            op::ISZERO => self.op_iszero(),
            op::AND => self.op_and(),
            op::OR => self.op_or(),
            op::XOR => self.op_xor(),
            op::NOT => self.op_not(),
            op::BYTE => self.op_byte(),
            op::SHL => self.op_shl(),
            op::SHR => self.op_shr(),
            op::SAR => self.op_sar(),
            op::CLZ => self.op_clz(),
            op::KECCAK256 => self.op_keccak256()?,
            op::ADDRESS => self.op_address(),
            op::BALANCE => self.op_balance()?,
            op::ORIGIN => self.op_origin(),
            op::CALLER => self.op_caller(),
            op::CALLVALUE => self.op_callvalue(),
            op::CALLDATALOAD => self.op_calldataload(),
            op::CALLDATASIZE => self.op_calldatasize(),
            op::CALLDATACOPY => self.op_calldatacopy()?,
            op::CODESIZE => self.op_codesize(),
            op::CODECOPY => self.op_codecopy()?,
            op::GASPRICE => self.op_gasprice(),
            op::EXTCODESIZE => self.op_extcodesize()?,
            op::EXTCODECOPY => self.op_extcodecopy()?,
            op::RETURNDATASIZE => self.op_returndatasize(),
            op::RETURNDATACOPY => self.op_returndatacopy()?,
            op::EXTCODEHASH => self.op_extcodehash()?,
            op::BLOCKHASH => self.op_blockhash(),
            op::COINBASE => self.op_coinbase(),
            op::TIMESTAMP => self.op_timestamp(),
            op::NUMBER => self.op_number(),
            op::PREVRANDAO => self.op_prevrandao(),
            op::GASLIMIT => self.op_gaslimit(),
            op::CHAINID => self.op_chainid(),
            op::SELFBALANCE => self.op_selfbalance(),
            op::BASEFEE => self.op_basefee(),
            op::BLOBHASH => self.op_blobhash(),
            op::BLOBBASEFEE => self.op_blobbasefee(),
            op::POP => self.stack.drop_top(),
            op::MLOAD => self.op_mload()?,
            op::MSTORE => self.op_mstore()?,
            op::MSTORE8 => self.op_mstore8()?,
            op::SLOAD => self.op_sload()?,
            op::SSTORE => {
                self.op_sstore()?;
                return self.next_block::<BLOCKS>(blocks, pc);
            }
            op::JUMP => {
                self.op_jump(pc)?;
                return self.block_at_pc::<BLOCKS>(blocks, *pc);
            }
            op::JUMPI => {
                self.op_jumpi(pc)?;
                return self.block_at_pc::<BLOCKS>(blocks, *pc);
            }
            op::PC => self.op_pc(*pc),
            op::MSIZE => self.op_msize(),
            op::GAS => {
                self.op_gas();
                return self.next_block::<BLOCKS>(blocks, pc);
            }
            op::JUMPDEST => {
                if BLOCKS {
                    // Falling through a JUMPDEST is free on the block path (the block entered
                    // before it paid for it), so a run of them is passed in one go rather than
                    // dispatched one by one.
                    let code = self.code.padded();
                    let mut next = *pc + 1;
                    // SAFETY: the padded code ends in zero bytes (STOP), not JUMPDEST, so the
                    // scan stops inside the buffer.
                    while unsafe { *code.get_unchecked(next) } == op::JUMPDEST {
                        next += 1;
                    }
                    *pc = next;
                    return Ok(());
                }
            }
            op::TLOAD => self.op_tload(),
            op::TSTORE => self.op_tstore()?,
            op::MCOPY => self.op_mcopy()?,
            op::PUSH0 => self.stack.push(alloy_primitives::U256::ZERO),
            // PUSHn, DUPn, SWAPn: one arm each, so that n is a constant in each body.
            0x60 => {
                self.op_push::<1>(pc);
                return Ok(());
            }
            0x61 => {
                self.op_push::<2>(pc);
                return Ok(());
            }
            0x62 => {
                self.op_push::<3>(pc);
                return Ok(());
            }
            0x63 => {
                self.op_push::<4>(pc);
                return Ok(());
            }
            0x64 => {
                self.op_push::<5>(pc);
                return Ok(());
            }
            0x65 => {
                self.op_push::<6>(pc);
                return Ok(());
            }
            0x66 => {
                self.op_push::<7>(pc);
                return Ok(());
            }
            0x67 => {
                self.op_push::<8>(pc);
                return Ok(());
            }
            0x68 => {
                self.op_push::<9>(pc);
                return Ok(());
            }
            0x69 => {
                self.op_push::<10>(pc);
                return Ok(());
            }
            0x6a => {
                self.op_push::<11>(pc);
                return Ok(());
            }
            0x6b => {
                self.op_push::<12>(pc);
                return Ok(());
            }
            0x6c => {
                self.op_push::<13>(pc);
                return Ok(());
            }
            0x6d => {
                self.op_push::<14>(pc);
                return Ok(());
            }
            0x6e => {
                self.op_push::<15>(pc);
                return Ok(());
            }
            0x6f => {
                self.op_push::<16>(pc);
                return Ok(());
            }
            0x70 => {
                self.op_push::<17>(pc);
                return Ok(());
            }
            0x71 => {
                self.op_push::<18>(pc);
                return Ok(());
            }
            0x72 => {
                self.op_push::<19>(pc);
                return Ok(());
            }
            0x73 => {
                self.op_push::<20>(pc);
                return Ok(());
            }
            0x74 => {
                self.op_push::<21>(pc);
                return Ok(());
            }
            0x75 => {
                self.op_push::<22>(pc);
                return Ok(());
            }
            0x76 => {
                self.op_push::<23>(pc);
                return Ok(());
            }
            0x77 => {
                self.op_push::<24>(pc);
                return Ok(());
            }
            0x78 => {
                self.op_push::<25>(pc);
                return Ok(());
            }
            0x79 => {
                self.op_push::<26>(pc);
                return Ok(());
            }
            0x7a => {
                self.op_push::<27>(pc);
                return Ok(());
            }
            0x7b => {
                self.op_push::<28>(pc);
                return Ok(());
            }
            0x7c => {
                self.op_push::<29>(pc);
                return Ok(());
            }
            0x7d => {
                self.op_push::<30>(pc);
                return Ok(());
            }
            0x7e => {
                self.op_push::<31>(pc);
                return Ok(());
            }
            0x7f => {
                self.op_push::<32>(pc);
                return Ok(());
            }
            0x80 => self.op_dup::<1>(),
            0x81 => self.op_dup::<2>(),
            0x82 => self.op_dup::<3>(),
            0x83 => self.op_dup::<4>(),
            0x84 => self.op_dup::<5>(),
            0x85 => self.op_dup::<6>(),
            0x86 => self.op_dup::<7>(),
            0x87 => self.op_dup::<8>(),
            0x88 => self.op_dup::<9>(),
            0x89 => self.op_dup::<10>(),
            0x8a => self.op_dup::<11>(),
            0x8b => self.op_dup::<12>(),
            0x8c => self.op_dup::<13>(),
            0x8d => self.op_dup::<14>(),
            0x8e => self.op_dup::<15>(),
            0x8f => self.op_dup::<16>(),
            0x90 => self.stack.swap(1),
            0x91 => self.stack.swap(2),
            0x92 => self.stack.swap(3),
            0x93 => self.stack.swap(4),
            0x94 => self.stack.swap(5),
            0x95 => self.stack.swap(6),
            0x96 => self.stack.swap(7),
            0x97 => self.stack.swap(8),
            0x98 => self.stack.swap(9),
            0x99 => self.stack.swap(10),
            0x9a => self.stack.swap(11),
            0x9b => self.stack.swap(12),
            0x9c => self.stack.swap(13),
            0x9d => self.stack.swap(14),
            0x9e => self.stack.swap(15),
            0x9f => self.stack.swap(16),
            op::LOG0..=op::LOG4 => self.op_log((opcode - op::LOG0) as usize)?,
            op::CREATE | op::CREATE2 => {
                self.op_create(opcode == op::CREATE2)?;
                return self.next_block::<BLOCKS>(blocks, pc);
            }
            op::CALL | op::CALLCODE | op::DELEGATECALL | op::STATICCALL => {
                self.op_call(opcode)?;
                return self.next_block::<BLOCKS>(blocks, pc);
            }
            op::RETURN => return self.op_return(StatusCode::Success),
            op::REVERT => return self.op_return(StatusCode::Revert),
            op::SELFDESTRUCT => return self.op_selfdestruct(),
            // Every other byte has a negative static gas in every revision and never gets here.
            _ => return Err(StatusCode::UndefinedInstruction),
        }
        *pc += 1;
        Ok(())
    }

    /// After a block-ending instruction that goes on to the next one: advances `pc` and, on the
    /// fast path, enters the block there.
    #[inline(always)]
    fn next_block<const BLOCKS: bool>(&mut self, blocks: &[Block], pc: &mut usize) -> OpResult {
        *pc += 1;
        self.block_at_pc::<BLOCKS>(blocks, *pc)
    }

    /// On the fast path, enters the block at `pc` (a jump's destination or the next instruction).
    #[inline(always)]
    fn block_at_pc<const BLOCKS: bool>(&mut self, blocks: &[Block], pc: usize) -> OpResult {
        if BLOCKS {
            self.enter_block(blocks, pc)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod pad_tests {
    use super::pad_units;

    #[test]
    fn the_padded_frame_lands_past_the_stacks_first_words() {
        for stack in [0usize, 64, 0x3c0, 0x1000, 0x7f00_0000_0fc0] {
            for here in (0x7ffc_0000_0000usize..0x7ffc_0000_2000).step_by(8) {
                let units = pad_units(here, stack);
                assert!(units <= 15);
                let at = here.wrapping_sub(units * 256).wrapping_sub(stack) % 4096;
                assert!(
                    (3584..3840).contains(&at),
                    "here {here:#x} stack {stack:#x}: {at}"
                );
            }
        }
    }
}
