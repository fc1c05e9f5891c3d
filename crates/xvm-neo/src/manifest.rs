//! Contract manifests (Neo's `ContractManifest`): JSON parsing, validation, and the stack-item
//! shape `getContract` returns.

use crate::crypto::{is_valid_r1_point, sha256, verify_prehash, Curve};
use crate::types::{ParamType, UInt160};
use serde_json::Value;
use std::collections::HashSet;
use xvm_neovm::StackItem;

/// Largest manifest Neo accepts.
pub const MAX_MANIFEST: usize = 65535;

/// A parameter of a method or event.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ParamType,
}

/// An ABI method.
#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    /// Name.
    pub name: String,
    /// Parameters in order.
    pub parameters: Vec<Param>,
    /// Return type.
    pub return_type: ParamType,
    /// Script offset of the entry point.
    pub offset: usize,
    /// Whether the method is read-only.
    pub safe: bool,
}

/// An ABI event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Name.
    pub name: String,
    /// Parameters in order.
    pub parameters: Vec<Param>,
}

/// Which contracts a permission covers.
#[derive(Clone, Debug, PartialEq)]
pub enum PermissionContract {
    /// `"*"`.
    Wildcard,
    /// One contract.
    Hash(UInt160),
    /// Contracts of a group (compressed public key).
    Group(Vec<u8>),
}

/// A permission entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Permission {
    /// Contracts covered.
    pub contract: PermissionContract,
    /// Methods covered (`None` = `"*"`).
    pub methods: Option<Vec<String>>,
}

/// A group: a key and its signature over the contract hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Compressed secp256r1 key.
    pub pubkey: Vec<u8>,
    /// 64-byte signature.
    pub signature: Vec<u8>,
}

/// A parsed manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Contract name.
    pub name: String,
    /// Groups.
    pub groups: Vec<Group>,
    /// Supported standards (e.g. NEP-17).
    pub supported_standards: Vec<String>,
    /// ABI methods.
    pub methods: Vec<Method>,
    /// ABI events.
    pub events: Vec<Event>,
    /// Permissions.
    pub permissions: Vec<Permission>,
    /// Trusted contracts (`None` = `"*"`).
    pub trusts: Option<Vec<String>>,
    /// The `extra` field as JSON text (`"null"` when absent).
    pub extra: String,
    /// The JSON text as given.
    pub json: String,
}

fn err<T>(m: impl Into<String>) -> Result<T, String> {
    Err(format!("invalid manifest: {}", m.into()))
}

fn str_field<'a>(v: &'a Value, k: &str) -> Result<&'a str, String> {
    match v.get(k) {
        Some(Value::String(s)) => Ok(s),
        _ => err(format!("`{k}` must be a string")),
    }
}

fn arr_field<'a>(v: &'a Value, k: &str, required: bool) -> Result<&'a [Value], String> {
    match v.get(k) {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) if !required => Ok(&[]),
        _ => err(format!("`{k}` must be an array")),
    }
}

fn parse_params(v: &Value, what: &str) -> Result<Vec<Param>, String> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for p in arr_field(v, "parameters", true)? {
        let name = str_field(p, "name")?;
        if name.is_empty() {
            return err(format!("{what}: a parameter has an empty name"));
        }
        if !names.insert(name.to_string()) {
            return err(format!("{what}: duplicate parameter {name:?}"));
        }
        let t = str_field(p, "type")?;
        let ty = ParamType::from_name(t)
            .filter(|t| *t != ParamType::Void)
            .ok_or_else(|| format!("invalid manifest: {what}: unknown parameter type {t:?}"))?;
        out.push(Param {
            name: name.into(),
            ty,
        });
    }
    Ok(out)
}

impl Manifest {
    /// Parses and validates manifest JSON as Neo does on deploy (except group signatures and
    /// method offsets, which need the contract hash and script: see [`Manifest::check_groups`]
    /// and [`crate::contract::check_offsets`]).
    pub fn parse(text: &str) -> Result<Manifest, String> {
        if text.len() > MAX_MANIFEST {
            return err("larger than 65535 bytes");
        }
        let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid manifest: {e}"))?;
        if !v.is_object() {
            return err("not a JSON object");
        }
        let name = str_field(&v, "name")?.to_string();
        if name.is_empty() {
            return err("empty name");
        }
        match v.get("features") {
            Some(Value::Object(o)) if o.is_empty() => {}
            _ => return err("`features` must be {}"),
        }
        let mut groups = Vec::new();
        let mut keys = HashSet::new();
        for g in arr_field(&v, "groups", false)? {
            let pk = hex::decode(str_field(g, "pubkey")?)
                .ok()
                .filter(|k| is_valid_r1_point(k))
                .ok_or_else(|| {
                    "invalid manifest: group pubkey is not a secp256r1 key".to_string()
                })?;
            if !keys.insert(pk.clone()) {
                return err("duplicate group key");
            }
            use base64::Engine;
            let sig = base64::engine::general_purpose::STANDARD
                .decode(str_field(g, "signature")?)
                .ok()
                .filter(|s| s.len() == 64)
                .ok_or_else(|| "invalid manifest: group signature is not 64 bytes".to_string())?;
            groups.push(Group {
                pubkey: pk,
                signature: sig,
            });
        }
        let mut supported_standards = Vec::new();
        for s in arr_field(&v, "supportedstandards", false)? {
            match s {
                Value::String(s) if !s.is_empty() && !supported_standards.contains(s) => {
                    supported_standards.push(s.clone())
                }
                _ => return err("supportedstandards must be unique non-empty strings"),
            }
        }
        let abi = v.get("abi").ok_or("invalid manifest: missing `abi`")?;
        let mut methods = Vec::new();
        let mut seen = HashSet::new();
        for m in arr_field(abi, "methods", true)? {
            let mname = str_field(m, "name")?.to_string();
            if mname.is_empty() {
                return err("a method has an empty name");
            }
            let parameters = parse_params(m, &mname)?;
            let rt = str_field(m, "returntype")?;
            let return_type = ParamType::from_name(rt)
                .ok_or_else(|| format!("invalid manifest: {mname}: unknown return type {rt:?}"))?;
            let offset = match m.get("offset").and_then(Value::as_i64) {
                Some(o) if o >= 0 => o as usize,
                _ => return err(format!("{mname}: offset must be a non-negative integer")),
            };
            let safe = m
                .get("safe")
                .and_then(Value::as_bool)
                .ok_or_else(|| format!("invalid manifest: {mname}: `safe` must be a boolean"))?;
            if !seen.insert((mname.clone(), parameters.len())) {
                return err(format!(
                    "duplicate method {mname} with {} parameters",
                    parameters.len()
                ));
            }
            methods.push(Method {
                name: mname,
                parameters,
                return_type,
                offset,
                safe,
            });
        }
        if methods.is_empty() {
            return err("abi.methods is empty");
        }
        let mut events = Vec::new();
        let mut enames = HashSet::new();
        for e in arr_field(abi, "events", false)? {
            let ename = str_field(e, "name")?.to_string();
            if ename.is_empty() || !enames.insert(ename.clone()) {
                return err(format!("empty or duplicate event name {ename:?}"));
            }
            let parameters = parse_params(e, &ename)?;
            events.push(Event {
                name: ename,
                parameters,
            });
        }
        let mut permissions: Vec<Permission> = Vec::new();
        for p in arr_field(&v, "permissions", false)? {
            let c = str_field(p, "contract")?;
            let contract = if c == "*" {
                PermissionContract::Wildcard
            } else if c.len() == 42 {
                PermissionContract::Hash(
                    UInt160::parse_hex(c).ok_or_else(|| {
                        format!("invalid manifest: bad permission contract {c:?}")
                    })?,
                )
            } else if c.len() == 66 {
                PermissionContract::Group(
                    hex::decode(c)
                        .ok()
                        .filter(|k| is_valid_r1_point(k))
                        .ok_or_else(|| format!("invalid manifest: bad permission group {c:?}"))?,
                )
            } else {
                return err(format!("bad permission contract {c:?}"));
            };
            if permissions.iter().any(|q| q.contract == contract) {
                return err(format!("duplicate permission for {c}"));
            }
            let methods = match p.get("methods") {
                Some(Value::String(s)) if s == "*" => None,
                Some(Value::Array(a)) => {
                    let mut ms: Vec<String> = Vec::new();
                    for m in a {
                        match m {
                            Value::String(s) if !s.is_empty() && !ms.contains(s) => {
                                ms.push(s.clone())
                            }
                            _ => return err("permission methods must be unique names"),
                        }
                    }
                    Some(ms)
                }
                _ => return err("permission methods must be \"*\" or a list"),
            };
            permissions.push(Permission { contract, methods });
        }
        let trusts = match v.get("trusts") {
            Some(Value::String(s)) if s == "*" => None,
            Some(Value::Array(a)) => {
                let mut t: Vec<String> = Vec::new();
                for x in a {
                    match x {
                        Value::String(s) if !t.contains(s) => t.push(s.clone()),
                        _ => return err("trusts must be unique strings"),
                    }
                }
                Some(t)
            }
            _ => return err("`trusts` is required (\"*\" or a list)"),
        };
        let extra = match v.get("extra") {
            None | Some(Value::Null) => "null".to_string(),
            Some(o @ Value::Object(_)) => o.to_string(),
            _ => return err("`extra` must be an object or null"),
        };
        Ok(Manifest {
            name,
            groups,
            supported_standards,
            methods,
            events,
            permissions,
            trusts,
            extra,
            json: text.to_string(),
        })
    }

    /// Checks every group signature over the contract hash (secp256r1, SHA-256 of the 20 LE bytes).
    pub fn check_groups(&self, hash: &UInt160) -> Result<(), String> {
        let digest = sha256(&hash.0);
        for g in &self.groups {
            if verify_prehash(Curve::Secp256r1, &digest, &g.pubkey, &g.signature) != Ok(true) {
                return err(format!(
                    "group {} signature does not verify",
                    hex::encode(&g.pubkey)
                ));
            }
        }
        Ok(())
    }

    /// The method `name` taking `pcount` parameters (`None`: any count, first match).
    pub fn method(&self, name: &str, pcount: Option<usize>) -> Option<&Method> {
        self.methods
            .iter()
            .find(|m| m.name == name && pcount.is_none_or(|n| m.parameters.len() == n))
    }

    /// The event `name`.
    pub fn event(&self, name: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.name == name)
    }

    /// Whether this manifest lets its contract call `method` of `target` (with `target`'s manifest).
    pub fn can_call(&self, target: &UInt160, target_manifest: &Manifest, method: &str) -> bool {
        self.permissions.iter().any(|p| {
            let contract_ok = match &p.contract {
                PermissionContract::Wildcard => true,
                PermissionContract::Hash(h) => h == target,
                PermissionContract::Group(k) => {
                    target_manifest.groups.iter().any(|g| &g.pubkey == k)
                }
            };
            contract_ok
                && p.methods
                    .as_ref()
                    .is_none_or(|ms| ms.iter().any(|m| m == method))
        })
    }

    /// The manifest as Neo's stack item: Struct[name, groups, features, standards, abi,
    /// permissions, trusts, extra].
    pub fn to_stack_item(&self) -> StackItem {
        let s = |x: &str| StackItem::bytes(x.as_bytes());
        let params = |ps: &[Param]| {
            StackItem::array(
                ps.iter()
                    .map(|p| {
                        StackItem::new_struct(vec![s(&p.name), StackItem::int(p.ty as u8 as i64)])
                    })
                    .collect(),
            )
        };
        let groups = StackItem::array(
            self.groups
                .iter()
                .map(|g| {
                    StackItem::new_struct(vec![
                        StackItem::bytes(&g.pubkey),
                        StackItem::bytes(&g.signature),
                    ])
                })
                .collect(),
        );
        let methods = StackItem::array(
            self.methods
                .iter()
                .map(|m| {
                    StackItem::new_struct(vec![
                        s(&m.name),
                        params(&m.parameters),
                        StackItem::int(m.return_type as u8 as i64),
                        StackItem::int(m.offset as i64),
                        StackItem::Boolean(m.safe),
                    ])
                })
                .collect(),
        );
        let events = StackItem::array(
            self.events
                .iter()
                .map(|e| StackItem::new_struct(vec![s(&e.name), params(&e.parameters)]))
                .collect(),
        );
        let perms = StackItem::array(
            self.permissions
                .iter()
                .map(|p| {
                    let c = match &p.contract {
                        PermissionContract::Wildcard => StackItem::Null,
                        PermissionContract::Hash(h) => StackItem::bytes(&h.0),
                        PermissionContract::Group(k) => StackItem::bytes(k),
                    };
                    let m = match &p.methods {
                        None => StackItem::Null,
                        Some(ms) => StackItem::array(ms.iter().map(|x| s(x)).collect()),
                    };
                    StackItem::new_struct(vec![c, m])
                })
                .collect(),
        );
        let trusts = match &self.trusts {
            None => StackItem::Null,
            Some(t) => StackItem::array(t.iter().map(|x| s(x)).collect()),
        };
        StackItem::new_struct(vec![
            s(&self.name),
            groups,
            crate::binary::make_map(vec![]),
            StackItem::array(self.supported_standards.iter().map(|x| s(x)).collect()),
            StackItem::new_struct(vec![methods, events]),
            perms,
            trusts,
            s(&self.extra),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"name":"c","groups":[],"abi":{"methods":[{"name":"m","offset":0,"parameters":[{"name":"a","type":"Integer"}],"safe":false,"returntype":"Integer"}],"events":[{"name":"E","parameters":[]}]},"permissions":[{"contract":"*","methods":"*"}],"trusts":[],"features":{},"supportedstandards":[],"extra":null}"#;

    #[test]
    fn parses_and_rejects() {
        let m = Manifest::parse(OK).unwrap();
        assert_eq!(m.name, "c");
        assert_eq!(
            m.method("m", Some(1)).unwrap().return_type,
            ParamType::Integer
        );
        assert!(m.method("m", Some(0)).is_none());
        for (from, to) in [
            ("\"features\":{}", "\"features\":{\"x\":1}"),
            ("\"trusts\":[],", ""),
            ("\"name\":\"c\"", "\"name\":\"\""),
            ("\"type\":\"Integer\"", "\"type\":\"Int\""),
            ("\"offset\":0", "\"offset\":-1"),
            ("\"events\":[{\"name\":\"E\",\"parameters\":[]}]", "\"events\":[{\"name\":\"E\",\"parameters\":[]},{\"name\":\"E\",\"parameters\":[]}]"),
        ] {
            let t = OK.replace(from, to);
            assert!(Manifest::parse(&t).is_err(), "{to}");
        }
        assert!(Manifest::parse("[").is_err());
    }
}
