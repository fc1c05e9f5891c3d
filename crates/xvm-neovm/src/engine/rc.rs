//! The light reference counter (stack references, with sub-items counted while their container
//! is stack-referenced) and the container mutations that keep it exact.

use super::ExecutionEngine;
use crate::cycles;
use crate::error::{fault, VmError};
use crate::item::{ArrayItem, MapItem, MapKey, StackItem};
use std::collections::VecDeque;
use std::rc::Rc;

impl ExecutionEngine {
    // ---------------------------------------------------------------- reference counter

    /// Adds one stack reference to `item` (light RC: a compound's sub-items are counted when it
    /// becomes stack-referenced).
    #[inline]
    pub(super) fn add_ref(&mut self, item: &StackItem) {
        self.refs += 1;
        if item.is_compound() {
            self.add_ref_compound(item, 1);
        }
    }

    /// Decrements the count. An underflow would mean a bookkeeping bug: the crate's own tests
    /// treat it as one, release code saturates instead of panicking.
    #[inline(always)]
    pub(super) fn dec_refs(&mut self) {
        #[cfg(test)]
        assert!(self.refs > 0, "reference count underflow");
        self.refs = self.refs.saturating_sub(1);
    }

    #[cold]
    pub(super) fn add_ref_compound(&mut self, item: &StackItem, n: usize) {
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
    pub(super) fn remove_ref(&mut self, item: &StackItem) {
        if item.is_compound() {
            self.remove_ref_compound(item);
        } else {
            self.dec_refs();
        }
    }

    #[cold]
    pub(super) fn remove_ref_compound(&mut self, item: &StackItem) {
        // Depth-first over the compounds that lose their last stack reference; the work list
        // is only allocated when such a compound holds compounds itself.
        let mut work: Vec<StackItem> = Vec::new();
        self.remove_one_ref(item, &mut work);
        while let Some(x) = work.pop() {
            self.remove_one_ref(&x, &mut work);
        }
    }

    fn remove_one_ref(&mut self, x: &StackItem, work: &mut Vec<StackItem>) {
        match x {
            StackItem::Array(a) | StackItem::Struct(a) => {
                let old = a.stack_refs.get();
                if old == 0 {
                    return;
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
                    return;
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

    pub(super) fn array_push(&mut self, a: &Rc<ArrayItem>, item: StackItem) {
        if item.is_compound() {
            cycles::track_array(a);
        }
        if a.stack_refs.get() > 0 {
            self.add_ref(&item);
        }
        a.items_mut().push(item);
    }

    /// `Array[index] = item` as the reference orders it: the old child is uncounted while still
    /// in place, then the new one is stored and counted if the array is (still) referenced.
    /// With a cycle through the old child, the array may lose its last reference midway.
    pub(super) fn array_set(&mut self, a: &Rc<ArrayItem>, index: usize, item: StackItem) {
        if item.is_compound() {
            cycles::track_array(a);
        }
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

    pub(super) fn array_remove(&mut self, a: &Rc<ArrayItem>, index: usize) -> StackItem {
        let old = a.items_mut().remove(index);
        if a.stack_refs.get() > 0 {
            self.remove_ref(&old);
        }
        old
    }

    /// `Map[key] = value` as the reference's SETITEM does it: when the map is stack-referenced,
    /// count the new key or uncount the old value (still in place), then count the new value
    /// (one check for the whole block); then store. A value counted after the map lost its last
    /// stack reference to the old value's uncounting is kept in [`ExecutionEngine::unrooted`].
    pub(super) fn map_set(&mut self, m: &Rc<MapItem>, key: MapKey, value: StackItem) {
        if value.is_compound() {
            cycles::track_map(m);
        }
        if m.stack_refs.get() > 0 {
            let old = m.entries().get(&key).cloned();
            match &old {
                Some(old) => self.remove_ref(old),
                None => self.refs += 1,
            }
            self.add_ref(&value);
            if m.stack_refs.get() == 0 {
                self.unrooted.push(value.clone());
            }
        }
        m.entries_mut().insert(key, value);
    }

    pub(super) fn map_remove(&mut self, m: &Rc<MapItem>, key: &MapKey) {
        let old = m.entries_mut().shift_remove(key);
        if let Some(old) = old {
            if m.stack_refs.get() > 0 {
                self.dec_refs();
                self.remove_ref(&old);
            }
        }
    }

    pub(super) fn clear_items(&mut self, item: &StackItem) {
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
    pub(super) fn clone_struct(&self, src: &Rc<ArrayItem>) -> Result<Rc<ArrayItem>, VmError> {
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

    pub(super) fn clone_if_struct(&self, item: StackItem) -> Result<StackItem, VmError> {
        match &item {
            StackItem::Struct(s) => Ok(StackItem::Struct(self.clone_struct(s)?)),
            _ => Ok(item),
        }
    }
}
