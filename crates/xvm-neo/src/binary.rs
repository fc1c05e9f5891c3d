//! Neo's binary formats: var-ints, a byte reader, and `BinarySerializer` for stack items
//! (StdLib.serialize/deserialize, Find's DeserializeValues, stored contract states).

use std::collections::HashSet;
use std::rc::Rc;
use xvm_neovm::item::{ArrayItem, MapItem, MapKey};
use xvm_neovm::{Int, StackItem};

/// Most items one serialization may hold (Neo's `MaxStackSize`).
pub const MAX_ITEMS: usize = 2048;
/// Largest serialized item (Neo's `MaxItemSize`).
pub const MAX_SIZE: usize = 131070;

/// Appends a var-int.
pub fn write_var_int(out: &mut Vec<u8>, v: u64) {
    if v < 0xfd {
        out.push(v as u8);
    } else if v <= 0xffff {
        out.push(0xfd);
        out.extend_from_slice(&(v as u16).to_le_bytes());
    } else if v <= 0xffff_ffff {
        out.push(0xfe);
        out.extend_from_slice(&(v as u32).to_le_bytes());
    } else {
        out.push(0xff);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Appends var-bytes (var-int length, then the bytes).
pub fn write_var_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_var_int(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// A cursor over bytes with Neo's `MemoryReader` checks.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }
    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }
    /// Whether all bytes were read.
    pub fn at_end(&self) -> bool {
        self.pos == self.data.len()
    }
    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.data.len() - self.pos < n {
            return Err("unexpected end of data".into());
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }
    /// A little-endian u16.
    pub fn u16(&mut self) -> Result<u16, String> {
        let b = self.bytes(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A var-int no larger than `max`.
    pub fn var_int(&mut self, max: u64) -> Result<u64, String> {
        let v = match self.u8()? {
            0xfd => self.u16()? as u64,
            0xfe => self.u32()? as u64,
            0xff => u64::from_le_bytes(self.bytes(8)?.try_into().unwrap_or_default()),
            b => b as u64,
        };
        if v > max {
            return Err(format!("value {v} exceeds the maximum {max}"));
        }
        Ok(v)
    }
    /// Var-bytes of at most `max` bytes.
    pub fn var_bytes(&mut self, max: usize) -> Result<&'a [u8], String> {
        let n = self.var_int(max as u64)? as usize;
        self.bytes(n)
    }
    /// A strict UTF-8 var-string of at most `max` bytes.
    pub fn var_string(&mut self, max: usize) -> Result<String, String> {
        let b = self.var_bytes(max)?;
        String::from_utf8(b.to_vec()).map_err(|_| "invalid UTF-8 string".to_string())
    }
}

/// Serializes an item (BinarySerializer.Serialize); errors name the reason.
pub fn serialize(item: &StackItem) -> Result<Vec<u8>, String> {
    serialize_limited(item, MAX_SIZE)
}

/// Serializes with a size limit.
pub fn serialize_limited(item: &StackItem, max_size: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut count = 0usize;
    ser(item, &mut out, &mut seen, &mut count, max_size)?;
    Ok(out)
}

fn ser(
    item: &StackItem,
    out: &mut Vec<u8>,
    seen: &mut HashSet<usize>,
    count: &mut usize,
    max_size: usize,
) -> Result<(), String> {
    *count += 1;
    if *count > MAX_ITEMS {
        return Err("too many items to serialize".into());
    }
    out.push(item.item_type() as u8);
    match item {
        StackItem::Null => {}
        StackItem::Boolean(b) => out.push(*b as u8),
        StackItem::Integer(i) => write_var_bytes(out, &int_bytes(*i)),
        StackItem::ByteString(b) => write_var_bytes(out, b),
        StackItem::Buffer(b) => write_var_bytes(out, &b.borrow()),
        StackItem::Array(a) | StackItem::Struct(a) => {
            if !seen.insert(Rc::as_ptr(a) as usize) {
                return Err("a container appears twice (circular reference)".into());
            }
            let items = a.items();
            write_var_int(out, items.len() as u64);
            for x in items.iter() {
                ser(x, out, seen, count, max_size)?;
            }
        }
        StackItem::Map(m) => {
            if !seen.insert(Rc::as_ptr(m) as usize) {
                return Err("a container appears twice (circular reference)".into());
            }
            let entries = m.entries();
            write_var_int(out, entries.len() as u64);
            for (k, v) in entries.iter() {
                *count += 1;
                ser(&k.to_item(), out, seen, count, max_size)?;
                ser(v, out, seen, count, max_size)?;
            }
        }
        StackItem::Pointer(_) | StackItem::Interop(_) => {
            return Err(format!("{} cannot be serialized", item.class_name()))
        }
    }
    if out.len() > max_size {
        return Err("serialized item too large".into());
    }
    Ok(())
}

/// Minimal little-endian two's complement bytes of an integer (empty for zero).
pub fn int_bytes(i: Int) -> Vec<u8> {
    if i.is_zero() {
        Vec::new()
    } else {
        i.to_le_bytes()
    }
}

/// Deserializes an item (BinarySerializer.Deserialize) with Neo's limits.
pub fn deserialize(data: &[u8]) -> Result<StackItem, String> {
    let mut r = Reader::new(data);
    let mut count = 0usize;
    let item = de(&mut r, &mut count, 0)?;
    if !r.at_end() {
        return Err("trailing bytes after serialized item".into());
    }
    Ok(item)
}

fn de(r: &mut Reader<'_>, count: &mut usize, depth: usize) -> Result<StackItem, String> {
    *count += 1;
    if *count > MAX_ITEMS || depth > MAX_ITEMS {
        return Err("too many items to deserialize".into());
    }
    let t = r.u8()?;
    Ok(match t {
        0x00 => StackItem::Null,
        0x20 => StackItem::Boolean(match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err("invalid Boolean".into()),
        }),
        0x21 => {
            let b = r.var_bytes(32)?;
            StackItem::Integer(Int::from_le_bytes(b).ok_or("invalid Integer")?)
        }
        0x28 => StackItem::bytes(r.var_bytes(MAX_SIZE)?),
        0x30 => StackItem::buffer(r.var_bytes(MAX_SIZE)?.to_vec()),
        0x40 | 0x41 => {
            let n = r.var_int(MAX_ITEMS as u64)? as usize;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(de(r, count, depth + 1)?);
            }
            if t == 0x40 {
                StackItem::array(items)
            } else {
                StackItem::new_struct(items)
            }
        }
        0x48 => {
            let n = r.var_int(MAX_ITEMS as u64)? as usize;
            let mut pairs = Vec::with_capacity(n);
            for _ in 0..n {
                let k = de(r, count, depth + 1)?;
                let key = match &k {
                    StackItem::Boolean(_) | StackItem::Integer(_) | StackItem::ByteString(_) => {
                        k.to_map_key().map_err(|e| e.to_string())?
                    }
                    _ => return Err("invalid map key type".into()),
                };
                let v = de(r, count, depth + 1)?;
                pairs.push((key, v));
            }
            make_map(pairs)
        }
        _ => return Err(format!("invalid item type 0x{t:02x}")),
    })
}

/// Builds a Map item from (key, value) pairs (later duplicates overwrite).
pub fn make_map(pairs: Vec<(MapKey, StackItem)>) -> StackItem {
    StackItem::Map(MapItem::from_entries(pairs))
}

/// A new Array of `items`.
pub fn array(items: Vec<StackItem>) -> StackItem {
    StackItem::Array(ArrayItem::new(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let item = StackItem::array(vec![
            StackItem::int(-1i64),
            StackItem::Boolean(true),
            StackItem::bytes(b"ab"),
            StackItem::Null,
            make_map(vec![(
                MapKey::Integer(Int::from(1i64)),
                StackItem::int(255i64),
            )]),
        ]);
        let b = serialize(&item).unwrap();
        assert_eq!(
            hex::encode(&b),
            "40052101ff2001280261620048012101012102ff00"
        );
        let back = deserialize(&b).unwrap();
        assert_eq!(serialize(&back).unwrap(), b);
        assert!(deserialize(&[0x21, 33]).is_err());
        assert!(deserialize(&[0x99]).is_err());
        assert!(deserialize(&[0x20, 1, 0]).is_err());
    }

    #[test]
    fn cycles_rejected() {
        let a = StackItem::array(vec![]);
        let outer = StackItem::array(vec![a.clone(), a]);
        assert!(serialize(&outer).is_err());
    }
}
