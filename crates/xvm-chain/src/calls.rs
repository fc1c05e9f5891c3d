//! Executions that write nothing: calls (with state overrides), exact gas estimates, and
//! re-executions of mined transactions under a tracer.

use alloy_primitives::{Address, Bytes, B256, U256};
use xvm_ethereum::state::SlotMap;
use xvm_ethereum::tx::BlobParams;
use xvm_ethereum::{
    execute_transaction_with, BlockEnv, PreAccount, PreState, Transaction, TxHooks, TxType,
};
use xvm_evm::{Interpreter, Revision, StatusCode, Tracer};

use crate::chain::{log_records, status_text, CallRequest, CallResult, Chain};
use crate::mining::decode_raw;
use crate::records::TxRecord;
use crate::txconv::envelope_to_transaction;
use crate::ChainError;

/// A change to one account for a single call (`eth_call`'s state override set).
#[derive(Clone, Debug, Default)]
pub struct AccountOverride {
    /// Replaces the balance.
    pub balance: Option<U256>,
    /// Replaces the nonce.
    pub nonce: Option<u64>,
    /// Replaces the code.
    pub code: Option<Bytes>,
    /// Replaces the whole storage with these slots.
    pub state: Option<Vec<(U256, U256)>>,
    /// Changes these slots, keeping the others.
    pub state_diff: Option<Vec<(U256, U256)>>,
}

impl Chain {
    /// Runs a call on the head state; nothing is written. `tracer` sees every step.
    pub fn call<'s>(
        &'s self,
        req: &CallRequest,
        tracer: Option<Box<dyn Tracer + 's>>,
    ) -> Result<CallResult, ChainError> {
        self.call_on(&self.pre, req, tracer)
    }

    /// [`Chain::call`] on the head state changed by `overrides` (the head itself is untouched).
    pub fn call_with_overrides(
        &self,
        req: &CallRequest,
        overrides: &[(Address, AccountOverride)],
    ) -> Result<CallResult, ChainError> {
        if overrides.is_empty() {
            return self.call(req, None);
        }
        let mut pre = PreState::new();
        for (addr, acc) in self.pre.accounts.iter() {
            pre.insert(*addr, crate::dev::copy(acc));
        }
        for (addr, o) in overrides {
            let base = pre.get(addr);
            let mut storage: SlotMap<U256> = match &o.state {
                Some(slots) => slots.iter().copied().collect(),
                None => base.map(|b| b.storage.clone()).unwrap_or_default(),
            };
            for (k, v) in o.state_diff.iter().flatten() {
                storage.insert(*k, *v);
            }
            let nonce = o.nonce.or(base.map(|b| b.nonce)).unwrap_or(0);
            let balance = o.balance.or(base.map(|b| b.balance)).unwrap_or_default();
            let mut acc = PreAccount::new(
                nonce,
                balance,
                o.code.as_ref().map(|c| c.as_ref()).unwrap_or(&[]),
                storage,
            );
            if o.code.is_none() {
                if let Some(b) = base {
                    acc.code = b.code.clone();
                    acc.code_hash = b.code_hash;
                }
            }
            pre.insert(*addr, acc);
        }
        self.call_on(&pre, req, None)
    }

    fn call_on<'s>(
        &'s self,
        pre: &'s PreState,
        req: &CallRequest,
        tracer: Option<Box<dyn Tracer + 's>>,
    ) -> Result<CallResult, ChainError> {
        let from = req
            .from
            .or_else(|| self.accounts.first().map(|a| a.address))
            .unwrap_or_default();
        let gas = req.gas.unwrap_or_else(|| self.call_gas_cap());
        let rev = self.revision();
        let mut block = self.next_env();
        block.base_fee = U256::ZERO;
        let tx = Transaction {
            ty: if rev >= Revision::London {
                TxType::DynamicFee
            } else {
                TxType::Legacy
            },
            sender: from,
            to: req.to,
            nonce: U256::from(pre.get(&from).map(|a| a.nonce).unwrap_or(0)),
            gas_limit: U256::from(gas),
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            value: req.value,
            data: req.data.clone(),
            access_list: Vec::new(),
            max_fee_per_blob_gas: U256::ZERO,
            blob_hashes: Vec::new(),
            authorizations: Vec::new(),
        };
        let bh = |n: u64| self.block_hash_of(n);
        let hooks = TxHooks {
            block_hash: Some(&bh),
            tracer,
        };
        let out = execute_transaction_with(pre, &block, &tx, rev, &Interpreter, hooks)
            .map_err(ChainError::InvalidTx)?;
        Ok(CallResult {
            status: out.status,
            gas_used: out.gas_used,
            logs: log_records(&out.logs, 0),
            output: out.output,
        })
    }

    /// The smallest gas limit at which the call succeeds (binary search over real executions).
    pub fn estimate_gas(&self, req: &CallRequest) -> Result<u64, ChainError> {
        let cap = req.gas.unwrap_or_else(|| self.call_gas_cap());
        let at = |gas: u64| {
            let mut r = req.clone();
            r.gas = Some(gas);
            self.call(&r, None)
        };
        let first = at(cap)?;
        if first.status != StatusCode::Success {
            return Err(ChainError::EstimateFailed {
                cap,
                reason: status_text(first.status).to_string(),
                output: first.output,
            });
        }
        let (mut lo, mut hi) = (first.gas_used.saturating_sub(1), cap);
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            match at(mid) {
                Ok(r) if r.status == StatusCode::Success => hi = mid,
                _ => lo = mid,
            }
        }
        Ok(hi)
    }

    /// Re-executes a mined transaction exactly as it ran (on the accounts it read, in its
    /// block's environment) with `tracer`; returns its record.
    pub fn trace_transaction<'s>(
        &'s self,
        hash: &B256,
        tracer: Box<dyn Tracer + 's>,
    ) -> Result<TxRecord, ChainError> {
        let rec = self
            .transaction(hash)?
            .ok_or_else(|| ChainError::Invalid(format!("no transaction {hash}")))?;
        let block = self
            .block(rec.block_number)?
            .ok_or_else(|| ChainError::Invalid(format!("no block {}", rec.block_number)))?;
        let pre = self.prestate_of(hash)?;
        let mut tx = envelope_to_transaction(&decode_raw(&rec.raw)?)?;
        tx.sender = rec.from;
        let rev = self.revision();
        let env = BlockEnv {
            coinbase: block.miner,
            gas_limit: block.gas_limit,
            number: block.number,
            timestamp: block.timestamp,
            difficulty: if rev >= Revision::Paris {
                U256::ZERO
            } else {
                U256::from(131_072u64)
            },
            prev_randao: Some(block.mix_hash),
            base_fee: U256::from(block.base_fee_per_gas),
            excess_blob_gas: 0,
            chain_id: self.config.chain_id,
            blob_params: BlobParams::for_revision(rev),
        };
        let bh = |n: u64| self.block_hash_of(n);
        let hooks = TxHooks {
            block_hash: Some(&bh),
            tracer: Some(tracer),
        };
        let out = execute_transaction_with(&pre, &env, &tx, rev, &Interpreter, hooks)
            .map_err(|e| ChainError::Rejected(format!("re-execution: {e}")))?;
        if out.gas_used != rec.gas_used || (out.status == StatusCode::Success) != rec.status {
            return Err(ChainError::Store(xvm_store::StoreError::Corrupt(format!(
                "re-execution of {hash} differs from its receipt"
            ))));
        }
        Ok(rec)
    }
}
