//! Opening the state file: where it lives, creation, and the one-process lock.

use std::path::{Path, PathBuf};
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
    /// Commits are visible at once but reach the disk together: with the first commit made at
    /// least this long after the last one that did, at [`Store::sync`], or when the store is
    /// dropped. A killed process loses at most the commits of that window, and the file still
    /// reopens at a consistent commit. For servers that commit many small transactions (a
    /// development node mining a block per transaction), where one disk flush per commit
    /// would cost more than the work itself.
    Deferred(Duration),
}

/// Whether commits are waiting for a disk flush, and when the last flush was.
struct SyncState {
    pending: bool,
    last: Instant,
}

/// One open state file. Reads see a consistent snapshot; writes are all-or-nothing.
pub struct Store {
    db: redb::Database,
    dir: PathBuf,
    durability: Durability,
    sync: std::sync::Mutex<SyncState>,
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
                        sync: std::sync::Mutex::new(SyncState {
                            pending: false,
                            last: Instant::now(),
                        }),
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

    /// A consistent snapshot of the committed state.
    pub fn read(&self) -> Result<ReadTxn<'_>, StoreError> {
        Ok(ReadTxn::new(self.db.begin_read()?))
    }

    /// A write transaction: nothing is visible to others until [`WriteTxn::commit`]; dropping it
    /// discards every change.
    pub fn write(&self) -> Result<WriteTxn<'_>, StoreError> {
        Ok(WriteTxn::new(self.db.begin_write()?, self))
    }

    /// How commits reach the disk from now on (see [`Durability`]).
    pub fn set_durability(&mut self, durability: Durability) {
        self.durability = durability;
    }

    /// The current [`Durability`].
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Puts every commit made so far on disk (nothing to do under [`Durability::Immediate`]).
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut st = lock(&self.sync);
        if st.pending {
            let mut t = self.db.begin_write()?;
            t.set_durability(redb::Durability::Immediate);
            t.commit()?;
            st.pending = false;
            st.last = Instant::now();
        }
        Ok(())
    }

    /// Whether commits are waiting for a disk flush.
    pub fn has_unsynced(&self) -> bool {
        lock(&self.sync).pending
    }

    /// Commits `txn` with the durability the policy asks for now.
    pub(crate) fn commit(&self, mut txn: redb::WriteTransaction) -> Result<(), StoreError> {
        let mut st = lock(&self.sync);
        let durable = match self.durability {
            Durability::Immediate => true,
            Durability::Deferred(max) => st.last.elapsed() >= max,
        };
        if !durable {
            txn.set_durability(redb::Durability::None);
        }
        txn.commit()?;
        if durable {
            st.pending = false;
            st.last = Instant::now();
        } else {
            st.pending = true;
        }
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

/// The sync state, even after a panic while it was held (it holds two plain fields).
fn lock(m: &std::sync::Mutex<SyncState>) -> std::sync::MutexGuard<'_, SyncState> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
