//! Native contracts (run directly in Rust, as Neo's `NativeContract`s do) and the platform
//! registry that also holds custom syscalls and custom natives registered by an embedder.

pub mod contract_management;
pub mod cryptolib;
pub mod ledger;
pub mod oracle;
pub mod policy;
pub mod stdlib;
pub mod token;

use crate::contract::contract_hash;
use crate::host::{ContextState, Host, Notification, OnReturn};
use crate::syscalls::Syscall;
use crate::types::{call_flags as cf, ParamType, UInt160};
use std::collections::HashMap;
use std::rc::Rc;
use xvm_neovm::engine::ExecutionEngine;
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::StackItem;

/// Who is calling a native method.
#[derive(Clone, Debug)]
pub struct NativeCall {
    /// The native's own hash.
    pub native: UInt160,
    /// The calling contract or script.
    pub caller: UInt160,
    /// The caller's context instance.
    pub caller_instance: u64,
    /// Effective call flags of the native context.
    pub flags: u8,
    /// The caller's context state.
    pub caller_state: ContextState,
}

/// A contract method to run after the native returns (natives calling back into contracts).
pub struct Callback {
    /// Target contract.
    pub contract: UInt160,
    /// Method name.
    pub method: String,
    /// Arguments, arg0 first.
    pub args: Vec<StackItem>,
    /// A notification to emit once the callback returns (e.g. Deploy after `_deploy`).
    pub then_notify: Option<Notification>,
    /// Whether a missing method is an error (onNEP17Payment: yes; `_deploy`: no).
    pub required: bool,
}

/// What a native method returns.
pub struct NativeResult {
    /// The value (None for Void).
    pub value: Option<StackItem>,
    /// A contract call to make after pushing the value.
    pub callback: Option<Callback>,
}

impl NativeResult {
    /// A plain value.
    pub fn value(v: StackItem) -> Result<NativeResult, VmError> {
        Ok(NativeResult {
            value: Some(v),
            callback: None,
        })
    }
    /// Nothing (Void).
    pub fn void() -> Result<NativeResult, VmError> {
        Ok(NativeResult {
            value: None,
            callback: None,
        })
    }
}

/// A native method handler.
pub type NativeHandler = Rc<
    dyn Fn(
        &mut Host<'_>,
        &mut ExecutionEngine,
        &NativeCall,
        Vec<StackItem>,
    ) -> Result<NativeResult, VmError>,
>;

/// A native method.
#[derive(Clone)]
pub struct NativeMethod {
    /// Name.
    pub name: String,
    /// Parameters (name, type).
    pub params: Vec<(String, ParamType)>,
    /// Return type.
    pub return_type: ParamType,
    /// CPU fee before ExecFeeFactor.
    pub cpu_fee: i64,
    /// Storage fee in units of StoragePrice.
    pub storage_fee: i64,
    /// Required call flags.
    pub flags: u8,
    /// The handler.
    pub handler: NativeHandler,
}

impl NativeMethod {
    /// A method.
    pub fn new(
        name: &str,
        params: &[(&str, ParamType)],
        return_type: ParamType,
        cpu_fee: i64,
        flags: u8,
        handler: impl Fn(
                &mut Host<'_>,
                &mut ExecutionEngine,
                &NativeCall,
                Vec<StackItem>,
            ) -> Result<NativeResult, VmError>
            + 'static,
    ) -> NativeMethod {
        NativeMethod {
            name: name.into(),
            params: params.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
            return_type,
            cpu_fee,
            storage_fee: 0,
            flags,
            handler: Rc::new(handler),
        }
    }
    /// With a storage fee.
    pub fn storage_fee(mut self, units: i64) -> NativeMethod {
        self.storage_fee = units;
        self
    }
    /// Whether it returns a value.
    pub fn returns(&self) -> bool {
        self.return_type != ParamType::Void
    }
    /// Safe = needs no more than ReadStates | AllowCall.
    pub fn safe(&self) -> bool {
        self.flags & !(cf::READ_STATES | cf::ALLOW_CALL) == 0
    }
}

/// A native contract.
#[derive(Clone)]
pub struct NativeContract {
    /// Name (also what the hash derives from).
    pub name: String,
    /// Id (negative for Neo's natives).
    pub id: i32,
    /// Hash: contract hash of (zero sender, checksum 0, name).
    pub hash: UInt160,
    /// Methods.
    pub methods: Vec<NativeMethod>,
    /// Events (name, parameters).
    pub events: Vec<(String, Vec<(String, ParamType)>)>,
}

impl NativeContract {
    /// A native with Neo's hash derivation.
    pub fn new(name: &str, id: i32, methods: Vec<NativeMethod>) -> NativeContract {
        NativeContract {
            name: name.into(),
            id,
            hash: contract_hash(&UInt160::ZERO, 0, name),
            methods,
            events: Vec::new(),
        }
    }
    /// The method `name` taking `argc` arguments.
    pub fn method(&self, name: &str, argc: usize) -> Option<&NativeMethod> {
        self.methods
            .iter()
            .find(|m| m.name == name && m.params.len() == argc)
    }
}

/// Natives, syscalls and extensions of one chain.
#[derive(Clone)]
pub struct Platform {
    natives: Vec<NativeContract>,
    syscalls: HashMap<u32, Syscall>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform::neo()
    }
}

impl Platform {
    /// Neo N3's syscalls and the natives xvm implements.
    pub fn neo() -> Platform {
        let mut p = Platform {
            natives: Vec::new(),
            syscalls: HashMap::new(),
        };
        for s in crate::syscalls::standard() {
            p.syscalls.insert(s.hash, s);
        }
        p.natives = vec![
            contract_management::contract(),
            stdlib::contract(),
            cryptolib::contract(),
            ledger::contract(),
            token::neo(),
            token::gas(),
            policy::contract(),
            oracle::contract(),
        ];
        p
    }

    /// Registers a custom syscall (replacing one with the same hash).
    pub fn register_syscall(&mut self, s: Syscall) {
        self.syscalls.insert(s.hash, s);
    }

    /// Registers a custom native contract (its id must be unique and its hash unused).
    pub fn register_native(&mut self, n: NativeContract) -> Result<(), String> {
        if self
            .natives
            .iter()
            .any(|x| x.id == n.id || x.hash == n.hash)
        {
            return Err(format!("native {} clashes with an existing one", n.name));
        }
        self.natives.push(n);
        Ok(())
    }

    /// The syscall with operand `id`.
    pub fn syscall(&self, id: u32) -> Option<&Syscall> {
        self.syscalls.get(&id)
    }

    /// The native at `hash`.
    pub fn native_by_hash(&self, hash: &UInt160) -> Option<&NativeContract> {
        self.natives.iter().find(|n| &n.hash == hash)
    }

    /// The native named `name`.
    pub fn native_by_name(&self, name: &str) -> Option<&NativeContract> {
        self.natives.iter().find(|n| n.name == name)
    }

    /// Every native.
    pub fn natives(&self) -> &[NativeContract] {
        &self.natives
    }
}

/// Runs a native method for a contract call (CALLT or System.Contract.Call).
#[allow(clippy::too_many_arguments)]
pub fn invoke(
    host: &mut Host<'_>,
    vm: &mut ExecutionEngine,
    n: &NativeContract,
    m: &NativeMethod,
    flags: u8,
    args: Vec<StackItem>,
    caller: &ContextState,
    dynamic: bool,
) -> Result<(), VmError> {
    if flags & m.flags != m.flags {
        return Err(fault(format!(
            "Cannot call this method with the flag {}: {}.{} needs {}",
            cf::name(flags),
            n.name,
            m.name,
            cf::name(m.flags)
        )));
    }
    // The native's script: PUSH0 (1) SYSCALL CallNative (0) RET (0), then the method's fees.
    host.add_cpu_fee(1)?;
    host.add_cpu_fee(m.cpu_fee)?;
    host.add_fee(m.storage_fee * host.settings.storage_price)?;
    *host.invocation_counters.entry(n.hash).or_insert(0) += 1;
    let call = NativeCall {
        native: n.hash,
        caller: caller.script_hash,
        caller_instance: vm.current_context().map(|c| c.instance_id()).unwrap_or(0),
        flags,
        caller_state: caller.clone(),
    };
    let r = (m.handler)(host, vm, &call, args)?;
    match r.value {
        Some(v) => vm.push(v),
        None if dynamic => vm.push(StackItem::Null),
        None => {}
    }
    if let Some(cb) = r.callback {
        run_callback(host, vm, &call, cb)?;
    }
    Ok(())
}

/// Loads a contract method called back by a native (flags All, calling = the native).
pub fn run_callback(
    host: &mut Host<'_>,
    vm: &mut ExecutionEngine,
    call: &NativeCall,
    cb: Callback,
) -> Result<(), VmError> {
    let contract = host
        .get_contract(&cb.contract)?
        .ok_or_else(|| fault(format!("Called Contract Does Not Exist: {}", cb.contract)))?;
    let Some(method) = contract
        .manifest
        .method(&cb.method, Some(cb.args.len()))
        .cloned()
    else {
        if cb.required {
            return Err(fault(format!(
                "Method \"{}\" with {} parameter(s) doesn't exist in the contract {}.",
                cb.method,
                cb.args.len(),
                cb.contract
            )));
        }
        if let Some(n) = cb.then_notify {
            host.push_notification(n)?;
        }
        return Ok(());
    };
    if method.return_type != ParamType::Void {
        return Err(fault("The return value type does not match."));
    }
    host.load_contract_from(
        vm,
        contract,
        &method,
        cf::ALL,
        cb.args,
        false,
        Some((call.native, call.caller_instance)),
    )?;
    let st = host.current_mut(vm)?;
    st.on_return.push(OnReturn::NativeCallback);
    if let Some(n) = cb.then_notify {
        st.on_return.push(OnReturn::Notify(n));
    }
    Ok(())
}

/// Neo's natives xvm does not implement (RoleManagement, Notary, Treasury): the name if `hash`
/// is one, so that a call to them faults with a message naming it.
pub fn unimplemented_native(hash: &UInt160) -> Option<&'static str> {
    ["RoleManagement", "Notary", "Treasury"]
        .into_iter()
        .find(|n| contract_hash(&UInt160::ZERO, 0, n) == *hash)
}

/// Reads the native storage key (id LE | prefix | data).
pub fn native_key(id: i32, prefix: u8, data: &[u8]) -> Vec<u8> {
    let mut k = id.to_le_bytes().to_vec();
    k.push(prefix);
    k.extend_from_slice(data);
    k
}

/// An argument as bytes.
pub fn arg_bytes(args: &[StackItem], i: usize) -> Result<Vec<u8>, VmError> {
    args.get(i)
        .ok_or_else(|| fault("missing argument"))?
        .to_bytes()
}

/// An argument as a UInt160.
pub fn arg_hash(args: &[StackItem], i: usize) -> Result<UInt160, VmError> {
    let b = arg_bytes(args, i)?;
    UInt160::from_slice(&b)
        .ok_or_else(|| fault(format!("Invalid UInt160 argument of {} bytes", b.len())))
}

/// An argument as an integer.
pub fn arg_int(args: &[StackItem], i: usize) -> Result<xvm_neovm::Int, VmError> {
    args.get(i)
        .ok_or_else(|| fault("missing argument"))?
        .to_int()
}

/// An argument as i64.
pub fn arg_i64(args: &[StackItem], i: usize) -> Result<i64, VmError> {
    arg_int(args, i)?
        .to_i64()
        .ok_or_else(|| fault("integer argument out of range"))
}

/// An argument as a UTF-8 string.
pub fn arg_string(args: &[StackItem], i: usize) -> Result<String, VmError> {
    String::from_utf8(arg_bytes(args, i)?).map_err(|_| fault("invalid UTF-8 string argument"))
}

/// An argument as a Boolean.
pub fn arg_bool(args: &[StackItem], i: usize) -> Result<bool, VmError> {
    args.get(i)
        .ok_or_else(|| fault("missing argument"))?
        .to_bool()
}
