import { readFileSync } from "node:fs";
function parse(path) {
  const buf = readFileSync(path); let off = 8;
  function leb() { let r = 0, s = 0, b; do { b = buf[off++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; }
  let imports = 0, names = new Map(), bodies = [];
  while (off < buf.length) {
    const id = buf[off++]; const size = leb(); const end = off + size;
    if (id === 2) { const n = leb(); for (let i = 0; i < n; i++) { let l = leb(); off += l; l = leb(); off += l; const kind = buf[off++]; if (kind === 0) { leb(); imports++; } else if (kind === 1) { off++; const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); } else if (kind === 3) { off += 2; } else if (kind === 4) { off++; leb(); } } }
    if (id === 10) { const n = leb(); for (let i = 0; i < n; i++) { const sz = leb(); bodies.push(sz); off += sz; } }
    if (id === 0) { const nl = leb(); const name = buf.slice(off, off + nl).toString(); off += nl;
      if (name === "name") { while (off < end) { const sid = buf[off++]; const ssz = leb(); const send = off + ssz; if (sid === 1) { const n = leb(); for (let i = 0; i < n; i++) { const idx = leb(); const l = leb(); names.set(idx, buf.slice(off, off + l).toString()); off += l; } } off = send; } } }
    off = end;
  }
  const m = new Map(); bodies.forEach((sz, i) => { const n = (names.get(i + imports) ?? `?${i}`).replace(/17h[0-9a-f]{16}E$/, ""); m.set(n, (m.get(n) ?? 0) + sz); }); return m;
}
const a = parse(process.argv[2]), b = parse(process.argv[3]);
const diffs = []; for (const [k, v] of b) { const d = v - (a.get(k) ?? 0); if (d > 0) diffs.push([d, k]); }
diffs.sort((x, y) => y[0] - x[0]); let total = 0; for (const [d] of diffs) total += d;
console.log("new/grown bytes", total);
diffs.slice(0, 60).forEach(([d, k]) => console.log(String(d).padStart(7), k.slice(0, 150)));
