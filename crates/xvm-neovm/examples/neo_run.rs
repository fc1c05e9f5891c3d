//! Runs one assembly file once, for measuring the engine under callgrind without building the
//! CLI: `neo_run FILE.asm [count|gas]`. `count` counts instructions in `pre_execute` (as
//! `xvm neo bench` does); `gas` charges each opcode's price as `xvm neo run` does.
//!
//! ```sh
//! cargo build --release -p xvm-neovm --example neo_run
//! valgrind --tool=callgrind --toggle-collect='xvm_neovm::engine::ExecutionEngine::execute*' \
//!     target/release/examples/neo_run loop.asm
//! ```

use xvm_neovm::asm::assemble;
use xvm_neovm::engine::{ExecutionEngine, Interop};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::script::{Instruction, Script};
use xvm_neovm::{Limits, OpCode};

struct Host {
    gas: bool,
    count: u64,
    gas_used: u64,
    /// Each opcode's fee (price times the fee factor 30), as `xvm neo run` charges it.
    fees: [u64; 256],
}

impl Interop for Host {
    fn syscall(&mut self, _: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!("no syscall {id}")))
    }
    fn pre_execute(&mut self, _: &ExecutionEngine, ins: &Instruction<'_>) -> Result<(), VmError> {
        if self.gas {
            self.gas_used += self.fees[ins.opcode.0 as usize];
            if self.gas_used > u64::MAX / 2 {
                return Err(fault("Insufficient GAS."));
            }
        } else {
            self.count += 1;
        }
        Ok(())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("read the file");
    let bytes = assemble(&text).expect("assemble");
    let gas = args.get(2).is_some_and(|m| m == "gas");
    let mut host = Host {
        gas,
        count: 0,
        gas_used: 0,
        fees: std::array::from_fn(|op| OpCode(op as u8).price() as u64 * 30),
    };
    let mut engine = ExecutionEngine::new(Limits::default());
    engine.load_script(Script::new(bytes), -1, 0).expect("load");
    let state = engine.execute(&mut host);
    println!(
        "{state} count={} gas={} results={}",
        host.count,
        host.gas_used,
        engine.result_stack().len()
    );
}
