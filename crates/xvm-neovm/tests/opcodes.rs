//! Own tests: the 16 opcodes the JSON suite never names, integer edge cases, every limit,
//! debugger stepping, malformed scripts, and a no-panic sweep over random bytes.

use xvm_neovm::asm::assemble;
use xvm_neovm::engine::{ExecutionEngine, Interop, NoInterop, VmState};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::{Limits, Script, StackItem};
use xvm_neovm_suite::suite::item_to_json;

const MAX: &str = "57896044618658097711785492504343953926634992332820282019728792003956564819967";
const MIN: &str = "-57896044618658097711785492504343953926634992332820282019728792003956564819968";

fn engine_for(bytes: Vec<u8>) -> ExecutionEngine {
    let mut e = ExecutionEngine::new(Limits::default());
    if !bytes.is_empty() {
        e.load_script(Script::new(bytes), -1, 0).unwrap();
    }
    e
}

fn run_with(src: &str, host: &mut dyn Interop) -> ExecutionEngine {
    let bytes = assemble(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let mut e = engine_for(bytes);
    e.execute(host);
    e
}

fn run(src: &str) -> ExecutionEngine {
    run_with(src, &mut NoInterop)
}

/// The result stack, top first, as compact suite JSON values (`"5"`, `true`, `"0x01"`...).
fn results(e: &ExecutionEngine) -> Vec<String> {
    e.result_stack()
        .iter()
        .rev()
        .map(|i| {
            let j = item_to_json(i);
            match j.get("value") {
                Some(v) => match v {
                    xvm_neovm_suite::json::Json::String(s) => s.clone(),
                    other => other.to_compact(),
                },
                None => "null".into(),
            }
        })
        .collect()
}

#[track_caller]
fn halts(src: &str, expected_top_first: &[&str]) {
    let e = run(src);
    assert_eq!(
        e.state(),
        VmState::Halt,
        "{src}\nfault: {:?}",
        e.fault_message()
    );
    assert_eq!(results(&e), expected_top_first, "{src}");
}

#[track_caller]
fn faults(src: &str) -> String {
    let e = run(src);
    assert_eq!(
        e.state(),
        VmState::Fault,
        "{src} should fault; results {:?}",
        results(&e)
    );
    e.fault_message().unwrap_or_default().to_string()
}

fn int(v: &str) -> String {
    if v.len() > 18 {
        format!("PUSHINT256 {v}\n")
    } else {
        format!("PUSHINT64 {v}\n")
    }
}

fn binop(a: &str, b: &str, op: &str) -> String {
    format!("{}{}{op}\n", int(a), int(b))
}

// ------------------------------------------------------------------ opcodes the suite never names

#[test]
fn pushf() {
    halts("PUSHF", &["false"]);
    halts("PUSHF\nPUSHT", &["true", "false"]);
}

#[test]
fn add_sub_mul() {
    halts(&binop("2", "3", "ADD"), &["5"]);
    halts(&binop(MAX, MIN, "ADD"), &["-1"]);
    faults(&binop(MAX, "1", "ADD"));
    faults(&binop(MIN, "-1", "ADD"));
    halts(&binop("2", "3", "SUB"), &["-1"]);
    halts(
        &binop(MIN, "-1", "SUB"),
        &["-57896044618658097711785492504343953926634992332820282019728792003956564819967"],
    );
    faults(&binop(MIN, "1", "SUB"));
    faults(&binop("0", MIN, "SUB"));
    halts(&binop("-4", "5", "MUL"), &["-20"]);
    halts(&binop(MIN, "1", "MUL"), &[MIN]);
    faults(&binop(MIN, "-1", "MUL"));
    faults(&binop(MAX, "2", "MUL"));
    // 2^128 * -2^127 = -2^255 = MIN fits; 2^128 * 2^127 does not.
    let p128 = "340282366920938463463374607431768211456";
    let p127 = "170141183460469231731687303715884105728";
    halts(&format!("{}{}NEGATE\nMUL", int(p128), int(p127)), &[MIN]);
    faults(&binop(p128, p127, "MUL"));
    // Arithmetic on a Buffer faults even though CONVERT would accept it.
    faults("PUSH1\nNEWBUFFER\nPUSH1\nADD");
    halts("PUSHT\nPUSH1\nADD", &["2"]);
}

#[test]
fn div_mod_truncate_like_csharp() {
    for (a, b, q, r) in [
        ("7", "2", "3", "1"),
        ("-7", "2", "-3", "-1"),
        ("7", "-2", "-3", "1"),
        ("-7", "-2", "3", "-1"),
    ] {
        halts(&binop(a, b, "DIV"), &[q]);
        halts(&binop(a, b, "MOD"), &[r]);
    }
    faults(&binop("1", "0", "DIV"));
    faults(&binop("1", "0", "MOD"));
    faults(&binop(MIN, "-1", "DIV"));
    halts(&binop(MIN, "-1", "MOD"), &["0"]);
    halts(&binop(MIN, MIN, "DIV"), &["1"]);
}

#[test]
fn abs_min_max_within() {
    halts(&format!("{}ABS", int("-5")), &["5"]);
    halts(&format!("{}ABS", int("5")), &["5"]);
    halts(&format!("{}ABS", int(MAX)), &[MAX]);
    faults(&format!("{}ABS", int(MIN)));
    halts(&binop("-1", "2", "MIN"), &["-1"]);
    halts(&binop("-1", "2", "MAX"), &["2"]);
    halts(&binop(MIN, MAX, "MIN"), &[MIN]);
    halts(&binop(MIN, MAX, "MAX"), &[MAX]);
    for (x, a, b, expect) in [
        ("5", "5", "10", "true"),
        ("10", "5", "10", "false"),
        ("4", "5", "10", "false"),
        ("-1", "-2", "0", "true"),
    ] {
        halts(&format!("{}{}{}WITHIN", int(x), int(a), int(b)), &[expect]);
    }
    faults("PUSH1\nPUSH2\nPUSHNULL\nWITHIN");
}

#[test]
fn booland_boolor_nz() {
    halts("PUSHT\nPUSHF\nBOOLAND", &["false"]);
    halts("PUSHT\nPUSHT\nBOOLAND", &["true"]);
    halts("PUSHT\nPUSHF\nBOOLOR", &["true"]);
    halts("PUSHF\nPUSHF\nBOOLOR", &["false"]);
    // GetBoolean of other types: ByteString 0x0000 is false, Null false, arrays true.
    halts("PUSHDATA1 0x0000\nPUSHNULL\nBOOLOR", &["false"]);
    halts("PUSHDATA1 0x0001\nNEWARRAY0\nBOOLAND", &["true"]);
    halts("PUSH0\nNZ", &["false"]);
    halts("PUSHM1\nNZ", &["true"]);
    halts("PUSHDATA1 0x0000\nNZ", &["false"]);
    faults("PUSH1\nNEWBUFFER\nNZ");
    faults("PUSHNULL\nNZ");
}

struct TokenHost;

impl Interop for TokenHost {
    fn syscall(&mut self, _e: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!("no syscall {id}")))
    }
    fn call_token(&mut self, e: &mut ExecutionEngine, token: u16) -> Result<(), VmError> {
        e.push(StackItem::int(token as i64));
        Ok(())
    }
}

#[test]
fn callt_goes_to_the_host() {
    let e = run_with("CALLT 258\nCALLT 0", &mut TokenHost);
    assert_eq!(e.state(), VmState::Halt);
    assert_eq!(results(&e), ["0", "258"]);
    assert_eq!(assemble("CALLT 258").unwrap(), vec![0x37, 0x02, 0x01]);
    let msg = faults("CALLT 1");
    assert!(msg.contains("Token"), "{msg}");
}

#[test]
fn try_l_endtry_l() {
    let src = "
        TRY_L catch, fin
        PUSH1
        THROW
        ENDTRY_L end
    catch:
        PUSH2
        ENDTRY_L end
    fin:
        PUSH3
        ENDFINALLY
    end:
        PUSH4
        RET";
    halts(src, &["4", "3", "2", "1"]);
    let bytes = assemble(src).unwrap();
    assert_eq!(bytes[0], 0x3C);
    // Without an exception: TRY body, then finally, then the end label.
    halts("TRY_L catch, fin\nPUSH1\nENDTRY_L end\ncatch: PUSH2\nENDTRY_L end\nfin: PUSH3\nENDFINALLY\nend: PUSH4", &["4", "3", "1"]);
    // Finally without catch re-throws after the finally block.
    let msg = faults("TRY_L 0, fin\nPUSHDATA1 0x6f6f7073\nTHROW\nfin: PUSH3\nENDFINALLY");
    assert_eq!(msg, "An unhandled exception was thrown. oops");
    // Both offsets zero fault, and ENDTRY_L without TRY faults.
    faults("TRY_L 0, 0");
    faults("ENDTRY_L +5");
}

// ------------------------------------------------------------------ integer edge cases

#[test]
fn thirty_two_byte_bounds() {
    halts(&int(MAX), &[MAX]);
    halts(&int(MIN), &[MIN]);
    faults(&format!("{}INC", int(MAX)));
    faults(&format!("{}DEC", int(MIN)));
    faults(&format!("{}NEGATE", int(MIN)));
    halts(
        &format!("{}NEGATE", int(MAX)),
        &["-57896044618658097711785492504343953926634992332820282019728792003956564819967"],
    );
    // ByteStrings convert to integers only up to 32 bytes.
    let b32 = format!("PUSHDATA1 0x{}\n", "ff".repeat(32));
    let b33 = format!("PUSHDATA1 0x{}\n", "ff".repeat(33));
    halts(&format!("{b32}PUSH0\nADD"), &["-1"]);
    faults(&format!("{b33}PUSH0\nADD"));
    faults(&format!("{b33}CONVERT Integer"));
    faults(&format!("{b33}CONVERT Boolean"));
    halts(&format!("{b33}SIZE"), &["33"]);
    // Integer <-> bytes use minimal two's complement.
    halts("PUSHINT16 128\nCONVERT ByteString", &["0x8000"]);
    halts("PUSHINT8 -128\nCONVERT ByteString", &["0x80"]);
    halts("PUSH0\nCONVERT ByteString", &[""]);
    halts("PUSHINT16 255\nSIZE", &["2"]);
}

#[test]
fn shifts_and_pow() {
    let p254 = "28948022309329048855892746252171976963317496166410141009864396001978282409984";
    halts(&binop("1", "254", "SHL"), &[p254]);
    faults(&binop("1", "255", "SHL"));
    halts(&binop("-1", "255", "SHL"), &[MIN]);
    faults(&binop("0", "257", "SHL"));
    halts(&binop("0", "256", "SHL"), &["0"]);
    faults(&binop("1", "-1", "SHL"));
    halts(&binop("-7", "1", "SHR"), &["-4"]);
    halts(&binop("-1", "256", "SHR"), &["-1"]);
    halts(&binop(MAX, "256", "SHR"), &["0"]);
    faults(&binop("1", "257", "SHR"));
    halts(&binop("2", "254", "POW"), &[p254]);
    faults(&binop("2", "255", "POW"));
    halts(&binop("-2", "255", "POW"), &[MIN]);
    halts(&binop("0", "0", "POW"), &["1"]);
    halts(&binop("-3", "3", "POW"), &["-27"]);
    faults(&binop("2", "-1", "POW"));
    faults(&binop("1", "257", "POW"));
}

#[test]
fn modular_arithmetic_signs() {
    let modpow = |v: &str, e: &str, m: &str| format!("{}{}{}MODPOW", int(v), int(e), int(m));
    halts(&modpow("-3", "3", "5"), &["-2"]);
    halts(&modpow("-3", "2", "5"), &["4"]);
    halts(&modpow("3", "3", "-5"), &["2"]);
    halts(&modpow("3", "0", "1"), &["0"]);
    halts(&modpow("19", "-1", "141"), &["52"]);
    halts(&modpow("3", "-1", "7"), &["5"]);
    faults(&modpow("2", "-1", "4")); // no inverse
    faults(&modpow("-3", "-1", "7")); // value must be positive
    faults(&modpow("3", "-1", "1")); // modulus must be >= 2
    faults(&modpow("3", "-2", "7"));
    faults(&modpow("3", "2", "0"));
    halts(
        &format!("{}{}{}MODMUL", int("-3"), int("4"), int("5")),
        &["-2"],
    );
    halts(
        &format!("{}{}{}MODMUL", int(MAX), int(MAX), int("1000")),
        &["89"],
    );
    faults(&format!("{}{}{}MODMUL", int("3"), int("4"), int("0")));
    halts(&format!("{}SQRT", int("17")), &["4"]);
    halts(
        &format!("{}SQRT", int(MAX)),
        &["240615969168004511545033772477625056927"],
    );
    faults(&format!("{}SQRT", int("-1")));
    halts(
        &format!("{}SIGN\n{}SIGN\n{}SIGN", int(MIN), int("0"), int("9")),
        &["1", "0", "-1"],
    );
}

// ------------------------------------------------------------------ limits

#[test]
fn max_stack_size() {
    let e = run("PUSHINT16 2047\nNEWARRAY");
    assert_eq!(e.state(), VmState::Halt);
    assert_eq!(e.reference_count(), 2048);
    let msg = faults("PUSHINT16 2048\nNEWARRAY");
    assert!(msg.starts_with("MaxStackSize exceed"), "{msg}");
    faults("PUSHINT16 2049\nNEWARRAY");
    faults("PUSHM1\nNEWARRAY");
    faults("PUSHINT16 2049\nNEWSTRUCT");
    // 2048 plain items are fine, 2049 are not.
    let ok = "PUSH0\n".repeat(2048);
    assert_eq!(run(&ok).state(), VmState::Halt);
    faults(&format!("{ok}PUSH0"));
}

#[test]
fn max_item_size() {
    halts("PUSHINT32 131070\nNEWBUFFER\nSIZE", &["131070"]);
    faults("PUSHINT32 131071\nNEWBUFFER");
    faults("PUSHINT32 65536\nNEWBUFFER\nPUSHINT32 65535\nNEWBUFFER\nCAT");
    halts(
        "PUSHINT32 65535\nNEWBUFFER\nPUSHINT32 65535\nNEWBUFFER\nCAT\nSIZE",
        &["131070"],
    );
    let data = format!("PUSHDATA4 0x{}", "00".repeat(131071));
    faults(&data);
}

/// Hostile sizes fault with the size in the message, before anything that large is allocated
/// (a 2 GiB NEWBUFFER would otherwise take the process down, not fault).
#[test]
fn hostile_item_sizes_fault_before_allocating() {
    let m = faults("PUSHINT32 2147483647\nNEWBUFFER");
    assert!(m.contains("MaxItemSize exceed: 2147483647"), "{m}");
    let m = faults("PUSHINT32 -1\nNEWBUFFER");
    assert!(m.contains("MaxItemSize exceed: -1"), "{m}");
    // CAT checks the joined size first: the message names the size that was refused.
    let m = faults("PUSHINT32 131070\nNEWBUFFER\nPUSHINT32 131070\nNEWBUFFER\nCAT");
    assert!(m.contains("MaxItemSize exceed: 262140/131070"), "{m}");
    // A non-primitive operand faults as before, whatever the other one holds.
    faults("NEWARRAY0\nPUSHINT32 131070\nNEWBUFFER\nCAT");
    // NEWARRAY/PACK are bounded by the stack limit, not by the requested count.
    let m = faults("PUSHINT32 2147483647\nNEWARRAY");
    assert!(m.contains("out of valid range"), "{m}");
    let m = faults("PUSHINT32 2147483647\nPACK");
    assert!(m.contains("out of valid range"), "{m}");
}

#[test]
fn max_comparable_size() {
    let bs = |n: u32| format!("PUSHINT32 {n}\nNEWBUFFER\nCONVERT ByteString\n");
    halts(&format!("{}{}EQUAL", bs(65536), bs(65536)), &["true"]);
    let msg = faults(&format!("{}{}EQUAL", bs(65537), bs(65537)));
    assert!(msg.contains("comparable"), "{msg}");
    // An oversized ByteString faults even against itself or another type...
    faults(&format!("{}DUP\nEQUAL", bs(65537)));
    faults(&format!("{}PUSH1\nNOTEQUAL", bs(65537)));
    // ...but only when it is the left operand (x1): an Integer compares by type first.
    halts(&format!("PUSH1\n{}NOTEQUAL", bs(65537)), &["true"]);
    halts(&format!("{}DUP\nEQUAL", bs(65536)), &["true"]);
}

#[test]
fn max_invocation_stack_size() {
    let msg = faults("self: CALL self");
    assert!(msg.contains("MaxInvocationStackSize"), "{msg}");
    // 1023 nested calls are allowed: count down from 1022 through recursive CALLs.
    let src = "
        PUSHINT16 1022
        CALL f
        RET
    f:
        DUP
        JMPIFNOT done
        DEC
        CALL f
        RET
    done:
        RET";
    halts(src, &["0"]);
}

#[test]
fn max_try_nesting_depth() {
    let ok = "TRY +3, 0\n".repeat(16);
    assert_eq!(run(&ok).state(), VmState::Halt);
    let msg = faults(&"TRY +3, 0\n".repeat(17));
    assert!(msg.contains("MaxTryNestingDepth"), "{msg}");
}

#[test]
fn map_key_size() {
    let key = |n: u32| {
        format!("NEWMAP\nDUP\nPUSHINT8 {n}\nNEWBUFFER\nCONVERT ByteString\nPUSH1\nSETITEM\nSIZE")
    };
    halts(&key(64), &["1"]);
    let msg = faults(&key(65));
    assert!(msg.contains("MaxKeySize"), "{msg}");
    // Buffers are not primitive: they cannot be keys at all.
    faults("NEWMAP\nPUSH1\nNEWBUFFER\nPUSH1\nSETITEM");
}

// ------------------------------------------------------------------ debugger, scripts, faults

#[test]
fn debugger_stepping() {
    // 0: CALL +4 (-> 4), 2: PUSH2, 3: RET, 4: PUSH1, 5: RET
    let bytes = assemble("CALL f\nPUSH2\nRET\nf: PUSH1\nRET").unwrap();
    let mut e = engine_for(bytes.clone());
    let host = &mut NoInterop;
    assert_eq!(e.step_into(host), VmState::Break);
    assert_eq!(e.invocation_stack().len(), 2);
    assert_eq!(e.current_context().unwrap().ip, 4);
    assert_eq!(e.step_out(host), VmState::Break);
    assert_eq!(e.invocation_stack().len(), 1);
    assert_eq!(e.current_context().unwrap().ip, 2);
    assert_eq!(e.execute(host), VmState::Halt);
    assert_eq!(results(&e), ["2", "1"]);

    let mut e = engine_for(bytes);
    assert_eq!(e.step_over(host), VmState::Break);
    assert_eq!(e.invocation_stack().len(), 1);
    assert_eq!(e.current_context().unwrap().ip, 2);
    assert_eq!(e.step_over(host), VmState::Break);
    assert_eq!(e.step_over(host), VmState::Halt);
    assert_eq!(e.step_into(host), VmState::Halt);

    // An empty script halts on the first step.
    let mut e = engine_for(Vec::new());
    assert_eq!(e.state(), VmState::Break);
    assert_eq!(e.step_into(host), VmState::Halt);
}

#[test]
fn bad_bytes_fault_only_when_reached() {
    halts("JMP +3\nDB 0xff\nPUSH1", &["1"]);
    let mut e = engine_for(vec![0x11, 0xFF]);
    assert_eq!(e.step_into(&mut NoInterop), VmState::Break);
    assert_eq!(e.step_into(&mut NoInterop), VmState::Fault);
    assert!(e.fault_message().unwrap().contains("invalid opcode"));
    for bad in [
        vec![0x0C, 0x05, 0x01],
        vec![0x01, 0x00],
        vec![0x0E, 0xFF, 0xFF, 0xFF, 0xFF],
        vec![0x22, 0x05],
    ] {
        let mut e = engine_for(bad.clone());
        assert_eq!(e.execute(&mut NoInterop), VmState::Fault, "{bad:?}");
    }
    assert!(Script::new_strict(vec![0x22, 0x03, 0xFF, 0x40]).is_err());
    assert!(Script::new_strict(vec![0x22, 0x02, 0x40]).is_ok());
}

#[test]
fn abort_assert_messages() {
    assert_eq!(faults("ABORT"), "ABORT is executed.");
    assert_eq!(
        faults("PUSHDATA1 0x4e454f\nABORTMSG"),
        "ABORTMSG is executed. Reason: NEO"
    );
    assert_eq!(
        faults("PUSHF\nPUSHDATA1 0x4641494c\nASSERTMSG"),
        "ASSERTMSG is executed with false result. Reason: FAIL"
    );
    // The message is read first: a non-UTF-8 message faults even when the condition holds.
    faults("PUSHT\nPUSHDATA1 0xff\nASSERTMSG");
    halts("PUSHT\nPUSHDATA1 0x4f4b\nASSERTMSG\nPUSH1", &["1"]);
    faults("PUSHF\nASSERT");
}

/// Random bytes must never panic the engine: every outcome is HALT, FAULT or still running.
#[test]
fn random_scripts_never_panic() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Bias towards defined, interesting opcodes by mixing random bytes with small operands.
    for _ in 0..3000 {
        let len = (next() % 48) as usize + 1;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 4 == 0 {
                    (r >> 8) as u8 % 4
                } else {
                    (r >> 16) as u8
                }
            })
            .collect();
        let mut e = engine_for(bytes.clone());
        for _ in 0..2000 {
            if matches!(e.step_into(&mut NoInterop), VmState::Halt | VmState::Fault) {
                break;
            }
        }
        let _ = xvm_neovm::asm::disassemble(&bytes);
        assert_eq!(
            assemble(&xvm_neovm::asm::disassemble(&bytes)).unwrap(),
            bytes
        );
    }
}

#[test]
fn loaded_scripts_return_values_and_pointer_identity() {
    // A callee loaded with rvcount 1 must leave exactly one item; it moves to the caller's stack.
    let caller = Script::new(assemble("PUSH5\nADD").unwrap());
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(caller.clone(), -1, 0).unwrap();
    e.load_script(Script::new(assemble("PUSH1\nPUSH2").unwrap()), 1, 0)
        .unwrap();
    assert_eq!(e.execute(&mut NoInterop), VmState::Fault);
    assert_eq!(
        e.fault_message(),
        Some("Return value count mismatch: expected 1, but got 2 items on the evaluation stack")
    );

    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(caller, -1, 0).unwrap();
    e.load_script(Script::new(assemble("PUSH1\nPUSH2\nADD").unwrap()), 1, 0)
        .unwrap();
    assert_eq!(e.execute(&mut NoInterop), VmState::Halt);
    assert_eq!(results(&e), ["8"]);
    assert_eq!(e.reference_count(), 1);

    // A pointer into another script cannot be called.
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(Script::new(assemble("CALLA").unwrap()), -1, 0)
        .unwrap();
    e.load_script(Script::new(assemble("PUSHA 0").unwrap()), 1, 0)
        .unwrap();
    assert_eq!(e.execute(&mut NoInterop), VmState::Fault);
    assert_eq!(
        e.fault_message(),
        Some("Pointers can't be shared between scripts")
    );
    // ...but a pointer into the same script can.
    halts("PUSHA f\nCALLA\nPUSH1\nRET\nf: PUSH2\nRET", &["1", "2"]);
    faults("PUSHA +100");
}

#[test]
fn cyclic_items_print_finitely() {
    // An array holding itself twice: printing must stop, not recurse forever.
    let e = run("NEWARRAY0\nDUP\nDUP\nAPPEND\nDUP\nDUP\nAPPEND");
    assert_eq!(e.state(), VmState::Halt);
    let text = format!("{:?}", e.result_stack()[0]);
    assert!(text.contains("..."), "{}", &text[..200.min(text.len())]);
    assert!(text.len() < 10_000_000);
}

#[derive(Default)]
struct HookHost {
    loaded: Vec<u64>,
    unloaded: Vec<(u64, usize)>,
}

impl Interop for HookHost {
    fn syscall(&mut self, _e: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!("no syscall {id}")))
    }
    fn context_loaded(&mut self, e: &mut ExecutionEngine) -> Result<(), VmError> {
        self.loaded.push(e.current_context().unwrap().instance_id());
        Ok(())
    }
    fn context_unloaded(
        &mut self,
        e: &mut ExecutionEngine,
        ctx: &xvm_neovm::ExecutionContext,
        returned: usize,
    ) -> Result<(), VmError> {
        self.unloaded.push((ctx.instance_id(), returned));
        // Like Neo's dynamic calls: a context that returned nothing gets a Null pushed.
        if returned == 0 && !e.invocation_stack().is_empty() && ctx.rvcount == -1 {
            e.push(StackItem::Null);
        }
        Ok(())
    }
}

#[test]
fn host_hooks_see_calls_returns_and_unwinding() {
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(
        Script::new(assemble("CALL f\nRET\nf: PUSH1\nRET").unwrap()),
        -1,
        0,
    )
    .unwrap();
    e.load_script(Script::new(assemble("PUSH7\nPUSH8").unwrap()), -1, 0)
        .unwrap();
    let mut host = HookHost::default();
    assert_eq!(e.execute(&mut host), VmState::Halt);
    // Script 2 (instance 2) returns two items; script 1 CALLs f (same instance 1).
    assert_eq!(host.loaded, [1]);
    assert_eq!(host.unloaded, [(2, 2), (1, 0), (1, 3)]);
    assert_eq!(results(&e), ["1", "8", "7"]);

    // Unwinding through a CALLed context reports it, and the catch still works.
    let mut host = HookHost::default();
    let e = run_with(
        "TRY c, 0\nCALL f\nc: PUSH5\nRET\nf: PUSHDATA1 0x6f\nTHROW",
        &mut host,
    );
    assert_eq!(e.state(), VmState::Halt, "{:?}", e.fault_message());
    assert_eq!(host.unloaded, [(1, 0), (1, 2)]);
    assert_eq!(results(&e), ["5", "0x6f"]);
}

#[test]
fn host_stack_access_without_a_context_does_not_panic() {
    let mut e = ExecutionEngine::new(Limits::default());
    assert!(e.pop().is_err());
    assert!(e.peek(0).is_err());
    e.push(StackItem::int(3i64));
    assert_eq!(e.result_stack().len(), 1);
    assert_eq!(e.reference_count(), 1);
    assert!(e.pop().is_ok());
    assert_eq!(e.reference_count(), 0);
    assert_eq!(e.execute(&mut NoInterop), VmState::Halt);
    // Loading past the end of a script is an error, not a panic.
    assert!(e.load_script(Script::new(vec![0x40]), -1, 2).is_err());
}

#[test]
fn cyclic_setitem_keeps_the_count_sane() {
    // P = [Q], Q = [P], only P on the stack; overwriting P[0] unreferences both.
    let e =
        run("NEWARRAY0\nDUP\nDUP\nNEWARRAY0\nTUCK\nAPPEND\nSWAP\nAPPEND\nPUSH0\nPUSH1\nSETITEM");
    assert_eq!(e.state(), VmState::Halt);
    assert_eq!(e.reference_count(), 0);
    // The same through a map value: the reference's map SETITEM checks "stack-referenced" once
    // for the whole update, so the new value stays counted after the map lost its last
    // reference midway (like the other unreachable cycles the light counter never reclaims).
    let e = run("NEWMAP\nDUP\nDUP\nNEWARRAY0\nTUCK\nPUSH0\nSWAP\nSETITEM\nSWAP\nAPPEND\nPUSH0\nPUSH1\nSETITEM");
    assert_eq!(e.state(), VmState::Halt, "{:?}", e.fault_message());
    assert_eq!(e.reference_count(), 1);
}

#[test]
fn breakpoints_stop_execute_and_step_over() {
    let script = Script::new(assemble("PUSH1\nCALL f\nPUSH3\nRET\nf: PUSH2\nRET").unwrap());
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(script.clone(), -1, 0).unwrap();
    e.add_breakpoint(&script, 3); // PUSH3
    e.add_breakpoint(&script, 6); // the RET of f
    let host = &mut NoInterop;
    assert_eq!(e.execute(host), VmState::Break);
    assert_eq!(
        (e.invocation_stack().len(), e.current_context().unwrap().ip),
        (2, 6)
    );
    assert_eq!(e.execute(host), VmState::Break);
    assert_eq!(
        (e.invocation_stack().len(), e.current_context().unwrap().ip),
        (1, 3)
    );
    assert!(e.remove_breakpoint(&script, 3));
    assert!(!e.remove_breakpoint(&script, 3));
    assert_eq!(e.execute(host), VmState::Halt);
    assert_eq!(results(&e), ["3", "2", "1"]);
    // Breakpoints belong to a script object, not to equal bytes.
    let mut e = ExecutionEngine::new(Limits::default());
    e.load_script(Script::new(script.bytes().to_vec()), -1, 0)
        .unwrap();
    e.add_breakpoint(&script, 3);
    assert_eq!(e.execute(host), VmState::Halt);
}

#[test]
fn caught_index_and_key_misses_carry_the_reference_messages() {
    let hex = |s: &str| {
        format!(
            "0x{}",
            s.bytes().map(|b| format!("{b:02x}")).collect::<String>()
        )
    };
    halts(
        "TRY c, 0\nNEWMAP\nPUSHDATA1 0x6162\nPICKITEM\nc: NOP",
        &[&hex("Key \"ab\" not found in Map.")],
    );
    halts(
        "TRY c, 0\nNEWMAP\nPUSHT\nPICKITEM\nc: NOP",
        &[&hex("Key True not found in Map.")],
    );
    halts(
        "TRY c, 0\nPUSH1\nNEWARRAY\nPUSH5\nPICKITEM\nc: NOP",
        &[&hex("The index of VMArray is out of range, 5/[0, 1).")],
    );
    halts(
        "TRY c, 0\nPUSHDATA1 0x01\nPUSH1\nPICKITEM\nc: NOP",
        &[&hex(
            "The index of PrimitiveType is out of range, 1/[0, 1).",
        )],
    );
    halts(
        "TRY c, 0\nPUSH2\nNEWBUFFER\nPUSHM1\nPUSH0\nSETITEM\nc: NOP",
        &[&hex("The index of Buffer is out of range, -1/[0, 2).")],
    );
    // A huge index is still a catchable miss, not an Int32 overflow.
    halts(
        &format!(
            "TRY c, 0\nNEWARRAY0\nPUSHINT64 {}\nPICKITEM\nc: NOP",
            i64::MAX
        ),
        &[&hex(&format!(
            "The index of VMArray is out of range, {}/[0, 0).",
            i64::MAX
        ))],
    );
}
