//! `xvm neo deploy | invoke | storage | contracts | accounts | transfer | oracle`: the Neo
//! contract platform on the embedded state (`--state DIR`, else env XVM_STATE, else `.xvm`).
//! Bad input prints one line and exits with status 2 before anything is written.

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xvm_neo::chain::{call_script, Chain, Invocation, StoreBackend, DEFAULT_ACCOUNT, DEFAULT_GAS};
use xvm_neo::convert::{item_to_json, parse_arg};
use xvm_neo::native::{contract_management, oracle, token};
use xvm_neo::tx::{scope, Signer};
use xvm_neo::types::{ParamType, UInt160};
use xvm_neovm::{Int, StackItem, VmState};

/// Where the state lives.
#[derive(Args, Clone)]
pub struct StateArg {
    /// State folder (default: env XVM_STATE, else `.xvm` in the working folder).
    #[arg(long, value_name = "DIR", global = true)]
    state: Option<PathBuf>,
}

/// `xvm neo deploy`.
#[derive(Args)]
pub struct DeployArgs {
    /// The compiled contract (.nef).
    nef: PathBuf,
    /// The manifest (default: the .nef name with .manifest.json).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Account that deploys and pays (default: `default`).
    #[arg(long)]
    account: Option<String>,
    /// GAS limit in datoshi (default 20 GAS = 2000000000).
    #[arg(long)]
    gas: Option<i64>,
    /// Data passed to `_deploy` (an argument of type Any: integer, 0x-hex, JSON or text).
    #[arg(long)]
    data: Option<String>,
    #[command(flatten)]
    state: StateArg,
}

/// `xvm neo invoke`.
#[derive(Args)]
pub struct InvokeArgs {
    /// Contract hash (0x...), contract name, or native name (GasToken, NeoToken, StdLib, ...).
    contract: String,
    /// Method name.
    method: String,
    /// Arguments, converted by the manifest's parameter types.
    args: Vec<String>,
    /// Account that signs and pays (default: `default`).
    #[arg(long)]
    account: Option<String>,
    /// Extra or replacing signers: `NAME[:SCOPE[+SCOPE]]`, scopes None, CalledByEntry, Global,
    /// CustomContracts=HASH[,HASH], CustomGroups=KEY[,KEY]. The first signer pays.
    #[arg(long)]
    signer: Vec<String>,
    /// GAS limit in datoshi (default 20 GAS = 2000000000).
    #[arg(long)]
    gas: Option<i64>,
    /// Run without committing anything (like invokefunction).
    #[arg(long)]
    test: bool,
    #[command(flatten)]
    state: StateArg,
}

/// `xvm neo storage`.
#[derive(Args)]
pub struct StorageArgs {
    /// Contract hash or name.
    contract: String,
    /// Only keys starting with these bytes (hex).
    #[arg(long)]
    prefix: Option<String>,
    #[command(flatten)]
    state: StateArg,
}

/// `xvm neo contracts`.
#[derive(Args)]
pub struct ContractsArgs {
    #[command(flatten)]
    state: StateArg,
}

/// `xvm neo accounts`.
#[derive(Args)]
pub struct AccountsArgs {
    #[command(subcommand)]
    command: Option<AccountsCommand>,
    #[command(flatten)]
    state: StateArg,
}

#[derive(Subcommand)]
enum AccountsCommand {
    /// Create an account with a fresh secp256r1 key.
    New {
        /// Account name.
        name: String,
    },
}

/// `xvm neo transfer`.
#[derive(Args)]
pub struct TransferArgs {
    /// NEO or GAS.
    token: String,
    /// Recipient: account name, Neo address or 0x hash.
    to: String,
    /// Amount in token units (GAS may have up to 8 decimals).
    amount: String,
    /// Sending account (default: `default`).
    #[arg(long)]
    account: Option<String>,
    #[command(flatten)]
    state: StateArg,
}

/// `xvm neo oracle`.
#[derive(Args)]
pub struct OracleArgs {
    #[command(subcommand)]
    command: OracleCommand,
}

#[derive(Subcommand)]
enum OracleCommand {
    /// Answer a stored Oracle request and run the contract's callback.
    Respond(RespondArgs),
    /// List pending Oracle requests.
    Requests {
        #[command(flatten)]
        state: StateArg,
    },
}

/// `xvm neo oracle respond`.
#[derive(Args)]
pub struct RespondArgs {
    /// The request id.
    id: u64,
    /// File holding the response body.
    #[arg(long)]
    result: PathBuf,
    /// Response code (Success, NotFound, Timeout, Forbidden, Error, ...).
    #[arg(long, default_value = "Success")]
    code: String,
    /// Account that signs the response transaction (default: `default`).
    #[arg(long)]
    account: Option<String>,
    #[command(flatten)]
    state: StateArg,
}

fn bad(msg: impl std::fmt::Display) -> ExitCode {
    crate::usage_error(msg)
}

pub(crate) fn state_dir(s: &StateArg) -> PathBuf {
    xvm_store::resolve_dir(s.state.as_deref())
}

pub(crate) fn state_exists(dir: &Path) -> bool {
    dir.join(xvm_store::FILE_NAME).exists()
}

pub(crate) fn open(dir: &Path) -> Result<Chain<StoreBackend>, String> {
    Chain::open(StoreBackend::open(dir)?)
}

/// An open chain or the exit code of the failure (status 1: the state could not be opened).
macro_rules! chain_or_exit {
    ($dir:expr) => {
        match open($dir) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    };
}

pub(crate) fn gas_text(datoshi: i64) -> String {
    let sign = if datoshi < 0 { "-" } else { "" };
    let d = datoshi.unsigned_abs();
    format!("{sign}{}.{:08}", d / 100_000_000, d % 100_000_000)
}

fn report(inv: &Invocation, extra: Option<(&str, Value)>) -> ExitCode {
    report_with(inv, extra, true)
}

fn report_with(inv: &Invocation, extra: Option<(&str, Value)>, with_stack: bool) -> ExitCode {
    let o = &inv.outcome;
    let mut v = json!({
        "state": if o.state == VmState::Halt { "HALT" } else { "FAULT" },
        "gasconsumed": o.gas_consumed.to_string(),
        "gas": gas_text(o.gas_consumed),
        "exception": o.fault,
        "stack": o.stack.iter().map(item_to_json).collect::<Vec<_>>(),
        "notifications": o.notifications.iter().map(|n| json!({
            "contract": n.contract.to_string(),
            "eventname": n.event,
            "state": item_to_json(&n.state),
        })).collect::<Vec<_>>(),
        "logs": o.logs.iter().map(|l| json!({"contract": l.contract.to_string(), "message": l.message})).collect::<Vec<_>>(),
        "tx": xvm_neo::types::uint256_text(&inv.tx.hash()),
        "block": inv.block.index,
        "committed": inv.committed,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some((k, x)) = extra {
            obj.insert(k.into(), x);
        }
        if !with_stack {
            obj.remove("stack");
        }
    }
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    if o.state == VmState::Halt {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn parse_signer(chain: &Chain<StoreBackend>, spec: &str) -> Result<Signer, String> {
    let (name, scopes) = spec.split_once(':').unwrap_or((spec, "CalledByEntry"));
    let acc = chain.account(name)?;
    let mut s = Signer::called_by_entry(acc.hash);
    s.scopes = 0;
    for part in scopes.split('+') {
        let (kind, list) = part.split_once('=').unwrap_or((part, ""));
        match kind {
            "None" => {}
            "CalledByEntry" => s.scopes |= scope::CALLED_BY_ENTRY,
            "Global" => s.scopes |= scope::GLOBAL,
            "CustomContracts" => {
                s.scopes |= scope::CUSTOM_CONTRACTS;
                for h in list.split(',').filter(|x| !x.is_empty()) {
                    s.allowed_contracts.push(resolve_contract(chain, h)?);
                }
            }
            "CustomGroups" => {
                s.scopes |= scope::CUSTOM_GROUPS;
                for k in list.split(',').filter(|x| !x.is_empty()) {
                    let b = hex::decode(k.trim_start_matches("0x"))
                        .ok()
                        .filter(|b| b.len() == 33)
                        .ok_or_else(|| format!("signer {spec:?}: bad group key {k:?}"))?;
                    s.allowed_groups.push(b);
                }
            }
            other => return Err(format!("signer {spec:?}: unknown scope {other:?}")),
        }
    }
    Ok(s)
}

fn signers(
    chain: &Chain<StoreBackend>,
    account: Option<&str>,
    extra: &[String],
) -> Result<Vec<Signer>, String> {
    let mut out = Vec::new();
    if extra.is_empty() || account.is_some() {
        out.push(Signer::called_by_entry(
            chain.account(account.unwrap_or(DEFAULT_ACCOUNT))?.hash,
        ));
    }
    for spec in extra {
        let s = parse_signer(chain, spec)?;
        if out.iter().any(|x: &Signer| x.account == s.account) {
            out.retain(|x| x.account != s.account);
        }
        out.push(s);
    }
    Ok(out)
}

/// A contract hash from `0x` hash, address, deployed contract name or native name.
fn resolve_contract(chain: &Chain<StoreBackend>, text: &str) -> Result<UInt160, String> {
    if let Some(h) = UInt160::parse(text) {
        return Ok(h);
    }
    let alias = match text {
        "NEO" => "NeoToken",
        "GAS" => "GasToken",
        "Oracle" => "OracleContract",
        "Policy" => "PolicyContract",
        "Ledger" => "LedgerContract",
        t => t,
    };
    if let Some(n) = chain.platform.native_by_name(alias) {
        return Ok(n.hash);
    }
    let view = chain.view();
    let all = contract_management::list_contracts(&view)?;
    let found: Vec<_> = all.iter().filter(|c| c.manifest.name == text).collect();
    match found.as_slice() {
        [c] => Ok(c.hash),
        [] => Err(format!("unknown contract {text:?}")),
        _ => Err(format!(
            "several contracts are named {text:?}; give the hash"
        )),
    }
}

/// (parameter types, contract hash) of `method` with `argc` arguments, with one-line errors.
fn method_params(
    chain: &Chain<StoreBackend>,
    hash: &UInt160,
    method: &str,
    argc: usize,
) -> Result<Vec<ParamType>, String> {
    if let Some(n) = chain.platform.native_by_hash(hash) {
        let ms: Vec<_> = n.methods.iter().filter(|m| m.name == method).collect();
        if ms.is_empty() {
            return Err(format!("unknown method {method:?} of {}", n.name));
        }
        return ms
            .iter()
            .find(|m| m.params.len() == argc)
            .map(|m| m.params.iter().map(|p| p.1).collect())
            .ok_or_else(|| {
                format!(
                    "{}.{method} takes {} argument(s), {argc} given",
                    n.name,
                    ms.iter()
                        .map(|m| m.params.len().to_string())
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            });
    }
    let view = chain.view();
    let c = contract_management::get_contract(&view, hash)?
        .ok_or_else(|| format!("unknown contract {hash}"))?;
    let ms: Vec<_> = c
        .manifest
        .methods
        .iter()
        .filter(|m| m.name == method)
        .collect();
    if ms.is_empty() || method.starts_with('_') {
        return Err(format!(
            "unknown method {method:?} of contract {} ({hash})",
            c.manifest.name
        ));
    }
    ms.iter()
        .find(|m| m.parameters.len() == argc)
        .map(|m| m.parameters.iter().map(|p| p.ty).collect())
        .ok_or_else(|| {
            format!(
                "{}.{method} takes {} argument(s), {argc} given",
                c.manifest.name,
                ms.iter()
                    .map(|m| m.parameters.len().to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        })
}

/// `xvm neo deploy`.
pub fn deploy(a: DeployArgs) -> ExitCode {
    let nef = match std::fs::read(&a.nef) {
        Ok(b) => b,
        Err(e) => return bad(format!("{}: {e}", a.nef.display())),
    };
    let mpath = a
        .manifest
        .clone()
        .unwrap_or_else(|| a.nef.with_extension("manifest.json"));
    let manifest = match std::fs::read(&mpath) {
        Ok(b) => b,
        Err(e) => return bad(format!("{}: {e}", mpath.display())),
    };
    if let Err(e) = contract_management::validate(&nef, &manifest) {
        return bad(e);
    }
    let data = match a
        .data
        .as_deref()
        .map(|d| parse_arg(d, ParamType::Any))
        .transpose()
    {
        Ok(d) => d,
        Err(e) => return bad(e),
    };
    let dir = state_dir(&a.state);
    let mut chain = chain_or_exit!(&dir);
    let signers = match signers(&chain, a.account.as_deref(), &[]) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    let mut args = vec![StackItem::bytes(&nef), StackItem::bytes(&manifest)];
    if let Some(d) = data {
        args.push(d);
    }
    let cm = chain
        .platform
        .native_by_name("ContractManagement")
        .map(|n| n.hash)
        .unwrap_or_default();
    let script = match call_script(&cm, "deploy", &args) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    match chain.invoke_script(script, signers, a.gas.unwrap_or(DEFAULT_GAS), true, None) {
        Ok(inv) => {
            let hash = inv
                .outcome
                .notifications
                .iter()
                .find(|n| n.event == "Deploy" && n.contract == cm)
                .and_then(|n| match &n.state {
                    StackItem::Array(a) => a
                        .items()
                        .first()
                        .and_then(|x| x.to_bytes().ok())
                        .and_then(|b| UInt160::from_slice(&b)),
                    _ => None,
                });
            report_with(
                &inv,
                Some(("contract", json!(hash.map(|h| h.to_string())))),
                false,
            )
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The entry script calling `method` of `contract` with `args` (converted by the manifest's
/// types; account names stand for their hashes), its signers, and the contract's hash.
pub(crate) fn prepare_call(
    chain: &Chain<StoreBackend>,
    contract: &str,
    method: &str,
    args: &[String],
    account: Option<&str>,
    extra_signers: &[String],
) -> Result<(Vec<u8>, Vec<Signer>, UInt160), String> {
    let hash = resolve_contract(chain, contract)?;
    let types = method_params(chain, &hash, method, args.len())?;
    let items: Vec<StackItem> = args
        .iter()
        .zip(&types)
        .map(|(t, ty)| match (ty, chain.account(t)) {
            (ParamType::Hash160, Ok(acc)) => Ok(StackItem::bytes(&acc.hash.0)),
            _ => parse_arg(t, *ty),
        })
        .collect::<Result<_, _>>()?;
    let signers = signers(chain, account, extra_signers)?;
    let script = call_script(&hash, method, &items)?;
    Ok((script, signers, hash))
}

/// `xvm neo invoke`.
pub fn invoke(a: InvokeArgs) -> ExitCode {
    let dir = state_dir(&a.state);
    let is_native = xvm_neo::Platform::neo()
        .native_by_name(&a.contract)
        .is_some()
        || matches!(a.contract.as_str(), "NEO" | "GAS");
    if !state_exists(&dir) && !is_native {
        return bad(format!(
            "unknown contract {:?}: no state at {} yet (deploy first)",
            a.contract,
            dir.display()
        ));
    }
    let mut chain = chain_or_exit!(&dir);
    let prepared = prepare_call(
        &chain,
        &a.contract,
        &a.method,
        &a.args,
        a.account.as_deref(),
        &a.signer,
    );
    let (script, signers, _) = match prepared {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    match chain.invoke_script(script, signers, a.gas.unwrap_or(DEFAULT_GAS), !a.test, None) {
        Ok(inv) => report(&inv, None),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `xvm neo storage`.
pub fn storage(a: StorageArgs) -> ExitCode {
    let dir = state_dir(&a.state);
    if !state_exists(&dir) {
        return bad(format!(
            "unknown contract {:?}: no state at {}",
            a.contract,
            dir.display()
        ));
    }
    let chain = chain_or_exit!(&dir);
    let prefix = match a
        .prefix
        .as_deref()
        .map(|p| hex::decode(p.trim_start_matches("0x")))
        .transpose()
    {
        Ok(p) => p.unwrap_or_default(),
        Err(_) => return bad("--prefix: invalid hex"),
    };
    let hash = match resolve_contract(&chain, &a.contract) {
        Ok(h) => h,
        Err(e) => return bad(e),
    };
    let view = chain.view();
    let id = match chain.platform.native_by_hash(&hash) {
        Some(n) => n.id,
        None => match contract_management::get_contract(&view, &hash) {
            Ok(Some(c)) => c.id,
            Ok(None) => return bad(format!("unknown contract {hash}")),
            Err(e) => return bad(e),
        },
    };
    let entries = match view.find(&xvm_neo::syscalls::storage_key(id, &prefix)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    for (k, v) in entries {
        println!("0x{}: 0x{}", hex::encode(&k[4..]), hex::encode(&v));
    }
    ExitCode::SUCCESS
}

/// `xvm neo contracts`.
pub fn contracts(a: ContractsArgs) -> ExitCode {
    let dir = state_dir(&a.state);
    if !state_exists(&dir) {
        println!("(no state at {})", dir.display());
        return ExitCode::SUCCESS;
    }
    let chain = chain_or_exit!(&dir);
    for n in chain.platform.natives() {
        println!("{:>4}  {}  {}", n.id, n.hash, n.name);
    }
    match contract_management::list_contracts(&chain.view()) {
        Ok(list) => {
            for c in list {
                println!("{:>4}  {}  {}", c.id, c.hash, c.manifest.name);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `xvm neo accounts [new NAME]`.
pub fn accounts(a: AccountsArgs) -> ExitCode {
    let dir = state_dir(&a.state);
    let mut chain = chain_or_exit!(&dir);
    if let Some(AccountsCommand::New { name }) = a.command {
        return match chain.new_account(&name) {
            Ok(acc) => {
                println!(
                    "{}  {}  {}  {}",
                    acc.name,
                    acc.hash.to_address(),
                    acc.hash,
                    hex::encode(&acc.public_key)
                );
                ExitCode::SUCCESS
            }
            Err(e) => bad(e),
        };
    }
    let list = match chain.accounts() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let view = chain.view();
    for acc in list {
        let neo = token::balance(&view, token::NEO_ID, &acc.hash).unwrap_or_default();
        let gas = token::balance(&view, token::GAS_ID, &acc.hash).unwrap_or_default();
        println!(
            "{}  {}  {}  {}  NEO {}  GAS {}",
            acc.name,
            acc.hash.to_address(),
            acc.hash,
            hex::encode(&acc.public_key),
            neo,
            gas_text(gas.to_i64().unwrap_or(0))
        );
    }
    ExitCode::SUCCESS
}

/// Parses a decimal amount with up to `decimals` fractional digits into base units.
fn parse_amount(text: &str, decimals: u32) -> Result<Int, String> {
    let err = || {
        format!("invalid amount {text:?} (a non-negative number with up to {decimals} decimals)")
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
        || frac.len() > decimals as usize
    {
        return Err(err());
    }
    let digits = format!("{whole}{frac:0<width$}", width = decimals as usize);
    Int::from_dec_str(&digits).ok_or_else(err)
}

/// `xvm neo transfer`.
pub fn transfer(a: TransferArgs) -> ExitCode {
    let (name, decimals) = match a.token.to_ascii_uppercase().as_str() {
        "NEO" => ("NeoToken", 0),
        "GAS" => ("GasToken", 8),
        _ => return bad(format!("unknown token {:?} (NEO or GAS)", a.token)),
    };
    let amount = match parse_amount(&a.amount, decimals) {
        Ok(x) => x,
        Err(e) => return bad(e),
    };
    let dir = state_dir(&a.state);
    let mut chain = chain_or_exit!(&dir);
    let prepared = (|| {
        let from = chain.account(a.account.as_deref().unwrap_or(DEFAULT_ACCOUNT))?;
        let to = match chain.account(&a.to) {
            Ok(acc) => acc.hash,
            Err(_) => UInt160::parse(&a.to).ok_or_else(|| {
                format!(
                    "unknown recipient {:?} (account name, address or 0x hash)",
                    a.to
                )
            })?,
        };
        let hash = chain
            .platform
            .native_by_name(name)
            .map(|n| n.hash)
            .unwrap_or_default();
        let script = call_script(
            &hash,
            "transfer",
            &[
                StackItem::bytes(&from.hash.0),
                StackItem::bytes(&to.0),
                StackItem::Integer(amount),
                StackItem::Null,
            ],
        )?;
        Ok::<_, String>((script, vec![Signer::called_by_entry(from.hash)]))
    })();
    let (script, signers) = match prepared {
        Ok(p) => p,
        Err(e) => return bad(e),
    };
    match chain.invoke_script(script, signers, DEFAULT_GAS, true, None) {
        Ok(inv) => {
            let ok = inv.outcome.stack.first().and_then(|x| x.to_bool().ok()) == Some(true);
            let code = report(&inv, None);
            if ok {
                code
            } else {
                eprintln!("error: the transfer returned false (insufficient balance?)");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `xvm neo oracle ...`.
pub fn oracle_cmd(a: OracleArgs) -> ExitCode {
    match a.command {
        OracleCommand::Requests { state } => {
            let dir = state_dir(&state);
            if !state_exists(&dir) {
                return ExitCode::SUCCESS;
            }
            let chain = chain_or_exit!(&dir);
            match oracle::list_requests(&chain.view()) {
                Ok(list) => {
                    for r in list {
                        println!(
                            "{}  {}  {}.{}  filter {:?}  gas {}",
                            r.id,
                            r.url,
                            r.callback_contract,
                            r.callback_method,
                            r.filter,
                            gas_text(r.gas_for_response)
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        OracleCommand::Respond(r) => respond(r),
    }
}

fn respond(a: RespondArgs) -> ExitCode {
    let Some(code) = oracle::CODES
        .iter()
        .find(|c| c.0.eq_ignore_ascii_case(&a.code))
        .map(|c| c.1)
    else {
        return bad(format!(
            "unknown response code {:?} ({})",
            a.code,
            oracle::CODES
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let result = match std::fs::read(&a.result) {
        Ok(b) => b,
        Err(e) => return bad(format!("{}: {e}", a.result.display())),
    };
    let dir = state_dir(&a.state);
    if !state_exists(&dir) {
        return bad(format!(
            "unknown oracle request {}: no state at {}",
            a.id,
            dir.display()
        ));
    }
    let mut chain = chain_or_exit!(&dir);
    match oracle::get_request(&chain.view(), a.id) {
        Ok(Some(_)) => {}
        Ok(None) => return bad(format!("unknown oracle request {}", a.id)),
        Err(e) => return bad(e),
    }
    let signers = match signers(&chain, a.account.as_deref(), &[]) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    let hash = chain
        .platform
        .native_by_name("OracleContract")
        .map(|n| n.hash)
        .unwrap_or_default();
    let script = match call_script(&hash, "finish", &[]) {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    match chain.invoke_script(
        script,
        signers,
        DEFAULT_GAS,
        true,
        Some((a.id, code, result)),
    ) {
        Ok(inv) => report(&inv, None),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
