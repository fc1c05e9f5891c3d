//! ContractManagement (id -1): deploy, update, destroy, getContract, hasMethod, ...

use super::{
    arg_bytes, arg_hash, arg_i64, arg_string, native_key, Callback, NativeContract, NativeMethod,
    NativeResult,
};
use crate::contract::{check_script, contract_hash, ContractState};
use crate::host::{Host, Notification};
use crate::manifest::Manifest;
use crate::nef::{Nef, MAX_SCRIPT};
use crate::state::DataCache;
use crate::types::{call_flags as cf, ParamType as T, UInt160};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::StackItem;

/// ContractManagement's id.
pub const ID: i32 = -1;
const PREFIX_CONTRACT: u8 = 8;
const PREFIX_HASH_BY_ID: u8 = 12;
const PREFIX_NEXT_ID: u8 = 15;
/// Minimum deployment fee (10 GAS).
pub const MIN_DEPLOY_FEE: i64 = 10_00000000;

/// The stored contract at `hash`.
pub fn get_contract(
    cache: &DataCache<'_>,
    hash: &UInt160,
) -> Result<Option<ContractState>, String> {
    match cache.get(&native_key(ID, PREFIX_CONTRACT, &hash.0))? {
        Some(b) => ContractState::from_bytes(&b).map(Some),
        None => Ok(None),
    }
}

/// Every deployed contract, by id.
pub fn list_contracts(cache: &DataCache<'_>) -> Result<Vec<ContractState>, String> {
    let mut out: Vec<ContractState> = cache
        .find(&native_key(ID, PREFIX_CONTRACT, &[]))?
        .into_iter()
        .map(|(_, v)| ContractState::from_bytes(&v))
        .collect::<Result<_, _>>()?;
    out.sort_by_key(|c| c.id);
    Ok(out)
}

fn store(cache: &mut DataCache<'_>, c: &ContractState) {
    cache.put(native_key(ID, PREFIX_CONTRACT, &c.hash.0), c.to_bytes());
    cache.put(
        native_key(ID, PREFIX_HASH_BY_ID, &c.id.to_be_bytes()),
        c.hash.0.to_vec(),
    );
}

fn next_id(cache: &mut DataCache<'_>) -> Result<i32, VmError> {
    let k = native_key(ID, PREFIX_NEXT_ID, &[]);
    let cur = match cache.get(&k).map_err(fault)? {
        Some(b) => xvm_neovm::Int::from_le_bytes(&b)
            .and_then(|i| i.to_i32())
            .unwrap_or(1),
        None => 1,
    };
    cache.put(
        k,
        crate::binary::int_bytes(xvm_neovm::Int::from((cur + 1) as i64)),
    );
    Ok(cur)
}

/// Parses and checks a NEF and manifest pair as deploy does; errors are one-line messages.
pub fn validate(nef_bytes: &[u8], manifest_bytes: &[u8]) -> Result<(Nef, Manifest), String> {
    if nef_bytes.is_empty() || manifest_bytes.is_empty() {
        return Err("NEF and manifest must not be empty".into());
    }
    let nef = Nef::parse(nef_bytes)?;
    let text = std::str::from_utf8(manifest_bytes)
        .map_err(|_| "invalid manifest: not UTF-8".to_string())?;
    let manifest = Manifest::parse(text)?;
    if nef_bytes.len() + manifest_bytes.len() > MAX_SCRIPT + 65535 {
        return Err("NEF and manifest too large".into());
    }
    check_script(&nef, &manifest)?;
    Ok((nef, manifest))
}

fn deploy(
    host: &mut Host<'_>,
    call: &super::NativeCall,
    args: Vec<StackItem>,
) -> Result<NativeResult, VmError> {
    if call.flags != cf::ALL {
        return Err(fault("deploy needs call flags All"));
    }
    let tx = host
        .container
        .as_ref()
        .ok_or_else(|| fault("deploy needs a transaction as script container"))?;
    let sender = tx.sender();
    let nef_bytes = arg_bytes(&args, 0)?;
    let manifest_bytes = arg_bytes(&args, 1)?;
    let fee = (host.settings.storage_price * (nef_bytes.len() + manifest_bytes.len()) as i64)
        .max(MIN_DEPLOY_FEE);
    host.add_fee(fee)?;
    let (nef, manifest) = validate(&nef_bytes, &manifest_bytes).map_err(fault)?;
    let hash = contract_hash(&sender, nef.checksum, &manifest.name);
    manifest.check_groups(&hash).map_err(fault)?;
    if host.platform.native_by_hash(&hash).is_some()
        || get_contract(&host.cache, &hash).map_err(fault)?.is_some()
    {
        return Err(fault(format!("Contract Already Exists: {hash}")));
    }
    let id = next_id(&mut host.cache)?;
    let state = ContractState {
        id,
        update_counter: 0,
        hash,
        nef,
        manifest,
    };
    store(&mut host.cache, &state);
    let data = args.get(2).cloned().unwrap_or(StackItem::Null);
    let ev = Notification {
        contract: call.native,
        event: "Deploy".into(),
        state: StackItem::array(vec![StackItem::bytes(&hash.0)]),
    };
    Ok(NativeResult {
        value: Some(state.to_stack_item()),
        callback: Some(Callback {
            contract: hash,
            method: "_deploy".into(),
            args: vec![data, StackItem::Boolean(false)],
            then_notify: Some(ev),
            required: false,
        }),
    })
}

fn update(
    host: &mut Host<'_>,
    call: &super::NativeCall,
    args: Vec<StackItem>,
) -> Result<NativeResult, VmError> {
    let nef_b = match &args[0] {
        StackItem::Null => None,
        x => Some(x.to_bytes()?),
    };
    let man_b = match &args[1] {
        StackItem::Null => None,
        x => Some(x.to_bytes()?),
    };
    if nef_b.is_none() && man_b.is_none() {
        return Err(fault(
            "update: the NEF and the manifest cannot both be null",
        ));
    }
    let len = nef_b.as_ref().map_or(0, Vec::len) + man_b.as_ref().map_or(0, Vec::len);
    host.add_fee(host.settings.storage_price * len as i64)?;
    let mut c = get_contract(&host.cache, &call.caller)
        .map_err(fault)?
        .ok_or_else(|| fault(format!("Updating Contract Does Not Exist: {}", call.caller)))?;
    if c.update_counter == u16::MAX {
        return Err(fault("The contract reached the maximum number of updates."));
    }
    if let Some(b) = &nef_b {
        c.nef = Nef::parse(b).map_err(fault)?;
    }
    if let Some(b) = &man_b {
        let text = std::str::from_utf8(b).map_err(|_| fault("invalid manifest: not UTF-8"))?;
        let m = Manifest::parse(text).map_err(fault)?;
        if m.name != c.manifest.name {
            return Err(fault("The name of the contract can't be changed."));
        }
        m.check_groups(&c.hash).map_err(fault)?;
        c.manifest = m;
    }
    check_script(&c.nef, &c.manifest).map_err(fault)?;
    c.update_counter += 1;
    store(&mut host.cache, &c);
    let data = args.get(2).cloned().unwrap_or(StackItem::Null);
    let ev = Notification {
        contract: call.native,
        event: "Update".into(),
        state: StackItem::array(vec![StackItem::bytes(&c.hash.0)]),
    };
    Ok(NativeResult {
        value: None,
        callback: Some(Callback {
            contract: c.hash,
            method: "_deploy".into(),
            args: vec![data, StackItem::Boolean(true)],
            then_notify: Some(ev),
            required: false,
        }),
    })
}

fn destroy(host: &mut Host<'_>, call: &super::NativeCall) -> Result<NativeResult, VmError> {
    let Some(c) = get_contract(&host.cache, &call.caller).map_err(fault)? else {
        return NativeResult::void();
    };
    host.cache
        .delete(native_key(ID, PREFIX_CONTRACT, &c.hash.0));
    host.cache
        .delete(native_key(ID, PREFIX_HASH_BY_ID, &c.id.to_be_bytes()));
    for (k, _) in host.cache.find(&c.id.to_le_bytes()).map_err(fault)? {
        host.cache.delete(k);
    }
    super::policy::block(&mut host.cache, &c.hash);
    host.push_notification(Notification {
        contract: call.native,
        event: "Destroy".into(),
        state: StackItem::array(vec![StackItem::bytes(&c.hash.0)]),
    })?;
    NativeResult::void()
}

/// The native.
pub fn contract() -> NativeContract {
    let st = cf::STATES | cf::ALLOW_NOTIFY;
    let mut n = NativeContract::new(
        "ContractManagement",
        ID,
        vec![
            NativeMethod::new(
                "deploy",
                &[("nefFile", T::ByteArray), ("manifest", T::ByteArray)],
                T::Array,
                0,
                st,
                |h, _, c, a| deploy(h, c, a),
            ),
            NativeMethod::new(
                "deploy",
                &[
                    ("nefFile", T::ByteArray),
                    ("manifest", T::ByteArray),
                    ("data", T::Any),
                ],
                T::Array,
                0,
                st,
                |h, _, c, a| deploy(h, c, a),
            ),
            NativeMethod::new(
                "update",
                &[("nefFile", T::ByteArray), ("manifest", T::ByteArray)],
                T::Void,
                0,
                st,
                |h, _, c, a| update(h, c, a),
            ),
            NativeMethod::new(
                "update",
                &[
                    ("nefFile", T::ByteArray),
                    ("manifest", T::ByteArray),
                    ("data", T::Any),
                ],
                T::Void,
                0,
                st,
                |h, _, c, a| update(h, c, a),
            ),
            NativeMethod::new("destroy", &[], T::Void, 1 << 15, st, |h, _, c, _| {
                destroy(h, c)
            }),
            NativeMethod::new(
                "getContract",
                &[("hash", T::Hash160)],
                T::Array,
                1 << 15,
                cf::READ_STATES,
                |h, _, _, a| {
                    let hash = arg_hash(&a, 0)?;
                    NativeResult::value(match get_contract(&h.cache, &hash).map_err(fault)? {
                        Some(c) => c.to_stack_item(),
                        None => StackItem::Null,
                    })
                },
            ),
            NativeMethod::new(
                "getContractById",
                &[("id", T::Integer)],
                T::Array,
                1 << 15,
                cf::READ_STATES,
                |h, _, _, a| {
                    let id = arg_i64(&a, 0)? as i32;
                    let hash = h
                        .cache
                        .get(&native_key(ID, PREFIX_HASH_BY_ID, &id.to_be_bytes()))
                        .map_err(fault)?;
                    let c = match hash.and_then(|b| UInt160::from_slice(&b)) {
                        Some(hash) => get_contract(&h.cache, &hash).map_err(fault)?,
                        None => None,
                    };
                    NativeResult::value(c.map_or(StackItem::Null, |c| c.to_stack_item()))
                },
            ),
            NativeMethod::new(
                "getContractHashes",
                &[],
                T::InteropInterface,
                1 << 15,
                cf::READ_STATES,
                |h, _, _, _| {
                    // Struct[id (4 bytes BE), hash] per user contract (ids >= 0), by id.
                    let entries: Vec<(Vec<u8>, Vec<u8>)> = h
                        .cache
                        .find(&native_key(ID, PREFIX_HASH_BY_ID, &[]))
                        .map_err(fault)?
                        .into_iter()
                        .map(|(k, v)| (k[4..].to_vec(), v))
                        .filter(|(k, _)| k.len() == 5 && k[1] & 0x80 == 0)
                        .collect();
                    let it = crate::syscalls::StorageIterator::new(
                        entries,
                        1,
                        crate::syscalls::find::REMOVE_PREFIX,
                    );
                    NativeResult::value(crate::syscalls::interop(
                        "StorageIterator",
                        std::rc::Rc::new(std::cell::RefCell::new(it)),
                    ))
                },
            ),
            NativeMethod::new(
                "getMinimumDeploymentFee",
                &[],
                T::Integer,
                1 << 15,
                cf::READ_STATES,
                |_, _, _, _| NativeResult::value(StackItem::int(MIN_DEPLOY_FEE)),
            ),
            NativeMethod::new(
                "hasMethod",
                &[
                    ("hash", T::Hash160),
                    ("method", T::String),
                    ("pcount", T::Integer),
                ],
                T::Boolean,
                1 << 15,
                cf::READ_STATES,
                |h, _, _, a| {
                    let hash = arg_hash(&a, 0)?;
                    let method = arg_string(&a, 1)?;
                    let pcount = arg_i64(&a, 2)?;
                    let has = get_contract(&h.cache, &hash)
                        .map_err(fault)?
                        .is_some_and(|c| {
                            c.manifest
                                .method(
                                    &method,
                                    if pcount < 0 {
                                        None
                                    } else {
                                        Some(pcount as usize)
                                    },
                                )
                                .is_some()
                        });
                    NativeResult::value(StackItem::Boolean(has))
                },
            ),
            NativeMethod::new(
                "isContract",
                &[("hash", T::Hash160)],
                T::Boolean,
                1 << 14,
                cf::READ_STATES,
                |h, _, _, a| {
                    let hash = arg_hash(&a, 0)?;
                    let is = h.platform.native_by_hash(&hash).is_some()
                        || get_contract(&h.cache, &hash).map_err(fault)?.is_some();
                    NativeResult::value(StackItem::Boolean(is))
                },
            ),
        ],
    );
    n.events = vec![
        ("Deploy".into(), vec![("Hash".into(), T::Hash160)]),
        ("Update".into(), vec![("Hash".into(), T::Hash160)]),
        ("Destroy".into(), vec![("Hash".into(), T::Hash160)]),
    ];
    n
}
