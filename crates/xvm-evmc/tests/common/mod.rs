//! Shared test helpers: where the shared libraries are, and a recording in-memory host.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use xvm::LoadedVm;
use xvm_evm::{
    AccessStatus, Address, AnalyzedCode, Bytes, ExecResult, Host, Message, Revision, StatusCode,
    StorageStatus, TxContext, Vm, B256, U256,
};

/// Serialises the tests of one binary that read process-wide counters.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// `target/<profile>` of this test run (the test executable lives in its `deps/`).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let deps = exe.parent().expect("exe dir");
    deps.parent().expect("profile dir").to_path_buf()
}

/// The `libxvm.so` cargo built for this test run: building an integration test builds the
/// package's library with all its crate types, the cdylib included, into `deps/`.
pub fn libxvm_path() -> PathBuf {
    let name = format!(
        "{}xvm{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let dir = profile_dir();
    for candidate in [dir.join("deps").join(&name), dir.join(&name)] {
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "{name} not found in {} or its deps/: build it with `cargo build -p xvm-evmc`",
        dir.display()
    );
}

/// A private directory for this test process's files.
pub fn scratch_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = profile_dir().join("xvm-evmc-tests");
        // Remove the directories of earlier test processes that are gone (Linux: /proc/<pid>).
        if Path::new("/proc/self").exists() {
            for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
                let name = entry.file_name();
                let gone = name
                    .to_str()
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists());
                if gone {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let d = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&d).expect("create scratch dir");
        d
    })
    .clone()
}

/// `examples/fake_evmc_vm.rs` compiled into a shared library with rustc directly (no cargo lock
/// needed, works whatever cargo built before), once per test process.
pub fn fake_vm_lib() -> PathBuf {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fake_evmc_vm.rs");
        let out = scratch_dir().join(format!(
            "{}fake_evmc_vm{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        ));
        // The rustc next to the cargo that runs the tests, else the one on PATH.
        let rustc = std::env::var_os("RUSTC")
            .map(PathBuf::from)
            .or_else(|| {
                let cargo = PathBuf::from(std::env::var_os("CARGO")?);
                let rustc = cargo.with_file_name(format!("rustc{}", std::env::consts::EXE_SUFFIX));
                rustc.is_file().then_some(rustc)
            })
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let status = Command::new(&rustc)
            .args(["--edition", "2021", "--crate-type", "cdylib"])
            .args(["--crate-name", "fake_evmc_vm", "-C", "opt-level=0"])
            .args(["-C", "debuginfo=0", "-C", "strip=debuginfo"])
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", rustc.display()));
        assert!(status.success(), "compiling {} failed", src.display());
        out
    })
    .clone()
}

/// `lib` under the name `file_name` in the scratch directory (a hard link, else a copy): the
/// loader derives the create function's name from the file name.
pub fn copy_as(lib: &Path, file_name: &str) -> PathBuf {
    let to = scratch_dir().join(file_name);
    if !to.exists() && std::fs::hard_link(lib, &to).is_err() {
        std::fs::copy(lib, &to).expect("copy library");
    }
    to
}

/// libxvm.so loaded through xvm's own loader.
pub fn load_xvm() -> LoadedVm {
    LoadedVm::load(libxvm_path()).expect("load libxvm")
}

/// Reads a `fn() -> T` symbol of a shared library (for the fake VM's and libxvm's counters).
pub fn read_counter<T>(lib: &Path, symbol: &str) -> T {
    // SAFETY: the test libraries export these symbols with exactly this signature.
    unsafe {
        let l = libloading::Library::new(lib).expect("open lib");
        let f = l
            .get::<unsafe extern "C" fn() -> T>(symbol.as_bytes())
            .expect("symbol");
        f()
    }
}

/// An in-memory host that records every callback. Nested calls run the callee's code through
/// `vm` (re-entering it), or answer a canned result when the callee has no code or there is no
/// VM.
pub struct TestHost<'v, V: Vm> {
    pub vm: Option<&'v V>,
    pub rev: Revision,
    pub calls: BTreeMap<&'static str, u32>,
    pub storage: HashMap<(Address, U256), U256>,
    pub original: HashMap<(Address, U256), U256>,
    pub transient: HashMap<(Address, U256), U256>,
    pub balances: HashMap<Address, U256>,
    pub codes: HashMap<Address, Bytes>,
    pub warm_accounts: HashSet<Address>,
    pub warm_slots: HashSet<(Address, U256)>,
    pub logs: Vec<(Address, Vec<B256>, Bytes)>,
    pub destructed: Vec<(Address, Address)>,
    pub messages: Vec<Message>,
    pub tx: TxContext,
    /// Gas left that nested calls answer instead of the real one (to test impossible results).
    pub forced_gas_left: Option<i64>,
    /// Callback name that panics when called for the n-th time.
    pub panic_in: Option<(&'static str, u32)>,
    /// Nested calls answer this status (no gas left) and output instead of running code.
    pub forced_result: Option<(StatusCode, Bytes)>,
    /// Keep a copy of every nested message in `messages` (off for long-running tests).
    pub record_messages: bool,
}

impl<'v, V: Vm> TestHost<'v, V> {
    pub fn new(vm: Option<&'v V>, rev: Revision) -> Self {
        TestHost {
            vm,
            rev,
            calls: BTreeMap::new(),
            storage: HashMap::new(),
            original: HashMap::new(),
            transient: HashMap::new(),
            balances: HashMap::new(),
            codes: HashMap::new(),
            warm_accounts: HashSet::new(),
            warm_slots: HashSet::new(),
            logs: Vec::new(),
            destructed: Vec::new(),
            messages: Vec::new(),
            tx: TxContext {
                gas_price: U256::from(7),
                origin: Address::repeat_byte(0x0f),
                coinbase: Address::repeat_byte(0xc0),
                number: 1000,
                timestamp: 1_700_000_000,
                gas_limit: 30_000_000,
                prev_randao: B256::repeat_byte(0x52),
                chain_id: U256::from(1),
                base_fee: U256::from(10),
                blob_base_fee: U256::from(1),
                blob_hashes: vec![B256::repeat_byte(0x01), B256::repeat_byte(0x02)],
            },
            panic_in: None,
            forced_gas_left: None,
            forced_result: None,
            record_messages: true,
        }
    }

    fn hit(&mut self, name: &'static str) {
        let n = self.calls.entry(name).or_default();
        *n += 1;
        if self.panic_in == Some((name, *n)) {
            panic!("test host panics in {name}");
        }
    }

    pub fn count(&self, name: &str) -> u32 {
        self.calls.get(name).copied().unwrap_or(0)
    }

    /// The fake code hash of an account.
    pub fn code_hash_of(addr: &Address) -> B256 {
        let mut h = B256::repeat_byte(0xcc);
        h[..20].copy_from_slice(addr.as_slice());
        h
    }

    /// The fake hash of block `n`.
    pub fn block_hash_of(n: i64) -> B256 {
        B256::from(U256::from(0xb10c_0000u64 + n as u64))
    }
}

impl<V: Vm> Host for TestHost<'_, V> {
    fn account_exists(&mut self, addr: &Address) -> bool {
        self.hit("account_exists");
        self.balances.contains_key(addr) || self.codes.contains_key(addr)
    }

    fn get_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.hit("get_storage");
        self.storage
            .get(&(*addr, *key))
            .copied()
            .unwrap_or_default()
    }

    fn set_storage(&mut self, addr: &Address, key: &U256, value: &U256) -> StorageStatus {
        self.hit("set_storage");
        let current = self
            .storage
            .get(&(*addr, *key))
            .copied()
            .unwrap_or_default();
        let original = *self.original.entry((*addr, *key)).or_insert(current);
        self.storage.insert((*addr, *key), *value);
        StorageStatus::classify(&original, &current, value)
    }

    fn get_balance(&mut self, addr: &Address) -> U256 {
        self.hit("get_balance");
        self.balances.get(addr).copied().unwrap_or_default()
    }

    fn get_code_size(&mut self, addr: &Address) -> usize {
        self.hit("get_code_size");
        self.codes.get(addr).map_or(0, |c| c.len())
    }

    fn get_code_hash(&mut self, addr: &Address) -> B256 {
        self.hit("get_code_hash");
        if self.codes.contains_key(addr) {
            Self::code_hash_of(addr)
        } else {
            B256::ZERO
        }
    }

    fn copy_code(&mut self, addr: &Address, offset: usize, buf: &mut [u8]) -> usize {
        self.hit("copy_code");
        let code = self.codes.get(addr).cloned().unwrap_or_default();
        let src = code.get(offset..).unwrap_or(&[]);
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        n
    }

    fn selfdestruct(&mut self, addr: &Address, beneficiary: &Address) -> bool {
        self.hit("selfdestruct");
        let first = !self.destructed.iter().any(|(a, _)| a == addr);
        self.destructed.push((*addr, *beneficiary));
        first
    }

    fn call(&mut self, msg: &Message) -> ExecResult {
        self.hit("call");
        if self.record_messages {
            self.messages.push(msg.clone());
        }
        if let Some((status, output)) = self.forced_result.clone() {
            return ExecResult {
                status,
                gas_left: 0,
                gas_refund: 0,
                output,
                create_address: None,
            };
        }
        let code = self.codes.get(&msg.code_address).cloned();
        match (self.vm, code) {
            (Some(vm), Some(code)) => {
                let rev = self.rev;
                let mut r = vm.execute(self, rev, msg, &AnalyzedCode::new(&code));
                if let Some(g) = self.forced_gas_left {
                    r.gas_left = g;
                }
                r
            }
            _ => ExecResult {
                status: StatusCode::Success,
                gas_left: msg.gas - 10,
                gas_refund: 0,
                output: Bytes::from(format!("sub{}", msg.depth).into_bytes()),
                create_address: msg.kind.is_create().then(|| Address::repeat_byte(0xcc)),
            },
        }
    }

    fn get_tx_context(&mut self) -> &TxContext {
        self.hit("get_tx_context");
        &self.tx
    }

    fn get_block_hash(&mut self, number: i64) -> B256 {
        self.hit("get_block_hash");
        Self::block_hash_of(number)
    }

    fn emit_log(&mut self, addr: &Address, topics: &[B256], data: &[u8]) {
        self.hit("emit_log");
        self.logs
            .push((*addr, topics.to_vec(), Bytes::copy_from_slice(data)));
    }

    fn access_account(&mut self, addr: &Address) -> AccessStatus {
        self.hit("access_account");
        if self.warm_accounts.insert(*addr) {
            AccessStatus::Cold
        } else {
            AccessStatus::Warm
        }
    }

    fn access_storage(&mut self, addr: &Address, key: &U256) -> AccessStatus {
        self.hit("access_storage");
        if self.warm_slots.insert((*addr, *key)) {
            AccessStatus::Cold
        } else {
            AccessStatus::Warm
        }
    }

    fn get_transient_storage(&mut self, addr: &Address, key: &U256) -> U256 {
        self.hit("get_transient_storage");
        self.transient
            .get(&(*addr, *key))
            .copied()
            .unwrap_or_default()
    }

    fn set_transient_storage(&mut self, addr: &Address, key: &U256, value: &U256) {
        self.hit("set_transient_storage");
        self.transient.insert((*addr, *key), *value);
    }
}

/// Every callback of the EVMC host interface, by the names the test host records.
pub const ALL_CALLBACKS: [&str; 16] = [
    "account_exists",
    "get_storage",
    "set_storage",
    "get_balance",
    "get_code_size",
    "get_code_hash",
    "copy_code",
    "selfdestruct",
    "call",
    "get_tx_context",
    "get_block_hash",
    "emit_log",
    "access_account",
    "access_storage",
    "get_transient_storage",
    "set_transient_storage",
];
