use crate::common::*;
use xvm_evm::*;

#[test]
fn log_topics_data_and_gas() {
    let mut host = TestHost::new(Revision::Osaka);
    // mstore 0xabcd at 0; LOG2(offset 30, size 2, topics 1, 2)
    let (res, gas) = run_with(
        &mut host,
        "61abcd600052 6002 6001 6002 601e a2"
            .replace(' ', "")
            .as_str(),
        100_000,
    );
    assert_eq!(res.status, StatusCode::Success);
    assert_eq!(host.logs.len(), 1);
    let (addr, topics, data) = &host.logs[0];
    assert_eq!(*addr, CONTRACT);
    assert_eq!(
        topics,
        &vec![B256::with_last_byte(1), B256::with_last_byte(2)]
    );
    assert_eq!(data.as_ref(), &[0xab, 0xcd]);
    assert_eq!(gas, 3 + 3 + 6 + 12 + 375 * 3 + 8 * 2);
}
