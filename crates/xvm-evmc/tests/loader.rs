//! The host direction: xvm's EVMC loader and the host bridge, against fake EVMC VMs (compiled
//! from `examples/fake_evmc_vm.rs`) and against `libxvm.so` itself.

mod common;

use common::*;
use xvm::{create_function_name, LoadError, LoadedVm};
use xvm_evm::{Address, AnalyzedCode, Bytes, CallKind, Message, Revision, StatusCode, B256, U256};

#[test]
fn create_function_names_follow_evmc_loader() {
    assert_eq!(create_function_name("libxvm.so"), "evmc_create_xvm");
    assert_eq!(
        create_function_name("/opt/vms/libxvm.so"),
        "evmc_create_xvm"
    );
    assert_eq!(
        create_function_name("./libmy-vm.so.1.2"),
        "evmc_create_my_vm"
    );
    assert_eq!(create_function_name("evmone.dll"), "evmc_create_evmone");
    assert_eq!(create_function_name("/a.b/libx-y-z"), "evmc_create_x_y_z");
    assert_eq!(create_function_name("liblib.so"), "evmc_create_lib");
}

#[test]
fn loads_libxvm_and_reports_itself() {
    let vm = load_xvm();
    assert_eq!(vm.name(), "xvm");
    assert_eq!(vm.version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(vm.capabilities(), 1, "EVM1 only");
    // SAFETY: reading the ABI version of the live VM.
    assert_eq!(unsafe { (*vm.as_ptr()).abi_version }, 12);
}

#[test]
fn falls_back_to_evmc_create() {
    // No `evmc_create_other` in libxvm: the loader must use `evmc_create`.
    let copy = copy_as(&libxvm_path(), "libother-name.so");
    let vm = LoadedVm::load(&copy).expect("fallback to evmc_create");
    assert_eq!(vm.name(), "xvm");
}

#[test]
fn rejects_wrong_abi_missing_symbol_null_vm_and_bad_paths() {
    let _g = serial();
    let fake = fake_vm_lib();
    let wrong = copy_as(&fake, "libwrong-abi.so");
    // Keep the library mapped across the failed load, so that its counters survive.
    // SAFETY: loading the test's own fake VM library.
    let _keep = unsafe { libloading::Library::new(&wrong) }.expect("open fake vm");
    let destroys = read_counter::<u64>(&wrong, "fake_vm_destroys");
    let err = LoadedVm::load(&wrong).unwrap_err();
    assert!(
        matches!(err, LoadError::AbiVersionMismatch { found: 11, .. }),
        "{err}"
    );
    assert_eq!(err.code(), 5);
    assert!(err
        .to_string()
        .contains("mismatches the expected version 12"));
    // The incompatible instance was destroyed, not leaked.
    assert_eq!(
        read_counter::<u64>(&wrong, "fake_vm_destroys"),
        destroys + 1
    );

    let missing = copy_as(&fake, "libmissing.so");
    let err = LoadedVm::load(&missing).unwrap_err();
    match &err {
        LoadError::SymbolNotFound { symbol, .. } => assert_eq!(symbol, "evmc_create_missing"),
        other => panic!("expected SymbolNotFound, got {other}"),
    }
    assert_eq!(err.code(), 2);

    let null = copy_as(&fake, "libnull-vm.so");
    let err = LoadedVm::load(&null).unwrap_err();
    assert!(matches!(err, LoadError::VmCreationFailure { .. }), "{err}");
    assert_eq!(err.code(), 4);

    let err = LoadedVm::load(scratch_dir().join("libnot-there.so")).unwrap_err();
    assert!(matches!(err, LoadError::CannotOpen { .. }), "{err}");
    assert_eq!(err.code(), 1);

    let err = LoadedVm::load("").unwrap_err();
    assert!(matches!(err, LoadError::InvalidArgument(_)), "{err}");
    let err = LoadedVm::load("x".repeat(5000)).unwrap_err();
    assert!(matches!(err, LoadError::InvalidArgument(_)), "{err}");
}

#[test]
fn configuration_strings_set_options() {
    let _g = serial();
    let counting = copy_as(&fake_vm_lib(), "libcounting.so");
    let cfg = format!("{},answer=42", counting.display());
    let vm = LoadedVm::load_and_configure(&cfg).expect("configure");
    assert_eq!(vm.name(), "counting");
    assert_eq!(vm.version(), "1.2.3");
    assert_eq!(read_counter::<u64>(&counting, "fake_vm_answer"), 42);

    let err =
        LoadedVm::load_and_configure(&format!("{},answer=x", counting.display())).unwrap_err();
    assert!(matches!(err, LoadError::InvalidOptionValue { .. }), "{err}");
    assert_eq!(err.code(), 7);
    let err =
        LoadedVm::load_and_configure(&format!("{},question=1", counting.display())).unwrap_err();
    assert!(matches!(err, LoadError::InvalidOptionName { .. }), "{err}");
    assert_eq!(err.code(), 6);
    // An option without '=' gets an empty value (refused by this VM).
    let err = LoadedVm::load_and_configure(&format!("{},answer", counting.display())).unwrap_err();
    assert!(matches!(err, LoadError::InvalidOptionValue { .. }), "{err}");

    // libxvm's own option.
    let xvm = libxvm_path();
    for ok in ["trace=1", "trace=0"] {
        LoadedVm::load_and_configure(&format!("{},{ok}", xvm.display())).expect(ok);
    }
    let err = LoadedVm::load_and_configure(&format!("{},trace=maybe", xvm.display())).unwrap_err();
    assert!(matches!(err, LoadError::InvalidOptionValue { .. }), "{err}");
    let err = LoadedVm::load_and_configure(&format!("{},nope=1", xvm.display())).unwrap_err();
    assert!(matches!(err, LoadError::InvalidOptionName { .. }), "{err}");
    let mut vm = LoadedVm::load(&xvm).unwrap();
    assert!(vm.set_option("trace", "0").is_ok());
    assert!(vm.set_option("trace", "2").is_err());
    assert!(vm.set_option("bad\0name", "1").is_err());
}

fn word(out: &[u8], i: usize) -> &[u8] {
    &out[i * 32..(i + 1) * 32]
}

fn word_u64(out: &[u8], i: usize) -> u64 {
    u64::from_be_bytes(word(out, i)[24..].try_into().unwrap())
}

/// The counting fake VM calls every callback once per frame and makes one nested call from depth
/// 0, which the test host runs through the same `LoadedVm` (re-entering it).
#[test]
fn every_callback_reaches_the_rust_host_and_nested_calls_reenter() {
    let _g = serial();
    let counting = copy_as(&fake_vm_lib(), "libcounting.so");
    let vm = LoadedVm::load(&counting).expect("load counting vm");
    let me = Address::repeat_byte(0xaa);
    let sender = Address::repeat_byte(0x5e);
    let code_addr = Address::repeat_byte(0xc0);
    let mut host = TestHost::new(Some(&vm), Revision::Cancun);
    host.storage.insert((me, U256::from(1)), U256::from(0x41));
    host.balances.insert(sender, U256::from(0x1234));
    host.balances.insert(me, U256::from(1));
    host.codes
        .insert(code_addr, Bytes::from_static(&[9, 8, 7, 6, 5, 4]));

    let results_before = read_counter::<u64>(&counting, "fake_vm_results");
    let releases_before = read_counter::<u64>(&counting, "fake_vm_releases");
    let bridge_before = xvm::convert::outstanding_results();

    let msg = Message {
        kind: CallKind::Call,
        is_static: false,
        delegated: true,
        depth: 0,
        gas: 100_000,
        recipient: me,
        sender,
        input: Bytes::from_static(b"hello"),
        value: U256::from(5),
        salt: B256::repeat_byte(0x5a),
        code_address: code_addr,
    };
    let code = AnalyzedCode::new(&[0x60, 0x00]);
    let r = xvm_evm::Vm::execute(&vm, &mut host, Revision::Cancun, &msg, &code);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(r.gas_left, 99_999);
    assert_eq!(r.gas_refund, 7);
    let out = &r.output[..];

    // Callback answers, in the fake VM's order.
    assert_eq!(word_u64(out, 0), 1, "account_exists(me)");
    assert_eq!(word_u64(out, 1), 0x41, "get_storage");
    assert_eq!(word_u64(out, 2), 3, "set_storage 0x41 -> 0x42 is MODIFIED");
    assert_eq!(word_u64(out, 3), 0x1234, "get_balance(sender)");
    assert_eq!(word_u64(out, 4), 6, "get_code_size");
    assert_eq!(
        word(out, 5),
        TestHost::<LoadedVm>::code_hash_of(&code_addr).as_slice()
    );
    assert_eq!(
        word_u64(out, 6),
        4,
        "copy_code copied 4 bytes from offset 1"
    );
    assert_eq!(&word(out, 7)[..5], &[8, 7, 6, 5, 0]);
    assert_eq!(word_u64(out, 8), 1, "first selfdestruct");
    assert_eq!(word_u64(out, 9), 1000, "tx context block number");
    assert_eq!(word_u64(out, 10), 2, "blob hashes");
    assert_eq!(word(out, 11), B256::repeat_byte(1).as_slice());
    assert_eq!(
        word(out, 12),
        TestHost::<LoadedVm>::block_hash_of(999).as_slice()
    );
    assert_eq!(word_u64(out, 13), 0, "sender cold");
    assert_eq!(word_u64(out, 14), 0, "slot cold");
    assert_eq!(word_u64(out, 15), 0x42, "transient storage");
    // The message as the C VM saw it.
    assert_eq!(word_u64(out, 16), 0, "kind CALL");
    assert_eq!(word_u64(out, 17), 2, "flags DELEGATED");
    assert_eq!(word_u64(out, 18), 0, "depth");
    assert_eq!(word_u64(out, 19), 100_000, "gas");
    assert_eq!(&word(out, 20)[12..], me.as_slice());
    assert_eq!(&word(out, 21)[12..], sender.as_slice());
    assert_eq!(word_u64(out, 22), 5, "value");
    assert_eq!(word(out, 23), B256::repeat_byte(0x5a).as_slice());
    assert_eq!(&word(out, 24)[12..], code_addr.as_slice());
    assert_eq!(word_u64(out, 25), 2, "code size");
    assert_eq!(word_u64(out, 26), Revision::Cancun as u64);
    // The nested call, run by the host through the same VM.
    assert_eq!(word_u64(out, 27), 0, "nested status success");
    assert_eq!(word_u64(out, 28), 49_999, "nested gas left");
    let nested_len = word_u64(out, 29) as usize;
    assert_eq!(out.len(), 30 * 32 + nested_len);
    let nested = &out[30 * 32..];
    assert_eq!(word_u64(nested, 16), 1, "nested kind DELEGATECALL");
    assert_eq!(word_u64(nested, 17), 1, "nested flags STATIC");
    assert_eq!(word_u64(nested, 18), 1, "nested depth");
    assert_eq!(word_u64(nested, 19), 50_000, "nested gas");
    assert_eq!(word_u64(nested, 25), 6, "nested code is the callee's");
    assert_eq!(
        word_u64(nested, 1),
        0x42,
        "nested frame sees the outer write"
    );
    assert_eq!(word_u64(nested, 2), 0, "0x41 -> 0x42 -> 0x43 is ASSIGNED");
    assert_eq!(
        word_u64(nested, 8),
        0,
        "second selfdestruct of the same account"
    );
    assert_eq!(word_u64(nested, 13), 1, "sender warm in the nested frame");

    // Each callback was called once per frame (two frames).
    for name in ALL_CALLBACKS {
        let expected = if name == "call" { 1 } else { 2 };
        assert_eq!(host.count(name), expected, "{name}");
    }
    assert_eq!(host.logs.len(), 2);
    assert_eq!(host.logs[0].0, me);
    assert_eq!(
        host.logs[0].1,
        vec![B256::from(U256::from(1)), B256::from(U256::from(2))]
    );
    assert_eq!(&host.logs[0].2[..], b"hello");
    assert_eq!(&host.logs[1].2[..], b"nested");
    assert_eq!(host.destructed, vec![(me, sender), (me, sender)]);
    let m = &host.messages[0];
    assert_eq!(m.kind, CallKind::DelegateCall);
    assert!(m.is_static && !m.delegated);
    assert_eq!(&m.input[..], b"nested");

    // Every result was released exactly once, on both sides.
    assert_eq!(
        read_counter::<u64>(&counting, "fake_vm_results") - results_before,
        2
    );
    assert_eq!(
        read_counter::<u64>(&counting, "fake_vm_releases") - releases_before,
        2
    );
    assert_eq!(xvm::convert::outstanding_results(), bridge_before);
}

#[test]
fn a_panicking_host_callback_gives_internal_error() {
    let _g = serial();
    let counting = copy_as(&fake_vm_lib(), "libcounting.so");
    let vm = LoadedVm::load(&counting).expect("load counting vm");
    let releases_before = read_counter::<u64>(&counting, "fake_vm_releases");
    let results_before = read_counter::<u64>(&counting, "fake_vm_results");

    // In the outer frame: the frame's later callbacks are short-circuited.
    let mut host = TestHost::new(Some(&vm), Revision::Cancun);
    host.panic_in = Some(("get_balance", 1));
    let msg = Message {
        gas: 1000,
        ..Message::default()
    };
    let r = xvm_evm::Vm::execute(
        &vm,
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&[]),
    );
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(r.gas_left, 0);
    assert!(r.output.is_empty());
    assert_eq!(host.count("get_balance"), 1);
    assert_eq!(
        host.count("get_code_size"),
        0,
        "no callback after the panic"
    );
    assert_eq!(host.count("call"), 0);

    // In a nested frame (the second get_balance is the nested frame's): the internal error
    // propagates to the top.
    let mut host = TestHost::new(Some(&vm), Revision::Cancun);
    host.codes.insert(Address::ZERO, Bytes::from_static(&[0]));
    host.panic_in = Some(("get_balance", 2));
    let r = xvm_evm::Vm::execute(
        &vm,
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&[]),
    );
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(host.count("call"), 1);
    assert_eq!(host.count("get_balance"), 2);

    // Results are still released exactly once.
    let made = read_counter::<u64>(&counting, "fake_vm_results") - results_before;
    let released = read_counter::<u64>(&counting, "fake_vm_releases") - releases_before;
    assert_eq!(made, released);
    assert_eq!(made, 3);
}

#[test]
fn a_vm_claiming_more_gas_than_it_got_gives_internal_error() {
    let _g = serial();
    let counting = copy_as(&fake_vm_lib(), "libcounting.so");
    let mut vm = LoadedVm::load(&counting).expect("load counting vm");
    vm.set_option("answer", "666").expect("mint mode");
    let mut host = TestHost::new(None::<&LoadedVm>, Revision::Cancun);
    let msg = Message {
        gas: 1000,
        depth: 1,
        ..Message::default()
    };
    let r = xvm_evm::Vm::execute(
        &vm,
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&[]),
    );
    vm.set_option("answer", "0").expect("normal mode");
    assert_eq!(r.status, StatusCode::InternalError);
    assert_eq!(r.gas_left, 0);
    let r = xvm_evm::Vm::execute(
        &vm,
        &mut host,
        Revision::Cancun,
        &msg,
        &AnalyzedCode::new(&[]),
    );
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(r.gas_left, 999);
}
