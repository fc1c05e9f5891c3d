//! Errors of the store, each a one-line message for the user.

use std::path::PathBuf;

/// What can go wrong opening, reading or writing the state.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the state file and did not release it in time.
    #[error("state {} is in use by another process (waited {waited_secs} s; set XVM_LOCK_TIMEOUT to wait longer)", path.display())]
    Locked {
        /// The state file.
        path: PathBuf,
        /// How long this process waited.
        waited_secs: u64,
    },
    /// The folder or file could not be created or read.
    #[error("state {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The database refused an operation.
    #[error("state database: {0}")]
    Db(String),
    /// Stored bytes do not decode as their user expects (reported by users of the store).
    #[error("state is corrupt: {0}")]
    Corrupt(String),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.to_string())
            }
        }
    )*};
}
from_redb!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
