#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| xvm_fuzz::rpc::json_rpc(data));
