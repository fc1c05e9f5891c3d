//! NeoToken (id -5) and GasToken (id -6) as NEP-17 tokens: symbol, decimals, totalSupply,
//! balanceOf, transfer (Transfer events and onNEP17Payment callbacks).
//!
//! Simplified: xvm does not model NEO governance, so NEO transfers distribute no GAS rewards
//! (there is no block reward or voting); NEO balances are plain balances.

use super::{
    arg_hash, arg_int, native_key, Callback, NativeCall, NativeContract, NativeMethod, NativeResult,
};
use crate::binary::{deserialize, int_bytes, serialize};
use crate::host::{Host, Notification};
use crate::state::DataCache;
use crate::types::{call_flags as cf, ParamType as T, UInt160};
use xvm_neovm::engine::ExecutionEngine;
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::{Int, StackItem};

/// NeoToken's id.
pub const NEO_ID: i32 = -5;
/// GasToken's id.
pub const GAS_ID: i32 = -6;
const PREFIX_ACCOUNT: u8 = 20;
const PREFIX_TOTAL_SUPPLY: u8 = 11;

/// A balance.
pub fn balance(cache: &DataCache<'_>, id: i32, account: &UInt160) -> Result<Int, String> {
    match cache.get(&native_key(id, PREFIX_ACCOUNT, &account.0))? {
        None => Ok(Int::ZERO),
        Some(b) => match deserialize(&b)? {
            StackItem::Struct(s) | StackItem::Array(s) => s
                .items()
                .first()
                .and_then(|x| x.to_int().ok())
                .ok_or_else(|| "corrupt balance".to_string()),
            _ => Err("corrupt balance".into()),
        },
    }
}

fn set_balance(cache: &mut DataCache<'_>, id: i32, account: &UInt160, v: Int) {
    let k = native_key(id, PREFIX_ACCOUNT, &account.0);
    if v.is_zero() {
        cache.delete(k);
        return;
    }
    let item = if id == NEO_ID {
        StackItem::new_struct(vec![
            StackItem::Integer(v),
            StackItem::int(0i64),
            StackItem::Null,
            StackItem::int(0i64),
        ])
    } else {
        StackItem::new_struct(vec![StackItem::Integer(v)])
    };
    cache.put(k, serialize(&item).unwrap_or_default());
}

/// Total supply.
pub fn total_supply(cache: &DataCache<'_>, id: i32) -> Result<Int, String> {
    Ok(cache
        .get(&native_key(id, PREFIX_TOTAL_SUPPLY, &[]))?
        .and_then(|b| Int::from_le_bytes(&b))
        .unwrap_or(Int::ZERO))
}

/// Mints `amount` to `account` (genesis, oracle fees); no event (callers emit one if needed).
pub fn mint(
    cache: &mut DataCache<'_>,
    id: i32,
    account: &UInt160,
    amount: Int,
) -> Result<(), String> {
    let b = balance(cache, id, account)?
        .checked_add(amount)
        .ok_or("overflow")?;
    set_balance(cache, id, account, b);
    let t = total_supply(cache, id)?
        .checked_add(amount)
        .ok_or("overflow")?;
    cache.put(native_key(id, PREFIX_TOTAL_SUPPLY, &[]), int_bytes(t));
    Ok(())
}

/// Burns `amount` from `account` (fees); fails if the balance is too small.
pub fn burn(
    cache: &mut DataCache<'_>,
    id: i32,
    account: &UInt160,
    amount: Int,
) -> Result<(), String> {
    let b = balance(cache, id, account)?;
    let nb = b
        .checked_sub(amount)
        .filter(|x| !x.is_negative())
        .ok_or_else(|| format!("insufficient GAS: {account} has {b} datoshi, {amount} needed"))?;
    set_balance(cache, id, account, nb);
    let t = total_supply(cache, id)?
        .checked_sub(amount)
        .ok_or("underflow")?;
    cache.put(native_key(id, PREFIX_TOTAL_SUPPLY, &[]), int_bytes(t));
    Ok(())
}

fn transfer(
    id: i32,
    host: &mut Host<'_>,
    vm: &mut ExecutionEngine,
    call: &NativeCall,
    args: Vec<StackItem>,
) -> Result<NativeResult, VmError> {
    let from = arg_hash(&args, 0)?;
    let to = arg_hash(&args, 1)?;
    let amount = arg_int(&args, 2)?;
    let data = args.get(3).cloned().unwrap_or(StackItem::Null);
    if amount.is_negative() {
        return Err(fault("The amount must be a positive number."));
    }
    if from != call.caller && !host.check_witness_native(vm, call, &from)? {
        return NativeResult::value(StackItem::Boolean(false));
    }
    if !amount.is_zero() {
        let bf = balance(&host.cache, id, &from).map_err(fault)?;
        if bf < amount {
            return NativeResult::value(StackItem::Boolean(false));
        }
        if from != to {
            set_balance(
                &mut host.cache,
                id,
                &from,
                bf.checked_sub(amount).unwrap_or_default(),
            );
            let bt = balance(&host.cache, id, &to).map_err(fault)?;
            set_balance(
                &mut host.cache,
                id,
                &to,
                bt.checked_add(amount).ok_or_else(|| fault("overflow"))?,
            );
        }
    }
    host.push_notification(Notification {
        contract: call.native,
        event: "Transfer".into(),
        state: StackItem::array(vec![
            StackItem::bytes(&from.0),
            StackItem::bytes(&to.0),
            StackItem::Integer(amount),
        ]),
    })?;
    let callback = if host.get_contract(&to)?.is_some() {
        Some(Callback {
            contract: to,
            method: "onNEP17Payment".into(),
            args: vec![StackItem::bytes(&from.0), StackItem::Integer(amount), data],
            then_notify: None,
            required: true,
        })
    } else {
        None
    };
    Ok(NativeResult {
        value: Some(StackItem::Boolean(true)),
        callback,
    })
}

fn token(name: &str, id: i32, symbol: &'static str, decimals: i64) -> NativeContract {
    let mut n = NativeContract::new(
        name,
        id,
        vec![
            NativeMethod::new("symbol", &[], T::String, 0, cf::NONE, move |_, _, _, _| {
                NativeResult::value(StackItem::bytes(symbol.as_bytes()))
            }),
            NativeMethod::new(
                "decimals",
                &[],
                T::Integer,
                0,
                cf::NONE,
                move |_, _, _, _| NativeResult::value(StackItem::int(decimals)),
            ),
            NativeMethod::new(
                "totalSupply",
                &[],
                T::Integer,
                1 << 15,
                cf::READ_STATES,
                move |h, _, _, _| {
                    NativeResult::value(StackItem::Integer(
                        total_supply(&h.cache, id).map_err(fault)?,
                    ))
                },
            ),
            NativeMethod::new(
                "balanceOf",
                &[("account", T::Hash160)],
                T::Integer,
                1 << 15,
                cf::READ_STATES,
                move |h, _, _, a| {
                    let acc = arg_hash(&a, 0)?;
                    NativeResult::value(StackItem::Integer(
                        balance(&h.cache, id, &acc).map_err(fault)?,
                    ))
                },
            ),
            NativeMethod::new(
                "transfer",
                &[
                    ("from", T::Hash160),
                    ("to", T::Hash160),
                    ("amount", T::Integer),
                    ("data", T::Any),
                ],
                T::Boolean,
                1 << 17,
                cf::STATES | cf::ALLOW_CALL | cf::ALLOW_NOTIFY,
                move |h, vm, c, a| transfer(id, h, vm, c, a),
            )
            .storage_fee(50),
        ],
    );
    n.events = vec![(
        "Transfer".into(),
        vec![
            ("from".into(), T::Hash160),
            ("to".into(), T::Hash160),
            ("amount".into(), T::Integer),
        ],
    )];
    n
}

/// NeoToken.
pub fn neo() -> NativeContract {
    token("NeoToken", NEO_ID, "NEO", 0)
}

/// GasToken.
pub fn gas() -> NativeContract {
    token("GasToken", GAS_ID, "GAS", 8)
}
