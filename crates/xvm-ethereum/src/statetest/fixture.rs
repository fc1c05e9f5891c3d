//! The JSON shape of filled state tests, kept as strings and parsed tolerantly afterwards.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// A JSON leaf that may be a string or a number, kept as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => Ok(Text(s)),
            serde_json::Value::Number(n) => Ok(Text(n.to_string())),
            serde_json::Value::Bool(b) => Ok(Text(if b { "1" } else { "0" }.into())),
            serde_json::Value::Null => Ok(Text(String::new())),
            other => Err(serde::de::Error::custom(format!(
                "expected a string or number, found {other}"
            ))),
        }
    }
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One test of a file.
#[derive(Debug, Deserialize)]
pub struct StateTest {
    /// Block environment.
    pub env: Env,
    /// Pre-state: address -> account.
    pub pre: BTreeMap<String, PreAccountJson>,
    /// Transaction template.
    pub transaction: TxJson,
    /// fork -> expected results.
    pub post: BTreeMap<String, Vec<PostEntry>>,
    /// execution-spec-tests configuration.
    #[serde(default)]
    pub config: Option<Config>,
}

/// `env`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Env {
    /// Coinbase.
    pub current_coinbase: Text,
    /// Block gas limit.
    pub current_gas_limit: Text,
    /// Block number.
    pub current_number: Text,
    /// Timestamp.
    pub current_timestamp: Text,
    /// Difficulty.
    #[serde(default)]
    pub current_difficulty: Option<Text>,
    /// Base fee.
    #[serde(default)]
    pub current_base_fee: Option<Text>,
    /// PREVRANDAO.
    #[serde(default)]
    pub current_random: Option<Text>,
    /// Excess blob gas.
    #[serde(default)]
    pub current_excess_blob_gas: Option<Text>,
}

/// A pre-state account.
#[derive(Debug, Deserialize)]
pub struct PreAccountJson {
    /// Balance.
    #[serde(default)]
    pub balance: Text,
    /// Code.
    #[serde(default)]
    pub code: Text,
    /// Nonce.
    #[serde(default)]
    pub nonce: Text,
    /// Storage.
    #[serde(default)]
    pub storage: BTreeMap<String, Text>,
}

/// An access list entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessListEntry {
    /// Address.
    pub address: Text,
    /// Storage keys.
    #[serde(default)]
    pub storage_keys: Vec<Text>,
}

/// An EIP-7702 authorization.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationJson {
    /// Chain id.
    pub chain_id: Text,
    /// Delegate.
    pub address: Text,
    /// Nonce.
    pub nonce: Text,
    /// v (alias of yParity in some fillers).
    #[serde(default)]
    pub v: Option<Text>,
    /// y parity.
    #[serde(default)]
    pub y_parity: Option<Text>,
    /// r.
    pub r: Text,
    /// s.
    pub s: Text,
}

/// The transaction template.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxJson {
    /// Data per index.
    pub data: Vec<Text>,
    /// Gas limit per index.
    pub gas_limit: Vec<Text>,
    /// Value per index.
    pub value: Vec<Text>,
    /// Nonce.
    pub nonce: Text,
    /// Legacy gas price.
    #[serde(default)]
    pub gas_price: Option<Text>,
    /// EIP-1559 max fee.
    #[serde(default)]
    pub max_fee_per_gas: Option<Text>,
    /// EIP-1559 tip.
    #[serde(default)]
    pub max_priority_fee_per_gas: Option<Text>,
    /// Recipient ("" for creation).
    #[serde(default)]
    pub to: Option<Text>,
    /// Secret key.
    #[serde(default)]
    pub secret_key: Option<Text>,
    /// Sender.
    #[serde(default)]
    pub sender: Option<Text>,
    /// Access lists per data index.
    #[serde(default)]
    pub access_lists: Option<Vec<Option<Vec<AccessListEntry>>>>,
    /// Blob fee cap.
    #[serde(default)]
    pub max_fee_per_blob_gas: Option<Text>,
    /// Blob hashes.
    #[serde(default)]
    pub blob_versioned_hashes: Option<Vec<Text>>,
    /// Authorizations.
    #[serde(default)]
    pub authorization_list: Option<Vec<AuthorizationJson>>,
}

/// Indexes of a post entry.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub struct Indexes {
    /// Data index.
    pub data: usize,
    /// Gas index.
    pub gas: usize,
    /// Value index.
    pub value: usize,
}

/// One expected result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostEntry {
    /// Indexes.
    pub indexes: Indexes,
    /// Expected state root.
    pub hash: Text,
    /// Expected logs hash.
    pub logs: Text,
    /// Expected exception.
    #[serde(default)]
    pub expect_exception: Option<String>,
}

/// execution-spec-tests `config`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Chain id.
    #[serde(default)]
    pub chainid: Option<Text>,
    /// Blob schedule per fork.
    #[serde(default)]
    pub blob_schedule: Option<BTreeMap<String, BlobScheduleJson>>,
}

/// Blob parameters of one fork.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobScheduleJson {
    /// Target blobs.
    pub target: Text,
    /// Max blobs.
    pub max: Text,
    /// Update fraction.
    pub base_fee_update_fraction: Text,
}
