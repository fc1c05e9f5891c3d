//! Unit tests of the engine internals.

use super::*;
use crate::item::ArrayItem;
use std::rc::Rc;

#[test]
fn key_texts_like_the_reference() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x01]), "//4AAQ==");
    assert_eq!(key_text(&MapKey::Boolean(true)), "True");
    assert_eq!(key_text(&MapKey::Integer(Int::from(-5))), "-5");
    assert_eq!(
        key_text(&MapKey::ByteString(Rc::from(&b"ab"[..]))),
        "\"ab\""
    );
    assert_eq!(
        key_text(&MapKey::ByteString(Rc::from(&[0xffu8][..]))),
        "\"Base64: /w==\""
    );
}

#[test]
fn struct_clone_budget() {
    let e = ExecutionEngine::default();
    let ok = ArrayItem::new(vec![StackItem::Null; 2047]);
    assert_eq!(e.clone_struct(&ok).map(|s| s.len()).ok(), Some(2047));
    let too_many = ArrayItem::new(vec![StackItem::Null; 2048]);
    assert!(e.clone_struct(&too_many).is_err());
    // Nested structs count every item of every level and are copied, not shared.
    let inner = ArrayItem::new(vec![StackItem::int(1i64); 10]);
    let outer = ArrayItem::new(vec![StackItem::Struct(inner.clone()), StackItem::Null]);
    let copy = e.clone_struct(&outer).unwrap();
    let StackItem::Struct(ci) = &copy.items()[0] else {
        panic!("not a struct")
    };
    assert!(!Rc::ptr_eq(ci, &inner));
    assert_eq!(ci.len(), 10);
}

#[test]
fn light_rc_counts_sub_items_and_keeps_cycles() {
    let mut e = ExecutionEngine::default();
    e.load_script(Script::new(vec![0x40]), -1, 0).unwrap();
    let a = ArrayItem::new(vec![StackItem::int(1i64), StackItem::int(2i64)]);
    e.push(StackItem::Array(a.clone()));
    assert_eq!(e.reference_count(), 3);
    e.array_push(&a, StackItem::Array(a.clone()));
    assert_eq!(e.reference_count(), 4);
    e.pop().unwrap();
    // The self-reference keeps the array counted, as the reference's light RC does.
    assert_eq!(e.reference_count(), 3);
}

/// Recounts references from the roots (stacks and slots): each root reference counts 1, and
/// every reachable compound counts its sub-items (map keys and values) once. Returns the
/// count and whether the reachable graph has a cycle.
fn recount(e: &ExecutionEngine) -> (usize, bool) {
    use std::collections::HashMap;
    fn id(item: &StackItem) -> Option<usize> {
        match item {
            StackItem::Array(a) | StackItem::Struct(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            StackItem::Map(m) => Some(Rc::as_ptr(m) as *const u8 as usize),
            _ => None,
        }
    }
    fn children(item: &StackItem) -> Vec<StackItem> {
        match item {
            StackItem::Array(a) | StackItem::Struct(a) => a.items().clone(),
            StackItem::Map(m) => m.entries().values().cloned().collect(),
            _ => Vec::new(),
        }
    }
    // 1 = on the DFS path, 2 = done.
    fn visit(
        item: &StackItem,
        color: &mut HashMap<usize, u8>,
        count: &mut usize,
        cycle: &mut bool,
    ) {
        let Some(k) = id(item) else { return };
        match color.get(&k) {
            Some(1) => {
                *cycle = true;
                return;
            }
            Some(_) => return,
            None => {}
        }
        color.insert(k, 1);
        *count += match item {
            StackItem::Map(m) => 2 * m.len(),
            _ => children(item).len(),
        };
        for c in children(item) {
            visit(&c, color, count, cycle);
        }
        color.insert(k, 2);
    }
    let mut roots: Vec<StackItem> = Vec::new();
    for sh in &e.shared {
        roots.extend(sh.eval.iter().cloned());
        roots.extend(sh.statics.iter().flatten().cloned());
    }
    for c in &e.contexts {
        roots.extend(c.locals.iter().flatten().cloned());
        roots.extend(c.args.iter().flatten().cloned());
    }
    roots.extend(e.result_stack.iter().cloned());
    roots.extend(e.eval.iter().cloned());
    let mut count = roots.len();
    let mut color = HashMap::new();
    let mut cycle = false;
    for r in &roots {
        visit(r, &mut color, &mut count, &mut cycle);
    }
    (count, cycle)
}

/// Random programs over the compound, stack and slot opcodes: the light reference counter
/// must equal a from-scratch recount while no cycle has ever been reachable, and may only
/// exceed it (leaked cycles are never reclaimed) afterwards.
#[test]
fn reference_counter_matches_recount() {
    use OpCode as O;
    let ops: &[&[u8]] = &[
        &[O::PUSH0.0],
        &[O::PUSH1.0],
        &[O::PUSH2.0],
        &[O::PUSH3.0],
        &[O::PUSHNULL.0],
        &[O::PUSHDATA1.0, 1, 7],
        &[O::NEWARRAY0.0],
        &[O::NEWSTRUCT0.0],
        &[O::NEWMAP.0],
        &[O::PUSH2.0, O::NEWARRAY.0],
        &[O::PUSH2.0, O::NEWSTRUCT.0],
        &[O::DUP.0],
        &[O::OVER.0],
        &[O::SWAP.0],
        &[O::ROT.0],
        &[O::DROP.0],
        &[O::NIP.0],
        &[O::PUSH1.0, O::PICK.0],
        &[O::PUSH2.0, O::ROLL.0],
        &[O::TUCK.0],
        &[O::APPEND.0],
        &[O::SETITEM.0],
        &[O::PICKITEM.0],
        &[O::REMOVE.0],
        &[O::CLEARITEMS.0],
        &[O::POPITEM.0],
        &[O::PUSH2.0, O::PACK.0],
        &[O::PUSH1.0, O::PACKMAP.0],
        &[O::PUSH2.0, O::PACKSTRUCT.0],
        &[O::UNPACK.0],
        &[O::KEYS.0],
        &[O::VALUES.0],
        &[O::REVERSEITEMS.0],
        &[O::CONVERT.0, 0x40],
        &[O::CONVERT.0, 0x41],
        &[O::LDLOC0.0],
        &[O::STLOC0.0],
        &[O::LDLOC1.0],
        &[O::STLOC1.0],
        &[O::LDARG0.0],
        &[O::STARG0.0],
        &[O::LDSFLD0.0],
        &[O::STSFLD0.0],
        &[O::LDSFLD1.0],
        &[O::STSFLD1.0],
        &[O::PUSH1.0, O::XDROP.0],
        &[O::REVERSE3.0],
        &[O::PUSH3.0, O::REVERSEN.0],
        &[O::CLEAR.0],
        &[O::SIZE.0],
        &[O::DUP.0, O::DUP.0, O::APPEND.0],
        &[O::OVER.0, O::OVER.0, O::APPEND.0],
        &[O::OVER.0, O::OVER.0, O::SWAP.0, O::APPEND.0],
        &[O::DUP.0, O::PUSH0.0, O::ROT.0, O::SETITEM.0],
        &[O::OVER.0, O::PUSH0.0, O::ROT.0, O::SETITEM.0],
        &[O::DUP.0, O::PUSH0.0, O::PUSH1.0, O::SETITEM.0],
        &[O::DUP.0, O::PUSH0.0, O::REMOVE.0],
        &[O::DUP.0, O::CLEARITEMS.0],
        &[O::HASKEY.0],
        &[O::EQUAL.0],
        &[O::ISNULL.0],
        &[O::DEPTH.0],
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut checked = 0usize;
    for _ in 0..20000 {
        let mut script = vec![O::INITSSLOT.0, 2, O::PUSH1.0, O::INITSLOT.0, 2, 1];
        // Start with a few items of each kind so that more random operations succeed.
        for _ in 0..(next() % 6) {
            let start: &[&[u8]] = &[
                &[O::NEWARRAY0.0],
                &[O::NEWMAP.0],
                &[O::PUSH1.0],
                &[O::NEWSTRUCT0.0],
                &[O::PUSH0.0],
            ];
            script.extend_from_slice(start[(next() % start.len() as u64) as usize]);
        }
        let n = (next() % 40) as usize + 1;
        for _ in 0..n {
            script.extend_from_slice(ops[(next() % ops.len() as u64) as usize]);
        }
        let mut e = ExecutionEngine::default();
        e.load_script(Script::new(script), -1, 0).unwrap();
        let mut tainted = false;
        loop {
            let state = e.step_into(&mut NoInterop);
            if state == VmState::Fault {
                break;
            }
            let (count, cycle) = recount(&e);
            tainted |= cycle;
            if tainted {
                assert!(e.reference_count() >= count);
            } else {
                assert_eq!(
                    e.reference_count(),
                    count,
                    "after ip {:?}",
                    e.current_context().map(|c| c.ip)
                );
                checked += 1;
            }
            if state == VmState::Halt {
                break;
            }
        }
    }
    eprintln!("{checked} exact checks");
    assert!(checked > 10_000, "only {checked} exact checks");
}

#[test]
fn push_item_grows() {
    // From empty and from a full vector of every capacity up to a few growths: the items come
    // back in order and nothing is lost or duplicated (Rc counts stay exact).
    let shared: Rc<[u8]> = Rc::from(&b"x"[..]);
    let mut v: Vec<StackItem> = Vec::new();
    for i in 0..1000i64 {
        if i % 3 == 0 {
            push_item(&mut v, StackItem::ByteString(shared.clone()));
        } else {
            push_item(&mut v, StackItem::Integer(Int::from(i)));
        }
        assert!(v.len() <= v.capacity());
    }
    assert_eq!(v.len(), 1000);
    assert_eq!(Rc::strong_count(&shared), 1 + 334);
    for (i, x) in v.iter().enumerate() {
        match x {
            StackItem::ByteString(b) => assert!(i % 3 == 0 && b[..] == b"x"[..]),
            StackItem::Integer(n) => assert_eq!(n.to_i64(), Some(i as i64)),
            other => panic!("{other:?}"),
        }
    }
    drop(v);
    assert_eq!(Rc::strong_count(&shared), 1);
}

/// A host with a step budget that records what it sees of the engine before each
/// instruction: position, opcode, invocation depth, stack depth and reference count.
struct Watcher {
    budget: u32,
    seen: Vec<(usize, OpCode, usize, usize, usize)>,
}

impl Watcher {
    fn new(budget: u32) -> Watcher {
        Watcher {
            budget,
            seen: Vec::new(),
        }
    }
}

impl Interop for Watcher {
    fn syscall(&mut self, _: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        Err(fault(format!("no syscall {id}")))
    }
    fn pre_execute(&mut self, e: &ExecutionEngine, ins: &Instruction<'_>) -> Result<(), VmError> {
        let ctx = e.current_context().expect("a context");
        assert_eq!(ctx.next_opcode(), ins.opcode);
        self.seen.push((
            ctx.ip,
            ins.opcode,
            e.invocation_stack().len(),
            e.evaluation_stack(ctx).len(),
            e.reference_count(),
        ));
        if self.budget == 0 {
            return Err(fault("budget"));
        }
        self.budget -= 1;
        Ok(())
    }
}

/// Everything observable about an engine, as text.
fn snapshot(e: &ExecutionEngine) -> String {
    let mut s = format!(
        "{:?} {:?} refs={} results={:?}\n",
        e.state(),
        e.fault_message(),
        e.reference_count(),
        e.result_stack()
    );
    for c in e.invocation_stack() {
        s += &format!(
            "ip={} eval={:?} locals={:?} args={:?} statics={:?} try={:?}\n",
            c.ip,
            e.evaluation_stack(c),
            c.locals(),
            c.arguments(),
            e.static_fields(c),
            c.try_stack()
        );
    }
    s
}

#[test]
fn fast_path_matches_general_path() {
    use crate::opcode::OpCode as O;
    // `execute` without breakpoints takes the fast path; `step_into` always runs the general
    // handlers. Random programs over the fast opcodes, mixed with items and operands the fast
    // path must leave to the general one (ByteStrings, arrays, overflow, bad slots, bad jump
    // targets, MaxStackSize), must end in exactly the same state.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let simple = [
        O::NOP,
        O::DROP,
        O::DUP,
        O::OVER,
        O::SWAP,
        O::INC,
        O::DEC,
        O::ADD,
        O::SUB,
        O::LT,
        O::LE,
        O::GT,
        O::GE,
        O::NUMEQUAL,
        O::NUMNOTEQUAL,
        O::PUSHT,
        O::PUSHF,
        O::PUSHNULL,
        O::PUSHM1,
        O::PUSH0,
        O::PUSH1,
        O::PUSH16,
        O::NEWARRAY0,
        O::LDLOC0,
        O::LDLOC1,
        O::STLOC0,
        O::STLOC1,
        O::LDARG0,
        O::STARG1,
        O::LDSFLD0,
        O::STSFLD0,
        O::DEPTH,
        O::AND,
        O::OR,
        O::XOR,
        O::NOT,
        O::NZ,
        O::RET,
        O::THROW,
        O::ENDFINALLY,
        O::REVERSE3,
        O::REVERSE4,
        O::REVERSEN,
        O::MUL,
        O::DIV,
        O::MOD,
        O::PACK,
        O::UNPACK,
        O::INITSLOT,
        // Byte strings and buffers: CAT makes buffers, SUBSTR cuts them (in place when only
        // the stack holds one, a copy after a DUP).
        O::CAT,
        O::SUBSTR,
        O::NEWBUFFER,
    ];
    let mut limits = Limits::default();
    for case in 0..3000 {
        limits.max_stack_size = if case % 5 == 0 { 12 } else { 2048 };
        // A shallow TRY limit in some cases: the fast TRY must leave the fault to the general
        // path.
        limits.max_try_nesting_depth = if case % 7 == 0 { 2 } else { 16 };
        let mut code: Vec<u8> = vec![O::PUSH1.0, O::PUSH2.0];
        code.extend([O::INITSLOT.0, 3, 2]);
        if case % 2 == 0 {
            code.extend([O::INITSSLOT.0, 1]);
        }
        for _ in 0..rnd(40) + 1 {
            match rnd(10) {
                0..=5 => code.push(simple[rnd(simple.len() as u64) as usize].0),
                6 => {
                    let big = [0i64, 1, -1, 127, i64::MAX, i64::MIN, 1 << 40];
                    code.push(O::PUSHINT64.0);
                    code.extend(big[rnd(7) as usize].to_le_bytes());
                }
                7 => {
                    // The largest and smallest 256-bit values (INC/DEC/ADD/SUB overflow).
                    code.push(O::PUSHINT256.0);
                    let mut v = [0xffu8; 32];
                    if rnd(2) == 0 {
                        v[31] = 0x7f;
                    } else {
                        v = [0; 32];
                        v[31] = 0x80;
                    }
                    code.extend(v);
                }
                8 => {
                    let ops = [
                        O::JMP,
                        O::JMPIF,
                        O::JMPIFNOT,
                        O::JMPEQ,
                        O::JMPNE,
                        O::JMPGT,
                        O::JMPGE,
                        O::JMPLT,
                        O::JMPLE,
                        O::CALL,
                        O::ENDTRY,
                        O::TRY,
                    ];
                    let op = ops[rnd(ops.len() as u64) as usize];
                    code.push(op.0);
                    code.push((rnd(40) as i64 - 20) as i8 as u8);
                    if op == O::TRY {
                        // Half without a FINALLY: ENDTRY then pops the frame.
                        code.push(if rnd(2) == 0 { 0 } else { rnd(20) as u8 });
                    }
                }
                9 if rnd(3) == 0 => {
                    // A long jump or call: the target in 32 bits.
                    let ops = [
                        O::JMP_L,
                        O::JMPIF_L,
                        O::JMPIFNOT_L,
                        O::JMPEQ_L,
                        O::CALL_L,
                        O::ENDTRY_L,
                        O::TRY_L,
                    ];
                    let op = ops[rnd(ops.len() as u64) as usize];
                    code.push(op.0);
                    code.extend((rnd(40) as i32 - 20).to_le_bytes());
                    if op == O::TRY_L {
                        let f = if rnd(2) == 0 { 0 } else { rnd(20) as i32 };
                        code.extend(f.to_le_bytes());
                    }
                }
                _ => {
                    let ops = [O::LDLOC, O::STLOC, O::LDARG, O::STARG, O::PUSHDATA1];
                    let op = ops[rnd(5) as usize];
                    code.push(op.0);
                    code.push(rnd(5) as u8);
                    if op == O::PUSHDATA1 {
                        let n = code[code.len() - 1] as usize;
                        code.extend(std::iter::repeat_n(7u8, n));
                    }
                }
            }
        }
        let script = Script::new(code.clone());
        compare_paths(&limits, 500, &format!("case {case}: {code:02x?}"), |e| {
            e.load_script(script.clone(), -1, 0).unwrap()
        });
    }
}

#[test]
fn reused_slot_vectors_start_fresh() {
    // F stores its argument in its local after checking that the local starts as Null: the
    // second call gets the first call's (pooled) vectors and must still see Null, and an
    // array left in a slot must be released (counted out) when its context returns.
    let code = crate::asm::assemble(
        "PUSH5\nCALL F\nPUSH7\nCALL F\nNEWARRAY0\nCALL F\nDROP\nRET\n\
         F:\nINITSLOT 1 1\nLDLOC0\nISNULL\nASSERT\nLDARG0\nSTLOC0\nLDLOC0\nRET\n",
    )
    .unwrap();
    let mut e = ExecutionEngine::default();
    e.load_script(Script::new(code), -1, 0).unwrap();
    assert_eq!(
        e.execute(&mut NoInterop),
        VmState::Halt,
        "{:?}",
        e.fault_message()
    );
    let results: Vec<Option<i64>> = e
        .result_stack()
        .iter()
        .map(|x| match x {
            StackItem::Integer(i) => i.to_i64(),
            _ => None,
        })
        .collect();
    assert_eq!(results, [Some(5), Some(7)]);
    assert_eq!(e.reference_count(), 2);
    assert!(e.slot_pool.len() <= 32 && e.slot_pool.iter().all(Vec::is_empty));
}

#[test]
fn fast_arithmetic_matches_general_on_signs_and_limits() {
    // Every pair of values with opposite and equal signs, zero and the i64 limits, through
    // the binary operators the fast path takes on i64 (and the ones it takes on 256 bits).
    use crate::opcode::OpCode as O;
    let values = [
        0i64,
        1,
        -1,
        2,
        -2,
        7,
        -7,
        i64::MAX,
        i64::MIN,
        1 << 40,
        -(1 << 40),
    ];
    let ops = [
        O::MUL,
        O::DIV,
        O::MOD,
        O::ADD,
        O::SUB,
        O::AND,
        O::OR,
        O::XOR,
        O::LT,
        O::GE,
    ];
    for a in values {
        for b in values {
            for op in ops {
                let mut code = vec![O::PUSHINT64.0];
                code.extend(a.to_le_bytes());
                code.push(O::PUSHINT64.0);
                code.extend(b.to_le_bytes());
                code.extend([op.0, O::RET.0]);
                let script = Script::new(code);
                let mut fast = ExecutionEngine::default();
                fast.load_script(script.clone(), -1, 0).unwrap();
                fast.execute(&mut Watcher::new(10));
                let mut slow = ExecutionEngine::default();
                slow.load_script(script, -1, 0).unwrap();
                let mut host = Watcher::new(10);
                while !matches!(slow.step_into(&mut host), VmState::Halt | VmState::Fault) {}
                assert_eq!(snapshot(&fast), snapshot(&slow), "{a} {op} {b}");
            }
        }
    }
}

/// Runs `asm` with `limits` on the fast path (`execute`) and on the general handlers
/// (`step_into`), and checks that both end in the same state, seen the same way by the host.
fn both_paths(asm: &str, limits: &Limits) -> String {
    let script = Script::new(crate::asm::assemble(asm).unwrap());
    compare_paths(limits, 10_000, asm, |e| {
        e.load_script(script.clone(), -1, 0).unwrap()
    })
}

/// Loads scripts with `load` into two engines with `limits`, runs one on the fast path
/// (`execute`) and one on the general handlers (`step_into`), each with a host allowing
/// `budget` instructions, and checks that both end in the same state, seen the same way by
/// the host (`label` names the case in a failure). Returns the final state.
fn compare_paths(
    limits: &Limits,
    budget: u32,
    label: &str,
    load: impl Fn(&mut ExecutionEngine),
) -> String {
    let mut fast = ExecutionEngine::new(limits.clone());
    load(&mut fast);
    let mut fast_host = Watcher::new(budget);
    fast.execute(&mut fast_host);
    let mut slow = ExecutionEngine::new(limits.clone());
    load(&mut slow);
    let mut slow_host = Watcher::new(budget);
    while !matches!(
        slow.step_into(&mut slow_host),
        VmState::Halt | VmState::Fault
    ) {}
    assert_eq!(snapshot(&fast), snapshot(&slow), "{label}");
    // Hosts see the same engine before every instruction on both paths.
    assert_eq!(fast_host.seen, slow_host.seen, "{label}");
    snapshot(&fast)
}

#[test]
fn fast_try_matches_general_on_catch_finally_and_limits() {
    let limits = Limits::default();
    // Catch only (ENDTRY pops the frame), then catch and finally (ENDTRY enters FINALLY),
    // short and long forms, in a loop.
    let s = both_paths(
        "INITSLOT 1 0\nPUSH3\nSTLOC0\nL:\nTRY C, 0\nPUSH1\nTHROW\nC:\nENDTRY E\nE:\n\
         TRY_L C2, F2\nPUSH2\nTHROW\nC2:\nENDTRY_L E2\nF2:\nPUSH4\nENDFINALLY\nE2:\n\
         LDLOC0\nDEC\nDUP\nSTLOC0\nJMPIF L\nRET\n",
        &limits,
    );
    // Each round leaves both caught items and the FINALLY's push.
    let round = "Integer(1), Integer(2), Integer(4)";
    let want = format!("Halt None refs=9 results=[{round}, {round}, {round}]\n");
    assert_eq!(s, want);
    // Nesting past MaxTryNestingDepth faults on both paths, at the same TRY.
    let mut shallow = limits.clone();
    shallow.max_try_nesting_depth = 2;
    let s = both_paths("TRY C, 0\nTRY C, 0\nTRY C, 0\nC:\nRET\n", &shallow);
    assert!(s.contains("MaxTryNestingDepth exceed."), "{s}");
    // ENDTRY inside FINALLY and without a TRY fault the same way.
    let s = both_paths("TRY 0, F\nF:\nENDTRY F\nRET\n", &limits);
    assert!(s.contains("FINALLY block"), "{s}");
    let s = both_paths("ENDTRY E\nE:\nRET\n", &limits);
    assert!(s.contains("cannot be found"), "{s}");
}

#[test]
fn fast_pack_matches_general() {
    let limits = Limits::default();
    // PACK of plain items, UNPACK of the only handle (items move out) and of a shared one
    // (items are cloned), a Struct, and items that are not plain (the general handler).
    let s = both_paths(
        "PUSH1\nPUSH2\nPUSH3\nPUSH3\nPACK\nUNPACK\nPACK\nDUP\nUNPACK\nDROP\nADD\nADD\n\
         PUSH4\nPUSH5\nPUSH2\nPACKSTRUCT\nUNPACK\nDROP\nADD\n\
         NEWARRAY0\nPUSHDATA1 0x01\nPUSH2\nPACK\nDUP\nUNPACK\nDROP\nDROP\nDROP\n\
         PUSH0\nPACK\nUNPACK\nRET\n",
        &limits,
    );
    assert_eq!(
        s,
        "Halt None refs=10 results=[Array[Integer(3), Integer(2), Integer(1)], Integer(6), \
         Integer(9), Array[ByteString(0x01), Array[]], Integer(0)]\n"
    );
    // The count is wrong (negative, too large, not an Integer): the general handler faults.
    for bad in [
        "PUSHM1\nPACK\nRET\n",
        "PUSH1\nPUSH5\nPACK\nRET\n",
        "PUSHT\nPACK\nRET\n",
    ] {
        let s = both_paths(bad, &limits);
        assert!(s.starts_with("Fault"), "{s}");
    }
    // UNPACK past MaxStackSize faults on both paths.
    let mut small = limits.clone();
    small.max_stack_size = 6;
    let s = both_paths(
        "PUSH1\nPUSH2\nPUSH3\nPUSH4\nPUSH4\nPACK\nDUP\nUNPACK\nRET\n",
        &small,
    );
    assert!(s.contains("MaxStackSize exceed"), "{s}");
}

/// SETITEM on a map whose old value is the map itself: uncounting it takes the map's last stack
/// reference, and the new value is counted anyway (the reference decides once), for good. The
/// fuzz target `neovm_refcount` found this; the engine keeps such values in `unrooted`.
#[test]
fn setitem_counts_the_value_when_the_map_lets_go_of_itself() {
    // NEWMAP DUP PUSH14 OVER SETITEM (stack: m, with m[14] = m), PUSH14 NEWARRAY0 SETITEM, RET.
    let script = vec![0xc8, 0x4a, 0x1e, 0x4b, 0xd0, 0x1e, 0xc2, 0xd0, 0x40];
    let mut e = ExecutionEngine::default();
    e.load_script(Script::new(script), -1, 0).unwrap();
    let mut host = NoInterop;
    for _ in 0..5 {
        e.execute_next(&mut host);
    }
    // m on the stack (1) holding itself: key and value (2).
    assert_eq!(e.reference_count(), 3);
    assert!(e.unrooted().is_empty());
    for _ in 0..3 {
        e.execute_next(&mut host);
    }
    // SETITEM popped the array (0), the key and m (m's stack references: its own entry only),
    // uncounted the old value m (the map's last reference: its key goes too), then counted the
    // new array although nothing counted holds it.
    assert_eq!(e.state(), VmState::Break);
    assert_eq!(e.reference_count(), 1);
    assert_eq!(e.unrooted().len(), 1);
    assert!(matches!(&e.unrooted()[0], StackItem::Array(a) if a.is_empty()));
    e.execute_next(&mut host);
    assert_eq!(e.state(), VmState::Halt);
    assert_eq!(e.reference_count(), 1);
}

/// CAT and SUBSTR on the light path: a buffer only the stack holds is cut in place, a shared
/// one is copied (its other holder still sees all of it), and both paths end the same.
#[test]
fn substr_cuts_only_unshared_buffers_in_place() {
    let end = both_paths(
        "PUSHDATA1 0x68656c6c6f\nPUSHDATA1 0x776f726c64\nCAT\nDUP\nPUSH1\nPUSH3\nSUBSTR\n\
         PUSHDATA1 0x6162\nPUSHDATA1 0x6364\nCAT\nPUSH2\nPUSH2\nSUBSTR\n\
         PUSHDATA1 0x6162\nPUSH1\nPUSH1\nSUBSTR\nRET\n",
        &Limits::default(),
    );
    assert!(
        end.starts_with(
            "Halt None refs=4 results=[Buffer(0x68656c6c6f776f726c64), Buffer(0x656c6c), \
             Buffer(0x6364), Buffer(0x62)]"
        ),
        "{end}"
    );
}

/// A loaded script's RET returns to another script: the fast loop must take up the caller's
/// script again (the light RET of a CALLed context keeps the script; this one does not).
#[test]
fn ret_from_a_loaded_script_resumes_the_callers_script() {
    let outer = crate::asm::assemble("PUSH1\nPUSH2\nADD\nRET\n").unwrap();
    let inner = crate::asm::assemble("CALL F\nPUSH5\nADD\nRET\nF:\nPUSH7\nRET\n").unwrap();
    let end = compare_paths(&Limits::default(), 10_000, "two loaded scripts", |e| {
        e.load_script(Script::new(outer.clone()), -1, 0).unwrap();
        e.load_script(Script::new(inner.clone()), -1, 0).unwrap();
    });
    assert!(end.starts_with("Halt"), "{end}");
    // The inner script left 12 on the outer script's stack (rvcount -1), which then added 1+2.
    assert!(
        end.contains("Integer(12)") && end.contains("Integer(3)"),
        "{end}"
    );
}
