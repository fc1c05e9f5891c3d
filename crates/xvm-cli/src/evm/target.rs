//! What `xvm evm profile` and `xvm evm debug` re-execute: a mined transaction (by hash), or a
//! call on the head state (`ADDR SIG [ARGS...]`, run as eth_call: nothing is mined), and the
//! names they give contracts and functions (the ABI stored at deploy, or `--artifact`).

use std::collections::HashMap;
use std::path::PathBuf;

use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, Bytes, B256};
use clap::Args;
use xvm_chain::srcmap::SourceLines;
use xvm_chain::tracers::Lend;
use xvm_chain::{abi, artifact, CallRequest, Chain};
use xvm_evm::{StatusCode, Tracer};

use super::local::{parse_address, parse_from, parse_wei, StateOpts};

/// A transaction hash, or a call (`ADDR SIG [ARGS...]`).
#[derive(Args)]
pub struct TargetArgs {
    /// A mined transaction's hash, or a contract address followed by a method (name or
    /// signature) and its arguments (the call runs on the head state; nothing is mined).
    #[arg(required = true, allow_negative_numbers = true, num_args = 1..)]
    target: Vec<String>,
    /// Sender of a call: a default account's index or address (default 0).
    #[arg(long)]
    from: Option<String>,
    /// Wei sent with a call (units allowed: 1ether, 5gwei).
    #[arg(long, default_value = "0")]
    value: String,
    /// Gas limit of a call (default: the block's).
    #[arg(long)]
    gas: Option<u64>,
    /// An artifact whose ABI names the functions of the called contract (default: the ABI
    /// stored when it was deployed with `xvm evm deploy`).
    #[arg(long, value_name = "FILE")]
    artifact: Option<PathBuf>,
    /// The contract to take from --artifact when it holds several.
    #[arg(long)]
    contract: Option<String>,
    /// Where the sources named by --artifact's source map are (also under DIR/node_modules;
    /// default: the artifact's folder, its parent, the working folder).
    #[arg(long, value_name = "DIR")]
    source_root: Option<PathBuf>,
    #[command(flatten)]
    pub state: StateOpts,
}

/// A prepared re-execution.
pub enum Target {
    /// A mined transaction.
    Tx(B256),
    /// A call on the head state with an explicit gas limit.
    Call(CallRequest),
}

impl Target {
    /// The account the transaction or call is sent to (`None` for a create).
    pub fn to(&self, chain: &Chain) -> Option<Address> {
        match self {
            Target::Tx(hash) => chain.transaction(hash).ok().flatten().and_then(|r| r.to),
            Target::Call(req) => req.to,
        }
    }
}

/// How a re-execution ended.
pub struct Outcome {
    /// Gas limit of the transaction or call.
    pub gas_limit: u64,
    /// Gas used after refunds, as the receipt (or eth_call) reports it.
    pub gas_used: u64,
    /// Whether the top frame succeeded.
    pub success: bool,
    /// Return or revert data of the top frame.
    pub output: Bytes,
}

/// Names of contracts and functions, from the ABIs stored at deploy or an `--artifact`.
pub struct Names<'c> {
    chain: &'c Chain,
    cache: HashMap<Address, (Option<String>, Option<JsonAbi>)>,
    lines: HashMap<Address, SourceLines>,
}

impl<'c> Names<'c> {
    /// Names from the chain's stored contract infos.
    pub fn new(chain: &'c Chain) -> Self {
        Names {
            chain,
            cache: HashMap::new(),
            lines: HashMap::new(),
        }
    }

    fn info(&mut self, addr: &Address) -> &(Option<String>, Option<JsonAbi>) {
        let chain = self.chain;
        self.cache.entry(*addr).or_insert_with(|| {
            let info = chain.contract(addr).ok().flatten();
            let name = info.as_ref().and_then(|i| i.name.clone());
            let abi = info
                .and_then(|i| i.abi)
                .and_then(|v| abi::parse_abi(&v).ok());
            (name, abi)
        })
    }

    /// The source line of the instruction at `pc` of the code at `addr`, when a source map
    /// is known for it (from `--artifact`).
    pub fn line(&self, addr: &Address, pc: usize) -> Option<String> {
        self.lines.get(addr)?.at(pc)
    }

    /// The ABI known for `addr`.
    pub fn abi(&mut self, addr: &Address) -> Option<JsonAbi> {
        self.info(addr).1.clone()
    }

    /// The contract's name, or a short form of its address (`0x5fbd…0aa3`); precompiles as
    /// `precompile 0x01`.
    pub fn contract(&mut self, addr: &Address) -> String {
        if let Some(n) = &self.info(addr).0 {
            return n.clone();
        }
        let b = addr.as_slice();
        if b[..19].iter().all(|&x| x == 0) && b[19] != 0 {
            return format!("precompile 0x{:02x}", b[19]);
        }
        let h = hex::encode(b);
        format!("0x{}…{}", &h[..4], &h[36..])
    }

    /// The function a frame runs: `constructor` for creates, the ABI's name for the input's
    /// selector (its full signature when the name is overloaded), `0x<selector>` when unknown,
    /// `receive/fallback` without a selector.
    pub fn function(&mut self, addr: &Address, input: &[u8], create: bool) -> String {
        if create {
            return "constructor".into();
        }
        if input.len() < 4 {
            return "receive/fallback".into();
        }
        let sel: [u8; 4] = input[..4].try_into().expect("4 bytes");
        if let Some(abi) = &self.info(addr).1 {
            if let Some(f) = abi.functions().find(|f| f.selector().0 == sel) {
                let overloaded = abi.functions().filter(|g| g.name == f.name).count() > 1;
                return if overloaded {
                    f.signature()
                } else {
                    f.name.clone()
                };
            }
        }
        format!("0x{}", hex::encode(sel))
    }
}

impl TargetArgs {
    /// Opens the chain.
    pub fn open(&self) -> Result<Chain, String> {
        self.state.open()
    }

    /// Resolves the target on `chain`; returns it with a title naming it. `names` learns the
    /// `--artifact` ABI for the called contract.
    pub fn resolve(
        &self,
        chain: &Chain,
        names: &mut Names<'_>,
    ) -> Result<(Target, String), String> {
        let first = self.target[0].trim();
        let is_hash = first.len() == 66 && first.starts_with("0x");
        let art = self
            .artifact
            .as_ref()
            .map(|p| {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                let art = artifact::parse(&text, self.contract.as_deref())
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                let map = artifact::runtime_source_map(&text, self.contract.as_deref())
                    .map_err(|e| format!("{}: {e}", p.display()))?;
                Ok::<_, String>((p.clone(), art, map))
            })
            .transpose()?;
        let roots: Vec<PathBuf> = match (&self.source_root, &art) {
            (Some(r), _) => vec![r.clone()],
            (None, Some((p, _, _))) => {
                let dir = p.parent().map(PathBuf::from).unwrap_or_default();
                let mut v = vec![dir.clone()];
                v.extend(dir.parent().map(PathBuf::from));
                v.push(PathBuf::from("."));
                v
            }
            (None, None) => Vec::new(),
        };
        let mut learn = |addr: Address| -> Result<(), String> {
            if let Some((_, a, map)) = &art {
                let parsed = a.abi.as_ref().and_then(|v| abi::parse_abi(v).ok());
                names.cache.insert(addr, (a.name.clone(), parsed));
                if let Some(m) = map {
                    let code = chain.account(&addr).code;
                    let lines = SourceLines::new(&m.map, &code, &m.sources, &roots)?;
                    names.lines.insert(addr, lines);
                }
            }
            Ok(())
        };
        if is_hash {
            if self.target.len() > 1 {
                return Err("a transaction hash takes no method or arguments".into());
            }
            let hash: B256 = first
                .parse()
                .map_err(|_| format!("'{first}' is not a 32-byte hex hash"))?;
            let rec = chain
                .transaction(&hash)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no transaction {hash}"))?;
            if let Some(addr) = rec.to.or(rec.contract_address) {
                learn(addr)?;
            }
            return Ok((Target::Tx(hash), format!("transaction {hash}")));
        }
        if self.target.len() < 2 {
            return Err(format!(
                "'{first}' is neither a transaction hash nor ADDRESS METHOD [ARGS...]"
            ));
        }
        let to = parse_address("address", first)?;
        if chain.account(&to).code.is_empty() {
            return Err(format!("no contract at {}", to.to_checksum(None)));
        }
        learn(to)?;
        let method = &self.target[1];
        let args = &self.target[2..];
        let stored = names.abi(&to);
        let func = abi::resolve_function(stored.as_ref(), method, args.len())?;
        let data = abi::encode_call(&func, &abi::parse_args(&func.inputs, args)?)?;
        let req = CallRequest {
            from: Some(parse_from(chain, self.from.as_deref())?),
            to: Some(to),
            value: parse_wei(&self.value)?,
            data,
            gas: Some(self.gas.unwrap_or_else(|| chain.call_gas_cap())),
        };
        let title = format!("{} on {}", func.signature(), names.contract(&to));
        Ok((Target::Call(req), title))
    }
}

/// Re-executes `target` on `chain` with `tracer`.
pub fn execute<T: Tracer>(
    chain: &Chain,
    target: &Target,
    tracer: &mut T,
) -> Result<Outcome, String> {
    match target {
        Target::Tx(hash) => {
            let rec = chain
                .trace_transaction(hash, Box::new(Lend(tracer)))
                .map_err(|e| e.to_string())?;
            Ok(Outcome {
                gas_limit: rec.gas,
                gas_used: rec.gas_used,
                success: rec.status,
                output: rec.output,
            })
        }
        Target::Call(req) => {
            let res = chain
                .call(req, Some(Box::new(Lend(tracer))))
                .map_err(|e| e.to_string())?;
            Ok(Outcome {
                gas_limit: req.gas.unwrap_or_default(),
                gas_used: res.gas_used,
                success: res.status == StatusCode::Success,
                output: res.output,
            })
        }
    }
}
