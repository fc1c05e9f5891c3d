//! The chain's configuration, chosen once when the state is created.

use alloy_primitives::U256;
use serde::{Deserialize, Serialize};
use xvm_evm::Revision;

/// What a new state is created with (`--fork` and friends on the first command).
#[derive(Clone, Debug)]
pub struct GenesisOptions {
    /// The fork the chain runs, for its whole life.
    pub revision: Revision,
    /// The chain id (31337 by default, as anvil and hardhat).
    pub chain_id: u64,
    /// The mnemonic of the default accounts.
    pub mnemonic: String,
    /// How many default accounts.
    pub accounts: u32,
    /// Each default account's balance in wei.
    pub balance: U256,
    /// The block gas limit.
    pub gas_limit: u64,
    /// The genesis block's base fee in wei.
    pub base_fee: u64,
}

impl Default for GenesisOptions {
    fn default() -> Self {
        GenesisOptions {
            revision: Revision::Prague,
            chain_id: 31337,
            mnemonic: crate::DEFAULT_MNEMONIC.to_string(),
            accounts: 10,
            balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64)),
            gas_limit: 30_000_000,
            base_fee: 1_000_000_000,
        }
    }
}

/// The stored configuration of a chain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChainConfig {
    /// The fork's name as the fixtures spell it (`Prague`, `Cancun`...).
    pub fork: String,
    /// Chain id.
    pub chain_id: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// The default accounts' mnemonic.
    pub mnemonic: String,
    /// Seconds added to the wall clock for new blocks' timestamps (dev methods move it).
    #[serde(default)]
    pub time_offset: i64,
    /// The timestamp of the next block, when set by a dev method (used once).
    #[serde(default)]
    pub next_timestamp: Option<u64>,
}

impl ChainConfig {
    /// The fork as an engine revision.
    pub fn revision(&self) -> Revision {
        self.fork.parse().unwrap_or(Revision::Prague)
    }
}
