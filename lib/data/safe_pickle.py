"""Read a CIFAR pickle without executing it.

``pickle.load`` runs whatever callables a file names, and even an allow-list of
numpy names is not memory-safe (a dtype whose BUILD state clears its object
flags makes numpy read attacker bytes as pointers). So this module walks the
opcode stream with :func:`pickletools.genops` and builds only what a CIFAR file
holds: dicts, lists, tuples, ints, floats, str, bytes, None, bools, and numpy
uint8 arrays in the exact shape numpy pickles them::

    _reconstruct(ndarray, (0,), b'b')  BUILD (1, shape, dtype('u1') [BUILD state], False, data)

The array comes from ``np.frombuffer`` once ``data`` is known to hold exactly
``prod(shape)`` bytes, so no size in a header is trusted before its bytes are
seen. Anything else raises :class:`PickleRefused`.
"""
from __future__ import annotations

import math
import pickletools

import numpy as np

_RECONSTRUCT = {"numpy.core.multiarray _reconstruct", "numpy._core.multiarray _reconstruct"}
_GLOBALS = {**{name: "reconstruct" for name in _RECONSTRUCT},
            "numpy ndarray": "ndarray", "numpy dtype": "dtype", "_codecs encode": "encode"}
# numpy's own pickle of dtype('u1'): version 3, no byte order, no fields, default sizes, no flags.
_U1_STATES = ((3, "|", None, None, None, -1, -1, 0), (3, b"|", None, None, None, -1, -1, 0))
_MAX_DEPTH = 8          # CIFAR files nest two deep (dict -> list); deeper is an attack or junk
_MAX_NDIM = 8


class PickleRefused(ValueError):
    """The stream holds something a CIFAR file does not (or is malformed)."""


class PickleMalformed(PickleRefused):
    """The stream itself is broken: truncated, or bytes that are no pickle."""


class _Global:
    def __init__(self, role: str):
        self.role = role


class _U1:
    """dtype('u1'), as a token: no numpy dtype is built from file contents."""
    built = False


class _Array:
    """An ndarray between ``_reconstruct`` and its BUILD."""
    array: np.ndarray | None = None


def _is_int(v) -> bool:
    return type(v) is int


def _latin1(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise PickleRefused("a byte string holds characters above U+00FF") from None


def _reduce(func, args):
    if not isinstance(func, _Global) or type(args) is not tuple:
        raise PickleRefused("REDUCE of something that is not an allowed numpy or codecs call")
    if func.role == "encode" and len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return _latin1(args[0])   # how Python 3 writes bytes in protocol 2
    if func.role == "dtype" and len(args) == 3 and args[0] in ("u1", b"u1") and args[1:] == (False, True):
        return _U1()
    if (func.role == "reconstruct" and len(args) == 3 and isinstance(args[0], _Global)
            and args[0].role == "ndarray" and args[1] == (0,) and args[2] in (b"b", "b")):
        return _Array()
    role = func.role if func.role != "encode" else "_codecs.encode"
    raise PickleRefused(f"a call to {role} with arguments a CIFAR file does not use (only uint8 arrays are allowed)")


def _build_array(target: _Array, state) -> None:
    if target.array is not None:
        raise PickleRefused("an array is built twice")
    if type(state) is not tuple or len(state) != 5 or state[0] != 1:
        raise PickleRefused("an array state that is not numpy's (version, shape, dtype, fortran, data)")
    _, shape, dtype, fortran, data = state
    if (type(shape) is not tuple or len(shape) > _MAX_NDIM
            or not all(_is_int(d) and d >= 0 for d in shape)):
        raise PickleRefused(f"an array shape that is not a tuple of sizes: {str(shape)[:60]}")
    if not isinstance(dtype, _U1):
        raise PickleRefused("an array whose dtype is not uint8")
    if fortran is not False:
        raise PickleRefused("a Fortran-ordered array (CIFAR arrays are C-ordered)")
    if type(data) is not bytes:
        raise PickleRefused("an array whose data is not a byte string")
    if len(data) != math.prod(shape):
        raise PickleRefused(f"an array of shape {shape} with {len(data)} data bytes instead of {math.prod(shape)}")
    target.array = np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _build(target, state) -> None:
    if isinstance(target, _Array):
        _build_array(target, state)
    elif isinstance(target, _U1):
        # The state is where the object-flag attack lives: only numpy's exact uint8 state passes.
        if target.built or type(state) is not tuple or not any(state == s for s in _U1_STATES):
            raise PickleRefused("a dtype state other than plain uint8")
        target.built = True
    else:
        raise PickleRefused("BUILD on something that is not a numpy array or dtype")


def _key(k):
    if type(k) not in (str, bytes, int):
        raise PickleRefused(f"a dict key of type {type(k).__name__}")
    return k


def _pairs(items: list) -> list[tuple]:
    """MARK-ed items as (key, value) pairs of a dict."""
    if len(items) % 2:
        raise PickleRefused("a dict with a key but no value")
    return [(_key(items[i]), items[i + 1]) for i in range(0, len(items), 2)]


class _Stack:
    """The pickle machine's stack, marks and memo; a read that a well-formed pickle never makes is refused."""

    def __init__(self):
        self.stack: list = []
        self.marks: list[list] = []
        self.memo: dict = {}

    def pop(self):
        if not self.stack:
            raise PickleRefused("the stack underflows")
        return self.stack.pop()

    def top(self):
        if not self.stack:
            raise PickleRefused("the stack underflows")
        return self.stack[-1]

    def pop_mark(self) -> list:
        if not self.marks:
            raise PickleRefused("a MARK is missing")
        items, self.stack = self.stack, self.marks.pop()
        return items

    def pop_n(self, n: int) -> list:
        if len(self.stack) < n:
            raise PickleRefused("the stack underflows")
        items = self.stack[len(self.stack) - n:]
        del self.stack[len(self.stack) - n:]
        return items

    def target(self, kind):
        obj = self.top()
        if type(obj) is not kind:
            raise PickleRefused(f"an item added to a {type(obj).__name__}, not a {kind.__name__}")
        return obj


class _Machine(_Stack):
    """The pickle virtual machine, for the opcodes a CIFAR file can contain."""

    def step(self, name: str, arg) -> None:
        if name in _PUSH_ARG:
            self.stack.append(arg)
        elif name in _PUSH_LATIN1:
            self.stack.append(_latin1(arg))   # Python 2 str; encoding="bytes" reads it as bytes
        elif name in _CONSTANTS:
            self.stack.append(_CONSTANTS[name]())
        elif name in ("PROTO", "FRAME"):
            pass
        else:
            handler = getattr(self, f"op_{name}", None)
            if handler is None:
                raise PickleRefused(f"opcode {name} (a CIFAR file holds only plain data and uint8 arrays)")
            handler(arg)

    def op_MARK(self, _):
        self.marks.append(self.stack)
        self.stack = []

    def op_POP(self, _):
        if self.stack:
            self.stack.pop()
        else:
            self.pop_mark()

    def op_POP_MARK(self, _):
        self.pop_mark()

    def op_DUP(self, _):
        self.stack.append(self.top())

    # pop_mark swaps self.stack, so each result is computed before self.stack.append is looked up.
    def op_TUPLE(self, _):
        items = tuple(self.pop_mark())
        self.stack.append(items)

    def op_TUPLE1(self, _):
        self.stack.append(tuple(self.pop_n(1)))

    def op_TUPLE2(self, _):
        self.stack.append(tuple(self.pop_n(2)))

    def op_TUPLE3(self, _):
        self.stack.append(tuple(self.pop_n(3)))

    def op_LIST(self, _):
        items = self.pop_mark()
        self.stack.append(items)

    def op_DICT(self, _):
        built = dict(_pairs(self.pop_mark()))
        self.stack.append(built)

    def op_APPEND(self, _):
        value = self.pop()
        self.target(list).append(value)

    def op_APPENDS(self, _):
        items = self.pop_mark()
        self.target(list).extend(items)

    def op_SETITEM(self, _):
        value, key = self.pop(), self.pop()
        self.target(dict)[_key(key)] = value

    def op_SETITEMS(self, _):
        items = _pairs(self.pop_mark())
        self.target(dict).update(items)

    def _get(self, index):
        if index not in self.memo:
            raise PickleRefused(f"memo entry {index} is read before it is written")
        self.stack.append(self.memo[index])

    op_GET = op_BINGET = op_LONG_BINGET = _get

    def _put(self, index):
        self.memo[index] = self.top()

    op_PUT = op_BINPUT = op_LONG_BINPUT = _put

    def op_MEMOIZE(self, _):
        self.memo[len(self.memo)] = self.top()

    def _global(self, qualname: str):
        role = _GLOBALS.get(qualname)
        if role is None:
            raise PickleRefused(f"global '{qualname.replace(' ', '.')}' is not allowed")
        self.stack.append(_Global(role))

    def op_GLOBAL(self, arg):
        self._global(arg)

    def op_STACK_GLOBAL(self, _):
        name, module = self.pop(), self.pop()
        if type(name) is not str or type(module) is not str:
            raise PickleRefused("STACK_GLOBAL with names that are not strings")
        self._global(f"{module} {name}")

    def op_REDUCE(self, _):
        args, func = self.pop(), self.pop()
        self.stack.append(_reduce(func, args))

    def op_BUILD(self, _):
        state = self.pop()
        _build(self.top(), state)


_PUSH_ARG = {"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "BINBYTES", "SHORT_BINBYTES",
             "BINBYTES8", "UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "FLOAT", "BINFLOAT"}
_PUSH_LATIN1 = {"STRING", "BINSTRING", "SHORT_BINSTRING"}
_CONSTANTS = {"NONE": lambda: None, "NEWTRUE": lambda: True, "NEWFALSE": lambda: False,
              "EMPTY_LIST": list, "EMPTY_DICT": dict, "EMPTY_TUPLE": tuple}


def _finish(obj, seen: dict, depth: int = 0):
    """Swap built arrays in for their tokens; refuse tokens that never became data."""
    if depth > _MAX_DEPTH:
        raise PickleRefused(f"containers nested more than {_MAX_DEPTH} deep")
    if isinstance(obj, _Array):
        if obj.array is None:
            raise PickleRefused("an array without its data (no BUILD)")
        return obj.array
    if isinstance(obj, (_Global, _U1)):
        raise PickleRefused("a bare numpy global or dtype where data belongs")
    if type(obj) not in (list, dict, tuple):
        return obj
    if id(obj) in seen:   # shared or cyclic containers are converted once
        return seen[id(obj)]
    if type(obj) is list:
        out = seen[id(obj)] = []
        out.extend(_finish(v, seen, depth + 1) for v in obj)
    elif type(obj) is dict:
        out = seen[id(obj)] = {}
        out.update((k, _finish(v, seen, depth + 1)) for k, v in obj.items())
    else:
        out = seen[id(obj)] = tuple(_finish(v, seen, depth + 1) for v in obj)
    return out


def loads(raw: bytes):
    """Interpret the pickle in ``raw``; raise PickleRefused for anything a CIFAR file does not hold."""
    machine = _Machine()
    try:
        for opcode, arg, _pos in pickletools.genops(raw):
            if opcode.name == "STOP":
                if len(machine.stack) != 1 or machine.marks:
                    raise PickleRefused("the stream ends with a malformed stack")
                return _finish(machine.stack[0], {})
            machine.step(opcode.name, arg)
    except PickleRefused:
        raise
    except Exception as exc:  # genops' ValueErrors on a malformed stream, and anything unforeseen
        raise PickleMalformed(f"the pickle stream is malformed ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:120]})") from None
    raise PickleMalformed("the pickle stream ends without STOP")
