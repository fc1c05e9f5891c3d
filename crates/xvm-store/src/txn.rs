//! Tables and transactions.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ops::Bound;
use std::sync::{Arc, MutexGuard};

use redb::{ReadableTable, TableDefinition};

use crate::store::Overlay;
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

/// `rows` (from the database, ascending) with the changes of `layer` under `prefix` applied.
fn merge(rows: Rows, layer: Option<&BTreeMap<Vec<u8>, Option<Vec<u8>>>>, prefix: &[u8]) -> Rows {
    let Some(layer) = layer else {
        return rows;
    };
    let mut changes = layer
        .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
        .take_while(|(k, _)| k.starts_with(prefix))
        .peekable();
    if changes.peek().is_none() {
        return rows;
    }
    let mut all: BTreeMap<Vec<u8>, Vec<u8>> = rows.into_iter().collect();
    for (k, v) in changes {
        match v {
            Some(v) => all.insert(k.clone(), v.clone()),
            None => all.remove(k),
        };
    }
    all.into_iter().collect()
}

/// A consistent snapshot of the committed state.
pub struct ReadTxn<'a> {
    txn: redb::ReadTransaction,
    /// Commits not yet on disk ([`Durability::Deferred`](crate::Durability::Deferred)): the
    /// newest, over those a flush is writing.
    overlay: Arc<Overlay>,
    flushing: Arc<Overlay>,
    _store: PhantomData<&'a ()>,
}

impl ReadTxn<'_> {
    pub(crate) fn new(
        txn: redb::ReadTransaction,
        overlay: Arc<Overlay>,
        flushing: Arc<Overlay>,
    ) -> Self {
        ReadTxn {
            txn,
            overlay,
            flushing,
            _store: PhantomData,
        }
    }
}

impl Reader for ReadTxn<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        for layer in [&self.overlay, &self.flushing] {
            if let Some(v) = layer.get(table.name).and_then(|t| t.get(key)) {
                return Ok(v.clone());
            }
        }
        match self.txn.open_table(table.def()) {
            Ok(t) => get_in(&t, key),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn scan_prefix(&self, table: Table, prefix: &[u8]) -> Result<Rows, StoreError> {
        let rows = match self.txn.open_table(table.def()) {
            Ok(t) => scan_in(&t, prefix)?,
            Err(redb::TableError::TableDoesNotExist(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let rows = merge(rows, self.flushing.get(table.name), prefix);
        Ok(merge(rows, self.overlay.get(table.name), prefix))
    }
}

/// Where a write transaction's changes go.
enum Mode<'a> {
    /// Straight into a database transaction.
    Direct(Box<redb::WriteTransaction>),
    /// Into memory, over a snapshot, until commit hands them to the store
    /// ([`Durability::Deferred`](crate::Durability::Deferred)).
    Buffered {
        base: Box<ReadTxn<'a>>,
        ops: Overlay,
        store: &'a crate::Store,
    },
}

/// An all-or-nothing write: reads see its own changes; [`WriteTxn::commit`] applies them all at
/// once, dropping it discards them.
pub struct WriteTxn<'a> {
    mode: Mode<'a>,
    _writer: MutexGuard<'a, ()>,
}

impl<'a> WriteTxn<'a> {
    pub(crate) fn direct(txn: redb::WriteTransaction, writer: MutexGuard<'a, ()>) -> Self {
        WriteTxn {
            mode: Mode::Direct(Box::new(txn)),
            _writer: writer,
        }
    }

    pub(crate) fn buffered(
        base: ReadTxn<'a>,
        writer: MutexGuard<'a, ()>,
        store: &'a crate::Store,
    ) -> Self {
        WriteTxn {
            mode: Mode::Buffered {
                base: Box::new(base),
                ops: Overlay::new(),
                store,
            },
            _writer: writer,
        }
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, table: Table, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        match &mut self.mode {
            Mode::Direct(txn) => {
                let mut t = txn.open_table(table.def())?;
                t.insert(key, value)?;
            }
            Mode::Buffered { ops, .. } => {
                ops.entry(table.name)
                    .or_default()
                    .insert(key.to_vec(), Some(value.to_vec()));
            }
        }
        Ok(())
    }

    /// Removes `key` (nothing when absent).
    pub fn delete(&mut self, table: Table, key: &[u8]) -> Result<(), StoreError> {
        match &mut self.mode {
            Mode::Direct(txn) => {
                let mut t = txn.open_table(table.def())?;
                t.remove(key)?;
            }
            Mode::Buffered { ops, .. } => {
                ops.entry(table.name)
                    .or_default()
                    .insert(key.to_vec(), None);
            }
        }
        Ok(())
    }

    /// Removes every key that starts with `prefix`; returns how many.
    pub fn delete_prefix(&mut self, table: Table, prefix: &[u8]) -> Result<usize, StoreError> {
        let keys: Vec<Vec<u8>> = self
            .scan_prefix(table, prefix)?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for k in &keys {
            self.delete(table, k)?;
        }
        Ok(keys.len())
    }

    /// Applies every change of this transaction, all at once; it is on disk when this returns
    /// under [`Durability::Immediate`](crate::Durability::Immediate) (the default), else as the
    /// store's [`Durability`](crate::Durability) says.
    pub fn commit(self) -> Result<(), StoreError> {
        match self.mode {
            Mode::Direct(txn) => txn.commit()?,
            Mode::Buffered { ops, store, base } => {
                drop(base);
                store.commit_buffered(ops)?;
            }
        }
        Ok(())
    }
}

impl Reader for WriteTxn<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.mode {
            Mode::Direct(txn) => match txn.open_table(table.def()) {
                Ok(t) => get_in(&t, key),
                Err(e) => Err(e.into()),
            },
            Mode::Buffered { base, ops, .. } => {
                match ops.get(table.name).and_then(|t| t.get(key)) {
                    Some(v) => Ok(v.clone()),
                    None => base.get(table, key),
                }
            }
        }
    }

    fn scan_prefix(&self, table: Table, prefix: &[u8]) -> Result<Rows, StoreError> {
        match &self.mode {
            Mode::Direct(txn) => {
                let t = txn.open_table(table.def())?;
                scan_in(&t, prefix)
            }
            Mode::Buffered { base, ops, .. } => Ok(merge(
                base.scan_prefix(table, prefix)?,
                ops.get(table.name),
                prefix,
            )),
        }
    }
}
