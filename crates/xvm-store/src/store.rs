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

/// One open state file. Reads see a consistent snapshot; writes are all-or-nothing.
pub struct Store {
    db: redb::Database,
    dir: PathBuf,
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
        Ok(WriteTxn::new(self.db.begin_write()?))
    }
}
