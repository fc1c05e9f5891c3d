//! Extending the Neo platform from Rust without editing xvm: a custom syscall
//! (`Example.Double`, price 16, no call flags) and a custom native contract (`ExampleOracle`,
//! id -100, method `answer() -> 42`), then a script that uses both.
//!
//! Run: `cargo run -p xvm-neo --example neo_extension`.

use std::rc::Rc;
use xvm_neo::chain::call_script;
use xvm_neo::host::{Host, Settings};
use xvm_neo::native::{NativeContract, NativeMethod, NativeResult};
use xvm_neo::state::MemoryStore;
use xvm_neo::syscalls::{pop_int, Syscall};
use xvm_neo::types::{call_flags, syscall_hash, ParamType, Trigger};
use xvm_neo::Platform;
use xvm_neovm::error::fault;
use xvm_neovm::{Int, StackItem, VmState};

/// Neo's platform plus the two extensions.
pub fn platform() -> Platform {
    let mut p = Platform::neo();
    p.register_syscall(Syscall::new(
        "Example.Double",
        1 << 4,
        call_flags::NONE,
        |_host, vm| {
            let v = pop_int(vm)?;
            let doubled = v
                .checked_add(v)
                .ok_or_else(|| fault("Example.Double: overflow"))?;
            vm.push(StackItem::Integer(doubled));
            Ok(())
        },
    ));
    let answer = NativeMethod::new(
        "answer",
        &[],
        ParamType::Integer,
        1 << 10,
        call_flags::NONE,
        |_, _, _, _| NativeResult::value(StackItem::int(42i64)),
    );
    p.register_native(NativeContract::new("ExampleOracle", -100, vec![answer]))
        .expect("a fresh id and hash");
    p
}

/// Runs `ExampleOracle.answer()` then `Example.Double` on the result: returns the outcome.
pub fn run_example() -> xvm_neo::Outcome {
    let p = platform();
    let native = p.native_by_name("ExampleOracle").expect("registered").hash;
    let mut script = call_script(&native, "answer", &[]).expect("script");
    script.push(0x41); // SYSCALL Example.Double
    script.extend_from_slice(&syscall_hash("Example.Double").to_le_bytes());
    let base = MemoryStore::default();
    let host = Host::new(
        &base,
        Rc::new(p),
        Settings::default(),
        Trigger::Application,
        None,
        None,
        1_0000_0000,
    );
    host.run(&script)
}

#[allow(dead_code)]
fn main() {
    let o = run_example();
    assert_eq!(o.state, VmState::Halt);
    let v = o.stack[0].to_int().unwrap_or(Int::ZERO);
    println!(
        "state {:?}, result {v}, GAS {} datoshi",
        o.state, o.gas_consumed
    );
}
