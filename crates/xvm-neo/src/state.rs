//! Contract state behind a small trait, and Neo's `DataCache`-like overlay: writes go to
//! layers (one per contract call) that merge into the one below when the call returns normally
//! and are dropped when it ends in an exception; the whole set is committed only on HALT.

use std::collections::BTreeMap;

/// Key-value pairs, ascending by key.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Read access to committed state: one flat key space, keys = contract id (i32 LE) ++ key.
pub trait StateStore {
    /// The value at `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String>;
    /// Every (key, value) whose key starts with `prefix`, ascending by unsigned bytes.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Entries, String>;
}

/// Pending writes: `None` deletes.
pub type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// State in memory (tests, `--test` runs on a fresh chain, embedders).
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    /// The entries.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemoryStore {
    /// Applies committed changes.
    pub fn apply(&mut self, changes: &Changes) {
        for (k, v) in changes {
            match v {
                Some(v) => {
                    self.entries.insert(k.clone(), v.clone());
                }
                None => {
                    self.entries.remove(k);
                }
            }
        }
    }
}

impl StateStore for MemoryStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        Ok(self.entries.get(key).cloned())
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Entries, String> {
        Ok(self
            .entries
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

/// The overlay over a [`StateStore`].
pub struct DataCache<'a> {
    base: &'a dyn StateStore,
    layers: Vec<Changes>,
}

impl<'a> DataCache<'a> {
    /// An overlay with one (bottom) layer.
    pub fn new(base: &'a dyn StateStore) -> DataCache<'a> {
        DataCache {
            base,
            layers: vec![Changes::new()],
        }
    }

    /// The value at `key`, looking through the layers top-down, then the base.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        for l in self.layers.iter().rev() {
            if let Some(v) = l.get(key) {
                return Ok(v.clone());
            }
        }
        self.base.get(key)
    }

    /// Writes `value` at `key` in the top layer.
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.top().insert(key, Some(value));
    }

    /// Deletes `key` in the top layer.
    pub fn delete(&mut self, key: Vec<u8>) {
        self.top().insert(key, None);
    }

    fn top(&mut self) -> &mut Changes {
        if self.layers.is_empty() {
            self.layers.push(Changes::new());
        }
        self.layers.last_mut().expect("a layer")
    }

    /// Every live (key, value) under `prefix`, ascending.
    pub fn find(&self, prefix: &[u8]) -> Result<Entries, String> {
        let mut merged: BTreeMap<Vec<u8>, Option<Vec<u8>>> = self
            .base
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        for l in &self.layers {
            for (k, v) in l.range(prefix.to_vec()..) {
                if !k.starts_with(prefix) {
                    break;
                }
                merged.insert(k.clone(), v.clone());
            }
        }
        Ok(merged
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect())
    }

    /// Opens a layer (a contract call starts).
    pub fn checkpoint(&mut self) {
        self.layers.push(Changes::new());
    }

    /// Merges the top layer into the one below (the call returned normally).
    pub fn merge(&mut self) {
        if self.layers.len() > 1 {
            let top = self.layers.pop().unwrap_or_default();
            self.top().extend(top);
        }
    }

    /// Drops the top layer (the call ended in an exception).
    pub fn discard(&mut self) {
        if self.layers.len() > 1 {
            self.layers.pop();
        } else if let Some(l) = self.layers.last_mut() {
            l.clear();
        }
    }

    /// All pending writes, flattened.
    pub fn changes(&self) -> Changes {
        let mut out = Changes::new();
        for l in &self.layers {
            out.extend(l.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_merge_and_discard() {
        let mut base = MemoryStore::default();
        base.entries.insert(b"a1".to_vec(), b"x".to_vec());
        base.entries.insert(b"a2".to_vec(), b"y".to_vec());
        let mut c = DataCache::new(&base);
        c.checkpoint();
        c.put(b"a3".to_vec(), b"z".to_vec());
        c.delete(b"a1".to_vec());
        assert_eq!(c.find(b"a").unwrap().len(), 2);
        c.discard();
        assert_eq!(c.find(b"a").unwrap().len(), 2);
        assert_eq!(c.get(b"a1").unwrap(), Some(b"x".to_vec()));
        c.checkpoint();
        c.put(b"a3".to_vec(), b"z".to_vec());
        c.merge();
        assert_eq!(c.get(b"a3").unwrap(), Some(b"z".to_vec()));
        assert_eq!(c.changes().len(), 1);
    }
}
