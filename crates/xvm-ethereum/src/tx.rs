//! Transactions: types, intrinsic gas, validation against a fork and a block.

use crate::state::PreState;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use xvm_evm::{Revision, MAX_INITCODE_SIZE};

/// Transaction type (EIP-2718 numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxType {
    /// Legacy (type 0).
    Legacy = 0,
    /// EIP-2930 access list (type 1).
    AccessList = 1,
    /// EIP-1559 dynamic fee (type 2).
    DynamicFee = 2,
    /// EIP-4844 blob (type 3).
    Blob = 3,
    /// EIP-7702 set code (type 4).
    SetCode = 4,
}

/// An EIP-7702 authorization tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// Chain id (0 = any chain).
    pub chain_id: U256,
    /// Delegate address.
    pub address: Address,
    /// Authority nonce.
    pub nonce: U256,
    /// Signature y parity.
    pub y_parity: U256,
    /// Signature r.
    pub r: U256,
    /// Signature s.
    pub s: U256,
}

/// A transaction with its sender already known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// Type.
    pub ty: TxType,
    /// Sender.
    pub sender: Address,
    /// Recipient; None for contract creation.
    pub to: Option<Address>,
    /// Nonce (may be out of the valid range: validation rejects it).
    pub nonce: U256,
    /// Gas limit (may be out of range: validation rejects it).
    pub gas_limit: U256,
    /// Gas price (legacy/2930) or max fee per gas.
    pub max_fee_per_gas: U256,
    /// Max priority fee per gas (equals the gas price for legacy/2930).
    pub max_priority_fee_per_gas: U256,
    /// Value.
    pub value: U256,
    /// Call data or init code.
    pub data: Bytes,
    /// EIP-2930 access list.
    pub access_list: Vec<(Address, Vec<U256>)>,
    /// EIP-4844 max fee per blob gas.
    pub max_fee_per_blob_gas: U256,
    /// EIP-4844 versioned hashes.
    pub blob_hashes: Vec<B256>,
    /// EIP-7702 authorizations.
    pub authorizations: Vec<Authorization>,
}

/// EIP-4844 blob parameters of a fork (`config.blobSchedule` or the fork's defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobParams {
    /// Target blobs per block.
    pub target: u64,
    /// Maximum blobs per block.
    pub max: u64,
    /// Base fee update fraction.
    pub update_fraction: u64,
}

impl BlobParams {
    /// The defaults of a fork (None before Cancun).
    pub fn for_revision(rev: Revision) -> Option<BlobParams> {
        match rev {
            r if r < Revision::Cancun => None,
            Revision::Cancun => Some(BlobParams {
                target: 3,
                max: 6,
                update_fraction: 3_338_477,
            }),
            _ => Some(BlobParams {
                target: 6,
                max: 9,
                update_fraction: 5_007_716,
            }),
        }
    }
}

/// Gas per blob (EIP-4844).
pub const GAS_PER_BLOB: u64 = 1 << 17;
/// Maximum blobs in one transaction (EIP-7594, Osaka).
pub const MAX_BLOBS_PER_TX_OSAKA: usize = 6;
/// Maximum gas limit of one transaction (EIP-7825, Osaka).
pub const MAX_TX_GAS_OSAKA: u64 = 1 << 24;

/// `fake_exponential` of EIP-4844: factor * e^(numerator / denominator), in integers.
pub fn fake_exponential(factor: u64, numerator: u64, denominator: u64) -> U256 {
    if denominator == 0 {
        return U256::ZERO;
    }
    let factor = U256::from(factor);
    let numerator = U256::from(numerator);
    let denominator = U256::from(denominator);
    let mut i = U256::from(1);
    let mut output = U256::ZERO;
    let mut acc = factor * denominator;
    while !acc.is_zero() {
        output = output.saturating_add(acc);
        acc = acc.saturating_mul(numerator) / (denominator * i);
        i += U256::from(1);
    }
    output / denominator
}

/// The blob base fee for `excess_blob_gas`.
pub fn blob_base_fee(excess_blob_gas: u64, params: &BlobParams) -> U256 {
    fake_exponential(1, excess_blob_gas, params.update_fraction)
}

/// The block a transaction runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockEnv {
    /// Beneficiary.
    pub coinbase: Address,
    /// Gas limit.
    pub gas_limit: u64,
    /// Number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Difficulty (before Paris).
    pub difficulty: U256,
    /// PREVRANDAO (Paris on).
    pub prev_randao: Option<B256>,
    /// Base fee (London on).
    pub base_fee: U256,
    /// Excess blob gas (Cancun on).
    pub excess_blob_gas: u64,
    /// Chain id.
    pub chain_id: u64,
    /// Blob parameters (Cancun on).
    pub blob_params: Option<BlobParams>,
}

/// Why a transaction is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// A field could not be parsed or does not fit (e.g. `0x:bigint` values).
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// The type is not enabled in this fork.
    #[error("transaction type {0} not supported in this fork")]
    TypeNotSupported(u8),
    /// Blob transaction without recipient.
    #[error("blob transaction cannot create a contract")]
    BlobCreate,
    /// Blob transaction without blobs.
    #[error("blob transaction has no blobs")]
    EmptyBlobs,
    /// Too many blobs.
    #[error("too many blobs ({0})")]
    TooManyBlobs(usize),
    /// A versioned hash does not start with 0x01.
    #[error("invalid blob versioned hash version")]
    InvalidBlobHashVersion,
    /// Max fee per blob gas below the blob base fee.
    #[error("max fee per blob gas below blob base fee")]
    BlobFeeTooLow,
    /// Set-code transaction without recipient.
    #[error("set-code transaction cannot create a contract")]
    SetCodeCreate,
    /// Set-code transaction without authorizations.
    #[error("empty authorization list")]
    EmptyAuthorizations,
    /// Priority fee above max fee.
    #[error("max priority fee per gas above max fee per gas")]
    TipAboveFeeCap,
    /// Gas limit above the EIP-7825 cap.
    #[error("gas limit above the transaction gas cap")]
    GasLimitAboveCap,
    /// Gas limit above the block's.
    #[error("gas limit above block gas limit")]
    GasLimitAboveBlock,
    /// Fee cap below base fee.
    #[error("max fee per gas below base fee")]
    FeeCapBelowBaseFee,
    /// Sender has code (EIP-3607).
    #[error("sender is not an EOA")]
    SenderNotEoa,
    /// Sender nonce at its maximum (EIP-2681).
    #[error("sender nonce at maximum")]
    NonceMax,
    /// Nonce differs from the sender's.
    #[error("nonce mismatch (tx {tx}, account {account})")]
    NonceMismatch {
        /// Transaction nonce.
        tx: U256,
        /// Account nonce.
        account: u64,
    },
    /// Init code too large (EIP-3860).
    #[error("init code size {0} above limit")]
    InitCodeTooLarge(usize),
    /// Balance too low for the maximum cost.
    #[error("insufficient funds")]
    InsufficientFunds,
    /// Gas limit below intrinsic gas (or the EIP-7623 floor).
    #[error("intrinsic gas too low (need {need}, have {have})")]
    IntrinsicGasTooLow {
        /// Required.
        need: u64,
        /// Given.
        have: U256,
    },
}

/// What validation works out for a valid transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxProps {
    /// Gas limit.
    pub gas_limit: u64,
    /// Intrinsic gas.
    pub intrinsic_gas: u64,
    /// EIP-7623 floor (0 before Prague).
    pub floor_gas: u64,
    /// Effective gas price.
    pub effective_gas_price: U256,
    /// Priority fee per gas paid to the coinbase.
    pub priority_fee: U256,
    /// Blob base fee (0 before Cancun).
    pub blob_base_fee: U256,
}

fn words(n: usize) -> u64 {
    n.div_ceil(32) as u64
}

/// Intrinsic gas and the EIP-7623 floor of a transaction.
pub fn intrinsic_gas(tx: &Transaction, rev: Revision) -> (u64, u64) {
    let zeros = tx.data.iter().filter(|b| **b == 0).count() as u64;
    let nonzeros = tx.data.len() as u64 - zeros;
    let mut gas: u64 = 21_000;
    if tx.to.is_none() && rev >= Revision::Homestead {
        gas += 32_000;
    }
    let nonzero_cost = if rev >= Revision::Istanbul { 16 } else { 68 };
    gas += zeros * 4 + nonzeros * nonzero_cost;
    if tx.to.is_none() && rev >= Revision::Shanghai {
        gas += 2 * words(tx.data.len());
    }
    let keys: usize = tx.access_list.iter().map(|(_, k)| k.len()).sum();
    gas += tx.access_list.len() as u64 * 2400 + keys as u64 * 1900;
    gas += tx.authorizations.len() as u64 * 25_000;
    let floor = if rev >= Revision::Prague {
        21_000 + 10 * (zeros + 4 * nonzeros)
    } else {
        0
    };
    (gas, floor)
}

/// Validates `tx` against the fork, the block and the pre-state.
pub fn validate(
    tx: &Transaction,
    rev: Revision,
    block: &BlockEnv,
    pre: &PreState,
) -> Result<TxProps, TxError> {
    let required = match tx.ty {
        TxType::Legacy => Revision::Frontier,
        TxType::AccessList => Revision::Berlin,
        TxType::DynamicFee => Revision::London,
        TxType::Blob => Revision::Cancun,
        TxType::SetCode => Revision::Prague,
    };
    if rev < required {
        return Err(TxError::TypeNotSupported(tx.ty as u8));
    }
    let mut blob_base = U256::ZERO;
    let mut blob_gas = 0u64;
    if rev >= Revision::Cancun {
        if let Some(p) = &block.blob_params {
            blob_base = blob_base_fee(block.excess_blob_gas, p);
        }
    }
    match tx.ty {
        TxType::Blob => {
            if tx.to.is_none() {
                return Err(TxError::BlobCreate);
            }
            if tx.blob_hashes.is_empty() {
                return Err(TxError::EmptyBlobs);
            }
            if rev >= Revision::Osaka && tx.blob_hashes.len() > MAX_BLOBS_PER_TX_OSAKA {
                return Err(TxError::TooManyBlobs(tx.blob_hashes.len()));
            }
            if tx.max_fee_per_blob_gas < blob_base {
                return Err(TxError::BlobFeeTooLow);
            }
            if tx.blob_hashes.iter().any(|h| h[0] != 0x01) {
                return Err(TxError::InvalidBlobHashVersion);
            }
            let max = block.blob_params.map(|p| p.max).unwrap_or(0);
            if tx.blob_hashes.len() as u64 > max {
                return Err(TxError::TooManyBlobs(tx.blob_hashes.len()));
            }
            blob_gas = tx.blob_hashes.len() as u64 * GAS_PER_BLOB;
        }
        TxType::SetCode => {
            if tx.to.is_none() {
                return Err(TxError::SetCodeCreate);
            }
            if tx.authorizations.is_empty() {
                return Err(TxError::EmptyAuthorizations);
            }
        }
        _ => {}
    }
    if matches!(tx.ty, TxType::DynamicFee | TxType::Blob | TxType::SetCode)
        && tx.max_priority_fee_per_gas > tx.max_fee_per_gas
    {
        return Err(TxError::TipAboveFeeCap);
    }
    if rev >= Revision::Osaka && tx.gas_limit > U256::from(MAX_TX_GAS_OSAKA) {
        return Err(TxError::GasLimitAboveCap);
    }
    if tx.gas_limit > U256::from(block.gas_limit) {
        return Err(TxError::GasLimitAboveBlock);
    }
    let gas_limit = u64::try_from(tx.gas_limit).map_err(|_| TxError::GasLimitAboveBlock)?;
    let base_fee = if rev >= Revision::London {
        block.base_fee
    } else {
        U256::ZERO
    };
    if tx.max_fee_per_gas < base_fee {
        return Err(TxError::FeeCapBelowBaseFee);
    }
    let sender = pre.get(&tx.sender);
    if let Some(acc) = sender {
        if let Some(code) = &acc.code {
            if !(rev >= Revision::Prague && crate::host::delegate_of(code.code()).is_some()) {
                return Err(TxError::SenderNotEoa);
            }
        }
    }
    let (nonce, balance) = sender.map(|a| (a.nonce, a.balance)).unwrap_or_default();
    if nonce == u64::MAX {
        return Err(TxError::NonceMax);
    }
    if tx.nonce != U256::from(nonce) {
        return Err(TxError::NonceMismatch {
            tx: tx.nonce,
            account: nonce,
        });
    }
    if rev >= Revision::Shanghai && tx.to.is_none() && tx.data.len() > MAX_INITCODE_SIZE {
        return Err(TxError::InitCodeTooLarge(tx.data.len()));
    }
    let max_cost = U256::from(gas_limit)
        .checked_mul(tx.max_fee_per_gas)
        .and_then(|c| c.checked_add(tx.value))
        .and_then(|c| c.checked_add(U256::from(blob_gas).checked_mul(tx.max_fee_per_blob_gas)?));
    match max_cost {
        Some(c) if c <= balance => {}
        _ => return Err(TxError::InsufficientFunds),
    }
    let (intrinsic, floor) = intrinsic_gas(tx, rev);
    if intrinsic.max(floor) > gas_limit {
        return Err(TxError::IntrinsicGasTooLow {
            need: intrinsic.max(floor),
            have: tx.gas_limit,
        });
    }
    let priority_fee = tx
        .max_priority_fee_per_gas
        .min(tx.max_fee_per_gas - base_fee);
    Ok(TxProps {
        gas_limit,
        intrinsic_gas: intrinsic,
        floor_gas: floor,
        effective_gas_price: base_fee + priority_fee,
        priority_fee,
        blob_base_fee: blob_base,
    })
}

/// The signing hash of an EIP-7702 authorization: keccak256(0x05 || rlp([chain_id, address, nonce])).
pub fn authorization_hash(auth: &Authorization) -> B256 {
    use alloy_rlp::{Encodable, Header};
    let payload = auth.chain_id.length() + auth.address.length() + auth.nonce.length();
    let mut out = vec![0x05];
    Header {
        list: true,
        payload_length: payload,
    }
    .encode(&mut out);
    auth.chain_id.encode(&mut out);
    auth.address.encode(&mut out);
    auth.nonce.encode(&mut out);
    keccak256(&out)
}

/// secp256k1n / 2.
const HALF_N: U256 = U256::from_limbs([
    0xdfe92f46681b20a0,
    0x5d576e7357a4501d,
    0xffffffffffffffff,
    0x7fffffffffffffff,
]);
/// secp256k1n.
const SECP256K1_N: U256 = U256::from_limbs([
    0xbfd25e8cd0364141,
    0xbaaedce6af48a03b,
    0xfffffffffffffffe,
    0xffffffffffffffff,
]);

/// Recovers the authority (signer) of an EIP-7702 authorization; None for an invalid signature.
pub fn recover_authority(auth: &Authorization) -> Option<Address> {
    if auth.y_parity > U256::from(1) {
        return None;
    }
    if auth.r.is_zero() || auth.r >= SECP256K1_N || auth.s.is_zero() || auth.s > HALF_N {
        return None;
    }
    let hash = authorization_hash(auth);
    recover_signer(&hash, auth.r, auth.s, auth.y_parity == U256::from(1))
}

/// Recovers the address that signed `hash` with (r, s, y_odd).
pub fn recover_signer(hash: &B256, r: U256, s: U256, y_odd: bool) -> Option<Address> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let sig = Signature::from_scalars(r.to_be_bytes::<32>(), s.to_be_bytes::<32>()).ok()?;
    let rid = RecoveryId::new(y_odd, false);
    let key = VerifyingKey::recover_from_prehash(hash.as_slice(), &sig, rid).ok()?;
    Some(public_key_address(&key))
}

fn public_key_address(key: &k256::ecdsa::VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    let hash = keccak256(&point.as_bytes()[1..]);
    Address::from_slice(&hash[12..])
}

/// The address of a secp256k1 secret key.
pub fn address_of_secret_key(secret: &[u8]) -> Option<Address> {
    let sk = k256::ecdsa::SigningKey::from_slice(secret).ok()?;
    Some(public_key_address(sk.verifying_key()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    #[test]
    fn secret_key_address() {
        let sk = hex::decode("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
            .unwrap();
        assert_eq!(
            address_of_secret_key(&sk),
            Some(address!("a94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
        );
        assert_eq!(address_of_secret_key(&[0u8; 32]), None);
    }

    #[test]
    fn recover_signed_authorization() {
        use k256::ecdsa::SigningKey;
        let sk = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let expected = public_key_address(sk.verifying_key());
        let mut auth = Authorization {
            chain_id: U256::from(1),
            address: Address::with_last_byte(0x42),
            nonce: U256::from(3),
            y_parity: U256::ZERO,
            r: U256::ZERO,
            s: U256::ZERO,
        };
        let hash = authorization_hash(&auth);
        let (sig, rid) = sk.sign_prehash_recoverable(hash.as_slice()).unwrap();
        let sig_n = sig.normalize_s();
        let rid = if sig_n.is_some() {
            RecoveryIdFlip::flip(rid)
        } else {
            rid
        };
        let sig = sig_n.unwrap_or(sig);
        auth.r = U256::from_be_slice(&sig.r().to_bytes());
        auth.s = U256::from_be_slice(&sig.s().to_bytes());
        auth.y_parity = U256::from(rid.is_y_odd() as u8);
        assert_eq!(recover_authority(&auth), Some(expected));
        // High s is rejected.
        let mut high = auth.clone();
        high.s = SECP256K1_N - auth.s;
        assert_eq!(recover_authority(&high), None);
        let mut bad = auth.clone();
        bad.y_parity = U256::from(2);
        assert_eq!(recover_authority(&bad), None);
        assert_eq!(HALF_N, SECP256K1_N >> 1);
    }

    struct RecoveryIdFlip;
    impl RecoveryIdFlip {
        fn flip(r: k256::ecdsa::RecoveryId) -> k256::ecdsa::RecoveryId {
            k256::ecdsa::RecoveryId::new(!r.is_y_odd(), r.is_x_reduced())
        }
    }

    #[test]
    fn blob_fee() {
        let p = BlobParams::for_revision(Revision::Cancun).unwrap();
        assert_eq!(blob_base_fee(0, &p), U256::from(1));
        // Known value: excess 10 * target-per-block gas.
        assert!(blob_base_fee(10_000_000, &p) > U256::from(1));
        assert_eq!(fake_exponential(1, 0, 1), U256::from(1));
        assert_eq!(fake_exponential(2, 0, 1), U256::from(2));
        // e^1 ~ 2.718, with the per-term flooring of the EIP's algorithm: 2716.
        assert_eq!(fake_exponential(1000, 1, 1), U256::from(2716));
    }

    #[test]
    fn intrinsic() {
        let tx = Transaction {
            ty: TxType::Legacy,
            sender: Address::ZERO,
            to: None,
            nonce: U256::ZERO,
            gas_limit: U256::from(100_000),
            max_fee_per_gas: U256::ZERO,
            max_priority_fee_per_gas: U256::ZERO,
            value: U256::ZERO,
            data: Bytes::from_static(&[0, 1, 0, 2]),
            access_list: vec![(Address::ZERO, vec![U256::ZERO, U256::from(1)])],
            max_fee_per_blob_gas: U256::ZERO,
            blob_hashes: vec![],
            authorizations: vec![],
        };
        assert_eq!(
            intrinsic_gas(&tx, Revision::Frontier).0,
            21000 + 8 + 136 + 2400 + 3800
        );
        assert_eq!(
            intrinsic_gas(&tx, Revision::Shanghai).0,
            53000 + 8 + 32 + 2 + 2400 + 3800
        );
        assert_eq!(intrinsic_gas(&tx, Revision::Prague).1, 21000 + 10 * (2 + 8));
    }
}
