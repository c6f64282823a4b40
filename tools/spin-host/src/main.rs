mod bindings;
mod kv;
mod manifest;
mod outbound;
mod router;
mod state;
fn main() {}
