//! The JSON-RPC methods.

use std::sync::Arc;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, Bytes, B256, U256, U64};
use alloy_rpc_types_eth::state::StateOverride;
use alloy_rpc_types_eth::{Filter, FilterBlockOption, TransactionRequest};
use jsonrpsee::types::Params;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionMessage};
use serde_json::{json, Value};
use xvm_chain::tracers::{CallTracer, Lend, StructLogger};
use xvm_chain::{AccountOverride, CallRequest, Chain, PendingTx};
use xvm_evm::StatusCode;

use crate::errors::{self, chain as chain_err, err, invalid, reverted, RpcResult, SERVER};
use crate::json::{self, hex_u64};
use crate::node::{lock, FilterKind, FilterState, Node, TIP};

/// Blocks `eth_getLogs` scans at most in one request.
const MAX_LOG_RANGE: u64 = 100_000;

fn head_or_err(chain: &Chain, at: Option<BlockId>) -> RpcResult<()> {
    let head = chain.head();
    match at {
        None => Ok(()),
        Some(BlockId::Number(tag)) => match tag {
            BlockNumberOrTag::Latest
            | BlockNumberOrTag::Pending
            | BlockNumberOrTag::Safe
            | BlockNumberOrTag::Finalized => Ok(()),
            BlockNumberOrTag::Number(n) if n == head.number => Ok(()),
            BlockNumberOrTag::Number(n) if n > head.number => {
                Err(err(SERVER, format!("block {n} not found (the newest is {})", head.number)))
            }
            other => Err(err(
                SERVER,
                format!("state of block {other} is not kept: xvm's node answers state queries at the newest block ({})", head.number),
            )),
        },
        Some(BlockId::Hash(h)) if h.block_hash == head.hash => Ok(()),
        Some(BlockId::Hash(h)) => Err(err(
            SERVER,
            format!("state of block {} is not kept: only the newest block's", h.block_hash),
        )),
    }
}

fn block_number(chain: &Chain, tag: BlockNumberOrTag) -> u64 {
    match tag {
        BlockNumberOrTag::Earliest => 0,
        BlockNumberOrTag::Number(n) => n,
        _ => chain.head().number,
    }
}

fn call_request(req: &TransactionRequest) -> CallRequest {
    CallRequest {
        from: req.from,
        to: match req.to {
            Some(alloy_primitives::TxKind::Call(a)) => Some(a),
            _ => None,
        },
        value: req.value.unwrap_or_default(),
        data: req.input.input().cloned().unwrap_or_default(),
        gas: req.gas,
    }
}

fn overrides(o: Option<StateOverride>) -> Vec<(Address, AccountOverride)> {
    let slots = |m: alloy_primitives::map::B256HashMap<B256>| {
        m.into_iter()
            .map(|(k, v)| (U256::from_be_bytes(k.0), U256::from_be_bytes(v.0)))
            .collect::<Vec<_>>()
    };
    o.map(|o| {
        o.into_iter()
            .map(|(a, ov)| {
                (
                    a,
                    AccountOverride {
                        balance: ov.balance,
                        nonce: ov.nonce,
                        code: ov.code,
                        state: ov.state.map(slots),
                        state_diff: ov.state_diff.map(slots),
                    },
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

fn logs_in(chain: &Chain, filter: &Filter, from: u64, to: u64) -> RpcResult<Vec<Value>> {
    if to >= from && to - from > MAX_LOG_RANGE {
        return Err(invalid(format!(
            "block range too large (at most {MAX_LOG_RANGE} blocks)"
        )));
    }
    let mut out = Vec::new();
    for n in from..=to {
        let Some(b) = chain.block(n).map_err(chain_err)? else {
            break;
        };
        let bloom = alloy_primitives::Bloom::from_slice(&b.logs_bloom);
        if !filter.matches_bloom(bloom) {
            continue;
        }
        for h in &b.transactions {
            let Some(rec) = chain.transaction(h).map_err(chain_err)? else {
                continue;
            };
            for l in &rec.logs {
                if filter.matches_address(l.address) && filter.matches_topics(&l.topics) {
                    out.push(json::log(&rec, l));
                }
            }
        }
    }
    Ok(out)
}

fn filter_range(chain: &Chain, f: &Filter) -> RpcResult<(u64, u64)> {
    match f.block_option {
        FilterBlockOption::AtBlockHash(h) => {
            let b = chain
                .block_by_hash(&h)
                .map_err(chain_err)?
                .ok_or_else(|| err(SERVER, format!("unknown block {h}")))?;
            Ok((b.number, b.number))
        }
        FilterBlockOption::Range {
            from_block,
            to_block,
        } => {
            let from = from_block
                .map(|t| block_number(chain, t))
                .unwrap_or(chain.head().number);
            let to = to_block
                .map(|t| block_number(chain, t))
                .unwrap_or(chain.head().number);
            Ok((from, to.min(chain.head().number)))
        }
    }
}

fn trace_options(v: &Option<Value>) -> RpcResult<bool> {
    match v
        .as_ref()
        .and_then(|o| o.get("tracer"))
        .and_then(Value::as_str)
    {
        None => Ok(false),
        Some("callTracer") => Ok(true),
        Some(other) => Err(invalid(format!(
            "tracer '{other}' is not supported (the struct logger and callTracer are)"
        ))),
    }
}

/// Methods that may run long (re-executions, searches over many blocks): they run on tokio's
/// blocking pool so that they never hold up a runtime worker.
const LONG_METHODS: &[&str] = &[
    "eth_estimateGas",
    "eth_getLogs",
    "eth_getFilterLogs",
    "eth_getFilterChanges",
    "eth_feeHistory",
    "debug_traceTransaction",
    "debug_traceCall",
    "evm_mine",
    "anvil_mine",
    "hardhat_mine",
];

fn reg<F>(m: &mut RpcModule<Arc<Node>>, name: &'static str, f: F)
where
    F: Fn(Params<'_>, &Arc<Node>) -> RpcResult<Value> + Send + Sync + Clone + 'static,
{
    // The others (a mined transfer takes well under a millisecond) run in place: a hand-off to
    // the blocking pool and back costs two thread switches per request, a large share of a
    // short request's time.
    if LONG_METHODS.contains(&name) {
        m.register_blocking_method(name, move |p, node, _| f(p, &node))
            .expect("method names are unique");
    } else {
        m.register_method(name, move |p, node, _| f(p, node))
            .expect("method names are unique");
    }
}

/// All methods of the node.
pub fn module(node: Arc<Node>) -> RpcModule<Arc<Node>> {
    let mut m = RpcModule::new(node);

    // Identity.
    reg(&mut m, "web3_clientVersion", |_, _| {
        Ok(json!(format!("xvm/v{}", env!("CARGO_PKG_VERSION"))))
    });
    reg(&mut m, "net_version", |_, n| {
        Ok(json!(n.chain().config().chain_id.to_string()))
    });
    reg(&mut m, "net_listening", |_, _| Ok(json!(true)));
    reg(&mut m, "net_peerCount", |_, _| Ok(json!("0x0")));
    reg(&mut m, "eth_chainId", |_, n| {
        Ok(json!(hex_u64(n.chain().config().chain_id)))
    });
    reg(&mut m, "eth_syncing", |_, _| Ok(json!(false)));
    reg(&mut m, "eth_mining", |_, _| Ok(json!(true)));
    reg(&mut m, "eth_coinbase", |_, _| Ok(json!(Address::ZERO)));
    reg(&mut m, "eth_blockNumber", |_, n| {
        Ok(json!(hex_u64(n.chain().head().number)))
    });
    reg(&mut m, "eth_accounts", |_, n| {
        Ok(json!(n
            .chain()
            .accounts()
            .iter()
            .map(|a| a.address)
            .collect::<Vec<_>>()))
    });

    // Fees.
    reg(&mut m, "eth_gasPrice", |_, n| {
        Ok(json!(format!(
            "{:#x}",
            n.chain().next_base_fee() as u128 + TIP
        )))
    });
    reg(&mut m, "eth_maxPriorityFeePerGas", |_, _| {
        Ok(json!(format!("{TIP:#x}")))
    });
    reg(&mut m, "eth_blobBaseFee", |_, _| Ok(json!("0x1")));
    reg(&mut m, "eth_feeHistory", |p, n| {
        let mut seq = p.sequence();
        let count: U64 = seq.next()?;
        let newest: BlockNumberOrTag = seq.next()?;
        let percentiles: Option<Vec<f64>> = seq.optional_next()?;
        let chain = n.chain();
        let newest = block_number(&chain, newest).min(chain.head().number);
        let count = count.to::<u64>().clamp(1, 1024).min(newest + 1);
        let oldest = newest + 1 - count;
        let (mut base, mut ratio, mut reward) = (Vec::new(), Vec::new(), Vec::new());
        for b in oldest..=newest {
            let Some(block) = chain.block(b).map_err(chain_err)? else {
                break;
            };
            base.push(format!("{:#x}", block.base_fee_per_gas));
            ratio.push(block.gas_used as f64 / block.gas_limit.max(1) as f64);
            if let Some(ps) = &percentiles {
                let tips: Vec<u128> = block
                    .transactions
                    .iter()
                    .filter_map(|h| chain.transaction(h).ok().flatten())
                    .map(|t| {
                        t.effective_gas_price
                            .saturating_sub(block.base_fee_per_gas as u128)
                    })
                    .collect();
                let tip = tips.iter().copied().min().unwrap_or(0);
                reward.push(ps.iter().map(|_| format!("{tip:#x}")).collect::<Vec<_>>());
            }
        }
        let next = if newest == chain.head().number {
            chain.next_base_fee()
        } else {
            chain
                .block(newest + 1)
                .map_err(chain_err)?
                .map(|b| b.base_fee_per_gas)
                .unwrap_or(0)
        };
        base.push(format!("{next:#x}"));
        let mut out =
            json!({ "oldestBlock": hex_u64(oldest), "baseFeePerGas": base, "gasUsedRatio": ratio });
        if percentiles.is_some() {
            out["reward"] = json!(reward);
        }
        Ok(out)
    });

    // State.
    reg(&mut m, "eth_getBalance", |p, n| {
        let mut seq = p.sequence();
        let addr: Address = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        Ok(json!(format!("{:#x}", chain.account(&addr).balance)))
    });
    reg(&mut m, "eth_getCode", |p, n| {
        let mut seq = p.sequence();
        let addr: Address = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        Ok(json!(chain.account(&addr).code))
    });
    reg(&mut m, "eth_getStorageAt", |p, n| {
        let mut seq = p.sequence();
        let addr: Address = seq.next()?;
        let slot: U256 = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        Ok(json!(B256::from(chain.storage_at(&addr, &slot))))
    });
    reg(&mut m, "eth_getTransactionCount", |p, n| {
        let mut seq = p.sequence();
        let addr: Address = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let chain = n.chain();
        if matches!(at, Some(BlockId::Number(BlockNumberOrTag::Pending))) {
            return Ok(json!(hex_u64(n.pending_nonce(&chain, &addr))));
        }
        head_or_err(&chain, at)?;
        Ok(json!(hex_u64(chain.account(&addr).nonce)))
    });

    // Execution.
    reg(&mut m, "eth_call", |p, n| {
        let mut seq = p.sequence();
        let req: TransactionRequest = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let ov: Option<StateOverride> = seq.optional_next()?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        let r = chain
            .call_with_overrides(&call_request(&req), &overrides(ov))
            .map_err(chain_err)?;
        match r.status {
            StatusCode::Success => Ok(json!(r.output)),
            StatusCode::Revert => Err(reverted(&r.output)),
            s => Err(err(SERVER, s.description())),
        }
    });
    reg(&mut m, "eth_estimateGas", |p, n| {
        let mut seq = p.sequence();
        let req: TransactionRequest = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        let gas = chain.estimate_gas(&call_request(&req)).map_err(chain_err)?;
        Ok(json!(hex_u64(gas)))
    });
    reg(&mut m, "eth_sendTransaction", |p, n| {
        let req: TransactionRequest = p.one()?;
        let hash = n.send_transaction(&req).map_err(chain_err)?;
        n.mine_answered();
        Ok(json!(hash))
    });
    reg(&mut m, "eth_sendRawTransaction", |p, n| {
        let raw: Bytes = p.one()?;
        let env = xvm_chain::decode_raw(&raw).map_err(chain_err)?;
        let hash = n.submit(PendingTx::signed(env)).map_err(chain_err)?;
        n.mine_answered();
        Ok(json!(hash))
    });

    // Blocks and transactions.
    reg(&mut m, "eth_getBlockByNumber", |p, n| {
        let mut seq = p.sequence();
        let tag: BlockNumberOrTag = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let chain = n.chain();
        let num = block_number(&chain, tag);
        match chain.block(num).map_err(chain_err)? {
            Some(b) => json::block(&chain, &b, full.unwrap_or(false)),
            None => Ok(Value::Null),
        }
    });
    reg(&mut m, "eth_getBlockByHash", |p, n| {
        let mut seq = p.sequence();
        let h: B256 = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let chain = n.chain();
        match chain.block_by_hash(&h).map_err(chain_err)? {
            Some(b) => json::block(&chain, &b, full.unwrap_or(false)),
            None => Ok(Value::Null),
        }
    });
    reg(&mut m, "eth_getBlockTransactionCountByNumber", |p, n| {
        let tag: BlockNumberOrTag = p.one()?;
        let chain = n.chain();
        let num = block_number(&chain, tag);
        Ok(match chain.block(num).map_err(chain_err)? {
            Some(b) => json!(hex_u64(b.transactions.len() as u64)),
            None => Value::Null,
        })
    });
    reg(&mut m, "eth_getTransactionByHash", |p, n| {
        let h: B256 = p.one()?;
        if let Some((_, t)) = n.pending_txs().into_iter().find(|(x, _)| *x == h) {
            return json::pending_transaction(t.from, t.env);
        }
        match n.chain().transaction(&h).map_err(chain_err)? {
            Some(rec) => json::transaction(&rec),
            None => Ok(Value::Null),
        }
    });
    reg(&mut m, "eth_getTransactionReceipt", |p, n| {
        let h: B256 = p.one()?;
        let chain = n.chain();
        let Some(rec) = chain.transaction(&h).map_err(chain_err)? else {
            return Ok(Value::Null);
        };
        let block = chain
            .block(rec.block_number)
            .map_err(chain_err)?
            .ok_or_else(|| err(errors::INTERNAL, "block of a receipt missing"))?;
        Ok(json::receipt(&rec, &block))
    });

    // Logs and filters.
    reg(&mut m, "eth_getLogs", |p, n| {
        let f: Filter = p.one()?;
        let chain = n.chain();
        let (from, to) = filter_range(&chain, &f)?;
        Ok(Value::Array(logs_in(&chain, &f, from, to)?))
    });
    reg(&mut m, "eth_newFilter", |p, n| {
        let f: Filter = p.one()?;
        let head = n.chain().head().number;
        let last = f
            .get_from_block()
            .map(|b| b.saturating_sub(1))
            .unwrap_or(head)
            .min(head);
        let id = n.next_id();
        lock(&n.filters).insert(
            id,
            FilterState {
                kind: FilterKind::Logs(Box::new(f)),
                last,
            },
        );
        Ok(json!(hex_u64(id)))
    });
    reg(&mut m, "eth_newBlockFilter", |_, n| {
        let head = n.chain().head().number;
        let id = n.next_id();
        lock(&n.filters).insert(
            id,
            FilterState {
                kind: FilterKind::Blocks,
                last: head,
            },
        );
        Ok(json!(hex_u64(id)))
    });
    reg(&mut m, "eth_uninstallFilter", |p, n| {
        let id: U64 = p.one()?;
        Ok(json!(lock(&n.filters).remove(&id.to::<u64>()).is_some()))
    });
    reg(&mut m, "eth_getFilterChanges", |p, n| {
        let id: U64 = p.one()?;
        let chain = n.chain();
        let head = chain.head().number;
        let mut filters = lock(&n.filters);
        let f = filters
            .get_mut(&id.to::<u64>())
            .ok_or_else(|| err(SERVER, "filter not found"))?;
        let from = f.last + 1;
        f.last = head;
        match &f.kind {
            FilterKind::Blocks => {
                let mut out = Vec::new();
                for b in from..=head {
                    if let Some(h) = chain.block_hash(b) {
                        out.push(json::hash(&h));
                    }
                }
                Ok(Value::Array(out))
            }
            FilterKind::Logs(flt) => {
                let to = flt.get_to_block().unwrap_or(head).min(head);
                Ok(Value::Array(if from > to {
                    Vec::new()
                } else {
                    logs_in(&chain, flt, from, to)?
                }))
            }
        }
    });
    reg(&mut m, "eth_getFilterLogs", |p, n| {
        let id: U64 = p.one()?;
        let chain = n.chain();
        let filters = lock(&n.filters);
        let f = filters
            .get(&id.to::<u64>())
            .ok_or_else(|| err(SERVER, "filter not found"))?;
        match &f.kind {
            FilterKind::Logs(flt) => {
                let (from, to) = filter_range(&chain, flt)?;
                Ok(Value::Array(logs_in(&chain, flt, from, to)?))
            }
            FilterKind::Blocks => Err(invalid("not a log filter")),
        }
    });

    // Development methods (anvil's and hardhat's names).
    reg(&mut m, "evm_snapshot", |_, n| {
        Ok(json!(hex_u64(n.snapshot())))
    });
    reg(&mut m, "evm_revert", |p, n| {
        let id: U64 = p.one()?;
        n.revert(id.to::<u64>())
            .map(|ok| json!(ok))
            .map_err(chain_err)
    });
    for name in ["evm_mine", "anvil_mine", "hardhat_mine"] {
        reg(&mut m, name, move |p, n| {
            let mut seq = p.sequence();
            if name == "evm_mine" {
                let ts: Option<U64> = seq.optional_next()?;
                if let Some(ts) = ts {
                    n.chain()
                        .set_next_timestamp(ts.to::<u64>())
                        .map_err(chain_err)?;
                }
                n.mine_pending().map_err(chain_err)?;
            } else {
                let count: Option<U64> = seq.optional_next()?;
                for _ in 0..count.map(|c| c.to::<u64>()).unwrap_or(1).min(10_000) {
                    n.mine_pending().map_err(chain_err)?;
                }
            }
            Ok(json!("0x0"))
        });
    }
    reg(&mut m, "evm_increaseTime", |p, n| {
        let secs: Value = p.one()?;
        let secs = match &secs {
            Value::Number(x) => x.as_i64(),
            Value::String(s) => s
                .strip_prefix("0x")
                .and_then(|h| i64::from_str_radix(h, 16).ok())
                .or_else(|| s.parse().ok()),
            _ => None,
        }
        .ok_or_else(|| invalid("seconds must be a number"))?;
        n.chain()
            .increase_time(secs)
            .map(|t| json!(t))
            .map_err(chain_err)
    });
    reg(&mut m, "evm_setNextBlockTimestamp", |p, n| {
        let ts: Value = p.one()?;
        let ts = match &ts {
            Value::Number(x) => x.as_u64(),
            Value::String(s) => s
                .strip_prefix("0x")
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .or_else(|| s.parse().ok()),
            _ => None,
        }
        .ok_or_else(|| invalid("timestamp must be a number"))?;
        n.chain()
            .set_next_timestamp(ts)
            .map(|_| Value::Null)
            .map_err(chain_err)
    });
    reg(&mut m, "evm_setAutomine", |_, _| Ok(json!(true)));
    for prefix in ["anvil", "hardhat"] {
        let name =
            |s: &str| -> &'static str { Box::leak(format!("{prefix}_{s}").into_boxed_str()) };
        reg(&mut m, name("setBalance"), |p, n| {
            let mut seq = p.sequence();
            let a: Address = seq.next()?;
            let v: U256 = seq.next()?;
            n.set_balance(&a, v).map(|_| json!(true)).map_err(chain_err)
        });
        reg(&mut m, name("setCode"), |p, n| {
            let mut seq = p.sequence();
            let a: Address = seq.next()?;
            let code: Bytes = seq.next()?;
            n.chain()
                .set_code(&a, &code)
                .map(|_| json!(true))
                .map_err(chain_err)
        });
        reg(&mut m, name("setNonce"), |p, n| {
            let mut seq = p.sequence();
            let a: Address = seq.next()?;
            let v: U64 = seq.next()?;
            n.chain()
                .set_nonce(&a, v.to::<u64>())
                .map(|_| json!(true))
                .map_err(chain_err)
        });
        reg(&mut m, name("setStorageAt"), |p, n| {
            let mut seq = p.sequence();
            let a: Address = seq.next()?;
            let slot: U256 = seq.next()?;
            let v: B256 = seq.next()?;
            n.chain()
                .set_storage(&a, slot, U256::from_be_bytes(v.0))
                .map(|_| json!(true))
                .map_err(chain_err)
        });
        reg(&mut m, name("impersonateAccount"), |p, n| {
            let a: Address = p.one()?;
            n.impersonate(a, true);
            Ok(json!(true))
        });
        reg(&mut m, name("stopImpersonatingAccount"), |p, n| {
            let a: Address = p.one()?;
            n.impersonate(a, false);
            Ok(json!(true))
        });
    }

    // Traces.
    reg(&mut m, "debug_traceTransaction", |p, n| {
        let mut seq = p.sequence();
        let h: B256 = seq.next()?;
        let opts: Option<Value> = seq.optional_next()?;
        let call = trace_options(&opts)?;
        let chain = n.chain();
        if call {
            let mut t = CallTracer::default();
            let rec = chain
                .trace_transaction(&h, Box::new(Lend(&mut t)))
                .map_err(chain_err)?;
            Ok(t.result(rec.gas, rec.gas_used))
        } else {
            let mut t = StructLogger::with_limit(1_000_000);
            let rec = chain
                .trace_transaction(&h, Box::new(Lend(&mut t)))
                .map_err(chain_err)?;
            Ok(t.result(rec.gas_used, !rec.status, &rec.output))
        }
    });
    reg(&mut m, "debug_traceCall", |p, n| {
        let mut seq = p.sequence();
        let req: TransactionRequest = seq.next()?;
        let at: Option<BlockId> = seq.optional_next()?;
        let opts: Option<Value> = seq.optional_next()?;
        let call = trace_options(&opts)?;
        let chain = n.chain();
        head_or_err(&chain, at)?;
        let creq = call_request(&req);
        let gas = creq.gas.unwrap_or_else(|| chain.call_gas_cap());
        if call {
            let mut t = CallTracer::default();
            let r = chain
                .call(&creq, Some(Box::new(Lend(&mut t))))
                .map_err(chain_err)?;
            Ok(t.result(gas, r.gas_used))
        } else {
            let mut t = StructLogger::with_limit(1_000_000);
            let r = chain
                .call(&creq, Some(Box::new(Lend(&mut t))))
                .map_err(chain_err)?;
            Ok(t.result(r.gas_used, r.status != StatusCode::Success, &r.output))
        }
    });

    // Subscriptions: newHeads and logs.
    m.register_subscription(
        "eth_subscribe",
        "eth_subscription",
        "eth_unsubscribe",
        |params, pending: PendingSubscriptionSink, node: Arc<Arc<Node>>, _| async move {
            let mut seq = params.sequence();
            let kind: String = match seq.next() {
                Ok(k) => k,
                Err(e) => {
                    pending.reject(e).await;
                    return Ok(());
                }
            };
            let filter: Option<Filter> = match kind.as_str() {
                "newHeads" => None,
                "logs" => match seq.optional_next::<Filter>() {
                    Ok(f) => Some(f.unwrap_or_default()),
                    Err(e) => {
                        pending.reject(e).await;
                        return Ok(());
                    }
                },
                other => {
                    pending
                        .reject(invalid(format!(
                            "subscription '{other}' is not supported (newHeads, logs)"
                        )))
                        .await;
                    return Ok(());
                }
            };
            let mut rx = node.blocks.subscribe();
            let sink = pending.accept().await?;
            loop {
                let nb = tokio::select! {
                    _ = sink.closed() => break,
                    r = rx.recv() => match r {
                        Ok(nb) => nb,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    },
                };
                let items: Vec<Value> = match &filter {
                    None => {
                        let chain = node.chain();
                        vec![json::block(&chain, &nb.block, false).unwrap_or(Value::Null)]
                    }
                    Some(f) => nb
                        .txs
                        .iter()
                        .flat_map(|rec| {
                            rec.logs
                                .iter()
                                .filter(|l| {
                                    f.matches_address(l.address) && f.matches_topics(&l.topics)
                                })
                                .map(|l| json::log(rec, l))
                                .collect::<Vec<_>>()
                        })
                        .collect(),
                };
                for item in items {
                    let raw = serde_json::value::to_raw_value(&item)?;
                    if sink.send(SubscriptionMessage::from(raw)).await.is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        },
    )
    .expect("subscription names are unique");
    m
}
