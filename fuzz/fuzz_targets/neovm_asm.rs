#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| xvm_fuzz::parsers::neovm_asm(data));
