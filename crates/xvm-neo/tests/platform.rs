//! The host through its library API: CheckSig/CheckMultisig and verifyWithECDsa with keys and
//! signatures made here (p256, k256), Find with every FindOptions combination, storage of a
//! faulted invocation discarded, callee writes dropped when the caller catches its exception,
//! GAS of syscalls and the "Insufficient GAS" limit, and persistence through xvm-store.

use p256::ecdsa::signature::hazmat::PrehashSigner;
use std::rc::Rc;
use xvm_neo::chain::{call_script, Chain, MemoryBackend, StoreBackend, DEFAULT_GAS};
use xvm_neo::crypto::sha256;
use xvm_neo::host::{Host, Settings};
use xvm_neo::manifest::Manifest;
use xvm_neo::nef::Nef;
use xvm_neo::syscalls::sign_data;
use xvm_neo::tx::{Signer, Transaction};
use xvm_neo::types::{Trigger, UInt160};
use xvm_neo::Platform;
use xvm_neovm::asm::assemble;
use xvm_neovm::{StackItem, VmState};

fn tx(script: &[u8]) -> Transaction {
    Transaction {
        version: 0,
        nonce: 7,
        system_fee: DEFAULT_GAS,
        network_fee: 0,
        valid_until_block: 100,
        signers: vec![Signer::called_by_entry(UInt160([1; 20]))],
        script: script.to_vec(),
    }
}

/// Runs `script` with a transaction container on an empty state.
fn run(script: &[u8], gas: i64) -> xvm_neo::Outcome {
    let base = xvm_neo::state::MemoryStore::default();
    let host = Host::new(
        &base,
        Rc::new(Platform::neo()),
        Settings::default(),
        Trigger::Application,
        Some(tx(script)),
        None,
        gas,
    );
    host.run(script)
}

fn push_data(out: &mut String, b: &[u8]) {
    out.push_str(&format!("PUSHDATA1 0x{}\n", hex::encode(b)));
}

fn r1_key(seed: u8) -> (p256::ecdsa::SigningKey, Vec<u8>) {
    let sk = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
    let pk = sk
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    (sk, pk)
}

/// The signature a witness of `script`'s transaction carries.
fn sign_tx(sk: &p256::ecdsa::SigningKey, script: &[u8]) -> Vec<u8> {
    let digest = sha256(&sign_data(Settings::default().network, &tx(script).hash()));
    let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
    sig.to_bytes().to_vec()
}

/// A CheckSig script over (sig, key); the signature must cover the same script, so it is built
/// twice: with a placeholder to learn the transaction, then for real (same length).
fn check_sig(
    sk: &p256::ecdsa::SigningKey,
    key: &[u8],
    tamper: bool,
) -> (xvm_neo::Outcome, Vec<u8>) {
    let build = |sig: &[u8]| {
        let mut s = String::new();
        push_data(&mut s, sig);
        push_data(&mut s, key);
        s.push_str("SYSCALL System.Crypto.CheckSig\n");
        assemble(&s).unwrap()
    };
    // The signed data is the tx hash, which covers the script, which holds the signature: sign a
    // script whose signature slot is then overwritten is impossible, so sign a *different* fixed
    // container: the test host's transaction script is the placeholder script.
    let placeholder = build(&[0u8; 64]);
    let mut sig = sign_tx(sk, &placeholder);
    if tamper {
        sig[5] ^= 1;
    }
    let script = build(&sig);
    let base = xvm_neo::state::MemoryStore::default();
    let host = Host::new(
        &base,
        Rc::new(Platform::neo()),
        Settings::default(),
        Trigger::Application,
        Some(tx(&placeholder)),
        None,
        DEFAULT_GAS,
    );
    (host.run(&script), script)
}

fn bool_result(o: &xvm_neo::Outcome) -> bool {
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    o.stack[0].to_bool().unwrap()
}

#[test]
fn check_sig_right_wrong_and_malformed() {
    let (sk, pk) = r1_key(3);
    let (o, _) = check_sig(&sk, &pk, false);
    assert!(bool_result(&o));
    // GAS: PUSHDATA1 x2 (8 each), SYSCALL (0) + CheckSig 32768, RET (0); factor 30.
    assert_eq!(o.gas_consumed, (8 + 8 + 32768) * 30);
    let (o, _) = check_sig(&sk, &pk, true);
    assert!(!bool_result(&o), "tampered signature");
    let (_, other) = r1_key(4);
    let (o, _) = check_sig(&sk, &other, false);
    assert!(!bool_result(&o), "wrong key");
    let mut bad = pk.clone();
    bad[0] = 0x05;
    let (o, _) = check_sig(&sk, &bad, false);
    assert!(!bool_result(&o), "malformed point");
}

#[test]
fn check_multisig_two_of_three() {
    let keys: Vec<_> = (10..13).map(r1_key).collect();
    let build = |sigs: &[Vec<u8>], pks: &[Vec<u8>]| {
        let mut s = String::new();
        for x in sigs.iter().rev() {
            push_data(&mut s, x);
        }
        s.push_str(&format!("PUSHINT8 {}\nPACK\n", sigs.len()));
        for x in pks.iter().rev() {
            push_data(&mut s, x);
        }
        s.push_str(&format!("PUSHINT8 {}\nPACK\n", pks.len()));
        s.push_str("SYSCALL System.Crypto.CheckMultisig\n");
        assemble(&s).unwrap()
    };
    let pks: Vec<Vec<u8>> = keys.iter().map(|k| k.1.clone()).collect();
    let placeholder = build(&[vec![0; 64], vec![0; 64]], &pks);
    let sig = |i: usize| sign_tx(&keys[i].0, &placeholder);
    let run_with = |sigs: &[Vec<u8>], pks: &[Vec<u8>]| {
        let script = build(sigs, pks);
        let base = xvm_neo::state::MemoryStore::default();
        let host = Host::new(
            &base,
            Rc::new(Platform::neo()),
            Settings::default(),
            Trigger::Application,
            Some(tx(&placeholder)),
            None,
            DEFAULT_GAS,
        );
        host.run(&script)
    };
    let o = run_with(&[sig(0), sig(2)], &pks);
    assert!(bool_result(&o));
    // Per-key price: 3 x CheckSig price x factor on top of the instructions.
    let ops = 8 * 5 + 1 + 2048 + 1 + 2048; // 5 PUSHDATA1, 2 PUSHINT8 (1 each), 2 PACK
    assert_eq!(o.gas_consumed, (ops + 3 * 32768) * 30);
    assert!(
        !bool_result(&run_with(&[sig(2), sig(0)], &pks)),
        "signatures out of key order"
    );
    assert!(
        !bool_result(&run_with(&[sig(0), sig(0)], &pks)),
        "same signature twice"
    );
    let o = run_with(&[sig(0), sig(1), sig(2), sig(2)], &pks);
    assert_eq!(o.state, VmState::Fault, "m > n");
    assert!(o.fault.unwrap().contains("CheckMultisig"));
}

fn native(name: &str) -> UInt160 {
    Platform::neo().native_by_name(name).unwrap().hash
}

#[test]
fn verify_with_ecdsa_curves_and_hashes() {
    use k256::ecdsa::signature::hazmat::PrehashSigner as _;
    let msg = b"message".to_vec();
    let (sk, pk) = r1_key(21);
    let kk = k256::ecdsa::SigningKey::from_slice(&[22; 32]).unwrap();
    let kpk = kk
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    let r1 = |h: [u8; 32]| -> Vec<u8> {
        let s: p256::ecdsa::Signature = sk.sign_prehash(&h).unwrap();
        s.to_bytes().to_vec()
    };
    let k1 = |h: [u8; 32]| -> Vec<u8> {
        let s: k256::ecdsa::Signature = kk.sign_prehash(&h).unwrap();
        s.to_bytes().to_vec()
    };
    let keccak = xvm_neo::crypto::keccak256(&msg);
    let call = |key: &[u8], sig: &[u8], curve: i64| {
        let args = [
            StackItem::bytes(&msg),
            StackItem::bytes(key),
            StackItem::bytes(sig),
            StackItem::int(curve),
        ];
        run(
            &call_script(&native("CryptoLib"), "verifyWithECDsa", &args).unwrap(),
            DEFAULT_GAS,
        )
    };
    assert!(bool_result(&call(&pk, &r1(sha256(&msg)), 23)));
    assert!(bool_result(&call(&pk, &r1(keccak), 123)));
    assert!(bool_result(&call(&kpk, &k1(sha256(&msg)), 22)));
    assert!(bool_result(&call(&kpk, &k1(keccak), 122)));
    assert!(!bool_result(&call(&pk, &r1(keccak), 23)), "wrong hash");
    let (_, other) = r1_key(23);
    assert!(
        !bool_result(&call(&other, &r1(sha256(&msg)), 23)),
        "wrong key"
    );
    let mut bad = r1(sha256(&msg));
    bad[0] ^= 0x40;
    assert!(!bool_result(&call(&pk, &bad, 23)), "wrong signature");
    let mut malformed = vec![0x02u8];
    malformed.extend([0xff; 32]); // x >= p: no such point
    let o = call(&malformed, &r1(sha256(&msg)), 23);
    assert_eq!(o.state, VmState::Fault, "malformed point");
    assert!(o.fault.unwrap().contains("invalid secp256r1 public key"));
    let o = call(&pk, &[1u8; 63], 23);
    assert_eq!(o.state, VmState::Fault, "short signature");
    let o = call(&pk, &r1(sha256(&msg)), 24);
    assert_eq!(o.state, VmState::Fault, "unknown curve");
}

/// A contract with put(key, value), find(prefix, options) -> Array, putabort(key, value),
/// and tryput(key, value): puts, then calls putthrow on itself inside TRY/CATCH.
fn storage_contract() -> (Vec<u8>, String) {
    let put = "INITSLOT 0 2\nLDARG1\nLDARG0\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nRET\n";
    let find = "INITSLOT 2 2\nNEWARRAY0\nSTLOC0\nLDARG1\nLDARG0\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Find\nSTLOC1\nloop:\nLDLOC1\nSYSCALL System.Iterator.Next\nJMPIFNOT end\nLDLOC0\nLDLOC1\nSYSCALL System.Iterator.Value\nAPPEND\nJMP loop\nend:\nLDLOC0\nRET\n";
    let putabort = "INITSLOT 0 2\nLDARG1\nLDARG0\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nABORT\n";
    let putthrow = "INITSLOT 0 2\nLDARG1\nLDARG0\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nPUSHDATA1 0x6f6f7073\nTHROW\n";
    let parts = [put, find, putabort, putthrow];
    let mut script = Vec::new();
    let mut offsets = Vec::new();
    for p in parts {
        offsets.push(script.len());
        script.extend(assemble(p).unwrap());
    }
    let m = |name: &str, params: &str, ret: &str, off: usize| {
        format!(
            r#"{{"name":"{name}","parameters":[{params}],"returntype":"{ret}","offset":{off},"safe":false}}"#
        )
    };
    let kv = r#"{"name":"k","type":"ByteArray"},{"name":"v","type":"ByteArray"}"#;
    let manifest = format!(
        r#"{{"name":"store","groups":[],"features":{{}},"supportedstandards":[],"abi":{{"methods":[{},{},{},{}],"events":[]}},"permissions":[{{"contract":"*","methods":"*"}}],"trusts":[],"extra":null}}"#,
        m("put", kv, "Void", offsets[0]),
        m(
            "find",
            r#"{"name":"p","type":"ByteArray"},{"name":"o","type":"Integer"}"#,
            "Array",
            offsets[1]
        ),
        m("putabort", kv, "Void", offsets[2]),
        m("putthrow", kv, "Void", offsets[3]),
    );
    (Nef::new("xvm-test", script, vec![]).to_bytes(), manifest)
}

fn deploy<B: xvm_neo::chain::Backend>(chain: &mut Chain<B>, nef: &[u8], manifest: &str) -> UInt160 {
    let me = chain.account("default").unwrap().hash;
    let args = [StackItem::bytes(nef), StackItem::bytes(manifest.as_bytes())];
    let inv = chain
        .invoke_script(
            call_script(&native("ContractManagement"), "deploy", &args).unwrap(),
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            true,
            None,
        )
        .unwrap();
    assert_eq!(inv.outcome.state, VmState::Halt, "{:?}", inv.outcome.fault);
    let m = Manifest::parse(manifest).unwrap();
    xvm_neo::contract::contract_hash(&me, Nef::parse(nef).unwrap().checksum, &m.name)
}

fn call<B: xvm_neo::chain::Backend>(
    chain: &mut Chain<B>,
    hash: &UInt160,
    method: &str,
    args: &[StackItem],
    commit: bool,
) -> xvm_neo::Outcome {
    let me = chain.account("default").unwrap().hash;
    chain
        .invoke_script(
            call_script(hash, method, args).unwrap(),
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            commit,
            None,
        )
        .unwrap()
        .outcome
}

fn bytes_of(i: &StackItem) -> Vec<u8> {
    i.to_bytes().unwrap()
}

#[test]
fn find_options_and_fault_discard() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let (nef, manifest) = storage_contract();
    let h = deploy(&mut chain, &nef, &manifest);
    let b = |x: &[u8]| StackItem::bytes(x);
    // Values: serialized Structs [field0, field1] so Deserialize/PickField have work.
    for (k, f0, f1) in [
        (&b"a1"[..], 1i64, 10i64),
        (b"a2", 2, 20),
        (b"a3", 3, 30),
        (b"b1", 4, 40),
    ] {
        let v = xvm_neo::binary::serialize(&StackItem::new_struct(vec![
            StackItem::int(f0),
            StackItem::int(f1),
        ]))
        .unwrap();
        let o = call(&mut chain, &h, "put", &[b(k), b(&v)], true);
        assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    }
    let find = |chain: &mut Chain<MemoryBackend>, opts: i64| {
        let o = call(chain, &h, "find", &[b(b"a"), StackItem::int(opts)], false);
        (o.state, o.fault.clone(), o.stack.first().cloned())
    };
    let items = |r: &(VmState, Option<String>, Option<StackItem>)| -> Vec<StackItem> {
        assert_eq!(r.0, VmState::Halt, "{:?}", r.1);
        match r.2.as_ref().unwrap() {
            StackItem::Array(a) => a.items().clone(),
            _ => panic!(),
        }
    };
    // None: Struct[key, value], keys with the prefix, ascending.
    let all = items(&find(&mut chain, 0x00));
    assert_eq!(all.len(), 3);
    let StackItem::Struct(s) = &all[0] else {
        panic!()
    };
    assert_eq!(bytes_of(&s.items()[0]), b"a1");
    // KeysOnly; KeysOnly|RemovePrefix; Backwards.
    let keys: Vec<Vec<u8>> = items(&find(&mut chain, 0x01))
        .iter()
        .map(bytes_of)
        .collect();
    assert_eq!(keys, [b"a1".to_vec(), b"a2".to_vec(), b"a3".to_vec()]);
    let keys: Vec<Vec<u8>> = items(&find(&mut chain, 0x03))
        .iter()
        .map(bytes_of)
        .collect();
    assert_eq!(keys, [b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    let keys: Vec<Vec<u8>> = items(&find(&mut chain, 0x81))
        .iter()
        .map(bytes_of)
        .collect();
    assert_eq!(keys, [b"a3".to_vec(), b"a2".to_vec(), b"a1".to_vec()]);
    // ValuesOnly|DeserializeValues|PickField0 / PickField1.
    let f0: Vec<i64> = items(&find(&mut chain, 0x1c))
        .iter()
        .map(|x| x.to_int().unwrap().to_i64().unwrap())
        .collect();
    assert_eq!(f0, [1, 2, 3]);
    let f1: Vec<i64> = items(&find(&mut chain, 0xac))
        .iter()
        .map(|x| x.to_int().unwrap().to_i64().unwrap())
        .collect();
    assert_eq!(f1, [30, 20, 10]);
    // ValuesOnly raw; DeserializeValues in pairs with RemovePrefix.
    assert_eq!(items(&find(&mut chain, 0x04)).len(), 3);
    let pairs = items(&find(&mut chain, 0x0a));
    let StackItem::Struct(s) = &pairs[1] else {
        panic!()
    };
    assert_eq!(bytes_of(&s.items()[0]), b"2");
    assert!(matches!(s.items()[1], StackItem::Struct(_)));
    // Invalid combinations fault.
    for bad in [0x40, 0x05, 0x09, 0x06, 0x30, 0x10, 0x11] {
        let r = find(&mut chain, bad);
        assert_eq!(r.0, VmState::Fault, "options {bad:#x}");
        assert!(r.1.unwrap().contains("FindOptions"), "options {bad:#x}");
    }
    // A faulted invocation leaves storage as it was.
    let o = call(&mut chain, &h, "putabort", &[b(b"zz"), b(b"1")], true);
    assert_eq!(o.state, VmState::Fault);
    assert!(o.changes.is_empty());
    assert_eq!(items(&find_prefix(&mut chain, &h, b"zz")).len(), 0);
}

fn find_prefix(
    chain: &mut Chain<MemoryBackend>,
    h: &UInt160,
    p: &[u8],
) -> (VmState, Option<String>, Option<StackItem>) {
    let o = call(
        chain,
        h,
        "find",
        &[StackItem::bytes(p), StackItem::int(1)],
        false,
    );
    (o.state, o.fault.clone(), o.stack.first().cloned())
}

#[test]
fn caught_exception_drops_the_callee_writes_only() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let (nef, manifest) = storage_contract();
    let h = deploy(&mut chain, &nef, &manifest);
    // Entry script: TRY { store.putthrow("t", "1") } CATCH { DROP }; then store.put("k", "2").
    let throw_call = call_script(
        &h,
        "putthrow",
        &[StackItem::bytes(b"t"), StackItem::bytes(b"1")],
    )
    .unwrap();
    let put_call =
        call_script(&h, "put", &[StackItem::bytes(b"k"), StackItem::bytes(b"2")]).unwrap();
    let mut script = Vec::new();
    let body_len = throw_call.len() + 1 + 2; // call, DROP (result), ENDTRY
    script.extend([0x3b, (3 + body_len) as u8, 0x00]); // TRY catch=+len, no finally
    script.extend(&throw_call);
    script.push(0x45); // DROP (the call's result; never reached)
    script.extend([0x3d, 0x03]); // ENDTRY +3
    script.push(0x45); // catch: DROP the exception
    script.extend(&put_call);
    script.push(0x45); // DROP put's Null
    let me = chain.account("default").unwrap().hash;
    let inv = chain
        .invoke_script(
            script,
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            true,
            None,
        )
        .unwrap();
    assert_eq!(inv.outcome.state, VmState::Halt, "{:?}", inv.outcome.fault);
    assert_eq!(
        items_of(find_prefix(&mut chain, &h, b"k")),
        1,
        "caller's write kept"
    );
    assert_eq!(
        items_of(find_prefix(&mut chain, &h, b"t")),
        0,
        "callee's write dropped"
    );
}

fn items_of(r: (VmState, Option<String>, Option<StackItem>)) -> usize {
    assert_eq!(r.0, VmState::Halt, "{:?}", r.1);
    match r.2 {
        Some(StackItem::Array(a)) => a.len(),
        _ => panic!(),
    }
}

#[test]
fn gas_limit_faults_with_insufficient_gas() {
    // PUSH1 x many: each 1 x 30 datoshi.
    let script = vec![0x11u8; 10];
    let o = run(&script, 30 * 5);
    assert_eq!(o.state, VmState::Fault);
    assert_eq!(o.fault.as_deref(), Some("Insufficient GAS."));
    let o = run(&script, 30 * 10);
    assert_eq!(o.state, VmState::Halt);
    assert_eq!(o.gas_consumed, 300);
}

#[test]
fn unknown_syscall_and_missing_flags_name_themselves() {
    let o = run(&assemble("SYSCALL 0x01020304").unwrap(), DEFAULT_GAS);
    assert!(o.fault.unwrap().contains("0x01020304"));
    // Storage.GetContext from the entry script: not a deployed contract.
    let o = run(
        &assemble("SYSCALL System.Storage.GetContext").unwrap(),
        DEFAULT_GAS,
    );
    assert_eq!(o.state, VmState::Fault);
    // Runtime.Log from a script loaded with ReadOnly flags (LoadScript narrows to ReadOnly).
    let inner = assemble("PUSHDATA1 0x6869\nSYSCALL System.Runtime.Log").unwrap();
    let mut s = String::from("NEWARRAY0\nPUSH15\n");
    push_data(&mut s, &inner);
    s.push_str("SYSCALL System.Runtime.LoadScript\n");
    let o = run(&assemble(&s).unwrap(), DEFAULT_GAS);
    assert_eq!(o.state, VmState::Fault);
    let f = o.fault.unwrap();
    assert!(
        f.contains("System.Runtime.Log") && f.contains("AllowNotify"),
        "{f}"
    );
}

#[test]
fn state_persists_through_xvm_store() {
    let dir = tempfile::tempdir().unwrap();
    let (nef, manifest) = storage_contract();
    let h = {
        let mut chain = Chain::open(StoreBackend::open(dir.path()).unwrap()).unwrap();
        let h = deploy(&mut chain, &nef, &manifest);
        let o = call(
            &mut chain,
            &h,
            "put",
            &[StackItem::bytes(b"p"), StackItem::bytes(b"v")],
            true,
        );
        assert_eq!(o.state, VmState::Halt);
        let o = call(
            &mut chain,
            &h,
            "putabort",
            &[StackItem::bytes(b"q"), StackItem::bytes(b"v")],
            true,
        );
        assert_eq!(o.state, VmState::Fault);
        h
    };
    let mut chain = Chain::open(StoreBackend::open(dir.path()).unwrap()).unwrap();
    let o = call(
        &mut chain,
        &h,
        "find",
        &[StackItem::bytes(b""), StackItem::int(1)],
        false,
    );
    let StackItem::Array(a) = &o.stack[0] else {
        panic!()
    };
    let keys: Vec<Vec<u8>> = a.items().iter().map(bytes_of).collect();
    assert_eq!(keys, [b"p".to_vec()]);
    // Ledger advanced once per committed invocation (genesis 0, deploy 1, put 2).
    let view = chain.view();
    assert_eq!(
        xvm_neo::native::ledger::current(&view).unwrap().unwrap().1,
        2
    );
}

/// A contract whose onNEP17Payment stores the amount and its calling script hash, or throws.
fn receiver(name: &str, throws: bool) -> (Vec<u8>, String) {
    let body = if throws {
        "INITSLOT 0 3\nPUSHDATA1 0x6e6f\nTHROW\n".to_string()
    } else {
        "INITSLOT 0 3\nLDARG1\nPUSHDATA1 0x70616964\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nSYSCALL System.Runtime.GetCallingScriptHash\nPUSHDATA1 0x66726f6d\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nRET\n".to_string()
    };
    let get = "PUSHDATA1 0x70616964\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Get\nRET\n";
    let mut script = assemble(&body).unwrap();
    let get_off = script.len();
    script.extend(assemble(get).unwrap());
    let manifest = format!(
        r#"{{"name":"{name}","groups":[],"features":{{}},"supportedstandards":[],"abi":{{"methods":[{{"name":"onNEP17Payment","parameters":[{{"name":"from","type":"Hash160"}},{{"name":"amount","type":"Integer"}},{{"name":"data","type":"Any"}}],"returntype":"Void","offset":0,"safe":false}},{{"name":"paid","parameters":[],"returntype":"ByteArray","offset":{get_off},"safe":true}}],"events":[]}},"permissions":[],"trusts":[],"extra":null}}"#
    );
    (Nef::new("xvm-test", script, vec![]).to_bytes(), manifest)
}

#[test]
fn gas_transfer_calls_on_nep17_payment() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let me = chain.account("default").unwrap().hash;
    let (nef, manifest) = receiver("receiver", false);
    let r = deploy(&mut chain, &nef, &manifest);
    let gas_hash = native("GasToken");
    let args = [
        StackItem::bytes(&me.0),
        StackItem::bytes(&r.0),
        StackItem::int(5i64),
        StackItem::Null,
    ];
    let o = call(&mut chain, &gas_hash, "transfer", &args, true);
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    assert!(o.stack[0].to_bool().unwrap());
    assert_eq!(o.notifications[0].event, "Transfer");
    assert_eq!(o.notifications[0].contract, gas_hash);
    let paid = call(&mut chain, &r, "paid", &[], false);
    assert_eq!(bytes_of(&paid.stack[0]), vec![5]);
    // The callback ran with GasToken as its calling script hash.
    let view = chain.view();
    let id = xvm_neo::native::contract_management::get_contract(&view, &r)
        .unwrap()
        .unwrap()
        .id;
    let from = view
        .get(&xvm_neo::syscalls::storage_key(id, b"from"))
        .unwrap()
        .unwrap();
    assert_eq!(from, gas_hash.0.to_vec());
    drop(view);
    let bal = call(
        &mut chain,
        &gas_hash,
        "balanceOf",
        &[StackItem::bytes(&r.0)],
        false,
    );
    assert_eq!(bal.stack[0].to_int().unwrap().to_i64(), Some(5));

    // A receiver that throws: the exception cannot be caught around the transfer; all undone.
    let (nef, manifest) = receiver("refuser", true);
    let bad = deploy(&mut chain, &nef, &manifest);
    let transfer = call_script(
        &gas_hash,
        "transfer",
        &[
            StackItem::bytes(&me.0),
            StackItem::bytes(&bad.0),
            StackItem::int(5i64),
            StackItem::Null,
        ],
    )
    .unwrap();
    let mut script = vec![0x3b, (3 + transfer.len() + 1 + 2) as u8, 0x00];
    script.extend(&transfer);
    script.push(0x45);
    script.extend([0x3d, 0x03]);
    script.push(0x45);
    let inv = chain
        .invoke_script(
            script,
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            true,
            None,
        )
        .unwrap();
    assert_eq!(inv.outcome.state, VmState::Fault);
    assert!(inv.outcome.fault.unwrap().contains("no"));
    let bal = call(
        &mut chain,
        &gas_hash,
        "balanceOf",
        &[StackItem::bytes(&bad.0)],
        false,
    );
    assert_eq!(bal.stack[0].to_int().unwrap().to_i64(), Some(0));

    // A contract without onNEP17Payment cannot receive GAS.
    let (nef, manifest) = storage_contract();
    let plain = deploy(&mut chain, &nef, &manifest);
    let o = call(
        &mut chain,
        &gas_hash,
        "transfer",
        &[
            StackItem::bytes(&me.0),
            StackItem::bytes(&plain.0),
            StackItem::int(1i64),
            StackItem::Null,
        ],
        true,
    );
    assert_eq!(o.state, VmState::Fault);
    assert!(o.fault.unwrap().contains("onNEP17Payment"));
}

/// Contract A: check(account) -> CheckWitness(account). Contract B: relay(a, account) calls
/// A.check(account) and returns its answer.
fn witness_contracts() -> [(Vec<u8>, String); 2] {
    let a = assemble("INITSLOT 0 1\nLDARG0\nSYSCALL System.Runtime.CheckWitness\nRET\n").unwrap();
    let b = assemble("INITSLOT 0 2\nLDARG1\nPUSH1\nPACK\nPUSH15\nPUSHDATA1 0x636865636b\nLDARG0\nSYSCALL System.Contract.Call\nRET\n").unwrap();
    let ma = r#"{"name":"A","groups":[],"features":{},"supportedstandards":[],"abi":{"methods":[{"name":"check","parameters":[{"name":"account","type":"Hash160"}],"returntype":"Boolean","offset":0,"safe":false}],"events":[]},"permissions":[],"trusts":[],"extra":null}"#;
    let mb = r#"{"name":"B","groups":[],"features":{},"supportedstandards":[],"abi":{"methods":[{"name":"relay","parameters":[{"name":"a","type":"Hash160"},{"name":"account","type":"Hash160"}],"returntype":"Boolean","offset":0,"safe":false}],"events":[]},"permissions":[{"contract":"*","methods":"*"}],"trusts":[],"extra":null}"#;
    [
        (Nef::new("xvm-test", a, vec![]).to_bytes(), ma.into()),
        (Nef::new("xvm-test", b, vec![]).to_bytes(), mb.into()),
    ]
}

#[test]
fn check_witness_scopes_and_rules() {
    use xvm_neo::tx::{scope, Condition, WitnessRule};
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let me = chain.account("default").unwrap().hash;
    let [(na, ma), (nb, mb)] = witness_contracts();
    let a = deploy(&mut chain, &na, &ma);
    let b = deploy(&mut chain, &nb, &mb);
    let mut ask = |signer: Signer, via_b: bool| -> bool {
        let script = if via_b {
            call_script(
                &b,
                "relay",
                &[StackItem::bytes(&a.0), StackItem::bytes(&me.0)],
            )
            .unwrap()
        } else {
            call_script(&a, "check", &[StackItem::bytes(&me.0)]).unwrap()
        };
        let inv = chain
            .invoke_script(script, vec![signer], DEFAULT_GAS, false, None)
            .unwrap();
        assert_eq!(inv.outcome.state, VmState::Halt, "{:?}", inv.outcome.fault);
        inv.outcome.stack[0].to_bool().unwrap()
    };
    let with = |scopes: u8, contracts: Vec<UInt160>, rules: Vec<WitnessRule>| Signer {
        account: me,
        scopes,
        allowed_contracts: contracts,
        allowed_groups: vec![],
        rules,
    };
    assert!(ask(with(scope::CALLED_BY_ENTRY, vec![], vec![]), false));
    assert!(
        !ask(with(scope::CALLED_BY_ENTRY, vec![], vec![]), true),
        "A is two calls deep"
    );
    assert!(ask(with(scope::GLOBAL, vec![], vec![]), true));
    assert!(!ask(with(scope::NONE, vec![], vec![]), false));
    assert!(ask(with(scope::CUSTOM_CONTRACTS, vec![a], vec![]), true));
    assert!(!ask(with(scope::CUSTOM_CONTRACTS, vec![b], vec![]), false));
    let rule = |allow, condition| WitnessRule { allow, condition };
    let by_b = vec![rule(true, Condition::CalledByContract(b))];
    assert!(ask(with(scope::WITNESS_RULES, vec![], by_b.clone()), true));
    assert!(!ask(with(scope::WITNESS_RULES, vec![], by_b), false));
    // The first matching rule decides: Deny A beats a later Allow everything.
    let deny_a = vec![
        rule(false, Condition::ScriptHash(a)),
        rule(true, Condition::Boolean(true)),
    ];
    assert!(!ask(with(scope::WITNESS_RULES, vec![], deny_a), false));
    let nested = vec![rule(
        true,
        Condition::And(vec![
            Condition::Not(Box::new(Condition::CalledByEntry)),
            Condition::Or(vec![Condition::ScriptHash(a), Condition::ScriptHash(b)]),
        ]),
    )];
    assert!(ask(
        with(scope::WITNESS_RULES, vec![], nested.clone()),
        true
    ));
    assert!(!ask(with(scope::WITNESS_RULES, vec![], nested), false));
    // Not a signer at all.
    let other = UInt160([9; 20]);
    let inv = chain
        .invoke_script(
            call_script(&a, "check", &[StackItem::bytes(&me.0)]).unwrap(),
            vec![Signer::called_by_entry(other)],
            DEFAULT_GAS,
            false,
            None,
        )
        .unwrap();
    assert!(!inv.outcome.stack[0].to_bool().unwrap());
}

#[test]
fn runtime_values_and_random() {
    use xvm_neo::tx::Block;
    let script = assemble(
        "SYSCALL System.Runtime.Platform\nSYSCALL System.Runtime.GetNetwork\nSYSCALL System.Runtime.GetTrigger\nSYSCALL System.Runtime.GetTime\nSYSCALL System.Runtime.GetRandom\nSYSCALL System.Runtime.GetRandom\nSYSCALL System.Runtime.GasLeft\n",
    )
    .unwrap();
    let block = Block {
        index: 5,
        timestamp: 1_700_000_000_123,
        nonce: 0x0102_0304_0506_0708,
        prev_hash: [3; 32],
    };
    let go = || {
        let base = xvm_neo::state::MemoryStore::default();
        let host = Host::new(
            &base,
            Rc::new(Platform::neo()),
            Settings::default(),
            Trigger::Application,
            Some(tx(&script)),
            Some(block.clone()),
            DEFAULT_GAS,
        );
        host.run(&script)
    };
    let o = go();
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    let s = &o.stack;
    assert_eq!(bytes_of(&s[0]), b"NEO");
    assert_eq!(s[1].to_int().unwrap().to_i64(), Some(860833102));
    assert_eq!(s[2].to_int().unwrap().to_i64(), Some(0x40));
    assert_eq!(s[3].to_int().unwrap().to_i64(), Some(1_700_000_000_123));
    // GetRandom as Neo derives it: nonce = tx hash[0..16], first 8 bytes XOR the block nonce;
    // value i = Murmur128(nonce, network + i) as an unsigned little-endian integer.
    let mut nonce = [0u8; 16];
    nonce.copy_from_slice(&tx(&script).hash()[..16]);
    for (i, x) in block.nonce.to_le_bytes().iter().enumerate() {
        nonce[i] ^= x;
    }
    for (k, item) in s[4..6].iter().enumerate() {
        let mut le = xvm_neo::crypto::murmur128(&nonce, 860833102 + k as u32).to_vec();
        le.push(0);
        assert_eq!(
            item.to_int().unwrap(),
            xvm_neovm::Int::from_le_bytes(&le).unwrap()
        );
    }
    assert_ne!(s[4].to_int().unwrap(), s[5].to_int().unwrap());
    // Deterministic per invocation.
    assert_eq!(go().stack[4].to_int().unwrap(), s[4].to_int().unwrap());
    // GasLeft after 6 syscalls: 8 x 4 + 0 x 2 (+ 8192 each, dynamic) ... priced by the table.
    let used = (8 + 8 + 8 + 8 + 2 * 8192 + 16) * 30;
    assert_eq!(s[6].to_int().unwrap().to_i64(), Some(DEFAULT_GAS - used));
    // No block: GetTime faults.
    let base = xvm_neo::state::MemoryStore::default();
    let host = Host::new(
        &base,
        Rc::new(Platform::neo()),
        Settings::default(),
        Trigger::Application,
        Some(tx(&script)),
        None,
        DEFAULT_GAS,
    );
    let o = host.run(&script);
    assert_eq!(o.state, VmState::Fault);
}

/// A contract with put(k, v), kill() (ContractManagement.destroy) and upgrade(nef, manifest)
/// (ContractManagement.update); `version` returns the given constant.
fn mortal(version: i64) -> (Vec<u8>, String) {
    let cm = hex::encode(native("ContractManagement").0);
    let put = "INITSLOT 0 2\nLDARG1\nLDARG0\nSYSCALL System.Storage.GetContext\nSYSCALL System.Storage.Put\nRET\n".to_string();
    let kill = format!("NEWARRAY0\nPUSH15\nPUSHDATA1 0x{}\nPUSHDATA1 0x{cm}\nSYSCALL System.Contract.Call\nDROP\nRET\n", hex::encode("destroy"));
    let upgrade = format!("INITSLOT 0 2\nLDARG1\nLDARG0\nPUSH2\nPACK\nPUSH15\nPUSHDATA1 0x{}\nPUSHDATA1 0x{cm}\nSYSCALL System.Contract.Call\nDROP\nRET\n", hex::encode("update"));
    let ver = format!("PUSHINT8 {version}\nRET\n");
    let mut script = Vec::new();
    let mut off = Vec::new();
    for p in [put, kill, upgrade, ver] {
        off.push(script.len());
        script.extend(assemble(&p).unwrap());
    }
    let manifest = format!(
        r#"{{"name":"mortal","groups":[],"features":{{}},"supportedstandards":[],"abi":{{"methods":[{{"name":"put","parameters":[{{"name":"k","type":"ByteArray"}},{{"name":"v","type":"ByteArray"}}],"returntype":"Void","offset":{},"safe":false}},{{"name":"kill","parameters":[],"returntype":"Void","offset":{},"safe":false}},{{"name":"upgrade","parameters":[{{"name":"n","type":"ByteArray"}},{{"name":"m","type":"String"}}],"returntype":"Void","offset":{},"safe":false}},{{"name":"version","parameters":[],"returntype":"Integer","offset":{},"safe":true}}],"events":[]}},"permissions":[{{"contract":"*","methods":"*"}}],"trusts":[],"extra":null}}"#,
        off[0], off[1], off[2], off[3]
    );
    (Nef::new("xvm-test", script, vec![]).to_bytes(), manifest)
}

#[test]
fn update_and_destroy() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let (nef, manifest) = mortal(1);
    let h = deploy(&mut chain, &nef, &manifest);
    let v = |chain: &mut Chain<MemoryBackend>| {
        call(chain, &h, "version", &[], false).stack[0]
            .to_int()
            .unwrap()
            .to_i64()
    };
    assert_eq!(v(&mut chain), Some(1));
    let (nef2, manifest2) = mortal(2);
    let o = call(
        &mut chain,
        &h,
        "upgrade",
        &[
            StackItem::bytes(&nef2),
            StackItem::bytes(manifest2.as_bytes()),
        ],
        true,
    );
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    assert_eq!(o.notifications.last().unwrap().event, "Update");
    assert_eq!(v(&mut chain), Some(2), "same hash, new script");
    let c = xvm_neo::native::contract_management::get_contract(&chain.view(), &h)
        .unwrap()
        .unwrap();
    assert_eq!(c.update_counter, 1);

    let o = call(
        &mut chain,
        &h,
        "put",
        &[StackItem::bytes(b"k"), StackItem::bytes(b"v")],
        true,
    );
    assert_eq!(o.state, VmState::Halt);
    let o = call(&mut chain, &h, "kill", &[], true);
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    assert_eq!(o.notifications.last().unwrap().event, "Destroy");
    let view = chain.view();
    assert!(
        xvm_neo::native::contract_management::get_contract(&view, &h)
            .unwrap()
            .is_none()
    );
    assert!(
        view.find(&c.id.to_le_bytes()).unwrap().is_empty(),
        "storage removed"
    );
    assert!(xvm_neo::native::policy::is_blocked(&view, &h).unwrap());
    drop(view);
    let o = call(&mut chain, &h, "version", &[], false);
    assert_eq!(o.state, VmState::Fault);
    assert!(o.fault.unwrap().contains("Does Not Exist"));
    // Redeploying the same NEF and name from the same sender gives the same, blocked hash.
    let args = [
        StackItem::bytes(&nef),
        StackItem::bytes(manifest.as_bytes()),
    ];
    let me = chain.account("default").unwrap().hash;
    let inv = chain
        .invoke_script(
            call_script(&native("ContractManagement"), "deploy", &args).unwrap(),
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            true,
            None,
        )
        .unwrap();
    assert_eq!(
        inv.outcome.state,
        VmState::Halt,
        "Neo allows redeploying a destroyed hash? {:?}",
        inv.outcome.fault
    );
}

/// Appends `System.Contract.Call(hash, method, All, <array already on the stack>)`.
fn emit_call(s: &mut String, hash: &UInt160, method: &str) {
    s.push_str("PUSH15\n");
    push_data(s, method.as_bytes());
    push_data(s, &hash.0);
    s.push_str("SYSCALL System.Contract.Call\n");
}

#[test]
fn bls12_381_through_cryptolib() {
    let lib = native("CryptoLib");
    // G1 generator, compressed.
    let g1 = hex::decode("97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb").unwrap();
    let mut s = String::new();
    push_data(&mut s, &g1);
    s.push_str("PUSH1\nPACK\n");
    emit_call(&mut s, &lib, "bls12381Deserialize"); // [p]
    s.push_str("DUP\nPUSH2\nPACK\n");
    emit_call(&mut s, &lib, "bls12381Add"); // [p + p]
    s.push_str("PUSH1\nPACK\n");
    emit_call(&mut s, &lib, "bls12381Serialize");
    let o = run(&assemble(&s).unwrap(), DEFAULT_GAS);
    assert_eq!(o.state, VmState::Halt, "{:?}", o.fault);
    let two = xvm_neo::bls::mul(
        &xvm_neo::bls::deserialize(&g1).unwrap(),
        &{
            let mut b = [0u8; 32];
            b[0] = 2;
            b
        },
        false,
    )
    .unwrap();
    assert_eq!(bytes_of(&o.stack[0]), xvm_neo::bls::serialize(&two));
    // Mismatched kinds fault with a message.
    let mut s = String::new();
    push_data(&mut s, &g1);
    s.push_str("PUSH1\nPACK\n");
    emit_call(&mut s, &lib, "bls12381Deserialize");
    s.push_str("DUP\nPUSH2\nPACK\n");
    emit_call(&mut s, &lib, "bls12381Pairing");
    let o = run(&assemble(&s).unwrap(), DEFAULT_GAS);
    assert_eq!(o.state, VmState::Fault);
    assert!(o
        .fault
        .unwrap()
        .contains("pairing needs a G1 and a G2 point"));
}

#[test]
fn ledger_records_blocks_and_transactions() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let me = chain.account("default").unwrap().hash;
    let ledger = native("LedgerContract");
    let inv = chain
        .invoke_script(
            call_script(&ledger, "currentIndex", &[]).unwrap(),
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            true,
            None,
        )
        .unwrap();
    assert_eq!(
        inv.outcome.stack[0].to_int().unwrap().to_i64(),
        Some(0),
        "genesis is block 0"
    );
    let txh = inv.tx.hash();
    let o = call(
        &mut chain,
        &ledger,
        "getTransaction",
        &[StackItem::bytes(&txh)],
        false,
    );
    let StackItem::Array(a) = &o.stack[0] else {
        panic!("{:?}", o.stack)
    };
    assert_eq!(bytes_of(&a.items()[0]), txh.to_vec());
    let o = call(
        &mut chain,
        &ledger,
        "getTransactionHeight",
        &[StackItem::bytes(&txh)],
        false,
    );
    assert_eq!(o.stack[0].to_int().unwrap().to_i64(), Some(1));
    let o = call(
        &mut chain,
        &ledger,
        "getBlock",
        &[StackItem::int(1i64)],
        false,
    );
    let StackItem::Array(b) = &o.stack[0] else {
        panic!()
    };
    assert_eq!(bytes_of(&b.items()[0]), inv.block.hash().to_vec());
    assert_eq!(b.items()[6].to_int().unwrap().to_i64(), Some(1));
    let o = call(
        &mut chain,
        &ledger,
        "getTransactionSigners",
        &[StackItem::bytes(&txh)],
        false,
    );
    let StackItem::Array(signers) = &o.stack[0] else {
        panic!()
    };
    let StackItem::Array(first) = &signers.items()[0] else {
        panic!()
    };
    assert_eq!(bytes_of(&first.items()[0]), me.0.to_vec());
    let o = call(
        &mut chain,
        &ledger,
        "getBlock",
        &[StackItem::int(99i64)],
        false,
    );
    assert!(o.stack[0].is_null());
}

#[test]
fn missing_natives_are_named() {
    let notary = UInt160::parse_hex("0xc1e14f19c3e60d0b9244d06dd7ba9b113135ec3b").unwrap();
    let o = run(
        &call_script(&notary, "balanceOf", &[StackItem::bytes(&[0; 20])]).unwrap(),
        DEFAULT_GAS,
    );
    assert_eq!(o.state, VmState::Fault);
    let f = o.fault.unwrap();
    assert!(f.contains("Notary") && f.contains("not implemented"), "{f}");
    // A method a native lacks is named too.
    let o = run(
        &call_script(&native("StdLib"), "nosuch", &[]).unwrap(),
        DEFAULT_GAS,
    );
    assert!(o.fault.unwrap().contains("nosuch"));
}

#[test]
fn contract_hashes_iterator() {
    let mut chain = Chain::open(MemoryBackend::default()).unwrap();
    let (nef, manifest) = storage_contract();
    let h = deploy(&mut chain, &nef, &manifest);
    let cm = native("ContractManagement");
    // getContractHashes() then Iterator.Next / Iterator.Value once.
    let mut s = String::from("NEWARRAY0\n");
    emit_call(&mut s, &cm, "getContractHashes");
    s.push_str("DUP\nSYSCALL System.Iterator.Next\nASSERT\nSYSCALL System.Iterator.Value\n");
    let me = chain.account("default").unwrap().hash;
    let inv = chain
        .invoke_script(
            assemble(&s).unwrap(),
            vec![Signer::called_by_entry(me)],
            DEFAULT_GAS,
            false,
            None,
        )
        .unwrap();
    assert_eq!(inv.outcome.state, VmState::Halt, "{:?}", inv.outcome.fault);
    let StackItem::Struct(st) = &inv.outcome.stack[0] else {
        panic!("{:?}", inv.outcome.stack)
    };
    assert_eq!(bytes_of(&st.items()[0]), 1i32.to_be_bytes().to_vec());
    assert_eq!(bytes_of(&st.items()[1]), h.0.to_vec());
}
