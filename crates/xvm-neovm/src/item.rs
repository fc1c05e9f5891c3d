//! Stack items, conversions and equality.

use crate::buffer::BufferBytes;
use crate::error::{fault, VmError};
use crate::int::Int;
use crate::limits::Limits;
use crate::script::Script;
use indexmap::IndexMap;
use std::any::Any;
use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;

/// The maximum encoded size of an Integer (bytes).
pub const MAX_INTEGER_SIZE: usize = 32;
/// The maximum size of a map key (bytes).
pub const MAX_KEY_SIZE: usize = 64;

/// Stack item type bytes (`StackItemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ItemType {
    /// `Any` (the type of Null).
    Any = 0x00,
    /// Pointer.
    Pointer = 0x10,
    /// Boolean.
    Boolean = 0x20,
    /// Integer.
    Integer = 0x21,
    /// ByteString.
    ByteString = 0x28,
    /// Buffer.
    Buffer = 0x30,
    /// Array.
    Array = 0x40,
    /// Struct.
    Struct = 0x41,
    /// Map.
    Map = 0x48,
    /// InteropInterface.
    InteropInterface = 0x60,
}

impl ItemType {
    /// The type with this byte, if defined.
    pub fn from_byte(b: u8) -> Option<ItemType> {
        Some(match b {
            0x00 => ItemType::Any,
            0x10 => ItemType::Pointer,
            0x20 => ItemType::Boolean,
            0x21 => ItemType::Integer,
            0x28 => ItemType::ByteString,
            0x30 => ItemType::Buffer,
            0x40 => ItemType::Array,
            0x41 => ItemType::Struct,
            0x48 => ItemType::Map,
            0x60 => ItemType::InteropInterface,
            _ => return None,
        })
    }

    /// The type's name as the reference prints it.
    pub fn name(self) -> &'static str {
        match self {
            ItemType::Any => "Any",
            ItemType::Pointer => "Pointer",
            ItemType::Boolean => "Boolean",
            ItemType::Integer => "Integer",
            ItemType::ByteString => "ByteString",
            ItemType::Buffer => "Buffer",
            ItemType::Array => "Array",
            ItemType::Struct => "Struct",
            ItemType::Map => "Map",
            ItemType::InteropInterface => "InteropInterface",
        }
    }

    /// Looks a type up by name (case-insensitive).
    pub fn from_name(name: &str) -> Option<ItemType> {
        [
            ItemType::Any,
            ItemType::Pointer,
            ItemType::Boolean,
            ItemType::Integer,
            ItemType::ByteString,
            ItemType::Buffer,
            ItemType::Array,
            ItemType::Struct,
            ItemType::Map,
            ItemType::InteropInterface,
        ]
        .into_iter()
        .find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

/// An Array or Struct body: its items and the light reference counter's stack-reference count.
#[derive(Default)]
pub struct ArrayItem {
    pub(crate) items: RefCell<Vec<StackItem>>,
    pub(crate) stack_refs: Cell<usize>,
    /// Registered with the cycle collector (it received a compound by mutation).
    pub(crate) tracked: Cell<bool>,
}

impl ArrayItem {
    /// Wraps a list of items.
    pub fn new(items: Vec<StackItem>) -> Rc<ArrayItem> {
        Rc::new(ArrayItem {
            items: RefCell::new(items),
            stack_refs: Cell::new(0),
            tracked: Cell::new(false),
        })
    }
    /// Borrows the items.
    pub fn items(&self) -> Ref<'_, Vec<StackItem>> {
        self.items.borrow()
    }
    pub(crate) fn items_mut(&self) -> RefMut<'_, Vec<StackItem>> {
        self.items.borrow_mut()
    }
    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }
    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for ArrayItem {
    fn drop(&mut self) {
        drop_iteratively(std::mem::take(self.items.get_mut()));
    }
}

/// A map key: a primitive item compared type-strictly.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum MapKey {
    /// A Boolean key.
    Boolean(bool),
    /// An Integer key.
    Integer(Int),
    /// A ByteString key.
    ByteString(Rc<[u8]>),
}

impl MapKey {
    /// The key as a stack item.
    pub fn to_item(&self) -> StackItem {
        match self {
            MapKey::Boolean(b) => StackItem::Boolean(*b),
            MapKey::Integer(i) => StackItem::Integer(*i),
            MapKey::ByteString(b) => StackItem::ByteString(b.clone()),
        }
    }
    /// The key's bytes (`GetSpan`).
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            MapKey::Boolean(b) => vec![*b as u8],
            MapKey::Integer(i) => i.to_le_bytes(),
            MapKey::ByteString(b) => b.to_vec(),
        }
    }
}

/// The hasher of map keys: a fixed multiply-rotate hash (FxHash's scheme), much cheaper than
/// SipHash on the short keys NeoVM maps hold. The reference counter bounds a map to a few
/// thousand entries, so even colliding keys cannot make a lookup expensive without bound.
#[derive(Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Map entries in insertion order, hashed with [`KeyHasher`].
pub type MapEntries = IndexMap<MapKey, StackItem, std::hash::BuildHasherDefault<KeyHasher>>;

/// A Map body: insertion-ordered entries and the stack-reference count.
#[derive(Default)]
pub struct MapItem {
    pub(crate) entries: RefCell<MapEntries>,
    pub(crate) stack_refs: Cell<usize>,
    /// Registered with the cycle collector (it received a compound by mutation).
    pub(crate) tracked: Cell<bool>,
}

impl MapItem {
    /// An empty map.
    pub fn new() -> Rc<MapItem> {
        Rc::new(MapItem::default())
    }
    /// A map of `entries` in order (a later duplicate key overwrites the value, keeping the
    /// first position). For hosts building results before pushing them.
    pub fn from_entries(entries: Vec<(MapKey, StackItem)>) -> Rc<MapItem> {
        let m = MapItem::default();
        {
            let mut e = m.entries.borrow_mut();
            for (k, v) in entries {
                e.insert(k, v);
            }
        }
        Rc::new(m)
    }
    /// Borrows the entries.
    pub fn entries(&self) -> Ref<'_, MapEntries> {
        self.entries.borrow()
    }
    pub(crate) fn entries_mut(&self) -> RefMut<'_, MapEntries> {
        self.entries.borrow_mut()
    }
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for MapItem {
    fn drop(&mut self) {
        let entries = std::mem::take(self.entries.get_mut());
        drop_iteratively(entries.into_values().collect());
    }
}

/// Drops nested containers without recursion so that deep nesting cannot overflow the stack.
pub(crate) fn drop_iteratively(mut work: Vec<StackItem>) {
    while let Some(item) = work.pop() {
        match item {
            StackItem::Array(a) | StackItem::Struct(a) => {
                if let Ok(inner) = Rc::try_unwrap(a) {
                    let mut inner = inner;
                    work.append(inner.items.get_mut());
                }
            }
            StackItem::Map(m) => {
                if let Ok(inner) = Rc::try_unwrap(m) {
                    let mut inner = inner;
                    let entries = std::mem::take(inner.entries.get_mut());
                    work.extend(entries.into_values());
                }
            }
            _ => {}
        }
    }
}

/// A pointer into a script.
#[derive(Clone, Debug)]
pub struct Pointer {
    /// The script the pointer belongs to.
    pub script: Script,
    /// The position in the script.
    pub position: usize,
}

/// A host object wrapped as an InteropInterface.
#[derive(Clone)]
pub struct InteropObject {
    /// The CLR-like type name shown in JSON (`"Object"` for a plain object).
    pub type_name: Rc<str>,
    /// The wrapped value.
    pub value: Rc<dyn Any>,
}

/// A NeoVM stack item. Buffers and compound items are shared by reference.
#[derive(Clone, Default)]
pub enum StackItem {
    /// Null.
    #[default]
    Null,
    /// Boolean.
    Boolean(bool),
    /// Integer.
    Integer(Int),
    /// Immutable bytes.
    ByteString(Rc<[u8]>),
    /// Mutable bytes (reference semantics).
    Buffer(Rc<RefCell<BufferBytes>>),
    /// Array (reference semantics).
    Array(Rc<ArrayItem>),
    /// Struct (value semantics on APPEND/SETITEM/VALUES, deep equality).
    Struct(Rc<ArrayItem>),
    /// Map.
    Map(Rc<MapItem>),
    /// Pointer into a script.
    Pointer(Pointer),
    /// Host object.
    Interop(InteropObject),
}

impl fmt::Debug for StackItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bounded in depth and size, so cyclic items print finitely.
        let mut budget = 10_000usize;
        debug_item(self, f, 0, &mut budget)
    }
}

fn debug_item(
    item: &StackItem,
    f: &mut fmt::Formatter<'_>,
    depth: usize,
    budget: &mut usize,
) -> fmt::Result {
    if depth > 64 || *budget == 0 {
        return write!(f, "...");
    }
    *budget -= 1;
    match item {
        StackItem::Null => write!(f, "Null"),
        StackItem::Boolean(b) => write!(f, "Boolean({b})"),
        StackItem::Integer(i) => write!(f, "Integer({i})"),
        StackItem::ByteString(b) => write!(f, "ByteString(0x{})", hex(b)),
        StackItem::Buffer(b) => write!(f, "Buffer(0x{})", hex(&b.borrow())),
        StackItem::Array(a) | StackItem::Struct(a) => {
            write!(f, "{}[", item.class_name())?;
            for (n, x) in a.items().iter().enumerate() {
                if n > 0 {
                    write!(f, ", ")?;
                }
                debug_item(x, f, depth + 1, budget)?;
            }
            write!(f, "]")
        }
        StackItem::Map(m) => {
            write!(f, "Map{{")?;
            for (n, (k, v)) in m.entries().iter().enumerate() {
                if n > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "0x{}: ", hex(&k.bytes()))?;
                debug_item(v, f, depth + 1, budget)?;
            }
            write!(f, "}}")
        }
        StackItem::Pointer(p) => write!(f, "Pointer({})", p.position),
        StackItem::Interop(o) => write!(f, "Interop({})", o.type_name),
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

impl StackItem {
    /// A ByteString from bytes.
    pub fn bytes(b: &[u8]) -> StackItem {
        StackItem::ByteString(Rc::from(b))
    }
    /// A Buffer from bytes (a `Vec<u8>`, a byte slice or [`BufferBytes`]).
    pub fn buffer(b: impl Into<BufferBytes>) -> StackItem {
        StackItem::Buffer(Rc::new(RefCell::new(b.into())))
    }
    /// An Integer.
    pub fn int(i: impl Into<Int>) -> StackItem {
        StackItem::Integer(i.into())
    }
    /// A new Array.
    pub fn array(items: Vec<StackItem>) -> StackItem {
        StackItem::Array(ArrayItem::new(items))
    }
    /// A new Struct.
    pub fn new_struct(items: Vec<StackItem>) -> StackItem {
        StackItem::Struct(ArrayItem::new(items))
    }

    /// `clone` with the common scalar cases inlined.
    #[inline(always)]
    pub fn clone_fast(&self) -> StackItem {
        match self {
            StackItem::Integer(i) => StackItem::Integer(*i),
            StackItem::Boolean(b) => StackItem::Boolean(*b),
            StackItem::Null => StackItem::Null,
            other => other.clone_slow(),
        }
    }

    #[inline(never)]
    fn clone_slow(&self) -> StackItem {
        self.clone()
    }

    /// The item's type.
    pub fn item_type(&self) -> ItemType {
        match self {
            StackItem::Null => ItemType::Any,
            StackItem::Boolean(_) => ItemType::Boolean,
            StackItem::Integer(_) => ItemType::Integer,
            StackItem::ByteString(_) => ItemType::ByteString,
            StackItem::Buffer(_) => ItemType::Buffer,
            StackItem::Array(_) => ItemType::Array,
            StackItem::Struct(_) => ItemType::Struct,
            StackItem::Map(_) => ItemType::Map,
            StackItem::Pointer(_) => ItemType::Pointer,
            StackItem::Interop(_) => ItemType::InteropInterface,
        }
    }

    /// The reference's class name as the JSON suite shows it.
    pub fn class_name(&self) -> &'static str {
        match self {
            StackItem::Null => "Null",
            StackItem::Interop(_) => "Interop",
            other => other.item_type().name(),
        }
    }

    /// Whether the item is Null.
    pub fn is_null(&self) -> bool {
        matches!(self, StackItem::Null)
    }

    /// Whether this is Null, a Boolean or an Integer: items that own no heap data.
    #[inline]
    pub fn is_plain(&self) -> bool {
        matches!(
            self,
            StackItem::Null | StackItem::Boolean(_) | StackItem::Integer(_)
        )
    }

    /// Whether this is a compound (Array, Struct, Map).
    #[inline]
    pub fn is_compound(&self) -> bool {
        matches!(
            self,
            StackItem::Array(_) | StackItem::Struct(_) | StackItem::Map(_)
        )
    }

    /// `GetBoolean`.
    pub fn to_bool(&self) -> Result<bool, VmError> {
        Ok(match self {
            StackItem::Null => false,
            StackItem::Boolean(b) => *b,
            StackItem::Integer(i) => !i.is_zero(),
            StackItem::ByteString(b) => {
                if b.len() > MAX_INTEGER_SIZE {
                    return Err(fault(format!(
                        "Can't convert a ByteString of {} bytes to Boolean",
                        b.len()
                    )));
                }
                b.iter().any(|&x| x != 0)
            }
            _ => true,
        })
    }

    /// `GetInteger`: Integer, Boolean and ByteString of at most 32 bytes.
    pub fn to_int(&self) -> Result<Int, VmError> {
        match self {
            StackItem::Integer(i) => Ok(*i),
            StackItem::Boolean(b) => Ok(Int::from(*b)),
            StackItem::ByteString(b) => Int::from_le_bytes(b).ok_or_else(|| {
                fault(format!(
                    "Can't convert a ByteString of {} bytes to Integer",
                    b.len()
                ))
            }),
            other => Err(fault(format!(
                "Can't convert {} to Integer",
                other.item_type().name()
            ))),
        }
    }

    /// `GetSpan` of primitives and buffers.
    pub fn to_bytes(&self) -> Result<Vec<u8>, VmError> {
        match self {
            StackItem::Boolean(b) => Ok(vec![*b as u8]),
            StackItem::Integer(i) => Ok(i.to_le_bytes()),
            StackItem::ByteString(b) => Ok(b.to_vec()),
            StackItem::Buffer(b) => Ok(b.borrow().to_vec()),
            other => Err(fault(format!(
                "Can't get the bytes of {}",
                other.item_type().name()
            ))),
        }
    }

    /// Runs `f` over the bytes without copying where possible.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> Result<R, VmError> {
        match self {
            StackItem::ByteString(b) => Ok(f(b)),
            StackItem::Buffer(b) => Ok(f(&b.borrow())),
            StackItem::Boolean(b) => Ok(f(&[*b as u8])),
            StackItem::Integer(i) => {
                let (buf, len) = i.le_bytes_minimal();
                Ok(f(&buf[..len]))
            }
            other => Err(fault(format!(
                "Can't get the bytes of {}",
                other.item_type().name()
            ))),
        }
    }

    /// The item as a map key (primitive types only), checking the key size.
    pub fn to_map_key(&self) -> Result<MapKey, VmError> {
        let key = self.to_primitive_key()?;
        let size = match &key {
            MapKey::Boolean(_) => 1,
            // An Integer encodes in at most MAX_INTEGER_SIZE (32) bytes: always small enough.
            MapKey::Integer(_) => MAX_INTEGER_SIZE,
            MapKey::ByteString(b) => b.len(),
        };
        const _: () = assert!(MAX_INTEGER_SIZE <= MAX_KEY_SIZE);
        if size > MAX_KEY_SIZE {
            return Err(fault(format!("MaxKeySize exceed: {size}/{MAX_KEY_SIZE}")));
        }
        Ok(key)
    }

    /// The item as a primitive (`Pop<PrimitiveType>`), without the key-size check.
    pub fn to_primitive_key(&self) -> Result<MapKey, VmError> {
        match self {
            StackItem::Boolean(b) => Ok(MapKey::Boolean(*b)),
            StackItem::Integer(i) => Ok(MapKey::Integer(*i)),
            StackItem::ByteString(b) => Ok(MapKey::ByteString(b.clone())),
            other => Err(fault(format!(
                "Expected a primitive type, found {}",
                other.item_type().name()
            ))),
        }
    }

    /// `CONVERT` (C# `ConvertTo`). Compound results are new, not yet stack-referenced items.
    pub fn convert_to(&self, type_byte: u8) -> Result<StackItem, VmError> {
        let invalid = || {
            fault(format!(
                "Can't convert {} to type 0x{type_byte:02x}",
                self.item_type().name()
            ))
        };
        let Some(target) = ItemType::from_byte(type_byte) else {
            return Err(invalid());
        };
        if target == ItemType::Any {
            return Err(invalid());
        }
        if let StackItem::Null = self {
            return Ok(StackItem::Null);
        }
        if target == self.item_type() {
            return Ok(self.clone());
        }
        if target == ItemType::Boolean {
            return Ok(StackItem::Boolean(self.to_bool()?));
        }
        match self {
            StackItem::Boolean(_) | StackItem::Integer(_) | StackItem::ByteString(_) => {
                match target {
                    ItemType::Integer => Ok(StackItem::Integer(self.to_int()?)),
                    ItemType::ByteString => Ok(StackItem::ByteString(self.to_bytes()?.into())),
                    ItemType::Buffer => Ok(StackItem::buffer(self.to_bytes()?)),
                    _ => Err(invalid()),
                }
            }
            StackItem::Buffer(b) => match target {
                ItemType::Integer => {
                    let b = b.borrow();
                    Int::from_le_bytes(&b)
                        .map(StackItem::Integer)
                        .ok_or_else(invalid)
                }
                ItemType::ByteString => Ok(StackItem::ByteString(b.borrow().as_slice().into())),
                _ => Err(invalid()),
            },
            StackItem::Array(a) if target == ItemType::Struct => {
                Ok(StackItem::new_struct(a.items().clone()))
            }
            StackItem::Struct(a) if target == ItemType::Array => {
                Ok(StackItem::array(a.items().clone()))
            }
            _ => Err(invalid()),
        }
    }

    /// Type-strict equality with the comparable-size budget (`Equals(other, limits)`).
    pub fn equals(&self, other: &StackItem, limits: &Limits) -> Result<bool, VmError> {
        match self {
            StackItem::ByteString(a) => {
                let mut budget = limits.max_comparable_size;
                bytestring_equals(a, other, &mut budget)
            }
            StackItem::Struct(a) => struct_equals(a, other, limits),
            _ => Ok(self.simple_equals(other)),
        }
    }

    /// Equality for everything but ByteString and Struct (no budget involved).
    fn simple_equals(&self, other: &StackItem) -> bool {
        match (self, other) {
            (StackItem::Null, StackItem::Null) => true,
            (StackItem::Boolean(a), StackItem::Boolean(b)) => a == b,
            (StackItem::Integer(a), StackItem::Integer(b)) => a == b,
            (StackItem::ByteString(a), StackItem::ByteString(b)) => a == b,
            (StackItem::Buffer(a), StackItem::Buffer(b)) => Rc::ptr_eq(a, b),
            (StackItem::Array(a), StackItem::Array(b)) => Rc::ptr_eq(a, b),
            (StackItem::Struct(a), StackItem::Struct(b)) => Rc::ptr_eq(a, b),
            (StackItem::Map(a), StackItem::Map(b)) => Rc::ptr_eq(a, b),
            (StackItem::Pointer(a), StackItem::Pointer(b)) => {
                a.script.same(&b.script) && a.position == b.position
            }
            (StackItem::Interop(a), StackItem::Interop(b)) => Rc::ptr_eq(&a.value, &b.value),
            _ => false,
        }
    }

    /// Whether two items are the same object (compounds and buffers) or equal primitives.
    pub fn same_ref(&self, other: &StackItem) -> bool {
        self.simple_equals(other)
    }
}

const COMPARABLE_EXCEEDED: &str = "The operand exceeds the maximum comparable size,";

/// `ByteString.Equals(other, ref limits)`: this string must fit the remaining budget (even
/// when compared with itself or another type); the other string too unless it is the same
/// object; the budget shrinks by the larger size (at least 1).
fn bytestring_equals(a: &Rc<[u8]>, other: &StackItem, budget: &mut usize) -> Result<bool, VmError> {
    if a.len() > *budget || *budget == 0 {
        return Err(fault(format!(
            "{COMPARABLE_EXCEEDED} {}/{}",
            a.len(),
            budget
        )));
    }
    let StackItem::ByteString(b) = other else {
        *budget -= 1;
        return Ok(false);
    };
    let compared = a.len().max(b.len()).max(1);
    let result = if Rc::ptr_eq(a, b) {
        Ok(true)
    } else if b.len() > *budget {
        Err(fault(format!(
            "{COMPARABLE_EXCEEDED} {}/{}",
            b.len(),
            budget
        )))
    } else {
        Ok(a[..] == b[..])
    };
    *budget = budget.saturating_sub(compared);
    result
}

fn struct_equals(a: &Rc<ArrayItem>, other: &StackItem, limits: &Limits) -> Result<bool, VmError> {
    let StackItem::Struct(b) = other else {
        return Ok(false);
    };
    let mut s1 = vec![StackItem::Struct(a.clone())];
    let mut s2 = vec![StackItem::Struct(b.clone())];
    let mut count = limits.max_stack_size;
    let mut budget = limits.max_comparable_size;
    while let Some(x) = s1.pop() {
        let y = s2.pop().unwrap_or_default();
        if count == 0 {
            return Err(fault("Too many struct items to compare."));
        }
        count -= 1;
        if let StackItem::ByteString(xb) = &x {
            if !bytestring_equals(xb, &y, &mut budget)? {
                return Ok(false);
            }
            continue;
        }
        if budget == 0 {
            return Err(fault(COMPARABLE_EXCEEDED));
        }
        budget -= 1;
        match (&x, &y) {
            (StackItem::Struct(xa), StackItem::Struct(ya)) => {
                if Rc::ptr_eq(xa, ya) {
                    continue;
                }
                let (xi, yi) = (xa.items(), ya.items());
                if xi.len() != yi.len() {
                    return Ok(false);
                }
                s1.extend(xi.iter().cloned());
                s2.extend(yi.iter().cloned());
            }
            (StackItem::Struct(_), _) => return Ok(false),
            _ => {
                if !x.simple_equals(&y) {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

impl From<bool> for StackItem {
    fn from(b: bool) -> StackItem {
        StackItem::Boolean(b)
    }
}

impl From<Int> for StackItem {
    fn from(i: Int) -> StackItem {
        StackItem::Integer(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_drops_without_recursion() {
        let mut item = StackItem::array(Vec::new());
        for i in 0..1_000_000 {
            item = if i % 2 == 0 {
                StackItem::new_struct(vec![item])
            } else {
                let m = MapItem::new();
                m.entries_mut().insert(MapKey::Integer(Int::ZERO), item);
                StackItem::Map(m)
            };
        }
        drop(item);
    }

    #[test]
    fn conversions() {
        let cv = |i: &StackItem, t: ItemType| i.convert_to(t as u8).map(|x| format!("{x:?}"));
        assert_eq!(cv(&StackItem::Null, ItemType::Boolean).unwrap(), "Null");
        assert!(StackItem::Null.convert_to(0x00).is_err());
        assert!(StackItem::Null.convert_to(0x22).is_err());
        assert_eq!(
            cv(&StackItem::int(-1i64), ItemType::ByteString).unwrap(),
            "ByteString(0xff)"
        );
        assert_eq!(
            cv(&StackItem::Boolean(true), ItemType::Integer).unwrap(),
            "Integer(1)"
        );
        assert_eq!(
            cv(&StackItem::buffer(vec![1, 0]), ItemType::Integer).unwrap(),
            "Integer(1)"
        );
        assert!(StackItem::buffer(vec![0; 33])
            .convert_to(ItemType::Integer as u8)
            .is_err());
        assert!(StackItem::array(vec![])
            .convert_to(ItemType::Map as u8)
            .is_err());
        assert_eq!(
            cv(&StackItem::array(vec![]), ItemType::Boolean).unwrap(),
            "Boolean(true)"
        );
        // Same type gives the same object.
        let b = StackItem::buffer(vec![7]);
        assert!(b.convert_to(ItemType::Buffer as u8).unwrap().same_ref(&b));
        let a = StackItem::array(vec![StackItem::int(1i64)]);
        let s = a.convert_to(ItemType::Struct as u8).unwrap();
        assert_eq!(s.item_type(), ItemType::Struct);
        assert!(!s.same_ref(&a));
    }

    #[test]
    fn type_strict_equality() {
        let l = Limits::default();
        let one = StackItem::int(1i64);
        assert!(!one.equals(&StackItem::Boolean(true), &l).unwrap());
        assert!(!one.equals(&StackItem::bytes(&[1]), &l).unwrap());
        assert!(one.equals(&StackItem::int(1i64), &l).unwrap());
        let s1 = StackItem::new_struct(vec![one.clone(), StackItem::bytes(b"ab")]);
        let s2 = StackItem::new_struct(vec![one.clone(), StackItem::bytes(b"ab")]);
        assert!(s1.equals(&s2, &l).unwrap());
        let a1 = StackItem::array(vec![one.clone()]);
        let a2 = StackItem::array(vec![one]);
        assert!(!a1.equals(&a2, &l).unwrap());
        assert!(a1.equals(&a1.clone(), &l).unwrap());
        assert!(StackItem::buffer(vec![1])
            .equals(&StackItem::buffer(vec![1]), &l)
            .map(|e| !e)
            .unwrap());
        // Map keys: Integer 1, Boolean true and ByteString 0x01 are three different keys.
        let keys = [
            StackItem::int(1i64),
            StackItem::Boolean(true),
            StackItem::bytes(&[1]),
        ];
        let set: std::collections::HashSet<MapKey> =
            keys.iter().map(|k| k.to_map_key().unwrap()).collect();
        assert_eq!(set.len(), 3);
        assert!(StackItem::bytes(&[0; 65]).to_map_key().is_err());
        assert!(StackItem::bytes(&[0; 64]).to_map_key().is_ok());
    }
}
