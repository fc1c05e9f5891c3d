use crate::common::*;
use xvm_evm::*;

/// SSTORE of `value` to slot 0 whose original (= current) value is `original`, optionally after
/// a first write; returns (gas used, refund).
fn sstore(rev: Revision, original: u64, first: Option<u64>, value: u64) -> (i64, i64) {
    let mut host = TestHost::new(rev);
    host.set_original(CONTRACT, 0, original);
    let mut code = String::new();
    if let Some(f) = first {
        code += &format!("60{f:02x}600055");
    }
    code += &format!("60{value:02x}600055");
    let (res, gas) = run_with(&mut host, &code, 100_000);
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(host.storage(CONTRACT, 0), U256::from(value));
    (gas, res.gas_refund)
}

#[test]
fn sstore_legacy() {
    assert_eq!(sstore(Revision::Frontier, 0, None, 1), (20006, 0));
    assert_eq!(sstore(Revision::Frontier, 1, None, 0), (5006, 15000));
    assert_eq!(sstore(Revision::Petersburg, 1, None, 2), (5006, 0));
}

#[test]
fn sstore_net_metering() {
    // Constantinople (EIP-1283): 0 -> 1 -> 0: 20000 + 200, refund 19800
    assert_eq!(
        sstore(Revision::Constantinople, 0, Some(1), 0),
        (20212, 19800)
    );
    // Istanbul (EIP-2200): same pattern with 800
    assert_eq!(sstore(Revision::Istanbul, 0, Some(1), 0), (20812, 19200));
    // Berlin: cold slot 2100 once; 0 -> 1 -> 0: 22100 + 100, refund 19900
    assert_eq!(sstore(Revision::Berlin, 0, Some(1), 0), (22212, 19900));
    // London: 1 -> 0: 2100 + 2900, refund 4800
    assert_eq!(sstore(Revision::London, 1, None, 0), (5006, 4800));
    // No-op write in London (warm after first): 1 -> 1: cold 2100 + 100
    assert_eq!(sstore(Revision::London, 1, None, 1), (2206, 0));
}

#[test]
fn sstore_stipend_rule() {
    // Istanbul on: SSTORE with <= 2300 gas left fails.
    let mut host = TestHost::new(Revision::Istanbul);
    let (res, _) = run_with(&mut host, "6001600055", 2306);
    assert_eq!(res.status, StatusCode::OutOfGas);
    let mut host = TestHost::new(Revision::Petersburg);
    let (res, _) = run_with(&mut host, "6001600155", 20006);
    assert_eq!(res.status, StatusCode::Success);
}

#[test]
fn sload_costs() {
    for (rev, cost) in [
        (Revision::Frontier, 50),
        (Revision::TangerineWhistle, 200),
        (Revision::Istanbul, 800),
    ] {
        assert_eq!(run(rev, "60005400").1, 3 + cost);
    }
    // Berlin: cold 2100 then warm 100.
    assert_eq!(
        run(
            Revision::Berlin,
            "600054506000 5400".replace(' ', "").as_str()
        )
        .1,
        3 + 2100 + 2 + 3 + 100
    );
}

#[test]
fn transient_storage() {
    let r = Revision::Cancun;
    assert_eq!(
        eval(r, "602a60015d 60015c".replace(' ', "").as_str()),
        U256::from(42)
    );
    let (_, gas) = run(r, "602a60015d00");
    assert_eq!(gas, 3 + 3 + 100);
    assert_eq!(
        run(Revision::Shanghai, "60015c").0.status,
        StatusCode::UndefinedInstruction
    );
}

#[test]
fn static_mode_forbids_writes() {
    for code in ["6001600055", "600160005d", "60006000a0", "60ff"] {
        let code = if code == "60ff" {
            "73aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaff".to_string()
        } else {
            code.to_string()
        };
        let mut host = TestHost::new(Revision::Cancun);
        let code_bytes = hex::decode(&code).unwrap();
        let msg = Message {
            gas: 100_000,
            is_static: true,
            recipient: CONTRACT,
            sender: SENDER,
            code_address: CONTRACT,
            ..Message::default()
        };
        let res = execute(&mut host, Revision::Cancun, &msg, &code_bytes);
        assert_eq!(res.status, StatusCode::StaticModeViolation, "{code}");
        assert_eq!(res.gas_left, 0);
    }
}
