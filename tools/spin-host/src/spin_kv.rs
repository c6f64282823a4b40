//! `spin:key-value@3.0.0`: Spin's own key-value interface over [`crate::kv`].
//!
//! A component may open only the labels in its `key_value_stores`; any other
//! label is `access-denied`. Every label is its own namespace in the one
//! SQLite file.

use wasmtime::component::{Accessor, FutureReader, HasSelf, Resource, StreamReader};

use crate::bindings::StoreHandle;
use crate::bindings::spin::key_value::key_value::{Error, Host, HostStore, HostStoreWithStore};
use crate::kv::KvError;
use crate::state::HostState;

impl From<KvError> for Error {
    fn from(e: KvError) -> Self {
        Error::Other(e.to_string())
    }
}

/// The database and label behind a store handle; `count` records the call in
/// the request's [`crate::state::KvStats`].
fn resolve<T>(
    accessor: &Accessor<T, HasSelf<HostState>>,
    store: &Resource<StoreHandle>,
    count: fn(&mut crate::state::KvStats),
) -> wasmtime::Result<(std::sync::Arc<crate::kv::KvDb>, String)> {
    accessor.with(|mut access| {
        let state = access.get();
        count(&mut state.kv_stats);
        let label = state.table.get(store)?.label.clone();
        Ok((std::sync::Arc::clone(&state.kv), label))
    })
}

fn read(stats: &mut crate::state::KvStats) {
    stats.reads += 1;
}

fn write(stats: &mut crate::state::KvStats) {
    stats.writes += 1;
}

impl Host for HostState {}

impl HostStore for HostState {
    fn drop(&mut self, store: Resource<StoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl<T> HostStoreWithStore<T> for HasSelf<HostState> {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<StoreHandle>, Error>> {
        accessor.with(|mut access| {
            let state = access.get();
            if !state.may_open(&label) {
                return Ok(Err(Error::AccessDenied));
            }
            Ok(Ok(state.table.push(StoreHandle { label })?))
        })
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let (db, label) = resolve(accessor, &store, read)?;
        Ok(db.get(&label, &key).map_err(Error::from))
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (db, label) = resolve(accessor, &store, write)?;
        Ok(db.set(&label, &key, &value).map_err(Error::from))
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (db, label) = resolve(accessor, &store, write)?;
        Ok(db.delete(&label, &key).map_err(Error::from))
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let (db, label) = resolve(accessor, &store, read)?;
        Ok(db.exists(&label, &key).map_err(Error::from))
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<StoreHandle>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let (db, label) = resolve(accessor, &store, |_| {})?;
        let (keys, result) = match db.keys(&label) {
            Ok(keys) => (keys, Ok(())),
            Err(e) => (Vec::new(), Err(Error::from(e))),
        };
        accessor.with(|mut access| {
            access.get().kv_stats.listed += keys.len() as u64;
            let keys = StreamReader::new(&mut access, keys)?;
            let result =
                FutureReader::new(
                    &mut access,
                    async move { wasmtime::Result::<_>::Ok(result) },
                )?;
            Ok((keys, result))
        })
    }
}
