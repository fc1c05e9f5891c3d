//! The ApplicationEngine-like host: implements xvm-neovm's [`Interop`] with Neo's syscalls,
//! GAS accounting, per-context state (script hash, calling context, call flags, contract),
//! contract calls with call-flag narrowing and permission checks, notifications and logs.

use crate::binary::serialize_limited;
use crate::contract::ContractState;
use crate::native::{self, Platform};
use crate::state::{Changes, DataCache, StateStore};
use crate::tx::{Block, Condition, Transaction};
use crate::types::{call_flags, Trigger, UInt160};
use std::collections::HashMap;
use std::rc::Rc;
use xvm_neovm::engine::{ExecutionContext, ExecutionEngine, Interop, VmState};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::script::Instruction;
use xvm_neovm::{Limits, Script, StackItem};

/// Chain-wide settings (Neo's ProtocolSettings and Policy defaults).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Network magic (GetNetwork, signature data, GetRandom seed).
    pub network: u32,
    /// Opcode price multiplier (Policy default 30).
    pub exec_fee_factor: i64,
    /// Datoshi per stored byte (Policy default 100000).
    pub storage_price: i64,
    /// Datoshi per transaction byte (Policy default 1000).
    pub fee_per_byte: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            network: 860833102,
            exec_fee_factor: 30,
            storage_price: 100_000,
            fee_per_byte: 1000,
        }
    }
}

/// A notification (Runtime.Notify or a native event).
#[derive(Clone, Debug)]
pub struct Notification {
    /// Emitting contract.
    pub contract: UInt160,
    /// Event name.
    pub event: String,
    /// State (an Array).
    pub state: StackItem,
}

/// A Runtime.Log message.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// Emitting contract (or script).
    pub contract: UInt160,
    /// The message.
    pub message: String,
}

/// What the host keeps per loaded script (Neo's `ExecutionContextState`).
#[derive(Clone, Debug)]
pub struct ContextState {
    /// Hash of the running script.
    pub script_hash: UInt160,
    /// Hash of the caller, if any.
    pub calling_hash: Option<UInt160>,
    /// Instance id of the caller's context, if any.
    pub calling_instance: Option<u64>,
    /// Effective call flags.
    pub flags: u8,
    /// The contract, when this is a deployed contract.
    pub contract: Option<Rc<ContractState>>,
    /// Push Null to the caller if the callee returns nothing (System.Contract.Call).
    pub dynamic_call: bool,
    /// Notifications count when the context was loaded (dropped back to it on an exception).
    pub notifications_at_load: usize,
    /// Whether a storage layer was opened for this context.
    pub has_layer: bool,
    /// Work to do when this context returns normally.
    pub on_return: Vec<OnReturn>,
}

/// Deferred work after a context returns (natives calling back into contracts).
#[derive(Clone, Debug)]
pub enum OnReturn {
    /// Emit a notification from a native.
    Notify(Notification),
    /// The context is a native's call back into a contract (onNEP17Payment, `_deploy`, an
    /// oracle callback): an exception leaving it cannot be caught by the native's caller, it
    /// faults the invocation (Neo rethrows it as VMUnhandledException).
    NativeCallback,
}

/// The result of one invocation.
pub struct Outcome {
    /// HALT or FAULT.
    pub state: VmState,
    /// Fault message.
    pub fault: Option<String>,
    /// The result stack, bottom first.
    pub stack: Vec<StackItem>,
    /// GAS consumed, datoshi.
    pub gas_consumed: i64,
    /// Notifications (only those that survived).
    pub notifications: Vec<Notification>,
    /// Logs.
    pub logs: Vec<LogEntry>,
    /// Storage writes to commit (empty on FAULT).
    pub changes: Changes,
}

/// The host. Build one per invocation with [`Host::new`], then [`Host::run`].
pub struct Host<'a> {
    /// State overlay.
    pub cache: DataCache<'a>,
    /// Settings.
    pub settings: Settings,
    /// Natives and extensions.
    pub platform: Rc<Platform>,
    /// Trigger.
    pub trigger: Trigger,
    /// The script container.
    pub container: Option<Transaction>,
    /// The block being persisted.
    pub block: Option<Block>,
    /// GAS limit, datoshi.
    pub gas_limit: i64,
    /// GAS consumed so far, datoshi.
    pub gas_consumed: i64,
    /// Context states by instance id.
    pub contexts: HashMap<u64, ContextState>,
    /// Notifications so far.
    pub notifications: Vec<Notification>,
    /// Logs so far.
    pub logs: Vec<LogEntry>,
    /// Invocation counters per contract.
    pub invocation_counters: HashMap<UInt160, u32>,
    /// Hash of the entry script.
    pub entry_hash: UInt160,
    random_counter: u32,
    nonce_data: [u8; 16],
    /// An oracle response being delivered (request id, code, result), read by Oracle.finish.
    pub oracle_response: Option<(u64, u8, Vec<u8>)>,
}

/// Most notifications per run (Echidna).
pub const MAX_NOTIFICATIONS: usize = 512;

impl<'a> Host<'a> {
    /// A host over `base` for one invocation.
    pub fn new(
        base: &'a dyn StateStore,
        platform: Rc<Platform>,
        settings: Settings,
        trigger: Trigger,
        container: Option<Transaction>,
        block: Option<Block>,
        gas_limit: i64,
    ) -> Host<'a> {
        let mut nonce_data = [0u8; 16];
        if let Some(tx) = &container {
            nonce_data.copy_from_slice(&tx.hash()[..16]);
        }
        if let Some(b) = &block {
            for (i, x) in b.nonce.to_le_bytes().iter().enumerate() {
                nonce_data[i] ^= x;
            }
        }
        Host {
            cache: DataCache::new(base),
            settings,
            platform,
            trigger,
            container,
            block,
            gas_limit,
            gas_consumed: 0,
            contexts: HashMap::new(),
            notifications: Vec::new(),
            logs: Vec::new(),
            invocation_counters: HashMap::new(),
            entry_hash: UInt160::ZERO,
            random_counter: 0,
            nonce_data,
            oracle_response: None,
        }
    }

    /// Runs `script` as the entry script (call flags All) to HALT or FAULT.
    pub fn run(mut self, script: &[u8]) -> Outcome {
        let mut vm = ExecutionEngine::new(Limits::default());
        if let Err(e) = self.load_entry(&mut vm, script) {
            return self.finish(&vm, Some(e.to_string()));
        }
        let state = vm.execute(&mut self);
        let msg = (state == VmState::Fault).then(|| vm.fault_message().unwrap_or("").to_string());
        self.finish(&vm, msg)
    }

    /// Loads `script` into `vm` as the entry script (call flags All), as [`Host::run`] does
    /// before executing; embedders that drive the engine themselves (a profiler, a debugger)
    /// call this, run `vm`, then [`Host::finish`].
    pub fn load_entry(&mut self, vm: &mut ExecutionEngine, script: &[u8]) -> Result<(), VmError> {
        let hash = UInt160(crate::crypto::hash160(script));
        self.entry_hash = hash;
        vm.load_script(Script::new(script.to_vec()), -1, 0)?;
        self.register_context(vm, hash, None, call_flags::ALL, None, false);
        Ok(())
    }

    /// Runs a prepared engine (for embedders that load contexts themselves).
    pub fn finish(self, vm: &ExecutionEngine, fault_msg: Option<String>) -> Outcome {
        let halted = fault_msg.is_none() && vm.state() == VmState::Halt;
        Outcome {
            state: if halted {
                VmState::Halt
            } else {
                VmState::Fault
            },
            fault: fault_msg,
            stack: vm.result_stack().to_vec(),
            gas_consumed: self.gas_consumed,
            notifications: if halted {
                self.notifications
            } else {
                Vec::new()
            },
            logs: self.logs,
            changes: if halted {
                self.cache.changes()
            } else {
                Changes::new()
            },
        }
    }

    /// Records the state of the context just loaded (the current one).
    pub fn register_context(
        &mut self,
        vm: &ExecutionEngine,
        script_hash: UInt160,
        calling: Option<(UInt160, u64)>,
        flags: u8,
        contract: Option<Rc<ContractState>>,
        dynamic_call: bool,
    ) {
        let Some(ctx) = vm.current_context() else {
            return;
        };
        let has_layer = calling.is_some();
        if has_layer {
            self.cache.checkpoint();
        }
        self.contexts.insert(
            ctx.instance_id(),
            ContextState {
                script_hash,
                calling_hash: calling.map(|c| c.0),
                calling_instance: calling.map(|c| c.1),
                flags,
                contract,
                dynamic_call,
                notifications_at_load: self.notifications.len(),
                has_layer,
                on_return: Vec::new(),
            },
        );
    }

    /// The state of the current context.
    pub fn current(&self, vm: &ExecutionEngine) -> Result<&ContextState, VmError> {
        vm.current_context()
            .and_then(|c| self.contexts.get(&c.instance_id()))
            .ok_or_else(|| fault("no current context"))
    }

    /// The state of the current context, mutable.
    pub fn current_mut(&mut self, vm: &ExecutionEngine) -> Result<&mut ContextState, VmError> {
        let id = vm
            .current_context()
            .map(|c| c.instance_id())
            .ok_or_else(|| fault("no current context"))?;
        self.contexts
            .get_mut(&id)
            .ok_or_else(|| fault("no current context"))
    }

    /// Charges `datoshi`; faults with "Insufficient GAS." past the limit.
    pub fn add_fee(&mut self, datoshi: i64) -> Result<(), VmError> {
        self.gas_consumed = self.gas_consumed.saturating_add(datoshi);
        if self.gas_consumed > self.gas_limit {
            return Err(fault("Insufficient GAS."));
        }
        Ok(())
    }

    /// Charges `price` times ExecFeeFactor.
    pub fn add_cpu_fee(&mut self, price: i64) -> Result<(), VmError> {
        self.add_fee(price.saturating_mul(self.settings.exec_fee_factor))
    }

    /// Faults unless the current context has all of `flags`.
    pub fn require_flags(
        &self,
        vm: &ExecutionEngine,
        flags: u8,
        what: &str,
    ) -> Result<(), VmError> {
        let have = self.current(vm)?.flags;
        if have & flags != flags {
            return Err(fault(format!(
                "Cannot call this SYSCALL with the flag {}: {what} needs {}",
                call_flags::name(have),
                call_flags::name(flags)
            )));
        }
        Ok(())
    }

    /// The next GetRandom value (Murmur128 of the nonce data, seeded with network + counter).
    pub fn next_random(&mut self) -> [u8; 16] {
        let seed = self.settings.network.wrapping_add(self.random_counter);
        self.random_counter += 1;
        crate::crypto::murmur128(&self.nonce_data, seed)
    }

    /// Looks up a deployed contract.
    pub fn get_contract(&self, hash: &UInt160) -> Result<Option<Rc<ContractState>>, VmError> {
        native::contract_management::get_contract(&self.cache, hash)
            .map(|c| c.map(Rc::new))
            .map_err(fault)
    }

    /// Emits a notification after Neo's checks (used by Runtime.Notify and natives).
    pub fn push_notification(&mut self, n: Notification) -> Result<(), VmError> {
        if self.notifications.len() >= MAX_NOTIFICATIONS {
            return Err(fault("Maximum number of notifications `512` is reached."));
        }
        self.notifications.push(n);
        Ok(())
    }

    /// Calls `method` of `hash` with `args` (arg0 first) as System.Contract.Call does.
    pub fn call_contract(
        &mut self,
        vm: &mut ExecutionEngine,
        hash: UInt160,
        method: &str,
        flags: u8,
        args: Vec<StackItem>,
        dynamic: bool,
    ) -> Result<(), VmError> {
        if method.starts_with('_') {
            return Err(fault(format!("Invalid Method Name: {method}")));
        }
        if flags & !call_flags::ALL != 0 {
            return Err(fault(format!("Invalid call flags: {flags}")));
        }
        let cur = self.current(vm)?.clone();
        let platform = self.platform.clone();
        if let Some(n) = platform.native_by_hash(&hash) {
            let m = n.method(method, args.len()).ok_or_else(|| {
                fault(format!(
                    "Method \"{method}\" with {} parameter(s) doesn't exist in the contract {hash}.",
                    args.len()
                ))
            })?;
            let mut eff = flags & cur.flags;
            if m.safe() {
                eff &= !(call_flags::WRITE_STATES | call_flags::ALLOW_NOTIFY);
            } else if let Some(c) = &cur.contract {
                let _ = c; // natives have no groups; permission by hash or wildcard
                if !self.permitted(&cur, &hash, None, method)? {
                    return Err(fault(format!(
                        "Cannot Call Method {method} Of Contract {hash} From Contract {}",
                        cur.script_hash
                    )));
                }
            }
            return native::invoke(self, vm, n, m, eff, args, &cur, dynamic);
        }
        let contract = match self.get_contract(&hash)? {
            Some(c) => c,
            None => {
                if let Some(name) = native::unimplemented_native(&hash) {
                    return Err(fault(format!(
                        "The native contract {name} ({hash}) is not implemented by xvm: cannot call {method}"
                    )));
                }
                return Err(fault(format!(
                    "Called Contract Does Not Exist: {hash}.{method}"
                )));
            }
        };
        if native::policy::is_blocked(&self.cache, &hash).map_err(fault)? {
            return Err(fault(format!("The contract {hash} has been blocked.")));
        }
        let m = contract
            .manifest
            .method(method, Some(args.len()))
            .cloned()
            .ok_or_else(|| {
                fault(format!(
                    "Method \"{method}\" with {} parameter(s) doesn't exist in the contract {hash}.",
                    args.len()
                ))
            })?;
        let mut eff = flags;
        if m.safe {
            eff &= !(call_flags::WRITE_STATES | call_flags::ALLOW_NOTIFY);
        } else if !self.permitted(&cur, &hash, Some(&contract), method)? {
            return Err(fault(format!(
                "Cannot Call Method {method} Of Contract {hash} From Contract {}",
                cur.script_hash
            )));
        }
        eff &= cur.flags;
        self.load_contract(vm, contract, &m, eff, args, dynamic)
    }

    fn permitted(
        &self,
        cur: &ContextState,
        target: &UInt160,
        target_contract: Option<&ContractState>,
        method: &str,
    ) -> Result<bool, VmError> {
        let Some(c) = &cur.contract else {
            // Scripts that are not deployed contracts (the entry script) are not checked.
            return Ok(true);
        };
        Ok(match target_contract {
            Some(t) => c.manifest.can_call(target, &t.manifest, method),
            None => c.manifest.permissions.iter().any(|p| {
                let ok = match &p.contract {
                    crate::manifest::PermissionContract::Wildcard => true,
                    crate::manifest::PermissionContract::Hash(h) => h == target,
                    crate::manifest::PermissionContract::Group(_) => false,
                };
                ok && p
                    .methods
                    .as_ref()
                    .is_none_or(|ms| ms.iter().any(|x| x == method))
            }),
        })
    }

    /// Loads `method` of a deployed contract as a new context (rvcount 0 or 1, IP = offset),
    /// pushes the arguments (arg0 on top) and runs `_initialize` first if the contract has it.
    pub fn load_contract(
        &mut self,
        vm: &mut ExecutionEngine,
        contract: Rc<ContractState>,
        m: &crate::manifest::Method,
        flags: u8,
        args: Vec<StackItem>,
        dynamic: bool,
    ) -> Result<(), VmError> {
        let caller = vm.current_context().map(|c| c.instance_id());
        let calling_hash = match caller {
            Some(id) => self.contexts.get(&id).map(|s| s.script_hash),
            None => None,
        };
        self.load_contract_from(
            vm,
            contract,
            m,
            flags,
            args,
            dynamic,
            calling_hash.zip(caller),
        )
    }

    /// As [`Host::load_contract`] with an explicit caller (natives call back as themselves).
    #[allow(clippy::too_many_arguments)]
    pub fn load_contract_from(
        &mut self,
        vm: &mut ExecutionEngine,
        contract: Rc<ContractState>,
        m: &crate::manifest::Method,
        flags: u8,
        args: Vec<StackItem>,
        dynamic: bool,
        calling: Option<(UInt160, u64)>,
    ) -> Result<(), VmError> {
        let hash = contract.hash;
        *self.invocation_counters.entry(hash).or_insert(0) += 1;
        let script = Script::new(contract.nef.script.clone());
        let rv = if m.return_type == crate::types::ParamType::Void {
            0
        } else {
            1
        };
        vm.load_script(script.clone(), rv, m.offset)?;
        self.register_context(
            vm,
            hash,
            calling.or(Some((UInt160::ZERO, 0))),
            flags,
            Some(contract.clone()),
            dynamic,
        );
        if calling.is_none() {
            if let Ok(s) = self.current_mut(vm) {
                s.calling_hash = None;
                s.calling_instance = None;
            }
        }
        for a in args.into_iter().rev() {
            vm.push(a);
        }
        if let Some(init) = contract.manifest.method("_initialize", Some(0)) {
            vm.load_clone(init.offset)?;
        }
        Ok(())
    }

    /// Whether the witness of `hash` is present for the current context (CheckWitness).
    pub fn check_witness(&self, vm: &ExecutionEngine, hash: &UInt160) -> Result<bool, VmError> {
        let cur = self.current(vm)?.clone();
        self.check_witness_in(&cur, hash)
    }

    /// CheckWitness as a native sees it: the native is executing, called by the current context.
    pub fn check_witness_native(
        &self,
        vm: &ExecutionEngine,
        call: &crate::native::NativeCall,
        hash: &UInt160,
    ) -> Result<bool, VmError> {
        let _ = vm;
        let frame = ContextState {
            script_hash: call.native,
            calling_hash: Some(call.caller),
            calling_instance: Some(call.caller_instance),
            flags: call.flags,
            contract: None,
            dynamic_call: false,
            notifications_at_load: 0,
            has_layer: false,
            on_return: Vec::new(),
        };
        self.check_witness_in(&frame, hash)
    }

    fn check_witness_in(&self, frame: &ContextState, hash: &UInt160) -> Result<bool, VmError> {
        if frame.calling_hash.as_ref() == Some(hash) {
            return Ok(true);
        }
        let Some(tx) = &self.container else {
            return Ok(false);
        };
        let Some(signer) = tx.signers.iter().find(|s| &s.account == hash) else {
            return Ok(false);
        };
        for rule in signer.all_rules() {
            if self.matches(frame, &rule.condition)? {
                return Ok(rule.allow);
            }
        }
        Ok(false)
    }

    fn matches(&self, cur: &ContextState, c: &Condition) -> Result<bool, VmError> {
        Ok(match c {
            Condition::Boolean(b) => *b,
            Condition::Not(x) => !self.matches(cur, x)?,
            Condition::And(xs) => {
                for x in xs {
                    if !self.matches(cur, x)? {
                        return Ok(false);
                    }
                }
                true
            }
            Condition::Or(xs) => {
                for x in xs {
                    if self.matches(cur, x)? {
                        return Ok(true);
                    }
                }
                false
            }
            Condition::ScriptHash(h) => &cur.script_hash == h,
            Condition::Group(g) => cur
                .contract
                .as_ref()
                .is_some_and(|c| c.manifest.groups.iter().any(|x| &x.pubkey == g)),
            Condition::CalledByEntry => match cur.calling_instance {
                None => true,
                Some(id) => self
                    .contexts
                    .get(&id)
                    .is_none_or(|s| s.calling_instance.is_none()),
            },
            Condition::CalledByContract(h) => cur.calling_hash.as_ref() == Some(h),
            Condition::CalledByGroup(g) => match cur.calling_hash {
                None => false,
                Some(h) => self
                    .get_contract(&h)?
                    .is_some_and(|c| c.manifest.groups.iter().any(|x| &x.pubkey == g)),
            },
        })
    }

    /// Checks a notification against the executing contract's ABI and records it.
    pub fn runtime_notify(
        &mut self,
        vm: &ExecutionEngine,
        name: &[u8],
        state: StackItem,
    ) -> Result<(), VmError> {
        if name.len() > 32 {
            return Err(fault("Event name is too long (more than 32 bytes)."));
        }
        let name = std::str::from_utf8(name).map_err(|_| fault("Event name is not UTF-8."))?;
        let cur = self.current(vm)?.clone();
        let contract = cur
            .contract
            .as_ref()
            .ok_or_else(|| fault("Notifications are not allowed in dynamic scripts."))?;
        let ev = contract
            .manifest
            .event(name)
            .ok_or_else(|| fault(format!("Event `{name}` does not exist.")))?;
        let StackItem::Array(arr) = &state else {
            return Err(fault("Notification state must be an Array."));
        };
        let items = arr.items().clone();
        if items.len() != ev.parameters.len() {
            return Err(fault(format!(
                "The number of the arguments ({}) does not match the formal parameters ({}) of event `{name}`.",
                items.len(),
                ev.parameters.len()
            )));
        }
        for (item, p) in items.iter().zip(&ev.parameters) {
            if !crate::convert::item_matches(item, p.ty) {
                return Err(fault(format!(
                    "The type of argument `{}` of event `{name}` does not match {}.",
                    p.name,
                    p.ty.name()
                )));
            }
        }
        let bytes = serialize_limited(&state, 1024)
            .map_err(|e| fault(format!("Notification state: {e}")))?;
        let copy = crate::binary::deserialize(&bytes).map_err(fault)?;
        self.push_notification(Notification {
            contract: cur.script_hash,
            event: name.to_string(),
            state: copy,
        })
    }
}

impl Interop for Host<'_> {
    fn syscall(&mut self, vm: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        let platform = self.platform.clone();
        let Some(sc) = platform.syscall(id) else {
            let name = xvm_neovm::syscalls::syscall_name(id)
                .map(|n| format!("{n} (0x{id:08x}) is not supported by xvm"))
                .unwrap_or_else(|| format!("0x{id:08x}"));
            return Err(fault(format!("Syscall not found: {name}")));
        };
        self.require_flags(vm, sc.flags, &sc.name)?;
        self.add_cpu_fee(sc.price)?;
        (sc.handler)(self, vm)
    }

    fn call_token(&mut self, vm: &mut ExecutionEngine, token: u16) -> Result<(), VmError> {
        self.require_flags(
            vm,
            call_flags::READ_STATES | call_flags::ALLOW_CALL,
            "CALLT",
        )?;
        let cur = self.current(vm)?.clone();
        let contract = cur
            .contract
            .as_ref()
            .ok_or_else(|| fault("CALLT outside a deployed contract"))?;
        let t = contract
            .nef
            .tokens
            .get(token as usize)
            .cloned()
            .ok_or_else(|| fault(format!("Token not found: {token}")))?;
        let mut args = Vec::with_capacity(t.parameters_count as usize);
        for _ in 0..t.parameters_count {
            args.push(vm.pop()?);
        }
        // Same checks as Contract.Call, plus the token's return-value promise.
        if let Some(n) = self.platform.native_by_hash(&t.hash) {
            if let Some(m) = n.method(&t.method, args.len()) {
                if m.returns() != t.has_return_value {
                    return Err(fault("The return value type does not match."));
                }
            }
        } else if let Some(c) = self.get_contract(&t.hash)? {
            if let Some(m) = c.manifest.method(&t.method, Some(args.len())) {
                if (m.return_type != crate::types::ParamType::Void) != t.has_return_value {
                    return Err(fault("The return value type does not match."));
                }
            }
        }
        self.call_contract(vm, t.hash, &t.method, t.call_flags, args, false)
    }

    fn pre_execute(&mut self, _vm: &ExecutionEngine, ins: &Instruction<'_>) -> Result<(), VmError> {
        self.add_cpu_fee(ins.opcode.price() as i64)
    }

    fn context_loaded(&mut self, vm: &mut ExecutionEngine) -> Result<(), VmError> {
        // CALL/CALLA contexts share the loaded script's instance id, hence its state.
        let _ = vm;
        Ok(())
    }

    fn context_unloaded(
        &mut self,
        vm: &mut ExecutionEngine,
        context: &ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        let id = context.instance_id();
        if vm.invocation_stack().iter().any(|c| c.instance_id() == id) {
            return Ok(()); // a CALLed frame of a script still running
        }
        let Some(st) = self.contexts.remove(&id) else {
            return Ok(());
        };
        if let Some(ex) = vm.uncaught_exception() {
            if st
                .on_return
                .iter()
                .any(|r| matches!(r, OnReturn::NativeCallback))
            {
                return Err(fault(xvm_neovm::engine::unhandled_message(ex)));
            }
            if st.has_layer {
                self.cache.discard();
            }
            self.notifications.truncate(st.notifications_at_load);
            return Ok(());
        }
        if st.has_layer {
            self.cache.merge();
        }
        if st.dynamic_call && !vm.invocation_stack().is_empty() {
            if returned == 0 {
                vm.push(StackItem::Null);
            } else if returned > 1 {
                return Err(fault(
                    "Multiple return values are not allowed in cross-contract calls.",
                ));
            }
        }
        for r in st.on_return {
            match r {
                OnReturn::Notify(n) => self.push_notification(n)?,
                OnReturn::NativeCallback => {}
            }
        }
        Ok(())
    }
}
