//! The official neo-vm JSON test-suite runner (`VMJsonTestBase` semantics), working on text.
//!
//! Each test assembles its script, loads it into a fresh engine (state BREAK, rvcount -1), and for
//! every step runs the step's debugger actions and compares the engine with the expected result:
//! state (with the fault message when given), invocation stack (always), result stack and
//! reference count (when given).

use crate::json::{self, Json};
use std::fmt;
use std::rc::Rc;
pub use xvm_neovm::asm::parse_hex;
use xvm_neovm::asm::to_hex as hex;
use xvm_neovm::engine::{ExecutionEngine, Interop, VmState};
use xvm_neovm::error::{fault, VmError};
use xvm_neovm::int::Int;
use xvm_neovm::item::{InteropObject, StackItem};
use xvm_neovm::limits::Limits;
use xvm_neovm::opcode::OpCode;
use xvm_neovm::script::Script;

/// The host used by the suite (`TestEngine`): SYSCALL 0x77777777 pushes an Interop object,
/// 0xaddeadde throws the catchable exception "error", anything else faults.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestInterop;

impl Interop for TestInterop {
    fn syscall(&mut self, engine: &mut ExecutionEngine, id: u32) -> Result<(), VmError> {
        match id {
            0x7777_7777 => {
                engine.push(StackItem::Interop(InteropObject {
                    type_name: Rc::from("Object"),
                    value: Rc::new(()),
                }));
                Ok(())
            }
            0xadde_adde => Err(VmError::Throw(Box::new(StackItem::bytes(b"error")))),
            _ => Err(fault(format!("Syscall not found: 0x{id:08x}"))),
        }
    }
}

/// A debugger action of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run to the end.
    Execute,
    /// One instruction.
    StepInto,
    /// Until the current context returns.
    StepOut,
    /// One instruction, running calls to completion.
    StepOver,
}

/// A suite file.
#[derive(Clone, Debug)]
pub struct SuiteFile {
    /// The file's category.
    pub category: String,
    /// The file's name.
    pub name: String,
    /// Its tests.
    pub tests: Vec<SuiteTest>,
}

/// One test.
#[derive(Clone, Debug)]
pub struct SuiteTest {
    /// Test name.
    pub name: String,
    /// The assembled script.
    pub script: Vec<u8>,
    /// Steps, run in order on one engine.
    pub steps: Vec<Step>,
}

/// One step: actions, then the expected result.
#[derive(Clone, Debug)]
pub struct Step {
    /// Optional name.
    pub name: Option<String>,
    /// Actions to perform.
    pub actions: Vec<Action>,
    /// The expected result JSON (`result`).
    pub result: Json,
}

/// A malformed suite file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuiteError(pub String);

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SuiteError {}

fn err(m: impl Into<String>) -> SuiteError {
    SuiteError(m.into())
}

/// Assembles a suite script: exact opcode names emit their byte, `0x..` entries emit raw bytes.
pub fn assemble_entries(entries: &[Json]) -> Result<Vec<u8>, SuiteError> {
    let mut out = Vec::new();
    for e in entries {
        let s = e
            .as_str()
            .ok_or_else(|| err(format!("script entry {e} is not a string")))?;
        if let Some(op) = OpCode::from_name(s) {
            out.push(op.0);
        } else if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            out.extend(parse_hex(h).ok_or_else(|| err(format!("bad hex in script entry {s:?}")))?);
        } else {
            return Err(err(format!(
                "script entry {s:?} is neither an opcode nor 0x-hex"
            )));
        }
    }
    Ok(out)
}

/// Parses a suite file's text.
pub fn parse_file(text: &str) -> Result<SuiteFile, SuiteError> {
    let doc = json::parse(text).map_err(|e| err(e.to_string()))?;
    let text_of = |k: &str| {
        doc.get_ci(k)
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string()
    };
    let tests_json = doc
        .get_ci("tests")
        .and_then(Json::as_array)
        .ok_or_else(|| err("missing \"tests\" array"))?;
    let mut tests = Vec::new();
    for t in tests_json {
        let name = t
            .get_ci("name")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let script = match t.get_ci("script") {
            Some(Json::Array(a)) => assemble_entries(a)?,
            Some(Json::String(s)) => {
                let h = s.strip_prefix("0x").unwrap_or(s);
                parse_hex(h).ok_or_else(|| err(format!("test {name:?}: bad script hex")))?
            }
            None | Some(Json::Null) => Vec::new(),
            Some(other) => return Err(err(format!("test {name:?}: bad script {other}"))),
        };
        let mut steps = Vec::new();
        for s in t.get_ci("steps").and_then(Json::as_array).unwrap_or(&[]) {
            let mut actions = Vec::new();
            for a in s.get_ci("actions").and_then(Json::as_array).unwrap_or(&[]) {
                let a = a
                    .as_str()
                    .ok_or_else(|| err(format!("test {name:?}: action {a} is not a string")))?;
                actions.push(match a.to_ascii_lowercase().as_str() {
                    "execute" => Action::Execute,
                    "stepinto" => Action::StepInto,
                    "stepout" => Action::StepOut,
                    "stepover" => Action::StepOver,
                    _ => return Err(err(format!("test {name:?}: unknown action {a:?}"))),
                });
            }
            let result = s
                .get_ci("result")
                .cloned()
                .ok_or_else(|| err(format!("test {name:?}: step without result")))?;
            steps.push(Step {
                name: s.get_ci("name").and_then(Json::as_str).map(str::to_string),
                actions,
                result,
            });
        }
        tests.push(SuiteTest {
            name,
            script,
            steps,
        });
    }
    Ok(SuiteFile {
        category: text_of("category"),
        name: text_of("name"),
        tests,
    })
}

/// The outcome of one test: empty `failures` means it passed.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    /// Test name.
    pub name: String,
    /// One line per mismatch (step index, what, expected vs actual).
    pub failures: Vec<String>,
}

/// Runs one test and reports its mismatches.
pub fn run_test(test: &SuiteTest) -> TestOutcome {
    let mut engine = ExecutionEngine::new(Limits::default());
    let mut host = TestInterop;
    let mut failures = Vec::new();
    if !test.script.is_empty() {
        if let Err(e) = engine.load_script(Script::new(test.script.clone()), -1, 0) {
            failures.push(format!("loading the script failed: {e}"));
        }
    }
    for (i, step) in test.steps.iter().enumerate() {
        for a in &step.actions {
            match a {
                Action::Execute => engine.execute(&mut host),
                Action::StepInto => engine.step_into(&mut host),
                Action::StepOut => engine.step_out(&mut host),
                Action::StepOver => engine.step_over(&mut host),
            };
        }
        let label = match &step.name {
            Some(n) => format!("step {i} ({n})"),
            None => format!("step {i}"),
        };
        for m in check_result(&engine, &step.result) {
            failures.push(format!("{label}: {m}"));
        }
    }
    TestOutcome {
        name: test.name.clone(),
        failures,
    }
}

/// Compares the engine with an expected `result` object; returns the mismatches.
pub fn check_result(engine: &ExecutionEngine, expected: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let want_state = expected
        .get_ci("state")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_ascii_uppercase();
    let state = engine.state().to_string();
    if want_state != state {
        let mut m = format!("state: expected {want_state}, actual {state}");
        if let Some(f) = engine.fault_message() {
            m.push_str(&format!(" (fault: {f})"));
        }
        out.push(m);
        return out;
    }
    if engine.state() == VmState::Fault {
        if let Some(msg) = expected.get_ci("exceptionMessage").and_then(Json::as_str) {
            let actual = engine.fault_message().unwrap_or("");
            if actual != msg {
                out.push(format!(
                    "exceptionMessage: expected {msg:?}, actual {actual:?}"
                ));
            }
        }
        return out;
    }
    let empty = Json::Array(Vec::new());
    let inv = expected.get_ci("invocationStack").unwrap_or(&empty);
    let inv = inv.as_array().unwrap_or(&[]);
    let ctxs = engine.invocation_stack();
    if inv.len() != ctxs.len() {
        out.push(format!(
            "invocationStack: expected {} contexts, actual {}",
            inv.len(),
            ctxs.len()
        ));
    } else {
        for (i, (want, ctx)) in inv.iter().zip(ctxs.iter().rev()).enumerate() {
            if let Some(n) = want.get_ci("nextInstruction").and_then(Json::as_str) {
                let actual = ctx.next_opcode().to_string();
                if !n.eq_ignore_ascii_case(&actual) {
                    out.push(format!(
                        "context {i} nextInstruction: expected {n}, actual {actual}"
                    ));
                }
            }
            if let Some(ip) = want.get_ci("instructionPointer") {
                let actual = ctx.ip.to_string();
                if ip.to_compact() != actual {
                    out.push(format!(
                        "context {i} instructionPointer: expected {ip}, actual {actual}"
                    ));
                }
            }
            if let Some(es) = want.get_ci("evaluationStack") {
                let mut actual: Vec<StackItem> = engine.evaluation_stack(ctx).to_vec();
                actual.reverse();
                compare_list(
                    &mut out,
                    &format!("context {i} evaluationStack"),
                    es,
                    Some(&actual),
                );
            }
            let slots = [
                ("staticFields", engine.static_fields(ctx)),
                ("arguments", ctx.arguments()),
                ("localVariables", ctx.locals()),
            ];
            for (key, slot) in slots {
                let what = format!("context {i} {key}");
                match want.get_ci(key) {
                    Some(w) => compare_list(&mut out, &what, w, slot),
                    None => {
                        if slot.is_some_and(|s| !s.is_empty()) {
                            out.push(format!(
                                "{what}: expected none, actual {}",
                                list_json(slot.unwrap_or(&[]))
                            ));
                        }
                    }
                }
            }
        }
    }
    if let Some(rs) = expected.get_ci("resultStack") {
        let mut actual: Vec<StackItem> = engine.result_stack().to_vec();
        actual.reverse();
        compare_list(&mut out, "resultStack", rs, Some(&actual));
    }
    if let Some(r) = expected.get_ci("refs") {
        let actual = engine.reference_count().to_string();
        if r.to_compact() != actual {
            out.push(format!("refs: expected {r}, actual {actual}"));
        }
    }
    out
}

fn list_json(items: &[StackItem]) -> String {
    Json::Array(items.iter().map(item_to_json).collect()).to_compact()
}

fn compare_list(out: &mut Vec<String>, what: &str, want: &Json, actual: Option<&[StackItem]>) {
    let actual = actual.unwrap_or(&[]);
    let Some(want) = want.as_array() else {
        out.push(format!("{what}: expected value is not an array"));
        return;
    };
    let expected: Result<Vec<Json>, SuiteError> = want.iter().map(normalize_expected).collect();
    let expected = match expected {
        Ok(e) => Json::Array(e),
        Err(e) => {
            out.push(format!("{what}: bad expected item: {e}"));
            return;
        }
    };
    let got = Json::Array(actual.iter().map(item_to_json).collect());
    if expected != got {
        out.push(format!(
            "{what}:\n      expected {expected}\n      actual   {got}"
        ));
    }
}

/// Normalises an expected item to the shape [`item_to_json`] produces.
pub fn normalize_expected(item: &Json) -> Result<Json, SuiteError> {
    let t = item
        .get_ci("type")
        .and_then(Json::as_str)
        .ok_or_else(|| err(format!("item without type: {item}")))?;
    let value = item.get_ci("value");
    let lower = t.to_ascii_lowercase();
    let value_out = match lower.as_str() {
        "null" => return Ok(Json::Object(vec![("type".into(), Json::str("Null"))])),
        "boolean" => match value {
            Some(Json::Bool(b)) => Json::Bool(*b),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Json::Bool(true),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Json::Bool(false),
            _ => return Err(err(format!("bad Boolean {item}"))),
        },
        "integer" => {
            let text = match value {
                Some(Json::Number(n)) => n.clone(),
                Some(Json::String(s)) => s.clone(),
                _ => return Err(err(format!("bad Integer {item}"))),
            };
            let v =
                Int::from_dec_str(text.trim()).ok_or_else(|| err(format!("bad Integer {item}")))?;
            Json::str(v.to_string())
        }
        "bytestring" | "buffer" => {
            let s = value
                .and_then(Json::as_str)
                .ok_or_else(|| err(format!("bad {t} {item}")))?;
            let h = s
                .strip_prefix("0x")
                .or_else(|| s.strip_prefix("0X"))
                .unwrap_or(s);
            let bytes = parse_hex(h).ok_or_else(|| err(format!("bad hex in {item}")))?;
            Json::str(hex_text(&bytes))
        }
        "string" => {
            let s = value
                .and_then(Json::as_str)
                .ok_or_else(|| err(format!("bad String {item}")))?;
            return Ok(typed("ByteString", Json::str(hex_text(s.as_bytes()))));
        }
        "array" | "struct" => {
            let a = value
                .and_then(Json::as_array)
                .ok_or_else(|| err(format!("bad {t} {item}")))?;
            Json::Array(a.iter().map(normalize_expected).collect::<Result<_, _>>()?)
        }
        "map" => {
            let Some(Json::Object(entries)) = value else {
                return Err(err(format!("bad Map {item}")));
            };
            let mut out = Vec::new();
            for (k, v) in entries {
                out.push((k.clone(), normalize_expected(v)?));
            }
            Json::Object(out)
        }
        "pointer" => match value {
            Some(Json::Number(n)) => Json::Number(n.clone()),
            _ => return Err(err(format!("bad Pointer {item}"))),
        },
        "interop" => value.cloned().unwrap_or(Json::Null),
        _ => return Err(err(format!("unknown item type {t:?}"))),
    };
    let name = match lower.as_str() {
        "boolean" => "Boolean",
        "integer" => "Integer",
        "bytestring" => "ByteString",
        "buffer" => "Buffer",
        "array" => "Array",
        "struct" => "Struct",
        "map" => "Map",
        "pointer" => "Pointer",
        _ => "Interop",
    };
    Ok(typed(name, value_out))
}

fn typed(t: &str, v: Json) -> Json {
    Json::Object(vec![("type".into(), Json::str(t)), ("value".into(), v)])
}

fn hex_text(b: &[u8]) -> String {
    if b.is_empty() {
        String::new()
    } else {
        format!("0x{}", hex(b))
    }
}

/// An item as suite-shaped JSON (`ItemToJson`): `{"type": T, "value": V}`; integers as decimal
/// strings, bytes as `0x` lowercase hex, map keys as the hex of the key bytes. Cyclic or huge
/// items are cut (at depth 64 or after 100,000 items) with a `"..."` marker.
pub fn item_to_json(item: &StackItem) -> Json {
    let mut budget = 100_000usize;
    item_json(item, 0, &mut budget)
}

fn item_json(item: &StackItem, depth: usize, budget: &mut usize) -> Json {
    if depth > 64 || *budget == 0 {
        return Json::str("...");
    }
    *budget -= 1;
    let v = match item {
        StackItem::Null => return Json::Object(vec![("type".into(), Json::str("Null"))]),
        StackItem::Boolean(b) => Json::Bool(*b),
        StackItem::Integer(i) => Json::str(i.to_string()),
        StackItem::ByteString(b) => Json::str(hex_text(b)),
        StackItem::Buffer(b) => Json::str(hex_text(&b.borrow())),
        StackItem::Array(a) | StackItem::Struct(a) => Json::Array(
            a.items()
                .iter()
                .map(|x| item_json(x, depth + 1, budget))
                .collect(),
        ),
        StackItem::Map(m) => Json::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (hex_text(&k.bytes()), item_json(v, depth + 1, budget)))
                .collect(),
        ),
        StackItem::Pointer(p) => Json::Number(p.position.to_string()),
        StackItem::Interop(o) => Json::str(o.type_name.to_string()),
    };
    typed(item.class_name(), v)
}

/// Counts for one file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// Category of the file.
    pub category: String,
    /// Name of the file.
    pub name: String,
    /// Per-test outcomes.
    pub outcomes: Vec<TestOutcome>,
}

impl FileReport {
    /// Tests that passed.
    pub fn passed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.failures.is_empty())
            .count()
    }
    /// Tests that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }
}

/// Parses and runs a whole suite file.
pub fn run_file_text(text: &str) -> Result<FileReport, SuiteError> {
    let file = parse_file(text)?;
    let outcomes = file.tests.iter().map(run_test).collect();
    Ok(FileReport {
        category: file.category,
        name: file.name,
        outcomes,
    })
}
