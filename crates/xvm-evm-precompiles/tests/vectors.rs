//! Official precompile test vectors (go-ethereum's `core/vm/testdata/precompiles` format:
//! `Input`, `Expected`, `Gas`, `Name`; failure files have `ExpectedError` instead), run through
//! the public API at the revision whose gas schedule the file was written for.

use serde::Deserialize;
use xvm_evm::{Address, Revision, StatusCode};
use xvm_evm_precompiles::execute;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vector {
    input: String,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    gas: Option<i64>,
    #[serde(default)]
    expected_error: Option<String>,
    name: String,
}

fn addr(n: u16) -> Address {
    let mut b = [0u8; 20];
    b[18..].copy_from_slice(&n.to_be_bytes());
    Address::new(b)
}

fn load(file: &str) -> Vec<Vector> {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs every success vector of `file` at `rev`: exact output, exact gas used, and out of gas
/// with one unit less. Returns how many vectors ran.
fn run_ok(file: &str, precompile: u16, rev: Revision) -> usize {
    let vectors = load(file);
    assert!(!vectors.is_empty(), "{file} has no vectors");
    for v in &vectors {
        let input = hex::decode(&v.input).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let expected = v
            .expected
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no Expected", v.name));
        let gas = v.gas.unwrap_or_else(|| panic!("{}: no Gas", v.name));
        let limit = gas + 1_000_000;
        let r = execute(&addr(precompile), &input, limit, rev);
        assert_eq!(r.status, StatusCode::Success, "{file} {}: status", v.name);
        assert_eq!(
            hex::encode(&r.output),
            expected.to_lowercase(),
            "{file} {}: output",
            v.name
        );
        assert_eq!(limit - r.gas_left, gas, "{file} {}: gas used", v.name);
        assert_eq!(r.gas_refund, 0);
        assert_eq!(r.create_address, None);
        if gas > 0 {
            let r = execute(&addr(precompile), &input, gas - 1, rev);
            assert_eq!(r.status, StatusCode::OutOfGas, "{file} {}: gas - 1", v.name);
            assert_eq!(r.gas_left, 0);
            assert!(r.output.is_empty());
        }
        let r = execute(&addr(precompile), &input, gas, rev);
        assert_eq!(
            r.status,
            StatusCode::Success,
            "{file} {}: exact gas",
            v.name
        );
        assert_eq!(r.gas_left, 0, "{file} {}: exact gas", v.name);
    }
    vectors.len()
}

/// Runs every failure vector of `file` at `rev`: a non-success status, no gas left, no output.
fn run_fail(file: &str, precompile: u16, rev: Revision) -> usize {
    let vectors = load(file);
    assert!(!vectors.is_empty(), "{file} has no vectors");
    for v in &vectors {
        assert!(
            v.expected_error.is_some(),
            "{file} {}: not a failure vector",
            v.name
        );
        let input = hex::decode(&v.input).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let r = execute(&addr(precompile), &input, 100_000_000, rev);
        assert_eq!(r.status, StatusCode::PrecompileFailure, "{file} {}", v.name);
        assert_eq!(r.gas_left, 0, "{file} {}", v.name);
        assert!(r.output.is_empty(), "{file} {}", v.name);
    }
    vectors.len()
}

#[test]
fn ecrecover() {
    for rev in [Revision::Frontier, Revision::Osaka] {
        assert_eq!(run_ok("ecRecover.json", 1, rev), 5);
    }
}

#[test]
fn blake2f() {
    assert_eq!(run_ok("blake2F.json", 9, Revision::Istanbul), 5);
    assert_eq!(run_fail("fail-blake2f.json", 9, Revision::Osaka), 4);
}

#[test]
fn bn254_add() {
    assert!(run_ok("bn256Add.json", 6, Revision::Istanbul) >= 10);
}

#[test]
fn bn254_mul() {
    assert!(run_ok("bn256ScalarMul.json", 7, Revision::Istanbul) >= 10);
}
