//! `spin:variables@3.0.0`: a component reads its own `[component.NAME.variables]`.
//!
//! Values were resolved at startup (see [`crate::manifest`]). A variable the
//! component does not declare is `undefined`; a declared one whose template
//! refers to a required application variable with no value is a `provider`
//! error, so the app can answer 503 instead of the host failing.

use wasmtime::component::{Accessor, HasSelf};

use crate::bindings::spin::variables::variables::{Error, Host, HostWithStore};
use crate::manifest::{ComponentSpec, is_valid_variable_name};
use crate::state::HostState;

impl Host for HostState {}

impl<T> HostWithStore<T> for HasSelf<HostState> {
    async fn get(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, Error>> {
        Ok(accessor.with(|mut access| lookup(&access.get().component, &name)))
    }
}

fn lookup(component: &ComponentSpec, name: &str) -> Result<String, Error> {
    if !is_valid_variable_name(name) {
        return Err(Error::InvalidName(name.to_owned()));
    }
    match component.variables.get(name) {
        None => Err(Error::Undefined(format!(
            "no variable `{name}` for component `{}`",
            component.id
        ))),
        Some(Ok(value)) => Ok(value.clone()),
        Some(Err(why)) => Err(Error::Provider(why.clone())),
    }
}
