// The `ATOMIC` binding of a function measured by tools/cpu-budget.mjs: a stand-in for
// the Durable Object namespace that sends each operation to the real object in another
// workerd process (atomic-gateway.mjs), so that the function's process does only the
// function's work. On Cloudflare the object runs in its own isolate and its CPU is
// not the calling Worker's; here it would otherwise share the process being measured.
//
// It offers what edgeauth-workers' atomic.rs calls: `idFromName(shard)`, `get(id)`
// and the stub's RPC method `op(body)`. The class is named DurableObjectNamespace
// because workers-rs checks a binding's constructor name. What it costs the function
// per operation — one fetch with a JSON string — stands where production makes one
// RPC call with the same string: a small overestimate, not hidden.

class DurableObjectId {
  constructor(name) {
    this.name = name;
  }
  toString() {
    return this.name;
  }
}

class Stub {
  constructor(gateway, shard) {
    this.gateway = gateway;
    this.shard = shard;
  }
  async op(body) {
    const response = await this.gateway.fetch(`http://gateway/${encodeURIComponent(this.shard)}`, { method: "POST", body });
    if (!response.ok) throw new Error(`atomic gateway: ${response.status} ${await response.text()}`);
    return response.text();
  }
}

class DurableObjectNamespace {
  constructor(gateway) {
    this.gateway = gateway;
  }
  idFromName(name) {
    return new DurableObjectId(name);
  }
  get(id) {
    return new Stub(this.gateway, id.name);
  }
}

export default function makeBinding(env) {
  return new DurableObjectNamespace(env.gateway);
}
