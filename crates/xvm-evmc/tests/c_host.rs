//! libxvm.so driven by a real C host (`tests/c_host/host.c`, EVMC 12 structs written in C with
//! the header's sizes checked by the C compiler), and the same run under valgrind: no invalid
//! access and no definite or indirect leak.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Compiles the C host into the scratch directory; `None` (with a reason printed) when there is
/// no C compiler.
fn build_c_host() -> Option<std::path::PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    if !have(&cc) {
        eprintln!("skipping: no C compiler ({cc})");
        return None;
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c_host/host.c");
    let exe = scratch_dir().join("c_host");
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g", "-o"])
        .arg(&exe)
        .arg(&src)
        .arg("-ldl")
        .status()
        .expect("run cc");
    assert!(status.success(), "compiling {} failed", src.display());
    Some(exe)
}

/// The C host's report of the deep call chain: the peak memory after the first round and after
/// the last (kB). The host itself checks that every result was released and that the peak did not
/// grow over the rounds.
fn check_deep_chain_memory(report: &str) {
    let line = report
        .lines()
        .find(|l| l.starts_with("deep chain:"))
        .unwrap_or_else(|| panic!("no deep chain report in {report}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    // [rounds, ms, ms, frac, ms, frac, hwm_first, hwm_last, rss]
    let (hwm_first, hwm_last) = (numbers[numbers.len() - 3], numbers[numbers.len() - 2]);
    if hwm_first == 0 {
        eprintln!("no /proc/self/status: memory not measured");
        return;
    }
    // What 1025 frames need at the least: 64 KiB of EVM memory and a 32 KiB stack each. The
    // input each frame passes on is read in place (a copy per frame would add 64 KiB each).
    let needed_kb = 1025 * (64 + 32);
    let bound_kb = needed_kb * 12 / 10 + 16 * 1024;
    assert!(
        hwm_first < bound_kb,
        "peak {hwm_first} kB for a 1024-deep chain, over {bound_kb} kB: {line}"
    );
    assert!(hwm_last - hwm_first < 16 * 1024, "{line}");
}

#[test]
fn c_host_runs_libxvm_and_valgrind_finds_no_error_or_leak() {
    let Some(host) = build_c_host() else {
        return;
    };
    let lib = libxvm_path();
    // Every check of the C host, and the 1024-deep call chain 100 times over.
    let out = Command::new(&host)
        .arg(&lib)
        .arg("100")
        .output()
        .expect("run c host");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("c host: ok"),
        "C host failed: {}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{stdout}");
    check_deep_chain_memory(&stdout);

    if !have("valgrind") {
        eprintln!("skipping the valgrind part: valgrind is not installed");
        return;
    }
    let out = Command::new("valgrind")
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=9",
        ])
        .arg(&host)
        .arg(&lib)
        .arg("1")
        .output()
        .expect("run valgrind");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "valgrind reported errors or leaks:\n{stderr}"
    );
    assert!(
        stderr.contains("definitely lost: 0 bytes") || stderr.contains("no leaks are possible"),
        "{stderr}"
    );
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
}
