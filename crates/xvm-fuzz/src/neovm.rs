//! NeoVM targets: script execution under limits, and the reference counter against a recount.

use std::collections::HashSet;
use xvm_neovm::engine::{ExecutionEngine, Interop, VmState};
use xvm_neovm::{Instruction, Limits, Script, StackItem, VmError};

/// The step budget standing in for GAS: every instruction costs one.
pub const STEP_BUDGET: u64 = 20_000;

/// A host with a GAS budget per instruction and a few syscalls that push values.
struct Budget {
    steps: u64,
}

impl Interop for Budget {
    fn syscall(&mut self, engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        match id % 4 {
            0 => {
                engine.push(StackItem::Integer((id as i64).into()));
                Ok(())
            }
            1 => {
                let _ = engine.pop()?;
                Ok(())
            }
            2 => Err(VmError::Throw(Box::new(StackItem::ByteString(
                b"syscall threw".as_slice().into(),
            )))),
            _ => Err(VmError::Fault(format!("unknown syscall {id:#x}"))),
        }
    }

    fn pre_execute(
        &mut self,
        _engine: &ExecutionEngine,
        _instruction: &Instruction<'_>,
    ) -> Result<(), VmError> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Err(VmError::Fault("out of GAS".into()));
        }
        Ok(())
    }
}

fn engine_for(data: &[u8]) -> Option<ExecutionEngine> {
    let mut engine = ExecutionEngine::new(Limits::default());
    engine.load_script(Script::new(data.to_vec()), -1, 0).ok()?;
    Some(engine)
}

fn check_limits(engine: &ExecutionEngine) {
    let limits = engine.limits();
    if engine.state() == VmState::Halt {
        assert!(
            engine.reference_count() <= limits.max_stack_size,
            "{} references after HALT",
            engine.reference_count()
        );
        for item in engine.result_stack() {
            let size = match item {
                StackItem::ByteString(b) => b.len(),
                StackItem::Buffer(b) => b.borrow().len(),
                _ => 0,
            };
            assert!(size <= limits.max_item_size, "item of {size} bytes");
        }
    }
}

/// Input: a NeoVM script. Runs it with a step budget: no panic, the run ends within the budget
/// (time bounded by GAS), and a HALT leaves the stack within the limits.
pub fn neovm_exec(data: &[u8]) {
    let Some(mut engine) = engine_for(data) else {
        return;
    };
    let mut host = Budget { steps: 0 };
    let state = engine.execute(&mut host);
    assert!(
        matches!(state, VmState::Halt | VmState::Fault),
        "ended in {state:?}"
    );
    assert!(host.steps <= STEP_BUDGET + 1);
    check_limits(&engine);
    check_no_leak(engine);
}

/// The number of references the engine should count: one per item on an evaluation stack, in a
/// slot, on the result stack or among the engine's [unrooted](ExecutionEngine::unrooted) values,
/// plus the sub-items of every distinct compound item reachable
/// from those (each compound counted once, however many paths lead to it), plus, as neo-vm's
/// light counter never reclaims an unreachable cycle, the sub-items of every unreachable compound
/// it still counts (a cycle's members: [`xvm_neovm::cycles::tracked_compounds`]).
pub fn recount(engine: &ExecutionEngine) -> usize {
    let mut seen_lists: HashSet<*const StackItem> = HashSet::new();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut refs = 0usize;
    let mut work: Vec<StackItem> = Vec::new();
    let mut root = |items: &[StackItem], refs: &mut usize, work: &mut Vec<StackItem>| {
        if items.is_empty() || !seen_lists.insert(items.as_ptr()) {
            return;
        }
        *refs += items.len();
        work.extend(items.iter().filter(|i| i.is_compound()).cloned());
    };
    for ctx in engine.invocation_stack() {
        root(engine.evaluation_stack(ctx), &mut refs, &mut work);
        if let Some(s) = engine.static_fields(ctx) {
            root(s, &mut refs, &mut work);
        }
        if let Some(s) = ctx.locals() {
            root(s, &mut refs, &mut work);
        }
        if let Some(s) = ctx.arguments() {
            root(s, &mut refs, &mut work);
        }
    }
    root(engine.result_stack(), &mut refs, &mut work);
    root(engine.unrooted(), &mut refs, &mut work);
    while let Some(item) = work.pop() {
        match &item {
            StackItem::Array(a) | StackItem::Struct(a)
                if seen.insert(std::rc::Rc::as_ptr(a) as usize) =>
            {
                let items = a.items();
                refs += items.len();
                work.extend(items.iter().filter(|i| i.is_compound()).cloned());
            }
            StackItem::Map(m) if seen.insert(std::rc::Rc::as_ptr(m) as usize) => {
                let e = m.entries();
                refs += 2 * e.len();
                work.extend(e.values().filter(|i| i.is_compound()).cloned());
            }
            _ => {}
        }
    }
    for c in xvm_neovm::cycles::tracked_compounds() {
        if !seen.contains(&c.id()) && c.stack_references() > 0 {
            refs += c.sub_items();
        }
    }
    refs
}

/// Dropping the engine freed every compound it made: cycles included (nothing else holds them).
fn check_no_leak(engine: ExecutionEngine) {
    drop(engine);
    let left = xvm_neovm::cycles::tracked_compounds().len();
    assert_eq!(left, 0, "{left} compound items outlived their engine");
}

/// Steps after which [`neovm_refcount`] recounts every time; after these, it recounts every
/// [`RECOUNT_EVERY`] steps and at the end.
pub const RECOUNT_DENSE_STEPS: u64 = 128;

/// The recount interval after [`RECOUNT_DENSE_STEPS`].
pub const RECOUNT_EVERY: u64 = 128;

/// Whether [`neovm_refcount`] recounts after `step` instructions.
fn recount_after(step: u64) -> bool {
    step <= RECOUNT_DENSE_STEPS || step % RECOUNT_EVERY == 0
}

/// Input: a NeoVM script, run one instruction at a time; while the engine runs, its reference
/// count must equal [`recount`]: after each of the first [`RECOUNT_DENSE_STEPS`] instructions,
/// then every [`RECOUNT_EVERY`] instructions, and when it halts.
///
/// A recount walks everything reachable plus every tracked compound, and a script that leaks a
/// cycle per loop iteration makes that set grow with the step count: recounting after every one
/// of 20,000 steps made single inputs take 24 s (quadratic). The counter is incremental, so a
/// wrong update stays wrong until the next recount sees it; checking at intervals still finds it.
pub fn neovm_refcount(data: &[u8]) {
    let Some(mut engine) = engine_for(data) else {
        return;
    };
    let mut host = Budget { steps: 0 };
    for _ in 0..=STEP_BUDGET {
        engine.execute_next(&mut host);
        if engine.state() == VmState::Fault {
            break;
        }
        let halted = engine.state() == VmState::Halt;
        if halted || recount_after(host.steps) {
            assert_eq!(
                engine.reference_count(),
                recount(&engine),
                "reference count differs from a recount after {} steps",
                host.steps
            );
        }
        if halted {
            break;
        }
    }
    check_limits(&engine);
    check_no_leak(engine);
}
