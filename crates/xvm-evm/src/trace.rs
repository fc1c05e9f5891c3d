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

/// Something that receives the engine's per-step reports: a host that supports tracing holds one
/// and forwards [`crate::Host::on_step`] and [`crate::Host::on_frame_end`] to it.
pub trait Tracer {
    /// Called before each instruction.
    fn on_step(&mut self, step: &Step<'_>);
    /// Called when a frame ends.
    fn on_frame_end(&mut self, depth: i32, result: &ExecResult);
    /// Called by a host when a message (any call or create, the transaction's own included, to
    /// code or not) starts; call tracers build their tree from these two.
    fn on_call_start(&mut self, _msg: &crate::Message) {}
    /// Called by a host when the message last started ends, with its final result.
    fn on_call_end(&mut self, _result: &ExecResult) {}
}

/// An EIP-3155 tracer: one JSON object per step, written to `W`. The step on which a frame
/// fails carries an `error` field (so the last line of each step is held back until the next
/// step or the frame's end).
pub struct Eip3155Tracer<W: std::io::Write> {
    out: W,
    pending: Option<String>,
}

impl<W: std::io::Write> Eip3155Tracer<W> {
    /// A tracer writing to `out`.
    pub fn new(out: W) -> Self {
        Eip3155Tracer { out, pending: None }
    }

    fn flush_pending(&mut self, error: Option<&str>) {
        if let Some(mut line) = self.pending.take() {
            if let Some(e) = error {
                line.pop();
                let _ = write!(line, ",\"error\":\"{e}\"}}");
            }
            let _ = writeln!(self.out, "{line}");
        }
    }

    /// Writes the EIP-3155 summary line for the whole execution.
    pub fn summary(&mut self, result: &ExecResult, gas_used: i64) {
        self.flush_pending(None);
        let _ = writeln!(self.out, "{}", eip3155_summary_line(result, gas_used));
        let _ = self.out.flush();
    }

    /// Gives back the writer.
    pub fn into_inner(mut self) -> W {
        self.flush_pending(None);
        self.out
    }
}

impl<W: std::io::Write> Tracer for Eip3155Tracer<W> {
    fn on_step(&mut self, step: &Step<'_>) {
        self.flush_pending(None);
        self.pending = Some(eip3155_step_line(step));
    }

    fn on_frame_end(&mut self, _depth: i32, result: &ExecResult) {
        let failed = !matches!(
            result.status,
            crate::StatusCode::Success | crate::StatusCode::Revert
        );
        self.flush_pending(failed.then(|| result.status.description()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusCode;

    #[test]
    fn eip3155_lines() {
        let stack = [U256::from(1), U256::from(0x20)];
        let step = Step {
            pc: 2,
            op: 0x01,
            gas: 100,
            gas_cost: 3,
            mem_size: 0,
            stack: &stack,
            depth: 1,
            refund: 0,
        };
        let mut t = Eip3155Tracer::new(Vec::new());
        t.on_step(&step);
        t.on_frame_end(0, &ExecResult::failure(StatusCode::OutOfGas));
        t.summary(&ExecResult::failure(StatusCode::OutOfGas), 100);
        let out = String::from_utf8(t.into_inner()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            r#"{"pc":2,"op":1,"gas":"0x64","gasCost":"0x3","memSize":0,"stack":["0x1","0x20"],"depth":1,"refund":0,"opName":"ADD","error":"out of gas"}"#
        );
        assert_eq!(
            lines[1],
            r#"{"output":"","gasUsed":"0x64","pass":false,"error":"out of gas"}"#
        );
        for l in lines {
            serde_json::from_str::<serde_json::Value>(l).unwrap();
        }
    }
}
