#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| xvm_fuzz::neovm::neovm_refcount(data));
