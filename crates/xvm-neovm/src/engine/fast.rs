//! The run loop's fast path: the common opcodes on plain items (Null, Boolean, Integer), done
//! in place on the engine's fields, without the general dispatch's `Result` plumbing, the
//! reference-counter calls or the "jumping" bookkeeping.
//!
//! `fast_op` either completes an instruction exactly as the general handler would (same
//! stack, slots, reference count and instruction pointer), or changes nothing and returns
//! `false`, and the general handler runs it: every case that could fault, throw, overflow,
//! touch a compound or exceed `MaxStackSize` goes there, so messages and states stay those of
//! one implementation.

use super::{
    bad_instruction, grow, ExecutionContext, ExecutionEngine, Interop, Shared, TryFrame, TryState,
    VmState,
};
use crate::error::VmError;
use crate::int::Int;
use crate::item::StackItem;
use crate::opcode::OpCode;
use crate::script::Decoded;
use std::rc::Rc;

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
// The match below spells opcode ranges as lists of literals (a range pattern compiles to
// comparisons outside the jump table); these pin the literals to the opcodes.
const _: () = assert!(
    PUSHM1 == 0x0F
        && PUSH16 == 0x20
        && JMPEQ == 0x28
        && JMPLE_L == 0x33
        && LDSFLD0 == 0x58
        && LDSFLD6 == 0x5E
        && STSFLD0 == 0x60
        && STSFLD6 == 0x66
        && LDLOC0 == 0x68
        && LDLOC6 == 0x6E
        && STLOC0 == 0x70
        && STLOC6 == 0x76
        && LDARG0 == 0x78
        && LDARG6 == 0x7E
        && STARG0 == 0x80
        && STARG6 == 0x86
);
const AND: u8 = OpCode::AND.0;
const MUL: u8 = OpCode::MUL.0;
const DIV: u8 = OpCode::DIV.0;
const MOD: u8 = OpCode::MOD.0;
const REVERSE3: u8 = OpCode::REVERSE3.0;
const REVERSE4: u8 = OpCode::REVERSE4.0;
const REVERSEN: u8 = OpCode::REVERSEN.0;
const OR: u8 = OpCode::OR.0;
const XOR: u8 = OpCode::XOR.0;
const NOT: u8 = OpCode::NOT.0;
const NZ: u8 = OpCode::NZ.0;
const TRY: u8 = OpCode::TRY.0;
const TRY_L: u8 = OpCode::TRY_L.0;
const ENDTRY: u8 = OpCode::ENDTRY.0;
const ENDTRY_L: u8 = OpCode::ENDTRY_L.0;

/// Makes room for one more item on `stack` (the growth out of line).
#[inline(always)]
fn reserve_one(stack: &mut Vec<StackItem>) {
    if stack.len() == stack.capacity() {
        grow(stack);
    }
}

/// Pushes a bitwise copy of `item`, which the caller has checked is plain, onto `stack`,
/// which has room for it (`reserve_one`).
#[inline(always)]
fn push_copy(stack: &mut Vec<StackItem>, item: *const StackItem) {
    let len = stack.len();
    debug_assert!(len < stack.capacity());
    // SAFETY: `item` points to a live, plain item (Null, Boolean, Integer: no heap data, no
    // destructor work), so its bytes are a complete independent value and the bitwise copy
    // is a clone. `len < capacity` (the caller reserved), so slot `len` is allocated and
    // uninitialised; it is written once, then made part of the vector. `item` may point into
    // `stack` itself (DUP, OVER): it is read before anything is written and the reservation
    // happened before the pointer was taken, so it is not dangling. Tested by
    // `tests::fast_path_matches_general_path`.
    unsafe {
        let p = stack.as_mut_ptr();
        p.add(len).write(std::ptr::read(item));
        stack.set_len(len + 1);
    }
}

/// The two Integers on top of `stack` (second, top), if both are Integers.
#[inline(always)]
fn top_two_ints(stack: &[StackItem]) -> Option<(Int, Int)> {
    match stack {
        [.., StackItem::Integer(a), StackItem::Integer(b)] => Some((*a, *b)),
        _ => None,
    }
}

/// The bytes of a ByteString or a Buffer (what CAT and SUBSTR take without conversion).
#[inline(always)]
fn bytes_of(item: &StackItem) -> Option<Bytes<'_>> {
    match item {
        StackItem::ByteString(b) => Some(Bytes::Str(b)),
        StackItem::Buffer(b) => Some(Bytes::Buf(b.borrow())),
        _ => None,
    }
}

/// Borrowed bytes of a ByteString or a Buffer.
enum Bytes<'a> {
    Str(&'a [u8]),
    Buf(std::cell::Ref<'a, crate::buffer::BufferBytes>),
}

impl std::ops::Deref for Bytes<'_> {
    type Target = [u8];
    #[inline(always)]
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Str(b) => b,
            Bytes::Buf(b) => b,
        }
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

/// Pops and drops the top item of `stack` (out of line: freeing it is the slow part).
#[inline(never)]
fn drop_top(stack: &mut Vec<StackItem>) {
    stack.pop();
}

/// Replaces the two plain items on top of `stack` by `r` (a binary operator's result).
#[inline(always)]
fn replace_top_two(stack: &mut Vec<StackItem>, r: StackItem) {
    forget_plain(stack, 1);
    let len = stack.len();
    // The old item is plain: assigning over it runs no destructor work.
    stack[len - 1] = r;
}

impl ExecutionEngine {
    /// Runs instructions while the engine is running and no breakpoint is set (the caller
    /// checked both); returns when either changes or the invocation stack empties. The same
    /// as `step` + `check_breakpoint` in a loop, with `fast_op` tried first.
    ///
    /// The current context's script, its decode table and the instruction pointer are kept in
    /// locals while `fast_op` completes instructions (fast ops never change the invocation
    /// stack); they are looked up again only after a general step, which may CALL, RET,
    /// throw or run a system call. `fast_op` still stores the new pointer in the context, so
    /// hosts see the same engine state in `pre_execute` as before.
    #[inline(never)]
    pub(super) fn run_fast<H: Interop + ?Sized>(&mut self, host: &mut H) {
        let Some(ctx) = self.contexts.last() else {
            return;
        };
        let mut script = ctx.script.clone();
        let max = self.limits.max_stack_size;
        let max_try = self.limits.max_try_nesting_depth;
        loop {
            // Not empty: checked on entry and after every general step.
            let ci = self.contexts.len() - 1;
            let table = script.table();
            let ctx: *mut ExecutionContext = &mut self.contexts[ci];
            // SAFETY: `ctx` points to a live context (just indexed); see the loop below.
            let mut ip = unsafe { (*ctx).ip };
            let ins = loop {
                let mut ins = match table.get(ip) {
                    Some(cell) => cell.get(),
                    None => Decoded::RET,
                };
                if !ins.valid() {
                    // Not decoded yet, or not decodable.
                    ins = script.decoded_in(table, ip);
                    if !ins.valid() {
                        self.fail(bad_instruction(&script, ip));
                        return;
                    }
                }
                if let Err(e) = host.pre_execute(self, &script.view(ip, &ins)) {
                    self.fail(e);
                    return;
                }
                // SAFETY: `ctx` points into `self.contexts`, which nothing in this inner loop
                // can change: `pre_execute` sees the engine through a shared reference (the
                // vector and its contexts have no interior mutability) and `fast_op` gets
                // the other fields only. So the context has not moved or been freed, and no
                // other reference to it is live while this one is (the host's ended when
                // `pre_execute` returned). After a general step, which may CALL, RET or
                // unwind, the pointer is taken afresh. Tested by
                // `tests::fast_path_matches_general_path` (with CALL, RET, TRY and THROW).
                let ctx = unsafe { &mut *ctx };
                match fast_op(
                    ctx,
                    &mut self.eval,
                    &mut self.refs,
                    &mut self.shared,
                    max,
                    max_try,
                    table.len(),
                    ins,
                    ip,
                ) {
                    Some(next) => ip = next,
                    None => break ins,
                }
            };
            let op = ins.op();
            // CALL and RET first: the commonest by far. When their light steps went well the
            // current context runs the same script as before (a CALLed context shares its
            // caller's, and a light RET returns to a context on the same shared state), so the
            // script need not be looked up again.
            let mut same_script = false;
            let r = if op == OpCode::CALL {
                same_script = true;
                self.call_step(host, ins, ip, ci)
            } else if op == OpCode::RET {
                match self.ret_step(host, ins, ip, ci) {
                    Ok(light) => {
                        same_script = light;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            } else {
                match op {
                    OpCode::CALL_L => self.call_step(host, ins, ip, ci),
                    OpCode::THROW => self.throw_step(host, ins, ci),
                    OpCode::INITSLOT => self.init_slot(host, ins, ip, ci),
                    OpCode::PACK => self.pack_plain(host, ins, ip, ci),
                    OpCode::UNPACK => self.unpack_plain(host, ins, ip, ci),
                    OpCode::CAT | OpCode::SUBSTR => self.splice(host, ins, ip, ci),
                    OpCode::PUSHDATA1 | OpCode::PUSHDATA2 | OpCode::PUSHDATA4 => {
                        self.push_data(host, &script, ins, ip, ci)
                    }
                    _ => self.general_step(host, ins, ip),
                }
            };
            if let Err(e) = r {
                self.fail(e);
                return;
            }
            if self.state != VmState::None || !self.breakpoints.is_empty() {
                return;
            }
            if same_script {
                continue;
            }
            let Some(ctx) = self.contexts.last() else {
                return;
            };
            if !ctx.script.same(&script) {
                script = ctx.script.clone();
            }
        }
    }

    /// Faults the engine with `e` (out of the fast loop's way).
    #[cold]
    #[inline(never)]
    fn fail(&mut self, e: VmError) {
        self.on_fault(e);
    }

    /// CALL or CALL_L (`ins` at `ip` of context `ci`), as the general handler runs it but
    /// without its dispatch. Faults go to the general handler, which words them.
    #[inline(never)]
    fn call_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let off = if ins.op() == OpCode::CALL {
            ins.i8() as i64
        } else {
            ins.i32() as i64
        };
        let target = ip as i64 + off;
        let depth = self.contexts.len();
        let ctx = &mut self.contexts[ci];
        if target < 0
            || target as usize > ctx.script.len()
            || depth >= self.limits.max_invocation_stack_size
        {
            return self.general_step(host, ins, ip);
        }
        // The caller moves past the CALL (taken back below if the host throws).
        ctx.ip = ip + ins.size() as usize;
        // `push` out of line measured 30 host instructions per CALL.
        self.contexts.reserve(1);
        // SAFETY: after `reserve(1)`, slot `depth` (the length) is allocated and
        // uninitialised: the new context (what `call` builds, without its checks' `Result`s)
        // is written there once, in place, then the length covers it. The caller, slot `ci`
        // (< `depth`), is only read, and nothing reallocates the vector in between. Tested by
        // `tests::fast_path_matches_general_path` (CALL, CALL_L).
        unsafe {
            let base = self.contexts.as_mut_ptr();
            base.add(depth)
                .write((*base.add(ci)).called(target as usize));
            self.contexts.set_len(depth + 1);
        }
        match host.context_loaded(self) {
            // The count did not change.
            Ok(()) => Ok(()),
            r => {
                self.contexts[ci].ip = ip;
                self.complete(host, r, ci, ins.size())
            }
        }
    }

    /// RET (`ins` at `ip` of context `ci`, the last one): a CALLed context returns (its items
    /// stay on the shared stack, so only the context goes: what `ret` and `context_unloaded` do
    /// in this case), and the result is `Ok(true)`: the current context runs the same script
    /// as before. A loaded script's RET goes to the general handler (`Ok(false)` when it went
    /// well: it may return to another script).
    #[inline(never)]
    fn ret_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<bool, VmError> {
        let [.., caller, ctx] = &self.contexts[..] else {
            return self.general_step(host, ins, ip).map(|()| false);
        };
        if caller.shared != ctx.shared {
            return self.general_step(host, ins, ip).map(|()| false);
        }
        let ctx = self.contexts.pop().expect("context ci is loaded");
        let r = if ctx.locals.is_none() && ctx.args.is_none() {
            host.context_unloaded(self, &ctx, 0)
        } else {
            let plain_locals = match &ctx.locals {
                Some(v) => self.uncount_slot(v),
                None => true,
            };
            let plain_args = match &ctx.args {
                Some(v) => self.uncount_slot(v),
                None => true,
            };
            let r = host.context_unloaded(self, &ctx, 0);
            let ExecutionContext { locals, args, .. } = ctx;
            if let Some(v) = locals {
                self.recycle_slot(v, plain_locals);
            }
            if let Some(v) = args {
                self.recycle_slot(v, plain_args);
            }
            r
        };
        // The count only went down, and the returned context has no pointer to move on.
        if r.is_ok() {
            return Ok(true);
        }
        self.jumping = true;
        self.end_light_step(host, r, ci, ins).map(|()| true)
    }

    /// THROW (`ins` of context `ci`): unwinds here, as the general handler does, without
    /// boxing the item.
    #[inline(never)]
    fn throw_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ci: usize,
    ) -> Result<(), VmError> {
        let r = match self.pop() {
            Ok(ex) => self.throw(host, ex),
            Err(e) => Err(e),
        };
        self.end_light_step(host, r, ci, ins)
    }

    /// INITSLOT (`ins` at `ip` of context `ci`) when its arguments are plain items: they move
    /// from the stack into the argument slot without the general handler's pop and re-count
    /// (plain items: one reference each either way). Everything else, faults included, goes
    /// to the general handler.
    #[inline(never)]
    fn init_slot<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let (nl, na) = (ins.u8() as usize, ins.u8_1() as usize);
        let ctx = &self.contexts[ci];
        let len = self.eval.len();
        if ctx.locals.is_some()
            || ctx.args.is_some()
            || (nl == 0 && na == 0)
            || na > len
            || !self.eval[len - na..].iter().all(StackItem::is_plain)
        {
            return self.general_step(host, ins, ip);
        }
        if nl > 0 {
            let mut locals = self.slot_vec(nl);
            locals.reserve(nl);
            let p = locals.as_mut_ptr();
            // SAFETY: the vector is empty (from `slot_vec`) with room for `nl` items after
            // `reserve`: slots `0..nl` are allocated and uninitialised, each is written once,
            // then the length covers exactly them. Tested by
            // `tests::reused_slot_vectors_start_fresh` (pooled vectors start as Null).
            unsafe {
                for i in 0..nl {
                    p.add(i).write(StackItem::Null);
                }
                locals.set_len(nl);
            }
            self.contexts[ci].locals = Some(locals);
            self.refs += nl;
        }
        if na > 0 {
            let mut args = self.slot_vec(na);
            // The top item is argument 0. Plain items: moving them changes no count.
            move_top_reversed(&mut self.eval, &mut args, na);
            self.contexts[ci].args = Some(args);
        }
        self.end_light_step(host, Ok(()), ci, ins)
    }

    /// PACK (`ins` at `ip` of context `ci`) of plain items: they move from the stack into the
    /// new array, which is born stack-referenced once. The count goes (one reference less),
    /// the items go and come back as the array's items, the array comes (one more): the
    /// count does not change. Everything else goes to the general handler.
    #[inline(never)]
    fn pack_plain<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let len = self.eval.len();
        let n = match self.eval.last() {
            Some(StackItem::Integer(x)) => x.to_i64(),
            _ => None,
        };
        let Some(n) = n.filter(|&n| n >= 0 && (n as usize) < len && n <= i32::MAX as i64) else {
            return self.general_step(host, ins, ip);
        };
        let n = n as usize;
        let below = len - 1 - n;
        if !self.eval[below..].iter().all(StackItem::is_plain) {
            return self.general_step(host, ins, ip);
        }
        let mut items: Vec<StackItem> = Vec::with_capacity(n);
        // SAFETY: `len >= n + 1 >= 1`: the top item is the count, an Integer (checked above),
        // which is plain and owns nothing, so cutting it off without dropping it leaks nothing.
        unsafe { self.eval.set_len(len - 1) };
        // The item under the count is item 0. Plain items: moving them changes no count.
        move_top_reversed(&mut self.eval, &mut items, n);
        let array = crate::item::ArrayItem::new(items);
        array.stack_refs.set(1);
        self.eval.push(StackItem::Array(array));
        self.end_light_step(host, Ok(()), ci, ins)
    }

    /// UNPACK (`ins` at `ip` of context `ci`) of an Array or Struct of plain items: the
    /// general handler's pop, clones and pushes, with the counts done in one step. Everything
    /// else goes to the general handler.
    #[inline(never)]
    fn unpack_plain<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let a = match self.eval.last() {
            Some(StackItem::Array(a) | StackItem::Struct(a)) => a,
            _ => return self.general_step(host, ins, ip),
        };
        let old = a.stack_refs.get();
        if old == 0 || !a.items().iter().all(StackItem::is_plain) {
            return self.general_step(host, ins, ip);
        }
        let (StackItem::Array(a) | StackItem::Struct(a)) = self.eval.pop().expect("checked above")
        else {
            unreachable!("checked above")
        };
        let n = a.len();
        // The pop: one reference less, and the items' when this was the last.
        a.stack_refs.set(old - 1);
        self.refs = self.refs.saturating_sub(if old == 1 { 1 + n } else { 1 });
        self.eval.reserve(n + 1);
        match Rc::try_unwrap(a) {
            // The stack held the only handle: the items move out instead of being cloned
            // (the array would be dropped right after anyway).
            Ok(mut inner) => {
                let items = std::mem::take(inner.items.get_mut());
                self.eval.extend(items.into_iter().rev());
            }
            Err(a) => {
                for v in a.items().iter().rev() {
                    self.eval.push(v.clone_fast());
                }
            }
        }
        self.eval.push(StackItem::Integer(Int::from(n as i64)));
        self.refs += n + 1;
        self.end_light_step(host, Ok(()), ci, ins)
    }

    /// PUSHDATA1, PUSHDATA2 or PUSHDATA4 (`ins` at `ip` of context `ci`, whose script is
    /// `script`): pushes the script's shared copy of the operand. An operand over MaxItemSize
    /// goes to the general handler, which faults.
    #[inline(never)]
    fn push_data<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        script: &crate::script::Script,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let data = script.pushdata(ip, &ins);
        if data.len() > self.limits.max_item_size {
            return self.general_step(host, ins, ip);
        }
        self.eval.push(StackItem::ByteString(data));
        self.refs += 1;
        // What `complete` does after a push that went well.
        if self.refs > self.limits.max_stack_size {
            return Err(self.stack_size_exceeded());
        }
        self.contexts[ci].ip += ins.size() as usize;
        Ok(())
    }

    /// CAT of two byte strings or buffers, or SUBSTR of one with Integer bounds
    /// (`ins` at `ip` of context `ci`), without the general handler's pops. SUBSTR cuts a
    /// buffer that only the stack holds in place instead of copying it (nothing else can see
    /// that it is the same buffer). Everything else, faults included, goes to the general
    /// handler.
    #[inline(never)]
    fn splice<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
        ci: usize,
    ) -> Result<(), VmError> {
        let len = self.eval.len();
        if ins.op() == OpCode::CAT {
            let [.., x1, x2] = &self.eval[..] else {
                return self.general_step(host, ins, ip);
            };
            let (Some(a), Some(b)) = (bytes_of(x1), bytes_of(x2)) else {
                return self.general_step(host, ins, ip);
            };
            let n = a.len() + b.len();
            if n > self.limits.max_item_size {
                drop((a, b));
                return self.general_step(host, ins, ip);
            }
            let out = crate::buffer::BufferBytes::concat(&a, &b);
            drop((a, b));
            self.eval.truncate(len - 1);
            self.eval[len - 2] = StackItem::buffer(out);
            self.refs -= 1;
        } else {
            let [.., x, StackItem::Integer(index), StackItem::Integer(count)] = &self.eval[..]
            else {
                return self.general_step(host, ins, ip);
            };
            let (Some(index), Some(count)) = (index.to_i32(), count.to_i32()) else {
                return self.general_step(host, ins, ip);
            };
            let Some(size) = bytes_of(x).map(|b| b.len()) else {
                return self.general_step(host, ins, ip);
            };
            if index < 0 || count < 0 || index as usize + count as usize > size {
                return self.general_step(host, ins, ip);
            }
            let (index, count) = (index as usize, count as usize);
            forget_plain(&mut self.eval, 2);
            let top = self.eval.last_mut().expect("three items were checked");
            match top {
                StackItem::Buffer(b) if Rc::strong_count(b) == 1 => {
                    let mut v = b.borrow_mut();
                    v.copy_within(index..index + count, 0);
                    v.truncate(count);
                }
                _ => {
                    let out = StackItem::buffer(
                        &bytes_of(top).expect("checked above")[index..index + count],
                    );
                    *top = out;
                }
            }
            self.refs -= 2;
        }
        // What `complete` does after a step that went well and only lowered the count.
        self.contexts[ci].ip += ins.size() as usize;
        Ok(())
    }

    /// What ends a light step of `ins` in context `ci` with result `r`: `complete` (a VM
    /// exception, MaxStackSize, the pointer), then the jump flag is cleared for the next step.
    #[inline(always)]
    fn end_light_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        r: Result<(), VmError>,
        ci: usize,
        ins: Decoded,
    ) -> Result<(), VmError> {
        let r = self.complete(host, r, ci, ins.size());
        self.jumping = false;
        r
    }

    /// The general handler for instruction `ins` at `ip` of the current context, out of line
    /// so that the fast loop stays small enough to keep its state in registers.
    #[inline(never)]
    fn general_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
    ) -> Result<(), VmError> {
        let r = self.finish_step(host, ins, ip);
        self.jumping = false;
        r
    }
}

/// Completes the instruction `ins` at `ip` of the current context `ctx` (whose script is
/// `script_len` bytes long, whose evaluation stack is `eval` and whose shared states are
/// `shared`; `refs` is the reference count, `max` MaxStackSize, `max_try`
/// MaxTryNestingDepth) if it is a common case on
/// plain items, and returns the new instruction pointer (also stored in the context);
/// otherwise changes nothing and returns `None`.
#[allow(clippy::too_many_arguments)]
// Opcode ranges are spelled as lists of literals: a range pattern compiles to comparisons
// ahead of the jump table (measured: 4 to 16 host instructions per VM instruction).
#[allow(clippy::manual_range_patterns)]
#[inline(always)]
fn fast_op(
    ctx: &mut ExecutionContext,
    eval: &mut Vec<StackItem>,
    refs: &mut usize,
    shared: &mut [Shared],
    max: usize,
    max_try: usize,
    script_len: usize,
    ins: Decoded,
    ip: usize,
) -> Option<usize> {
    let next = ip + ins.size() as usize;

    // Finishes the instruction: the pointer moves to `$to`.
    macro_rules! done {
        ($to:expr) => {{
            let to = $to;
            ctx.ip = to;
            return Some(to);
        }};
    }
    // Pushes a copy of the plain item behind the pointer `$item` (unless that would pass
    // MaxStackSize: the general path faults). `$item` is evaluated after the reservation.
    macro_rules! push_copy {
        ($item:expr) => {{
            if *refs >= max {
                return None;
            }
            reserve_one(eval);
            push_copy(eval, $item);
            *refs += 1;
            done!(next)
        }};
    }
    // Pushes a plain item built in place.
    macro_rules! push {
        ($item:expr) => {{
            if *refs >= max {
                return None;
            }
            reserve_one(eval);
            let len = eval.len();
            // SAFETY: `len < capacity` after `reserve_one`: slot `len` is allocated and
            // uninitialised; it is written once, then made part of the vector.
            unsafe {
                eval.as_mut_ptr().add(len).write($item);
                eval.set_len(len + 1);
            }
            *refs += 1;
            done!(next)
        }};
    }
    // The jump target at offset `$off`, if inside the script.
    macro_rules! target {
        ($off:expr) => {{
            let t = ip as i64 + $off;
            if t < 0 || t as usize >= script_len {
                return None;
            }
            t as usize
        }};
    }
    // JMPIF (`$want` true) or JMPIFNOT on a Boolean or Integer, offset `$off`.
    macro_rules! cond_jump {
        ($want:expr, $off:expr) => {{
            let cond = match eval.last() {
                Some(StackItem::Boolean(b)) => *b,
                Some(StackItem::Integer(i)) => !i.is_zero(),
                _ => return None,
            };
            let to = if cond == $want {
                target!($off as i64)
            } else {
                next
            };
            forget_plain(eval, 1);
            *refs = refs.saturating_sub(1);
            done!(to)
        }};
    }
    // JMPEQ..JMPLE on two Integers: jump by `$off` if `second $cmp top`.
    macro_rules! cmp_jump {
        ($cmp:tt, $off:expr) => {{
            let (x1, x2) = top_two_ints(eval)?;
            let to = if x1 $cmp x2 { target!($off as i64) } else { next };
            forget_plain(eval, 2);
            *refs = refs.saturating_sub(2);
            done!(to)
        }};
    }
    // Pushes a copy of the plain item `$n` below the top.
    macro_rules! dup {
        ($n:expr) => {{
            let n: usize = $n;
            let len = eval.len();
            if n >= len || !eval[len - 1 - n].is_plain() {
                return None;
            }
            push_copy!(eval.as_ptr().wrapping_add(len - 1 - n))
        }};
    }
    // Pushes a copy of a plain slot item.
    macro_rules! load {
        ($slot:expr, $index:expr) => {{
            let item: &StackItem = match $slot.as_deref().and_then(|s| s.get($index as usize)) {
                Some(x) if x.is_plain() => x,
                _ => return None,
            };
            push_copy!(item as *const StackItem)
        }};
    }
    // Pops a plain item into a slot that holds a plain item.
    macro_rules! store {
        ($slot:expr, $index:expr) => {{
            let cell = $slot
                .as_deref_mut()
                .and_then(|s| s.get_mut($index as usize))?;
            let len = eval.len();
            if len == 0 || !cell.is_plain() || !eval[len - 1].is_plain() {
                return None;
            }
            // SAFETY: both the top item and the slot's item are plain (checked above):
            // the slot's old item needs no destructor, so it is overwritten with the
            // top item's bytes, and the top item is then cut off the stack without being
            // dropped, so exactly one owner remains. The top item and the slot are in
            // different vectors, so the copy does not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(eval.as_ptr().add(len - 1), cell, 1);
                eval.set_len(len - 1);
            }
            // Plain over plain: the pop uncounts the value, the store counts it and
            // uncounts the old item: one reference less in all (as `slot_store`).
            *refs = refs.saturating_sub(1);
            done!(next)
        }};
    }

    let op = ins.op().0;
    match op {
        PUSHINT8 => push!(StackItem::Integer(Int::from(ins.imm as i8 as i64))),
        PUSHINT16 => push!(StackItem::Integer(Int::from(ins.imm as i16 as i64))),
        PUSHINT32 => push!(StackItem::Integer(Int::from(ins.imm as i32 as i64))),
        PUSHINT64 => push!(StackItem::Integer(Int::from(ins.imm as i64))),
        PUSHT => push!(StackItem::Boolean(true)),
        PUSHF => push!(StackItem::Boolean(false)),
        PUSHNULL => push!(StackItem::Null),
        // PUSHM1..=PUSH16
        0x0F | 0x10 | 0x11 | 0x12 | 0x13 | 0x14 | 0x15 | 0x16 | 0x17 | 0x18 | 0x19 | 0x1A
        | 0x1B | 0x1C | 0x1D | 0x1E | 0x1F | 0x20 => {
            push!(StackItem::Integer(Int::from(op as i64 - PUSH0 as i64)))
        }
        NOP => done!(next),
        JMP => done!(target!(ins.i8() as i64)),
        JMP_L => done!(target!(ins.i32() as i64)),
        JMPIF => cond_jump!(true, ins.i8()),
        JMPIF_L => cond_jump!(true, ins.i32()),
        JMPIFNOT => cond_jump!(false, ins.i8()),
        JMPIFNOT_L => cond_jump!(false, ins.i32()),
        // JMPEQ..=JMPLE_L: short and long forms alternate.
        0x28 => cmp_jump!(==, ins.i8()),
        0x29 => cmp_jump!(==, ins.i32()),
        0x2A => cmp_jump!(!=, ins.i8()),
        0x2B => cmp_jump!(!=, ins.i32()),
        0x2C => cmp_jump!(>, ins.i8()),
        0x2D => cmp_jump!(>, ins.i32()),
        0x2E => cmp_jump!(>=, ins.i8()),
        0x2F => cmp_jump!(>=, ins.i32()),
        0x30 => cmp_jump!(<, ins.i8()),
        0x31 => cmp_jump!(<, ins.i32()),
        0x32 => cmp_jump!(<=, ins.i8()),
        0x33 => cmp_jump!(<=, ins.i32()),
        DROP => {
            match eval.last() {
                Some(x) if x.is_plain() => forget_plain(eval, 1),
                // Not compound: one reference, no sub-items.
                Some(StackItem::ByteString(_) | StackItem::Buffer(_)) => drop_top(eval),
                _ => return None,
            }
            *refs = refs.saturating_sub(1);
            done!(next)
        }
        DUP => dup!(0),
        OVER => dup!(1),
        REVERSE3 | REVERSE4 => {
            let (n, len) = ((op - REVERSE3 + 3) as usize, eval.len());
            if n > len {
                return None;
            }
            // Moves items without adding or dropping any: no count changes.
            eval[len - n..].reverse();
            done!(next)
        }
        REVERSEN => {
            let len = eval.len();
            let Some(StackItem::Integer(x)) = eval.last() else {
                return None;
            };
            let n = x.to_i64()?;
            if n < 0 || n as usize >= len {
                return None;
            }
            // Pops the count (one reference less), then reverses the `n` items below it.
            forget_plain(eval, 1);
            *refs = refs.saturating_sub(1);
            eval[len - 1 - n as usize..].reverse();
            done!(next)
        }
        SWAP => {
            let len = eval.len();
            if len < 2 {
                return None;
            }
            eval.swap(len - 1, len - 2);
            done!(next)
        }
        // LDSFLD0..=LDSFLD6
        0x58 | 0x59 | 0x5A | 0x5B | 0x5C | 0x5D | 0x5E => {
            load!(shared[ctx.shared].statics, op - LDSFLD0)
        }
        LDSFLD => load!(shared[ctx.shared].statics, ins.u8()),
        // LDLOC0..=LDLOC6
        0x68 | 0x69 | 0x6A | 0x6B | 0x6C | 0x6D | 0x6E => load!(ctx.locals, op - LDLOC0),
        LDLOC => load!(ctx.locals, ins.u8()),
        // LDARG0..=LDARG6
        0x78 | 0x79 | 0x7A | 0x7B | 0x7C | 0x7D | 0x7E => load!(ctx.args, op - LDARG0),
        LDARG => load!(ctx.args, ins.u8()),
        // STSFLD0..=STSFLD6
        0x60 | 0x61 | 0x62 | 0x63 | 0x64 | 0x65 | 0x66 => {
            store!(shared[ctx.shared].statics, op - STSFLD0)
        }
        STSFLD => store!(shared[ctx.shared].statics, ins.u8()),
        // STLOC0..=STLOC6
        0x70 | 0x71 | 0x72 | 0x73 | 0x74 | 0x75 | 0x76 => store!(ctx.locals, op - STLOC0),
        STLOC => store!(ctx.locals, ins.u8()),
        // STARG0..=STARG6
        0x80 | 0x81 | 0x82 | 0x83 | 0x84 | 0x85 | 0x86 => store!(ctx.args, op - STARG0),
        STARG => store!(ctx.args, ins.u8()),
        INC => {
            let Some(StackItem::Integer(x)) = eval.last_mut() else {
                return None;
            };
            *x = x.checked_add(Int::ONE)?;
            done!(next)
        }
        DEC => {
            let Some(StackItem::Integer(x)) = eval.last_mut() else {
                return None;
            };
            *x = x.checked_sub(Int::ONE)?;
            done!(next)
        }
        NOT | NZ => {
            let r = match eval.last_mut() {
                Some(StackItem::Boolean(b)) if op == NOT => !*b,
                Some(StackItem::Integer(i)) => (op == NZ) != i.is_zero(),
                _ => return None,
            };
            // Pop and push of plain items: the count does not change.
            if let Some(top) = eval.last_mut() {
                *top = StackItem::Boolean(r);
            }
            done!(next)
        }
        MUL | DIV | MOD => {
            // Operands and result within i64 (no overflow, no division by zero); the rest,
            // and every fault, go to the general path.
            let (x1, x2) = top_two_ints(eval)?;
            let (a, b) = (x1.to_i64()?, x2.to_i64()?);
            let r = match op {
                MUL => a.checked_mul(b)?,
                // Truncating, with the remainder's sign that of the dividend: as BigInteger.
                DIV => a.checked_div(b)?,
                _ => a.checked_rem(b)?,
            };
            replace_top_two(eval, StackItem::Integer(Int::from(r)));
            *refs = refs.saturating_sub(1);
            done!(next)
        }
        ADD | SUB | AND | OR | XOR | NUMEQUAL | NUMNOTEQUAL | LT | LE | GT | GE => {
            let (x1, x2) = top_two_ints(eval)?;
            let r = match op {
                ADD => StackItem::Integer(x1.checked_add(x2)?),
                SUB => StackItem::Integer(x1.checked_sub(x2)?),
                AND => StackItem::Integer(x1.and(x2)),
                OR => StackItem::Integer(x1.or(x2)),
                XOR => StackItem::Integer(x1.xor(x2)),
                NUMEQUAL => StackItem::Boolean(x1 == x2),
                NUMNOTEQUAL => StackItem::Boolean(x1 != x2),
                LT => StackItem::Boolean(x1 < x2),
                LE => StackItem::Boolean(x1 <= x2),
                GT => StackItem::Boolean(x1 > x2),
                _ => StackItem::Boolean(x1 >= x2),
            };
            // Two pops and a push of plain items: one reference less.
            replace_top_two(eval, r);
            *refs = refs.saturating_sub(1);
            done!(next)
        }
        TRY | TRY_L => {
            let (c, f) = if op == TRY {
                (ins.i8() as i64, ins.u8_1() as i8 as i64)
            } else {
                (ins.i32() as i64, ins.i32_1() as i64)
            };
            // Both offsets 0 and a full TRY stack fault: the general path.
            if (c == 0 && f == 0) || ctx.try_stack.len() >= max_try {
                return None;
            }
            let ipi = ip as i64;
            ctx.try_stack.push(TryFrame {
                catch: if c == 0 { -1 } else { ipi + c },
                finally: if f == 0 { -1 } else { ipi + f },
                end: -1,
                state: TryState::Try,
            });
            done!(next)
        }
        ENDTRY | ENDTRY_L => {
            let off = if op == ENDTRY {
                ins.i8() as i64
            } else {
                ins.i32() as i64
            };
            // No TRY frame, a FINALLY body or a target outside `0..=len` fault: the general
            // path. Nothing changes before these checks.
            let frame = ctx.try_stack.last_mut()?;
            if frame.state == TryState::Finally {
                return None;
            }
            let end = ip as i64 + off;
            if frame.finally >= 0 {
                let fin = frame.finally;
                if fin as usize > script_len {
                    return None;
                }
                frame.state = TryState::Finally;
                frame.end = end;
                done!(fin as usize)
            }
            if end < 0 || end as usize > script_len {
                return None;
            }
            ctx.try_stack.pop();
            done!(end as usize)
        }
        _ => None,
    }
}

/// Moves the top `n` items of `eval` (all of them if it holds fewer) onto the end of `dst`, the
/// top one first, without cloning or dropping any: each item only changes owner, so no reference
/// count changes (what INITSLOT does with the arguments and PACK with the packed items).
#[inline(always)]
fn move_top_reversed(eval: &mut Vec<StackItem>, dst: &mut Vec<StackItem>, n: usize) {
    let n = n.min(eval.len());
    dst.reserve(n);
    let (len, at) = (eval.len(), dst.len());
    // SAFETY: the top `n` items of `eval` are live (`n <= len`) and `dst` has room for `n` more
    // after `reserve`; the two are distinct vectors (two `&mut`). Each item is copied bitwise
    // once into its own slot of `dst`, then `eval` is cut below them without dropping them, so
    // every item has exactly one owner; nothing in between can panic. Tested by
    // `move_tests::moves_the_top_items_reversed_once` and the fast-path tests.
    unsafe {
        let src = eval.as_ptr().add(len - n);
        let out = dst.as_mut_ptr().add(at);
        for i in 0..n {
            out.add(i).write(std::ptr::read(src.add(n - 1 - i)));
        }
        eval.set_len(len - n);
        dst.set_len(at + n);
    }
}

#[cfg(test)]
mod move_tests {
    use super::*;

    #[test]
    fn moves_the_top_items_reversed_once() {
        let item = |s: &str| StackItem::ByteString(s.as_bytes().into());
        let text = |v: &[StackItem]| -> String {
            v.iter()
                .map(|i| match i {
                    StackItem::ByteString(b) => String::from_utf8_lossy(b).into_owned(),
                    other => panic!("not a byte string: {other:?}"),
                })
                .collect()
        };
        let mut eval = vec![item("a"), item("b"), item("c"), item("d")];
        let mut dst = vec![item("x")];
        move_top_reversed(&mut eval, &mut dst, 3);
        assert_eq!(text(&eval), "a");
        assert_eq!(text(&dst), "xdcb");
        // More than the stack holds: all of it.
        move_top_reversed(&mut eval, &mut dst, 9);
        assert!(eval.is_empty());
        assert_eq!(text(&dst), "xdcba");
        // A compound item moves without a clone: still one strong reference.
        let array = crate::item::ArrayItem::new(Vec::new());
        let mut eval = vec![StackItem::Array(array.clone())];
        let mut dst = Vec::new();
        move_top_reversed(&mut eval, &mut dst, 1);
        assert_eq!(std::rc::Rc::strong_count(&array), 2);
        drop(dst);
        assert_eq!(std::rc::Rc::strong_count(&array), 1);
    }
}
