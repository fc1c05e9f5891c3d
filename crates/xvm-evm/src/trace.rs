//! Per-step tracing: the [`Step`] the engine reports to [`crate::Host::on_step`], and an
//! EIP-3155 JSON-lines writer.

use crate::opcodes::op_name;
use crate::status::ExecResult;
use alloy_primitives::U256;
use std::fmt::Write as _;

/// One instruction about to execute, as reported to a tracing host.
#[derive(Debug)]
pub struct Step<'a> {
    /// Program counter.
    pub pc: usize,
    /// The opcode byte.
    pub op: u8,
    /// Gas left before the instruction.
    pub gas: i64,
    /// The instruction's static gas cost in this revision.
    pub gas_cost: i64,
    /// Memory size in bytes.
    pub mem_size: usize,
    /// The stack, bottom first.
    pub stack: &'a [U256],
    /// Call depth, 1-based as EIP-3155 counts it.
    pub depth: i32,
    /// Gas refund counter of this frame so far.
    pub refund: i64,
}

/// Formats a step as one EIP-3155 JSON object (no trailing newline).
pub fn eip3155_step_line(step: &Step<'_>) -> String {
    let mut s = String::with_capacity(128 + step.stack.len() * 20);
    let _ = write!(
        s,
        "{{\"pc\":{},\"op\":{},\"gas\":\"{:#x}\",\"gasCost\":\"{:#x}\",\"memSize\":{},\"stack\":[",
        step.pc, step.op, step.gas, step.gas_cost, step.mem_size
    );
    for (i, v) in step.stack.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "\"{v:#x}\"");
    }
    let _ = write!(
        s,
        "],\"depth\":{},\"refund\":{},\"opName\":\"{}\"}}",
        step.depth,
        step.refund,
        op_name(step.op)
    );
    s
}

/// Formats the EIP-3155 summary line of an execution with `gas_used` (no trailing newline).
pub fn eip3155_summary_line(result: &ExecResult, gas_used: i64) -> String {
    let mut s = format!(
        "{{\"output\":\"{}\",\"gasUsed\":\"{:#x}\",\"pass\":{}",
        alloy_primitives::hex::encode(&result.output),
        gas_used,
        result.status.is_success()
    );
    if !result.status.is_success() {
        let _ = write!(s, ",\"error\":\"{}\"", result.status.description());
    }
    s.push('}');
    s
}
