#!/usr/bin/env python3
"""Writes CPythonVectors.swift: pickles made (or checked) by the running CPython, with the
description of the value each one holds, for the PickleMachine tests.

Plain python3, no torch: a tiny fake `torch` module stands in for the globals a checkpoint names.
Run from anywhere: `python3 Tests/PickleMachineTests/make_vectors.py`. The output is deterministic
for a given CPython version (the script re-runs itself with PYTHONHASHSEED=0).

Description format (mirrored by GraphDescription.swift in the tests):
  None True False 42 -7            scalars; floats as f:<16 hex digits of the IEEE bits>
  'text'                           printable ASCII except ' and \\ as is, anything else \\u{hex}
  b'00ff'                          bytes (bytearray too) as hex
  [a, b]  (a,)  (a, b)  {k: v}     list, tuple, dict
  OrderedDict{k: v}  set{a}  frozenset{a}
  global(module.name)              a class or function, Python 3 names
  call(module.name, (args))        a callable the policy allowed, applied to args
  object(module.name, newObject|newObjectWithKeywords|reconstructor, (args))
  pid(...)                         a persistent id (its content described without labels)
  +items[...] +entries{...} +state(...)   suffixes: list items, dict items, BUILD state
  #n= / #n                         a container reached more than once: labelled at first, referenced after
"""
import collections
import copyreg
import io
import os
import pickle
import pickletools
import struct
import subprocess
import sys
import types
import warnings
import _compat_pickle

warnings.simplefilter("ignore", DeprecationWarning)

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    sys.exit(subprocess.call([sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env))

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "CPythonVectors.swift")

# ---------------------------------------------------------------------------------------------
# A fake torch: just enough globals for checkpoint-shaped pickles.

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage


class FakeStorage:
    """A storage written as a persistent id, as torch.save does."""

    def __init__(self, key, numel):
        self.key = key
        self.numel = numel

    def pid(self):
        return ("storage", FloatStorage, self.key, "cpu", self.numel)


class RawPid:
    """What a PERSID (protocol 0, a plain string id) loads as."""

    def __init__(self, pid):
        self.pid = pid


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    return FakeTensor(storage, offset, size, stride)


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class CheckpointPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid() if isinstance(obj, FakeStorage) else None


class CheckpointUnpickler(pickle.Unpickler):
    def __init__(self, data):
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.storages = {}

    def persistent_load(self, pid):
        if isinstance(pid, tuple):
            return self.storages.setdefault(pid[2], FakeStorage(pid[2], pid[4]))
        return RawPid(pid)


def dumps(obj, protocol):
    buffer = io.BytesIO()
    CheckpointPickler(buffer, protocol).dump(obj)
    return buffer.getvalue()


def loads(data):
    return CheckpointUnpickler(data).load()


# ---------------------------------------------------------------------------------------------
# Classes and functions of "__main__" pickled in the vectors.

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class Empty:
    pass


class WithArgs:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __getnewargs__(self):
        return (self.a, self.b)


class WithKeywords:
    def __init__(self, a, k):
        self.a, self.k = a, k

    def __getnewargs_ex__(self):
        return ((self.a,), {"k": self.k})

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a, self.b = 1, "two"


class MyList(list):
    pass


class MyDict(dict):
    pass


def rebuild(*args):
    return Rebuilt(*args)


class Rebuilt:
    def __init__(self, *args):
        self.args = args

    def __reduce__(self):
        return (rebuild, self.args)


class Old:
    """Called by INST / OBJ in hand-written protocol 0/1 pickles."""

    def __init__(self, *args):
        self.init_args = args


# ---------------------------------------------------------------------------------------------
# The description format.

SCALARS = (type(None), bool, int, float, str, bytes, bytearray)


class Describer:
    def __init__(self, protocol):
        self.protocol = protocol
        self.cache = {}
        self.keep = []
        self.counts = {}
        self.labels = {}

    def reduced(self, obj):
        key = id(obj)
        if key not in self.cache:
            r = tuple(obj.__reduce_ex__(self.protocol)) + (None,) * 5
            func, args, state, listitems, dictitems = r[:5]
            listitems = None if listitems is None else list(listitems)
            dictitems = None if dictitems is None else list(dictitems)
            if func is copyreg.__newobj__:
                kind, cls, args = "newObject", args[0], tuple(args[1:])
            elif func is copyreg.__newobj_ex__:
                cls, positional, keywords = args
                if keywords:
                    kind, args = "newObjectWithKeywords", (tuple(positional), keywords)
                else:
                    kind, args = "newObject", tuple(positional)
            elif func is copyreg._reconstructor:
                kind, cls = "reconstructor", args[0]
            else:
                kind, cls = "call", func
            self.cache[key] = (kind, cls, args, state, listitems, dictitems)
            self.keep.append(obj)
        return self.cache[key]

    @staticmethod
    def is_global(obj):
        return isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType))

    def labelable(self, obj):
        if isinstance(obj, SCALARS) or self.is_global(obj) or isinstance(obj, (FakeStorage, RawPid)):
            return False
        return not (type(obj) is tuple and len(obj) == 0)

    def parts(self, obj):
        """(opening, items, pairs, closing, suffix parts) of a container or object."""
        t = type(obj)
        if t is list:
            return "[", list(obj), None, "]", []
        if t is tuple:
            return "(", list(obj), None, ",)" if len(obj) == 1 else ")", []
        if t is dict:
            return "{", None, list(obj.items()), "}", []
        if t is collections.OrderedDict:
            state = [("state", vars(obj))] if vars(obj) else []
            return "OrderedDict{", None, list(obj.items()), "}", state
        if t in (set, frozenset):
            return t.__name__ + "{", list(obj), None, "}", []
        kind, cls, args, state, listitems, dictitems = self.reduced(obj)
        suffix = []
        if listitems:
            suffix.append(("items", listitems))
        if dictitems:
            suffix.append(("entries", dictitems))
        if state is not None:
            suffix.append(("state", state))
        opening = f"call({self.name(cls)}, " if kind == "call" else f"object({self.name(cls)}, {kind}, "
        return opening, [args], None, ")", suffix

    @staticmethod
    def name(obj):
        return f"{obj.__module__}.{obj.__qualname__}"

    def children(self, obj):
        opening, items, pairs, closing, suffix = self.parts(obj)
        result = list(items or [])
        for k, v in pairs or []:
            result += [k, v]
        for tag, value in suffix:
            if tag == "items":
                result += value
            elif tag == "entries":
                for k, v in value:
                    result += [k, v]
            else:
                result.append(value)
        return result

    def count(self, obj):
        stack = [obj]
        while stack:
            value = stack.pop()
            if not self.labelable(value):
                continue
            self.keep.append(value)
            self.counts[id(value)] = self.counts.get(id(value), 0) + 1
            if self.counts[id(value)] == 1:
                stack.extend(reversed(self.children(value)))

    def describe(self, obj):
        self.count(obj)
        return self.text(obj)

    def text(self, obj):
        if obj is None:
            return "None"
        if type(obj) is bool:
            return "True" if obj else "False"
        if type(obj) is int:
            return str(obj)
        if type(obj) is float:
            return "f:" + struct.pack(">d", obj).hex()
        if type(obj) is str:
            return "'" + "".join(c if 0x20 <= ord(c) < 0x7F and c not in "'\\" else "\\u{%x}" % ord(c) for c in obj) + "'"
        if type(obj) in (bytes, bytearray):
            return "b'" + bytes(obj).hex() + "'"
        if self.is_global(obj):
            return f"global({self.name(obj)})"
        if isinstance(obj, FakeStorage):
            return "pid(" + Describer(self.protocol).text(obj.pid()) + ")"
        if isinstance(obj, RawPid):
            return "pid(" + self.text(obj.pid) + ")"
        prefix = ""
        if self.counts.get(id(obj), 0) > 1:
            if id(obj) in self.labels:
                return f"#{self.labels[id(obj)]}"
            self.labels[id(obj)] = len(self.labels) + 1
            prefix = f"#{self.labels[id(obj)]}="
        opening, items, pairs, closing, suffix = self.parts(obj)
        if opening.startswith(("call(", "object(")):
            inner = self.text(items[0])
        elif items is not None:
            inner = ", ".join(self.text(v) for v in items)
        else:
            inner = ", ".join(f"{self.text(k)}: {self.text(v)}" for k, v in pairs)
        out = prefix + opening + inner + closing
        for tag, value in suffix:
            if tag == "items":
                out += "+items[" + ", ".join(self.text(v) for v in value) + "]"
            elif tag == "entries":
                out += "+entries{" + ", ".join(f"{self.text(k)}: {self.text(v)}" for k, v in value) + "}"
            else:
                out += "+state(" + self.text(value) + ")"
        return out


def describe(obj, protocol):
    return Describer(protocol).describe(obj)


# ---------------------------------------------------------------------------------------------
# Objects pickled at every protocol. Each: name, object, protocols, pickler-exact source protocols.

ALL = range(6)


def objects():
    shared = [1, 2]
    pair = (1, "a")
    cyclic = []
    cyclic.append(cyclic)
    self_dict = {}
    self_dict["self"] = self_dict
    od = collections.OrderedDict([("w", 1.5), ("b", None)])
    sd = collections.OrderedDict()
    storage0, storage1 = FakeStorage("0", 6), FakeStorage("1", 2)
    sd["conv.weight"] = FakeTensor(storage0, 0, (2, 3), (3, 1))
    sd["conv.bias"] = FakeTensor(storage1, 0, (2,), (1,))
    sd["view"] = FakeTensor(storage0, 3, (3,), (1,))
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("conv", {"version": 1})])
    point = Point(1, -2.5)
    memo_strings = [str(i) * 2 for i in range(300)]
    my_list = MyList([1, 2])
    my_list.tag = "t"
    my_dict = MyDict(a=1)
    ints = [0, 1, -1, 127, 128, 255, 256, -128, -129, 65535, 65536, -32768, 2**31 - 1, 2**31, -2**31,
            -2**31 - 1, 2**32, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 10**30, -10**30, 2**100, -2**100]
    floats = [0.0, -0.0, 1.5, -2.25, 0.1, 1e100, 1e-300, 5e-324, 1.7976931348623157e308,
              float("inf"), float("-inf"), float("nan"), 123456789.123456789]
    strings = ["", "a", "hello", "with space", "quote'\"", "back\\slash", "nl\ncr\rtab\t", "nul\x00",
               "\x1a\x7f\x80\xff", "\u00e9", "e\u0301", "\u65e5\u672c\u8a9e", "\U0001F600", "\u20ac",
               "u\\u0041", "x" * 300]
    return [
        ("none_bools", [None, True, False], ALL, ALL),
        ("ints", ints, ALL, ALL),
        ("ints_long4", [2**2100, -2**2100], range(2, 6), []),
        ("floats", floats, ALL, ALL),
        ("strings", strings, ALL, ALL),
        ("bytes", [b"abc", b"\x00\xff\x80", bytes(range(256)), b"y" * 300], ALL, ALL),
        ("bytes_empty", [b""], ALL, []),
        ("bytearray", [bytearray(b"xyz"), bytearray()], ALL, []),
        ("bytes_shared", [b"ab", b"ab"], ALL, ALL),
        ("nested", [[1, [2, [3, []]]], (1, (2, 3), ()), {"a": {"b": {"c": []}}}, (1, 2, 3, 4, 5),
                    {1: "x", "k": (1, 2)}], ALL, ALL),
        ("tuples", [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)], ALL, ALL),
        ("sets", [{1, 2, 3}, frozenset({4, 5}), set(), {(1, 2)}], ALL, ALL),
        ("ordered_dict", od, ALL, ALL),
        ("state_dict", sd, range(1, 6), range(1, 6)),
        ("memo_shared", [shared, shared, {"x": shared}, pair, pair], ALL, ALL),
        ("cyclic_list", cyclic, ALL, ALL),
        ("cyclic_dict", self_dict, ALL, ALL),
        ("string_memo", ["storage", "storage", "cpu", "storage"], ALL, ALL),
        ("point", point, ALL, range(2, 6)),
        ("empty_object", [Empty(), Empty()], ALL, range(2, 6)),
        ("with_args", WithArgs(3, "b"), range(2, 6), range(2, 6)),
        ("with_keywords", WithKeywords(1, 2), range(4, 6), []),
        ("slotted", Slotted(), range(2, 6), range(2, 6)),
        ("my_list", my_list, ALL, range(2, 6)),
        ("my_dict", my_dict, ALL, range(2, 6)),
        ("reduce_call", Rebuilt(1, "x"), ALL, ALL),
        ("classes", [Point, rebuild, set, collections.OrderedDict], ALL, ALL),
        ("list_1000", list(range(1000)), [0, 2, 4], [2, 4]),
        ("list_1001", list(range(1001)), [2, 4], [2, 4]),
        ("list_2500", list(range(2500)), [1, 2], [1, 2]),
        ("dict_1", {"k": 1}, [2], [2]),
        ("dict_1000", {i: i for i in range(1000)}, [2], [2]),
        ("dict_2001", {i: -i for i in range(2001)}, [2], [2]),
        ("ordered_dict_1001", collections.OrderedDict((i, i) for i in range(1001)), [2], [2]),
        ("memo_256", memo_strings + [memo_strings[0], memo_strings[299]], [2, 4], [2, 4]),
    ]


# ---------------------------------------------------------------------------------------------
# Hand-written pickles (CPython loads each; the expectation is what it loads, unless given).

def hand_written():
    return [
        ("string_py2", b"S'abc'\np0\n.", None),
        ("string_escapes", b"S'a\\n\\x41\\101\\\\\\'b\\q\\501\\7'\n.", None),
        ("string_double_quotes", b'S"x\'y"\n.', None),
        ("string_utf8", b"S'caf\\xc3\\xa9'\n.", None),
        ("binstring", b"(T\x03\x00\x00\x00abcU\x02\xc3\xa9l.", None),
        ("int_text", b"(I01\nI00\nI+1\nI-0\nI1\nI0\nI-5\nI 7\nI010\nI0x1f\nI1_000\nI99999999999999999999\n"
                     b"I-9223372036854775808\nI9223372036854775808\nl.", None),
        ("long_text", b"(L123L\nL-456\nL0x10L\nL18446744073709551616L\nL0\nL-0b101\nl.", None),
        ("float_text", b"(F1.5\nF-0.0\nFinf\nF-Infinity\nFnan\nF-nan\nF1e308\nF.5\nF5.\nF1E-5\nF1e-400\n"
                       b"F0.1000000000000000055511151231257827021181583404541015625\nl.", None),
        ("unicode_text", b"(V\\u00e9\\U0001f600\\\\u0041x\\n\nVplain\nV\\x\nl.", None),
        ("dup_pop_popmark", b"(K\x012K\x02(K\x03K\x041K\x050l.", None),
        ("pop_mark_by_pop", b"(K\x01(0l.", None),
        ("get_put_text", b"(lp0\nI1\nag000\na.", None),
        ("dict_tuple_mark", b"(S'a'\nI1\nS'b'\n(I1\nI2\ntd.", None),
        ("inst_no_args", b"(i__main__\nOld\n(dS'v'\nI5\nsb.", "call(__main__.Old, ())+state({'v': 5})"),
        ("inst_args", b"(I1\nI2\ni__main__\nOld\n.", "call(__main__.Old, (1, 2))"),
        ("obj", b"(c__main__\nOld\nK\x01K\x02o.", "call(__main__.Old, (1, 2))"),
        ("persid", b"Pabc\n.", None),
        ("dict_duplicate_keys", b"}(K\x01K\x02K\x01K\x03u.", None),
        ("dict_duplicate_keys_past_index", b'}(K\x01K\nX\x01\x00\x00\x00aK\x0b\x88K\x0cK\x02K\rK\x01K\x02\x86K\x0eX\x01\x00\x00\x00bK\x0fK\x03K\x10u(K\x04K\x11K\x05K\x12K\x06K\x13X\x01\x00\x00\x00aK\x14G?\xf0\x00\x00\x00\x00\x00\x00K\x15K\x01K\x02\x86K\x16X\x02\x00\x00\x00\xc3\xa9K\x17X\x03\x00\x00\x00e\xcc\x81K\x18K\x02K\x19u.', None),
        ("dict_equal_numbers", b"}(\x88K\x01K\x01K\x02G?\xf0\x00\x00\x00\x00\x00\x00K\x03u.", None),
        ("dict_tuple_keys", b"}(K\x01K\x02\x86K\nK\x01K\x02\x86K\x0bu.", None),
        ("dict_unicode_keys", b"}(X\x02\x00\x00\x00\xc3\xa9K\x01X\x03\x00\x00\x00e\xcc\x81K\x02u.", None),
        ("set_additems", b"\x8f(K\x01K\x02K\x01\x90.", None),
        ("frozenset_duplicates", b"(K\x01K\x01G?\xf0\x00\x00\x00\x00\x00\x00\x91.", None),
        ("ordered_dict_duplicates", b"\x80\x02ccollections\nOrderedDict\n](K\x01K\x02\x86K\x01K\x03\x86e\x85R.", None),
        ("binbytes8", b"\x8e\x03\x00\x00\x00\x00\x00\x00\x00abc.", None),
        ("binunicode8", b"\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi.", None),
        ("long4", b"(\x8b\x02\x00\x00\x00\xff\x7f\x8b\x01\x00\x00\x00\x80\x8b\x00\x00\x00\x00l.", None),
        ("long1_negative", b"(\x8a\x01\xff\x8a\x02\x00\x80\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01\x8a\x00l.", None),
        ("binint_negative", b"(J\xff\xff\xff\xffJ\x00\x00\x00\x80M\xff\xffl.", None),
        ("short_binbytes", b"\x80\x03C\x02\x00\x01.", None),
        ("binbytes", b"\x80\x03B\x01\x00\x00\x00z.", None),
        ("empty_set_frozenset", b"\x80\x04(\x8f(\x91l.", None),
        ("stack_global", b"\x80\x04\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94.", None),
        ("newobj_reduce_copyreg", b"ccopy_reg\n__newobj__\n(c__main__\nEmpty\ntR.", None),
        ("frame", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01K\x02\x86.", None),
    ]


# ---------------------------------------------------------------------------------------------
# Hand-written pickles CPython refuses: the unpickler must refuse them too.

def refused():
    digits = b"9" * 4301
    return [
        ("int_letters", b"Iabc\n."), ("int_empty", b"I\n."), ("int_hex_prefix_only", b"I0x\n."),
        ("int_double_underscore", b"I1__0\n."), ("int_too_many_digits", b"I" + digits + b"\n."),
        ("int_octal_fallback", b"I08\n."), ("long_empty", b"L\n."), ("long_junk", b"L12x\n."),
        ("long_leading_zero", b"L012L\n."), ("long_too_many_digits", b"L" + digits + b"\n."),
        ("float_overflow", b"F1e999\n."), ("float_space", b"F 1.0\n."), ("float_underscore", b"F1_0\n."),
        ("float_hex", b"F0x10\n."), ("float_bare_exponent", b"F1e\n."), ("float_empty", b"F\n."),
        ("string_unquoted", b"Sabc\n."), ("string_mismatched_quotes", b"S'abc\"\n."),
        ("string_short_hex", b"S'\\x4'\n."), ("string_trailing_backslash", b"S'a\\'\n."),
        ("string_one_quote", b"S'\n."), ("string_invalid_utf8", b"S'\\xff'\n."),
        ("unicode_short_escape", b"V\\u12\n."), ("unicode_big_escape", b"V\\U00110000\n."),
        ("unicode_bad_hex", b"V\\uzzzz\n."), ("get_not_number", b"gx\n."), ("get_missing", b"g7\n."),
        ("get_huge", b"g99999999999999999999\n."), ("put_negative", b"Np-1\n."), ("put_hex", b"Np0x1\n."),
        ("global_empty_module", b"c\nf\n."), ("global_empty_name", b"cbuiltins\n\n."),
        ("inst_non_ascii", b"(i\xc3\xa9\nX\n."), ("persid_non_ascii", b"P\xc3\xa9\n."),
        ("binunicode_invalid_utf8", b"X\x01\x00\x00\x00\xff."), ("binstring_negative", b"T\xff\xff\xff\xff."),
        ("long4_negative", b"\x8b\xfe\xff\xff\xff."), ("protocol_6", b"\x80\x06N."),
        ("stop_empty", b"."), ("stop_below_mark", b"N(."), ("pop_empty", b"0."), ("tuple1_below_mark", b"N(\x85."),
        ("appends_no_mark", b"]e."), ("dict_odd", b"(Nd."), ("setitems_odd", b"}(NNNu."),
        ("setitem_list_key", b"}]Ns."), ("frozenset_of_set", b"(\x8f\x91."), ("additems_frozenset", b"(N\x91(N\x90."),
        ("build_on_list", b"]}b."), ("build_on_plain_dict", b"}}b."), ("reduce_args_not_tuple", b"cbuiltins\nset\nNR."),
        ("reduce_callable_not_global", b"])R."), ("newobj_args_not_tuple", b"\x80\x02c__main__\nEmpty\nN\x81."),
        ("newobj_ex_kwargs_not_dict", b"\x80\x04c__main__\nEmpty\n)]\x92."),
        ("stack_global_not_strings", b"\x80\x04K\x01K\x02\x93."), ("obj_empty_mark", b"(o."),
        ("truncated_binint", b"J\x01\x02"), ("no_stop", b"\x80\x02N"), ("unknown_opcode", b"\x80\x02\xff."),
        ("binunicode_beyond_input", b"X\xff\xff\xff\xffabc."), ("ext1", b"\x82\x01."),
    ]


# ---------------------------------------------------------------------------------------------

def opcode_names(data):
    """The opcodes pickletools finds, up to any operand it cannot decode (non-ASCII STRING)."""
    names = []
    try:
        for opcode, _, _ in pickletools.genops(data):
            names.append(opcode.name)
    except (ValueError, UnicodeDecodeError):
        pass
    return " ".join(dict.fromkeys(names))


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    vectors = []
    exact = []
    for name, obj, protocols, exact_sources in objects():
        for protocol in protocols:
            data = dumps(obj, protocol)
            pickletools.dis(data, out=io.StringIO())
            expected = describe(obj, protocol)
            again = describe(loads(data), protocol)
            assert again == expected, (name, protocol, expected, again)
            vectors.append((f"{name}/p{protocol}", data, expected, opcode_names(data)))
        if exact_sources:
            assert 2 in protocols
            exact.append((name, list(exact_sources)))
    for name, data, expected in hand_written():
        loaded = loads(data)
        description = describe(loaded, 2)
        vectors.append((f"hand/{name}", data, expected or description, opcode_names(data)))

    refusals = []
    for name, data in refused():
        try:
            loads(data)
        except Exception:
            refusals.append((name, data))
        else:
            raise AssertionError(f"CPython accepts refusal vector {name}")

    lines = [
        "// Generated by make_vectors.py with CPython %s. Do not edit: run" % sys.version.split()[0],
        "// `python3 Tests/PickleMachineTests/make_vectors.py` instead.",
        "// swiftlint:disable all",
        "",
        "/// Pickles produced or loaded by CPython, with the description of what each one holds.",
        "enum CPythonVectors {",
        "    static let pythonVersion = %s" % swift_string(sys.version.split()[0]),
        "",
        "    /// (name, pickle bytes as hex, expected description, opcodes pickletools finds in it)",
        "    static let vectors: [(name: String, hex: String, expected: String, opcodes: String)] = [",
    ]
    for name, data, expected, names in vectors:
        lines.append("        (%s, %s, %s, %s)," % (swift_string(name), swift_string(data.hex()), swift_string(expected),
                                                 swift_string(names)))
    lines += ["    ]", "",
              "    /// Objects whose protocol-2 pickle our pickler must reproduce byte for byte from the graph",
              "    /// unpickled from each listed protocol (vectors \"<name>/p<protocol>\").",
              "    static let picklerExact: [(name: String, sourceProtocols: [Int])] = ["]
    for name, sources in exact:
        lines.append("        (%s, %s)," % (swift_string(name), list(sources)))
    lines += ["    ]", "", "    /// Hand-written pickles CPython refuses to load: (name, bytes as hex)",
              "    static let refusedByCPython: [(name: String, hex: String)] = ["]
    for name, data in refusals:
        lines.append("        (%s, %s)," % (swift_string(name), swift_string(data.hex())))
    lines += ["    ]", "", "    /// pickletools.opcodes: (name, byte, protocol)",
              "    static let opcodes: [(name: String, code: UInt8, protocolVersion: Int)] = ["]
    for op in pickletools.opcodes:
        lines.append("        (%s, 0x%02X, %d)," % (swift_string(op.name), ord(op.code), op.proto))
    lines += ["    ]", ""]

    def table(title, name, mapping, pairs_of_pairs):
        lines.append("    /// _compat_pickle.%s" % title)
        if pairs_of_pairs:
            lines.append("    static let %s: [(String, String, String, String)] = [" % name)
            for (a, b), (c, d) in sorted(mapping.items()):
                lines.append("        (%s, %s, %s, %s)," % tuple(swift_string(x) for x in (a, b, c, d)))
        else:
            lines.append("    static let %s: [(String, String)] = [" % name)
            for a, b in sorted(mapping.items()):
                lines.append("        (%s, %s)," % (swift_string(a), swift_string(b)))
        lines.append("    ]")

    table("IMPORT_MAPPING", "importMapping", _compat_pickle.IMPORT_MAPPING, False)
    table("NAME_MAPPING", "nameMapping", _compat_pickle.NAME_MAPPING, True)
    table("REVERSE_IMPORT_MAPPING", "reverseImportMapping", _compat_pickle.REVERSE_IMPORT_MAPPING, False)
    table("REVERSE_NAME_MAPPING", "reverseNameMapping", _compat_pickle.REVERSE_NAME_MAPPING, True)
    lines.append("}")
    with open(OUTPUT, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"wrote {len(vectors)} vectors and {len(refusals)} refusals to {OUTPUT}")


if __name__ == "__main__":
    main()
