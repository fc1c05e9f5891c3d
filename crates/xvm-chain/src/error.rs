//! Errors of the local chain: each a one-line message for the user.

use xvm_store::StoreError;

/// Why a chain operation failed. A transaction that runs and reverts is not an error: it is
/// mined with a failed receipt ([`crate::Mined`]).
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The state could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The transaction is invalid and was not mined (nonce, funds, gas, fees...).
    #[error("transaction rejected: {0}")]
    Rejected(String),
    /// The state transition refused the transaction (nothing was mined).
    #[error("transaction rejected: {}", invalid_tx_text(.0))]
    InvalidTx(xvm_ethereum::TxError),
    /// The sender is not one of the unlocked default accounts.
    #[error("account {0} is not unlocked (use a default account: `xvm accounts`)")]
    Locked(alloy_primitives::Address),
    /// A gas estimate found no gas limit at which the call succeeds.
    #[error("execution fails at every gas limit up to {cap}: {reason}")]
    EstimateFailed {
        /// The largest gas limit tried.
        cap: u64,
        /// How it failed at that limit.
        reason: String,
        /// The revert data at that limit, if any.
        output: alloy_primitives::Bytes,
    },
    /// Bad input from the user (a value, an option).
    #[error("{0}")]
    Invalid(String),
}

/// A refused transaction as wallets word it (geth's texts: "nonce too low", "insufficient funds
/// for gas * price + value", "intrinsic gas too low").
pub fn invalid_tx_text(e: &xvm_ethereum::TxError) -> String {
    use xvm_ethereum::TxError as E;
    match e {
        E::NonceMismatch { tx, account } if *tx < alloy_primitives::U256::from(*account) => {
            format!("nonce too low: next nonce {account}, tx nonce {tx}")
        }
        E::NonceMismatch { tx, account } => {
            format!("nonce too high: next nonce {account}, tx nonce {tx}")
        }
        E::InsufficientFunds => "insufficient funds for gas * price + value".into(),
        other => other.to_string(),
    }
}
