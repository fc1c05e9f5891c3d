//! Targets for every parser of outside data: each must answer any input with a value or an
//! error, never a panic; where a parser has a printer, what it accepts must round-trip.

use std::path::Path;

/// Input: state-test JSON, run through the whole state-test runner (parse, build, execute).
pub fn statetest_json(data: &[u8]) {
    let opts = xvm_ethereum::statetest::RunOptions {
        jobs: 1,
        ..Default::default()
    };
    let results = xvm_ethereum::statetest::run_test_bytes(
        Path::new("fuzz.json"),
        data,
        &xvm_evm::Interpreter,
        &opts,
    );
    for r in results {
        if let xvm_ethereum::statetest::Outcome::Failed(why) = &r.outcome {
            assert!(!why.starts_with("panic"), "{why}");
        }
    }
}

/// Input: text for the hex and number parsers (state tests, CLI, NeoVM tools).
pub fn hex(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    use xvm_ethereum::parse::*;
    if let Ok(v) = parse_u256(s) {
        // What parses as a number parses again from its canonical hex.
        assert_eq!(parse_u256(&format!("{v:#x}")).ok(), Some(v));
    }
    if let Ok(v) = parse_u64(s) {
        assert_eq!(parse_u64(&format!("{v:#x}")).ok(), Some(v));
    }
    if let Ok(b) = parse_bytes(s) {
        assert_eq!(
            parse_bytes(&format!("0x{}", alloy_primitives::hex::encode(&b))).ok(),
            Some(b)
        );
    }
    let _ = parse_address(s);
    let _ = parse_b256(s);
    if let Some(b) = xvm_neovm::asm::parse_hex(s) {
        assert_eq!(
            xvm_neovm::asm::parse_hex(&xvm_neovm::asm::to_hex(&b)),
            Some(b)
        );
    }
}

/// Input: NeoVM assembly text, and (as bytes) a script to disassemble. The disassembly of any
/// bytes assembles back to them; what assembles disassembles.
pub fn neovm_asm(data: &[u8]) {
    // The documented round trip: assemble(disassemble(x)) == x for every byte string.
    let text = xvm_neovm::asm::disassemble(data);
    assert_eq!(
        xvm_neovm::asm::assemble(&text).as_deref(),
        Ok(data),
        "disassembly does not assemble back:\n{text}"
    );
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(script) = xvm_neovm::asm::assemble(text) {
        let _ = xvm_neovm::asm::disassemble(&script);
    }
}

/// Input: a NEF file. What parses serialises back to the same bytes.
pub fn nef(data: &[u8]) {
    if let Ok(n) = xvm_neo::nef::Nef::parse(data) {
        assert_eq!(n.to_bytes(), data, "NEF does not round-trip");
    }
}

/// Input: a contract manifest (JSON text).
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(m) = xvm_neo::manifest::Manifest::parse(text) {
        let _ = m.to_stack_item();
    }
}

/// Input: `type\nvalue` (an ABI type and a CLI argument), or a JSON ABI.
pub fn abi_args(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some((ty, value)) = text.split_once('\n') {
        if let Ok(ty) = alloy_dyn_abi::DynSolType::parse(ty.trim()) {
            if let Ok(v) = xvm_chain::abi::parse_value(&ty, value) {
                let _ = xvm_chain::abi::format_value(&v);
                let _ = v.abi_encode();
            }
        }
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        if let Ok(abi) = xvm_chain::abi::parse_abi(&v) {
            for f in abi.functions() {
                let _ = xvm_chain::abi::decode_output(f, text.as_bytes());
            }
            let _ = xvm_chain::abi::decode_revert(Some(&abi), text.as_bytes());
        }
    }
    let _ = xvm_chain::abi::decode_revert(None, data);
}

/// Input: a raw signed transaction (`eth_sendRawTransaction`'s payload), decoded and converted
/// to xvm's transaction.
pub fn raw_tx(data: &[u8]) {
    if let Ok(env) = xvm_chain::decode_raw(data) {
        let _ = xvm_chain::envelope_to_transaction(&env);
    }
}
