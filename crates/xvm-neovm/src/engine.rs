//! The execution engine: contexts, stacks, slots, the reference counter, exception handling,
//! the instruction loop and the debugger's stepping actions.

use crate::error::{fault, throw_msg, VmError};
use crate::int::Int;
use crate::item::{ArrayItem, ItemType, MapItem, MapKey, Pointer, StackItem};
use crate::limits::Limits;
use crate::opcode::OpCode;
use crate::script::{Instruction, Script};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

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
    fn context_loaded(&mut self, engine: &mut ExecutionEngine) -> Result<(), VmError> {
        let _ = engine;
        Ok(())
    }

    /// Called after `context` left the invocation stack (RET, or unwinding by an exception) and
    /// its slots were released. `returned` is how many items a loaded script's RET moved to the
    /// caller (or the result stack); 0 for CALLed contexts and unwinding.
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
    shared: Vec<Shared>,
    result_stack: Vec<StackItem>,
    refs: usize,
    uncaught: Option<StackItem>,
    fault_message: Option<String>,
    jumping: bool,
    next_instance: u64,
    breakpoints: Vec<(Script, usize)>,
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
            shared: Vec::new(),
            result_stack: Vec::new(),
            refs: 0,
            uncaught: None,
            fault_message: None,
            jumping: false,
            next_instance: 0,
            breakpoints: Vec::new(),
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
        &self.result_stack
    }
    /// The evaluation stack of `ctx`, bottom first.
    pub fn evaluation_stack(&self, ctx: &ExecutionContext) -> &[StackItem] {
        &self.shared[ctx.shared].eval
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

    // ---------------------------------------------------------------- reference counter

    /// Adds one stack reference to `item` (light RC: a compound's sub-items are counted when it
    /// becomes stack-referenced).
    #[inline]
    fn add_ref(&mut self, item: &StackItem) {
        self.refs += 1;
        if item.is_compound() {
            self.add_ref_compound(item, 1);
        }
    }

    /// Decrements the count. An underflow would mean a bookkeeping bug: the crate's own tests
    /// treat it as one, release code saturates instead of panicking.
    #[inline(always)]
    fn dec_refs(&mut self) {
        #[cfg(test)]
        assert!(self.refs > 0, "reference count underflow");
        self.refs = self.refs.saturating_sub(1);
    }

    #[cold]
    fn add_ref_compound(&mut self, item: &StackItem, n: usize) {
        let mut work: Vec<StackItem> = Vec::new();
        let visit =
            |item: &StackItem, n: usize, refs: &mut usize, work: &mut Vec<StackItem>| match item {
                StackItem::Array(a) | StackItem::Struct(a) => {
                    let old = a.stack_refs.get();
                    a.stack_refs.set(old + n);
                    if old == 0 {
                        let items = a.items();
                        *refs += items.len();
                        work.extend(items.iter().filter(|i| i.is_compound()).cloned());
                    }
                }
                StackItem::Map(m) => {
                    let old = m.stack_refs.get();
                    m.stack_refs.set(old + n);
                    if old == 0 {
                        let e = m.entries();
                        *refs += 2 * e.len();
                        work.extend(e.values().filter(|i| i.is_compound()).cloned());
                    }
                }
                _ => {}
            };
        visit(item, n, &mut self.refs, &mut work);
        while let Some(x) = work.pop() {
            visit(&x, 1, &mut self.refs, &mut work);
        }
    }

    /// Removes one stack reference from `item`.
    #[inline]
    fn remove_ref(&mut self, item: &StackItem) {
        if item.is_compound() {
            self.remove_ref_compound(item);
        } else {
            self.dec_refs();
        }
    }

    #[cold]
    fn remove_ref_compound(&mut self, item: &StackItem) {
        let mut work = vec![item.clone()];
        while let Some(x) = work.pop() {
            match &x {
                StackItem::Array(a) | StackItem::Struct(a) => {
                    let old = a.stack_refs.get();
                    if old == 0 {
                        continue;
                    }
                    self.dec_refs();
                    a.stack_refs.set(old - 1);
                    if old == 1 {
                        for i in a.items().iter() {
                            if i.is_compound() {
                                work.push(i.clone());
                            } else {
                                self.dec_refs();
                            }
                        }
                    }
                }
                StackItem::Map(m) => {
                    let old = m.stack_refs.get();
                    if old == 0 {
                        continue;
                    }
                    self.dec_refs();
                    m.stack_refs.set(old - 1);
                    if old == 1 {
                        for v in m.entries().values() {
                            self.dec_refs(); // the key
                            if v.is_compound() {
                                work.push(v.clone());
                            } else {
                                self.dec_refs();
                            }
                        }
                    }
                }
                _ => self.dec_refs(),
            }
        }
    }

    fn array_push(&mut self, a: &Rc<ArrayItem>, item: StackItem) {
        if a.stack_refs.get() > 0 {
            self.add_ref(&item);
        }
        a.items_mut().push(item);
    }

    /// `Array[index] = item` as the reference orders it: the old child is uncounted while still
    /// in place, then the new one is stored and counted if the array is (still) referenced.
    /// With a cycle through the old child, the array may lose its last reference midway.
    fn array_set(&mut self, a: &Rc<ArrayItem>, index: usize, item: StackItem) {
        if a.stack_refs.get() > 0 {
            let old = a.items()[index].clone();
            self.remove_ref(&old);
        }
        let old = std::mem::replace(&mut a.items_mut()[index], item.clone());
        drop(old);
        if a.stack_refs.get() > 0 {
            self.add_ref(&item);
        }
    }

    fn array_remove(&mut self, a: &Rc<ArrayItem>, index: usize) -> StackItem {
        let old = a.items_mut().remove(index);
        if a.stack_refs.get() > 0 {
            self.remove_ref(&old);
        }
        old
    }

    /// `Map[key] = value` as the reference's SETITEM does it: when the map is stack-referenced,
    /// count the new key or uncount the old value (still in place), then count the new value
    /// (one check for the whole block); then store.
    fn map_set(&mut self, m: &Rc<MapItem>, key: MapKey, value: StackItem) {
        if m.stack_refs.get() > 0 {
            let old = m.entries().get(&key).cloned();
            match &old {
                Some(old) => self.remove_ref(old),
                None => self.refs += 1,
            }
            self.add_ref(&value);
        }
        m.entries_mut().insert(key, value);
    }

    fn map_remove(&mut self, m: &Rc<MapItem>, key: &MapKey) {
        let old = m.entries_mut().shift_remove(key);
        if let Some(old) = old {
            if m.stack_refs.get() > 0 {
                self.dec_refs();
                self.remove_ref(&old);
            }
        }
    }

    fn clear_items(&mut self, item: &StackItem) {
        match item {
            StackItem::Array(a) | StackItem::Struct(a) => {
                let old = std::mem::take(&mut *a.items_mut());
                if a.stack_refs.get() > 0 {
                    for x in &old {
                        self.remove_ref(x);
                    }
                }
            }
            StackItem::Map(m) => {
                let old = std::mem::take(&mut *m.entries_mut());
                if m.stack_refs.get() > 0 {
                    for x in old.values() {
                        self.dec_refs();
                        self.remove_ref(x);
                    }
                }
            }
            _ => {}
        }
    }

    /// `Struct.Clone(limits)`: breadth-first copy of nested structs, at most MaxStackSize - 1 items.
    fn clone_struct(&self, src: &Rc<ArrayItem>) -> Result<Rc<ArrayItem>, VmError> {
        let mut budget = self.limits.max_stack_size as i64 - 1;
        let result = ArrayItem::new(Vec::new());
        let mut queue = VecDeque::new();
        queue.push_back((result.clone(), src.clone()));
        while let Some((dst, from)) = queue.pop_front() {
            let items = from.items().clone();
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                budget -= 1;
                if budget < 0 {
                    return Err(fault("Beyond struct clone limits!"));
                }
                if let StackItem::Struct(sb) = &item {
                    let sa = ArrayItem::new(Vec::new());
                    out.push(StackItem::Struct(sa.clone()));
                    queue.push_back((sa, sb.clone()));
                } else {
                    out.push(item);
                }
            }
            *dst.items_mut() = out;
        }
        Ok(result)
    }

    fn clone_if_struct(&self, item: StackItem) -> Result<StackItem, VmError> {
        match &item {
            StackItem::Struct(s) => Ok(StackItem::Struct(self.clone_struct(s)?)),
            _ => Ok(item),
        }
    }

    // ---------------------------------------------------------------- evaluation stack

    #[inline]
    fn eval(&mut self) -> &mut Vec<StackItem> {
        // The current context's shared state is always the last one. With no context loaded
        // (a host calling in between runs), the result stack is the stack in use.
        match self.shared.last_mut() {
            Some(s) => &mut s.eval,
            None => &mut self.result_stack,
        }
    }

    /// Pushes onto the current evaluation stack (the result stack when no context is loaded).
    #[inline(always)]
    pub fn push(&mut self, item: StackItem) {
        self.add_ref(&item);
        self.eval().push(item);
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

    #[inline]
    fn pop_int(&mut self) -> Result<Int, VmError> {
        // Fast path: an Integer on top owns no heap data, so it is read and forgotten.
        let eval = self.eval();
        if let Some(StackItem::Integer(i)) = eval.last() {
            let i = *i;
            std::mem::forget(eval.pop());
            self.dec_refs();
            return Ok(i);
        }
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

    #[inline]
    fn pop_bool(&mut self) -> Result<bool, VmError> {
        let eval = self.eval();
        let fast = match eval.last() {
            Some(StackItem::Boolean(b)) => Some(*b),
            Some(StackItem::Integer(i)) => Some(!i.is_zero()),
            _ => None,
        };
        if let Some(b) = fast {
            std::mem::forget(eval.pop());
            self.dec_refs();
            return Ok(b);
        }
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
    pub fn execute(&mut self, host: &mut dyn Interop) -> VmState {
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
    pub fn step_into(&mut self, host: &mut dyn Interop) -> VmState {
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
    pub fn step_out(&mut self, host: &mut dyn Interop) -> VmState {
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
    pub fn step_over(&mut self, host: &mut dyn Interop) -> VmState {
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
    pub fn execute_next(&mut self, host: &mut dyn Interop) {
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

    #[inline(always)]
    fn step(&mut self, host: &mut dyn Interop) -> Result<(), VmError> {
        let ci = self.contexts.len() - 1;
        let script = self.contexts[ci].script.clone();
        let ip = self.contexts[ci].ip;
        let ins = if ip >= script.len() {
            Instruction::RET
        } else {
            script.instruction(ip).map_err(|e| fault(e.0))?
        };
        host.pre_execute(self, &ins)?;
        match self.dispatch(host, &ins, ip) {
            Ok(()) => {}
            Err(VmError::Throw(ex)) => self.throw(host, *ex)?,
            Err(e) => return Err(e),
        }
        if self.refs > self.limits.max_stack_size {
            return Err(fault(format!(
                "MaxStackSize exceed: {}/{}",
                self.refs, self.limits.max_stack_size
            )));
        }
        if !self.jumping {
            if let Some(ctx) = self.contexts.get_mut(ci) {
                ctx.ip += ins.size;
            }
        }
        Ok(())
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

    fn call(&mut self, host: &mut dyn Interop, target: i64) -> Result<(), VmError> {
        let ctx = self.contexts.last().expect("a context is loaded");
        if target < 0 || target as usize > ctx.script.len() {
            return Err(fault(format!("Call target out of range: {target}")));
        }
        self.check_invocation_depth()?;
        let new = ExecutionContext {
            script: ctx.script.clone(),
            ip: target as usize,
            rvcount: 0,
            instance: ctx.instance,
            shared: ctx.shared,
            locals: None,
            args: None,
            try_stack: Vec::new(),
        };
        self.contexts.push(new);
        host.context_loaded(self)
    }

    /// Throws `ex` as a VM exception (catchable by TRY), unwinding contexts as needed. Hosts
    /// inside a SYSCALL should rather return [`VmError::Throw`].
    pub fn throw(&mut self, host: &mut dyn Interop, ex: StackItem) -> Result<(), VmError> {
        self.uncaught = Some(ex);
        self.handle_exception(host)
    }

    fn handle_exception(&mut self, host: &mut dyn Interop) -> Result<(), VmError> {
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

    fn context_unloaded(
        &mut self,
        host: &mut dyn Interop,
        ctx: ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        let still_shared = self.contexts.last().is_some_and(|c| c.shared == ctx.shared);
        if !still_shared {
            if let Some(sh) = self.shared.pop() {
                if let Some(statics) = sh.statics {
                    for x in &statics {
                        self.remove_ref(x);
                    }
                }
            }
        }
        if let Some(locals) = &ctx.locals {
            for x in locals {
                self.remove_ref(x);
            }
        }
        if let Some(args) = &ctx.args {
            for x in args {
                self.remove_ref(x);
            }
        }
        host.context_unloaded(self, &ctx, returned)
    }

    fn ret(&mut self, host: &mut dyn Interop) -> Result<(), VmError> {
        let ctx = self.contexts.pop().expect("a context is loaded");
        let caller_shared = self.contexts.last().map(|c| c.shared);
        let mut returned = 0;
        if caller_shared != Some(ctx.shared) {
            let items = std::mem::take(&mut self.shared[ctx.shared].eval);
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

    fn slot_load(&mut self, kind: SlotKind, index: usize) -> Result<(), VmError> {
        let item = {
            let slot = self
                .slot(kind)
                .ok_or_else(|| fault("Slot has not been initialized."))?;
            slot.get(index).map(StackItem::clone_fast).ok_or_else(|| {
                fault(format!(
                    "Index out of range when loading from slot: {index}"
                ))
            })?
        };
        self.push(item);
        Ok(())
    }

    fn slot_store(&mut self, kind: SlotKind, index: usize) -> Result<(), VmError> {
        {
            let slot = self
                .slot(kind)
                .ok_or_else(|| fault("Slot has not been initialized."))?;
            if index >= slot.len() {
                return Err(fault(format!(
                    "Index out of range when storing to slot: {index}"
                )));
            }
        }
        let value = self.pop()?;
        let slot = self.slot_mut(kind).expect("checked above");
        let old = std::mem::replace(&mut slot[index], value.clone());
        self.remove_ref(&old);
        self.add_ref(&value);
        Ok(())
    }

    fn slot(&self, kind: SlotKind) -> Option<&Vec<StackItem>> {
        let ctx = self.contexts.last()?;
        match kind {
            SlotKind::Static => self.shared[ctx.shared].statics.as_ref(),
            SlotKind::Local => ctx.locals.as_ref(),
            SlotKind::Argument => ctx.args.as_ref(),
        }
    }

    fn slot_mut(&mut self, kind: SlotKind) -> Option<&mut Vec<StackItem>> {
        let ctx = self.contexts.last_mut()?;
        match kind {
            SlotKind::Static => self.shared[ctx.shared].statics.as_mut(),
            SlotKind::Local => ctx.locals.as_mut(),
            SlotKind::Argument => ctx.args.as_mut(),
        }
    }

    // ---------------------------------------------------------------- dispatch

    #[inline(always)]
    fn dispatch(
        &mut self,
        host: &mut dyn Interop,
        ins: &Instruction<'_>,
        ip: usize,
    ) -> Result<(), VmError> {
        use OpCode as O;
        let op = ins.opcode;
        let ipi = ip as i64;
        match op {
            // ------------------------------------------------------------ constants
            O::PUSHINT8
            | O::PUSHINT16
            | O::PUSHINT32
            | O::PUSHINT64
            | O::PUSHINT128
            | O::PUSHINT256 => {
                let v = Int::from_le_bytes(ins.operand).ok_or_else(overflow)?;
                self.push(StackItem::Integer(v));
            }
            O::PUSHT => self.push(StackItem::Boolean(true)),
            O::PUSHF => self.push(StackItem::Boolean(false)),
            O::PUSHA => {
                let pos = ipi + ins.i32() as i64;
                let script = self.current().script.clone();
                if pos < 0 || pos as usize > script.len() {
                    return Err(fault(format!("Bad pointer address: {pos}")));
                }
                self.push(StackItem::Pointer(Pointer {
                    script,
                    position: pos as usize,
                }));
            }
            O::PUSHNULL => self.push(StackItem::Null),
            O::PUSHDATA1 | O::PUSHDATA2 | O::PUSHDATA4 => {
                self.assert_item_size(ins.operand.len())?;
                self.push(StackItem::bytes(ins.operand));
            }
            O::PUSHM1 => self.push(StackItem::Integer(Int::MINUS_ONE)),
            O::PUSH0
            | O::PUSH1
            | O::PUSH2
            | O::PUSH3
            | O::PUSH4
            | O::PUSH5
            | O::PUSH6
            | O::PUSH7
            | O::PUSH8
            | O::PUSH9
            | O::PUSH10
            | O::PUSH11
            | O::PUSH12
            | O::PUSH13
            | O::PUSH14
            | O::PUSH15
            | O::PUSH16 => {
                self.push(StackItem::Integer(Int::from((op.0 - O::PUSH0.0) as i64)));
            }

            // ------------------------------------------------------------ flow control
            O::NOP => {}
            O::JMP => self.jump(ipi + ins.i8() as i64)?,
            O::JMP_L => self.jump(ipi + ins.i32() as i64)?,
            O::JMPIF | O::JMPIF_L | O::JMPIFNOT | O::JMPIFNOT_L => {
                let off = if op == O::JMPIF || op == O::JMPIFNOT {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let want = op == O::JMPIF || op == O::JMPIF_L;
                if self.pop_bool()? == want {
                    self.jump(ipi + off)?;
                }
            }
            O::JMPEQ
            | O::JMPEQ_L
            | O::JMPNE
            | O::JMPNE_L
            | O::JMPGT
            | O::JMPGT_L
            | O::JMPGE
            | O::JMPGE_L
            | O::JMPLT
            | O::JMPLT_L
            | O::JMPLE
            | O::JMPLE_L => {
                let short = (op.0 - O::JMPEQ.0) % 2 == 0;
                let off = if short {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let cond = match op {
                    O::JMPEQ | O::JMPEQ_L => x1 == x2,
                    O::JMPNE | O::JMPNE_L => x1 != x2,
                    O::JMPGT | O::JMPGT_L => x1 > x2,
                    O::JMPGE | O::JMPGE_L => x1 >= x2,
                    O::JMPLT | O::JMPLT_L => x1 < x2,
                    _ => x1 <= x2,
                };
                if cond {
                    self.jump(ipi + off)?;
                }
            }
            O::CALL => self.call(host, ipi + ins.i8() as i64)?,
            O::CALL_L => self.call(host, ipi + ins.i32() as i64)?,
            O::CALLA => {
                let item = self.pop()?;
                let StackItem::Pointer(p) = item else {
                    return Err(fault(format!(
                        "CALLA expects a Pointer, found {}",
                        item.item_type().name()
                    )));
                };
                if !p.script.same(&self.current().script) {
                    return Err(fault("Pointers can't be shared between scripts"));
                }
                self.call(host, p.position as i64)?;
            }
            O::CALLT => host.call_token(self, ins.u16())?,
            O::ABORT => return Err(fault("ABORT is executed.")),
            O::ASSERT => {
                if !self.pop_bool()? {
                    return Err(fault("ASSERT is executed with false result."));
                }
            }
            O::THROW => {
                let ex = self.pop()?;
                return Err(VmError::Throw(Box::new(ex)));
            }
            O::TRY | O::TRY_L => {
                let (c, f) = if op == O::TRY {
                    (ins.i8() as i64, ins.operand[1] as i8 as i64)
                } else {
                    (ins.i32() as i64, ins.i32_1() as i64)
                };
                let max = self.limits.max_try_nesting_depth;
                if c == 0 && f == 0 {
                    return Err(fault(format!(
                        "catchOffset and finallyOffset can't be 0 in a TRY block at {ip}"
                    )));
                }
                let ctx = self.current();
                if ctx.try_stack.len() >= max {
                    return Err(fault("MaxTryNestingDepth exceed."));
                }
                ctx.try_stack.push(TryFrame {
                    catch: if c == 0 { -1 } else { ipi + c },
                    finally: if f == 0 { -1 } else { ipi + f },
                    end: -1,
                    state: TryState::Try,
                });
            }
            O::ENDTRY | O::ENDTRY_L => {
                let off = if op == O::ENDTRY {
                    ins.i8() as i64
                } else {
                    ins.i32() as i64
                };
                let ci = self.contexts.len() - 1;
                let frame = self.contexts[ci]
                    .try_stack
                    .last_mut()
                    .ok_or_else(|| fault("The corresponding TRY block cannot be found."))?;
                if frame.state == TryState::Finally {
                    return Err(fault(
                        "The opcode ENDTRY can't be executed in a FINALLY block.",
                    ));
                }
                let end = ipi + off;
                if frame.finally >= 0 {
                    frame.state = TryState::Finally;
                    frame.end = end;
                    let fin = frame.finally;
                    self.set_ip(ci, fin)?;
                } else {
                    self.contexts[ci].try_stack.pop();
                    self.set_ip(ci, end)?;
                }
                self.jumping = true;
            }
            O::ENDFINALLY => {
                let ci = self.contexts.len() - 1;
                let frame = self.contexts[ci]
                    .try_stack
                    .pop()
                    .ok_or_else(|| fault("The corresponding TRY block cannot be found."))?;
                if self.uncaught.is_none() {
                    self.set_ip(ci, frame.end)?;
                } else {
                    self.handle_exception(host)?;
                }
                self.jumping = true;
            }
            O::RET => self.ret(host)?,
            O::SYSCALL => host.syscall(self, ins.u32())?,

            // ------------------------------------------------------------ stack
            O::DEPTH => {
                let n = self.eval().len();
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::DROP => {
                self.pop()?;
            }
            O::NIP => {
                self.remove_at(1)?;
            }
            O::XDROP => {
                let n = self.pop_count(op)?;
                self.remove_at(n)?;
            }
            O::CLEAR => {
                let items = std::mem::take(self.eval());
                for x in &items {
                    self.remove_ref(x);
                }
            }
            O::DUP => {
                let x = self.peek(0)?.clone_fast();
                self.push(x);
            }
            O::OVER => {
                let x = self.peek(1)?.clone_fast();
                self.push(x);
            }
            O::PICK => {
                let n = self.pop_count(op)?;
                let x = self.peek(n)?.clone_fast();
                self.push(x);
            }
            O::TUCK => {
                let x = self.peek(0)?.clone_fast();
                let eval = self.eval();
                let len = eval.len();
                if len < 2 {
                    return Err(fault("TUCK needs two items"));
                }
                eval.insert(len - 2, x.clone());
                self.add_ref(&x);
            }
            O::SWAP => {
                let eval = self.eval();
                let len = eval.len();
                if len < 2 {
                    return Err(fault("SWAP needs two items"));
                }
                eval.swap(len - 1, len - 2);
            }
            O::ROT => {
                let eval = self.eval();
                let len = eval.len();
                if len < 3 {
                    return Err(fault("ROT needs three items"));
                }
                let x = eval.remove(len - 3);
                eval.push(x);
            }
            O::ROLL => {
                let n = self.pop_count(op)?;
                let eval = self.eval();
                let len = eval.len();
                if n >= len {
                    return Err(fault(format!("ROLL out of bounds: {n}/{len}")));
                }
                if n != 0 {
                    let x = eval.remove(len - 1 - n);
                    eval.push(x);
                }
            }
            O::REVERSE3 => self.reverse_top(3)?,
            O::REVERSE4 => self.reverse_top(4)?,
            O::REVERSEN => {
                let n = self.pop_count(op)?;
                self.reverse_top(n)?;
            }

            // ------------------------------------------------------------ slots
            O::INITSSLOT => {
                let ci = self.contexts.len() - 1;
                let sh = self.contexts[ci].shared;
                if self.shared[sh].statics.is_some() {
                    return Err(fault("INITSSLOT cannot be executed twice."));
                }
                let n = ins.u8() as usize;
                if n == 0 {
                    return Err(fault("The operand 0 is invalid for OpCode.INITSSLOT."));
                }
                self.shared[sh].statics = Some(vec![StackItem::Null; n]);
                self.refs += n;
            }
            O::INITSLOT => {
                let ctx = self.current();
                if ctx.locals.is_some() || ctx.args.is_some() {
                    return Err(fault("INITSLOT cannot be executed twice."));
                }
                let (nl, na) = (ins.u8() as usize, ins.u8_1() as usize);
                if nl == 0 && na == 0 {
                    return Err(fault("The operand 0 is invalid for OpCode.INITSLOT."));
                }
                if nl > 0 {
                    self.current().locals = Some(vec![StackItem::Null; nl]);
                    self.refs += nl;
                }
                if na > 0 {
                    let mut args = Vec::with_capacity(na);
                    for _ in 0..na {
                        args.push(self.pop()?);
                    }
                    for a in &args {
                        self.add_ref(a);
                    }
                    self.current().args = Some(args);
                }
            }
            O::LDSFLD0
            | O::LDSFLD1
            | O::LDSFLD2
            | O::LDSFLD3
            | O::LDSFLD4
            | O::LDSFLD5
            | O::LDSFLD6
            | O::LDSFLD
            | O::STSFLD0
            | O::STSFLD1
            | O::STSFLD2
            | O::STSFLD3
            | O::STSFLD4
            | O::STSFLD5
            | O::STSFLD6
            | O::STSFLD
            | O::LDLOC0
            | O::LDLOC1
            | O::LDLOC2
            | O::LDLOC3
            | O::LDLOC4
            | O::LDLOC5
            | O::LDLOC6
            | O::LDLOC
            | O::STLOC0
            | O::STLOC1
            | O::STLOC2
            | O::STLOC3
            | O::STLOC4
            | O::STLOC5
            | O::STLOC6
            | O::STLOC
            | O::LDARG0
            | O::LDARG1
            | O::LDARG2
            | O::LDARG3
            | O::LDARG4
            | O::LDARG5
            | O::LDARG6
            | O::LDARG
            | O::STARG0
            | O::STARG1
            | O::STARG2
            | O::STARG3
            | O::STARG4
            | O::STARG5
            | O::STARG6
            | O::STARG => {
                let rel = op.0 - O::LDSFLD0.0;
                let group = rel / 8;
                let idx = rel % 8;
                let index = if idx == 7 {
                    ins.u8() as usize
                } else {
                    idx as usize
                };
                let kind = match group / 2 {
                    0 => SlotKind::Static,
                    1 => SlotKind::Local,
                    _ => SlotKind::Argument,
                };
                if group % 2 == 0 {
                    self.slot_load(kind, index)?;
                } else {
                    self.slot_store(kind, index)?;
                }
            }

            // ------------------------------------------------------------ splice
            O::NEWBUFFER => {
                let n = self.pop_i32()?;
                if n < 0 {
                    return Err(fault(format!("MaxItemSize exceed: {n}")));
                }
                self.assert_item_size(n as usize)?;
                self.push(StackItem::buffer(vec![0; n as usize]));
            }
            O::MEMCPY => {
                let count = self.pop_count(op)?;
                let si = self.pop_count(op)?;
                let src = self.pop()?;
                let di = self.pop_count(op)?;
                let dst = self.pop()?;
                let src_bytes = src.with_bytes(|s| {
                    if si + count > s.len() {
                        Err(fault(format!(
                            "The source index {si} + count {count} is out of range"
                        )))
                    } else {
                        Ok(s[si..si + count].to_vec())
                    }
                })??;
                let StackItem::Buffer(d) = dst else {
                    return Err(fault(format!(
                        "MEMCPY needs a Buffer, found {}",
                        dst.item_type().name()
                    )));
                };
                let mut d = d.borrow_mut();
                if di + count > d.len() {
                    return Err(fault(format!(
                        "The destination index {di} + count {count} is out of range"
                    )));
                }
                d[di..di + count].copy_from_slice(&src_bytes);
            }
            O::CAT => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                let mut out = x1.to_bytes()?;
                x2.with_bytes(|b| out.extend_from_slice(b))?;
                self.assert_item_size(out.len())?;
                self.push(StackItem::buffer(out));
            }
            O::SUBSTR => {
                let count = self.pop_count(op)?;
                let index = self.pop_count(op)?;
                let x = self.pop()?;
                let out = x.with_bytes(|b| {
                    if index + count > b.len() {
                        Err(fault(format!(
                            "SUBSTR index {index} + count {count} out of range {}",
                            b.len()
                        )))
                    } else {
                        Ok(b[index..index + count].to_vec())
                    }
                })??;
                self.push(StackItem::buffer(out));
            }
            O::LEFT | O::RIGHT => {
                let count = self.pop_count(op)?;
                let x = self.pop()?;
                let out = x.with_bytes(|b| {
                    if count > b.len() {
                        Err(fault(format!(
                            "{op} count {count} out of range {}",
                            b.len()
                        )))
                    } else if op == O::LEFT {
                        Ok(b[..count].to_vec())
                    } else {
                        Ok(b[b.len() - count..].to_vec())
                    }
                })??;
                self.push(StackItem::buffer(out));
            }

            // ------------------------------------------------------------ bitwise logic
            O::INVERT => {
                let x = self.pop_int()?;
                self.push(StackItem::Integer(x.bit_not()));
            }
            O::AND | O::OR | O::XOR => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let r = match op {
                    O::AND => x1.and(x2),
                    O::OR => x1.or(x2),
                    _ => x1.xor(x2),
                };
                self.push(StackItem::Integer(r));
            }
            O::EQUAL | O::NOTEQUAL => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                let eq = x1.equals(&x2, &self.limits)?;
                self.push(StackItem::Boolean(eq == (op == O::EQUAL)));
            }

            // ------------------------------------------------------------ arithmetic
            O::SIGN => {
                let x = self.pop_int()?;
                self.push(StackItem::Integer(Int::from(x.signum() as i64)));
            }
            O::ABS | O::NEGATE | O::INC | O::DEC => {
                let x = self.pop_int()?;
                let r = match op {
                    O::ABS => x.checked_abs(),
                    O::NEGATE => x.checked_neg(),
                    O::INC => x.checked_add(Int::ONE),
                    _ => x.checked_sub(Int::ONE),
                };
                self.push(StackItem::Integer(r.ok_or_else(overflow)?));
            }
            O::ADD | O::SUB | O::MUL | O::DIV | O::MOD | O::MIN | O::MAX => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                let r = match op {
                    O::ADD => x1.checked_add(x2),
                    O::SUB => x1.checked_sub(x2),
                    O::MUL => x1.checked_mul(x2),
                    O::DIV => {
                        if x2.is_zero() {
                            return Err(fault("Attempted to divide by zero."));
                        }
                        x1.checked_div(x2)
                    }
                    O::MOD => {
                        if x2.is_zero() {
                            return Err(fault("Attempted to divide by zero."));
                        }
                        x1.checked_rem(x2)
                    }
                    O::MIN => Some(x1.min(x2)),
                    _ => Some(x1.max(x2)),
                };
                self.push(StackItem::Integer(r.ok_or_else(overflow)?));
            }
            O::POW => {
                let e = self.pop_i32()?;
                self.assert_shift(e)?;
                let v = self.pop_int()?;
                self.push(StackItem::Integer(
                    v.checked_pow(e as u32).ok_or_else(overflow)?,
                ));
            }
            O::SQRT => {
                let v = self.pop_int()?;
                self.push(StackItem::Integer(
                    v.sqrt().ok_or_else(|| fault("value can not be negative"))?,
                ));
            }
            O::MODMUL => {
                let m = self.pop_int()?;
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                self.push(StackItem::Integer(
                    x1.mod_mul(x2, m)
                        .ok_or_else(|| fault("Attempted to divide by zero."))?,
                ));
            }
            O::MODPOW => {
                let m = self.pop_int()?;
                let e = self.pop_int()?;
                let v = self.pop_int()?;
                let r = if e == Int::MINUS_ONE {
                    v.mod_inverse(m)
                } else {
                    v.mod_pow(e, m)
                };
                self.push(StackItem::Integer(
                    r.ok_or_else(|| fault("Invalid MODPOW operands"))?,
                ));
            }
            O::SHL | O::SHR => {
                let shift = self.pop_i32()?;
                self.assert_shift(shift)?;
                let x = self.pop_int()?;
                let r = if op == O::SHL {
                    x.checked_shl(shift as u32).ok_or_else(overflow)?
                } else {
                    x.arith_shr(shift as u32)
                };
                self.push(StackItem::Integer(r));
            }
            O::NOT => {
                let x = self.pop_bool()?;
                self.push(StackItem::Boolean(!x));
            }
            O::BOOLAND | O::BOOLOR => {
                let x2 = self.pop_bool()?;
                let x1 = self.pop_bool()?;
                self.push(StackItem::Boolean(if op == O::BOOLAND {
                    x1 && x2
                } else {
                    x1 || x2
                }));
            }
            O::NZ => {
                let x = self.pop_int()?;
                self.push(StackItem::Boolean(!x.is_zero()));
            }
            O::NUMEQUAL | O::NUMNOTEQUAL => {
                let x2 = self.pop_int()?;
                let x1 = self.pop_int()?;
                self.push(StackItem::Boolean((x1 == x2) == (op == O::NUMEQUAL)));
            }
            O::LT | O::LE | O::GT | O::GE => {
                let x2 = self.pop()?;
                let x1 = self.pop()?;
                let r = if x1.is_null() || x2.is_null() {
                    false
                } else {
                    let (a, b) = (x1.to_int()?, x2.to_int()?);
                    match op {
                        O::LT => a < b,
                        O::LE => a <= b,
                        O::GT => a > b,
                        _ => a >= b,
                    }
                };
                self.push(StackItem::Boolean(r));
            }
            O::WITHIN => {
                let b = self.pop_int()?;
                let a = self.pop_int()?;
                let x = self.pop_int()?;
                self.push(StackItem::Boolean(a <= x && x < b));
            }

            // ------------------------------------------------------------ compound types
            O::PACKMAP => {
                let size = self.pop_i32()?;
                let count = self.eval().len();
                if size < 0 || size as i64 * 2 > count as i64 {
                    return Err(fault(format!(
                        "The map size is out of valid range, 2*{size}/[0, {count}]."
                    )));
                }
                let map = MapItem::new();
                for _ in 0..size {
                    let key = self.pop()?.to_map_key()?;
                    let value = self.pop()?;
                    self.map_set(&map, key, value);
                }
                self.push(StackItem::Map(map));
            }
            O::PACK | O::PACKSTRUCT => {
                let size = self.pop_i32()?;
                let count = self.eval().len();
                if size < 0 || size as usize > count {
                    let what = if op == O::PACK { "array" } else { "struct" };
                    return Err(fault(format!(
                        "The {what} size is out of valid range, {size}/[0, {count}]."
                    )));
                }
                let mut items = Vec::with_capacity(size as usize);
                for _ in 0..size {
                    items.push(self.pop()?);
                }
                self.push(if op == O::PACK {
                    StackItem::array(items)
                } else {
                    StackItem::new_struct(items)
                });
            }
            O::UNPACK => {
                let x = self.pop()?;
                let n = match &x {
                    StackItem::Map(m) => {
                        let entries: Vec<(MapKey, StackItem)> = m
                            .entries()
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        for (k, v) in entries.into_iter().rev() {
                            self.push(v);
                            self.push(k.to_item());
                        }
                        m.len()
                    }
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let items = a.items().clone();
                        for v in items.into_iter().rev() {
                            self.push(v);
                        }
                        a.len()
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for UNPACK: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::NEWARRAY0 => self.push(StackItem::array(Vec::new())),
            O::NEWSTRUCT0 => self.push(StackItem::new_struct(Vec::new())),
            O::NEWARRAY | O::NEWSTRUCT | O::NEWARRAY_T => {
                let n = self.pop_i32()?;
                if n < 0 || n as usize > self.limits.max_stack_size {
                    let what = if op == O::NEWSTRUCT {
                        "struct"
                    } else {
                        "array"
                    };
                    return Err(fault(format!(
                        "The {what} size is out of valid range, {n}/[0, {}].",
                        self.limits.max_stack_size
                    )));
                }
                let fill = if op == O::NEWARRAY_T {
                    match ItemType::from_byte(ins.u8()) {
                        None => {
                            return Err(fault(format!("Invalid type for NEWARRAY_T: {}", ins.u8())))
                        }
                        Some(ItemType::Boolean) => StackItem::Boolean(false),
                        Some(ItemType::Integer) => StackItem::Integer(Int::ZERO),
                        Some(ItemType::ByteString) => StackItem::bytes(&[]),
                        Some(_) => StackItem::Null,
                    }
                } else {
                    StackItem::Null
                };
                let items = vec![fill; n as usize];
                self.push(if op == O::NEWSTRUCT {
                    StackItem::new_struct(items)
                } else {
                    StackItem::array(items)
                });
            }
            O::NEWMAP => self.push(StackItem::Map(MapItem::new())),
            O::SIZE => {
                let x = self.pop()?;
                let n = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.len(),
                    StackItem::Map(m) => m.len(),
                    StackItem::Buffer(b) => b.borrow().len(),
                    StackItem::Boolean(_) => 1,
                    StackItem::Integer(i) => i.byte_len(),
                    StackItem::ByteString(b) => b.len(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for SIZE: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Integer(Int::from(n as i64)));
            }
            O::HASKEY => {
                let key = self.pop()?;
                let pk = key.to_primitive_key()?;
                let x = self.pop()?;
                let r = match &x {
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        m.entries().contains_key(&k)
                    }
                    StackItem::Array(_)
                    | StackItem::Struct(_)
                    | StackItem::Buffer(_)
                    | StackItem::ByteString(_) => {
                        let _ = pk;
                        let index = key.to_int()?;
                        if index.is_negative()
                            || index >= Int::from(self.limits.max_item_size as i64)
                        {
                            return Err(fault(format!(
                                "The index {index} is invalid for OpCode HASKEY."
                            )));
                        }
                        let len = match &x {
                            StackItem::Array(a) | StackItem::Struct(a) => a.len(),
                            StackItem::Buffer(b) => b.borrow().len(),
                            StackItem::ByteString(b) => b.len(),
                            _ => 0,
                        };
                        index < Int::from(len as i64)
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for HASKEY: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(StackItem::Boolean(r));
            }
            O::KEYS => {
                let x = self.pop()?;
                let StackItem::Map(m) = &x else {
                    return Err(fault(format!(
                        "Invalid type for KEYS: {}",
                        x.item_type().name()
                    )));
                };
                let keys: Vec<StackItem> = m.entries().keys().map(MapKey::to_item).collect();
                self.push(StackItem::array(keys));
            }
            O::VALUES => {
                let x = self.pop()?;
                let values: Vec<StackItem> = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.items().clone(),
                    StackItem::Map(m) => m.entries().values().cloned().collect(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for VALUES: {}",
                            other.item_type().name()
                        )))
                    }
                };
                let mut out = Vec::with_capacity(values.len());
                for v in values {
                    out.push(self.clone_if_struct(v)?);
                }
                self.push(StackItem::array(out));
            }
            O::PICKITEM => {
                let key = self.pop()?;
                let pk = key.to_primitive_key()?;
                let x = self.pop()?;
                let item = match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        match index.to_i64().filter(|&i| i >= 0 && (i as usize) < len) {
                            Some(i) => a.items()[i as usize].clone(),
                            None => {
                                return Err(throw_msg(format!(
                                    "The index of VMArray is out of range, {index}/[0, {len})."
                                )))
                            }
                        }
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        let v = m.entries().get(&k).cloned();
                        match v {
                            Some(v) => v,
                            None => {
                                return Err(throw_msg(format!(
                                    "Key {} not found in Map.",
                                    key_text(&pk)
                                )))
                            }
                        }
                    }
                    StackItem::Boolean(_)
                    | StackItem::Integer(_)
                    | StackItem::ByteString(_)
                    | StackItem::Buffer(_) => {
                        let index = key.to_int()?;
                        let (byte, len) = x.with_bytes(|b| {
                            let byte = index
                                .to_i64()
                                .filter(|&i| i >= 0 && (i as usize) < b.len())
                                .map(|i| b[i as usize]);
                            (byte, b.len())
                        })?;
                        match byte {
                            Some(b) => StackItem::Integer(Int::from(b as i64)),
                            None => {
                                let kind = if matches!(x, StackItem::Buffer(_)) {
                                    "Buffer"
                                } else {
                                    "PrimitiveType"
                                };
                                return Err(throw_msg(format!(
                                    "The index of {kind} is out of range, {index}/[0, {len})."
                                )));
                            }
                        }
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for PICKITEM: {}",
                            other.item_type().name()
                        )))
                    }
                };
                self.push(item);
            }
            O::APPEND => {
                let item = self.pop()?;
                let item = self.clone_if_struct(item)?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => self.array_push(a, item),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for APPEND: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::SETITEM => {
                let value = self.pop()?;
                let value = self.clone_if_struct(value)?;
                let key = self.pop()?;
                key.to_primitive_key()?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        match index.to_i64().filter(|&i| i >= 0 && (i as usize) < len) {
                            Some(i) => self.array_set(a, i as usize, value),
                            None => {
                                return Err(throw_msg(format!(
                                    "The index of VMArray is out of range, {index}/[0, {len})."
                                )))
                            }
                        }
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        self.map_set(m, k, value);
                    }
                    StackItem::Buffer(b) => {
                        let index = key.to_int()?;
                        let len = b.borrow().len();
                        let Some(i) = index.to_i64().filter(|&i| i >= 0 && (i as usize) < len)
                        else {
                            return Err(throw_msg(format!(
                                "The index of Buffer is out of range, {index}/[0, {len})."
                            )));
                        };
                        if !matches!(
                            value,
                            StackItem::Boolean(_)
                                | StackItem::Integer(_)
                                | StackItem::ByteString(_)
                        ) {
                            return Err(fault(
                                "Only primitive type values can be set in Buffer in SETITEM.",
                            ));
                        }
                        let v = value.to_int()?;
                        if v < Int::from(-128) || v > Int::from(255) {
                            return Err(fault(format!(
                                "Overflow in SETITEM, {v} is not a byte type."
                            )));
                        }
                        let byte = v.to_i64().expect("in byte range") as u8;
                        b.borrow_mut()[i as usize] = byte;
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for SETITEM: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::REVERSEITEMS => {
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => a.items_mut().reverse(),
                    StackItem::Buffer(b) => b.borrow_mut().reverse(),
                    other => {
                        return Err(fault(format!(
                            "Invalid type for REVERSEITEMS: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::REMOVE => {
                let key = self.pop()?;
                key.to_primitive_key()?;
                let x = self.pop()?;
                match &x {
                    StackItem::Array(a) | StackItem::Struct(a) => {
                        let index = key.to_int()?;
                        let len = a.len();
                        let Some(i) = index.to_i64().filter(|&i| i >= 0 && (i as usize) < len)
                        else {
                            return Err(fault(format!(
                                "The index of VMArray is out of range, {index}/[0, {len})."
                            )));
                        };
                        self.array_remove(a, i as usize);
                    }
                    StackItem::Map(m) => {
                        let k = key.to_map_key()?;
                        self.map_remove(m, &k);
                    }
                    other => {
                        return Err(fault(format!(
                            "Invalid type for REMOVE: {}",
                            other.item_type().name()
                        )))
                    }
                }
            }
            O::CLEARITEMS => {
                let x = self.pop()?;
                if !x.is_compound() {
                    return Err(fault(format!(
                        "Invalid type for CLEARITEMS: {}",
                        x.item_type().name()
                    )));
                }
                self.clear_items(&x);
            }
            O::POPITEM => {
                let x = self.pop()?;
                let (StackItem::Array(a) | StackItem::Struct(a)) = &x else {
                    return Err(fault(format!(
                        "Invalid type for POPITEM: {}",
                        x.item_type().name()
                    )));
                };
                if a.is_empty() {
                    return Err(fault("POPITEM on an empty array"));
                }
                let last = a.items().last().cloned().expect("non-empty");
                self.push(last);
                let n = a.len();
                self.array_remove(a, n - 1);
            }

            // ------------------------------------------------------------ types
            O::ISNULL => {
                let x = self.pop()?;
                self.push(StackItem::Boolean(x.is_null()));
            }
            O::ISTYPE => {
                let x = self.pop()?;
                let t = ins.u8();
                let ty = ItemType::from_byte(t).filter(|&t| t != ItemType::Any);
                let Some(ty) = ty else {
                    return Err(fault(format!("Invalid type: {t}")));
                };
                self.push(StackItem::Boolean(x.item_type() == ty));
            }
            O::CONVERT => {
                let x = self.pop()?;
                let r = x.convert_to(ins.u8())?;
                self.push(r);
            }
            O::ABORTMSG => {
                let msg = self.pop()?;
                let text = item_string(&msg)?;
                return Err(fault(format!("ABORTMSG is executed. Reason: {text}")));
            }
            O::ASSERTMSG => {
                let msg = self.pop()?;
                let text = item_string(&msg)?;
                if !self.pop_bool()? {
                    return Err(fault(format!(
                        "ASSERTMSG is executed with false result. Reason: {text}"
                    )));
                }
            }
            _ => return Err(fault(format!("Invalid opcode {op}"))),
        }
        Ok(())
    }

    fn assert_item_size(&self, n: usize) -> Result<(), VmError> {
        if n > self.limits.max_item_size {
            return Err(fault(format!(
                "MaxItemSize exceed: {n}/{}",
                self.limits.max_item_size
            )));
        }
        Ok(())
    }

    fn assert_shift(&self, shift: i32) -> Result<(), VmError> {
        if shift < 0 || shift as u32 > self.limits.max_shift {
            return Err(fault(format!(
                "Invalid shift value: {shift}/{}",
                self.limits.max_shift
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum SlotKind {
    Static,
    Local,
    Argument,
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
mod tests {
    use super::*;

    #[test]
    fn key_texts_like_the_reference() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x01]), "//4AAQ==");
        assert_eq!(key_text(&MapKey::Boolean(true)), "True");
        assert_eq!(key_text(&MapKey::Integer(Int::from(-5))), "-5");
        assert_eq!(
            key_text(&MapKey::ByteString(Rc::from(&b"ab"[..]))),
            "\"ab\""
        );
        assert_eq!(
            key_text(&MapKey::ByteString(Rc::from(&[0xffu8][..]))),
            "\"Base64: /w==\""
        );
    }

    #[test]
    fn struct_clone_budget() {
        let e = ExecutionEngine::default();
        let ok = ArrayItem::new(vec![StackItem::Null; 2047]);
        assert_eq!(e.clone_struct(&ok).map(|s| s.len()).ok(), Some(2047));
        let too_many = ArrayItem::new(vec![StackItem::Null; 2048]);
        assert!(e.clone_struct(&too_many).is_err());
        // Nested structs count every item of every level and are copied, not shared.
        let inner = ArrayItem::new(vec![StackItem::int(1i64); 10]);
        let outer = ArrayItem::new(vec![StackItem::Struct(inner.clone()), StackItem::Null]);
        let copy = e.clone_struct(&outer).unwrap();
        let StackItem::Struct(ci) = &copy.items()[0] else {
            panic!("not a struct")
        };
        assert!(!Rc::ptr_eq(ci, &inner));
        assert_eq!(ci.len(), 10);
    }

    #[test]
    fn light_rc_counts_sub_items_and_keeps_cycles() {
        let mut e = ExecutionEngine::default();
        e.load_script(Script::new(vec![0x40]), -1, 0).unwrap();
        let a = ArrayItem::new(vec![StackItem::int(1i64), StackItem::int(2i64)]);
        e.push(StackItem::Array(a.clone()));
        assert_eq!(e.reference_count(), 3);
        e.array_push(&a, StackItem::Array(a.clone()));
        assert_eq!(e.reference_count(), 4);
        e.pop().unwrap();
        // The self-reference keeps the array counted, as the reference's light RC does.
        assert_eq!(e.reference_count(), 3);
    }

    /// Recounts references from the roots (stacks and slots): each root reference counts 1, and
    /// every reachable compound counts its sub-items (map keys and values) once. Returns the
    /// count and whether the reachable graph has a cycle.
    fn recount(e: &ExecutionEngine) -> (usize, bool) {
        use std::collections::HashMap;
        fn id(item: &StackItem) -> Option<usize> {
            match item {
                StackItem::Array(a) | StackItem::Struct(a) => {
                    Some(Rc::as_ptr(a) as *const u8 as usize)
                }
                StackItem::Map(m) => Some(Rc::as_ptr(m) as *const u8 as usize),
                _ => None,
            }
        }
        fn children(item: &StackItem) -> Vec<StackItem> {
            match item {
                StackItem::Array(a) | StackItem::Struct(a) => a.items().clone(),
                StackItem::Map(m) => m.entries().values().cloned().collect(),
                _ => Vec::new(),
            }
        }
        // 1 = on the DFS path, 2 = done.
        fn visit(
            item: &StackItem,
            color: &mut HashMap<usize, u8>,
            count: &mut usize,
            cycle: &mut bool,
        ) {
            let Some(k) = id(item) else { return };
            match color.get(&k) {
                Some(1) => {
                    *cycle = true;
                    return;
                }
                Some(_) => return,
                None => {}
            }
            color.insert(k, 1);
            *count += match item {
                StackItem::Map(m) => 2 * m.len(),
                _ => children(item).len(),
            };
            for c in children(item) {
                visit(&c, color, count, cycle);
            }
            color.insert(k, 2);
        }
        let mut roots: Vec<StackItem> = Vec::new();
        for sh in &e.shared {
            roots.extend(sh.eval.iter().cloned());
            roots.extend(sh.statics.iter().flatten().cloned());
        }
        for c in &e.contexts {
            roots.extend(c.locals.iter().flatten().cloned());
            roots.extend(c.args.iter().flatten().cloned());
        }
        roots.extend(e.result_stack.iter().cloned());
        let mut count = roots.len();
        let mut color = HashMap::new();
        let mut cycle = false;
        for r in &roots {
            visit(r, &mut color, &mut count, &mut cycle);
        }
        (count, cycle)
    }

    /// Random programs over the compound, stack and slot opcodes: the light reference counter
    /// must equal a from-scratch recount while no cycle has ever been reachable, and may only
    /// exceed it (leaked cycles are never reclaimed) afterwards.
    #[test]
    fn reference_counter_matches_recount() {
        use OpCode as O;
        let ops: &[&[u8]] = &[
            &[O::PUSH0.0],
            &[O::PUSH1.0],
            &[O::PUSH2.0],
            &[O::PUSH3.0],
            &[O::PUSHNULL.0],
            &[O::PUSHDATA1.0, 1, 7],
            &[O::NEWARRAY0.0],
            &[O::NEWSTRUCT0.0],
            &[O::NEWMAP.0],
            &[O::PUSH2.0, O::NEWARRAY.0],
            &[O::PUSH2.0, O::NEWSTRUCT.0],
            &[O::DUP.0],
            &[O::OVER.0],
            &[O::SWAP.0],
            &[O::ROT.0],
            &[O::DROP.0],
            &[O::NIP.0],
            &[O::PUSH1.0, O::PICK.0],
            &[O::PUSH2.0, O::ROLL.0],
            &[O::TUCK.0],
            &[O::APPEND.0],
            &[O::SETITEM.0],
            &[O::PICKITEM.0],
            &[O::REMOVE.0],
            &[O::CLEARITEMS.0],
            &[O::POPITEM.0],
            &[O::PUSH2.0, O::PACK.0],
            &[O::PUSH1.0, O::PACKMAP.0],
            &[O::PUSH2.0, O::PACKSTRUCT.0],
            &[O::UNPACK.0],
            &[O::KEYS.0],
            &[O::VALUES.0],
            &[O::REVERSEITEMS.0],
            &[O::CONVERT.0, 0x40],
            &[O::CONVERT.0, 0x41],
            &[O::LDLOC0.0],
            &[O::STLOC0.0],
            &[O::LDLOC1.0],
            &[O::STLOC1.0],
            &[O::LDARG0.0],
            &[O::STARG0.0],
            &[O::LDSFLD0.0],
            &[O::STSFLD0.0],
            &[O::LDSFLD1.0],
            &[O::STSFLD1.0],
            &[O::PUSH1.0, O::XDROP.0],
            &[O::REVERSE3.0],
            &[O::PUSH3.0, O::REVERSEN.0],
            &[O::CLEAR.0],
            &[O::SIZE.0],
            &[O::DUP.0, O::DUP.0, O::APPEND.0],
            &[O::OVER.0, O::OVER.0, O::APPEND.0],
            &[O::OVER.0, O::OVER.0, O::SWAP.0, O::APPEND.0],
            &[O::DUP.0, O::PUSH0.0, O::ROT.0, O::SETITEM.0],
            &[O::OVER.0, O::PUSH0.0, O::ROT.0, O::SETITEM.0],
            &[O::DUP.0, O::PUSH0.0, O::PUSH1.0, O::SETITEM.0],
            &[O::DUP.0, O::PUSH0.0, O::REMOVE.0],
            &[O::DUP.0, O::CLEARITEMS.0],
            &[O::HASKEY.0],
            &[O::EQUAL.0],
            &[O::ISNULL.0],
            &[O::DEPTH.0],
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0usize;
        for _ in 0..20000 {
            let mut script = vec![O::INITSSLOT.0, 2, O::PUSH1.0, O::INITSLOT.0, 2, 1];
            // Start with a few items of each kind so that more random operations succeed.
            for _ in 0..(next() % 6) {
                let start: &[&[u8]] = &[
                    &[O::NEWARRAY0.0],
                    &[O::NEWMAP.0],
                    &[O::PUSH1.0],
                    &[O::NEWSTRUCT0.0],
                    &[O::PUSH0.0],
                ];
                script.extend_from_slice(start[(next() % start.len() as u64) as usize]);
            }
            let n = (next() % 40) as usize + 1;
            for _ in 0..n {
                script.extend_from_slice(ops[(next() % ops.len() as u64) as usize]);
            }
            let mut e = ExecutionEngine::default();
            e.load_script(Script::new(script), -1, 0).unwrap();
            let mut tainted = false;
            loop {
                let state = e.step_into(&mut NoInterop);
                if state == VmState::Fault {
                    break;
                }
                let (count, cycle) = recount(&e);
                tainted |= cycle;
                if tainted {
                    assert!(e.reference_count() >= count);
                } else {
                    assert_eq!(
                        e.reference_count(),
                        count,
                        "after ip {:?}",
                        e.current_context().map(|c| c.ip)
                    );
                    checked += 1;
                }
                if state == VmState::Halt {
                    break;
                }
            }
        }
        eprintln!("{checked} exact checks");
        assert!(checked > 10_000, "only {checked} exact checks");
    }
}
