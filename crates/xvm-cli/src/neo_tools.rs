//! What `xvm neo profile` and `xvm neo debug` share: the invocation they run (a test
//! invocation of `CONTRACT METHOD [ARGS...]` on the state, nothing committed), and the names of
//! the frames of the invocation stack (contract by manifest name, method by the manifest's
//! offsets: the method whose offset is the greatest at or below the instruction pointer).

use std::rc::Rc;

use clap::Args;
use xvm_neo::chain::{Chain, StoreBackend, DEFAULT_GAS};
use xvm_neo::contract::ContractState;
use xvm_neo::Host;
use xvm_neovm::engine::{ExecutionContext, ExecutionEngine};
use xvm_neovm::OpCode;
use xvm_profile::Frame;

use crate::neo_platform::{open, prepare_call, state_dir, state_exists, StateArg};

/// The invocation to run.
#[derive(Args)]
pub struct InvocationArgs {
    /// Contract hash (0x...), contract name, or native name (GasToken, NeoToken, ...).
    contract: String,
    /// Method name.
    method: String,
    /// Arguments, converted by the manifest's parameter types.
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// Account that signs and pays (default: `default`).
    #[arg(long)]
    account: Option<String>,
    /// Extra or replacing signers: `NAME[:SCOPE[+SCOPE]]` as for `xvm neo invoke`.
    #[arg(long)]
    signer: Vec<String>,
    /// GAS limit in datoshi (default 20 GAS = 2000000000).
    #[arg(long)]
    gas: Option<i64>,
    #[command(flatten)]
    state: StateArg,
}

/// A prepared invocation: the entry script, its signers and GAS limit on an open chain.
pub struct Prepared {
    /// The chain (read only: nothing is committed).
    pub chain: Chain<StoreBackend>,
    /// The entry script.
    pub script: Vec<u8>,
    /// Signers, the first pays.
    pub signers: Vec<xvm_neo::tx::Signer>,
    /// GAS limit, datoshi.
    pub gas: i64,
    /// `method on Contract`.
    pub title: String,
}

impl InvocationArgs {
    /// Opens the state and builds the entry script.
    pub fn prepare(&self) -> Result<Prepared, String> {
        let dir = state_dir(&self.state);
        if !state_exists(&dir) {
            return Err(format!(
                "unknown contract {:?}: no state at {} yet (deploy first)",
                self.contract,
                dir.display()
            ));
        }
        let chain = open(&dir)?;
        let (script, signers, _) = prepare_call(
            &chain,
            &self.contract,
            &self.method,
            &self.args,
            self.account.as_deref(),
            &self.signer,
        )?;
        Ok(Prepared {
            chain,
            script,
            signers,
            gas: self.gas.unwrap_or(DEFAULT_GAS),
            title: format!("{} on {}", self.method, self.contract),
        })
    }
}

/// The contract state behind a context, if it runs a deployed contract.
pub fn contract_of(host: &Host<'_>, ctx: &ExecutionContext) -> Option<Rc<ContractState>> {
    host.contexts
        .get(&ctx.instance_id())
        .and_then(|s| s.contract.clone())
}

/// The contract's name for a context: the manifest's name, or `[entry script]`.
pub fn contract_name(host: &Host<'_>, ctx: &ExecutionContext) -> String {
    match contract_of(host, ctx) {
        Some(c) => c.manifest.name.clone(),
        None => "[entry script]".to_string(),
    }
}

/// The manifest method containing `ip`: the one whose offset is the greatest at or below it.
pub fn method_at(contract: &ContractState, ip: usize) -> Option<&str> {
    contract
        .manifest
        .methods
        .iter()
        .filter(|m| m.offset <= ip)
        .max_by_key(|m| m.offset)
        .map(|m| m.name.as_str())
}

/// The frames of the invocation stack for the instruction at the current context's `ip`: for
/// each loaded script a contract frame, and for each context running a deployed contract the
/// method it is in (consecutive repeats of a method in one contract are shown once).
pub fn stack_frames(host: &Host<'_>, vm: &ExecutionEngine) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::new();
    let mut prev_instance = None;
    let mut prev_method: Option<String> = None;
    for ctx in vm.invocation_stack() {
        if prev_instance != Some(ctx.instance_id()) {
            out.push(Frame::contract(contract_name(host, ctx)));
            prev_instance = Some(ctx.instance_id());
            prev_method = None;
        }
        if let Some(c) = contract_of(host, ctx) {
            let m = method_at(&c, ctx.ip)
                .unwrap_or("[before first method]")
                .to_string();
            if prev_method.as_deref() != Some(m.as_str()) {
                out.push(Frame::function(m.clone()));
                prev_method = Some(m);
            }
        }
    }
    out
}

/// An instruction's name for a profile or a listing: the opcode, with a SYSCALL's name.
pub fn op_text(op: OpCode, operand: &[u8]) -> String {
    let name = op.name().unwrap_or("?");
    if op == OpCode::SYSCALL && operand.len() == 4 {
        let id = u32::from_le_bytes(operand.try_into().expect("4 bytes"));
        if let Some(s) = xvm_neovm::syscalls::syscall_name(id) {
            return format!("SYSCALL {s}");
        }
    }
    name.to_string()
}
