//! Deployed contracts: the state Neo keeps per contract, the contract hash, and the checks made
//! on deploy (strict script, method offsets at instruction starts).

use crate::binary::{deserialize, serialize};
use crate::crypto::hash160;
use crate::manifest::Manifest;
use crate::nef::Nef;
use crate::types::UInt160;
use xvm_neovm::{Int, StackItem};

/// A deployed contract.
#[derive(Clone, Debug)]
pub struct ContractState {
    /// Id (natives negative, user contracts 1, 2, ...).
    pub id: i32,
    /// How many times it was updated.
    pub update_counter: u16,
    /// Script hash.
    pub hash: UInt160,
    /// The NEF.
    pub nef: Nef,
    /// The manifest.
    pub manifest: Manifest,
}

impl ContractState {
    /// Stored form: BinarySerializer of Array[id, updateCounter, hash, NEF bytes, manifest JSON].
    /// (Neo stores the manifest as a Struct; xvm keeps its JSON text, which holds the same data.)
    pub fn to_bytes(&self) -> Vec<u8> {
        let item = StackItem::array(vec![
            StackItem::int(self.id as i64),
            StackItem::int(self.update_counter as i64),
            StackItem::bytes(&self.hash.0),
            StackItem::bytes(&self.nef.to_bytes()),
            StackItem::bytes(self.manifest.json.as_bytes()),
        ]);
        serialize(&item).unwrap_or_default()
    }

    /// Reads the stored form.
    pub fn from_bytes(b: &[u8]) -> Result<ContractState, String> {
        let item = deserialize(b)?;
        let StackItem::Array(a) = item else {
            return Err("corrupt contract state".into());
        };
        let items = a.items();
        if items.len() != 5 {
            return Err("corrupt contract state".into());
        }
        let int = |i: &StackItem| i.to_int().ok().and_then(Int::to_i64).unwrap_or(0);
        let bytes = |i: &StackItem| i.to_bytes().unwrap_or_default();
        let manifest_text = String::from_utf8(bytes(&items[4])).map_err(|e| e.to_string())?;
        Ok(ContractState {
            id: int(&items[0]) as i32,
            update_counter: int(&items[1]) as u16,
            hash: UInt160::from_slice(&bytes(&items[2])).ok_or("corrupt contract hash")?,
            nef: Nef::parse(&bytes(&items[3]))?,
            manifest: Manifest::parse(&manifest_text)?,
        })
    }

    /// As `getContract` returns it: Array[id, updateCounter, hash, NEF bytes, manifest Struct].
    pub fn to_stack_item(&self) -> StackItem {
        StackItem::array(vec![
            StackItem::int(self.id as i64),
            StackItem::int(self.update_counter as i64),
            StackItem::bytes(&self.hash.0),
            StackItem::bytes(&self.nef.to_bytes()),
            self.manifest.to_stack_item(),
        ])
    }
}

/// Appends the shortest push of a non-negative integer the way Neo's ScriptBuilder emits it.
pub fn emit_push_int(out: &mut Vec<u8>, v: i64) {
    if (-1..=16).contains(&v) {
        out.push((0x10 + v) as u8);
        return;
    }
    let bytes = Int::from(v).to_le_bytes();
    let (op, width) = match bytes.len() {
        1 => (0x00, 1),
        2 => (0x01, 2),
        3..=4 => (0x02, 4),
        5..=8 => (0x03, 8),
        _ => (0x04, 16),
    };
    out.push(op);
    let fill = if v < 0 { 0xff } else { 0 };
    let mut b = bytes;
    b.resize(width, fill);
    out.extend_from_slice(&b);
}

/// Appends a PUSHDATA of `data`.
pub fn emit_push_data(out: &mut Vec<u8>, data: &[u8]) {
    if data.len() < 0x100 {
        out.push(0x0c);
        out.push(data.len() as u8);
    } else if data.len() < 0x10000 {
        out.push(0x0d);
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    } else {
        out.push(0x0e);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(data);
}

/// Contract hash as Neo derives it: Hash160(ABORT, PUSHDATA sender, PUSH checksum, PUSHDATA name).
pub fn contract_hash(sender: &UInt160, nef_checksum: u32, name: &str) -> UInt160 {
    let mut s = vec![0x38];
    emit_push_data(&mut s, &sender.0);
    emit_push_int(&mut s, nef_checksum as i64);
    emit_push_data(&mut s, name.as_bytes());
    UInt160(hash160(&s))
}

/// Checks a script strictly (every instruction decodes, jump targets land on instructions) and
/// that each ABI method offset is an instruction start.
pub fn check_script(nef: &Nef, manifest: &Manifest) -> Result<(), String> {
    xvm_neovm::script::validate_strict(&nef.script)
        .map_err(|e| format!("invalid script: {}", e.0))?;
    let mut starts = std::collections::HashSet::new();
    let mut ip = 0;
    while ip < nef.script.len() {
        starts.insert(ip);
        let ins = xvm_neovm::script::decode(&nef.script, ip)
            .map_err(|e| format!("invalid script: {}", e.0))?;
        ip += ins.size;
    }
    for m in &manifest.methods {
        if !starts.contains(&m.offset) {
            return Err(format!(
                "invalid manifest: method {} offset {} is not an instruction start",
                m.name, m.offset
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_hashes() {
        for (name, hash) in [
            (
                "ContractManagement",
                "0xfffdc93764dbaddd97c48f252a53ea4643faa3fd",
            ),
            ("StdLib", "0xacce6fd80d44e1796aa0c2c625e9e4e0ce39efc0"),
            ("GasToken", "0xd2a4cff31913016155e38e474a2c06d08be276cf"),
        ] {
            assert_eq!(contract_hash(&UInt160::ZERO, 0, name).to_string(), hash);
        }
    }

    #[test]
    fn push_int_forms() {
        let mut v = Vec::new();
        emit_push_int(&mut v, 1592866325);
        assert_eq!(hex::encode(&v), "021536f15e");
        v.clear();
        emit_push_int(&mut v, 3_000_000_000);
        assert_eq!(hex::encode(&v), "03005ed0b200000000");
        v.clear();
        emit_push_int(&mut v, 200);
        assert_eq!(hex::encode(&v), "01c800");
    }
}
