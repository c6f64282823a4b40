//! The persistent key-value store: one SQLite file, one namespace per store label.
//!
//! The schema is the one Spin's default SQLite store uses
//! (`spin_key_value(store, key, value)`), and counters are stored like Spin
//! stores them: an `i64` as 8 little-endian bytes. Every operation runs under
//! one connection mutex, and the read-modify-write operations (increment,
//! compare-and-swap) also run in a `BEGIN IMMEDIATE` transaction, so they are
//! atomic across concurrent requests and across processes sharing the file.

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// A store failure, reported to the guest as an implementation-specific error.
#[derive(Debug)]
pub struct KvError(String);

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KvError {}

impl From<rusqlite::Error> for KvError {
    fn from(e: rusqlite::Error) -> Self {
        Self(format!("sqlite: {e}"))
    }
}

/// Result of a compare-and-swap.
#[derive(Debug, PartialEq)]
pub enum Swap {
    /// The value was still the expected one and has been replaced.
    Done,
    /// Someone changed the value first; this is its current value.
    Changed(Option<Vec<u8>>),
}

/// The SQLite-backed store shared by all requests.
pub struct KvDb {
    conn: Mutex<Connection>,
}

const UPSERT: &str = "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                      ON CONFLICT (store, key) DO UPDATE SET value = excluded.value";
const SELECT: &str = "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2";

impl KvDb {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, KvError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| KvError(format!("{}: {e}", dir.display())))?;
        }
        Self::init(Connection::open(path)?)
    }

    /// An in-memory store (for unit tests).
    #[cfg(test)]
    pub fn in_memory() -> Result<Self, KvError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self, KvError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Commits survive a killed host; only an OS crash may lose the last ones.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS spin_key_value (
                 store TEXT NOT NULL,
                 key   TEXT NOT NULL,
                 value BLOB NOT NULL,
                 PRIMARY KEY (store, key)
             )",
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, KvError> {
        self.conn
            .lock()
            .map_err(|_| KvError("store lock poisoned".into()))
    }

    /// The value of `key`, if any.
    pub fn get(&self, store: &str, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self
            .conn()?
            .prepare_cached(SELECT)?
            .query_row(params![store, key], |r| r.get(0))
            .optional()?)
    }

    /// Sets `key` to `value`.
    pub fn set(&self, store: &str, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.conn()?
            .prepare_cached(UPSERT)?
            .execute(params![store, key, value])?;
        Ok(())
    }

    /// Deletes `key`; deleting a missing key is not an error.
    pub fn delete(&self, store: &str, key: &str) -> Result<(), KvError> {
        self.conn()?
            .prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .execute(params![store, key])?;
        Ok(())
    }

    /// Whether `key` has a value.
    pub fn exists(&self, store: &str, key: &str) -> Result<bool, KvError> {
        Ok(self.get(store, key)?.is_some())
    }

    /// Up to `limit` keys after `after` in key order, and the cursor for the
    /// next page (the last key returned) if there may be more.
    pub fn keys_page(
        &self,
        store: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<String>, Option<String>), KvError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT key FROM spin_key_value WHERE store = ?1 AND (?2 IS NULL OR key > ?2)
             ORDER BY key LIMIT ?3",
        )?;
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        let keys = stmt
            .query_map(params![store, after, limit_sql], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        let cursor = if keys.len() == limit {
            keys.last().cloned()
        } else {
            None
        };
        Ok((keys, cursor))
    }

    /// All keys of `store`, in key order.
    pub fn keys(&self, store: &str) -> Result<Vec<String>, KvError> {
        Ok(self.keys_page(store, None, usize::MAX)?.0)
    }

    /// Atomically adds `delta` to the counter at `key` (missing counts as 0)
    /// and returns the new value.
    pub fn increment(&self, store: &str, key: &str, delta: i64) -> Result<i64, KvError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<Vec<u8>> = tx
            .prepare_cached(SELECT)?
            .query_row(params![store, key], |r| r.get(0))
            .optional()?;
        let current = match current {
            None => 0,
            Some(bytes) => i64::from_le_bytes(
                bytes
                    .try_into()
                    .map_err(|_| KvError(format!("value of `{key}` is not a counter")))?,
            ),
        };
        let next = current
            .checked_add(delta)
            .ok_or_else(|| KvError(format!("counter `{key}` would overflow")))?;
        tx.prepare_cached(UPSERT)?
            .execute(params![store, key, next.to_le_bytes()])?;
        tx.commit()?;
        Ok(next)
    }

    /// Atomically replaces the value of `key` with `new` if it is still
    /// `expected` (`None`: the key must still be absent).
    pub fn compare_and_swap(
        &self,
        store: &str,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<Swap, KvError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<Vec<u8>> = tx
            .prepare_cached(SELECT)?
            .query_row(params![store, key], |r| r.get(0))
            .optional()?;
        if current.as_deref() != expected {
            return Ok(Swap::Changed(current));
        }
        tx.prepare_cached(UPSERT)?
            .execute(params![store, key, new])?;
        tx.commit()?;
        Ok(Swap::Done)
    }

    /// Sets several keys in one transaction.
    pub fn set_many(&self, store: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), KvError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (key, value) in pairs {
            tx.prepare_cached(UPSERT)?
                .execute(params![store, key, value])?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_are_separate_namespaces() {
        let db = KvDb::in_memory().unwrap();
        db.set("a", "k", b"1").unwrap();
        assert_eq!(db.get("a", "k").unwrap(), Some(b"1".to_vec()));
        assert_eq!(db.get("b", "k").unwrap(), None);
        db.delete("a", "k").unwrap();
        assert!(!db.exists("a", "k").unwrap());
    }

    #[test]
    fn increments_little_endian_counters() {
        let db = KvDb::in_memory().unwrap();
        assert_eq!(db.increment("s", "n", 5).unwrap(), 5);
        assert_eq!(db.increment("s", "n", -2).unwrap(), 3);
        assert_eq!(db.get("s", "n").unwrap(), Some(3i64.to_le_bytes().to_vec()));
        db.set("s", "text", b"abc").unwrap();
        assert!(db.increment("s", "text", 1).is_err());
    }

    #[test]
    fn swap_fails_when_value_changed() {
        let db = KvDb::in_memory().unwrap();
        assert_eq!(
            db.compare_and_swap("s", "k", None, b"a").unwrap(),
            Swap::Done
        );
        assert_eq!(
            db.compare_and_swap("s", "k", None, b"b").unwrap(),
            Swap::Changed(Some(b"a".to_vec()))
        );
        assert_eq!(
            db.compare_and_swap("s", "k", Some(b"a"), b"b").unwrap(),
            Swap::Done
        );
        assert_eq!(db.get("s", "k").unwrap(), Some(b"b".to_vec()));
    }

    #[test]
    fn pages_keys_with_a_cursor() {
        let db = KvDb::in_memory().unwrap();
        for k in ["c", "a", "b"] {
            db.set("s", k, b"").unwrap();
        }
        let (page, cursor) = db.keys_page("s", None, 2).unwrap();
        assert_eq!(
            (page, cursor.as_deref()),
            (vec!["a".to_string(), "b".to_string()], Some("b"))
        );
        let (page, cursor) = db.keys_page("s", Some("b"), 2).unwrap();
        assert_eq!((page, cursor), (vec!["c".to_string()], None));
        assert_eq!(db.keys("s").unwrap(), ["a", "b", "c"]);
    }
}
