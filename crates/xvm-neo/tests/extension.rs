//! The example in examples/neo_extension.rs: a custom syscall and a custom native, registered
//! from Rust, called by a script.

#[allow(dead_code)]
#[path = "../../../examples/neo_extension.rs"]
mod neo_extension;

use xvm_neovm::VmState;

#[test]
fn custom_syscall_and_native() {
    let o = neo_extension::run_example();
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    assert_eq!(o.stack[0].to_int().unwrap().to_i64(), Some(84));
    // Entry: NEWARRAY0 16, PUSH15 1, PUSHDATA1 x2 8+8, SYSCALL Contract.Call 32768,
    // native: PUSH0 1 + answer's 1024, then SYSCALL Example.Double 16, RET 0.
    assert_eq!(
        o.gas_consumed,
        (16 + 1 + 8 + 8 + 32768 + 1 + 1024 + 16) * 30
    );
}

#[test]
fn unregistered_platform_faults_naming_the_call() {
    use std::rc::Rc;
    let base = xvm_neo::state::MemoryStore::default();
    let host = xvm_neo::Host::new(
        &base,
        Rc::new(xvm_neo::Platform::neo()),
        Default::default(),
        xvm_neo::types::Trigger::Application,
        None,
        None,
        1_0000_0000,
    );
    let mut script = vec![0x41];
    script.extend_from_slice(&xvm_neo::types::syscall_hash("Example.Double").to_le_bytes());
    let o = host.run(&script);
    assert_eq!(o.state, VmState::Fault);
    assert!(o.fault.unwrap().contains("Syscall not found"));
}
