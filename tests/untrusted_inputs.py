"""Hostile dataset files, built byte by byte in the real formats, and a seeded fuzz driver.

The first three crafted pickles use only names the old allow-list admitted
(numpy's ``_reconstruct``, ``ndarray``, ``dtype``, ``scalar``) and crashed or
fooled a ``pickle.Unpickler`` with that allow-list (a segfault, an object array
of attacker pointers, a 614 MB uninitialised array); the others are shapes a
CIFAR file never has. ``valid_batch`` builds the same byte layout numpy writes,
so the tests can show the reader accepts the genuine pattern and refuses only
the attack.

Run as a script, it feeds seeded malformed pickles and IDX files to the
readers and prints a JSON summary; the tests run it in a subprocess so that a
crash fails the test instead of killing pytest::

    python tests/untrusted_inputs.py --seed 0 --cases 300 --workdir /tmp/fuzz
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import pickle
import random
import struct
import sys
from pathlib import Path

PROTO2, STOP, MARK, TUPLE, REDUCE, BUILD = b"\x80\x02", b".", b"(", b"t", b"R", b"b"
EMPTY_DICT, EMPTY_LIST, SETITEMS, APPENDS, NONE = b"}", b"]", b"u", b"e", b"N"
NEWTRUE, NEWFALSE = b"\x88", b"\x89"
RECONSTRUCT = ("numpy.core.multiarray", "_reconstruct")


def glob(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def int_(i: int) -> bytes:
    return b"J" + struct.pack("<i", i)


def str_(s: str) -> bytes:
    raw = s.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def bytes_(b: bytes) -> bytes:
    return b"B" + struct.pack("<I", len(b)) + b


def tup(*items: bytes) -> bytes:
    return MARK + b"".join(items) + TUPLE


def dtype(code: str, state: bytes | None = None) -> bytes:
    """numpy.dtype(code, False, True), with an optional BUILD state."""
    made = glob("numpy", "dtype") + tup(str_(code), NEWFALSE, NEWTRUE) + REDUCE
    return made + state + BUILD if state is not None else made


def dtype_state(flags: int) -> bytes:
    return tup(int_(3), str_("|"), NONE, NONE, NONE, int_(-1), int_(-1), int_(flags))


U1 = dtype("u1", dtype_state(0))
# An object dtype whose state clears its object flags: numpy then trusts raw bytes as pointers.
OBJECT_NO_FLAGS = dtype("O8", dtype_state(0))


def reconstruct(shape0: int = 0) -> bytes:
    return glob(*RECONSTRUCT) + tup(glob("numpy", "ndarray"), tup(int_(shape0)), bytes_(b"b")) + REDUCE


def array(shape: tuple[int, ...], dt: bytes, data: bytes, fortran: bytes = NEWFALSE) -> bytes:
    return reconstruct() + tup(int_(1), tup(*map(int_, shape)), dt, fortran, bytes_(data)) + BUILD


def label_list(labels) -> bytes:
    return EMPTY_LIST + MARK + b"".join(int_(v) for v in labels) + APPENDS


def batch(data_expr: bytes, labels_expr: bytes | None = None) -> bytes:
    """A protocol-2 CIFAR batch ``{b'data': <data_expr>, b'labels': <labels_expr>}``."""
    labels_expr = label_list([0, 1]) if labels_expr is None else labels_expr
    return (PROTO2 + EMPTY_DICT + MARK + bytes_(b"data") + data_expr + bytes_(b"labels") + labels_expr
            + SETITEMS + STOP)


def valid_batch(n: int = 2) -> bytes:
    return batch(array((n, 3072), U1, bytes(range(256)) * (12 * n)), label_list(range(n)))


ATTACKS = {
    # numpy.core.multiarray.scalar(object dtype without flags, b'A' * 8): dereferences 0x4141414141414141.
    "scalar_of_flagless_object_dtype": batch(glob("numpy.core.multiarray", "scalar")
                                             + tup(OBJECT_NO_FLAGS, bytes_(b"A" * 8)) + REDUCE),
    # _reconstruct + BUILD with that dtype: an object array whose "pointers" are attacker bytes.
    "object_array_of_attacker_bytes": batch(array((1,), OBJECT_NO_FLAGS, b"A" * 8)),
    # _reconstruct alone: an uninitialised array of any size from a ~100-byte file.
    "uninitialised_array_without_build": batch(reconstruct(614_000_000)),
    "array_larger_than_its_bytes": batch(array((1_000_000, 3072), U1, b"\0" * 16)),
    "float64_array": batch(array((2, 3072), dtype("f8"), b"\0" * (2 * 3072 * 8))),
    "fortran_ordered_array": batch(array((2, 3072), U1, b"\0" * (2 * 3072), fortran=NEWTRUE)),
    "dtype_with_other_state": batch(array((2, 3072), dtype("u1", dtype_state(63)), b"\0" * (2 * 3072))),
    "os_system": PROTO2 + glob("posix", "system") + tup(str_("true")) + REDUCE + STOP,
}


# -- fuzzing --

_SOUP = [b"(", b"t", b"R", b"b", b"}", b"]", b"u", b"e", b"a", b"s", b"N", b"\x88", b"\x89", b"0", b"1", b"2",
         b"l", b"d", b")", b"\x85", b"\x86", b"\x87", b"\x94", b"\x93", b".", b"\x8f", b"\x90", b"\x91", b"i",
         b"o", b"\x81", b"\x92", b"P", b"Q"]


def _soup_token(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return int_(rng.choice([0, -1, 3, 2**31 - 1, rng.randrange(-9, 9)]))
    if kind == 1:
        return str_(rng.choice(["u1", "O8", "|", "b", "abc", ""]))
    if kind == 2:
        return bytes_(bytes(rng.randrange(256) for _ in range(rng.randrange(12))))
    if kind == 3:
        return glob(*rng.choice([RECONSTRUCT, ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
                                 ("numpy.core.multiarray", "scalar"), ("builtins", "eval"), ("os", "system")]))
    if kind == 4:
        return b"q" + bytes([rng.randrange(4)]) if rng.random() < 0.5 else b"h" + bytes([rng.randrange(4)])
    if kind == 5:
        return b"B" + struct.pack("<I", rng.choice([2**31, 2**32 - 1, 10**9]))   # lengths past the end
    return rng.choice(_SOUP)


def _soup(rng: random.Random) -> bytes:
    body = b"".join(_soup_token(rng) for _ in range(rng.randrange(1, 40)))
    return PROTO2 + body + (STOP if rng.random() < 0.7 else b"")


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    out = bytearray(raw)
    for _ in range(rng.randrange(1, 5)):
        if rng.random() < 0.5:
            out[rng.randrange(len(out))] = rng.randrange(256)
        else:
            pos = rng.randrange(len(out))
            out[pos:pos] = _soup_token(rng)
    return bytes(out)


def pickle_cases(rng: random.Random, n: int):
    """(kind, bytes, strict): strict cases are malformed by construction and must raise DataError."""
    import numpy as np

    rows = (np.arange(2 * 3072) % 256).astype(np.uint8).reshape(2, 3072)
    small = {b"batch_label": b"x", b"labels": [1, 2], b"data": rows}
    bases = [pickle.dumps(small, protocol=p) for p in (2, 4)] + [valid_batch(2)]
    for i in range(n):
        base = bases[i % len(bases)]
        kind = ("truncated", "soup", "mutated")[i % 3]
        if kind == "truncated":
            yield kind, base[:rng.randrange(len(base) - 1)], True
        elif kind == "soup":
            yield kind, _soup(rng), True
        else:
            yield kind, _mutate(rng, base), False


def idx_cases(rng: random.Random, n: int):
    """IDX files whose header and data never agree (or that are not IDX): all must raise DataError."""
    sizes = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}
    for i in range(n):
        code = rng.choice(list(sizes) + [0x00, 0x0A, 0xFF])
        ndim = rng.choice([0, 1, 2, 3, 3, 4, 255])
        dims = [rng.choice([0, 1, 2, 28, 60000, 2**32 - 1, rng.randrange(2**32)]) for _ in range(ndim)]
        magic = bytes([0, 0, code, ndim]) if rng.random() < 0.9 else bytes(rng.randrange(256) for _ in range(4))
        header = magic + struct.pack(f">{ndim}I", *dims)
        expected = sizes.get(code, 1) * math.prod(dims)
        if expected <= 4096:
            length = max(0, expected + rng.choice([-1, 1, 7, -expected or 1]))
        else:
            length = rng.randrange(64)
        raw = header + bytes(rng.randrange(256) for _ in range(min(length, 4096)))
        if rng.random() < 0.15:
            raw = raw[:rng.randrange(len(raw))]   # cut anywhere, header included
        if _idx_consistent(raw, sizes):
            raw += b"\0"   # by chance a well-formed file: one byte too many makes it malformed again
        if rng.random() < 0.5:
            raw = gzip.compress(raw, mtime=0)
            if rng.random() < 0.3:   # corrupt the deflate stream or trailer, past the fixed header
                pos = rng.randrange(10, len(raw))
                raw = raw[:pos] + bytes([raw[pos] ^ 0xFF]) + raw[pos + 1:]
        yield "idx", raw, True


def _idx_consistent(raw: bytes, sizes: dict) -> bool:
    if len(raw) < 4 or raw[0] or raw[1] or raw[2] not in sizes or len(raw) < 4 + 4 * raw[3]:
        return False
    dims = struct.unpack(f">{raw[3]}I", raw[4:4 + 4 * raw[3]])
    return len(raw) - 4 - 4 * raw[3] == sizes[raw[2]] * math.prod(dims)


def run_fuzz(seed: int, cases: int, workdir: Path) -> dict:
    from lib.data.formats import cifar_images, cifar_labels, load_cifar_pickle, read_idx
    from lib.errors import DataError

    def read_batch(path):
        batch = load_cifar_pickle(path)
        x = cifar_images(batch, path)
        cifar_labels(batch, "labels", path, len(x), 256)

    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    summary = {"cases": 0, "data_error": 0, "accepted": 0, "strict_accepted": [], "other_errors": []}
    streams = ([(read_batch, c) for c in pickle_cases(rng, cases // 2)]
               + [(read_idx, c) for c in idx_cases(rng, cases - cases // 2)])
    for i, (reader, (kind, raw, strict)) in enumerate(streams):
        path = workdir / f"case{i:04d}"
        path.write_bytes(raw)
        summary["cases"] += 1
        try:
            reader(path)
        except DataError as exc:
            summary["data_error"] += 1
            if "\n" in str(exc):
                summary["other_errors"].append(f"{kind} #{i}: multi-line DataError")
            continue
        except Exception as exc:  # noqa: BLE001 - anything but DataError is the failure being hunted
            summary["other_errors"].append(f"{kind} #{i}: {type(exc).__name__}: {exc}"[:200])
            continue
        summary["accepted"] += 1
        if strict:
            summary["strict_accepted"].append(f"{kind} #{i}")
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    json.dump(run_fuzz(args.seed, args.cases, args.workdir), sys.stdout)
