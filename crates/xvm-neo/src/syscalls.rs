//! Every system call of `neovm-syscalls.tsv`: name, hash, fixed price, required call flags and
//! handler. Handlers pop their parameters (first parameter on top) and push their result.

use crate::binary::deserialize;
use crate::crypto::{hash160, sha256, verify_prehash, Curve};
use crate::host::{Host, LogEntry};
use crate::types::{call_flags as cf, syscall_hash, UInt160};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use xvm_neovm::engine::ExecutionEngine;
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::item::InteropObject;
use xvm_neovm::{Int, Script, StackItem};

/// A syscall handler.
pub type Handler = Rc<dyn Fn(&mut Host<'_>, &mut ExecutionEngine) -> Result<(), VmError>>;

/// A registered system call.
#[derive(Clone)]
pub struct Syscall {
    /// Full name (`System.Runtime.Log`).
    pub name: String,
    /// SYSCALL operand (first 4 bytes of SHA-256 of the name, LE).
    pub hash: u32,
    /// Fixed price before ExecFeeFactor.
    pub price: i64,
    /// Required call flags.
    pub flags: u8,
    /// The handler.
    pub handler: Handler,
}

impl Syscall {
    /// A syscall from a name, price, flags and handler.
    pub fn new(
        name: &str,
        price: i64,
        flags: u8,
        handler: impl Fn(&mut Host<'_>, &mut ExecutionEngine) -> Result<(), VmError> + 'static,
    ) -> Syscall {
        Syscall {
            name: name.into(),
            hash: syscall_hash(name),
            price,
            flags,
            handler: Rc::new(handler),
        }
    }
}

// ------------------------------------------------------------------ argument conversion

/// Pops bytes (ByteString, Buffer, Integer or Boolean as their span).
pub fn pop_bytes(vm: &mut ExecutionEngine) -> Result<Vec<u8>, VmError> {
    vm.pop()?.to_bytes()
}

/// Pops an integer.
pub fn pop_int(vm: &mut ExecutionEngine) -> Result<Int, VmError> {
    vm.pop()?.to_int()
}

/// Pops an integer that fits i64.
pub fn pop_i64(vm: &mut ExecutionEngine) -> Result<i64, VmError> {
    pop_int(vm)?
        .to_i64()
        .ok_or_else(|| fault("Integer out of range for a 64-bit argument"))
}

/// Pops a UInt160 (20 bytes).
pub fn pop_hash(vm: &mut ExecutionEngine) -> Result<UInt160, VmError> {
    let b = pop_bytes(vm)?;
    UInt160::from_slice(&b).ok_or_else(|| fault(format!("Invalid UInt160 of {} bytes", b.len())))
}

/// Pops a strict UTF-8 string.
pub fn pop_string(vm: &mut ExecutionEngine) -> Result<String, VmError> {
    String::from_utf8(pop_bytes(vm)?).map_err(|_| fault("Invalid UTF-8 string argument"))
}

/// Pops an Array or Struct's items.
pub fn pop_array(vm: &mut ExecutionEngine) -> Result<Vec<StackItem>, VmError> {
    match vm.pop()? {
        StackItem::Array(a) | StackItem::Struct(a) => Ok(a.items().clone()),
        other => Err(fault(format!(
            "Expected an Array, got {}",
            other.class_name()
        ))),
    }
}

/// Pops an interop object of type `T`.
pub fn pop_interop<T: Any>(vm: &mut ExecutionEngine, what: &str) -> Result<Rc<T>, VmError> {
    match vm.pop()? {
        StackItem::Interop(o) => o
            .value
            .clone()
            .downcast::<T>()
            .map_err(|_| fault(format!("Expected {what}, got {}", o.type_name))),
        other => Err(fault(format!(
            "Expected {what}, got {}",
            other.class_name()
        ))),
    }
}

/// Wraps a host value as an InteropInterface item.
pub fn interop(type_name: &str, value: Rc<dyn Any>) -> StackItem {
    StackItem::Interop(InteropObject {
        type_name: Rc::from(type_name),
        value,
    })
}

fn hash_item(h: &UInt160) -> StackItem {
    StackItem::bytes(&h.0)
}

// ------------------------------------------------------------------ storage

/// A storage context (Neo's `StorageContext`).
#[derive(Clone, Copy, Debug)]
pub struct StorageContext {
    /// Contract id.
    pub id: i32,
    /// Read-only?
    pub read_only: bool,
}

/// Find options (Neo's `FindOptions`).
pub mod find {
    /// Keys only.
    pub const KEYS_ONLY: u8 = 0x01;
    /// Cut the prefix from keys.
    pub const REMOVE_PREFIX: u8 = 0x02;
    /// Values only.
    pub const VALUES_ONLY: u8 = 0x04;
    /// Deserialize values.
    pub const DESERIALIZE_VALUES: u8 = 0x08;
    /// Take field 0 of deserialized values.
    pub const PICK_FIELD0: u8 = 0x10;
    /// Take field 1 of deserialized values.
    pub const PICK_FIELD1: u8 = 0x20;
    /// Descending key order.
    pub const BACKWARDS: u8 = 0x80;
    /// Every defined bit.
    pub const ALL: u8 = 0xbf;
}

/// A storage iterator (Neo's `StorageIterator`).
pub struct StorageIterator {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    pos: Option<usize>,
    prefix_len: usize,
    options: u8,
}

impl StorageIterator {
    /// An iterator over `entries` (keys without the contract id), cutting `prefix_len` bytes
    /// from keys when `options` has RemovePrefix.
    pub fn new(
        entries: Vec<(Vec<u8>, Vec<u8>)>,
        prefix_len: usize,
        options: u8,
    ) -> StorageIterator {
        StorageIterator {
            entries,
            pos: None,
            prefix_len,
            options,
        }
    }

    fn next(&mut self) -> bool {
        let n = self.pos.map_or(0, |p| p + 1);
        self.pos = Some(n.min(self.entries.len()));
        n < self.entries.len()
    }

    fn value(&self) -> Result<StackItem, VmError> {
        let Some((k, v)) = self.pos.and_then(|p| self.entries.get(p)) else {
            return Err(fault("Iterator.Value called before Next or past the end"));
        };
        let o = self.options;
        let key = if o & find::REMOVE_PREFIX != 0 {
            &k[self.prefix_len.min(k.len())..]
        } else {
            &k[..]
        };
        let key_item = StackItem::bytes(key);
        let mut value = if o & find::DESERIALIZE_VALUES != 0 {
            deserialize(v).map_err(|e| fault(format!("Find deserialize: {e}")))?
        } else {
            StackItem::bytes(v)
        };
        if o & (find::PICK_FIELD0 | find::PICK_FIELD1) != 0 {
            let idx = if o & find::PICK_FIELD0 != 0 { 0 } else { 1 };
            value = match &value {
                StackItem::Array(a) | StackItem::Struct(a) => a
                    .items()
                    .get(idx)
                    .cloned()
                    .ok_or_else(|| fault("Find: picked field out of range"))?,
                _ => return Err(fault("Find: picked field of a non-array value")),
            };
        }
        Ok(if o & find::KEYS_ONLY != 0 {
            key_item
        } else if o & find::VALUES_ONLY != 0 {
            value
        } else {
            StackItem::new_struct(vec![key_item, value])
        })
    }
}

/// Checks a FindOptions value as Neo does.
pub fn check_find_options(o: u8) -> Result<(), VmError> {
    let bad = |m: &str| Err(fault(format!("Invalid FindOptions 0x{o:02x}: {m}")));
    if o & !find::ALL != 0 {
        return bad("undefined bits");
    }
    let keys = o & find::KEYS_ONLY != 0;
    if keys
        && o & (find::VALUES_ONLY
            | find::DESERIALIZE_VALUES
            | find::PICK_FIELD0
            | find::PICK_FIELD1)
            != 0
    {
        return bad("KeysOnly with value options");
    }
    if o & find::VALUES_ONLY != 0 && o & find::REMOVE_PREFIX != 0 {
        return bad("ValuesOnly with RemovePrefix");
    }
    if o & find::PICK_FIELD0 != 0 && o & find::PICK_FIELD1 != 0 {
        return bad("PickField0 with PickField1");
    }
    if o & (find::PICK_FIELD0 | find::PICK_FIELD1) != 0 && o & find::DESERIALIZE_VALUES == 0 {
        return bad("PickField without DeserializeValues");
    }
    Ok(())
}

/// The storage key of a contract id and a user key.
pub fn storage_key(id: i32, key: &[u8]) -> Vec<u8> {
    let mut k = id.to_le_bytes().to_vec();
    k.extend_from_slice(key);
    k
}

fn current_context(
    host: &Host<'_>,
    vm: &ExecutionEngine,
    read_only: bool,
) -> Result<StorageContext, VmError> {
    let cur = host.current(vm)?;
    let c = cur
        .contract
        .as_ref()
        .ok_or_else(|| fault("Storage is only available to deployed contracts"))?;
    Ok(StorageContext {
        id: c.id,
        read_only,
    })
}

fn storage_get(
    host: &mut Host<'_>,
    vm: &mut ExecutionEngine,
    ctx: StorageContext,
    key: Vec<u8>,
) -> Result<(), VmError> {
    let v = host.cache.get(&storage_key(ctx.id, &key)).map_err(fault)?;
    vm.push(match v {
        Some(v) => StackItem::bytes(&v),
        None => StackItem::Null,
    });
    Ok(())
}

/// The bytes Neo charges StoragePrice for when `value` replaces `old` under a key of `key_len`.
pub fn put_fee_bytes(key_len: usize, old: Option<&[u8]>, value_len: usize) -> i64 {
    let n = match old {
        None => key_len + value_len,
        Some(old) => {
            if value_len == 0 {
                0
            } else if value_len <= old.len() {
                (value_len - 1) / 4 + 1
            } else if old.is_empty() {
                value_len
            } else {
                (old.len() - 1) / 4 + 1 + value_len - old.len()
            }
        }
    };
    n as i64
}

fn storage_put(
    host: &mut Host<'_>,
    ctx: StorageContext,
    key: Vec<u8>,
    value: Vec<u8>,
) -> Result<(), VmError> {
    if key.len() > 64 {
        return Err(fault(format!("Key length too big: {} > 64", key.len())));
    }
    if value.len() > 65535 {
        return Err(fault(format!(
            "Value length too big: {} > 65535",
            value.len()
        )));
    }
    if ctx.read_only {
        return Err(fault("The storage context is read-only"));
    }
    let sk = storage_key(ctx.id, &key);
    let old = host.cache.get(&sk).map_err(fault)?;
    let n = put_fee_bytes(key.len(), old.as_deref(), value.len());
    host.add_fee(n * host.settings.storage_price)?;
    host.cache.put(sk, value);
    Ok(())
}

fn storage_delete(host: &mut Host<'_>, ctx: StorageContext, key: Vec<u8>) -> Result<(), VmError> {
    if ctx.read_only {
        return Err(fault("The storage context is read-only"));
    }
    host.cache.delete(storage_key(ctx.id, &key));
    Ok(())
}

fn storage_find(
    host: &mut Host<'_>,
    vm: &mut ExecutionEngine,
    ctx: StorageContext,
    prefix: Vec<u8>,
    options: i64,
) -> Result<(), VmError> {
    let o = u8::try_from(options).map_err(|_| fault(format!("Invalid FindOptions {options}")))?;
    check_find_options(o)?;
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = host
        .cache
        .find(&storage_key(ctx.id, &prefix))
        .map_err(fault)?
        .into_iter()
        .map(|(k, v)| (k[4..].to_vec(), v))
        .collect();
    if o & find::BACKWARDS != 0 {
        entries.reverse();
    }
    let it = StorageIterator {
        entries,
        pos: None,
        prefix_len: prefix.len(),
        options: o,
    };
    vm.push(interop("StorageIterator", Rc::new(RefCell::new(it))));
    Ok(())
}

fn pop_ctx(vm: &mut ExecutionEngine) -> Result<StorageContext, VmError> {
    Ok(*pop_interop::<StorageContext>(vm, "StorageContext")?)
}

// ------------------------------------------------------------------ crypto

/// The data a transaction's witnesses sign: network magic (LE u32) then the tx hash.
pub fn sign_data(network: u32, tx_hash: &[u8; 32]) -> Vec<u8> {
    let mut d = network.to_le_bytes().to_vec();
    d.extend_from_slice(tx_hash);
    d
}

fn container_sign_hash(host: &Host<'_>) -> Result<[u8; 32], VmError> {
    let tx = host
        .container
        .as_ref()
        .ok_or_else(|| fault("CheckSig needs a transaction as script container"))?;
    Ok(sha256(&sign_data(host.settings.network, &tx.hash())))
}

fn pop_byte_list(vm: &mut ExecutionEngine) -> Result<Vec<Vec<u8>>, VmError> {
    match vm.pop()? {
        StackItem::Array(a) | StackItem::Struct(a) => {
            a.items().iter().map(|x| x.to_bytes()).collect()
        }
        other => Err(fault(format!(
            "Expected an Array, got {}",
            other.class_name()
        ))),
    }
}

/// CheckSig price (1 << 15), charged per key by CheckMultisig and the account builders.
pub const CHECK_SIG_PRICE: i64 = 1 << 15;

/// The standard verification script of a compressed key.
pub fn signature_redeem_script(pubkey: &[u8]) -> Vec<u8> {
    let mut s = vec![0x0c, 0x21];
    s.extend_from_slice(pubkey);
    s.push(0x41);
    s.extend_from_slice(&syscall_hash("System.Crypto.CheckSig").to_le_bytes());
    s
}

/// The multi-signature verification script (keys sorted as Neo's ECPoint order).
pub fn multisig_redeem_script(m: usize, keys: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    if m == 0 || m > keys.len() || keys.len() > 1024 {
        return Err("invalid multisig m/n".into());
    }
    let mut sorted = Vec::new();
    for k in keys {
        let p = p256::EncodedPoint::from_bytes(k).map_err(|_| "invalid public key")?;
        let key =
            p256::PublicKey::from_sec1_bytes(p.as_bytes()).map_err(|_| "invalid public key")?;
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let u = key.to_encoded_point(false);
        let (x, y) = (u.x().map(|x| x.to_vec()), u.y().map(|y| y.to_vec()));
        sorted.push((x, y, key.to_encoded_point(true).as_bytes().to_vec()));
    }
    sorted.sort();
    let mut s = Vec::new();
    crate::contract::emit_push_int(&mut s, m as i64);
    for (_, _, k) in &sorted {
        crate::contract::emit_push_data(&mut s, k);
    }
    crate::contract::emit_push_int(&mut s, keys.len() as i64);
    s.push(0x41);
    s.extend_from_slice(&syscall_hash("System.Crypto.CheckMultisig").to_le_bytes());
    Ok(s)
}

fn check_sig_one(digest: &[u8; 32], key: &[u8], sig: &[u8]) -> bool {
    verify_prehash(Curve::Secp256r1, digest, key, sig) == Ok(true)
}

// ------------------------------------------------------------------ the table

/// Every syscall xvm implements (all of `neovm-syscalls.tsv` except the two native persist
/// hooks, which only run inside block persistence that xvm does not model).
pub fn standard() -> Vec<Syscall> {
    use Syscall as S;
    vec![
        // ---------------- contract
        S::new(
            "System.Contract.Call",
            1 << 15,
            cf::READ_STATES | cf::ALLOW_CALL,
            |h, vm| {
                let hash = pop_hash(vm)?;
                let method = pop_string(vm)?;
                let flags = pop_i64(vm)?;
                let args = pop_array(vm)?;
                let flags = u8::try_from(flags)
                    .map_err(|_| fault(format!("Invalid call flags: {flags}")))?;
                h.call_contract(vm, hash, &method, flags, args, true)
            },
        ),
        S::new("System.Contract.CallNative", 0, cf::NONE, |_, _| {
            Err(fault("System.Contract.CallNative: xvm runs native contracts directly; this call is only valid inside a native contract's own script"))
        }),
        S::new(
            "System.Contract.GetCallFlags",
            1 << 10,
            cf::NONE,
            |h, vm| {
                let f = h.current(vm)?.flags;
                vm.push(StackItem::int(f as i64));
                Ok(())
            },
        ),
        S::new(
            "System.Contract.CreateStandardAccount",
            0,
            cf::NONE,
            |h, vm| {
                let key = pop_bytes(vm)?;
                h.add_cpu_fee(CHECK_SIG_PRICE)?;
                if !crate::crypto::is_valid_r1_point(&key) {
                    return Err(fault("CreateStandardAccount: invalid public key"));
                }
                vm.push(StackItem::bytes(&hash160(&signature_redeem_script(&key))));
                Ok(())
            },
        ),
        S::new(
            "System.Contract.CreateMultisigAccount",
            0,
            cf::NONE,
            |h, vm| {
                let m = pop_i64(vm)?;
                let keys = pop_byte_list(vm)?;
                h.add_cpu_fee(CHECK_SIG_PRICE * keys.len() as i64)?;
                let s = multisig_redeem_script(m.max(0) as usize, &keys)
                    .map_err(|e| fault(format!("CreateMultisigAccount: {e}")))?;
                vm.push(StackItem::bytes(&hash160(&s)));
                Ok(())
            },
        ),
        // ---------------- crypto
        S::new("System.Crypto.CheckSig", 1 << 15, cf::NONE, |h, vm| {
            let key = pop_bytes(vm)?;
            let sig = pop_bytes(vm)?;
            let digest = container_sign_hash(h)?;
            vm.push(StackItem::Boolean(check_sig_one(&digest, &key, &sig)));
            Ok(())
        }),
        S::new("System.Crypto.CheckMultisig", 0, cf::NONE, |h, vm| {
            let keys = pop_byte_list(vm)?;
            let sigs = pop_byte_list(vm)?;
            let (m, n) = (sigs.len(), keys.len());
            if m == 0 || n == 0 || m > n {
                return Err(fault(format!(
                    "CheckMultisig: invalid counts (m={m}, n={n})"
                )));
            }
            h.add_cpu_fee(CHECK_SIG_PRICE * n as i64)?;
            let digest = container_sign_hash(h)?;
            let (mut i, mut j) = (0, 0);
            let mut ok = true;
            while ok && i < m && j < n {
                if check_sig_one(&digest, &keys[j], &sigs[i]) {
                    i += 1;
                }
                j += 1;
                if m - i > n - j {
                    ok = false;
                }
            }
            vm.push(StackItem::Boolean(ok && i == m));
            Ok(())
        }),
        // ---------------- iterator
        S::new("System.Iterator.Next", 1 << 15, cf::NONE, |_, vm| {
            let it = pop_interop::<RefCell<StorageIterator>>(vm, "an iterator")?;
            let more = it.borrow_mut().next();
            vm.push(StackItem::Boolean(more));
            Ok(())
        }),
        S::new("System.Iterator.Value", 1 << 4, cf::NONE, |_, vm| {
            let it = pop_interop::<RefCell<StorageIterator>>(vm, "an iterator")?;
            let v = it.borrow().value()?;
            vm.push(v);
            Ok(())
        }),
        // ---------------- runtime
        S::new("System.Runtime.Platform", 1 << 3, cf::NONE, |_, vm| {
            vm.push(StackItem::bytes(b"NEO"));
            Ok(())
        }),
        S::new("System.Runtime.GetNetwork", 1 << 3, cf::NONE, |h, vm| {
            vm.push(StackItem::int(h.settings.network as i64));
            Ok(())
        }),
        S::new(
            "System.Runtime.GetAddressVersion",
            1 << 3,
            cf::NONE,
            |_, vm| {
                vm.push(StackItem::int(crate::types::ADDRESS_VERSION as i64));
                Ok(())
            },
        ),
        S::new("System.Runtime.GetTrigger", 1 << 3, cf::NONE, |h, vm| {
            vm.push(StackItem::int(h.trigger as u8 as i64));
            Ok(())
        }),
        S::new("System.Runtime.GetTime", 1 << 3, cf::NONE, |h, vm| {
            let b = h
                .block
                .as_ref()
                .ok_or_else(|| fault("GetTime: no persisting block"))?;
            vm.push(StackItem::int(b.timestamp as i64));
            Ok(())
        }),
        S::new(
            "System.Runtime.GetScriptContainer",
            1 << 3,
            cf::NONE,
            |h, vm| {
                let tx = h
                    .container
                    .as_ref()
                    .ok_or_else(|| fault("GetScriptContainer: no script container"))?;
                vm.push(tx.to_stack_item());
                Ok(())
            },
        ),
        S::new(
            "System.Runtime.GetExecutingScriptHash",
            1 << 4,
            cf::NONE,
            |h, vm| {
                let s = hash_item(&h.current(vm)?.script_hash);
                vm.push(s);
                Ok(())
            },
        ),
        S::new(
            "System.Runtime.GetCallingScriptHash",
            1 << 4,
            cf::NONE,
            |h, vm| {
                let s = match h.current(vm)?.calling_hash {
                    Some(c) => hash_item(&c),
                    None => StackItem::Null,
                };
                vm.push(s);
                Ok(())
            },
        ),
        S::new(
            "System.Runtime.GetEntryScriptHash",
            1 << 4,
            cf::NONE,
            |h, vm| {
                vm.push(hash_item(&h.entry_hash));
                Ok(())
            },
        ),
        S::new(
            "System.Runtime.LoadScript",
            1 << 15,
            cf::ALLOW_CALL,
            |h, vm| {
                let script = pop_bytes(vm)?;
                let flags = pop_i64(vm)?;
                let args = pop_array(vm)?;
                let flags = u8::try_from(flags)
                    .ok()
                    .filter(|f| f & !cf::ALL == 0)
                    .ok_or_else(|| fault(format!("Invalid call flags: {flags}")))?;
                let cur = h.current(vm)?.clone();
                let caller = vm.current_context().map(|c| c.instance_id()).unwrap_or(0);
                let script_obj = Script::new_strict(script.clone()).map_err(|e| fault(e.0))?;
                vm.load_script(script_obj, -1, 0)?;
                let hash = UInt160(hash160(&script));
                h.register_context(
                    vm,
                    hash,
                    Some((cur.script_hash, caller)),
                    flags & cur.flags & cf::READ_ONLY,
                    None,
                    true,
                );
                for a in args.into_iter().rev() {
                    vm.push(a);
                }
                Ok(())
            },
        ),
        S::new("System.Runtime.CheckWitness", 1 << 10, cf::NONE, |h, vm| {
            let b = pop_bytes(vm)?;
            let hash = match b.len() {
                20 => UInt160::from_slice(&b).unwrap_or_default(),
                33 => {
                    if !crate::crypto::is_valid_r1_point(&b) {
                        return Err(fault("CheckWitness: invalid public key"));
                    }
                    UInt160(hash160(&signature_redeem_script(&b)))
                }
                n => {
                    return Err(fault(format!(
                        "CheckWitness: invalid hashOrPubkey of {n} bytes"
                    )))
                }
            };
            let r = h.check_witness(vm, &hash)?;
            vm.push(StackItem::Boolean(r));
            Ok(())
        }),
        S::new(
            "System.Runtime.GetInvocationCounter",
            1 << 4,
            cf::NONE,
            |h, vm| {
                let hash = h.current(vm)?.script_hash;
                let c = *h.invocation_counters.entry(hash).or_insert(1);
                vm.push(StackItem::int(c as i64));
                Ok(())
            },
        ),
        S::new("System.Runtime.GetRandom", 0, cf::NONE, |h, vm| {
            h.add_cpu_fee(1 << 13)?;
            let b = h.next_random();
            let mut le = b.to_vec();
            le.push(0); // unsigned
            let v = Int::from_le_bytes(&le).ok_or_else(|| fault("GetRandom overflow"))?;
            vm.push(StackItem::Integer(v));
            Ok(())
        }),
        S::new("System.Runtime.Log", 1 << 15, cf::ALLOW_NOTIFY, |h, vm| {
            let b = pop_bytes(vm)?;
            if b.len() > 1024 {
                return Err(fault("Message is too long."));
            }
            let message = String::from_utf8(b)
                .map_err(|_| fault("Failed to convert byte array to string: invalid UTF-8."))?;
            let contract = h.current(vm)?.script_hash;
            h.logs.push(LogEntry { contract, message });
            Ok(())
        }),
        S::new(
            "System.Runtime.Notify",
            1 << 15,
            cf::ALLOW_NOTIFY,
            |h, vm| {
                let name = pop_bytes(vm)?;
                let state = vm.pop()?;
                h.runtime_notify(vm, &name, state)
            },
        ),
        S::new(
            "System.Runtime.GetNotifications",
            1 << 12,
            cf::NONE,
            |h, vm| {
                let filter = match vm.pop()? {
                    StackItem::Null => None,
                    x => Some(
                        UInt160::from_slice(&x.to_bytes()?)
                            .ok_or_else(|| fault("GetNotifications: invalid hash"))?,
                    ),
                };
                let list: Vec<StackItem> = h
                    .notifications
                    .iter()
                    .filter(|n| filter.is_none_or(|f| f == n.contract))
                    .map(|n| {
                        StackItem::array(vec![
                            hash_item(&n.contract),
                            StackItem::bytes(n.event.as_bytes()),
                            n.state.clone(),
                        ])
                    })
                    .collect();
                if list.len() > 2048 {
                    return Err(fault("Too many notifications"));
                }
                vm.push(StackItem::array(list));
                Ok(())
            },
        ),
        S::new("System.Runtime.GasLeft", 1 << 4, cf::NONE, |h, vm| {
            vm.push(StackItem::int(h.gas_limit - h.gas_consumed));
            Ok(())
        }),
        S::new("System.Runtime.BurnGas", 1 << 4, cf::NONE, |h, vm| {
            let d = pop_i64(vm)?;
            if d <= 0 {
                return Err(fault("GAS must be positive."));
            }
            h.add_fee(d)
        }),
        S::new(
            "System.Runtime.CurrentSigners",
            1 << 4,
            cf::NONE,
            |h, vm| {
                let item = match &h.container {
                    Some(tx) => {
                        StackItem::array(tx.signers.iter().map(|s| s.to_stack_item()).collect())
                    }
                    None => StackItem::Null,
                };
                vm.push(item);
                Ok(())
            },
        ),
        // ---------------- storage
        S::new(
            "System.Storage.GetContext",
            1 << 4,
            cf::READ_STATES,
            |h, vm| {
                let c = current_context(h, vm, false)?;
                vm.push(interop("StorageContext", Rc::new(c)));
                Ok(())
            },
        ),
        S::new(
            "System.Storage.GetReadOnlyContext",
            1 << 4,
            cf::READ_STATES,
            |h, vm| {
                let c = current_context(h, vm, true)?;
                vm.push(interop("StorageContext", Rc::new(c)));
                Ok(())
            },
        ),
        S::new(
            "System.Storage.AsReadOnly",
            1 << 4,
            cf::READ_STATES,
            |_, vm| {
                let mut c = pop_ctx(vm)?;
                c.read_only = true;
                vm.push(interop("StorageContext", Rc::new(c)));
                Ok(())
            },
        ),
        S::new("System.Storage.Get", 1 << 15, cf::READ_STATES, |h, vm| {
            let c = pop_ctx(vm)?;
            let k = pop_bytes(vm)?;
            storage_get(h, vm, c, k)
        }),
        S::new("System.Storage.Find", 1 << 15, cf::READ_STATES, |h, vm| {
            let c = pop_ctx(vm)?;
            let p = pop_bytes(vm)?;
            let o = pop_i64(vm)?;
            storage_find(h, vm, c, p, o)
        }),
        S::new("System.Storage.Put", 1 << 15, cf::WRITE_STATES, |h, vm| {
            let c = pop_ctx(vm)?;
            let k = pop_bytes(vm)?;
            let v = pop_bytes(vm)?;
            storage_put(h, c, k, v)
        }),
        S::new(
            "System.Storage.Delete",
            1 << 15,
            cf::WRITE_STATES,
            |h, vm| {
                let c = pop_ctx(vm)?;
                let k = pop_bytes(vm)?;
                storage_delete(h, c, k)
            },
        ),
        S::new(
            "System.Storage.Local.Get",
            1 << 15,
            cf::READ_STATES,
            |h, vm| {
                let c = current_context(h, vm, true)?;
                let k = pop_bytes(vm)?;
                storage_get(h, vm, c, k)
            },
        ),
        S::new(
            "System.Storage.Local.Find",
            1 << 15,
            cf::READ_STATES,
            |h, vm| {
                let c = current_context(h, vm, true)?;
                let p = pop_bytes(vm)?;
                let o = pop_i64(vm)?;
                storage_find(h, vm, c, p, o)
            },
        ),
        S::new(
            "System.Storage.Local.Put",
            1 << 15,
            cf::WRITE_STATES,
            |h, vm| {
                let c = current_context(h, vm, false)?;
                let k = pop_bytes(vm)?;
                let v = pop_bytes(vm)?;
                storage_put(h, c, k, v)
            },
        ),
        S::new(
            "System.Storage.Local.Delete",
            1 << 15,
            cf::WRITE_STATES,
            |h, vm| {
                let c = current_context(h, vm, false)?;
                let k = pop_bytes(vm)?;
                storage_delete(h, c, k)
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_spec() {
        let table = standard();
        for (id, name) in xvm_neovm::syscalls::SYSCALLS {
            if name.contains("Persist") {
                continue;
            }
            let s = table
                .iter()
                .find(|s| s.name == *name)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(s.hash, *id, "{name}");
        }
        assert_eq!(table.len(), 39);
    }

    #[test]
    fn put_fees() {
        assert_eq!(put_fee_bytes(5, None, 3), 8);
        assert_eq!(put_fee_bytes(5, Some(b"abc"), 0), 0);
        assert_eq!(put_fee_bytes(5, Some(b"abcdefgh"), 5), 2);
        assert_eq!(put_fee_bytes(5, Some(b""), 5), 5);
        assert_eq!(put_fee_bytes(5, Some(b"abcde"), 9), 2 + 4);
    }

    #[test]
    fn find_option_rules() {
        for ok in [
            0x00, 0x01, 0x03, 0x04, 0x08, 0x18, 0x28, 0x0c, 0x1c, 0x80, 0x83,
        ] {
            assert!(check_find_options(ok).is_ok(), "{ok:#x}");
        }
        for bad in [0x40, 0x05, 0x09, 0x06, 0x38, 0x10, 0x20, 0x11] {
            assert!(check_find_options(bad).is_err(), "{bad:#x}");
        }
    }
}
