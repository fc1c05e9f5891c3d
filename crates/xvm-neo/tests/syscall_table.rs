//! Every syscall of ../shared/specs/neovm-syscalls.tsv is implemented with the table's hash,
//! fixed price and required call flags (except the two native persist hooks, which only run
//! while a node persists a block).

use std::path::PathBuf;
use xvm_neo::types::call_flags as cf;

fn spec() -> Option<String> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/specs/neovm-syscalls.tsv"
    ));
    match std::fs::read_to_string(&p) {
        Ok(t) => Some(t),
        Err(e) => {
            let msg = format!("{}: {e}", p.display());
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg} (CI=true: the table must be checked)");
            }
            eprintln!("skipping: {msg}");
            None
        }
    }
}

fn flags(text: &str) -> u8 {
    text.split('|')
        .map(|f| match f.trim() {
            "None" => cf::NONE,
            "ReadStates" => cf::READ_STATES,
            "WriteStates" => cf::WRITE_STATES,
            "AllowCall" => cf::ALLOW_CALL,
            "AllowNotify" => cf::ALLOW_NOTIFY,
            "States" => cf::STATES,
            "ReadOnly" => cf::READ_ONLY,
            "All" => cf::ALL,
            other => panic!("unknown flag {other}"),
        })
        .fold(0, |a, b| a | b)
}

#[test]
fn syscalls_match_the_spec_table() {
    let Some(text) = spec() else { return };
    let ours = xvm_neo::syscalls::standard();
    let mut checked = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, hash, price, fl) = (f[0], f[1], f[3], f[4]);
        if name.contains("Persist") {
            continue;
        }
        let s = ours
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(format!("0x{:08x}", s.hash), hash, "{name} hash");
        assert_eq!(s.price, price.parse::<i64>().unwrap(), "{name} price");
        assert_eq!(s.flags, flags(fl), "{name} flags");
        checked += 1;
    }
    assert_eq!(checked, 39);
}
