//! Instruction-family tests: results and exact gas per revision, through a test host.

mod common;

mod arithmetic;
mod bitwise;
mod block;
mod blocks;
mod control;
mod environment;
mod hostile;
mod limits;
mod logs;
mod memory;
mod stack;
mod storage;
mod system;
