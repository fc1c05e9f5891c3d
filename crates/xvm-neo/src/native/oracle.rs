//! OracleContract (id -9): `request` stores a request with its callback; xvm has no oracle
//! nodes, so responses come from the embedder or `xvm neo oracle respond`, which runs `finish`
//! the way an oracle response transaction does.

use super::{
    arg_i64, arg_string, native_key, Callback, NativeContract, NativeMethod, NativeResult,
};
use crate::binary::{deserialize, serialize};
use crate::host::{Host, Notification};
use crate::state::DataCache;
use crate::types::{call_flags as cf, ParamType as T, UInt160};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::{Int, StackItem};

/// OracleContract's id.
pub const ID: i32 = -9;
const PREFIX_REQUEST: u8 = 7;
const PREFIX_REQUEST_ID: u8 = 9;
/// Price of a request (0.5 GAS), Neo's default.
pub const REQUEST_PRICE: i64 = 50000000;
/// Least GAS for the response (0.1 GAS).
pub const MIN_RESPONSE_GAS: i64 = 10000000;

/// Oracle response codes.
pub const CODES: &[(&str, u8)] = &[
    ("Success", 0x00),
    ("ProtocolNotSupported", 0x10),
    ("ConsensusUnreachable", 0x12),
    ("NotFound", 0x14),
    ("Timeout", 0x16),
    ("Forbidden", 0x18),
    ("ResponseTooLarge", 0x1a),
    ("InsufficientFunds", 0x1c),
    ("ContentTypeNotSupported", 0x1f),
    ("Error", 0xff),
];

/// A stored request.
#[derive(Clone, Debug, PartialEq)]
pub struct OracleRequest {
    /// Id.
    pub id: u64,
    /// Hash of the transaction that made it.
    pub original_tx: [u8; 32],
    /// GAS for the response.
    pub gas_for_response: i64,
    /// URL.
    pub url: String,
    /// Filter (JSONPath) or empty.
    pub filter: String,
    /// Contract to call back.
    pub callback_contract: UInt160,
    /// Method to call back.
    pub callback_method: String,
    /// Serialized user data.
    pub user_data: Vec<u8>,
}

impl OracleRequest {
    fn to_bytes(&self) -> Vec<u8> {
        serialize(&StackItem::array(vec![
            StackItem::bytes(&self.original_tx),
            StackItem::int(self.gas_for_response),
            StackItem::bytes(self.url.as_bytes()),
            StackItem::bytes(self.filter.as_bytes()),
            StackItem::bytes(&self.callback_contract.0),
            StackItem::bytes(self.callback_method.as_bytes()),
            StackItem::bytes(&self.user_data),
        ]))
        .unwrap_or_default()
    }

    fn from_bytes(id: u64, b: &[u8]) -> Result<OracleRequest, String> {
        let StackItem::Array(a) = deserialize(b)? else {
            return Err("corrupt oracle request".into());
        };
        let f = a.items().clone();
        let bytes = |i: usize| f.get(i).and_then(|x| x.to_bytes().ok()).unwrap_or_default();
        let text = |i: usize| String::from_utf8(bytes(i)).unwrap_or_default();
        Ok(OracleRequest {
            id,
            original_tx: bytes(0).try_into().unwrap_or([0; 32]),
            gas_for_response: f
                .get(1)
                .and_then(|x| x.to_int().ok())
                .and_then(Int::to_i64)
                .unwrap_or(0),
            url: text(2),
            filter: text(3),
            callback_contract: UInt160::from_slice(&bytes(4)).unwrap_or_default(),
            callback_method: text(5),
            user_data: bytes(6),
        })
    }
}

/// A stored request by id.
pub fn get_request(cache: &DataCache<'_>, id: u64) -> Result<Option<OracleRequest>, String> {
    match cache.get(&native_key(ID, PREFIX_REQUEST, &id.to_be_bytes()))? {
        Some(b) => OracleRequest::from_bytes(id, &b).map(Some),
        None => Ok(None),
    }
}

/// Every pending request.
pub fn list_requests(cache: &DataCache<'_>) -> Result<Vec<OracleRequest>, String> {
    cache
        .find(&native_key(ID, PREFIX_REQUEST, &[]))?
        .into_iter()
        .map(|(k, v)| {
            let id = u64::from_be_bytes(k[5..13].try_into().map_err(|_| "corrupt key")?);
            OracleRequest::from_bytes(id, &v)
        })
        .collect()
}

fn request(
    host: &mut Host<'_>,
    call: &super::NativeCall,
    a: Vec<StackItem>,
) -> Result<NativeResult, VmError> {
    let url = arg_string(&a, 0)?;
    let filter = match &a[1] {
        StackItem::Null => String::new(),
        _ => arg_string(&a, 1)?,
    };
    let callback = arg_string(&a, 2)?;
    let user_data = serialize(&a[3]).map_err(fault)?;
    let gas_for_response = arg_i64(&a, 4)?;
    if url.len() > 256 || filter.len() > 128 || callback.len() > 32 || callback.starts_with('_') {
        return Err(fault(
            "Oracle request: url, filter or callback too long, or callback starts with '_'",
        ));
    }
    if gas_for_response < MIN_RESPONSE_GAS {
        return Err(fault(
            "Oracle request: gasForResponse must be at least 0.1 GAS",
        ));
    }
    if user_data.len() > 512 {
        return Err(fault("Oracle request: userData too large"));
    }
    host.add_fee(REQUEST_PRICE)?;
    host.add_fee(gas_for_response)?;
    super::token::mint(
        &mut host.cache,
        super::token::GAS_ID,
        &call.native,
        Int::from(gas_for_response),
    )
    .map_err(fault)?;
    if host.get_contract(&call.caller)?.is_none() {
        return Err(fault("Oracle request: only contracts can make requests"));
    }
    let idk = native_key(ID, PREFIX_REQUEST_ID, &[]);
    let id = host
        .cache
        .get(&idk)
        .map_err(fault)?
        .and_then(|b| Some(u64::from_le_bytes(b.try_into().ok()?)))
        .unwrap_or(0);
    host.cache.put(idk, (id + 1).to_le_bytes().to_vec());
    let req = OracleRequest {
        id,
        original_tx: host.container.as_ref().map(|t| t.hash()).unwrap_or([0; 32]),
        gas_for_response,
        url: url.clone(),
        filter: filter.clone(),
        callback_contract: call.caller,
        callback_method: callback,
        user_data,
    };
    host.cache.put(
        native_key(ID, PREFIX_REQUEST, &id.to_be_bytes()),
        req.to_bytes(),
    );
    host.push_notification(Notification {
        contract: call.native,
        event: "OracleRequest".into(),
        state: StackItem::array(vec![
            StackItem::int(id as i64),
            StackItem::bytes(&call.caller.0),
            StackItem::bytes(url.as_bytes()),
            if filter.is_empty() {
                StackItem::Null
            } else {
                StackItem::bytes(filter.as_bytes())
            },
        ]),
    })?;
    NativeResult::void()
}

fn finish(host: &mut Host<'_>, call: &super::NativeCall) -> Result<NativeResult, VmError> {
    let (id, code, result) = host
        .oracle_response
        .clone()
        .ok_or_else(|| fault("Oracle finish: the transaction carries no oracle response"))?;
    let req = get_request(&host.cache, id)
        .map_err(fault)?
        .ok_or_else(|| fault(format!("Oracle finish: request {id} not found")))?;
    host.cache
        .delete(native_key(ID, PREFIX_REQUEST, &id.to_be_bytes()));
    host.push_notification(Notification {
        contract: call.native,
        event: "OracleResponse".into(),
        state: StackItem::array(vec![
            StackItem::int(id as i64),
            StackItem::bytes(&req.original_tx),
        ]),
    })?;
    let user_data = deserialize(&req.user_data).map_err(fault)?;
    Ok(NativeResult {
        value: None,
        callback: Some(Callback {
            contract: req.callback_contract,
            method: req.callback_method.clone(),
            args: vec![
                StackItem::bytes(req.url.as_bytes()),
                user_data,
                StackItem::int(code as i64),
                StackItem::bytes(&result),
            ],
            then_notify: None,
            required: true,
        }),
    })
}

/// The native.
pub fn contract() -> NativeContract {
    let mut n = NativeContract::new(
        "OracleContract",
        ID,
        vec![
            NativeMethod::new(
                "request",
                &[
                    ("url", T::String),
                    ("filter", T::String),
                    ("callback", T::String),
                    ("userData", T::Any),
                    ("gasForResponse", T::Integer),
                ],
                T::Void,
                0,
                cf::STATES | cf::ALLOW_NOTIFY,
                |h, _, c, a| request(h, c, a),
            ),
            NativeMethod::new(
                "finish",
                &[],
                T::Void,
                0,
                cf::STATES | cf::ALLOW_CALL | cf::ALLOW_NOTIFY,
                |h, _, c, _| finish(h, c),
            ),
            NativeMethod::new(
                "getPrice",
                &[],
                T::Integer,
                1 << 15,
                cf::READ_STATES,
                |_, _, _, _| NativeResult::value(StackItem::int(REQUEST_PRICE)),
            ),
        ],
    );
    n.events = vec![
        (
            "OracleRequest".into(),
            vec![
                ("Id".into(), T::Integer),
                ("RequestContract".into(), T::Hash160),
                ("Url".into(), T::String),
                ("Filter".into(), T::String),
            ],
        ),
        (
            "OracleResponse".into(),
            vec![("Id".into(), T::Integer), ("OriginalTx".into(), T::Hash256)],
        ),
    ];
    n
}
