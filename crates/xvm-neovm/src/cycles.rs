//! Reclaiming compound items that only cycles keep alive.
//!
//! Compound items are shared with `Rc`, and a script can make a compound contain itself
//! (`DUP DUP APPEND`). The light reference counter keeps counting such a cycle once it is
//! unreachable, as neo-vm does, but `Rc` alone would never free its memory: every run of a
//! hostile script would leak. A cycle can only close when a compound is put into an existing
//! compound (APPEND, SETITEM), so those containers are registered here (per thread, as `Rc` items
//! never leave their thread). [`collect_cycles`], which the engine runs when it is dropped, finds
//! the registered containers, and everything reachable from them, that nothing outside holds
//! (trial deletion: a compound whose `Rc` count exceeds its references from other such compounds
//! is held from outside, and so is all it reaches) and empties them, which frees the cycles.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::item::{drop_iteratively, ArrayItem, MapItem, StackItem};

enum Registered {
    Array(Weak<ArrayItem>),
    Map(Weak<MapItem>),
}

thread_local! {
    static REGISTERED: RefCell<Vec<Registered>> = const { RefCell::new(Vec::new()) };
    /// The registry's length after its last pruning of dead entries.
    static PRUNED_LEN: Cell<usize> = const { Cell::new(0) };
}

/// A live compound item as the collector sees it: an Array or Struct body, or a Map.
#[derive(Clone)]
pub enum Compound {
    /// An Array or Struct body.
    Array(Rc<ArrayItem>),
    /// A Map.
    Map(Rc<MapItem>),
}

impl Compound {
    /// The item's identity (its address).
    pub fn id(&self) -> usize {
        match self {
            Compound::Array(a) => Rc::as_ptr(a) as usize,
            Compound::Map(m) => Rc::as_ptr(m) as usize,
        }
    }

    /// The references it holds as the reference counter counts them (a map: keys and values).
    pub fn sub_items(&self) -> usize {
        match self {
            Compound::Array(a) => a.len(),
            Compound::Map(m) => 2 * m.len(),
        }
    }

    /// The light reference counter's stack references to it (non-zero while it is counted).
    pub fn stack_references(&self) -> usize {
        match self {
            Compound::Array(a) => a.stack_refs.get(),
            Compound::Map(m) => m.stack_refs.get(),
        }
    }

    fn strong_count(&self) -> usize {
        match self {
            Compound::Array(a) => Rc::strong_count(a),
            Compound::Map(m) => Rc::strong_count(m),
        }
    }

    /// The compound items it holds directly; `None` while it is borrowed mutably elsewhere.
    fn children(&self) -> Option<Vec<Compound>> {
        let of = |i: &StackItem| match i {
            StackItem::Array(a) | StackItem::Struct(a) => Some(Compound::Array(a.clone())),
            StackItem::Map(m) => Some(Compound::Map(m.clone())),
            _ => None,
        };
        match self {
            Compound::Array(a) => Some(a.items.try_borrow().ok()?.iter().filter_map(of).collect()),
            Compound::Map(m) => Some(
                m.entries
                    .try_borrow()
                    .ok()?
                    .values()
                    .filter_map(of)
                    .collect(),
            ),
        }
    }

    /// Takes its sub-items out (for dropping); `None` while it is borrowed elsewhere.
    fn take_items(&self) -> Option<Vec<StackItem>> {
        match self {
            Compound::Array(a) => Some(std::mem::take(&mut *a.items.try_borrow_mut().ok()?)),
            Compound::Map(m) => {
                let entries = std::mem::take(&mut *m.entries.try_borrow_mut().ok()?);
                Some(entries.into_values().collect())
            }
        }
    }
}

fn register(entry: Registered) {
    REGISTERED.with(|r| {
        let mut r = r.borrow_mut();
        r.push(entry);
        // Drop dead entries whenever the list has doubled, so a loop that makes and drops
        // containers keeps it small (amortised O(1) per registration).
        let pruned = PRUNED_LEN.get();
        if r.len() > 2 * pruned + 64 {
            r.retain(|e| match e {
                Registered::Array(w) => w.strong_count() > 0,
                Registered::Map(w) => w.strong_count() > 0,
            });
            PRUNED_LEN.set(r.len());
        }
    });
}

/// Registers an Array or Struct body that received a compound item.
pub(crate) fn track_array(a: &Rc<ArrayItem>) {
    if !a.tracked.replace(true) {
        register(Registered::Array(Rc::downgrade(a)));
    }
}

/// Registers a Map that received a compound value.
pub(crate) fn track_map(m: &Rc<MapItem>) {
    if !m.tracked.replace(true) {
        register(Registered::Map(Rc::downgrade(m)));
    }
}

/// Every live compound a cycle could run through on this thread: the registered containers and
/// all compounds reachable from them, each once.
pub fn tracked_compounds() -> Vec<Compound> {
    let roots: Vec<Compound> = REGISTERED.with(|r| {
        r.borrow()
            .iter()
            .filter_map(|e| match e {
                Registered::Array(w) => w.upgrade().map(Compound::Array),
                Registered::Map(w) => w.upgrade().map(Compound::Map),
            })
            .collect()
    });
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut nodes: Vec<Compound> = Vec::new();
    let mut work = roots;
    while let Some(c) = work.pop() {
        if index.contains_key(&c.id()) {
            continue;
        }
        index.insert(c.id(), nodes.len());
        if let Some(children) = c.children() {
            work.extend(
                children
                    .into_iter()
                    .filter(|k| !index.contains_key(&k.id())),
            );
        }
        nodes.push(c);
    }
    nodes
}

/// Empties every compound that only cycles among compounds keep alive (nothing outside: no
/// engine stack, slot, host value or caller holds it or reaches it), which frees them. Returns how
/// many were emptied. Items held from outside are never touched.
pub fn collect_cycles() -> usize {
    let nodes = tracked_compounds();
    let index: HashMap<usize, usize> = nodes.iter().enumerate().map(|(i, c)| (c.id(), i)).collect();
    // External references: the Rc count minus our own handle minus references from the nodes.
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(nodes.len());
    let mut external: Vec<isize> = nodes
        .iter()
        .map(|c| c.strong_count() as isize - 1)
        .collect();
    let mut held: Vec<usize> = Vec::new();
    for c in &nodes {
        match c.children() {
            Some(children) => {
                let out: Vec<usize> = children
                    .iter()
                    .filter_map(|k| index.get(&k.id()).copied())
                    .collect();
                drop(children);
                for &k in &out {
                    external[k] -= 1;
                }
                edges.push(out);
            }
            // Borrowed right now: in use from outside.
            None => {
                held.push(edges.len());
                edges.push(Vec::new());
            }
        }
    }
    for i in held {
        external[i] = external[i].max(1);
    }
    // Everything reachable from an externally held node is alive.
    let mut alive = vec![false; nodes.len()];
    let mut work: Vec<usize> = (0..nodes.len()).filter(|&i| external[i] > 0).collect();
    while let Some(i) = work.pop() {
        if !std::mem::replace(&mut alive[i], true) {
            work.extend(edges[i].iter().copied().filter(|&k| !alive[k]));
        }
    }
    let mut trash = Vec::new();
    let mut emptied = 0;
    for (i, c) in nodes.iter().enumerate() {
        if !alive[i] {
            if let Some(items) = c.take_items() {
                trash.extend(items);
                emptied += 1;
            }
        }
    }
    drop(nodes);
    drop_iteratively(trash);
    emptied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ExecutionEngine, VmState};
    use crate::{asm::assemble, Limits, Script};

    fn run(src: &str) -> ExecutionEngine {
        let mut e = ExecutionEngine::new(Limits::default());
        e.load_script(Script::new(assemble(src).unwrap()), -1, 0)
            .unwrap();
        e.execute(&mut crate::engine::NoInterop);
        e
    }

    fn live() -> usize {
        tracked_compounds().len()
    }

    #[test]
    fn a_dropped_engine_frees_its_unreachable_cycles() {
        // [5, self] then dropped: the counter keeps it (neo-vm's light RC), memory is freed.
        let e = run("NEWARRAY0\nDUP\nPUSH5\nAPPEND\nDUP\nDUP\nAPPEND\nDROP\nRET");
        assert_eq!(e.state(), VmState::Halt);
        assert_eq!(e.reference_count(), 2);
        assert_eq!(live(), 1);
        drop(e);
        assert_eq!(live(), 0);
    }

    #[test]
    fn cycles_through_maps_and_structs_are_freed_too() {
        // m = {1: a}, a = [m, struct(0)]; then both slots are cleared.
        let e = run(
            "INITSLOT 2 0\nNEWMAP\nSTLOC0\nNEWARRAY0\nSTLOC1\nLDLOC0\nPUSH1\nLDLOC1\nSETITEM\n\
             LDLOC1\nLDLOC0\nAPPEND\nLDLOC1\nPUSH0\nPUSH1\nPACKSTRUCT\nAPPEND\n\
             PUSHNULL\nSTLOC0\nPUSHNULL\nSTLOC1\nRET",
        );
        assert_eq!(e.state(), VmState::Halt, "{:?}", e.fault_message());
        assert!(live() >= 2);
        drop(e);
        assert_eq!(live(), 0);
    }

    #[test]
    fn results_and_items_held_outside_are_kept() {
        // A cycle left on the result stack, taken by the caller before the engine is dropped.
        let mut e = run("NEWARRAY0\nDUP\nDUP\nAPPEND\nRET");
        let result = e.take_result_stack();
        drop(e);
        let StackItem::Array(a) = &result[0] else {
            panic!("an array")
        };
        assert_eq!(a.len(), 1);
        assert_eq!(collect_cycles(), 0);
        assert_eq!(a.len(), 1);
        drop(result);
        // Now garbage: the next collection frees it.
        assert_eq!(live(), 1);
        assert_eq!(collect_cycles(), 1);
        assert_eq!(live(), 0);
    }

    #[test]
    fn the_registry_stays_small_in_a_loop() {
        // 5,000 containers that each receive a compound and are dropped at once.
        let e = run(
            "INITSLOT 1 0\nPUSHINT16 5000\nSTLOC0\nloop:\nNEWARRAY0\nNEWARRAY0\nAPPEND\n\
             LDLOC0\nDEC\nDUP\nSTLOC0\nJMPIF loop\nRET",
        );
        assert_eq!(e.state(), VmState::Halt, "{:?}", e.fault_message());
        let len = REGISTERED.with(|r| r.borrow().len());
        assert!(len < 200, "{len} registered");
    }
}
