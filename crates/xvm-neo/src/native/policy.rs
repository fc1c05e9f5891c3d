//! PolicyContract (id -7): the getters (fee per byte, exec fee factor, storage price, attribute
//! fee, isBlocked). Setters are committee-only in Neo; xvm has no committee, so there are none.

use super::{arg_hash, native_key, NativeContract, NativeMethod, NativeResult};
use crate::state::DataCache;
use crate::types::{call_flags as cf, ParamType as T, UInt160};
use xvm_neovm::error::fault;
use xvm_neovm::StackItem;

/// PolicyContract's id.
pub const ID: i32 = -7;
const PREFIX_BLOCKED: u8 = 15;

/// Blocks a contract (ContractManagement.destroy does this).
pub fn block(cache: &mut DataCache<'_>, hash: &UInt160) {
    cache.put(native_key(ID, PREFIX_BLOCKED, &hash.0), Vec::new());
}

/// Whether `hash` is blocked.
pub fn is_blocked(cache: &DataCache<'_>, hash: &UInt160) -> Result<bool, String> {
    Ok(cache
        .get(&native_key(ID, PREFIX_BLOCKED, &hash.0))?
        .is_some())
}

/// The native.
pub fn contract() -> NativeContract {
    let rs = cf::READ_STATES;
    NativeContract::new(
        "PolicyContract",
        ID,
        vec![
            NativeMethod::new(
                "getFeePerByte",
                &[],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, _| NativeResult::value(StackItem::int(h.settings.fee_per_byte)),
            ),
            NativeMethod::new(
                "getExecFeeFactor",
                &[],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, _| NativeResult::value(StackItem::int(h.settings.exec_fee_factor)),
            ),
            NativeMethod::new(
                "getStoragePrice",
                &[],
                T::Integer,
                1 << 15,
                rs,
                |h, _, _, _| NativeResult::value(StackItem::int(h.settings.storage_price)),
            ),
            NativeMethod::new(
                "getAttributeFee",
                &[("attributeType", T::Integer)],
                T::Integer,
                1 << 15,
                rs,
                |_, _, _, _| NativeResult::value(StackItem::int(0i64)),
            ),
            NativeMethod::new(
                "isBlocked",
                &[("account", T::Hash160)],
                T::Boolean,
                1 << 15,
                rs,
                |h, _, _, a| {
                    let hash = arg_hash(&a, 0)?;
                    NativeResult::value(StackItem::Boolean(
                        is_blocked(&h.cache, &hash).map_err(fault)?,
                    ))
                },
            ),
        ],
    )
}
