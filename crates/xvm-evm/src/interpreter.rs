//! The interpreter loop (placeholder until the loop lands).

use crate::analysis::AnalyzedCode;
use crate::host::Host;
use crate::message::Message;
use crate::revision::Revision;
use crate::status::{ExecResult, StatusCode};

/// Something that executes EVM code for a host: xvm's own interpreter ([`Interpreter`]), or, via
/// xvm-evmc, any EVMC VM. World-state implementations are generic over it.
pub trait Vm {
    /// Executes `code` for `msg` in revision `rev`, reaching the world through `host`.
    fn execute<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        code: &AnalyzedCode,
    ) -> ExecResult;
}

/// xvm's own interpreter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Interpreter;

impl Vm for Interpreter {
    #[inline]
    fn execute<H: Host>(
        &self,
        host: &mut H,
        rev: Revision,
        msg: &Message,
        code: &AnalyzedCode,
    ) -> ExecResult {
        execute_analyzed(host, rev, msg, code)
    }
}

/// Executes `code` for `msg` in revision `rev`, reaching the world through `host`.
pub fn execute<H: Host>(host: &mut H, rev: Revision, msg: &Message, code: &[u8]) -> ExecResult {
    execute_analyzed(host, rev, msg, &AnalyzedCode::new(code))
}

/// Executes already analysed code (see [`AnalyzedCode`]).
pub fn execute_analyzed<H: Host>(
    _host: &mut H,
    _rev: Revision,
    _msg: &Message,
    _code: &AnalyzedCode,
) -> ExecResult {
    ExecResult::failure(StatusCode::InternalError)
}
