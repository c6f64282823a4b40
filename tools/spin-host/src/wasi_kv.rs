//! `wasi:keyvalue@0.2.0-draft2` (store, atomics, batch) over [`crate::kv`].
//!
//! This is the interface spin-sdk 7 reaches through its hidden `experimental`
//! module, and the only way its components get atomic `increment` and
//! compare-and-swap. Bucket identifiers are store labels, with the same
//! `key_value_stores` access rule as `spin:key-value`.
//!
//! A `cas` handle snapshots the key's value when created (and again on each
//! `current`); `swap` writes only if the stored value still equals that
//! snapshot, atomically, and otherwise fails with a fresh handle. Like Spin's
//! SQLite store, this compares values, so an A→B→A change is not detected.

use wasmtime::component::Resource;

use crate::bindings::wasi::keyvalue::{atomics, batch, store};
use crate::bindings::{CasHandle, StoreHandle};
use crate::kv::{KvError, Swap};
use crate::state::HostState;

/// Keys returned per `list-keys` page.
const LIST_PAGE: usize = 1000;

type Outcome<T> = wasmtime::Result<Result<T, store::Error>>;

impl From<KvError> for store::Error {
    fn from(e: KvError) -> Self {
        store::Error::Other(e.to_string())
    }
}

impl HostState {
    fn label(&self, bucket: &Resource<StoreHandle>) -> wasmtime::Result<String> {
        Ok(self.table.get(bucket)?.label.clone())
    }
}

impl store::Host for HostState {
    fn open(&mut self, identifier: String) -> Outcome<Resource<StoreHandle>> {
        if !self.may_open(&identifier) {
            return Ok(Err(store::Error::AccessDenied));
        }
        Ok(Ok(self.table.push(StoreHandle { label: identifier })?))
    }
}

impl store::HostBucket for HostState {
    fn get(&mut self, bucket: Resource<StoreHandle>, key: String) -> Outcome<Option<Vec<u8>>> {
        let label = self.label(&bucket)?;
        self.kv_stats.reads += 1;
        Ok(self.kv.get(&label, &key).map_err(Into::into))
    }

    fn set(&mut self, bucket: Resource<StoreHandle>, key: String, value: Vec<u8>) -> Outcome<()> {
        let label = self.label(&bucket)?;
        self.kv_stats.writes += 1;
        Ok(self.kv.set(&label, &key, &value).map_err(Into::into))
    }

    fn delete(&mut self, bucket: Resource<StoreHandle>, key: String) -> Outcome<()> {
        let label = self.label(&bucket)?;
        self.kv_stats.writes += 1;
        Ok(self.kv.delete(&label, &key).map_err(Into::into))
    }

    fn exists(&mut self, bucket: Resource<StoreHandle>, key: String) -> Outcome<bool> {
        let label = self.label(&bucket)?;
        self.kv_stats.reads += 1;
        Ok(self.kv.exists(&label, &key).map_err(Into::into))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<StoreHandle>,
        cursor: Option<String>,
    ) -> Outcome<store::KeyResponse> {
        let label = self.label(&bucket)?;
        let page = self.kv.keys_page(&label, cursor.as_deref(), LIST_PAGE);
        if let Ok((keys, _)) = &page {
            self.kv_stats.listed += keys.len() as u64;
        }
        Ok(page
            .map(|(keys, cursor)| store::KeyResponse { keys, cursor })
            .map_err(Into::into))
    }

    fn drop(&mut self, bucket: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for HostState {
    fn increment(
        &mut self,
        bucket: Resource<StoreHandle>,
        key: String,
        delta: i64,
    ) -> Outcome<i64> {
        let label = self.label(&bucket)?;
        self.kv_stats.writes += 1;
        Ok(self.kv.increment(&label, &key, delta).map_err(Into::into))
    }

    fn swap(
        &mut self,
        cas: Resource<CasHandle>,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), atomics::CasError>> {
        let CasHandle {
            label,
            key,
            snapshot,
        } = self.table.delete(cas)?;
        self.kv_stats.writes += 1;
        match self
            .kv
            .compare_and_swap(&label, &key, snapshot.as_deref(), &value)
        {
            Ok(Swap::Done) => Ok(Ok(())),
            Ok(Swap::Changed(now)) => {
                let fresh = self.table.push(CasHandle {
                    label,
                    key,
                    snapshot: now,
                })?;
                Ok(Err(atomics::CasError::CasFailed(fresh)))
            }
            Err(e) => Ok(Err(atomics::CasError::StoreError(e.into()))),
        }
    }
}

impl atomics::HostCas for HostState {
    fn new(&mut self, bucket: Resource<StoreHandle>, key: String) -> Outcome<Resource<CasHandle>> {
        let label = self.label(&bucket)?;
        self.kv_stats.reads += 1;
        let snapshot = match self.kv.get(&label, &key) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.into())),
        };
        Ok(Ok(self.table.push(CasHandle {
            label,
            key,
            snapshot,
        })?))
    }

    fn current(&mut self, cas: Resource<CasHandle>) -> Outcome<Option<Vec<u8>>> {
        self.kv_stats.reads += 1;
        let handle = self.table.get_mut(&cas)?;
        match self.kv.get(&handle.label, &handle.key) {
            Ok(value) => {
                handle.snapshot.clone_from(&value);
                Ok(Ok(value))
            }
            Err(e) => Ok(Err(e.into())),
        }
    }

    fn drop(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}

impl batch::Host for HostState {
    fn get_many(
        &mut self,
        bucket: Resource<StoreHandle>,
        keys: Vec<String>,
    ) -> Outcome<Vec<(String, Option<Vec<u8>>)>> {
        let label = self.label(&bucket)?;
        self.kv_stats.reads += keys.len() as u64;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            match self.kv.get(&label, &key) {
                Ok(value) => out.push((key, value)),
                Err(e) => return Ok(Err(e.into())),
            }
        }
        Ok(Ok(out))
    }

    fn set_many(
        &mut self,
        bucket: Resource<StoreHandle>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Outcome<()> {
        let label = self.label(&bucket)?;
        self.kv_stats.writes += key_values.len() as u64;
        Ok(self.kv.set_many(&label, &key_values).map_err(Into::into))
    }

    fn delete_many(&mut self, bucket: Resource<StoreHandle>, keys: Vec<String>) -> Outcome<()> {
        let label = self.label(&bucket)?;
        self.kv_stats.writes += keys.len() as u64;
        for key in keys {
            if let Err(e) = self.kv.delete(&label, &key) {
                return Ok(Err(e.into()));
            }
        }
        Ok(Ok(()))
    }
}
