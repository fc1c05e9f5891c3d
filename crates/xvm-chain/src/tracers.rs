//! Tracers that JSON-RPC clients know: geth's struct logger (the default of
//! `debug_traceTransaction`) and its `callTracer` (the tree of calls).

use alloy_primitives::{hex, Address, Bytes, U256};
use serde_json::{json, Value};
use xvm_evm::opcodes::op_name;
use xvm_evm::trace::Step;
use xvm_evm::{CallKind, ExecResult, Message, StatusCode, Tracer};

/// Lets a tracer owned by the caller be lent to an execution.
pub struct Lend<'t, T: Tracer>(pub &'t mut T);

impl<T: Tracer> Tracer for Lend<'_, T> {
    fn on_step(&mut self, step: &Step<'_>) {
        self.0.on_step(step)
    }
    fn on_frame_end(&mut self, depth: i32, result: &ExecResult) {
        self.0.on_frame_end(depth, result)
    }
    fn on_call_start(&mut self, msg: &Message) {
        self.0.on_call_start(msg)
    }
    fn on_call_end(&mut self, result: &ExecResult) {
        self.0.on_call_end(result)
    }
}

/// geth's struct logger: one entry per step (`pc, op, gas, gasCost, depth, stack`), the failing
/// step of a frame marked with `error`.
#[derive(Default)]
pub struct StructLogger {
    logs: Vec<Value>,
    /// Steps kept at most (a bound for hostile transactions); more are counted, not kept.
    pub limit: Option<usize>,
    dropped: usize,
}

impl StructLogger {
    /// A logger keeping at most `limit` steps.
    pub fn with_limit(limit: usize) -> Self {
        StructLogger {
            limit: Some(limit),
            ..Default::default()
        }
    }

    /// The `debug_traceTransaction` result for a transaction that used `gas` and ended with
    /// `failed` and `output`.
    pub fn result(self, gas: u64, failed: bool, output: &Bytes) -> Value {
        json!({
            "gas": gas,
            "failed": failed,
            "returnValue": hex::encode(output),
            "structLogs": self.logs,
        })
    }
}

impl Tracer for StructLogger {
    fn on_step(&mut self, step: &Step<'_>) {
        if self.limit.is_some_and(|l| self.logs.len() >= l) {
            self.dropped += 1;
            return;
        }
        let stack: Vec<String> = step.stack.iter().map(|v| format!("{v:#x}")).collect();
        self.logs.push(json!({
            "pc": step.pc,
            "op": op_name(step.op),
            "gas": step.gas,
            "gasCost": step.gas_cost,
            "depth": step.depth,
            "stack": stack,
        }));
    }

    fn on_frame_end(&mut self, depth: i32, result: &ExecResult) {
        if result.status == StatusCode::Success {
            return;
        }
        if let Some(last) = self.logs.iter_mut().rev().find(|l| l["depth"] == depth) {
            let err = match result.status {
                StatusCode::Revert => "execution reverted",
                s => s.description(),
            };
            last["error"] = json!(err);
        }
    }
}

struct Frame {
    ty: &'static str,
    from: Address,
    to: Address,
    value: Option<U256>,
    gas: i64,
    input: Bytes,
    calls: Vec<Value>,
}

/// geth's `callTracer`: the tree of calls and creates with gas, input, output and errors.
#[derive(Default)]
pub struct CallTracer {
    stack: Vec<Frame>,
    root: Option<Value>,
}

impl CallTracer {
    /// The finished tree; the top frame's `gas` and `gasUsed` are the transaction's
    /// (`gas_limit`, `gas_used`), as geth reports them.
    pub fn result(self, gas_limit: u64, gas_used: u64) -> Value {
        let mut root = self.root.unwrap_or(Value::Null);
        if root.is_object() {
            root["gas"] = json!(format!("{gas_limit:#x}"));
            root["gasUsed"] = json!(format!("{gas_used:#x}"));
        }
        root
    }
}

fn revert_reason(output: &[u8]) -> Option<String> {
    if output.len() >= 4 && output[..4] == [0x08, 0xc3, 0x79, 0xa0] {
        use alloy_dyn_abi::{DynSolType, DynSolValue};
        if let Ok(DynSolValue::String(s)) = DynSolType::String.abi_decode(&output[4..]) {
            return Some(s);
        }
    }
    None
}

impl Tracer for CallTracer {
    fn on_step(&mut self, _step: &Step<'_>) {}
    fn on_frame_end(&mut self, _depth: i32, _result: &ExecResult) {}

    fn on_call_start(&mut self, msg: &Message) {
        let ty = match (msg.kind, msg.is_static) {
            (CallKind::Call, true) => "STATICCALL",
            (CallKind::Call, false) => "CALL",
            (CallKind::DelegateCall, _) => "DELEGATECALL",
            (CallKind::CallCode, _) => "CALLCODE",
            (CallKind::Create, _) => "CREATE",
            (CallKind::Create2, _) => "CREATE2",
        };
        let to = match msg.kind {
            CallKind::DelegateCall | CallKind::CallCode => msg.code_address,
            _ => msg.recipient,
        };
        let value = match msg.kind {
            CallKind::DelegateCall => None,
            _ if msg.is_static => None,
            _ => Some(msg.value),
        };
        self.stack.push(Frame {
            ty,
            from: msg.sender,
            to,
            value,
            gas: msg.gas,
            input: msg.input.clone(),
            calls: Vec::new(),
        });
    }

    fn on_call_end(&mut self, result: &ExecResult) {
        let Some(f) = self.stack.pop() else { return };
        let to = result.create_address.unwrap_or(f.to);
        let left = match result.status {
            StatusCode::Success | StatusCode::Revert => result.gas_left.max(0),
            _ => 0,
        };
        let mut v = json!({
            "type": f.ty,
            "from": f.from,
            "to": to,
            "gas": format!("{:#x}", f.gas.max(0)),
            "gasUsed": format!("{:#x}", (f.gas - left).max(0)),
            "input": f.input,
        });
        if let Some(value) = f.value {
            v["value"] = json!(format!("{value:#x}"));
        }
        if !result.output.is_empty() {
            v["output"] = json!(result.output);
        }
        if result.status != StatusCode::Success {
            v["error"] = json!(match result.status {
                StatusCode::Revert => "execution reverted",
                s => s.description(),
            });
            if let Some(r) = revert_reason(&result.output) {
                v["revertReason"] = json!(r);
            }
        }
        if !f.calls.is_empty() {
            v["calls"] = Value::Array(f.calls);
        }
        match self.stack.last_mut() {
            Some(parent) => parent.calls.push(v),
            None => self.root = Some(v),
        }
    }
}
