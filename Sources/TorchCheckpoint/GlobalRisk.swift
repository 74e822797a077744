import PickleMachine

/// How risky a global referenced by a pickle is, as `merge-daconv inspect --audit` reports it.
///
/// The rule, applied in this order:
/// 1. `allowed`: on torch's weights-only allow-list (``TorchAllowList``), whatever the pickle does with it.
/// 2. `dangerous`: a known code-execution primitive (``DangerousGlobals``), however it is used (even only
///    named: it can be handed to something that calls it); or any other global the pickle CALLS through
///    REDUCE, INST or OBJ, except the data constructors the unpickler builds itself (an unpickler that
///    runs the pickle would run it; this tool refuses such a checkpoint).
/// 3. `decodedData`: a numpy, pathlib or defaultdict data constructor ``DecodedDataGlobals`` names exactly, or a
///    data type named as a value there: decoded as data by this tool, never called.
/// 4. `dangerous`, again: any other global the pickle calls (see 2), except the data constructors the unpickler
///    builds itself (`frozenset`, `bytes`, copyreg's object constructors), which are `decodedData` too.
/// 5. `unsafeForTorchLoad`: anything else, that is a class reached only through NEWOBJ, BUILD or as a
///    value (the classes of a whole pickled model). Here it stays inert data, but
///    `torch.load(weights_only=False)` would import it and run its `__setstate__`/`__reduce__` machinery.
public enum GlobalRisk: String, Sendable, Equatable, CaseIterable {
    /// On torch's weights-only allow-list.
    case allowed
    /// A data constructor this tool decodes itself (numpy values, paths, defaultdicts), never calling it.
    case decodedData = "decoded as data"
    /// Inert here, but imported and instantiated by `torch.load(weights_only=False)`.
    case unsafeForTorchLoad = "unsafe for torch.load"
    /// Would run code, reach files, processes or the network if the pickle were loaded by Python.
    case dangerous

    /// The risk of `global` used in `usages`, and one clause saying why.
    public static func classify(_ global: PickleGlobal, usages: Set<PickleGlobalUsage>) -> (risk: GlobalRisk, reason: String) {
        if TorchAllowList.allows(global) { return (.allowed, "on torch's weights-only allow-list") }
        if global.qualifiedName == "builtins.getattr", usages.contains(.attributeReference),
            usages.isSubset(of: [.pushed, .attributeReference])
        {
            return (
                .decodedData,
                "only as getattr(<global>, 'name'), read as the global <global>.name (listed on its own), never called"
            )
        }
        if let what = DangerousGlobals.match(global) { return (.dangerous, what) }
        if let why = DecodedDataGlobals.dataReason(global, usages: usages) { return (.decodedData, why) }
        let calls = usages.intersection([.reduce, .inst, .obj])
        if !calls.isEmpty {
            if PickleGlobalScan.isDataConstructor(global) {
                return (
                    .decodedData,
                    "a data constructor the unpickler builds itself, never called; torch's weights-only loader refuses it"
                )
            }
            return (.dangerous, "called by the pickle: unpickling it runs it")
        }
        return (.unsafeForTorchLoad, "kept inert here; torch.load(weights_only=False) would import and instantiate it")
    }
}

/// Globals that run code, reach the file system, the network or other processes, or load further pickles.
///
/// Written from what these modules do, not from any scanner's list. Whole modules are dangerous when any
/// name in them is (`os`, `subprocess`, ...); for `builtins` and `operator`/`functools` only the names
/// that evaluate code or reach attributes by name.
public enum DangerousGlobals {
    /// Modules (and their submodules) every name of which is dangerous.
    public static let modules: Set<String> = [
        "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "sys", "runpy", "importlib",
        "imp", "pkgutil", "zipimport", "pickle", "_pickle", "cPickle", "pickletools", "shelve", "marshal", "dill",
        "joblib", "socket", "_socket", "ssl", "asyncio", "shutil", "webbrowser", "pty", "commands", "popen2", "code",
        "codeop",
        "ctypes", "_ctypes", "cffi", "multiprocessing", "concurrent", "_thread", "signal", "pdb",
        "bdb", "trace", "timeit", "profile", "cProfile", "urllib", "urllib2", "urllib3", "http", "httplib",
        "requests", "ftplib", "smtplib", "telnetlib", "xmlrpc", "socketserver", "platform", "sysconfig",
        "distutils", "setuptools", "pip", "venv", "ensurepip",
        "torch.hub", "torch.package", "torch.jit", "torch.ops", "torch._dynamo", "torch._inductor",
        "torch.serialization", "torch.utils.cpp_extension",
        // numpy's code-execution and file gadgets: only numpy's data constructors are data (DecodedDataGlobals).
        "numpy.f2py", "numpy.testing", "numpy.distutils", "numpy.ctypeslib", "numpy.lib.npyio", "numpy.lib._npyio_impl",
        "numpy.lib.format", "numpy._pytesttester",
    ]

    /// Single names, `module.name`.
    public static let names: Set<String> = {
        let builtins = [
            "eval", "exec", "execfile", "compile", "open", "file", "input", "raw_input", "breakpoint", "__import__",
            "getattr", "setattr", "delattr", "globals", "locals", "vars", "dir", "reload", "apply", "exit", "quit",
            "type", "object.__getattribute__",
        ]
        var names = Set(builtins.map { "builtins.\($0)" })
        names.formUnion([
            "operator.attrgetter", "operator.methodcaller", "operator.getitem", "operator.call",
            "functools.partial", "functools.reduce", "functools.partialmethod", "itertools.starmap",
            "torch.load", "torch.save", "torch.from_file", "torch.classes", "torch._C._load_for_lite_interpreter",
            "numpy.load", "numpy.save", "numpy.savez", "numpy.fromfile", "numpy.memmap", "numpy.loadtxt", "numpy.genfromtxt",
            "numpy.fromregex", "numpy.f2py",
            "_codecs.open", "codecs.open", "io.open", "io.FileIO", "_io.open", "_io.FileIO", "linecache.getline",
            "logging.config.listen", "site.addsitedir", "types.CodeType", "types.FunctionType", "types.MethodType",
            "types.LambdaType", "types.ModuleType", "gc.get_objects", "gc.get_referrers",
        ])
        return names
    }()

    /// What makes `global` dangerous, or nil.
    public static func match(_ global: PickleGlobal) -> String? {
        // Python 2 spellings survive in protocol 3+ streams, which the unpickler does not map.
        let module = PythonNameMapping.python3(PickleGlobal(module: global.module, name: global.name)).module
        if names.contains("\(module).\(global.name)") { return "a code-execution or file-access primitive" }
        return dangerousModule(module)
    }

    private static func dangerousModule(_ name: String) -> String? {
        var module = Substring(name)
        while true {
            if modules.contains(String(module)) { return "module \(module) runs code or reaches files, processes or the network" }
            guard let dot = module.lastIndex(of: ".") else { return nil }
            module = module[..<dot]
        }
    }
}
