//! The store's guarantees: round trips, prefix scans, abort on drop, the one-process lock, and
//! a writer killed at random points never leaving a half-applied transaction.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xvm_store::{Durability, Reader, Store, StoreError, Table};

const T: Table = Table::new("test.kv");
const META: Table = Table::new("test.meta");

#[test]
fn round_trip_scan_and_abort() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // A table never written reads as empty.
    assert_eq!(store.read().unwrap().get(T, b"a").unwrap(), None);
    assert!(store
        .read()
        .unwrap()
        .scan_prefix(T, b"")
        .unwrap()
        .is_empty());

    let mut w = store.write().unwrap();
    w.put(T, b"ab1", b"x").unwrap();
    w.put(T, b"ab2", b"y").unwrap();
    w.put(T, b"ac", b"z").unwrap();
    w.put(T, b"b", b"w").unwrap();
    assert_eq!(w.get(T, b"ab2").unwrap().as_deref(), Some(&b"y"[..]));
    w.commit().unwrap();

    let r = store.read().unwrap();
    let keys: Vec<Vec<u8>> = r
        .scan_prefix(T, b"ab")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, vec![b"ab1".to_vec(), b"ab2".to_vec()]);
    assert_eq!(r.scan_prefix(T, b"a").unwrap().len(), 3);
    drop(r);

    // Dropped writes leave nothing.
    let mut w = store.write().unwrap();
    w.put(T, b"ab1", b"changed").unwrap();
    w.delete(T, b"b").unwrap();
    drop(w);
    let r = store.read().unwrap();
    assert_eq!(r.get(T, b"ab1").unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(r.get(T, b"b").unwrap().as_deref(), Some(&b"w"[..]));
    drop(r);

    let mut w = store.write().unwrap();
    assert_eq!(w.delete_prefix(T, b"a").unwrap(), 3);
    w.commit().unwrap();
    let r = store.read().unwrap();
    assert_eq!(
        r.scan_prefix(T, b"").unwrap(),
        vec![(b"b".to_vec(), b"w".to_vec())]
    );
    drop(r);
    drop(store);

    // Persisted across opens.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.read().unwrap().get(T, b"b").unwrap().as_deref(),
        Some(&b"w"[..])
    );
}

#[test]
fn second_open_waits_then_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();

    let start = Instant::now();
    let err = Store::open_with_timeout(dir.path(), Duration::from_millis(200)).unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert!(matches!(err, StoreError::Locked { .. }));
    assert!(
        err.to_string().contains("in use by another process"),
        "{err}"
    );

    // A waiter gets the store once the holder closes it.
    let path = dir.path().to_path_buf();
    let waiter =
        std::thread::spawn(move || Store::open_with_timeout(&path, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(150));
    drop(first);
    let second = waiter
        .join()
        .unwrap()
        .expect("opens after the first closes");
    drop(second);
}

#[test]
fn unusable_folder_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let err = Store::open(&file).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err}");
    // A file that is not a database.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join(xvm_store::FILE_NAME), vec![0x5a; 4096]).unwrap();
    assert!(Store::open(&bad).is_err());
}

/// The child half of the kill test: commits transactions forever. Each transaction `n` writes
/// 200 keys `n:i` and sets the meta counter to `n`, so a half-applied transaction shows as a
/// counter that disagrees with the keys.
#[test]
fn kill_child_writer() {
    let Some(dir) = std::env::var_os("XVM_STORE_KILL_CHILD") else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&dir)).unwrap();
    // Deferred: commits paced like a node's blocks, flushed in groups every 10 ms.
    let deferred = std::env::var_os("XVM_STORE_KILL_DEFERRED").is_some();
    if deferred {
        store
            .set_durability(Durability::Deferred(Duration::from_millis(10)))
            .unwrap();
    }
    let mut n: u64 = store
        .read()
        .unwrap()
        .get(META, b"n")
        .unwrap()
        .map(|v| u64::from_le_bytes(v.try_into().unwrap()))
        .unwrap_or(0);
    println!("ready");
    loop {
        n += 1;
        let mut w = store.write().unwrap();
        for i in 0..200u32 {
            w.put(T, format!("{n:010}:{i:03}").as_bytes(), &[7u8; 300])
                .unwrap();
        }
        w.put(META, b"n", &n.to_le_bytes()).unwrap();
        w.commit().unwrap();
        if deferred {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

fn check_consistent(dir: &std::path::Path) -> u64 {
    let store = Store::open(dir).expect("state opens after a kill");
    let r = store.read().unwrap();
    let n = r
        .get(META, b"n")
        .unwrap()
        .map(|v| u64::from_le_bytes(v.try_into().unwrap()))
        .unwrap_or(0);
    let rows = r.scan_prefix(T, b"").unwrap();
    assert_eq!(
        rows.len() as u64,
        n * 200,
        "counter {n} disagrees with {} rows",
        rows.len()
    );
    if n > 0 {
        let last = format!("{n:010}:199");
        assert!(rows.iter().any(|(k, _)| k == last.as_bytes()));
    }
    n
}

#[test]
fn writer_killed_at_random_points_leaves_last_commit() {
    kill_rounds(false);
}

/// With deferred durability a kill may lose the last commits, never consistency: every reopen
/// shows a whole transaction's rows for each counted one.
#[test]
fn deferred_writer_killed_at_random_points_reopens_consistent() {
    kill_rounds(true);
}

fn kill_rounds(deferred: bool) {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut last = 0;
    for round in 0..8 {
        let mut cmd = Command::new(&exe);
        cmd.args([
            "--exact",
            "kill_child_writer",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("XVM_STORE_KILL_CHILD", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        if deferred {
            cmd.env("XVM_STORE_KILL_DEFERRED", "1");
        }
        let mut child = cmd.spawn().unwrap();
        // Wait for the child to hold the store, then kill it after a pseudo-random delay.
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        for line in std::io::BufRead::lines(out) {
            if line.unwrap().contains("ready") {
                break;
            }
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(20 + seed % 180));
        child.kill().unwrap();
        child.wait().unwrap();
        let n = check_consistent(dir.path());
        assert!(
            n >= last,
            "round {round}: counter went back from {last} to {n}"
        );
        last = n;
    }
    assert!(last > 0, "the writer never committed");
}

/// Deferred commits are visible at once, flushed by `sync` or when the store closes, and the
/// next process sees them.
#[test]
fn deferred_commits_are_visible_then_persist_on_close() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        store
            .set_durability(Durability::Deferred(Duration::from_secs(3600)))
            .unwrap();
        // The first commit after opening finds no flush for an hour: it is deferred.
        for i in 0..10u8 {
            let mut w = store.write().unwrap();
            w.put(T, &[i], &[i; 8]).unwrap();
            w.commit().unwrap();
        }
        assert_eq!(store.read().unwrap().scan_prefix(T, b"").unwrap().len(), 10);
        assert!(store.has_unsynced());
        store.sync().unwrap();
        assert!(!store.has_unsynced());
        let mut w = store.write().unwrap();
        w.put(T, b"late", b"x").unwrap();
        w.commit().unwrap();
        assert!(store.has_unsynced());
    }
    let store = Store::open(dir.path()).unwrap();
    let r = store.read().unwrap();
    assert_eq!(r.scan_prefix(T, b"").unwrap().len(), 11);
    assert_eq!(r.get(T, b"late").unwrap().as_deref(), Some(&b"x"[..]));
}

/// The same random transactions (puts, deletes, prefix deletes, aborts) on a store that writes
/// each commit and on one that defers them, with flushes at random points: every read (gets,
/// scans, reads inside a write) agrees, and so do both files once reopened.
#[test]
fn deferred_store_reads_like_an_immediate_one() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let a = Store::open(a_dir.path()).unwrap();
    let mut b = Store::open(b_dir.path()).unwrap();
    b.set_durability(Durability::Deferred(Duration::from_secs(3600)))
        .unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let mut wa = a.write().unwrap();
        let mut wb = b.write().unwrap();
        for _ in 0..(next() % 6) {
            let key = [(next() % 4) as u8, (next() % 8) as u8];
            match next() % 5 {
                0 => {
                    wa.delete(T, &key).unwrap();
                    wb.delete(T, &key).unwrap();
                }
                1 => {
                    let p = [key[0]];
                    assert_eq!(
                        wa.delete_prefix(T, &p).unwrap(),
                        wb.delete_prefix(T, &p).unwrap()
                    );
                }
                _ => {
                    let v = next().to_le_bytes();
                    wa.put(T, &key, &v).unwrap();
                    wb.put(T, &key, &v).unwrap();
                }
            }
            assert_eq!(wa.get(T, &key).unwrap(), wb.get(T, &key).unwrap());
            assert_eq!(
                wa.scan_prefix(T, &key[..1]).unwrap(),
                wb.scan_prefix(T, &key[..1]).unwrap()
            );
        }
        if next() % 7 == 0 {
            drop(wa);
            drop(wb);
        } else {
            wa.commit().unwrap();
            wb.commit().unwrap();
        }
        if next() % 11 == 0 {
            b.sync().unwrap();
        }
        let (ra, rb) = (a.read().unwrap(), b.read().unwrap());
        assert_eq!(
            ra.scan_prefix(T, b"").unwrap(),
            rb.scan_prefix(T, b"").unwrap(),
            "round {round}"
        );
    }
    let want = a.read().unwrap().scan_prefix(T, b"").unwrap();
    drop(b);
    let b = Store::open(b_dir.path()).unwrap();
    assert_eq!(b.read().unwrap().scan_prefix(T, b"").unwrap(), want);
}

/// Flushes run on another thread while transactions commit and read: every read sees whole
/// commits (a counter and the keys it names agree), before, during and after each flush, and
/// the file holds everything once the store closes.
#[test]
fn deferred_flushes_from_another_thread_never_show_partial_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .set_durability(Durability::Deferred(Duration::from_millis(2)))
        .unwrap();
    let store = std::sync::Arc::new(store);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flusher = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut flushes = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                store.sync().unwrap();
                flushes += 1;
            }
            flushes
        })
    };
    let counter = |r: &dyn Reader| -> u64 {
        r.get(META, b"n")
            .unwrap()
            .map(|v| u64::from_le_bytes(v.try_into().unwrap()))
            .unwrap_or(0)
    };
    // What the store must hold after each commit.
    let mut model: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
    for n in 1..=2_000u64 {
        let mut w = store.write().unwrap();
        assert_eq!(counter(&w), n - 1);
        // Each commit rewrites one older key and deletes another, so that the layers disagree.
        w.put(T, &n.to_be_bytes(), &n.to_le_bytes()).unwrap();
        model.insert(n.to_be_bytes().to_vec(), n.to_le_bytes().to_vec());
        if n > 10 {
            w.put(T, &(n - 10).to_be_bytes(), b"old").unwrap();
            model.insert((n - 10).to_be_bytes().to_vec(), b"old".to_vec());
            w.delete(T, &(n - 5).to_be_bytes()).unwrap();
            model.remove(&(n - 5).to_be_bytes()[..]);
        }
        w.put(META, b"n", &n.to_le_bytes()).unwrap();
        w.commit().unwrap();
        let r = store.read().unwrap();
        assert_eq!(counter(&r), n);
        let rows = r.scan_prefix(T, b"").unwrap();
        assert!(
            rows.iter().map(|(k, v)| (k, v)).eq(model.iter()),
            "commit {n}"
        );
        for k in [n, n.saturating_sub(5), n.saturating_sub(10)] {
            assert_eq!(
                r.get(T, &k.to_be_bytes()).unwrap().as_ref(),
                model.get(&k.to_be_bytes()[..]),
                "commit {n}, key {k}"
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(flusher.join().unwrap() > 0);
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    let r = store.read().unwrap();
    assert_eq!(
        r.get(META, b"n").unwrap().as_deref(),
        Some(&2_000u64.to_le_bytes()[..])
    );
    assert!(!store.has_unsynced());
}
