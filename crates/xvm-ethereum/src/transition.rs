//! Applying one transaction to a pre-state: buy gas, warm-up, EIP-7702 authorizations, the
//! top-level message, refunds, the coinbase tip.

use crate::host::{create_address, delegate_of, Evm};
use crate::state::{Log, PreState, State};
use crate::tx::{recover_authority, validate, BlockEnv, Transaction, TxError, TxType};
use alloy_primitives::{B256, U256};
use xvm_evm::{CallKind, Host, Message, Revision, StatusCode, TxContext, Vm};

/// The outcome of an executed (valid) transaction.
pub struct TxOutcome<'a> {
    /// Status of the top-level frame.
    pub status: StatusCode,
    /// Gas used after refunds (and the EIP-7623 floor).
    pub gas_used: u64,
    /// Output of the top-level frame.
    pub output: alloy_primitives::Bytes,
    /// Logs.
    pub logs: Vec<Log>,
    /// The state after the transaction (end-of-transaction rules are applied when hashing).
    pub state: State<'a>,
}

/// The transaction context the engine sees.
pub fn tx_context(
    block: &BlockEnv,
    tx: &Transaction,
    rev: Revision,
    gas_price: U256,
    blob_base_fee: U256,
) -> TxContext {
    let prev_randao = match block.prev_randao {
        Some(r) if rev >= Revision::Paris => r,
        _ => B256::from(block.difficulty.to_be_bytes::<32>()),
    };
    TxContext {
        gas_price,
        origin: tx.sender,
        coinbase: block.coinbase,
        number: block.number.min(i64::MAX as u64) as i64,
        timestamp: block.timestamp.min(i64::MAX as u64) as i64,
        gas_limit: block.gas_limit.min(i64::MAX as u64) as i64,
        prev_randao,
        chain_id: U256::from(block.chain_id),
        base_fee: if rev >= Revision::London {
            block.base_fee
        } else {
            U256::ZERO
        },
        blob_base_fee,
        blob_hashes: tx.blob_hashes.clone(),
    }
}

/// Validates and executes `tx` on `pre` in revision `rev`, running code with `vm`.
pub fn execute_transaction<'a, V: Vm>(
    pre: &'a PreState,
    block: &BlockEnv,
    tx: &Transaction,
    rev: Revision,
    vm: &'a V,
) -> Result<TxOutcome<'a>, TxError> {
    let props = validate(tx, rev, block, pre)?;
    let ctx = tx_context(
        block,
        tx,
        rev,
        props.effective_gas_price,
        props.blob_base_fee,
    );
    let mut evm = Evm::new(State::new(pre), vm, rev, ctx);
    let sender = tx.sender;
    let tx_nonce = u64::try_from(tx.nonce).map_err(|_| TxError::Malformed("nonce".into()))?;

    // Buy gas, bump the nonce.
    {
        let st = &mut evm.state;
        st.set_nonce(&sender, tx_nonce + 1);
        let cost = U256::from(props.gas_limit) * props.effective_gas_price;
        let blob_fee =
            U256::from(tx.blob_hashes.len() as u64 * crate::tx::GAS_PER_BLOB) * props.blob_base_fee;
        let ok = st.sub_balance(&sender, cost) && st.sub_balance(&sender, blob_fee);
        if !ok {
            return Err(TxError::InsufficientFunds);
        }
    }

    let recipient = tx.to.unwrap_or_else(|| create_address(&sender, tx_nonce));
    if rev >= Revision::Berlin {
        evm.state.warm_account(&sender);
        evm.state.warm_account(&recipient);
        for (addr, keys) in &tx.access_list {
            evm.access_account(addr);
            for k in keys {
                evm.access_storage(addr, k);
            }
        }
        if rev >= Revision::Shanghai {
            evm.state.warm_account(&block.coinbase);
        }
    }

    // EIP-7702 authorizations.
    let mut auth_refund: i64 = 0;
    if tx.ty == TxType::SetCode {
        for auth in &tx.authorizations {
            if !auth.chain_id.is_zero() && auth.chain_id != U256::from(block.chain_id) {
                continue;
            }
            if auth.nonce >= U256::from(u64::MAX) {
                continue;
            }
            let Some(authority) = recover_authority(auth) else {
                continue;
            };
            evm.state.warm_account(&authority);
            let acc = evm.state.load(&authority);
            if let Some(code) = &acc.code {
                if delegate_of(code.code()).is_none() {
                    continue;
                }
            }
            if U256::from(acc.nonce) != auth.nonce {
                continue;
            }
            // "Exists in the trie": an account that is EIP-161 empty but has storage counts.
            if acc.exists {
                auth_refund += 25_000 - 12_500;
            }
            let nonce = acc.nonce;
            if auth.address.is_zero() {
                evm.state.set_code(&authority, &[]);
            } else {
                let mut code = crate::host::DELEGATION_PREFIX.to_vec();
                code.extend_from_slice(auth.address.as_slice());
                evm.state.set_code(&authority, &code);
            }
            evm.state.set_nonce(&authority, nonce + 1);
            evm.state.touch(&authority);
        }
    }

    let mut msg = Message {
        kind: if tx.to.is_some() {
            CallKind::Call
        } else {
            CallKind::Create
        },
        is_static: false,
        delegated: false,
        depth: 0,
        gas: (props.gas_limit - props.intrinsic_gas) as i64,
        recipient,
        sender,
        input: tx.data.clone(),
        value: tx.value,
        salt: B256::ZERO,
        code_address: recipient,
    };
    if rev >= Revision::Prague && tx.to.is_some() {
        let code = evm.state.find(&recipient).and_then(|a| a.code.clone());
        if let Some(delegate) = code.as_deref().and_then(|c| delegate_of(c.code())) {
            msg.code_address = delegate;
            msg.delegated = true;
            evm.state.warm_account(&delegate);
        }
    }

    let res = evm.call(&msg);
    let gas_left = match res.status {
        StatusCode::Success | StatusCode::Revert => res.gas_left.max(0) as u64,
        _ => 0,
    };
    let refund = if res.status == StatusCode::Success {
        res.gas_refund
    } else {
        0
    } + auth_refund;
    let gas_used_before_refund = props.gas_limit - gas_left;
    let quotient = if rev >= Revision::London { 5 } else { 2 };
    let refund = (refund.max(0) as u64).min(gas_used_before_refund / quotient);
    let gas_used = (gas_used_before_refund - refund).max(props.floor_gas);

    let st = &mut evm.state;
    st.add_balance(
        &sender,
        U256::from(props.gas_limit - gas_used) * props.effective_gas_price,
    );
    st.add_balance(&block.coinbase, U256::from(gas_used) * props.priority_fee);
    st.touch(&block.coinbase);

    let Evm { state, logs, .. } = evm;
    Ok(TxOutcome {
        status: res.status,
        gas_used,
        output: res.output,
        logs,
        state,
    })
}
