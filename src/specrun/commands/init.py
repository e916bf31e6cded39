"""``specrun init SCRIPT [--name N]``: print a ``steps:`` entry read from the script's code
(see :mod:`specrun.analysis.script_outline`; the script is never imported or run).

A SageMaker-style ``main(input_paths, output_paths, environ_vars, job_args)`` gives
``call: main``, its port keys the inputs and outputs, its argparse arguments that are not
ports ``job_args``; otherwise the argparse arguments give ``args:``, each path argument a
port.  Environment keys read become ``env:``.  Each guess has a comment saying where it
came from.  A script that does not parse is one line (file:line), exit 4.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ..analysis.script_outline import (
    SAGEMAKER_INPUT_ENV,
    SAGEMAKER_OUTPUT_ENV,
    Option,
    ScriptOutline,
    ScriptSyntaxError,
    read_outline,
)
from ..results import ExitCode

_OUTPUT_WORDS = re.compile(r"(^|_)(out|output|outputs|model|models|model_dir|save|dest|target|result|results)(_|$)")
_PLAIN = re.compile(r"^[A-Za-z_.\-][A-Za-z0-9_./\-]*$")
#: a required argument's value by its argparse ``type=`` (Python's int and float, not column types)
_SCALAR_TYPES = {int.__name__: 1, float.__name__: 1.0}


def init_command(config: argparse.Namespace, pm: Any) -> int:
    script = Path(config.init_script)
    if not script.is_file():
        print(f"specrun: {script}: file not found", file=sys.stderr)
        return int(ExitCode.SPEC_ERROR)
    try:
        outline = read_outline(script, config.init_script)
    except ScriptSyntaxError as exc:
        print(f"specrun: {exc.file}:{exc.line}: cannot parse the script: {exc.message}", file=sys.stderr)
        return int(ExitCode.SPEC_ERROR)
    name = config.init_name or re.sub(r"[^A-Za-z0-9_]", "_", script.stem) or "step"
    sys.stdout.write(render_step(name, outline))
    return int(ExitCode.OK)


def _port_role(option: Option, outline: ScriptOutline) -> tuple[str | None, str]:
    """``("input" | "output" | None, why)`` for an argparse option."""
    use = outline.uses.get(option.dest)
    if use is not None and use.direction:
        return use.direction, f"its path goes to {use.evidence[0]}"
    if option.default_env and option.default_env.startswith(SAGEMAKER_INPUT_ENV):
        return "input", f"its default is ${option.default_env}"
    if option.default_env in SAGEMAKER_OUTPUT_ENV:
        return "output", f"its default is ${option.default_env}"
    if option.type not in (None, str.__name__) or option.choices is not None or option.action is not None:
        return None, ""
    if option.has_default and not isinstance(option.default, str) and option.default_env is None:
        return None, ""
    if _OUTPUT_WORDS.search(option.dest):
        return "output", "guessed from its name"
    return "input", "guessed: a text argument not named like an output"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return text if _PLAIN.match(text) and text.lower() not in ("true", "false", "null", "yes", "no") \
        else json.dumps(text)


def render_step(name: str, outline: ScriptOutline) -> str:
    """The ``steps:`` entry, with a comment per guess."""
    lines = [f"# printed by specrun init from {outline.path} (read with ast, not run); paths are",
             "# relative to the spec's folder, and each input needs a schema (specrun infer prints one)",
             "steps:", f"  {name}:", f"    script: {_value(outline.path)}"]
    ports: dict[str, dict[str, tuple[str, str]]] = {"input": {}, "output": {}}   # name → (flow, why)
    job_args: list[tuple[str, Any, str]] = []
    args: list[str] = []
    arg_notes: list[str] = []
    if outline.main_line is not None:
        lines.append(f"    call: main   # main(input_paths, output_paths, environ_vars, job_args) "
                     f"at line {outline.main_line}")
        for role, keys in (("input", outline.input_keys), ("output", outline.output_keys)):
            for key, line in keys.items():
                ports[role][key] = (key, f"{'input' if role == 'input' else 'output'}_paths[{key!r}] at line {line}")
        named = set(outline.input_keys) | set(outline.output_keys)
        for option in outline.options:
            if option.dest in named or option.action in ("help", "version"):
                continue
            value = option.default if option.has_default and option.default_env is None else _placeholder(option)
            if value is not None:
                job_args.append((option.dest, value, f"{option.flag or option.dest} at line {option.line}"))
    else:
        for option in outline.options:
            if option.action in ("help", "version"):
                continue
            port_role, why = _port_role(option, outline)
            flag = [option.flag] if option.flag else []
            if port_role is not None:
                ports[port_role][option.dest] = (option.dest,
                                                 f"{option.flag or option.dest} (line {option.line}): {why}")
                args += flag + [f"{{{'inputs' if port_role == 'input' else 'outputs'}.{option.dest}}}"]
            elif option.action in ("store_true", "store_false", "count", "append"):
                arg_notes.append(f"{option.flag} ({option.action}) left out")
            elif option.has_default and option.default_env is None:
                args += flag + [str(option.default)]
                arg_notes.append(f"{option.flag or option.dest}: its default")
            else:
                value = _placeholder(option)
                args += flag + [str(value)]
                arg_notes.append(f"{option.flag or option.dest}: required, "
                                 + ("its first choice" if option.choices else f"no default: {value} is a guess"))
        if args or outline.options:
            note = f"   # from argparse: {'; '.join(arg_notes)}" if arg_notes else "   # from argparse"
            lines.append("    args: [" + ", ".join(_value(a) for a in args) + "]" + note)
    if outline.env:
        lines.append("    env:")
        for key, read in outline.env.items():
            value = read.default if read.has_default and read.default is not None else ""
            why = "its default" if read.has_default and read.default is not None else \
                "read without a default: give the value the script needs"
            lines.append(f"      {_value(key)}: {json.dumps(str(value))}   # read at line {read.line}; {why}")
    if job_args:
        lines.append("    job_args:")
        for dest, value, why in job_args:
            lines.append(f"      {dest}: {_value(value)}   # argparse {why}")
    for role in ("input", "output"):
        if not ports[role]:
            continue
        lines.append(f"    {role}s:")
        for port, (key, why) in ports[role].items():
            lines.append(f"      {_value(port)}: {{{_port_keys(role, key, outline)}}}   # {why}; "
                         + _format_note(key, outline))
    return "\n".join(lines) + "\n"


def _placeholder(option: Option) -> Any:
    if option.choices:
        return option.choices[0]
    return _SCALAR_TYPES.get(option.type or "", "value")


def _port_keys(role: str, key: str, outline: ScriptOutline) -> str:
    use = outline.uses.get(key)
    fmt = use.format if use and use.format else "csv"
    keys = [f"format: {fmt}"]
    if use and use.layout:
        keys.append(f"layout: {_value(use.layout)}")
    if role == "input" and fmt in ("csv", "tsv", "parquet", "jsonl"):
        keys.append(f"schema: {_value(key)}")
    return ", ".join(keys)


def _format_note(key: str, outline: ScriptOutline) -> str:
    use = outline.uses.get(key)
    if use and use.format:
        where = f"a folder holding {use.layout}" if use.layout else use.format
        return f"format: {where}, from {use.format_from}"
    return "format: csv is a guess (the code does not say)"


COMMANDS = {"init": init_command}
