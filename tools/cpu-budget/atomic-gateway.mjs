// The storage process's door to the real Durable Objects (tools/cpu-budget.mjs):
// `POST /<shard>` with an operation's JSON calls `op` on the `AtomicShard` object of
// that name — the class and code the api Worker deploys — and answers its reply.
export default {
  async fetch(request, env) {
    const shard = decodeURIComponent(new URL(request.url).pathname.slice(1));
    const stub = env.ATOMIC.get(env.ATOMIC.idFromName(shard));
    return new Response(await stub.op(await request.text()));
  },
};
