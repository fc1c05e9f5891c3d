//! Tables and transactions.

use std::marker::PhantomData;

use redb::{ReadableTable, TableDefinition};

use crate::StoreError;

/// Rows of a scan: `(key, value)` pairs in ascending key order.
pub type Rows = Vec<(Vec<u8>, Vec<u8>)>;

/// A named table of byte keys to byte values. Each user of the store defines its own, e.g.
/// `const NEO_STORAGE: Table = Table::new("neo.storage");`. A table never written reads as empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    name: &'static str,
}

impl Table {
    /// A table called `name` (by convention `chain.what`, e.g. `evm.accounts`).
    pub const fn new(name: &'static str) -> Table {
        Table { name }
    }

    /// The table's name in the database.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn def(&self) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
        TableDefinition::new(self.name)
    }
}

/// Reads, on both kinds of transaction.
pub trait Reader {
    /// The value at `key`, if any.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every `(key, value)` whose key starts with `prefix`, in ascending key order.
    fn scan_prefix(&self, table: Table, prefix: &[u8]) -> Result<Rows, StoreError>;
}

fn get_in<T: ReadableTable<&'static [u8], &'static [u8]>>(
    t: &T,
    key: &[u8],
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(t.get(key)?.map(|v| v.value().to_vec()))
}

fn scan_in<T: ReadableTable<&'static [u8], &'static [u8]>>(
    t: &T,
    prefix: &[u8],
) -> Result<Rows, StoreError> {
    let mut out = Vec::new();
    for entry in t.range::<&[u8]>(prefix..)? {
        let (k, v) = entry?;
        let k = k.value();
        if !k.starts_with(prefix) {
            break;
        }
        out.push((k.to_vec(), v.value().to_vec()));
    }
    Ok(out)
}

/// A consistent snapshot of the committed state.
pub struct ReadTxn<'a> {
    txn: redb::ReadTransaction,
    _store: PhantomData<&'a ()>,
}

impl ReadTxn<'_> {
    pub(crate) fn new(txn: redb::ReadTransaction) -> Self {
        ReadTxn {
            txn,
            _store: PhantomData,
        }
    }
}

impl Reader for ReadTxn<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.txn.open_table(table.def()) {
            Ok(t) => get_in(&t, key),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn scan_prefix(&self, table: Table, prefix: &[u8]) -> Result<Rows, StoreError> {
        match self.txn.open_table(table.def()) {
            Ok(t) => scan_in(&t, prefix),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }
}

/// An all-or-nothing write: reads see its own changes; [`WriteTxn::commit`] makes them durable
/// at once, dropping it discards them.
pub struct WriteTxn<'a> {
    txn: redb::WriteTransaction,
    store: &'a crate::Store,
}

impl<'a> WriteTxn<'a> {
    pub(crate) fn new(txn: redb::WriteTransaction, store: &'a crate::Store) -> Self {
        WriteTxn { txn, store }
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, table: Table, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let mut t = self.txn.open_table(table.def())?;
        t.insert(key, value)?;
        Ok(())
    }

    /// Removes `key` (nothing when absent).
    pub fn delete(&mut self, table: Table, key: &[u8]) -> Result<(), StoreError> {
        let mut t = self.txn.open_table(table.def())?;
        t.remove(key)?;
        Ok(())
    }

    /// Removes every key that starts with `prefix`; returns how many.
    pub fn delete_prefix(&mut self, table: Table, prefix: &[u8]) -> Result<usize, StoreError> {
        let keys: Vec<Vec<u8>> = self
            .scan_prefix(table, prefix)?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        if keys.is_empty() {
            return Ok(0);
        }
        let mut t = self.txn.open_table(table.def())?;
        for k in &keys {
            t.remove(k.as_slice())?;
        }
        Ok(keys.len())
    }

    /// Applies every change of this transaction, all at once; it is on disk when this returns
    /// under [`Durability::Immediate`](crate::Durability::Immediate) (the default), else as the
    /// store's [`Durability`](crate::Durability) says.
    pub fn commit(self) -> Result<(), StoreError> {
        self.store.commit(self.txn)
    }
}

impl Reader for WriteTxn<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.txn.open_table(table.def()) {
            Ok(t) => get_in(&t, key),
            Err(e) => Err(e.into()),
        }
    }

    fn scan_prefix(&self, table: Table, prefix: &[u8]) -> Result<Rows, StoreError> {
        let t = self.txn.open_table(table.def())?;
        scan_in(&t, prefix)
    }
}
