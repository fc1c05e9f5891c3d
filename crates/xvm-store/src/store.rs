//! Opening the state file: where it lives, creation, and the one-process lock.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::{ReadTxn, StoreError, WriteTxn};

/// The state folder used when neither `--state` nor `XVM_STATE` names one.
pub const DEFAULT_DIR: &str = ".xvm";
/// The database file inside the state folder.
pub const FILE_NAME: &str = "state.redb";

/// The state folder: `cli` when given (the `--state DIR` option), else env `XVM_STATE`, else
/// [`DEFAULT_DIR`] in the working folder.
pub fn resolve_dir(cli: Option<&Path>) -> PathBuf {
    if let Some(dir) = cli {
        return dir.to_path_buf();
    }
    match std::env::var_os("XVM_STATE") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_DIR),
    }
}

/// How long [`Store::open`] waits for another process: `XVM_LOCK_TIMEOUT` seconds (a number,
/// fractions allowed), default 10.
pub fn lock_timeout() -> Duration {
    std::env::var("XVM_LOCK_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(10))
}

/// When a commit reaches the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Each commit is on disk when [`WriteTxn::commit`](crate::WriteTxn::commit) returns (the
    /// default).
    Immediate,
    /// Commits are applied in memory (every reader of this store sees them at once) and reach
    /// the disk together, in one database transaction: at the first commit made this long
    /// after the oldest one waiting, at [`Store::sync`], or when the store is dropped. A killed
    /// process loses at most the commits of that window, and the file reopens at a consistent
    /// commit. For servers that commit many small transactions (a development node mining a
    /// block per transaction), where writing each commit's pages would cost more than the work.
    Deferred(Duration),
}

/// Commits waiting for the disk: per table, key to value (`None`: deleted).
pub(crate) type Overlay = HashMap<&'static str, BTreeMap<Vec<u8>, Option<Vec<u8>>>>;

/// What [`Durability::Deferred`] holds in memory: two layers over the database, each shared
/// with the read transactions that started since it last changed.
#[derive(Default)]
pub(crate) struct Pending {
    /// Commits not yet handed to a flush (the top layer).
    pub(crate) overlay: Arc<Overlay>,
    /// Commits a flush is writing to the database (empty between flushes; kept after a failed
    /// flush for the next one). Dropped only once they are in the database.
    pub(crate) flushing: Arc<Overlay>,
    /// When the oldest commit in `overlay` was made.
    since: Option<Instant>,
}

/// One open state file. Reads see a consistent snapshot; writes are all-or-nothing.
pub struct Store {
    db: redb::Database,
    dir: PathBuf,
    durability: Durability,
    pending: Mutex<Pending>,
    /// One write transaction at a time (redb's own rule; kept for buffered ones too).
    writer: Mutex<()>,
    /// One flush at a time. Separate from `writer`: a flush writes the database while new
    /// transactions commit to memory.
    flusher: Mutex<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Opens `dir/state.redb`, creating the folder and the file on first use. Waits up to
    /// [`lock_timeout`] while another process has it open.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with_timeout(dir, lock_timeout())
    }

    /// [`Store::open`] with an explicit wait for another process's lock.
    pub fn open_with_timeout(dir: &Path, timeout: Duration) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(FILE_NAME);
        let start = Instant::now();
        loop {
            match redb::Database::create(&path) {
                Ok(db) => {
                    return Ok(Store {
                        db,
                        dir: dir.to_path_buf(),
                        durability: Durability::Immediate,
                        pending: Mutex::new(Pending::default()),
                        writer: Mutex::new(()),
                        flusher: Mutex::new(()),
                    })
                }
                Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                    if start.elapsed() >= timeout {
                        return Err(StoreError::Locked {
                            path,
                            waited_secs: start.elapsed().as_secs(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(redb::DatabaseError::Storage(redb::StorageError::Io(source))) => {
                    return Err(StoreError::Io { path, source })
                }
                Err(e) => return Err(StoreError::Db(format!("{}: {e}", path.display()))),
            }
        }
    }

    /// The state folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A consistent snapshot of the committed state (deferred commits included).
    pub fn read(&self) -> Result<ReadTxn<'_>, StoreError> {
        // The layers are taken before the database snapshot, under the lock a flush takes to
        // drop its layer, and a flush drops its layer only after its commit: a reader either
        // still has the layer, or its snapshot already holds what the layer held.
        let pending = lock(&self.pending);
        let (overlay, flushing) = (pending.overlay.clone(), pending.flushing.clone());
        Ok(ReadTxn::new(self.db.begin_read()?, overlay, flushing))
    }

    /// A write transaction: nothing is visible to others until [`WriteTxn::commit`]; dropping it
    /// discards every change. One at a time: a second waits for the first to end.
    pub fn write(&self) -> Result<WriteTxn<'_>, StoreError> {
        let guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        match self.durability {
            Durability::Immediate => Ok(WriteTxn::direct(self.db.begin_write()?, guard)),
            Durability::Deferred(_) => Ok(WriteTxn::buffered(self.read()?, guard, self)),
        }
    }

    /// How commits reach the disk from now on (see [`Durability`]); commits still in memory are
    /// written first.
    pub fn set_durability(&mut self, durability: Durability) -> Result<(), StoreError> {
        self.sync()?;
        self.durability = durability;
        Ok(())
    }

    /// The current [`Durability`].
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Puts every commit made so far on disk (nothing to do under [`Durability::Immediate`]).
    /// It does not wait for write transactions: they commit to memory meanwhile, and reads
    /// are never held up by the disk (a server may call this from another thread at any time).
    pub fn sync(&self) -> Result<(), StoreError> {
        let _flusher = self.flusher.lock().unwrap_or_else(|e| e.into_inner());
        self.flush()
    }

    /// Whether commits are waiting for the disk.
    pub fn has_unsynced(&self) -> bool {
        let p = lock(&self.pending);
        p.since.is_some() || !p.flushing.is_empty()
    }

    /// Applies a buffered transaction's changes to the in-memory commits (the caller holds the
    /// writer lock), and writes them all out when the oldest has waited long enough (unless a
    /// flush is already running: it or the next one takes them).
    pub(crate) fn commit_buffered(&self, ops: Overlay) -> Result<(), StoreError> {
        if ops.values().all(|t| t.is_empty()) {
            return Ok(());
        }
        let due = {
            let mut p = lock(&self.pending);
            let overlay = Arc::make_mut(&mut p.overlay);
            for (table, rows) in ops {
                overlay.entry(table).or_default().extend(rows);
            }
            let since = *p.since.get_or_insert_with(Instant::now);
            matches!(self.durability, Durability::Deferred(max) if since.elapsed() >= max)
        };
        if due {
            if let Ok(_flusher) = self.flusher.try_lock() {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the in-memory commits in one durable database transaction (the caller holds the
    /// flusher lock). The commits move to the `flushing` layer, which readers still see while
    /// the database is written without any other lock held; the layer is dropped once the
    /// commit is durable. On failure it stays, and the next flush writes it again.
    fn flush(&self) -> Result<(), StoreError> {
        let batch = {
            let mut p = lock(&self.pending);
            if p.since.is_none() && p.flushing.is_empty() {
                return Ok(());
            }
            let newer = std::mem::take(&mut p.overlay);
            if p.flushing.is_empty() {
                p.flushing = newer;
            } else {
                // A failed flush left its layer: the newer commits go on top of it.
                let flushing = Arc::make_mut(&mut p.flushing);
                for (table, rows) in newer.iter() {
                    let t = flushing.entry(table).or_default();
                    for (k, v) in rows {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
            p.since = None;
            p.flushing.clone()
        };
        let txn = self.db.begin_write()?;
        for (table, rows) in batch.iter() {
            let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new(table))?;
            for (k, v) in rows {
                match v {
                    Some(v) => {
                        t.insert(k.as_slice(), v.as_slice())?;
                    }
                    None => {
                        t.remove(k.as_slice())?;
                    }
                }
            }
        }
        txn.commit()?;
        lock(&self.pending).flushing = Arc::default();
        Ok(())
    }
}

impl Drop for Store {
    /// Deferred commits reach the disk when the store closes (errors cannot be reported here;
    /// the file then reopens at the last commit that reached it).
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

/// The pending commits, even after a panic while they were held (every change to them is
/// made whole or not at all under the lock).
fn lock(m: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
