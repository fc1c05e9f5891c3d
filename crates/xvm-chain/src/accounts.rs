//! The default accounts: keys derived from a mnemonic as anvil and hardhat derive theirs
//! (BIP-39 seed, BIP-44 path `m/44'/60'/0'/0/i`), so wallets that know those accounts import them.

use alloy_primitives::{Address, B256};
use alloy_signer_local::{coins_bip39::English, MnemonicBuilder, PrivateKeySigner};
use serde::{Deserialize, Serialize};

/// The mnemonic of the default accounts, the same as anvil's and hardhat's:
/// account 0 is `0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266`.
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// A funded, unlocked account of the local chain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DevAccount {
    /// Its address.
    pub address: Address,
    /// Its secp256k1 private key.
    pub private_key: B256,
}

impl DevAccount {
    /// A signer for this account's key.
    pub fn signer(&self) -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&self.private_key).expect("a stored key is a valid key")
    }
}

/// The first `count` accounts of `mnemonic`.
pub fn derive(mnemonic: &str, count: u32) -> Result<Vec<DevAccount>, String> {
    (0..count)
        .map(|i| {
            let signer = MnemonicBuilder::<English>::default()
                .phrase(mnemonic)
                .index(i)
                .map_err(|e| format!("mnemonic: {e}"))?
                .build()
                .map_err(|e| format!("mnemonic: {e}"))?;
            Ok(DevAccount {
                address: signer.address(),
                private_key: signer.to_bytes(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mnemonic_gives_the_well_known_accounts() {
        let accs = derive(DEFAULT_MNEMONIC, 2).unwrap();
        assert_eq!(
            accs[0].address.to_checksum(None),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );
        assert_eq!(
            accs[1].address.to_checksum(None),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        );
        assert_eq!(
            format!("{}", accs[0].private_key),
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        );
    }
}
