/// The module and name renames between Python 2 and 3 that CPython's pickle applies for protocols
/// below 3 (its `fix_imports`), as the facts of `Lib/_compat_pickle.py` (the tests compare every
/// entry with the tables of the running CPython).
///
/// The unpickler maps Python 2 names to Python 3 (`__builtin__ set` -> `builtins.set`) so callers
/// and policies see one spelling; the pickler maps back, as protocol 2 writes Python 2 names.
public enum PythonNameMapping {
    /// The Python 3 spelling of a global read from a pickle of protocol 0, 1 or 2.
    public static func python3(_ global: PickleGlobal) -> PickleGlobal {
        if let renamed = tables.forwardNames[global] { return renamed }
        if let module = tables.forwardModules[global.module] { return PickleGlobal(module: module, name: global.name) }
        return global
    }

    /// The Python 2 spelling protocol 2 writes for a global.
    public static func python2(_ global: PickleGlobal) -> PickleGlobal {
        if let renamed = tables.reverseNames[global] { return renamed }
        if let module = tables.reverseModules[global.module] { return PickleGlobal(module: module, name: global.name) }
        return global
    }

    /// The four tables, built once from the lists below.
    static let tables = Tables()

    struct Tables: Sendable {
        var forwardModules: [String: String] = [:]
        var reverseModules: [String: String] = [:]
        var forwardNames: [PickleGlobal: PickleGlobal] = [:]
        var reverseNames: [PickleGlobal: PickleGlobal] = [:]

        init() {
            for (old, new) in PythonNameMapping.pairs(PythonNameMapping.renamedModules) {
                forwardModules[old] = new
                reverseModules[new] = old
            }
            for (old, new) in PythonNameMapping.pairs(PythonNameMapping.modulesReadOnly) { forwardModules[old] = new }
            for (new, old) in PythonNameMapping.pairs(PythonNameMapping.modulesWrittenOnly) { reverseModules[new] = old }
            for (old, new) in PythonNameMapping.globals(PythonNameMapping.renamedGlobals) + PythonNameMapping.exceptionGlobals() {
                forwardNames[old] = new
                reverseNames[new] = old
            }
            for (old, new) in PythonNameMapping.globals(PythonNameMapping.globalsReadOnly) { forwardNames[old] = new }
            for (new, old) in PythonNameMapping.globals(PythonNameMapping.globalsWrittenOnly) { reverseNames[new] = old }
        }
    }

    /// Modules renamed both ways: Python 2 name, then Python 3 name.
    static let renamedModules = """
        __builtin__ builtins copy_reg copyreg Queue queue SocketServer socketserver ConfigParser configparser
        repr reprlib tkFileDialog tkinter.filedialog tkSimpleDialog tkinter.simpledialog
        tkColorChooser tkinter.colorchooser tkCommonDialog tkinter.commondialog Dialog tkinter.dialog
        Tkdnd tkinter.dnd tkFont tkinter.font tkMessageBox tkinter.messagebox ScrolledText tkinter.scrolledtext
        Tkconstants tkinter.constants Tix tkinter.tix ttk tkinter.ttk Tkinter tkinter markupbase _markupbase
        _winreg winreg thread _thread dummy_thread _dummy_thread dbhash dbm.bsd dumbdbm dbm.dumb dbm dbm.ndbm
        gdbm dbm.gnu xmlrpclib xmlrpc.client SimpleXMLRPCServer xmlrpc.server httplib http.client
        htmlentitydefs html.entities HTMLParser html.parser Cookie http.cookies cookielib http.cookiejar
        BaseHTTPServer http.server test.test_support test.support commands subprocess urlparse urllib.parse
        robotparser urllib.robotparser urllib2 urllib.request anydbm dbm _abcoll collections.abc
        """
    /// Python 2 modules read as Python 3 modules, never written back.
    static let modulesReadOnly = """
        cPickle pickle _elementtree xml.etree.ElementTree FileDialog tkinter.filedialog
        SimpleDialog tkinter.simpledialog DocXMLRPCServer xmlrpc.server SimpleHTTPServer http.server
        CGIHTTPServer http.server UserDict collections UserList collections UserString collections
        whichdb dbm StringIO io cStringIO io
        """
    /// Python 3 modules written under a Python 2 name, never read: Python 3 name, then Python 2 name.
    static let modulesWrittenOnly = "_bz2 bz2 _dbm dbm _functools functools _gdbm gdbm _pickle pickle"

    /// Globals renamed both ways: Python 2 module and name, then Python 3 module and name.
    static let renamedGlobals = """
        __builtin__ xrange builtins range  __builtin__ reduce functools reduce  __builtin__ intern sys intern
        __builtin__ unichr builtins chr  __builtin__ unicode builtins str  __builtin__ long builtins int
        itertools izip builtins zip  itertools imap builtins map  itertools ifilter builtins filter
        itertools ifilterfalse itertools filterfalse  itertools izip_longest itertools zip_longest
        UserDict IterableUserDict collections UserDict  UserList UserList collections UserList
        UserString UserString collections UserString  whichdb whichdb dbm whichdb  _socket fromfd socket fromfd
        _multiprocessing Connection multiprocessing.connection Connection
        multiprocessing.process Process multiprocessing.context Process
        multiprocessing.forking Popen multiprocessing.popen_fork Popen
        urllib ContentTooShortError urllib.error ContentTooShortError  urllib getproxies urllib.request getproxies
        urllib pathname2url urllib.request pathname2url  urllib quote_plus urllib.parse quote_plus
        urllib quote urllib.parse quote  urllib unquote_plus urllib.parse unquote_plus
        urllib unquote urllib.parse unquote  urllib url2pathname urllib.request url2pathname
        urllib urlcleanup urllib.request urlcleanup  urllib urlencode urllib.parse urlencode
        urllib urlopen urllib.request urlopen  urllib urlretrieve urllib.request urlretrieve
        urllib2 HTTPError urllib.error HTTPError  urllib2 URLError urllib.error URLError
        multiprocessing AuthenticationError multiprocessing.context AuthenticationError
        multiprocessing BufferTooShort multiprocessing.context BufferTooShort
        multiprocessing ProcessError multiprocessing.context ProcessError
        multiprocessing TimeoutError multiprocessing.context TimeoutError
        """
    /// Python 2 globals read under a Python 3 name, never written back.
    static let globalsReadOnly = """
        __builtin__ basestring builtins str  exceptions StandardError builtins Exception
        UserDict UserDict collections UserDict  socket _socketobject socket SocketType
        """
    /// Python 3 globals written under a Python 2 name, never read: Python 3 first.
    static let globalsWrittenOnly = """
        _functools reduce __builtin__ reduce  tkinter.filedialog FileDialog FileDialog FileDialog
        tkinter.filedialog LoadFileDialog FileDialog LoadFileDialog
        tkinter.filedialog SaveFileDialog FileDialog SaveFileDialog
        tkinter.simpledialog SimpleDialog SimpleDialog SimpleDialog
        xmlrpc.server ServerHTMLDoc DocXMLRPCServer ServerHTMLDoc
        xmlrpc.server XMLRPCDocGenerator DocXMLRPCServer XMLRPCDocGenerator
        xmlrpc.server DocXMLRPCRequestHandler DocXMLRPCServer DocXMLRPCRequestHandler
        xmlrpc.server DocXMLRPCServer DocXMLRPCServer DocXMLRPCServer
        xmlrpc.server DocCGIXMLRPCRequestHandler DocXMLRPCServer DocCGIXMLRPCRequestHandler
        http.server SimpleHTTPRequestHandler SimpleHTTPServer SimpleHTTPRequestHandler
        http.server CGIHTTPRequestHandler CGIHTTPServer CGIHTTPRequestHandler  _socket socket socket _socketobject
        builtins BrokenPipeError exceptions OSError  builtins ChildProcessError exceptions OSError
        builtins ConnectionAbortedError exceptions OSError  builtins ConnectionError exceptions OSError
        builtins ConnectionRefusedError exceptions OSError  builtins ConnectionResetError exceptions OSError
        builtins FileExistsError exceptions OSError  builtins FileNotFoundError exceptions OSError
        builtins InterruptedError exceptions OSError  builtins IsADirectoryError exceptions OSError
        builtins NotADirectoryError exceptions OSError  builtins PermissionError exceptions OSError
        builtins ProcessLookupError exceptions OSError  builtins TimeoutError exceptions OSError
        builtins ModuleNotFoundError exceptions ImportError
        """
    /// Exceptions that moved from `exceptions` to `builtins` under the same name.
    static let exceptionNames = """
        ArithmeticError AssertionError AttributeError BaseException BufferError BytesWarning DeprecationWarning
        EOFError EnvironmentError Exception FloatingPointError FutureWarning GeneratorExit IOError ImportError
        ImportWarning IndentationError IndexError KeyError KeyboardInterrupt LookupError MemoryError NameError
        NotImplementedError OSError OverflowError PendingDeprecationWarning ReferenceError RuntimeError
        RuntimeWarning StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TypeError
        UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError
        UnicodeWarning UserWarning ValueError Warning ZeroDivisionError
        """

    fileprivate static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    fileprivate static func pairs(_ text: String) -> [(String, String)] {
        let w = words(text)
        precondition(w.count % 2 == 0, "name table with an odd number of words")
        return stride(from: 0, to: w.count, by: 2).map { (w[$0], w[$0 + 1]) }
    }

    fileprivate static func globals(_ text: String) -> [(PickleGlobal, PickleGlobal)] {
        let w = words(text)
        precondition(w.count % 4 == 0, "global table with a word count not a multiple of 4")
        return stride(from: 0, to: w.count, by: 4).map {
            (PickleGlobal(module: w[$0], name: w[$0 + 1]), PickleGlobal(module: w[$0 + 2], name: w[$0 + 3]))
        }
    }

    fileprivate static func exceptionGlobals() -> [(PickleGlobal, PickleGlobal)] {
        words(exceptionNames).map { (PickleGlobal(module: "exceptions", name: $0), PickleGlobal(module: "builtins", name: $0)) }
    }
}
