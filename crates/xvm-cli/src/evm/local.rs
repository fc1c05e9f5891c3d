//! The local chain from the command line: `xvm evm deploy|call|send|balance|code|nonce|storage|
//! receipt|block` and `xvm accounts`, each working directly on the embedded state
//! (`--state DIR`, else `$XVM_STATE`, else `.xvm`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use alloy_dyn_abi::DynSolType;
use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, Bytes, B256, U256};
use clap::Args;
use serde_json::json;
use xvm_chain::{
    abi, artifact, CallRequest, Chain, ChainError, ContractInfo, GenesisOptions, LogRecord, Mined,
    TxRequest,
};
use xvm_evm::{Eip3155Tracer, Revision, StatusCode, Tracer};

use crate::usage_error;

/// Where the state is and how a new one is made.
#[derive(Args, Clone)]
pub struct StateOpts {
    /// State folder (default: $XVM_STATE, else .xvm in the working folder).
    #[arg(long, value_name = "DIR", global = true)]
    state: Option<PathBuf>,
    /// Fork of a new state (fixed once created): frontier ... osaka.
    #[arg(long, value_name = "FORK", global = true)]
    fork: Option<String>,
}

impl StateOpts {
    pub(crate) fn open(&self) -> Result<Chain, String> {
        let dir = xvm_store::resolve_dir(self.state.as_deref());
        let mut genesis = GenesisOptions::default();
        if let Some(f) = &self.fork {
            genesis.revision = f.parse::<Revision>().map_err(|e| e.to_string())?;
        }
        let chain = Chain::open(&dir, &genesis).map_err(|e| e.to_string())?;
        if let Some(f) = &self.fork {
            let want: Revision = f
                .parse()
                .map_err(|e: xvm_evm::revision::UnknownRevision| e.to_string())?;
            if want != chain.revision() {
                return Err(format!(
                    "the state in {} runs {}; its fork is chosen once, at creation",
                    dir.display(),
                    chain.revision()
                ));
            }
        }
        Ok(chain)
    }
}

/// A sender: an index into the default accounts or an address.
pub(crate) fn parse_from(chain: &Chain, from: Option<&str>) -> Result<Address, String> {
    let accounts = chain.accounts();
    match from {
        None => accounts
            .first()
            .map(|a| a.address)
            .ok_or_else(|| "no default account".into()),
        Some(s) => {
            if let Ok(i) = s.parse::<usize>() {
                return accounts.get(i).map(|a| a.address).ok_or_else(|| {
                    format!("--from {i}: there are {} default accounts", accounts.len())
                });
            }
            parse_address("--from", s)
        }
    }
}

pub(crate) fn parse_address(what: &str, s: &str) -> Result<Address, String> {
    s.trim()
        .parse::<Address>()
        .map_err(|e| format!("{what}: '{s}' is not an address: {e}"))
}

/// Wei, with units: `1000`, `0x3e8`, `1.5ether`, `20gwei`.
pub(crate) fn parse_wei(s: &str) -> Result<U256, String> {
    match DynSolType::Uint(256).coerce_str(s.trim()) {
        Ok(alloy_dyn_abi::DynSolValue::Uint(v, _)) => Ok(v),
        _ => Err(format!(
            "--value: '{s}' is not an amount of wei (e.g. 1000, 1ether, 5gwei)"
        )),
    }
}

fn parse_b256(what: &str, s: &str) -> Result<B256, String> {
    s.trim()
        .parse::<B256>()
        .map_err(|_| format!("{what}: '{s}' is not a 32-byte hex hash"))
}

fn tracer(on: bool) -> Option<Box<dyn Tracer + Send>> {
    on.then(|| {
        Box::new(Eip3155Tracer::new(std::io::BufWriter::new(
            std::io::stderr(),
        ))) as Box<dyn Tracer + Send>
    })
}

/// Prints the ABIs of contracts that emitted logs, loaded once each.
struct Abis<'c> {
    chain: &'c Chain,
    cache: HashMap<Address, Option<JsonAbi>>,
}

impl<'c> Abis<'c> {
    fn new(chain: &'c Chain) -> Self {
        Abis {
            chain,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, addr: &Address) -> Option<&JsonAbi> {
        let chain = self.chain;
        self.cache
            .entry(*addr)
            .or_insert_with(|| {
                chain
                    .contract(addr)
                    .ok()
                    .flatten()
                    .and_then(|c| c.abi)
                    .and_then(|v| abi::parse_abi(&v).ok())
            })
            .as_ref()
    }

    fn print_logs(&mut self, logs: &[LogRecord]) {
        if logs.is_empty() {
            return;
        }
        println!("logs:");
        for l in logs {
            let text = self
                .get(&l.address)
                .and_then(|a| abi::decode_log(a, &l.topics, &l.data));
            match text {
                Some(t) => println!("  {} {t}", l.address.to_checksum(None)),
                None => println!(
                    "  {} topics [{}] data {}",
                    l.address.to_checksum(None),
                    l.topics
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    l.data
                ),
            }
        }
    }
}

fn print_mined(m: &Mined) {
    println!(
        "transaction {}\nblock {}  gas used {}  status {}",
        m.tx.hash,
        m.block.number,
        m.tx.gas_used,
        if m.tx.status { "success" } else { "failed" }
    );
}

/// Why a mined transaction failed: the decoded revert, or the failure status.
fn failure(m: &Mined, abi: Option<&JsonAbi>) -> String {
    match m.status {
        StatusCode::Revert => format!("reverted: {}", abi::decode_revert(abi, &m.tx.output)),
        StatusCode::OutOfGas => "out of gas".to_string(),
        other => format!("failed: {other:?}"),
    }
}

/// Prints a mined transaction's logs and turns its status into the exit code: 0, or 1 with the
/// decoded reason on stderr.
fn finish(chain: &Chain, m: &Mined, abi: Option<&JsonAbi>) -> Result<ExitCode, ExitCode> {
    Abis::new(chain).print_logs(&m.tx.logs);
    if m.tx.status {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {}", failure(m, abi));
        Ok(ExitCode::from(1))
    }
}

/// A chain error as an exit: rejected transactions and bad input are status 2, reverts 1.
fn chain_error(e: ChainError, abi: Option<&JsonAbi>) -> ExitCode {
    match e {
        ChainError::EstimateFailed { output, reason, .. } => {
            if output.is_empty() && reason != "execution reverted" {
                eprintln!("error: transaction fails: {reason}");
            } else {
                eprintln!("error: reverted: {}", abi::decode_revert(abi, &output));
            }
            ExitCode::from(1)
        }
        other => usage_error(other),
    }
}

/// Arguments of `xvm evm deploy`.
#[derive(Args)]
pub struct DeployArgs {
    /// Artifact: raw hex, solc --combined-json or standard-JSON output, a foundry or hardhat
    /// artifact, or vyper -f combined_json output.
    #[arg(required_unless_present = "code")]
    file: Option<PathBuf>,
    /// Init code as hex, instead of FILE.
    #[arg(long, conflicts_with = "file")]
    code: Option<String>,
    /// Constructor arguments, parsed per the ABI's types.
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// The contract to deploy when the artifact holds several.
    #[arg(long)]
    contract: Option<String>,
    /// Sender: a default account's index or address (default 0).
    #[arg(long)]
    from: Option<String>,
    /// Wei sent to the constructor (units allowed: 1ether, 5gwei).
    #[arg(long, default_value = "0")]
    value: String,
    /// Gas limit (default: the exact estimate).
    #[arg(long)]
    gas: Option<u64>,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm deploy`.
pub fn deploy(a: DeployArgs) -> ExitCode {
    deploy_inner(a).unwrap_or_else(|code| code)
}

fn deploy_inner(a: DeployArgs) -> Result<ExitCode, ExitCode> {
    let art = match (&a.file, &a.code) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => artifact::parse(&text, a.contract.as_deref())
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        },
        (None, Some(hex)) => artifact::parse_hex_code(hex).map(|bytecode| artifact::Artifact {
            name: None,
            bytecode,
            abi: None,
        }),
        (None, None) => Err("give an artifact FILE or --code HEX".into()),
    };
    let art = art.map_err(usage_error)?;
    let parsed_abi = art
        .abi
        .as_ref()
        .map(abi::parse_abi)
        .transpose()
        .map_err(usage_error)?;
    let data =
        abi::constructor_data(parsed_abi.as_ref(), &art.bytecode, &a.args).map_err(usage_error)?;
    let value = parse_wei(&a.value).map_err(usage_error)?;
    let mut chain = a.state.open().map_err(usage_error)?;
    let from = parse_from(&chain, a.from.as_deref()).map_err(usage_error)?;
    let info = ContractInfo {
        name: art.name.clone(),
        abi: art.abi.clone(),
    };
    let req = TxRequest {
        from,
        to: None,
        value,
        data,
        gas: a.gas,
    };
    let mined = match chain.send(&req, Some(&info), None) {
        Ok(m) => m,
        Err(e) => return Err(chain_error(e, parsed_abi.as_ref())),
    };
    match mined.tx.contract_address {
        Some(addr) => println!(
            "contract {}deployed at {}",
            art.name
                .as_deref()
                .map(|n| format!("{n} "))
                .unwrap_or_default(),
            addr.to_checksum(None)
        ),
        None => println!("deployment failed"),
    }
    print_mined(&mined);
    finish(&chain, &mined, parsed_abi.as_ref())
}

/// Arguments of `xvm evm call`.
#[derive(Args)]
pub struct CallArgs {
    /// The contract's address.
    address: String,
    /// A signature with optional return types (`balanceOf(address)(uint256)`) or, when the
    /// contract's ABI is stored, a method name.
    method: String,
    /// Arguments, parsed per type (numbers with units, addresses, bytes as 0x-hex, strings,
    /// arrays and tuples as JSON).
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// Sender: a default account's index or address (default 0).
    #[arg(long)]
    from: Option<String>,
    /// Wei sent (units allowed: 1ether, 5gwei).
    #[arg(long, default_value = "0")]
    value: String,
    /// Gas limit (default: the exact estimate; for --static the block's).
    #[arg(long)]
    gas: Option<u64>,
    /// Run as eth_call: nothing is mined or written.
    #[arg(long = "static")]
    is_static: bool,
    /// Print the EIP-3155 trace on stderr.
    #[arg(long)]
    trace: bool,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm call`.
pub fn call(a: CallArgs) -> ExitCode {
    call_inner(a).unwrap_or_else(|code| code)
}

fn call_inner(a: CallArgs) -> Result<ExitCode, ExitCode> {
    let to = parse_address("address", &a.address).map_err(usage_error)?;
    let value = parse_wei(&a.value).map_err(usage_error)?;
    let mut chain = a.state.open().map_err(usage_error)?;
    if chain.account(&to).code.is_empty() {
        return Err(usage_error(format!(
            "no contract at {}",
            to.to_checksum(None)
        )));
    }
    let stored_abi = match chain.contract(&to) {
        Ok(info) => info
            .and_then(|c| c.abi)
            .map(|v| abi::parse_abi(&v))
            .transpose(),
        Err(e) => return Err(usage_error(e)),
    };
    let stored_abi = stored_abi.map_err(usage_error)?;
    let func =
        abi::resolve_function(stored_abi.as_ref(), &a.method, a.args.len()).map_err(usage_error)?;
    let data =
        match abi::parse_args(&func.inputs, &a.args).and_then(|v| abi::encode_call(&func, &v)) {
            Ok(d) => d,
            Err(e) => return Err(usage_error(e)),
        };
    let from = parse_from(&chain, a.from.as_deref()).map_err(usage_error)?;
    let print_result = |output: &Bytes| {
        if func.outputs.is_empty() {
            if !output.is_empty() {
                println!("output: {output}");
            }
            return;
        }
        match abi::decode_output(&func, output) {
            Ok(values) => {
                for v in &values {
                    println!("{}", abi::format_value(v));
                }
            }
            Err(e) => println!("output: {output} ({e})"),
        }
    };
    if a.is_static {
        let req = CallRequest {
            from: Some(from),
            to: Some(to),
            value,
            data,
            gas: a.gas,
        };
        let res = chain
            .call(&req, tracer(a.trace).map(|t| t as Box<dyn Tracer>))
            .map_err(usage_error)?;
        return match res.status {
            StatusCode::Success => {
                print_result(&res.output);
                Ok(ExitCode::SUCCESS)
            }
            StatusCode::Revert => {
                eprintln!(
                    "error: reverted: {}",
                    abi::decode_revert(stored_abi.as_ref(), &res.output)
                );
                Ok(ExitCode::from(1))
            }
            other => {
                eprintln!("error: call failed: {other:?}");
                Ok(ExitCode::from(1))
            }
        };
    }
    let req = TxRequest {
        from,
        to: Some(to),
        value,
        data,
        gas: a.gas,
    };
    let mined = match chain.send(&req, None, tracer(a.trace)) {
        Ok(m) => m,
        Err(e) => return Err(chain_error(e, stored_abi.as_ref())),
    };
    print_mined(&mined);
    if mined.tx.status {
        print_result(&mined.tx.output);
    }
    finish(&chain, &mined, stored_abi.as_ref())
}

/// Arguments of `xvm evm send`.
#[derive(Args)]
pub struct SendArgs {
    /// Recipient address.
    to: String,
    /// Wei sent (units allowed: 1ether, 5gwei).
    #[arg(long)]
    value: String,
    /// Sender: a default account's index or address (default 0).
    #[arg(long)]
    from: Option<String>,
    /// Call data as hex.
    #[arg(long)]
    data: Option<String>,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm send`.
pub fn send(a: SendArgs) -> ExitCode {
    send_inner(a).unwrap_or_else(|code| code)
}

fn send_inner(a: SendArgs) -> Result<ExitCode, ExitCode> {
    let to = parse_address("recipient", &a.to).map_err(usage_error)?;
    let value = parse_wei(&a.value).map_err(usage_error)?;
    let data = match a
        .data
        .as_deref()
        .map(|d| crate::input::parse_hex("--data", d))
        .transpose()
    {
        Ok(d) => Bytes::from(d.unwrap_or_default()),
        Err(e) => return Err(usage_error(e)),
    };
    let mut chain = a.state.open().map_err(usage_error)?;
    let from = parse_from(&chain, a.from.as_deref()).map_err(usage_error)?;
    match chain.send(
        &TxRequest {
            from,
            to: Some(to),
            value,
            data,
            gas: None,
        },
        None,
        None,
    ) {
        Ok(m) => {
            print_mined(&m);
            finish(&chain, &m, None)
        }
        Err(e) => Err(chain_error(e, None)),
    }
}

/// Arguments of the account queries (`balance`, `code`, `nonce`).
#[derive(Args)]
pub struct AddrArgs {
    /// The account's address.
    address: String,
    #[command(flatten)]
    state: StateOpts,
}

/// Which field `xvm evm balance|code|nonce` prints.
pub enum AccountField {
    /// Balance in wei.
    Balance,
    /// Code as hex.
    Code,
    /// Nonce.
    Nonce,
}

/// `xvm evm balance|code|nonce`.
pub fn account(a: AddrArgs, field: AccountField) -> ExitCode {
    account_inner(a, field).unwrap_or_else(|code| code)
}

fn account_inner(a: AddrArgs, field: AccountField) -> Result<ExitCode, ExitCode> {
    let addr = parse_address("address", &a.address).map_err(usage_error)?;
    let chain = a.state.open().map_err(usage_error)?;
    let acc = chain.account(&addr);
    match field {
        AccountField::Balance => println!("{}", acc.balance),
        AccountField::Code => println!("{}", acc.code),
        AccountField::Nonce => println!("{}", acc.nonce),
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `xvm evm storage`.
#[derive(Args)]
pub struct StorageArgs {
    /// The account's address.
    address: String,
    /// The slot (decimal or 0x-hex).
    slot: String,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm storage`.
pub fn storage(a: StorageArgs) -> ExitCode {
    storage_inner(a).unwrap_or_else(|code| code)
}

fn storage_inner(a: StorageArgs) -> Result<ExitCode, ExitCode> {
    let addr = parse_address("address", &a.address).map_err(usage_error)?;
    let slot = match DynSolType::Uint(256).coerce_str(a.slot.trim()) {
        Ok(alloy_dyn_abi::DynSolValue::Uint(v, _)) => v,
        _ => return Err(usage_error(format!("slot: '{}' is not a number", a.slot))),
    };
    let chain = a.state.open().map_err(usage_error)?;
    println!("{}", B256::from(chain.storage_at(&addr, &slot)));
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `xvm evm receipt`.
#[derive(Args)]
pub struct ReceiptArgs {
    /// The transaction hash.
    hash: String,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm receipt`: the receipt as JSON, in the shape of eth_getTransactionReceipt, with
/// decoded logs where the ABI is known.
pub fn receipt(a: ReceiptArgs) -> ExitCode {
    receipt_inner(a).unwrap_or_else(|code| code)
}

fn receipt_inner(a: ReceiptArgs) -> Result<ExitCode, ExitCode> {
    let hash = parse_b256("transaction hash", &a.hash).map_err(usage_error)?;
    let chain = a.state.open().map_err(usage_error)?;
    let tx = match chain.transaction(&hash) {
        Ok(Some(t)) => t,
        Ok(None) => return Err(usage_error(format!("no transaction {hash}"))),
        Err(e) => return Err(usage_error(e)),
    };
    let mut abis = Abis::new(&chain);
    let logs: Vec<_> = tx
        .logs
        .iter()
        .map(|l| {
            let decoded = abis
                .get(&l.address)
                .and_then(|x| abi::decode_log(x, &l.topics, &l.data));
            json!({
                "address": l.address, "topics": l.topics, "data": l.data,
                "logIndex": format!("{:#x}", l.log_index), "decoded": decoded,
            })
        })
        .collect();
    let out = json!({
        "transactionHash": tx.hash,
        "blockNumber": format!("{:#x}", tx.block_number),
        "blockHash": tx.block_hash,
        "transactionIndex": format!("{:#x}", tx.index),
        "from": tx.from,
        "to": tx.to,
        "contractAddress": tx.contract_address,
        "status": if tx.status { "0x1" } else { "0x0" },
        "gasUsed": format!("{:#x}", tx.gas_used),
        "cumulativeGasUsed": format!("{:#x}", tx.cumulative_gas_used),
        "effectiveGasPrice": format!("{:#x}", tx.effective_gas_price),
        "type": format!("{:#x}", tx.ty),
        "logs": logs,
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `xvm evm block`.
#[derive(Args)]
pub struct BlockArgs {
    /// Block number (default: the newest).
    number: Option<u64>,
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm evm block`: the block header and its transaction hashes as JSON.
pub fn block(a: BlockArgs) -> ExitCode {
    block_inner(a).unwrap_or_else(|code| code)
}

fn block_inner(a: BlockArgs) -> Result<ExitCode, ExitCode> {
    let chain = a.state.open().map_err(usage_error)?;
    let n = a.number.unwrap_or(chain.head().number);
    match chain.block(n) {
        Ok(Some(b)) => {
            println!("{}", serde_json::to_string_pretty(&b).expect("json"));
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => Err(usage_error(format!(
            "no block {n} (the newest is {})",
            chain.head().number
        ))),
        Err(e) => Err(usage_error(e)),
    }
}

/// Arguments of `xvm accounts`.
#[derive(Args)]
pub struct AccountsArgs {
    #[command(flatten)]
    state: StateOpts,
}

/// `xvm accounts`: the default accounts with balances and keys.
pub fn accounts(a: AccountsArgs) -> ExitCode {
    accounts_inner(a).unwrap_or_else(|code| code)
}

fn accounts_inner(a: AccountsArgs) -> Result<ExitCode, ExitCode> {
    let chain = a.state.open().map_err(usage_error)?;
    println!(
        "chain id {}  fork {}  block {}  state {}",
        chain.config().chain_id,
        chain.revision(),
        chain.head().number,
        chain.dir().display()
    );
    println!("mnemonic: {}", chain.config().mnemonic);
    for (i, acc) in chain.accounts().iter().enumerate() {
        let info = chain.account(&acc.address);
        println!(
            "({i}) {}  {} wei  nonce {}  key {}",
            acc.address.to_checksum(None),
            info.balance,
            info.nonce,
            acc.private_key
        );
    }
    Ok(ExitCode::SUCCESS)
}
