use crate::common::*;
use xvm_evm::*;

/// A contract that calls itself with (almost) all its gas until the depth limit stops it.
fn recurse(rev: Revision, code: &str, gas: i64) -> TestHost {
    let mut host = TestHost::new(rev);
    let (res, _) = run_with(&mut host, code, gas);
    assert_eq!(res.status, StatusCode::Success);
    host
}

#[test]
fn call_depth_1024_frontier() {
    // 5x PUSH1 0, ADDRESS, PUSH1 100, GAS, SUB, CALL, STOP: passes gas-100 to itself.
    let host = recurse(
        Revision::Frontier,
        "60006000600060006000306064 5a03f100"
            .replace(' ', "")
            .as_str(),
        10_000_000,
    );
    assert_eq!(host.max_depth_seen, 1024);
    assert_eq!(host.calls.len(), 1024);
}

#[test]
fn call_depth_1024_osaka() {
    // 5x PUSH1 0, ADDRESS, GAS, CALL, STOP: the 63/64 rule keeps 1/64 per frame.
    let host = recurse(
        Revision::Osaka,
        "600060006000600060003 05af100".replace(' ', "").as_str(),
        1_000_000_000_000,
    );
    assert_eq!(host.max_depth_seen, 1024);
}

#[test]
fn deep_recursion_on_a_small_thread() {
    // The engine grows the native stack itself: even a 256 KiB thread survives 1024 frames.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let host = recurse(
                Revision::Frontier,
                "60006000600060006000306064 5a03f100"
                    .replace(' ', "")
                    .as_str(),
                10_000_000,
            );
            host.max_depth_seen
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), 1024);
}
