//! The state-test runner: builds pre-states, transactions and block environments from fixtures,
//! executes every post entry (in parallel), and compares state roots and logs hashes.

use super::fixture::{Indexes, PostEntry, StateTest, Text, TxJson};
use crate::parse::{parse_address, parse_b256, parse_bytes, parse_u256, parse_u64, ParseError};
use crate::state::{Log, PreAccount, PreState, SlotMap, State};
use crate::transition::execute_transaction;
use crate::tx::{address_of_secret_key, Authorization, BlobParams, BlockEnv, Transaction, TxType};
use alloy_primitives::{Address, B256, U256};
use alloy_trie::TrieAccount;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use xvm_evm::{Revision, Vm};

/// Options of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Run only this fork.
    pub fork: Option<Revision>,
    /// Run only tests whose name or file path contains this text.
    pub filter: Option<String>,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Native stack size of each worker thread, in bytes (deep call chains recurse natively).
    pub stack_size: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            fork: None,
            filter: None,
            jobs: 0,
            stack_size: 256 << 20,
        }
    }
}

/// How a post entry ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Expected and actual results agree.
    Passed,
    /// They differ (or the test could not be run); the reason says how.
    Failed(String),
    /// Not run, for the stated reason.
    Skipped(String),
}

/// The result of one post entry (or of a file that could not be loaded).
#[derive(Clone, Debug)]
pub struct EntryResult {
    /// Fixture file.
    pub file: PathBuf,
    /// Test name ("" when the file itself failed).
    pub test: String,
    /// Fork name as written in the fixture ("" when the file itself failed).
    pub fork: String,
    /// Position in the fork's post list.
    pub index: usize,
    /// data/gas/value indexes.
    pub indexes: Option<Indexes>,
    /// Outcome.
    pub outcome: Outcome,
    /// Time spent on the entry.
    pub elapsed: std::time::Duration,
    /// Gas used by the transaction (None when it was rejected or not run).
    pub gas_used: Option<u64>,
}

impl EntryResult {
    fn file_failure(file: &Path, reason: String) -> Self {
        EntryResult {
            file: file.to_path_buf(),
            test: String::new(),
            fork: String::new(),
            index: 0,
            indexes: None,
            outcome: Outcome::Failed(reason),
            elapsed: std::time::Duration::ZERO,
            gas_used: None,
        }
    }

    /// One JSON object describing the result, for tooling.
    pub fn to_json(&self) -> serde_json::Value {
        let (status, reason) = match &self.outcome {
            Outcome::Passed => ("passed", None),
            Outcome::Failed(r) => ("failed", Some(r.as_str())),
            Outcome::Skipped(r) => ("skipped", Some(r.as_str())),
        };
        serde_json::json!({
            "file": self.file.display().to_string(),
            "test": self.test,
            "fork": self.fork,
            "index": self.index,
            "data": self.indexes.map(|i| i.data),
            "gas": self.indexes.map(|i| i.gas),
            "value": self.indexes.map(|i| i.value),
            "status": status,
            "pass": status == "passed",
            "reason": reason,
            "micros": self.elapsed.as_micros() as u64,
            "gasUsed": self.gas_used,
        })
    }
}

/// Expands files and folders into the sorted list of `.json` files below them.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if meta.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            for e in entries {
                if e.is_dir() || e.extension().is_some_and(|x| x == "json") {
                    walk(&e, out)?;
                }
            }
        } else {
            out.push(p.to_path_buf());
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out)?;
    }
    Ok(out)
}

/// Runs `files` on a pool of threads with big stacks; `on_file_done` is called once per file with
/// its results (from worker threads). Results come back in file order.
pub fn run_files<V: Vm + Sync>(
    files: &[PathBuf],
    vm: &V,
    opts: &RunOptions,
    on_file_done: &(dyn Fn(&[EntryResult]) + Sync),
) -> Vec<EntryResult> {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(opts.stack_size);
    if opts.jobs > 0 {
        builder = builder.num_threads(opts.jobs);
    }
    let run = || -> Vec<EntryResult> {
        files
            .par_iter()
            .flat_map_iter(|f| {
                let r = run_test_file(f, vm, opts);
                on_file_done(&r);
                r
            })
            .collect()
    };
    match builder.build() {
        Ok(pool) => pool.install(run),
        Err(e) => files
            .iter()
            .map(|f| EntryResult::file_failure(f, format!("cannot start worker threads: {e}")))
            .collect(),
    }
}

/// Runs every test of one file (post entries in parallel on the current rayon pool; call it from
/// a thread with a big stack, as [`run_files`] does). A file that cannot be read or is not a
/// state test gives one failed result with the reason.
pub fn run_test_file<V: Vm + Sync>(path: &Path, vm: &V, opts: &RunOptions) -> Vec<EntryResult> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) => return vec![EntryResult::file_failure(path, format!("cannot read: {e}"))],
    };
    run_test_bytes(path, &text, vm, opts)
}

/// [`run_test_file`] on the file's contents `text` (`path` only labels the results): the whole
/// path from outside JSON to results, without the file system (the fuzz target uses it).
pub fn run_test_bytes<V: Vm + Sync>(
    path: &Path,
    text: &[u8],
    vm: &V,
    opts: &RunOptions,
) -> Vec<EntryResult> {
    let raw: BTreeMap<String, serde_json::Value> = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            return vec![EntryResult::file_failure(
                path,
                format!("not a state test file (expected a JSON object of tests): {e}"),
            )]
        }
    };
    if raw.is_empty() {
        return vec![EntryResult::file_failure(
            path,
            "not a state test file: it holds no tests".into(),
        )];
    }
    let mut results = Vec::new();
    for (name, value) in raw {
        if let Some(f) = &opts.filter {
            if !name.contains(f.as_str()) && !path.to_string_lossy().contains(f.as_str()) {
                continue;
            }
        }
        let test: StateTest = match serde_json::from_value(value) {
            Ok(t) => t,
            Err(e) => {
                let mut r = EntryResult::file_failure(path, format!("not a state test: {e}"));
                r.test = name;
                results.push(r);
                continue;
            }
        };
        results.extend(run_test(path, &name, &test, vm, opts));
    }
    results
}

fn perr(what: &str, e: ParseError) -> String {
    format!("{what}: {e}")
}

fn build_pre(test: &StateTest) -> Result<PreState, String> {
    let mut pre = PreState::new();
    for (a, acc) in &test.pre {
        let addr = parse_address(a).map_err(|e| perr("pre address", e))?;
        let mut storage = SlotMap::default();
        for (k, v) in &acc.storage {
            let k = parse_u256(k).map_err(|e| perr("storage key", e))?;
            let v = parse_u256(v.as_str()).map_err(|e| perr("storage value", e))?;
            storage.insert(k, v);
        }
        let nonce = if acc.nonce.as_str().is_empty() {
            0
        } else {
            parse_u64(acc.nonce.as_str()).map_err(|e| perr("nonce", e))?
        };
        let balance = if acc.balance.as_str().is_empty() {
            U256::ZERO
        } else {
            parse_u256(acc.balance.as_str()).map_err(|e| perr("balance", e))?
        };
        let code = parse_bytes(acc.code.as_str()).map_err(|e| perr("code", e))?;
        pre.insert(addr, PreAccount::new(nonce, balance, &code, storage));
    }
    Ok(pre)
}

fn opt_u256(t: &Option<Text>) -> Result<Option<U256>, ParseError> {
    t.as_ref().map(|t| parse_u256(t.as_str())).transpose()
}

fn build_block(test: &StateTest, fork: &str, rev: Revision) -> Result<BlockEnv, String> {
    let env = &test.env;
    let chain_id = match test.config.as_ref().and_then(|c| c.chainid.as_ref()) {
        Some(c) => parse_u64(c.as_str()).map_err(|e| perr("chainid", e))?,
        None => 1,
    };
    let mut blob_params = BlobParams::for_revision(rev);
    if let Some(sched) = test
        .config
        .as_ref()
        .and_then(|c| c.blob_schedule.as_ref())
        .and_then(|s| s.get(fork))
    {
        blob_params = Some(BlobParams {
            target: parse_u64(sched.target.as_str()).map_err(|e| perr("blob target", e))?,
            max: parse_u64(sched.max.as_str()).map_err(|e| perr("blob max", e))?,
            update_fraction: parse_u64(sched.base_fee_update_fraction.as_str())
                .map_err(|e| perr("blob update fraction", e))?,
        });
    }
    Ok(BlockEnv {
        coinbase: parse_address(env.current_coinbase.as_str()).map_err(|e| perr("coinbase", e))?,
        gas_limit: parse_u64(env.current_gas_limit.as_str()).map_err(|e| perr("gas limit", e))?,
        number: parse_u64(env.current_number.as_str()).map_err(|e| perr("number", e))?,
        timestamp: parse_u64(env.current_timestamp.as_str()).map_err(|e| perr("timestamp", e))?,
        difficulty: opt_u256(&env.current_difficulty)
            .map_err(|e| perr("difficulty", e))?
            .unwrap_or_default(),
        prev_randao: env
            .current_random
            .as_ref()
            .map(|r| parse_b256(r.as_str()))
            .transpose()
            .map_err(|e| perr("random", e))?,
        base_fee: opt_u256(&env.current_base_fee)
            .map_err(|e| perr("base fee", e))?
            .unwrap_or(U256::from(10)),
        excess_blob_gas: match &env.current_excess_blob_gas {
            Some(t) => parse_u64(t.as_str()).map_err(|e| perr("excess blob gas", e))?,
            None => 0,
        },
        chain_id,
        blob_params,
    })
}

/// The sender of the transaction template: `sender`, else the address of `secretKey`.
fn sender_of(tx: &TxJson) -> Result<Address, String> {
    if let Some(s) = &tx.sender {
        if !s.as_str().is_empty() {
            return parse_address(s.as_str()).map_err(|e| perr("sender", e));
        }
    }
    let sk = tx
        .secret_key
        .as_ref()
        .ok_or("transaction has neither sender nor secretKey")?;
    let sk = parse_bytes(sk.as_str()).map_err(|e| perr("secretKey", e))?;
    address_of_secret_key(&sk).ok_or_else(|| "invalid secretKey".to_string())
}

/// Builds the transaction of one post entry. `Err(Ok(reason))` is a malformed field that makes the
/// transaction invalid (e.g. a value wider than 256 bits); `Err(Err(reason))` is a broken fixture.
fn build_tx(
    tx: &TxJson,
    ix: &Indexes,
    sender: Address,
) -> Result<Transaction, Result<String, String>> {
    let data = tx
        .data
        .get(ix.data)
        .ok_or_else(|| Err(format!("data index {} out of range", ix.data)))?;
    let gas = tx
        .gas_limit
        .get(ix.gas)
        .ok_or_else(|| Err(format!("gas index {} out of range", ix.gas)))?;
    let value = tx
        .value
        .get(ix.value)
        .ok_or_else(|| Err(format!("value index {} out of range", ix.value)))?;
    let bad = |what: &str, e: ParseError| match e {
        ParseError::Overflow(..) => Ok(format!("{what}: {e}")),
        ParseError::Invalid(_) => Err(format!("{what}: {e}")),
    };
    let u = |what: &str, t: &Text| parse_u256(t.as_str()).map_err(|e| bad(what, e));
    let access_list_json = tx
        .access_lists
        .as_ref()
        .and_then(|l| l.get(ix.data))
        .and_then(|l| l.as_ref());
    let mut access_list = Vec::new();
    if let Some(l) = access_list_json {
        for e in l {
            let a = parse_address(e.address.as_str()).map_err(|e| bad("access list address", e))?;
            let mut keys = Vec::with_capacity(e.storage_keys.len());
            for k in &e.storage_keys {
                keys.push(u("access list key", k)?);
            }
            access_list.push((a, keys));
        }
    }
    let mut authorizations = Vec::new();
    if let Some(list) = &tx.authorization_list {
        for a in list {
            let y = a
                .y_parity
                .as_ref()
                .or(a.v.as_ref())
                .ok_or_else(|| Err("authorization without yParity/v".to_string()))?;
            authorizations.push(Authorization {
                chain_id: u("authorization chainId", &a.chain_id)?,
                address: parse_address(a.address.as_str())
                    .map_err(|e| bad("authorization address", e))?,
                nonce: u("authorization nonce", &a.nonce)?,
                y_parity: u("authorization yParity", y)?,
                r: u("authorization r", &a.r)?,
                s: u("authorization s", &a.s)?,
            });
        }
    }
    let blob_hashes = match &tx.blob_versioned_hashes {
        Some(h) => h
            .iter()
            .map(|h| parse_b256(h.as_str()).map_err(|e| bad("blob hash", e)))
            .collect::<Result<Vec<B256>, _>>()?,
        None => Vec::new(),
    };
    let ty = if tx.authorization_list.is_some() {
        TxType::SetCode
    } else if tx.blob_versioned_hashes.is_some() {
        TxType::Blob
    } else if tx.max_fee_per_gas.is_some() {
        TxType::DynamicFee
    } else if access_list_json.is_some() {
        TxType::AccessList
    } else {
        TxType::Legacy
    };
    let (max_fee, tip) = match (&tx.max_fee_per_gas, &tx.gas_price) {
        (Some(m), _) => {
            let tip = tx
                .max_priority_fee_per_gas
                .as_ref()
                .ok_or_else(|| Err("maxFeePerGas without maxPriorityFeePerGas".to_string()))?;
            (u("maxFeePerGas", m)?, u("maxPriorityFeePerGas", tip)?)
        }
        (None, Some(p)) => {
            let p = u("gasPrice", p)?;
            (p, p)
        }
        (None, None) => return Err(Err("transaction has no gasPrice or maxFeePerGas".into())),
    };
    let to = match &tx.to {
        Some(t) if !t.as_str().trim().is_empty() => {
            Some(parse_address(t.as_str()).map_err(|e| bad("to", e))?)
        }
        _ => None,
    };
    Ok(Transaction {
        ty,
        sender,
        to,
        nonce: u("nonce", &tx.nonce)?,
        gas_limit: u("gasLimit", gas)?,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        value: u("value", value)?,
        data: parse_bytes(data.as_str()).map_err(|e| bad("data", e))?,
        access_list,
        max_fee_per_blob_gas: match &tx.max_fee_per_blob_gas {
            Some(t) => u("maxFeePerBlobGas", t)?,
            None => U256::ZERO,
        },
        blob_hashes,
        authorizations,
    })
}

struct TestCtx<'a> {
    pre: &'a PreState,
    /// Root after a rejected transaction, without and with EIP-161 clearing.
    pre_root: [OnceLock<B256>; 2],
    sender: Address,
}

/// The last few (content, hash) pairs a thread computed, newest last: the runner's memo for
/// hashes that the entries of one test (the same transaction under several forks) often repeat.
/// A hit needs content equal to the stored one, so the memo gives exactly what hashing would.
struct Recent<K> {
    items: std::collections::VecDeque<(K, B256)>,
    capacity: usize,
}

impl<K> Recent<K> {
    const fn new(capacity: usize) -> Self {
        Recent {
            items: std::collections::VecDeque::new(),
            capacity,
        }
    }

    /// The hash stored with content for which `same` holds.
    fn find(&self, same: impl Fn(&K) -> bool) -> Option<B256> {
        self.items.iter().find(|(k, _)| same(k)).map(|(_, h)| *h)
    }

    /// Stores a pair, dropping the oldest when full.
    fn put(&mut self, k: K, h: B256) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back((k, h));
    }
}

/// Logs whose data together reach this many bytes go through the memo of [`logs_hash_memo`].
const MEMO_LOGS_FROM: usize = 64 * 1024;
/// Final states [`state_root_memo`] remembers per thread.
const MEMO_STATES: usize = 8;

thread_local! {
    /// The last large log list this thread hashed (its `Bytes` shared, not copied).
    static LAST_LOGS: std::cell::RefCell<Recent<Vec<Log>>> =
        const { std::cell::RefCell::new(Recent::new(1)) };
    /// The account leaves of the last final states this thread hashed.
    static LAST_STATES: std::cell::RefCell<Recent<Vec<(B256, TrieAccount)>>> =
        const { std::cell::RefCell::new(Recent::new(MEMO_STATES)) };
}

/// [`crate::trie::logs_hash`], remembering the last large list per thread: stRandom emits 9 MB
/// logs, the same for each fork, and comparing bytes is much cheaper than hashing them.
fn logs_hash_memo(logs: &[Log]) -> B256 {
    let size: usize = logs.iter().map(|l| l.data.len()).sum();
    if size < MEMO_LOGS_FROM {
        return crate::trie::logs_hash(logs);
    }
    LAST_LOGS
        .with_borrow(|r| r.find(|l| l.as_slice() == logs))
        .unwrap_or_else(|| {
            let h = crate::trie::logs_hash(logs);
            LAST_LOGS.with_borrow_mut(|r| r.put(logs.to_vec(), h));
            h
        })
}

/// [`crate::trie::state_root`], remembering the last few final states per thread: half of the
/// entries of the Cancun files end in an account set identical to one of the eight before, and
/// comparing leaves is much cheaper than hashing the trie. Storage roots are computed either way
/// (they are part of the leaves).
fn state_root_memo(state: &State<'_>, clear_empty: bool) -> B256 {
    let leaves = crate::trie::state_leaves(state, clear_empty);
    LAST_STATES
        .with_borrow(|r| r.find(|l| *l == leaves))
        .unwrap_or_else(|| {
            let root = crate::trie::state_root_of(&leaves);
            LAST_STATES.with_borrow_mut(|r| r.put(leaves, root));
            root
        })
}

fn check_entry<V: Vm>(
    ctx: &TestCtx<'_>,
    test: &StateTest,
    rev: Revision,
    block: &BlockEnv,
    entry: &PostEntry,
    vm: &V,
    gas_used: &mut Option<u64>,
) -> Outcome {
    let expected_root = match parse_b256(entry.hash.as_str()) {
        Ok(h) => h,
        Err(e) => return Outcome::Failed(format!("bad expected hash: {e}")),
    };
    let expected_logs = match parse_b256(entry.logs.as_str()) {
        Ok(h) => h,
        Err(e) => return Outcome::Failed(format!("bad expected logs hash: {e}")),
    };
    let tx = match build_tx(&test.transaction, &entry.indexes, ctx.sender) {
        Ok(tx) => Ok(tx),
        Err(Ok(malformed)) => Err(malformed),
        Err(Err(broken)) => return Outcome::Failed(format!("broken fixture: {broken}")),
    };
    let result = match tx {
        Ok(tx) => execute_transaction(ctx.pre, block, &tx, rev, vm).map_err(|e| e.to_string()),
        Err(m) => Err(format!("malformed transaction: {m}")),
    };
    match result {
        Err(reason) => {
            if entry.expect_exception.is_none() {
                return Outcome::Failed(format!(
                    "transaction rejected ({reason}) but no exception was expected"
                ));
            }
            // As geth's runner does: the coinbase gets a zero reward even when the transaction
            // is rejected, which creates it (an empty account survives before Spurious Dragon).
            let clear_empty = rev >= Revision::SpuriousDragon;
            let root = *ctx.pre_root[clear_empty as usize].get_or_init(|| {
                let mut st = State::new(ctx.pre);
                st.touch(&block.coinbase);
                crate::trie::state_root(&st, clear_empty)
            });
            if root != expected_root {
                return Outcome::Failed(format!(
                    "transaction rejected as expected ({reason}), but state root expected {expected_root} got {root} (pre-state)"
                ));
            }
            Outcome::Passed
        }
        Ok(out) => {
            *gas_used = Some(out.gas_used);
            if let Some(ex) = &entry.expect_exception {
                return Outcome::Failed(format!(
                    "expected exception {ex}, but the transaction was valid (status {}, gas used {})",
                    out.status, out.gas_used
                ));
            }
            let logs = logs_hash_memo(&out.logs);
            let root = state_root_memo(&out.state, rev >= Revision::SpuriousDragon);
            let mut why = String::new();
            if root != expected_root {
                let _ = write!(why, "state root expected {expected_root} got {root}");
            }
            if logs != expected_logs {
                if !why.is_empty() {
                    why.push_str("; ");
                }
                let _ = write!(why, "logs hash expected {expected_logs} got {logs}");
            }
            if why.is_empty() {
                Outcome::Passed
            } else {
                let _ = write!(why, " (status {}, gas used {})", out.status, out.gas_used);
                Outcome::Failed(why)
            }
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}

fn run_test<V: Vm + Sync>(
    path: &Path,
    name: &str,
    test: &StateTest,
    vm: &V,
    opts: &RunOptions,
) -> Vec<EntryResult> {
    let mut jobs: Vec<(&str, Result<Revision, String>, usize, &PostEntry)> = Vec::new();
    for (fork, entries) in &test.post {
        let rev = fork.parse::<Revision>().map_err(|e| e.to_string());
        if let (Some(want), Ok(r)) = (opts.fork, &rev) {
            if want != *r {
                continue;
            }
        }
        if opts.fork.is_some() && rev.is_err() {
            continue;
        }
        for (i, e) in entries.iter().enumerate() {
            jobs.push((fork.as_str(), rev.clone(), i, e));
        }
    }
    let result_of = |fork: &str, i: usize, e: &PostEntry, outcome: Outcome| EntryResult {
        file: path.to_path_buf(),
        test: name.to_string(),
        fork: fork.to_string(),
        index: i,
        indexes: Some(e.indexes),
        outcome,
        elapsed: std::time::Duration::ZERO,
        gas_used: None,
    };
    if jobs.is_empty() {
        return Vec::new();
    }
    let setup = build_pre(test).and_then(|pre| Ok((pre, sender_of(&test.transaction)?)));
    let (pre, sender) = match setup {
        Ok(p) => p,
        Err(reason) => {
            return jobs
                .into_iter()
                .map(|(f, _, i, e)| {
                    result_of(
                        f,
                        i,
                        e,
                        Outcome::Failed(format!("broken fixture: {reason}")),
                    )
                })
                .collect()
        }
    };
    let ctx = TestCtx {
        pre: &pre,
        pre_root: [OnceLock::new(), OnceLock::new()],
        sender,
    };
    jobs.into_par_iter()
        .map(|(fork, rev, i, e)| {
            let start = std::time::Instant::now();
            let mut gas_used = None;
            let outcome = match rev {
                Err(reason) => Outcome::Skipped(format!("fork not supported: {reason}")),
                Ok(rev) => match build_block(test, fork, rev) {
                    Err(reason) => Outcome::Failed(format!("broken fixture: {reason}")),
                    Ok(block) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check_entry(&ctx, test, rev, &block, e, vm, &mut gas_used)
                    }))
                    .unwrap_or_else(|p| Outcome::Failed(format!("panic: {}", panic_message(p)))),
                },
            };
            EntryResult {
                elapsed: start.elapsed(),
                gas_used,
                ..result_of(fork, i, e, outcome)
            }
        })
        .collect()
}

/// Passed/failed/skipped counts of one fork.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForkCounts {
    /// Passed entries.
    pub passed: usize,
    /// Failed entries.
    pub failed: usize,
    /// Skipped entries.
    pub skipped: usize,
}

fn fork_order(name: &str) -> (usize, String) {
    match name.parse::<Revision>() {
        Ok(r) => (r as usize, name.to_string()),
        Err(_) if name.is_empty() => (usize::MAX, name.to_string()),
        Err(_) => (usize::MAX - 1, name.to_string()),
    }
}

/// Counts per fork (forks in chronological order; file-level failures under "(file)").
pub fn summarize(results: &[EntryResult]) -> Vec<(String, ForkCounts)> {
    let mut map: BTreeMap<(usize, String), ForkCounts> = BTreeMap::new();
    for r in results {
        let name = if r.fork.is_empty() {
            "(file)"
        } else {
            r.fork.as_str()
        };
        let key = if r.fork.is_empty() {
            (usize::MAX, name.to_string())
        } else {
            fork_order(name)
        };
        let c = map.entry(key).or_default();
        match r.outcome {
            Outcome::Passed => c.passed += 1,
            Outcome::Failed(_) => c.failed += 1,
            Outcome::Skipped(_) => c.skipped += 1,
        }
    }
    map.into_iter().map(|((_, n), c)| (n, c)).collect()
}

/// The human report: failures (at most `max_failures`, each with file, test, fork, indexes and
/// reason), skip reasons, the per-fork table and, as the last line, `N passed, M failed, K skipped`.
pub fn format_summary(results: &[EntryResult], max_failures: usize) -> String {
    let mut s = String::new();
    let failed: Vec<&EntryResult> = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .collect();
    for r in failed.iter().take(max_failures) {
        if let Outcome::Failed(why) = &r.outcome {
            let ix = r
                .indexes
                .map(|i| format!(" d={} g={} v={}", i.data, i.gas, i.value))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "FAIL {} :: {} [{}]{}: {}",
                r.file.display(),
                if r.test.is_empty() { "-" } else { &r.test },
                if r.fork.is_empty() { "-" } else { &r.fork },
                ix,
                why
            );
        }
    }
    if failed.len() > max_failures {
        let _ = writeln!(s, "... and {} more failures", failed.len() - max_failures);
    }
    let mut skip_reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results {
        if let Outcome::Skipped(why) = &r.outcome {
            *skip_reasons.entry(why.as_str()).or_default() += 1;
        }
    }
    let summary = summarize(results);
    let _ = writeln!(
        s,
        "{:<18} {:>8} {:>8} {:>8}",
        "fork", "passed", "failed", "skipped"
    );
    let mut total = ForkCounts::default();
    for (fork, c) in &summary {
        let _ = writeln!(
            s,
            "{:<18} {:>8} {:>8} {:>8}",
            fork, c.passed, c.failed, c.skipped
        );
        total.passed += c.passed;
        total.failed += c.failed;
        total.skipped += c.skipped;
    }
    for (why, n) in skip_reasons {
        let _ = writeln!(s, "skipped {n}: {why}");
    }
    let _ = write!(
        s,
        "{} passed, {} failed, {} skipped",
        total.passed, total.failed, total.skipped
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Bytes;

    /// The memo answers exactly what hashing would: for a repeat, for a list differing in one
    /// byte, for the first list again, and for small lists that bypass it.
    #[test]
    fn logs_memo_returns_the_hash_of_the_logs_given() {
        let log = |fill: u8, last: u8| {
            let mut data = vec![fill; 2 * MEMO_LOGS_FROM];
            *data.last_mut().unwrap() = last;
            Log {
                address: Address::with_last_byte(1),
                topics: vec![B256::with_last_byte(2)],
                data: Bytes::from(data),
            }
        };
        let a = vec![log(0, 0)];
        let b = vec![log(0, 1)];
        let (ha, hb) = (crate::trie::logs_hash(&a), crate::trie::logs_hash(&b));
        assert_ne!(ha, hb);
        for (logs, want) in [(&a, ha), (&a, ha), (&b, hb), (&a, ha), (&b, hb)] {
            assert_eq!(logs_hash_memo(logs), want);
        }
        let small = vec![Log {
            data: Bytes::from_static(b"x"),
            ..log(0, 0)
        }];
        assert_eq!(logs_hash_memo(&small), crate::trie::logs_hash(&small));
        assert_eq!(logs_hash_memo(&b), hb);
    }

    /// The state-root memo answers what the trie gives, for repeats, for states that differ in
    /// one balance, and after more distinct states than it keeps.
    #[test]
    fn state_root_memo_returns_the_root_of_the_state_given() {
        let pres: Vec<PreState> = (0..MEMO_STATES as u64 + 3)
            .map(|i| {
                let mut pre = PreState::new();
                for a in 1..=5u8 {
                    pre.insert(
                        Address::with_last_byte(a),
                        PreAccount::new(
                            u64::from(a),
                            U256::from(i * 10 + u64::from(a)),
                            &[],
                            SlotMap::default(),
                        ),
                    );
                }
                pre
            })
            .collect();
        let roots: Vec<B256> = pres
            .iter()
            .map(|p| crate::trie::state_root(&State::new(p), true))
            .collect();
        for (i, r) in roots.iter().enumerate() {
            assert!(!roots[..i].contains(r), "distinct states, distinct roots");
        }
        for round in 0..3 {
            for (p, want) in pres.iter().zip(&roots) {
                assert_eq!(
                    state_root_memo(&State::new(p), true),
                    *want,
                    "round {round}"
                );
                assert_eq!(state_root_memo(&State::new(p), true), *want, "repeat");
            }
        }
    }
}
