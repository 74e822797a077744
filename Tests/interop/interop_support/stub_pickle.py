"""A pickle module for ``torch.load(weights_only=False, pickle_module=stub_pickle)`` that reads checkpoints written
by libraries this environment lacks (Lightning, OmegaConf, mmengine): each of their classes is replaced by a stub
that keeps exactly the state the pickle gives it, which is what merge-daconv reads (it runs no class either).
Functions reached through a class (``getattr(HistoryBuffer, 'min')``) become stubs named ``module.Class.name``.
"""

from __future__ import annotations

import pickle

KEPT_MODULES = ("builtins", "__builtin__", "collections", "copyreg", "copy_reg", "_codecs", "torch", "numpy", "pathlib",
                "argparse", "typing")
_STUBS = {}


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _stub_function(cls.__module__, f"{cls.__qualname__}.{name}")


def _stub_function(module, qualname):
    def function(*args, **kwargs):
        raise RuntimeError(f"stub {module}.{qualname} is never called")
    function.__module__, function.__qualname__ = module, qualname
    return function


def stub_class(module, qualname):
    """One stub class per name: instances keep their BUILD state as their attributes."""
    key = (module, qualname)
    if key not in _STUBS:
        def __setstate__(self, state):
            if isinstance(state, tuple) and len(state) == 2:
                for part in state:
                    self.__dict__.update(part or {})
            elif isinstance(state, dict):
                self.__dict__.update(state)
            else:
                self.__dict__["__state__"] = state
        _STUBS[key] = _StubMeta(qualname.split(".")[-1], (), {"__module__": module, "__qualname__": qualname,
                                                                 "__setstate__": __setstate__})
    return _STUBS[key]


class Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] in KEPT_MODULES:
            return super().find_class(module, name)
        return stub_class(module, name)


def load(file, **kwargs):
    return Unpickler(file, **kwargs).load()


Pickler = pickle.Pickler
dump, dumps, loads = pickle.dump, pickle.dumps, pickle.loads
