"""Plugin machinery costs: pre-reading a spec's ``plugins:``, and the hook guard.

Prints figures; asserts nothing.  ``python bench/plugins.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pluggy

import specrun.hooks as hooks
from specrun.hooks import hookimpl, make_plugin_manager
from specrun.results import CaseResult
from specrun.spec.loader import load_spec, plugin_names

REPO = Path(__file__).resolve().parents[1]


def per_call(fn, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def bench_pre_read() -> None:
    spec = REPO / "specs" / "fraud.yaml"
    with tempfile.TemporaryDirectory() as folder:
        named = Path(folder) / "fraud.yaml"
        named.write_text(spec.read_text().replace("pipeline: fraud-detection",
                                                  "pipeline: fraud-detection\nplugins: [plugins.a, plugins.b]", 1))
        no_key = per_call(lambda: plugin_names(spec), 50)
        with_key = per_call(lambda: plugin_names(named), 10)
    full = per_call(lambda: load_spec(spec), 5)
    print(f"pre-read plugins: (fraud.yaml, {spec.stat().st_size} bytes): no plugins key {no_key * 1e3:.2f} ms, "
          f"with a plugins key {with_key * 1e3:.1f} ms; full load_spec {full * 1e3:.1f} ms")


class Reporter:
    @hookimpl
    def specrun_case_finish(self, session, result):
        return None


def bench_guard(reporters: int = 5, calls: int = 20000) -> None:
    result = CaseResult("p::s[x]", "isolation", "p", "s")
    pm = make_plugin_manager()
    for _ in range(reporters):
        pm.register(Reporter())
    guarded = per_call(lambda: pm.hook.specrun_case_finish(session=None, result=result), calls)
    bare = pluggy.PluginManager("specrun")
    bare.add_hookspecs(hooks)
    for _ in range(reporters):
        bare.register(Reporter())
    unguarded = per_call(lambda: bare.hook.specrun_case_finish(session=None, result=result), calls)
    print(f"specrun_case_finish with {reporters} reporters: guarded {guarded * 1e6:.1f} µs/call, "
          f"plain pluggy {unguarded * 1e6:.1f} µs/call")


if __name__ == "__main__":
    bench_pre_read()
    bench_guard()
