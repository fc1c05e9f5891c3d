//! JSON-RPC errors as Ethereum clients expect them (geth's codes and texts).

use alloy_primitives::Bytes;
use jsonrpsee::types::ErrorObjectOwned;
use xvm_chain::{abi, ChainError};

/// Invalid params.
pub const INVALID_PARAMS: i32 = -32602;
/// Server error (geth uses it for rejected transactions).
pub const SERVER: i32 = -32000;
/// Internal error.
pub const INTERNAL: i32 = -32603;
/// Execution reverted (geth; clients read the revert data from `error.data`).
pub const REVERTED: i32 = 3;

pub type RpcResult<T> = Result<T, ErrorObjectOwned>;

pub fn err(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, msg.into(), None::<()>)
}

pub fn invalid(msg: impl Into<String>) -> ErrorObjectOwned {
    err(INVALID_PARAMS, msg)
}

/// A revert with its data, worded as geth words it.
pub fn reverted(output: &Bytes) -> ErrorObjectOwned {
    let msg = match abi::decode_revert(None, output) {
        r if r.starts_with("Error(") => {
            let inner = r.trim_start_matches("Error(").trim_end_matches(')');
            format!("execution reverted: {}", inner.trim_matches('"'))
        }
        r if r.starts_with("Panic(") => format!("execution reverted: {r}"),
        _ => "execution reverted".to_string(),
    };
    ErrorObjectOwned::owned(REVERTED, msg, Some(output.to_string()))
}

pub fn chain(e: ChainError) -> ErrorObjectOwned {
    match e {
        ChainError::EstimateFailed {
            output,
            reason,
            cap,
        } => {
            if reason == "execution reverted" {
                reverted(&output)
            } else {
                err(
                    SERVER,
                    format!("gas required exceeds allowance ({cap}): {reason}"),
                )
            }
        }
        ChainError::InvalidTx(t) => err(SERVER, xvm_chain::invalid_tx_text(&t)),
        ChainError::Rejected(m) => err(SERVER, m),
        ChainError::Locked(a) => err(SERVER, format!("unknown account {a}")),
        ChainError::Invalid(m) => invalid(m),
        ChainError::Store(s) => err(INTERNAL, s.to_string()),
    }
}
