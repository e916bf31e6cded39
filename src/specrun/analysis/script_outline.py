"""What a step's script shows of its interface, read with :mod:`ast` (never imported or run),
for ``specrun init SCRIPT``: its SageMaker-style ``main(input_paths, output_paths,
environ_vars, job_args)``, its argparse arguments, the environment keys it reads and the
port keys it indexes, each with the line that showed it.

Where a path goes tells whether it is read or written and in which format: the path
given to ``pd.read_csv`` is a CSV input, to ``.to_parquet`` a Parquet output;
``os.path.join(path, "train.csv")`` or ``path / "model.json"`` says the port is a folder
holding that file.  A simple assignment (``target = Path(output_paths["out"])``) is followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAIN_PARAMS = 4
READERS = {"read_csv": "csv", "read_table": "tsv", "read_parquet": "parquet", "read_json": "json"}
WRITERS = {"to_csv": "csv", "to_parquet": "parquet", "to_json": "json"}
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
                  ".ndjson": "jsonl", ".json": "json", ".txt": "text", ".pkl": "pickle", ".pickle": "pickle"}
#: SageMaker's environment variables for a job's channels and outputs
SAGEMAKER_INPUT_ENV = "SM_CHANNEL_"
SAGEMAKER_OUTPUT_ENV = ("SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR", "SM_OUTPUT_DIR")
#: calls that keep a path a path: ``Path(p)``, ``os.path.abspath(p)``, Python's ``str(p)``
_PATH_WRAPPERS = ("Path", "abspath", str.__name__)


class ScriptSyntaxError(ValueError):
    """The script cannot be parsed: its file and line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass
class Option:
    """One ``add_argument`` call."""

    flag: str | None                # ``--job-type``; None for a positional argument
    dest: str
    line: int
    type: str | None = None         # ``int``, ``float``, ``str``, or the callable's text
    default: Any = None
    has_default: bool = False
    default_env: str | None = None  # the default is read from this environment variable
    required: bool = False
    choices: list[Any] | None = None
    action: str | None = None


@dataclass
class PortUse:
    """How a port's path is used: read or written, the format that shows, a file inside it."""

    direction: str | None = None    # "input" / "output" / None (not seen)
    format: str | None = None
    layout: str | None = None
    evidence: list[str] = field(default_factory=list)
    format_from: str = ""           # the call that showed the format


@dataclass
class EnvRead:
    key: str
    line: int
    default: Any = None
    has_default: bool = False


@dataclass
class ScriptOutline:
    """What ``specrun init`` prints a step from."""

    path: str
    main_line: int | None = None             # the SageMaker-style main, when there is one
    input_keys: dict[str, int] = field(default_factory=dict)
    output_keys: dict[str, int] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    env: dict[str, EnvRead] = field(default_factory=dict)
    uses: dict[str, PortUse] = field(default_factory=dict)   # port key or option dest → its use


def read_outline(path: Path, label: str | None = None) -> ScriptOutline:
    """The outline of the script at ``path``; :class:`ScriptSyntaxError` when it does not parse."""
    label = label or str(path)
    try:
        source = path.read_bytes()
        tree = ast.parse(source, filename=label)
    except SyntaxError as exc:
        raise ScriptSyntaxError(label, exc.lineno or 1, exc.msg) from None
    except ValueError as exc:       # NUL bytes
        raise ScriptSyntaxError(label, 1, str(exc)) from None
    outline = ScriptOutline(label)
    constants = _module_constants(tree)
    params = _main_params(tree, outline)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            option = _option(node, constants)
            if option is not None:
                outline.options.append(option)
    _Reader(outline, params).visit(tree)
    return outline


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    """Top-level ``NAME = literal`` assignments (for ``choices=JOB_TYPES``)."""
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def _main_params(tree: ast.Module, outline: ScriptOutline) -> dict[str, str]:
    """``{input_paths name: "input", output_paths name: "output", environ_vars name: "env"}``."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            positional = [a.arg for a in node.args.posonlyargs + node.args.args]
            if len(positional) - len(node.args.defaults) <= MAIN_PARAMS <= len(positional):
                outline.main_line = node.lineno
                return {positional[0]: "input", positional[1]: "output", positional[2]: "env"}
    return {}


def _literal(node: ast.AST | None, constants: dict[str, Any]) -> tuple[bool, Any]:
    if node is None:
        return False, None
    if isinstance(node, ast.Name) and node.id in constants:
        return True, constants[node.id]
    try:
        return True, ast.literal_eval(node)
    except ValueError:
        return False, None


def _option(call: ast.Call, constants: dict[str, Any]) -> Option | None:
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not names:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    flags = [n for n in names if n.startswith("-")]
    flag = next((n for n in flags if n.startswith("--")), flags[0] if flags else None)
    dest = flag.lstrip("-").replace("-", "_") if flag else names[0]
    known, dest_value = _literal(keywords.get("dest"), constants)
    option = Option(flag, str(dest_value) if known else dest, call.lineno)
    kind = keywords.get("type")
    option.type = ast.unparse(kind) if kind is not None else None
    option.has_default, option.default = _literal(keywords.get("default"), constants)
    if "default" in keywords:
        option.default_env = _env_key(keywords["default"])
        option.has_default = option.has_default or option.default_env is not None
    option.required = bool(_literal(keywords.get("required"), constants)[1]) or flag is None
    known, choices = _literal(keywords.get("choices"), constants)
    option.choices = list(choices) if known and isinstance(choices, (list, tuple)) else None
    known, action = _literal(keywords.get("action"), constants)
    option.action = str(action) if known else None
    return option


def _env_key(node: ast.AST) -> str | None:
    """The key of ``os.environ[K]`` / ``os.environ.get(K)`` / ``os.getenv(K)``, if ``node`` reads one."""
    key = None
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        key = node.slice
    elif isinstance(node, ast.Call) and node.args:
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value)) or \
                _dotted(func) in ("os.getenv", "getenv"):
            key = node.args[0]
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _is_os_environ(node: ast.AST) -> bool:
    return _dotted(node) in ("os.environ", "environ")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


class _Reader(ast.NodeVisitor):
    """One pass over the module: port keys, environment reads and where paths go."""

    def __init__(self, outline: ScriptOutline, params: dict[str, str]) -> None:
        self.outline, self.params = outline, params
        self.dests = {o.dest for o in outline.options}
        self.aliases: dict[str, tuple[str, str | None]] = {}

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            ref = self._ref(node.value)
            if ref is not None:
                self.aliases[node.targets[0].id] = ref
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
        role = self.params.get(node.value.id) if isinstance(node.value, ast.Name) else None
        if isinstance(key, str) and role is not None:
            self._key(role, key, node.lineno, None, False)
        elif isinstance(key, str) and _is_os_environ(node.value):
            self._key("env", key, node.lineno, None, False)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            role = self.params.get(func.value.id) if isinstance(func.value, ast.Name) else None
            if role is None and _is_os_environ(func.value):
                role = "env"
            if role is not None:
                known, default = _literal(node.args[1] if len(node.args) > 1 else None, {})
                self._key(role, node.args[0].value, node.lineno, default, known)
        elif _dotted(func) in ("os.getenv", "getenv") and node.args and isinstance(node.args[0], ast.Constant):
            known, default = _literal(node.args[1] if len(node.args) > 1 else None, {})
            self._key("env", str(node.args[0].value), node.lineno, default, known)
        self._path_use(node)
        self.generic_visit(node)

    def _key(self, role: str, key: str, line: int, default: Any, has_default: bool) -> None:
        if role == "env":
            if key not in self.outline.env or (has_default and not self.outline.env[key].has_default):
                self.outline.env[key] = EnvRead(key, line, default, has_default)
        else:
            keys = self.outline.input_keys if role == "input" else self.outline.output_keys
            keys.setdefault(key, line)

    def _path_use(self, call: ast.Call) -> None:
        func, name = call.func, _dotted(call.func).rpartition(".")[2]
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        target, direction, fmt = None, None, None
        if name in READERS and (call.args or "filepath_or_buffer" in keywords or "path" in keywords):
            target = call.args[0] if call.args else keywords.get("filepath_or_buffer", keywords.get("path"))
            direction, fmt = "input", READERS[name]
        elif name in WRITERS and isinstance(func, ast.Attribute) and (call.args or "path_or_buf" in keywords
                                                                       or "path" in keywords):
            target = call.args[0] if call.args else keywords.get("path_or_buf", keywords.get("path"))
            direction, fmt = "output", WRITERS[name]
        elif name == "open" and call.args:
            mode = call.args[1] if len(call.args) > 1 else keywords.get("mode")
            text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"
            target, direction = call.args[0], ("output" if set(text) & set("wax") else "input")
        elif name in ("write_text", "write_bytes") and isinstance(func, ast.Attribute):
            target, direction = func.value, "output"
        elif name in ("mkdir", "makedirs"):
            target = call.args[0] if name == "makedirs" and call.args else (
                func.value if isinstance(func, ast.Attribute) else None)
            direction = "output"
        if target is None:
            return
        ref = self._ref(target)
        if ref is None:
            return
        if fmt == "json" and any(k.arg == "lines" and isinstance(k.value, ast.Constant) and k.value.value
                                 for k in call.keywords):
            fmt = "jsonl"
        key, layout = ref
        use = self.outline.uses.setdefault(key, PortUse())
        use.direction = use.direction or direction
        if layout and use.layout is None:
            use.layout = layout
            fmt = fmt or SUFFIX_FORMATS.get(Path(layout).suffix.lower(), "file")
        seen = f"{_dotted(func) or name}() at line {call.lineno}"
        if fmt and use.format is None:
            use.format, use.format_from = fmt, seen
        use.evidence.append(seen)

    def _ref(self, node: ast.AST) -> tuple[str, str | None] | None:
        """``(port key or option dest, file inside it)`` when ``node`` is built from a port's path."""
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
                self.params.get(node.value.id) in ("input", "output") and isinstance(node.slice, ast.Constant):
            return str(node.slice.value), None
        if isinstance(node, ast.Attribute) and node.attr in self.dests:
            return node.attr, None
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Call) and _dotted(node.func).rpartition(".")[2] in _PATH_WRAPPERS \
                and len(node.args) == 1:
            return self._ref(node.args[0])
        parts: list[ast.AST] = []
        if isinstance(node, ast.Call) and _dotted(node.func) in ("os.path.join", "path.join") and node.args:
            base, parts = node.args[0], list(node.args[1:])
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            base, parts = node.left, [node.right]
        else:
            return None
        inner = self._ref(base)
        if inner is None or inner[1] is not None:
            return inner
        texts = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
        return inner[0], "/".join(texts) if texts and len(texts) == len(parts) else None
