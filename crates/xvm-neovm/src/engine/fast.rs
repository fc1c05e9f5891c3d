//! The run loop's fast path: the common opcodes on plain items (Null, Boolean, Integer), done
//! in place on the engine's fields, without the general dispatch's `Result` plumbing, the
//! reference-counter calls or the "jumping" bookkeeping.
//!
//! `fast_op` either completes an instruction exactly as the general handler would (same
//! stack, slots, reference count and instruction pointer), or changes nothing and returns
//! `false`, and the general handler runs it: every case that could fault, throw, overflow,
//! touch a compound or exceed `MaxStackSize` goes there, so messages and states stay those of
//! one implementation.

use super::{bad_instruction, push_item, ExecutionEngine, Interop, VmState};
use crate::int::Int;
use crate::item::StackItem;
use crate::opcode::OpCode;
use crate::script::Decoded;

const PUSHINT8: u8 = OpCode::PUSHINT8.0;
const PUSHINT16: u8 = OpCode::PUSHINT16.0;
const PUSHINT32: u8 = OpCode::PUSHINT32.0;
const PUSHINT64: u8 = OpCode::PUSHINT64.0;
const PUSHT: u8 = OpCode::PUSHT.0;
const PUSHF: u8 = OpCode::PUSHF.0;
const PUSHNULL: u8 = OpCode::PUSHNULL.0;
const PUSHM1: u8 = OpCode::PUSHM1.0;
const PUSH0: u8 = OpCode::PUSH0.0;
const PUSH16: u8 = OpCode::PUSH16.0;
const NOP: u8 = OpCode::NOP.0;
const JMP: u8 = OpCode::JMP.0;
const JMP_L: u8 = OpCode::JMP_L.0;
const JMPIF: u8 = OpCode::JMPIF.0;
const JMPIF_L: u8 = OpCode::JMPIF_L.0;
const JMPIFNOT: u8 = OpCode::JMPIFNOT.0;
const JMPIFNOT_L: u8 = OpCode::JMPIFNOT_L.0;
const JMPEQ: u8 = OpCode::JMPEQ.0;
const JMPLE_L: u8 = OpCode::JMPLE_L.0;
const DROP: u8 = OpCode::DROP.0;
const DUP: u8 = OpCode::DUP.0;
const OVER: u8 = OpCode::OVER.0;
const SWAP: u8 = OpCode::SWAP.0;
const LDSFLD0: u8 = OpCode::LDSFLD0.0;
const LDSFLD6: u8 = OpCode::LDSFLD6.0;
const LDSFLD: u8 = OpCode::LDSFLD.0;
const STSFLD0: u8 = OpCode::STSFLD0.0;
const STSFLD6: u8 = OpCode::STSFLD6.0;
const STSFLD: u8 = OpCode::STSFLD.0;
const LDLOC0: u8 = OpCode::LDLOC0.0;
const LDLOC6: u8 = OpCode::LDLOC6.0;
const LDLOC: u8 = OpCode::LDLOC.0;
const STLOC0: u8 = OpCode::STLOC0.0;
const STLOC6: u8 = OpCode::STLOC6.0;
const STLOC: u8 = OpCode::STLOC.0;
const LDARG0: u8 = OpCode::LDARG0.0;
const LDARG6: u8 = OpCode::LDARG6.0;
const LDARG: u8 = OpCode::LDARG.0;
const STARG0: u8 = OpCode::STARG0.0;
const STARG6: u8 = OpCode::STARG6.0;
const STARG: u8 = OpCode::STARG.0;
const INC: u8 = OpCode::INC.0;
const DEC: u8 = OpCode::DEC.0;
const ADD: u8 = OpCode::ADD.0;
const SUB: u8 = OpCode::SUB.0;
const NUMEQUAL: u8 = OpCode::NUMEQUAL.0;
const NUMNOTEQUAL: u8 = OpCode::NUMNOTEQUAL.0;
const LT: u8 = OpCode::LT.0;
const LE: u8 = OpCode::LE.0;
const GT: u8 = OpCode::GT.0;
const GE: u8 = OpCode::GE.0;

/// A copy of `item` if it is plain.
#[inline(always)]
fn plain_copy(item: &StackItem) -> Option<StackItem> {
    if !item.is_plain() {
        return None;
    }
    // SAFETY: a plain item (Null, Boolean, Integer) owns no heap data and has no destructor
    // work: its bytes are a complete, independent value, so the bitwise copy is a clone
    // (`std::ptr::read` of a valid, aligned reference). It avoids rebuilding the enum
    // through a temporary. Tested by `tests::fast_path_matches_general_path`.
    Some(unsafe { std::ptr::read(item) })
}

/// The two Integers on top of `stack` (second, top), if both are Integers.
#[inline(always)]
fn top_two_ints(stack: &[StackItem]) -> Option<(Int, Int)> {
    match stack {
        [.., StackItem::Integer(a), StackItem::Integer(b)] => Some((*a, *b)),
        _ => None,
    }
}

/// Drops the top `n` items of `stack`, which the caller has checked are plain.
#[inline(always)]
fn forget_plain(stack: &mut Vec<StackItem>, n: usize) {
    let len = stack.len();
    assert!(len >= n);
    debug_assert!(stack[len - n..].iter().all(StackItem::is_plain));
    // SAFETY: `len - n <= len <= capacity`, and the items below `len - n` stay initialised.
    // The items cut off are not dropped; they are plain and own nothing, so nothing leaks
    // (and leaking would still be memory-safe). `truncate` would call the item destructor
    // out of line for each. Tested by `tests::fast_path_matches_general_path`.
    unsafe { stack.set_len(len - n) };
}

impl ExecutionEngine {
    /// Runs instructions while the engine is running and no breakpoint is set (the caller
    /// checked both); returns when either changes or the invocation stack empties. The same
    /// as `step` + `check_breakpoint` in a loop, with `fast_op` tried first.
    #[inline(always)]
    pub(super) fn run_fast<H: Interop + ?Sized>(&mut self, host: &mut H) {
        loop {
            let Some(ctx) = self.contexts.last() else {
                return;
            };
            let ip = ctx.ip;
            let ins = ctx.script.decoded(ip);
            if !ins.valid() {
                let e = bad_instruction(&ctx.script, ip);
                self.on_fault(e);
                return;
            }
            if let Err(e) = host.pre_execute(self, &ctx.script.view(ip, &ins)) {
                self.on_fault(e);
                return;
            }
            if self.fast_op(ins, ip) {
                continue;
            }
            let r = self.finish_step(host, ins, ip);
            self.jumping = false;
            if let Err(e) = r {
                self.on_fault(e);
                return;
            }
            if self.state != VmState::None || !self.breakpoints.is_empty() {
                return;
            }
        }
    }

    /// Completes the instruction `ins` at `ip` of the current context if it is a common case
    /// on plain items; otherwise changes nothing and returns `false`.
    #[inline(always)]
    fn fast_op(&mut self, ins: Decoded, ip: usize) -> bool {
        let next = ip + ins.size as usize;
        let max = self.limits.max_stack_size;
        let Some(ctx) = self.contexts.last_mut() else {
            return false;
        };
        let eval = &mut self.eval;
        let refs = &mut self.refs;

        // Pushes a plain item (unless that would pass MaxStackSize: the general path faults).
        macro_rules! push {
            ($item:expr) => {{
                if *refs >= max {
                    return false;
                }
                push_item(eval, $item);
                *refs += 1;
                ctx.ip = next;
                return true;
            }};
        }
        // The jump target at offset `$off`, if inside the script.
        macro_rules! target {
            ($off:expr) => {{
                let t = ip as i64 + $off;
                if t < 0 || t as usize >= ctx.script.len() {
                    return false;
                }
                t as usize
            }};
        }

        // Pushes a copy of a plain slot item.
        macro_rules! load {
            ($slot:expr, $index:expr) => {{
                let item = match $slot.as_deref().and_then(|s| s.get($index as usize)) {
                    Some(x) => x,
                    None => return false,
                };
                match plain_copy(item) {
                    Some(x) => push!(x),
                    None => return false,
                }
            }};
        }
        // Pops a plain item into a slot that holds a plain item.
        macro_rules! store {
            ($slot:expr, $index:expr) => {{
                let Some(value) = eval.last_mut().filter(|x| x.is_plain()) else {
                    return false;
                };
                let Some(cell) = $slot
                    .as_deref_mut()
                    .and_then(|s| s.get_mut($index as usize))
                else {
                    return false;
                };
                if !cell.is_plain() {
                    return false;
                }
                // Plain over plain: the pop uncounts the value, the store counts it and
                // uncounts the old item: one reference less in all (as `slot_store`). The
                // old item ends on top of the stack and is forgotten with the pop.
                std::mem::swap(cell, value);
                forget_plain(eval, 1);
                *refs = refs.saturating_sub(1);
                ctx.ip = next;
                return true;
            }};
        }

        let op = ins.op.0;
        match op {
            PUSHINT8 => push!(StackItem::Integer(Int::from(ins.imm as i8 as i64))),
            PUSHINT16 => push!(StackItem::Integer(Int::from(ins.imm as i16 as i64))),
            PUSHINT32 => push!(StackItem::Integer(Int::from(ins.imm as i32 as i64))),
            PUSHINT64 => push!(StackItem::Integer(Int::from(ins.imm as i64))),
            PUSHT => push!(StackItem::Boolean(true)),
            PUSHF => push!(StackItem::Boolean(false)),
            PUSHNULL => push!(StackItem::Null),
            PUSHM1..=PUSH16 => push!(StackItem::Integer(Int::from(op as i64 - PUSH0 as i64))),
            NOP => {
                ctx.ip = next;
                true
            }
            JMP => {
                ctx.ip = target!(ins.i8() as i64);
                true
            }
            JMP_L => {
                ctx.ip = target!(ins.i32() as i64);
                true
            }
            JMPIF | JMPIF_L | JMPIFNOT | JMPIFNOT_L => {
                let cond = match eval.last() {
                    Some(StackItem::Boolean(b)) => *b,
                    Some(StackItem::Integer(i)) => !i.is_zero(),
                    _ => return false,
                };
                let want = op == JMPIF || op == JMPIF_L;
                let to = if cond == want {
                    let off = if op == JMPIF || op == JMPIFNOT {
                        ins.i8() as i64
                    } else {
                        ins.i32() as i64
                    };
                    target!(off)
                } else {
                    next
                };
                forget_plain(eval, 1);
                *refs = refs.saturating_sub(1);
                ctx.ip = to;
                true
            }
            JMPEQ..=JMPLE_L => {
                let Some((x1, x2)) = top_two_ints(eval) else {
                    return false;
                };
                let cond = match (op - JMPEQ) / 2 {
                    0 => x1 == x2,
                    1 => x1 != x2,
                    2 => x1 > x2,
                    3 => x1 >= x2,
                    4 => x1 < x2,
                    _ => x1 <= x2,
                };
                let to = if cond {
                    let off = if (op - JMPEQ) % 2 == 0 {
                        ins.i8() as i64
                    } else {
                        ins.i32() as i64
                    };
                    target!(off)
                } else {
                    next
                };
                forget_plain(eval, 2);
                *refs = refs.saturating_sub(2);
                ctx.ip = to;
                true
            }
            DROP => {
                if !eval.last().is_some_and(StackItem::is_plain) {
                    return false;
                }
                forget_plain(eval, 1);
                *refs = refs.saturating_sub(1);
                ctx.ip = next;
                true
            }
            DUP | OVER => {
                let n = (op - DUP) as usize;
                let len = eval.len();
                if n >= len {
                    return false;
                }
                match plain_copy(&eval[len - 1 - n]) {
                    Some(x) => push!(x),
                    None => false,
                }
            }
            SWAP => {
                let len = eval.len();
                if len < 2 {
                    return false;
                }
                eval.swap(len - 1, len - 2);
                ctx.ip = next;
                true
            }
            LDSFLD0..=LDSFLD6 => load!(self.shared[ctx.shared].statics, op - LDSFLD0),
            LDSFLD => load!(self.shared[ctx.shared].statics, ins.u8()),
            LDLOC0..=LDLOC6 => load!(ctx.locals, op - LDLOC0),
            LDLOC => load!(ctx.locals, ins.u8()),
            LDARG0..=LDARG6 => load!(ctx.args, op - LDARG0),
            LDARG => load!(ctx.args, ins.u8()),
            STSFLD0..=STSFLD6 => store!(self.shared[ctx.shared].statics, op - STSFLD0),
            STSFLD => store!(self.shared[ctx.shared].statics, ins.u8()),
            STLOC0..=STLOC6 => store!(ctx.locals, op - STLOC0),
            STLOC => store!(ctx.locals, ins.u8()),
            STARG0..=STARG6 => store!(ctx.args, op - STARG0),
            STARG => store!(ctx.args, ins.u8()),
            INC | DEC => {
                let Some(StackItem::Integer(x)) = eval.last_mut() else {
                    return false;
                };
                let r = if op == INC {
                    x.checked_add(Int::ONE)
                } else {
                    x.checked_sub(Int::ONE)
                };
                let Some(r) = r else {
                    return false;
                };
                *x = r;
                ctx.ip = next;
                true
            }
            ADD | SUB | NUMEQUAL | NUMNOTEQUAL | LT | LE | GT | GE => {
                let Some((x1, x2)) = top_two_ints(eval) else {
                    return false;
                };
                let r = match op {
                    ADD => match x1.checked_add(x2) {
                        Some(r) => StackItem::Integer(r),
                        None => return false,
                    },
                    SUB => match x1.checked_sub(x2) {
                        Some(r) => StackItem::Integer(r),
                        None => return false,
                    },
                    NUMEQUAL => StackItem::Boolean(x1 == x2),
                    NUMNOTEQUAL => StackItem::Boolean(x1 != x2),
                    LT => StackItem::Boolean(x1 < x2),
                    LE => StackItem::Boolean(x1 <= x2),
                    GT => StackItem::Boolean(x1 > x2),
                    _ => StackItem::Boolean(x1 >= x2),
                };
                // Two pops and a push of plain items: one reference less.
                forget_plain(eval, 1);
                let len = eval.len();
                eval[len - 1] = r;
                *refs = refs.saturating_sub(1);
                ctx.ip = next;
                true
            }
            _ => false,
        }
    }
}
