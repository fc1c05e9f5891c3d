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
    /// The refund granted, capped by EIP-3529's quotient (before the EIP-7623 floor applies).
    pub gas_refund: u64,
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

/// What a caller can plug into a transaction's execution beyond the state-test defaults.
#[derive(Default)]
pub struct TxHooks<'a> {
    /// BLOCKHASH answers (the engine asks only for the 256 blocks before the current one);
    /// `None`: the state tests' keccak256 of the decimal number.
    pub block_hash: Option<&'a dyn Fn(u64) -> B256>,
    /// Receives every step of every frame (e.g. an EIP-3155 tracer).
    pub tracer: Option<Box<dyn xvm_evm::Tracer + 'a>>,
}

/// Validates and executes `tx` on `pre` in revision `rev`, running code with `vm`.
pub fn execute_transaction<'a, V: Vm>(
    pre: &'a PreState,
    block: &BlockEnv,
    tx: &Transaction,
    rev: Revision,
    vm: &'a V,
) -> Result<TxOutcome<'a>, TxError> {
    execute_transaction_with(pre, block, tx, rev, vm, TxHooks::default())
}

/// [`execute_transaction`] with block hashes and a tracer of the caller's.
pub fn execute_transaction_with<'a, V: Vm>(
    pre: &'a PreState,
    block: &BlockEnv,
    tx: &Transaction,
    rev: Revision,
    vm: &'a V,
    hooks: TxHooks<'a>,
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
    evm.block_hash = hooks.block_hash;
    evm.tracer = hooks.tracer;
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
    let gas_used_before_refund = props.gas_limit.saturating_sub(gas_left);
    let quotient = if rev >= Revision::London { 5 } else { 2 };
    let refund = (refund.max(0) as u64).min(gas_used_before_refund / quotient);
    let gas_used = (gas_used_before_refund - refund).max(props.floor_gas);

    let st = &mut evm.state;
    st.add_balance(
        &sender,
        U256::from(props.gas_limit.saturating_sub(gas_used)) * props.effective_gas_price,
    );
    st.add_balance(&block.coinbase, U256::from(gas_used) * props.priority_fee);
    st.touch(&block.coinbase);

    evm.tracer = None; // flushes a buffered tracer
    let Evm { state, logs, .. } = evm;
    Ok(TxOutcome {
        status: res.status,
        gas_used,
        gas_refund: refund,
        output: res.output,
        logs,
        state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PreAccount, SlotMap};
    use crate::trie::{logs_hash, state_root};
    use alloy_primitives::{hex, Address, Bytes};
    use xvm_evm::Interpreter;

    const SENDER: Address = Address::repeat_byte(0xaa);
    const CONTRACT: Address = Address::repeat_byte(0xcc);
    const COINBASE: Address = Address::repeat_byte(0xcb);

    fn block() -> BlockEnv {
        BlockEnv {
            coinbase: COINBASE,
            gas_limit: 1_000_000_000,
            number: 1,
            timestamp: 1000,
            difficulty: U256::from(0x20000),
            prev_randao: None,
            base_fee: U256::from(10),
            excess_blob_gas: 0,
            chain_id: 1,
            blob_params: None,
        }
    }

    fn tx(to: Option<Address>, gas: u64, value: u64, data: &[u8]) -> Transaction {
        Transaction {
            ty: TxType::Legacy,
            sender: SENDER,
            to,
            nonce: U256::ZERO,
            gas_limit: U256::from(gas),
            max_fee_per_gas: U256::from(10),
            max_priority_fee_per_gas: U256::from(10),
            value: U256::from(value),
            data: Bytes::copy_from_slice(data),
            access_list: vec![],
            max_fee_per_blob_gas: U256::ZERO,
            blob_hashes: vec![],
            authorizations: vec![],
        }
    }

    fn pre_with(code: &[u8]) -> PreState {
        let mut pre = PreState::new();
        pre.insert(
            SENDER,
            PreAccount::new(0, U256::from(10u128.pow(20)), &[], SlotMap::default()),
        );
        pre.insert(
            CONTRACT,
            PreAccount::new(1, U256::ZERO, code, SlotMap::default()),
        );
        pre
    }

    #[test]
    fn value_transfer_pays_gas_and_tip() {
        let pre = pre_with(&[]);
        let target = Address::repeat_byte(0x11);
        let out = execute_transaction(
            &pre,
            &block(),
            &tx(Some(target), 50_000, 7, &[]),
            Revision::Istanbul,
            &Interpreter,
        )
        .unwrap();
        assert_eq!(out.status, StatusCode::Success);
        assert_eq!(out.gas_used, 21_000);
        let mut st = out.state;
        assert_eq!(st.load(&target).balance, U256::from(7));
        assert_eq!(st.load(&COINBASE).balance, U256::from(210_000));
        assert_eq!(
            st.load(&SENDER).balance,
            U256::from(10u128.pow(20) - 210_000 - 7)
        );
        assert_eq!(st.load(&SENDER).nonce, 1);
        assert_eq!(logs_hash(&out.logs), logs_hash(&[]));
    }

    #[test]
    fn rejected_transactions() {
        let pre = pre_with(&[]);
        let r = |t: Transaction, rev| execute_transaction(&pre, &block(), &t, rev, &Interpreter);
        assert!(matches!(
            r(tx(Some(CONTRACT), 20_000, 0, &[]), Revision::Istanbul),
            Err(TxError::IntrinsicGasTooLow { .. })
        ));
        let mut t = tx(Some(CONTRACT), 50_000, 0, &[]);
        t.nonce = U256::from(1);
        assert!(matches!(
            r(t, Revision::Istanbul),
            Err(TxError::NonceMismatch { .. })
        ));
        let mut t = tx(Some(CONTRACT), 50_000, 0, &[]);
        t.ty = TxType::AccessList;
        assert!(matches!(
            r(t, Revision::Istanbul),
            Err(TxError::TypeNotSupported(1))
        ));
        let mut t = tx(Some(CONTRACT), 50_000, 0, &[]);
        t.max_fee_per_gas = U256::from(9);
        t.max_priority_fee_per_gas = U256::from(9);
        assert!(matches!(
            r(t, Revision::London),
            Err(TxError::FeeCapBelowBaseFee)
        ));
        // Value equal to the whole balance leaves nothing for gas.
        let mut t = tx(Some(CONTRACT), 50_000, 0, &[]);
        t.value = U256::from(10u128.pow(20));
        assert!(matches!(
            r(t, Revision::Istanbul),
            Err(TxError::InsufficientFunds)
        ));
        let with_code = pre_with(&[0x00]);
        let mut t = tx(Some(CONTRACT), 50_000, 0, &[]);
        t.sender = CONTRACT;
        t.nonce = U256::from(1);
        assert!(matches!(
            execute_transaction(&with_code, &block(), &t, Revision::Istanbul, &Interpreter),
            Err(TxError::SenderNotEoa)
        ));
        assert!(matches!(
            r(tx(Some(CONTRACT), (1 << 24) + 1, 0, &[]), Revision::Osaka),
            Err(TxError::GasLimitAboveCap)
        ));
    }

    #[test]
    fn storage_logs_and_revert() {
        // SSTORE(0, 0x2a); LOG1(0, 0, topic 0x01); STOP
        let code = hex!("602a600055600160006000a100").to_vec();
        let pre = pre_with(&code);
        let out = execute_transaction(
            &pre,
            &block(),
            &tx(Some(CONTRACT), 100_000, 0, &[]),
            Revision::Istanbul,
            &Interpreter,
        )
        .unwrap();
        assert_eq!(out.status, StatusCode::Success);
        assert_eq!(out.logs.len(), 1);
        assert_eq!(out.logs[0].topics, vec![B256::with_last_byte(1)]);
        let mut st = out.state;
        assert_eq!(st.storage(&CONTRACT, &U256::ZERO).current, U256::from(0x2a));

        // The same followed by REVERT: no storage, no logs, gas still paid.
        let code = hex!("602a600055600160006000a160006000fd").to_vec();
        let pre = pre_with(&code);
        let out = execute_transaction(
            &pre,
            &block(),
            &tx(Some(CONTRACT), 100_000, 0, &[]),
            Revision::Istanbul,
            &Interpreter,
        )
        .unwrap();
        assert_eq!(out.status, StatusCode::Revert);
        assert!(out.logs.is_empty());
        assert!(out.gas_used > 21_000 && out.gas_used < 100_000);
        let mut st = out.state;
        assert_eq!(st.storage(&CONTRACT, &U256::ZERO).current, U256::ZERO);
        let root_changed = state_root(&st, true);
        assert_ne!(root_changed, state_root(&State::new(&pre), true));
    }

    #[test]
    fn create_transaction_deploys_code() {
        // Init code: MSTORE8(0, 0x00) RETURN(0, 1) -> deploys one STOP byte.
        let init = hex!("600060005360016000f3");
        let pre = pre_with(&[]);
        let out = execute_transaction(
            &pre,
            &block(),
            &tx(None, 100_000, 5, &init),
            Revision::Istanbul,
            &Interpreter,
        )
        .unwrap();
        assert_eq!(out.status, StatusCode::Success);
        let addr = create_address(&SENDER, 0);
        let mut st = out.state;
        let acc = st.load(&addr).clone();
        assert_eq!(acc.code_bytes(), &[0x00]);
        assert_eq!(acc.nonce, 1);
        assert_eq!(acc.balance, U256::from(5));
    }

    #[test]
    fn touched_empty_accounts_are_removed_from_spurious_dragon() {
        let pre = pre_with(&[]);
        let target = Address::repeat_byte(0x11);
        for (rev, kept) in [
            (Revision::Homestead, true),
            (Revision::SpuriousDragon, false),
        ] {
            let mut t = tx(Some(target), 50_000, 0, &[]);
            t.max_fee_per_gas = U256::ZERO;
            t.max_priority_fee_per_gas = U256::ZERO;
            let out = execute_transaction(&pre, &block(), &t, rev, &Interpreter).unwrap();
            let mut found = false;
            out.state
                .for_each_final_account(rev >= Revision::SpuriousDragon, |a, _| {
                    found |= *a == target
                });
            assert_eq!(found, kept, "{rev}");
        }
    }

    #[test]
    fn call_chain_reaches_full_depth() {
        // slot0 += 1; CALL(gas - 100, ADDRESS, 0, 0, 0, 0, 0); STOP
        let code = hex!("600160005401600055600060006000600060003060645a03f100");
        // Run on a thread with a small (1 MiB) stack: depth must not depend on it.
        let slot = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let pre = pre_with(&code);
                let out = execute_transaction(
                    &pre,
                    &block(),
                    &tx(Some(CONTRACT), 200_000_000, 0, &[]),
                    Revision::Frontier,
                    &Interpreter,
                )
                .unwrap();
                assert_eq!(out.status, StatusCode::Success);
                let mut st = out.state;
                st.storage(&CONTRACT, &U256::ZERO).current
            })
            .unwrap()
            .join()
            .unwrap();
        // Frames at depths 0..=1024 each increment once; the CALL at depth 1024 fails.
        assert_eq!(slot, U256::from(1025));
    }

    fn signed_authorization(
        key: &k256::ecdsa::SigningKey,
        delegate: Address,
        nonce: u64,
    ) -> crate::tx::Authorization {
        let mut auth = crate::tx::Authorization {
            chain_id: U256::from(1),
            address: delegate,
            nonce: U256::from(nonce),
            y_parity: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        };
        let hash = crate::tx::authorization_hash(&auth);
        let (sig, rid) = key.sign_prehash_recoverable(hash.as_slice()).unwrap();
        let (sig, odd) = match sig.normalize_s() {
            Some(n) => (n, !rid.is_y_odd()),
            None => (sig, rid.is_y_odd()),
        };
        auth.r = U256::from_be_slice(&sig.r().to_bytes());
        auth.s = U256::from_be_slice(&sig.s().to_bytes());
        auth.y_parity = U256::from(odd as u8);
        auth
    }

    #[test]
    fn set_code_transaction_delegates_and_runs_delegate_code() {
        let key = k256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
        let authority = crate::tx::recover_authority(&signed_authorization(&key, CONTRACT, 0))
            .expect("valid signature");
        // Delegate code: SSTORE(0, 7) -- runs in the authority's storage.
        let pre = pre_with(&hex!("6007600055"));
        let mut t = tx(Some(authority), 200_000, 0, &[]);
        t.ty = TxType::SetCode;
        t.authorizations = vec![
            signed_authorization(&key, CONTRACT, 0),
            // Wrong nonce: skipped.
            signed_authorization(&key, Address::repeat_byte(0x99), 5),
        ];
        assert!(matches!(
            execute_transaction(&pre, &block(), &t, Revision::Cancun, &Interpreter),
            Err(TxError::TypeNotSupported(4))
        ));
        let out = execute_transaction(&pre, &block(), &t, Revision::Prague, &Interpreter).unwrap();
        assert_eq!(out.status, StatusCode::Success);
        let mut st = out.state;
        let acc = st.load(&authority).clone();
        assert_eq!(acc.nonce, 1);
        assert_eq!(delegate_of(acc.code_bytes()), Some(CONTRACT));
        assert_eq!(st.storage(&authority, &U256::ZERO).current, U256::from(7));
        assert_eq!(st.storage(&CONTRACT, &U256::ZERO).current, U256::ZERO);
    }

    #[test]
    fn selfdestruct_follows_eip_6780() {
        // SELFDESTRUCT(0x11..11)
        let code = hex!("731111111111111111111111111111111111111111ff");
        let beneficiary = Address::repeat_byte(0x11);
        let mut pre = pre_with(&code);
        pre.insert(
            CONTRACT,
            PreAccount::new(1, U256::from(1000), &code, SlotMap::default()),
        );
        for (rev, destroyed) in [(Revision::Shanghai, true), (Revision::Cancun, false)] {
            let out = execute_transaction(
                &pre,
                &block(),
                &tx(Some(CONTRACT), 100_000, 0, &[]),
                rev,
                &Interpreter,
            )
            .unwrap();
            assert_eq!(out.status, StatusCode::Success);
            let mut contract = None;
            let mut paid = U256::ZERO;
            out.state.for_each_final_account(true, |a, acc| {
                if *a == CONTRACT {
                    contract = Some(acc.balance);
                }
                if *a == beneficiary {
                    paid = acc.balance;
                }
            });
            assert_eq!(paid, U256::from(1000), "{rev}");
            assert_eq!(contract.is_none(), destroyed, "{rev}");
            if !destroyed {
                assert_eq!(contract, Some(U256::ZERO));
            }
        }
    }
}
