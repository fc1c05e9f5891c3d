//! The execution engine: contexts, stacks, slots, the reference counter, exception handling,
//! the instruction loop and the debugger's stepping actions.

use crate::error::{fault, VmError};
use crate::int::Int;
use crate::item::{MapKey, StackItem};
use crate::limits::Limits;
use crate::opcode::OpCode;
use crate::script::{Decoded, Instruction, Script};
use std::fmt;

mod dispatch;
mod fast;
mod rc;

/// Engine state (`VMState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmState {
    /// Running (or ready to run).
    None,
    /// Finished normally.
    Halt,
    /// Stopped by an error.
    Fault,
    /// Paused (the initial state, and after a debugger step).
    Break,
}

impl fmt::Display for VmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VmState::None => "NONE",
            VmState::Halt => "HALT",
            VmState::Fault => "FAULT",
            VmState::Break => "BREAK",
        })
    }
}

/// The host side of SYSCALL and CALLT (Neo's ApplicationEngine implements this).
pub trait Interop {
    /// Runs the system call `id` (little-endian u32 operand). Use [`ExecutionEngine::pop`] and
    /// [`ExecutionEngine::push`] for parameters and results; return [`VmError::Throw`] for a
    /// catchable exception, [`VmError::Fault`] for a fault.
    fn syscall(&mut self, engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError>;

    /// Runs CALLT `token`. The default faults, as the bare reference engine does.
    fn call_token(&mut self, engine: &mut ExecutionEngine, token: u16) -> Result<(), VmError> {
        let _ = engine;
        Err(fault(format!("Token not found: {token}")))
    }

    /// Called before every instruction (Neo charges gas here). Errors fault the engine.
    fn pre_execute(
        &mut self,
        engine: &ExecutionEngine,
        instruction: &Instruction<'_>,
    ) -> Result<(), VmError> {
        let _ = (engine, instruction);
        Ok(())
    }

    /// Called after CALL, CALL_L or CALLA pushed a new context (it is the current context).
    /// It must not load or unload contexts: the engine goes on with the script it was running.
    fn context_loaded(&mut self, engine: &mut ExecutionEngine) -> Result<(), VmError> {
        let _ = engine;
        Ok(())
    }

    /// Called after `context` left the invocation stack (RET, or unwinding by an exception) and
    /// its slots were released. `returned` is how many items a loaded script's RET moved to the
    /// caller (or the result stack); 0 for CALLed contexts and unwinding. It must not load or
    /// unload contexts: after a CALLed context's RET the engine goes on with the same script.
    fn context_unloaded(
        &mut self,
        engine: &mut ExecutionEngine,
        context: &ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        let _ = (engine, context, returned);
        Ok(())
    }
}

/// A host without system calls: every SYSCALL and CALLT faults.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoInterop;

impl Interop for NoInterop {
    fn syscall(&mut self, _engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!("Syscall not found: {id}")))
    }
}

/// State of a TRY block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryState {
    /// In the TRY body.
    Try,
    /// In the CATCH body.
    Catch,
    /// In the FINALLY body.
    Finally,
}

/// One entry of a context's TRY stack (`ExceptionHandlingContext`).
#[derive(Clone, Copy, Debug)]
pub struct TryFrame {
    /// Catch address, or -1.
    pub catch: i64,
    /// Finally address, or -1.
    pub finally: i64,
    /// Address to continue at after the finally block, or -1.
    pub end: i64,
    /// Current state.
    pub state: TryState,
}

/// One frame of the invocation stack.
#[derive(Debug)]
pub struct ExecutionContext {
    /// The script being run.
    pub script: Script,
    /// The instruction pointer.
    pub ip: usize,
    /// Number of return values expected (-1: any).
    pub rvcount: i32,
    instance: u64,
    shared: usize,
    locals: Option<Vec<StackItem>>,
    args: Option<Vec<StackItem>>,
    try_stack: Vec<TryFrame>,
}

impl ExecutionContext {
    /// The local variable slot, if initialised.
    pub fn locals(&self) -> Option<&[StackItem]> {
        self.locals.as_deref()
    }
    /// The argument slot, if initialised.
    pub fn arguments(&self) -> Option<&[StackItem]> {
        self.args.as_deref()
    }
    /// The TRY stack.
    pub fn try_stack(&self) -> &[TryFrame] {
        &self.try_stack
    }
    /// Identifies the loaded script this context runs: unique per `load_script`, shared by the
    /// contexts it CALLs (which also share its evaluation stack and static fields).
    pub fn instance_id(&self) -> u64 {
        self.instance
    }
    /// The opcode byte at the instruction pointer (RET past the end), without decoding.
    pub fn next_opcode(&self) -> OpCode {
        self.script
            .bytes()
            .get(self.ip)
            .map_or(OpCode::RET, |&b| OpCode(b))
    }

    /// A context running this one's script from `ip`, on its evaluation stack and static
    /// fields (same instance), with no slots and no TRY frames: what CALL and a clone push.
    #[inline(always)]
    fn called(&self, ip: usize) -> ExecutionContext {
        ExecutionContext {
            script: self.script.clone(),
            ip,
            rvcount: 0,
            instance: self.instance,
            shared: self.shared,
            locals: None,
            args: None,
            try_stack: Vec::new(),
        }
    }
}

/// State shared by a loaded script and the contexts it CALLs: evaluation stack and static fields.
#[derive(Debug, Default)]
struct Shared {
    eval: Vec<StackItem>,
    statics: Option<Vec<StackItem>>,
}

/// The NeoVM execution engine.
pub struct ExecutionEngine {
    state: VmState,
    limits: Limits,
    contexts: Vec<ExecutionContext>,
    /// The evaluation stack in use, kept here rather than in `shared` so that the run loop
    /// reaches it directly: the last `Shared`'s stack while a context is loaded (that entry's
    /// own `eval` is then empty), the result stack otherwise.
    eval: Vec<StackItem>,
    shared: Vec<Shared>,
    /// The result stack while a context is loaded (it is in `eval` otherwise).
    result_stack: Vec<StackItem>,
    refs: usize,
    uncaught: Option<StackItem>,
    fault_message: Option<String>,
    jumping: bool,
    next_instance: u64,
    breakpoints: Vec<(Script, usize)>,
    /// Emptied slot vectors of returned contexts, reused by INITSLOT (bounded, see
    /// [`ExecutionEngine::recycle_slot`]): a CALL of a function with locals or arguments then
    /// allocates nothing.
    slot_pool: Vec<Vec<StackItem>>,
    /// Values SETITEM counted into a map that lost its last stack reference on the way (see
    /// [`ExecutionEngine::unrooted`]). Each adds at least one reference for good, so there are at
    /// most MaxStackSize of them.
    unrooted: Vec<StackItem>,
}

impl Drop for ExecutionEngine {
    /// Lets go of every item, then frees the cycles that only the engine's garbage kept (see
    /// [`crate::cycles`]); items a caller still holds are kept.
    fn drop(&mut self) {
        drop(std::mem::take(&mut self.contexts));
        drop(std::mem::take(&mut self.eval));
        drop(std::mem::take(&mut self.shared));
        drop(std::mem::take(&mut self.result_stack));
        drop(self.uncaught.take());
        drop(std::mem::take(&mut self.unrooted));
        crate::cycles::collect_cycles();
    }
}

impl Default for ExecutionEngine {
    fn default() -> Self {
        ExecutionEngine::new(Limits::default())
    }
}

const UNHANDLED: &str = "An unhandled exception was thrown.";

fn overflow() -> VmError {
    fault("Integer overflow or invalid integer operation")
}

impl ExecutionEngine {
    /// A new engine in state BREAK with an empty invocation stack.
    pub fn new(limits: Limits) -> ExecutionEngine {
        ExecutionEngine {
            state: VmState::Break,
            limits,
            contexts: Vec::new(),
            eval: Vec::new(),
            shared: Vec::new(),
            result_stack: Vec::new(),
            refs: 0,
            uncaught: None,
            fault_message: None,
            jumping: false,
            next_instance: 0,
            breakpoints: Vec::new(),
            slot_pool: Vec::new(),
            unrooted: Vec::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> VmState {
        self.state
    }
    /// Sets the state.
    pub fn set_state(&mut self, s: VmState) {
        self.state = s;
    }
    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    /// The reference counter's count.
    pub fn reference_count(&self) -> usize {
        self.refs
    }
    /// Values the counter counts although no stack, slot or counted container holds them: each
    /// is one reference, plus its sub-items while it is a compound.
    ///
    /// neo-vm's SETITEM on a map decides once whether the map is stack-referenced, then uncounts
    /// the old value and counts the new one. When the old value is what held the map (the map
    /// contained itself, `m[k] = m`, and nothing else refers to it), uncounting it takes the map's
    /// last stack reference, and the new value is counted anyway, for good: the map is
    /// unreachable. The engine keeps such values here, as the reference's count still includes
    /// them, so that the count can be checked against what it counts (the fuzz target
    /// `neovm_refcount` does).
    pub fn unrooted(&self) -> &[StackItem] {
        &self.unrooted
    }
    /// The fault message, when the state is FAULT.
    pub fn fault_message(&self) -> Option<&str> {
        self.fault_message.as_deref()
    }
    /// The exception currently being propagated, if any.
    pub fn uncaught_exception(&self) -> Option<&StackItem> {
        self.uncaught.as_ref()
    }
    /// The invocation stack, bottom (entry) first.
    pub fn invocation_stack(&self) -> &[ExecutionContext] {
        &self.contexts
    }
    /// The current (top) context.
    pub fn current_context(&self) -> Option<&ExecutionContext> {
        self.contexts.last()
    }
    /// The result stack, bottom first.
    pub fn result_stack(&self) -> &[StackItem] {
        if self.shared.is_empty() {
            &self.eval
        } else {
            &self.result_stack
        }
    }
    /// Takes the result stack out (bottom first), leaving it empty and the reference count as
    /// it was: for hosts that keep results after the engine is gone.
    pub fn take_result_stack(&mut self) -> Vec<StackItem> {
        if self.shared.is_empty() {
            std::mem::take(&mut self.eval)
        } else {
            std::mem::take(&mut self.result_stack)
        }
    }
    /// The evaluation stack of `ctx`, bottom first.
    pub fn evaluation_stack(&self, ctx: &ExecutionContext) -> &[StackItem] {
        if ctx.shared + 1 == self.shared.len() {
            &self.eval
        } else {
            &self.shared[ctx.shared].eval
        }
    }
    /// The static fields of `ctx`, if initialised.
    pub fn static_fields(&self, ctx: &ExecutionContext) -> Option<&[StackItem]> {
        self.shared[ctx.shared].statics.as_deref()
    }

    /// Loads a script as a new context with its own evaluation stack (C# `LoadScript`).
    pub fn load_script(
        &mut self,
        script: Script,
        rvcount: i32,
        initial_position: usize,
    ) -> Result<(), VmError> {
        if initial_position > script.len() {
            return Err(fault(format!("Out of range: {initial_position}")));
        }
        self.check_invocation_depth()?;
        let outer = std::mem::take(&mut self.eval);
        match self.shared.last_mut() {
            Some(s) => s.eval = outer,
            None => self.result_stack = outer,
        }
        self.shared.push(Shared::default());
        self.next_instance += 1;
        self.contexts.push(ExecutionContext {
            script,
            ip: initial_position,
            rvcount,
            instance: self.next_instance,
            shared: self.shared.len() - 1,
            locals: None,
            args: None,
            try_stack: Vec::new(),
        });
        Ok(())
    }

    fn check_invocation_depth(&self) -> Result<(), VmError> {
        if self.contexts.len() >= self.limits.max_invocation_stack_size {
            return Err(fault(format!(
                "MaxInvocationStackSize exceed: {}",
                self.contexts.len()
            )));
        }
        Ok(())
    }

    // ---------------------------------------------------------------- evaluation stack

    #[inline(always)]
    fn eval(&mut self) -> &mut Vec<StackItem> {
        // The current context's stack; with no context loaded (a host calling in between
        // runs), the result stack.
        &mut self.eval
    }

    /// Pushes onto the current evaluation stack (the result stack when no context is loaded).
    #[inline(always)]
    pub fn push(&mut self, item: StackItem) {
        self.add_ref(&item);
        push_item(self.eval(), item);
    }

    /// Pops from the current evaluation stack (the result stack when no context is loaded).
    #[inline(always)]
    pub fn pop(&mut self) -> Result<StackItem, VmError> {
        let item = self
            .eval()
            .pop()
            .ok_or_else(|| fault("The evaluation stack is empty"))?;
        self.remove_ref(&item);
        Ok(item)
    }

    /// The item `n` places below the top of the current evaluation stack.
    pub fn peek(&mut self, n: usize) -> Result<&StackItem, VmError> {
        let eval = self.eval();
        let len = eval.len();
        if n >= len {
            return Err(fault(format!("Peek out of bounds: {n}/{len}")));
        }
        Ok(&eval[len - 1 - n])
    }

    #[inline(always)]
    fn pop_int(&mut self) -> Result<Int, VmError> {
        // Fast path: an Integer on top owns no heap data, so it is read and forgotten.
        let eval = self.eval();
        if let Some(StackItem::Integer(i)) = eval.last() {
            let i = *i;
            forget_top(eval);
            self.dec_refs();
            return Ok(i);
        }
        self.pop_int_slow()
    }

    #[inline(never)]
    fn pop_int_slow(&mut self) -> Result<Int, VmError> {
        self.pop()?.to_int()
    }

    fn pop_i32(&mut self) -> Result<i32, VmError> {
        let v = self.pop_int()?;
        v.to_i32()
            .ok_or_else(|| fault(format!("Value out of the range of Int32: {v}")))
    }

    fn pop_count(&mut self, what: OpCode) -> Result<usize, VmError> {
        let v = self.pop_i32()?;
        if v < 0 {
            return Err(fault(format!("The value {v} is out of range for {what}.")));
        }
        Ok(v as usize)
    }

    #[inline(always)]
    fn pop_bool(&mut self) -> Result<bool, VmError> {
        let eval = self.eval();
        let fast = match eval.last() {
            Some(StackItem::Boolean(b)) => *b,
            Some(StackItem::Integer(i)) => !i.is_zero(),
            _ => return self.pop_bool_slow(),
        };
        forget_top(eval);
        self.dec_refs();
        Ok(fast)
    }

    #[inline(never)]
    fn pop_bool_slow(&mut self) -> Result<bool, VmError> {
        self.pop()?.to_bool()
    }

    /// Removes the item `n` places below the top (EvaluationStack.Remove).
    fn remove_at(&mut self, n: usize) -> Result<StackItem, VmError> {
        let eval = self.eval();
        let len = eval.len();
        if n >= len {
            return Err(fault(format!("Remove out of bounds: {n}/{len}")));
        }
        let item = eval.remove(len - 1 - n);
        self.remove_ref(&item);
        Ok(item)
    }

    fn reverse_top(&mut self, n: usize) -> Result<(), VmError> {
        let eval = self.eval();
        let len = eval.len();
        if n > len {
            return Err(fault(format!("Reverse out of bounds: {n}/{len}")));
        }
        eval[len - n..].reverse();
        Ok(())
    }

    // ---------------------------------------------------------------- running

    /// Runs until HALT or FAULT (Debugger.Execute).
    // Never inlined: one call per run, and profiles (bench/neo/callgrind.sh) find it by name.
    #[inline(never)]
    pub fn execute<H: Interop + ?Sized>(&mut self, host: &mut H) -> VmState {
        if self.state == VmState::Break {
            self.state = VmState::None;
        }
        // The same as calling `execute_next` in a loop, with the step inlined so the hot loop
        // pays no call overhead per instruction.
        while self.state == VmState::None {
            if self.contexts.is_empty() {
                self.state = VmState::Halt;
                break;
            }
            if self.breakpoints.is_empty() {
                // The common case: no breakpoint to check after each instruction.
                self.run_fast(host);
                continue;
            }
            let r = self.step(host);
            self.jumping = false;
            if let Err(e) = r {
                self.on_fault(e);
            }
            self.check_breakpoint();
        }
        self.state
    }

    /// Adds a breakpoint: `execute`, `step_out` and `step_over` stop in state BREAK when the
    /// current context of `script` is about to run the instruction at `position`.
    pub fn add_breakpoint(&mut self, script: &Script, position: usize) {
        if !self.has_breakpoint(script, position) {
            self.breakpoints.push((script.clone(), position));
        }
    }

    /// Removes a breakpoint; returns whether it existed.
    pub fn remove_breakpoint(&mut self, script: &Script, position: usize) -> bool {
        let before = self.breakpoints.len();
        self.breakpoints
            .retain(|(s, p)| !(s.same(script) && *p == position));
        self.breakpoints.len() != before
    }

    fn has_breakpoint(&self, script: &Script, position: usize) -> bool {
        self.breakpoints
            .iter()
            .any(|(s, p)| s.same(script) && *p == position)
    }

    /// After an instruction: stop at a breakpoint (Debugger.ExecuteAndCheckBreakPoints).
    #[inline(always)]
    fn check_breakpoint(&mut self) {
        if !self.breakpoints.is_empty() {
            self.check_breakpoint_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn check_breakpoint_slow(&mut self) {
        if self.state != VmState::None {
            return;
        }
        if let Some(ctx) = self.contexts.last() {
            if self.has_breakpoint(&ctx.script, ctx.ip) {
                self.state = VmState::Break;
            }
        }
    }

    /// Executes one instruction (Debugger.StepInto).
    pub fn step_into<H: Interop + ?Sized>(&mut self, host: &mut H) -> VmState {
        if matches!(self.state, VmState::Halt | VmState::Fault) {
            return self.state;
        }
        self.execute_next(host);
        if self.state == VmState::None {
            self.state = VmState::Break;
        }
        self.state
    }

    /// Runs until the current context returns (Debugger.StepOut).
    pub fn step_out<H: Interop + ?Sized>(&mut self, host: &mut H) -> VmState {
        if self.state == VmState::Break {
            self.state = VmState::None;
        }
        let c = self.contexts.len();
        while self.state == VmState::None && self.contexts.len() >= c {
            self.execute_next(host);
            self.check_breakpoint();
        }
        if self.state == VmState::None {
            self.state = VmState::Break;
        }
        self.state
    }

    /// Executes one instruction, running any call it makes to completion (Debugger.StepOver).
    pub fn step_over<H: Interop + ?Sized>(&mut self, host: &mut H) -> VmState {
        if matches!(self.state, VmState::Halt | VmState::Fault) {
            return self.state;
        }
        self.state = VmState::None;
        let c = self.contexts.len();
        loop {
            self.execute_next(host);
            self.check_breakpoint();
            if !(self.state == VmState::None && self.contexts.len() > c) {
                break;
            }
        }
        if self.state == VmState::None {
            self.state = VmState::Break;
        }
        self.state
    }

    /// Executes the next instruction; with an empty invocation stack the engine HALTs.
    pub fn execute_next<H: Interop + ?Sized>(&mut self, host: &mut H) {
        if self.contexts.is_empty() {
            self.state = VmState::Halt;
            return;
        }
        let r = self.step(host);
        self.jumping = false;
        if let Err(e) = r {
            self.on_fault(e);
        }
    }

    fn on_fault(&mut self, e: VmError) {
        self.state = VmState::Fault;
        self.fault_message = Some(match e {
            VmError::Fault(m) => m,
            VmError::Throw(item) => unhandled_message(&item),
        });
    }

    /// One instruction through the general handlers (the debugger's stepping and the run
    /// loop with breakpoints set); out of line, so that it does not crowd the fast loop.
    #[inline(never)]
    fn step<H: Interop + ?Sized>(&mut self, host: &mut H) -> Result<(), VmError> {
        let ci = self.contexts.len() - 1;
        let ctx = &self.contexts[ci];
        let ip = ctx.ip;
        let ins = ctx.script.decoded(ip);
        if !ins.valid() {
            return Err(bad_instruction(&ctx.script, ip));
        }
        host.pre_execute(self, &ctx.script.view(ip, &ins))?;
        self.finish_step(host, ins, ip)
    }

    /// The rest of `step` once `pre_execute` accepted instruction `ins` at `ip` of the current
    /// context: run it, handle a VM exception, check MaxStackSize, move the pointer on.
    #[inline(always)]
    fn finish_step<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ins: Decoded,
        ip: usize,
    ) -> Result<(), VmError> {
        let ci = self.contexts.len() - 1;
        let r = self.dispatch(host, ins, ip);
        self.complete(host, r, ci, ins.size())
    }

    /// What follows an instruction of `size` bytes that context `ci` ran with result `r`:
    /// handle a VM exception, check MaxStackSize, move the pointer on unless it jumped.
    #[inline(always)]
    fn complete<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        r: Result<(), VmError>,
        ci: usize,
        size: u32,
    ) -> Result<(), VmError> {
        match r {
            Ok(()) => {}
            Err(VmError::Throw(ex)) => self.throw(host, *ex)?,
            Err(e) => return Err(e),
        }
        if self.refs > self.limits.max_stack_size {
            return Err(self.stack_size_exceeded());
        }
        if !self.jumping {
            if let Some(ctx) = self.contexts.get_mut(ci) {
                ctx.ip += size as usize;
            }
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn stack_size_exceeded(&self) -> VmError {
        fault(format!(
            "MaxStackSize exceed: {}/{}",
            self.refs, self.limits.max_stack_size
        ))
    }

    fn current(&mut self) -> &mut ExecutionContext {
        self.contexts.last_mut().expect("a context is loaded")
    }

    /// Jumps the current context to `target` (must be inside the script).
    fn jump(&mut self, target: i64) -> Result<(), VmError> {
        let ctx = self.current();
        if target < 0 || target as usize >= ctx.script.len() {
            return Err(fault(format!("Jump out of range for position: {target}")));
        }
        ctx.ip = target as usize;
        self.jumping = true;
        Ok(())
    }

    /// Sets the instruction pointer of context `ci` (accepts `0..=len`).
    fn set_ip(&mut self, ci: usize, target: i64) -> Result<(), VmError> {
        let ctx = &mut self.contexts[ci];
        if target < 0 || target as usize > ctx.script.len() {
            return Err(fault(format!("Instruction pointer out of range: {target}")));
        }
        ctx.ip = target as usize;
        Ok(())
    }

    /// Pushes a clone of the current context at `position` that shares its script, evaluation
    /// stack and static fields, as CALL does but without notifying the host (C#
    /// `context.Clone(position)` + `LoadContext`; hosts use it to run `_initialize` first).
    pub fn load_clone(&mut self, position: usize) -> Result<(), VmError> {
        let ctx = self
            .contexts
            .last()
            .ok_or_else(|| fault("no context to clone"))?;
        if position > ctx.script.len() {
            return Err(fault(format!("Out of range: {position}")));
        }
        self.check_invocation_depth()?;
        let new = ctx.called(position);
        self.contexts.push(new);
        Ok(())
    }

    fn call<H: Interop + ?Sized>(&mut self, host: &mut H, target: i64) -> Result<(), VmError> {
        let ctx = self.contexts.last().expect("a context is loaded");
        if target < 0 || target as usize > ctx.script.len() {
            return Err(fault(format!("Call target out of range: {target}")));
        }
        self.check_invocation_depth()?;
        let new = ctx.called(target as usize);
        self.contexts.push(new);
        host.context_loaded(self)
    }

    /// Throws `ex` as a VM exception (catchable by TRY), unwinding contexts as needed. Hosts
    /// inside a SYSCALL should rather return [`VmError::Throw`].
    pub fn throw<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ex: StackItem,
    ) -> Result<(), VmError> {
        self.uncaught = Some(ex);
        self.handle_exception(host)
    }

    fn handle_exception<H: Interop + ?Sized>(&mut self, host: &mut H) -> Result<(), VmError> {
        let mut pop = 0;
        for ci in (0..self.contexts.len()).rev() {
            while let Some(frame) = self.contexts[ci].try_stack.last().copied() {
                if frame.state == TryState::Finally
                    || (frame.state == TryState::Catch && frame.finally < 0)
                {
                    self.contexts[ci].try_stack.pop();
                    continue;
                }
                for _ in 0..pop {
                    let c = self.contexts.pop().expect("context to unwind");
                    self.context_unloaded(host, c, 0)?;
                }
                let f = self.contexts[ci].try_stack.last_mut().expect("frame");
                if frame.state == TryState::Try && frame.catch >= 0 {
                    f.state = TryState::Catch;
                    let ex = self.uncaught.take().unwrap_or_default();
                    self.push(ex);
                    self.set_ip(ci, frame.catch)?;
                } else {
                    f.state = TryState::Finally;
                    self.set_ip(ci, frame.finally)?;
                }
                self.jumping = true;
                return Ok(());
            }
            pop += 1;
        }
        let ex = self.uncaught.clone().unwrap_or_default();
        Err(fault(unhandled_message(&ex)))
    }

    fn context_unloaded<H: Interop + ?Sized>(
        &mut self,
        host: &mut H,
        ctx: ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        let still_shared = self.contexts.last().is_some_and(|c| c.shared == ctx.shared);
        if !still_shared {
            if let Some(sh) = self.shared.pop() {
                // The outer stack becomes the one in use; the unloaded script's goes.
                let outer = match self.shared.last_mut() {
                    Some(s) => std::mem::take(&mut s.eval),
                    None => std::mem::take(&mut self.result_stack),
                };
                drop(std::mem::replace(&mut self.eval, outer));
                if let Some(statics) = sh.statics {
                    for x in &statics {
                        self.remove_ref(x);
                    }
                }
            }
        }
        let plain_locals = ctx.locals.as_deref().map(|v| self.uncount_slot(v));
        let plain_args = ctx.args.as_deref().map(|v| self.uncount_slot(v));
        let r = host.context_unloaded(self, &ctx, returned);
        let ExecutionContext { locals, args, .. } = ctx;
        if let (Some(v), Some(plain)) = (locals, plain_locals) {
            self.recycle_slot(v, plain);
        }
        if let (Some(v), Some(plain)) = (args, plain_args) {
            self.recycle_slot(v, plain);
        }
        r
    }

    /// Removes the stack references of a released slot's items; returns whether they are all
    /// plain (own nothing, so the vector can be emptied without dropping them).
    #[inline(always)]
    fn uncount_slot(&mut self, items: &[StackItem]) -> bool {
        let mut plain = true;
        for x in items {
            if x.is_plain() {
                self.dec_refs();
            } else {
                plain = false;
                self.remove_ref(x);
            }
        }
        plain
    }

    /// An empty vector for a slot of `n` items, from the pool when it has one.
    #[inline]
    fn slot_vec(&mut self, n: usize) -> Vec<StackItem> {
        match self.slot_pool.pop() {
            Some(v) => v,
            None => Vec::with_capacity(n.max(4)),
        }
    }

    /// Keeps the vector of a released slot (its items are no longer counted) for reuse:
    /// at most 32 vectors of at most 64 items each, so the pool stays small. `plain`: every
    /// item is plain (see [`ExecutionEngine::uncount_slot`]), so none needs dropping.
    #[inline(always)]
    fn recycle_slot(&mut self, mut v: Vec<StackItem>, plain: bool) {
        if self.slot_pool.len() < 32 && v.capacity() <= 64 {
            if plain {
                debug_assert!(v.iter().all(StackItem::is_plain));
                // SAFETY: 0 <= len. Every item is plain (Null, Boolean, Integer): it owns no
                // heap data and its destructor does nothing, so forgetting the items instead
                // of dropping them leaks nothing. Tested by
                // `tests::reused_slot_vectors_start_fresh`, with plain and compound items.
                unsafe { v.set_len(0) };
            } else {
                v.clear();
            }
            self.slot_pool.push(v);
        }
    }

    fn ret<H: Interop + ?Sized>(&mut self, host: &mut H) -> Result<(), VmError> {
        let ctx = self.contexts.pop().expect("a context is loaded");
        let caller_shared = self.contexts.last().map(|c| c.shared);
        let mut returned = 0;
        if caller_shared != Some(ctx.shared) {
            // The returning context's shared state is the last one: its stack is `eval`.
            let items = std::mem::take(&mut self.eval);
            if ctx.rvcount >= 0 && items.len() != ctx.rvcount as usize {
                let (ctx_rv, n) = (ctx.rvcount, items.len());
                self.contexts.push(ctx);
                return Err(fault(format!(
                    "Return value count mismatch: expected {}, but got {} items on the evaluation stack",
                    ctx_rv, n
                )));
            }
            returned = items.len();
            match caller_shared {
                None => self.result_stack.extend(items),
                Some(s) => self.shared[s].eval.extend(items),
            }
        }
        if self.contexts.is_empty() {
            self.state = VmState::Halt;
        }
        self.jumping = true;
        self.context_unloaded(host, ctx, returned)
    }

    // ---------------------------------------------------------------- slots

    #[inline(always)]
    fn slot_load(&mut self, kind: SlotKind, index: usize) -> Result<(), VmError> {
        let item = match self.slot(kind) {
            Some(slot) => match slot.get(index) {
                Some(x) => x.clone_fast(),
                None => return Err(slot_index_error("loading from", index)),
            },
            None => return Err(slot_uninitialized()),
        };
        self.push(item);
        Ok(())
    }

    #[inline(always)]
    fn slot_store(&mut self, kind: SlotKind, index: usize) -> Result<(), VmError> {
        match self.slot(kind) {
            None => return Err(slot_uninitialized()),
            Some(slot) if index >= slot.len() => return Err(slot_index_error("storing to", index)),
            Some(_) => {}
        }
        let value = self.pop()?;
        let slot = self.slot_mut(kind).expect("checked above");
        let old = std::mem::replace(&mut slot[index], value);
        if old.is_plain() && !slot[index].is_compound() {
            // Plain items: the pop already uncounted the value; the store counts it and
            // uncounts the old item, which owns nothing: no change.
            std::mem::forget(old);
            return Ok(());
        }
        let value = slot[index].clone();
        self.remove_ref(&old);
        self.add_ref(&value);
        Ok(())
    }

    #[inline(always)]
    fn slot(&self, kind: SlotKind) -> Option<&Vec<StackItem>> {
        let ctx = self.contexts.last()?;
        match kind {
            SlotKind::Static => self.shared[ctx.shared].statics.as_ref(),
            SlotKind::Local => ctx.locals.as_ref(),
            SlotKind::Argument => ctx.args.as_ref(),
        }
    }

    #[inline(always)]
    fn slot_mut(&mut self, kind: SlotKind) -> Option<&mut Vec<StackItem>> {
        let ctx = self.contexts.last_mut()?;
        match kind {
            SlotKind::Static => self.shared[ctx.shared].statics.as_mut(),
            SlotKind::Local => ctx.locals.as_mut(),
            SlotKind::Argument => ctx.args.as_mut(),
        }
    }
}

#[derive(Clone, Copy)]
enum SlotKind {
    Static,
    Local,
    Argument,
}

#[cold]
#[inline(never)]
fn bad_instruction(script: &Script, ip: usize) -> VmError {
    match script.instruction(ip) {
        Err(e) => fault(e.0),
        Ok(_) => fault(format!("Bad script at {ip}: script too large")),
    }
}

#[cold]
#[inline(never)]
fn slot_uninitialized() -> VmError {
    fault("Slot has not been initialized.")
}

#[cold]
#[inline(never)]
fn slot_index_error(what: &str, index: usize) -> VmError {
    fault(format!("Index out of range when {what} slot: {index}"))
}

/// `stack.push(item)` with the capacity check inlined and the growth out of line (the
/// standard `push` is not always inlined into the run loop).
#[inline(always)]
fn push_item(stack: &mut Vec<StackItem>, item: StackItem) {
    if stack.len() == stack.capacity() {
        grow(stack);
    }
    let len = stack.len();
    // SAFETY: `len < capacity` (ensured just above), so slot `len` is allocated and
    // uninitialised; it is written once and then made part of the vector. Tested by
    // `tests::push_item_grows` and every test that pushes.
    unsafe {
        stack.as_mut_ptr().add(len).write(item);
        stack.set_len(len + 1);
    }
}

#[cold]
#[inline(never)]
fn grow(stack: &mut Vec<StackItem>) {
    stack.reserve(stack.capacity().max(16));
}

/// Removes the top item of `stack` without running its destructor. Only for plain items
/// (Null, Boolean, Integer), which own nothing.
#[inline(always)]
fn forget_top(stack: &mut Vec<StackItem>) {
    debug_assert!(matches!(
        stack.last(),
        Some(StackItem::Null | StackItem::Boolean(_) | StackItem::Integer(_))
    ));
    if let Some(x) = stack.pop() {
        std::mem::forget(x);
    }
}

/// `GetString()`: strict UTF-8 of a primitive or buffer.
fn item_string(item: &StackItem) -> Result<String, VmError> {
    let bytes = item.to_bytes()?;
    String::from_utf8(bytes).map_err(|_| fault("The message is not valid UTF-8"))
}

/// The reference's `ToString()` of a primitive key: `True`/`False`, the decimal integer, or the
/// quoted strict-UTF-8 text of a ByteString (`"Base64: ..."` when it is not UTF-8).
fn key_text(k: &MapKey) -> String {
    match k {
        MapKey::Boolean(true) => "True".into(),
        MapKey::Boolean(false) => "False".into(),
        MapKey::Integer(i) => i.to_string(),
        MapKey::ByteString(b) => match std::str::from_utf8(b) {
            Ok(s) => format!("\"{s}\""),
            Err(_) => format!("\"Base64: {}\"", base64(b)),
        },
    }
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The message of an unhandled VM exception (`VMUnhandledException`).
pub fn unhandled_message(ex: &StackItem) -> String {
    let text = match ex {
        StackItem::ByteString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        StackItem::Array(a) => match a.items().first() {
            Some(StackItem::ByteString(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        },
        _ => None,
    };
    match text {
        Some(t) => format!("{UNHANDLED} {t}"),
        None => UNHANDLED.to_string(),
    }
}

#[cfg(test)]
mod tests;
