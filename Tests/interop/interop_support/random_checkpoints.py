"""Seeded random checkpoints shaped as real training code writes them, for the differential suite.

``checkpoint(index)`` builds one: a layout (a plain state dict, a research script's dict, Lightning, timm,
mmengine, BasicSR, or a random nested tree) filled with tensors of every dtype (views and shared storages
included), numpy scalars and arrays of every dtype and byte order (0-d, empty, Fortran order), argparse
namespaces, paths, defaultdicts, plain objects, and, in about two thirds of them, DAConv modules of random
geometry and dtype. Everything is drawn from ``random.Random(index)``, so a failure names its index and is
reproduced alone with ``checkpoint(index)``.
"""

from __future__ import annotations

import argparse
import collections
import math
import pathlib
import random

import numpy as np
import torch

TENSOR_DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
                 torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128, torch.uint16, torch.uint32,
                 torch.uint64, torch.float8_e4m3fn, torch.float8_e5m2]
FOLD_DTYPES = [torch.float32, torch.float32, torch.float64, torch.float16, torch.bfloat16]
NUMPY_CODES = ["b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]
LAYOUTS = ["state_dict", "research", "lightning", "timm", "mmengine", "basicsr", "nested"]


class RandomRecord:
    """A plain object (NEWOBJ, then BUILD with its __dict__), as many configs and loggers are."""


class FakeHistoryBuffer:
    """mmengine's HistoryBuffer as it pickles: numpy histories and a max length."""


class Generator:
    def __init__(self, index):
        self.rng = random.Random(index)
        self.np = np.random.default_rng(index)
        self.tensors = []      # earlier tensors, for views and ties
        self.daconv = False

    # MARK: leaves

    def tensor(self):
        rng = self.rng
        if self.tensors and rng.random() < 0.2:
            return self.view(rng.choice(self.tensors))
        dtype = rng.choice(TENSOR_DTYPES)
        shape = [rng.randint(0, 4) if rng.random() < 0.1 else rng.randint(1, 4) for _ in range(rng.randint(0, 3))]
        count = math.prod(shape)
        raw = torch.from_numpy(self.np.normal(0, 3, count).astype(np.float32)).reshape(shape)
        if dtype.is_complex:
            value = torch.complex(raw, raw.flip(-1) if raw.dim() else raw).to(dtype)
        elif dtype == torch.bool:
            value = raw > 0
        elif dtype.is_floating_point:
            value = raw.to(dtype)
        else:
            info = torch.iinfo(dtype)
            value = torch.from_numpy(self.np.integers(max(info.min, -2**62), min(info.max, 2**62), count)).reshape(shape)
            value = value.to(torch.int64).to(dtype) if dtype not in (torch.uint64, torch.uint32) else value.to(dtype)
        self.tensors.append(value)
        return value

    def view(self, base):
        """A view of an earlier tensor: itself (tied), a slice, a transpose, a strided slice, an expansion."""
        rng = self.rng
        kinds = ["same"]
        if base.dim() >= 1 and base.shape[0] > 1:
            kinds.append("slice")
        if base.dim() == 2:
            kinds += ["transpose", "strided"]
        if base.dim() >= 1 and base.numel() > 0:
            kinds.append("flat")
        if base.dim() == 1 and base.shape[0] == 1:
            kinds.append("expand")
        kind = rng.choice(kinds)
        if kind == "slice":
            return base[1:]
        if kind == "transpose":
            return base.t()
        if kind == "strided":
            return base[:, ::2]
        if kind == "flat":
            return base.reshape(-1)[rng.randint(0, base.numel() - 1):]
        if kind == "expand":
            return base.expand(3)
        return base

    def numpy_value(self):
        rng = self.rng
        dtype = np.dtype(rng.choice("<>") + rng.choice(NUMPY_CODES))
        if rng.random() < 0.35:
            return self.numpy_array(dtype, ()).reshape(-1)[0] if dtype.kind != "b" else np.bool_(rng.random() < 0.5)
        shape = tuple(rng.randint(0, 3) if rng.random() < 0.1 else rng.randint(1, 4) for _ in range(rng.randint(0, 3)))
        array = self.numpy_array(dtype, shape)
        return np.asfortranarray(array) if rng.random() < 0.3 else array

    def numpy_array(self, dtype, shape):
        count = max(1, math.prod(shape))
        if dtype.kind == "b":
            flat = self.np.integers(0, 2, count).astype(bool)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            flat = self.np.integers(info.min, info.max, count, dtype=np.int64 if info.max < 2**63 else np.uint64, endpoint=True)
        elif dtype.kind == "f":
            flat = np.round(self.np.normal(0, 50, count), 2)
        else:
            flat = np.round(self.np.normal(0, 5, count), 2) + 1j * np.round(self.np.normal(0, 5, count), 2)
        return flat.astype(dtype)[:math.prod(shape)].reshape(shape)

    def path(self):
        rng = self.rng
        parts = [rng.choice(["data", "runs", "ckpt", "LOL", "exp1"]) for _ in range(rng.randint(1, 3))]
        kind = rng.choice([pathlib.PurePosixPath, pathlib.PurePosixPath, pathlib.PosixPath, pathlib.PureWindowsPath])
        root = {pathlib.PureWindowsPath: "C:\\"}.get(kind, "/") if rng.random() < 0.6 else ""
        return kind(root, *parts)

    def scalar(self):
        rng = self.rng
        return rng.choice([
            lambda: rng.randint(-10**6, 10**6), lambda: rng.randint(2**63, 2**70), lambda: round(rng.uniform(-9, 9), 6),
            lambda: rng.choice(["l1", "ssim", "ünïcode", ""]), lambda: rng.random() < 0.5, lambda: None,
            lambda: complex(rng.randint(-3, 3), 0.5), lambda: bytes(rng.randrange(256) for _ in range(rng.randint(0, 5))),
            lambda: float("inf"),
        ])()

    def leaf(self):
        rng = self.rng
        choice = rng.random()
        if choice < 0.3:
            return self.tensor()
        if choice < 0.55:
            return self.numpy_value()
        if choice < 0.62:
            return self.path()
        return self.scalar()

    # MARK: containers and objects

    def namespace(self, depth=1):
        values = {name: self.value(depth) for name in self.rng.sample(["lr", "seed", "data_dir", "crop", "gamma", "amp",
                                                                        "out", "metric", "alpha"], self.rng.randint(1, 5))}
        return argparse.Namespace(**values)

    def record(self, depth=1):
        record = RandomRecord()
        for name in self.rng.sample(["name", "values", "best", "extra"], self.rng.randint(0, 3)):
            setattr(record, name, self.value(depth))
        return record

    def value(self, depth=0):
        """A random value: containers while ``depth`` allows, leaves below."""
        rng = self.rng
        if depth >= 3 or rng.random() < 0.5:
            return self.leaf()
        kind = rng.choice(["dict", "list", "tuple", "ordered", "namespace", "defaultdict", "record"])
        size = rng.randint(0, 4)
        if kind == "namespace":
            return self.namespace(depth + 1)
        if kind == "record":
            return self.record(depth + 1)
        if kind in ("list", "tuple"):
            items = [self.value(depth + 1) for _ in range(size)]
            return items if kind == "list" else tuple(items)
        result = {"dict": dict, "ordered": collections.OrderedDict}.get(kind, lambda: collections.defaultdict(list))()
        for index in range(size):
            result[rng.choice(["a", "b", "w", "x", "stats", "meta"]) + str(index)] = self.value(depth + 1)
        if rng.random() < 0.05:
            result[np.int64(rng.randint(0, 99))] = self.scalar()       # a numpy scalar as a key
        return result

    # MARK: networks

    def daconv_module(self, state, prefix, dtype):
        rng = self.rng
        groups = rng.choice([1, 1, 2])
        cin, cout = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        kh, kw = rng.choice([1, 3, 3, 5]), rng.choice([1, 3, 3, 5])
        bias = rng.random() < 0.8
        theta = [] if rng.random() < 0.3 else [1]
        for branch in ("cac", "cdc"):
            state[f"{prefix}.{branch}.weight"] = self.weights([cout, cin // groups, kh, kw], dtype)
            if bias:
                state[f"{prefix}.{branch}.bias"] = self.weights([cout], dtype)
        for gate in ("cac_theta", "cdc_theta"):
            state[f"{prefix}.{gate}"] = self.weights(theta, dtype) * 2
        self.daconv = True

    def weights(self, shape, dtype):
        return torch.from_numpy(self.np.normal(0, 0.5, math.prod(shape) or 1).astype(np.float64)[:math.prod(shape)]).reshape(shape).to(dtype)

    def state_dict(self, prefix="", with_daconv=True):
        """A network's state dict: DAConv modules among plain tensors, keys under ``prefix``."""
        rng = self.rng
        state = collections.OrderedDict() if rng.random() < 0.8 else {}
        dtype = rng.choice(FOLD_DTYPES)
        for index in range(rng.randint(1, 4)):
            if with_daconv and rng.random() < 0.6:
                self.daconv_module(state, f"{prefix}body.{index}", dtype)
            else:
                state[f"{prefix}body.{index}.weight"] = self.tensor()
            if rng.random() < 0.3:
                state[f"{prefix}norm.{index}.running_mean"] = self.tensor()
        return state

    def optimizer(self, count):
        state = {index: {"step": torch.tensor(float(self.rng.randint(1, 9))), "exp_avg": self.tensor()}
                 for index in range(count)}
        groups = [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "params": list(range(count))}]
        return {"state": state, "param_groups": groups}

    # MARK: layouts

    def checkpoint(self):
        rng = self.rng
        layout = rng.choice(LAYOUTS)
        daconv = rng.random() < 0.65
        build = getattr(self, "layout_" + layout)
        return layout, build(daconv)

    def layout_state_dict(self, daconv):
        return self.state_dict(rng_prefix(self.rng), daconv)

    def layout_research(self, daconv):
        rng = self.rng
        key = rng.choice(["state_dict", "model", "net"])
        result = {"epoch": rng.randint(1, 300), key: self.state_dict("", daconv)}
        if rng.random() < 0.5:
            result["ema"] = self.state_dict("", daconv)
        result["optimizer"] = self.optimizer(rng.randint(1, 3))
        result["best_psnr"] = np.float64(round(rng.uniform(15, 30), 3))
        result["psnr_history"] = np.round(self.np.uniform(15, 30, rng.randint(1, 5)), 2)
        result["args"] = self.namespace()
        result["extra"] = self.value(1)
        return result

    def layout_lightning(self, daconv):
        prefix = self.rng.choice(["net.", "model."])
        return {"epoch": 3, "global_step": 120, "pytorch-lightning_version": "2.6.6",
                "state_dict": self.state_dict(prefix, daconv), "loops": {"fit_loop": {"epoch_progress": {"total": 3}}},
                "callbacks": {"ModelCheckpoint{'monitor': None, 'mode': 'min'}": {"best_model_score": None}},
                "optimizer_states": [self.optimizer(2) for _ in range(self.rng.randint(1, 2))],
                "lr_schedulers": [{"step_size": 10, "gamma": 0.5}], "hparams_name": "args",
                "hyper_parameters": {"args": self.namespace(), "root": self.path()}}

    def layout_timm(self, daconv):
        result = {"epoch": 1, "arch": "tiny", "state_dict": self.state_dict("", daconv)}
        if self.rng.random() < 0.6:
            result["state_dict_ema"] = self.state_dict("", daconv)
        result.update({"optimizer": self.optimizer(2), "version": 2, "args": self.namespace(),
                       "metric": round(self.rng.uniform(0, 1), 4)})
        return result

    def layout_mmengine(self, daconv):
        hub = {}
        for name in ["train/loss", "train/lr"]:
            buffer = FakeHistoryBuffer()
            buffer.max_length = 1000
            buffer._log_history = np.round(self.np.normal(1, 0.1, 3), 3)
            buffer._count_history = np.arange(1, 4)
            hub[name] = buffer
        meta = {"epoch": 1, "iter": 2, "seed": np.int64(self.rng.randint(0, 9)),
                "dataset_meta": {"classes": ("low", "normal"), "palette": np.array([[0, 0, 0], [255, 255, 255]], np.uint8)}}
        return {"meta": meta, "state_dict": self.state_dict("net.", daconv), "optimizer": self.optimizer(2),
                "param_schedulers": [{"milestones": collections.Counter({10: 1})}],
                "message_hub": {"log_scalars": hub, "runtime_info": {"eta": np.float64(1.5)}}}

    def layout_basicsr(self, daconv):
        result = {"params": self.state_dict("", daconv)}
        if self.rng.random() < 0.5:
            result["params_ema"] = self.state_dict("", daconv)
        return result

    def layout_nested(self, daconv):
        rng = self.rng
        root = {"weights": self.state_dict("", daconv)} if rng.random() < 0.7 else {}
        for index in range(rng.randint(1, 4)):
            root[f"v{index}"] = self.value(0)
        if rng.random() < 0.3:
            root["runs"] = [self.state_dict("", daconv), self.value(1)]
        return root


def rng_prefix(rng):
    return rng.choice(["", "", "module.", "_orig_mod."])


def checkpoint(index):
    """``(layout, value)`` for seed ``index``; whether it holds a DAConv module is ``has_daconv(value)``."""
    return Generator(index).checkpoint()


def pickle_protocol(index):
    """The protocol torch.save uses for checkpoint ``index``: mostly torch's default 2, sometimes 3 to 5."""
    return random.Random(-index - 1).choice([2, 2, 2, 3, 4, 5])
