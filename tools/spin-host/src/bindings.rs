//! Host bindings for the Spin-specific imports, generated from `wit/`.
//!
//! `wit/deps` holds the WIT files of spin-sdk 7.0.0 verbatim, so the
//! interfaces match what the SDK's components import. Resources are backed by
//! the small handle types below, stored in the request's resource table.

wasmtime::component::bindgen!({
    path: "wit",
    world: "edgeauth:spin-host/spin-host",
    imports: { default: trappable },
    with: {
        "spin:key-value/key-value.store": crate::bindings::StoreHandle,
        "wasi:keyvalue/store.bucket": crate::bindings::StoreHandle,
        "wasi:keyvalue/atomics.cas": crate::bindings::CasHandle,
    },
});

/// An opened store (`spin:key-value` store or `wasi:keyvalue` bucket).
pub struct StoreHandle {
    /// The store label, which is the namespace in the database.
    pub label: String,
}

/// A compare-and-swap in progress: the value seen when it was made.
pub struct CasHandle {
    /// The store label.
    pub label: String,
    /// The key being swapped.
    pub key: String,
    /// The value the swap expects to replace (`None`: key absent).
    pub snapshot: Option<Vec<u8>>,
}
