"""Speed of property-based runs: the warm fork executor vs fresh processes, and the cost of
drawing one example from specrun's frame strategies vs pandera's ``schema.strategy()``.

    .venv/bin/python bench/property_speed.py [--examples 20] [--steps preprocessing currency_conversion]
    .venv/bin/python bench/property_speed.py --probe-only [--runs 100] [--steps preprocessing]

Prints examples/s of the ``property`` scenario of the bundled fraud spec on each step
with ``--executor fork`` and ``--executor fresh`` (each in its own workspace, so no
Hypothesis database is shared), then ms per drawn example of an 8-column contract
with 10 rows for both strategy implementations.  ``--probe-only`` prints just the runs/s of
each step's script through the fork and the fresh executor (``executor_rate``), quickly.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def spec_copy(folder: Path, examples: int) -> Path:
    """The fraud spec with absolute script paths and a property scenario for every step."""
    text = (ROOT / "specs" / "fraud.yaml").read_text(encoding="utf-8")
    text = text.replace("../examples/", f"{ROOT / 'examples'}/")
    text = text.replace("  property:\n    steps: [currency_conversion]\n    examples: 20\n",
                        f"  property:\n    examples: {examples}\n")
    target = folder / "fraud.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def property_rate(spec: Path, step: str, executor: str, examples: int, workspace: Path) -> tuple[float, int, str]:
    """(examples/s, script runs, outcome) of one property case."""
    from specrun.cli import main

    record = workspace / "result.json"
    main([str(spec), "--mode", "isolation", "--scenario", "property", "--step", step, "--executor", executor,
          "--max-examples", str(examples), "--workspace", str(workspace), "--json", str(record), "-qq",
          "-p", "no:events"])
    case = json.loads(record.read_text())["cases"][0]
    runs = int(case["details"]["runs"])
    return runs / case["duration_s"], runs, case["outcome"]


def executor_rate(spec_path: Path, step_name: str, executor, runs: int, root: Path) -> float:
    """Runs/s of one step's script through ``executor`` alone, on the same 20-row inputs."""
    from specrun import load
    from specrun.contract.io import copy_fixture, port_target, write_port
    from specrun.contract.types import TypeRegistry
    from specrun.contract.vectorised import vectorised_frame
    from specrun.execution.request import RunRequest
    from specrun.modes.step_case import input_schema
    from specrun.spec.placeholders import fill_args

    spec = load(str(spec_path))
    step = spec.steps[step_name]
    inputs, outputs = {}, {}
    for name, port in step.inputs.items():
        inputs[name] = port_target(root, port, "input")
        if port.fixture is not None:
            copy_fixture(port.fixture, inputs[name])
        else:
            write_port(port, vectorised_frame(input_schema(spec, port), 20, 1, TypeRegistry.builtin()), inputs[name])
    for name, port in step.outputs.items():
        outputs[name] = port_target(root, port, "output")
        (outputs[name] if port.is_dir else outputs[name].parent).mkdir(parents=True, exist_ok=True)
    paths_in = {k: str(v) for k, v in inputs.items()}
    paths_out = {k: str(v) for k, v in outputs.items()}
    request = RunRequest(script=step.script, workdir=root, call=step.call, env=dict(step.env),
                         args=fill_args(step.args, paths_in, paths_out), input_paths=paths_in,
                         output_paths=paths_out, timeout=120)
    assert executor.run(request).ok                     # warm-up (starts the fork server)
    started = time.perf_counter()
    for _ in range(runs):
        record = executor.run(request)
        assert record.ok, record.message
    return runs / (time.perf_counter() - started)


def probe(spec: Path, steps: list[str], runs: int, tmp: Path) -> None:
    """Print runs/s of each step's script through the fork and the fresh executor."""
    from specrun.execution.fork import ForkExecutor
    from specrun.execution.runner import FreshExecutor

    print(f"the script alone through each executor ({runs} runs, same 20-row inputs)")
    for step in steps:
        rates = {}
        for name, executor in (("fork", ForkExecutor(server_dir=tmp / "fork")), ("fresh", FreshExecutor())):
            box = tmp / f"exec-{step}-{name}"
            rates[name] = executor_rate(spec, step, executor, runs, box)
            executor.close()
            print(f"  {step:22} {name:5}  {rates[name]:6.2f} runs/s  ({1000 / rates[name]:.1f} ms/run)", flush=True)
        print(f"  {step:22} fork/fresh speed-up: {rates['fork'] / rates['fresh']:.1f}x")


def inprocess_rate(spec_path: Path, step_name: str, examples: int, root: Path) -> tuple[float, int]:
    """The anchor: (examples/s, examples) of the same step called in-process from a
    Hypothesis test, as a hand-written one would: inputs drawn from the same contract
    strategies, written to a folder per example, the script called in this interpreter
    (its ``main()`` for a ``call:`` step, else run as ``__main__`` with its arguments),
    its outputs read back.  No sandbox, no limits, no separate process."""
    import argparse
    import contextlib
    import importlib.util
    import os
    import runpy

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from specrun import load
    from specrun.contract.io import copy_fixture, port_target, read_port, write_port
    from specrun.contract.strategies import frame_strategy
    from specrun.contract.types import TypeRegistry
    from specrun.modes.step_case import input_schema
    from specrun.spec.placeholders import fill_args

    spec = load(str(spec_path))
    step = spec.steps[step_name]
    types = TypeRegistry.builtin()
    drawn = {name: frame_strategy(input_schema(spec, port), types, max_rows=20,
                                  text_format=port.format in ("csv", "tsv"))
             for name, port in step.inputs.items() if port.fixture is None}
    script_dir = str(Path(step.script).resolve().parent)
    sys.path.insert(0, script_dir)
    module = None
    if step.call:
        name = Path(step.script).stem            # importable by that name (pickled pool tasks)
        loaded = importlib.util.spec_from_file_location(name, step.script)
        assert loaded is not None and loaded.loader is not None
        module = sys.modules[name] = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(module)
    count = [0]

    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(drawn))
    def example(frames) -> None:
        count[0] += 1
        box = root / f"ex{count[0]}"
        inputs, outputs = {}, {}
        for name, port in step.inputs.items():
            inputs[name] = port_target(box, port, "input")
            if port.fixture is not None:
                copy_fixture(port.fixture, inputs[name])
            else:
                write_port(port, frames[name], inputs[name])
        for name, port in step.outputs.items():
            outputs[name] = port_target(box, port, "output")
            (outputs[name] if port.is_dir else outputs[name].parent).mkdir(parents=True, exist_ok=True)
        paths_in = {k: str(v) for k, v in inputs.items()}
        paths_out = {k: str(v) for k, v in outputs.items()}
        saved_env, saved_argv = dict(os.environ), sys.argv
        os.environ.update(step.env)
        try:
            if module is not None:
                module.main(paths_in, paths_out, dict(step.env), argparse.Namespace())
            else:
                sys.argv = [step.script, *fill_args(step.args, paths_in, paths_out)]
                with contextlib.suppress(SystemExit):
                    runpy.run_path(step.script, run_name="__main__")
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            sys.argv = saved_argv
        for name, port in step.outputs.items():
            if port.tabular:
                read = read_port(port, outputs[name], port.schema, types=types)
                assert all(len(frame) >= 0 for frame in read.values())

    started = time.perf_counter()
    example()
    elapsed = time.perf_counter() - started
    sys.path.remove(script_dir)
    return count[0] / elapsed, count[0]


def draw_cost(strategy, examples: int, budget_s: float) -> tuple[float, int, str]:
    """(ms per example, examples drawn, note) drawing with Hypothesis's engine, generation only."""
    from hypothesis import HealthCheck, Phase, given, settings

    count = [0]
    started = time.perf_counter()

    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def probe(frame) -> None:
        count[0] += 1
        if time.perf_counter() - started > budget_s:
            raise TimeoutError

    try:
        probe()
        note = ""
    except TimeoutError:
        note = f"stopped after the {budget_s:.0f} s budget"
    except Exception as exc:  # noqa: BLE001 - pandera's strategies may give up: report it
        note = f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
    elapsed = time.perf_counter() - started
    return (1000 * elapsed / count[0] if count[0] else float("nan")), count[0], note


def eight_columns():
    from specrun.spec.model import ColumnSpec, SchemaSpec

    columns = {
        "txn_id": ColumnSpec("txn_id", "int", unique=True),
        "amount": ColumnSpec("amount", "float", min=0, max=1_000_000),
        "currency": ColumnSpec("currency", "str", isin=["USD", "EUR", "GBP", "JPY"]),
        "ts": ColumnSpec("ts", "datetime", min="2024-01-01", max="2024-12-31"),
        "merchant": ColumnSpec("merchant", "str", nullable=True, pattern=r"^[A-Z]{3}-[0-9]{4}$"),
        "channel": ColumnSpec("channel", "str", isin=["web", "pos", "app"]),   # pandera cannot draw categoricals
        "is_fraud": ColumnSpec("is_fraud", "bool"),
        "score": ColumnSpec("score", "float", min=0, max=1, nullable=True),
    }
    return SchemaSpec(name="transactions8", columns=columns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--steps", nargs="+", default=["preprocessing", "currency_conversion"])
    parser.add_argument("--draws", type=int, default=200, help="examples drawn per strategy")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fork and in-process rates (medians)")
    parser.add_argument("--probe-only", action="store_true",
                        help="only the script through each executor (fork and fresh), runs/s")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per executor of --probe-only (default: --examples)")
    args = parser.parse_args()
    if args.probe_only:
        with tempfile.TemporaryDirectory(prefix="specrun-bench-") as tmp:
            probe(spec_copy(Path(tmp), args.examples), args.steps, args.runs or args.examples, Path(tmp))
        return 0

    print(f"property scenario, {args.examples} examples per run (max_rows 20), fraud spec, "
          f"medians of {args.repeat} (fork, in-process)")
    compare = []
    with tempfile.TemporaryDirectory(prefix="specrun-bench-") as tmp:
        spec = spec_copy(Path(tmp), args.examples)
        # specrun's process imports pandas and pandera once per session, as the anchor's process
        # has before its first example: a short run first, so the first measured case is not the
        # one that pays them (every case still starts its own warm parent)
        property_rate(spec, args.steps[0], "fork", 2, Path(tmp) / "warm-up")
        for step in args.steps:
            rates = {}
            for executor in ("fork", "fresh"):
                repeats = args.repeat if executor == "fork" else 1
                measured = [property_rate(spec, step, executor, args.examples, Path(tmp) / f"{step}-{executor}-{i}")
                            for i in range(repeats)]
                rate = statistics.median(m[0] for m in measured)
                runs, outcome = measured[0][1], measured[0][2]
                rates[executor] = rate
                print(f"  {step:22} {executor:5}  {rate:6.2f} examples/s  ({runs} runs, {outcome})")
            anchors = [inprocess_rate(spec, step, args.examples, Path(tmp) / f"{step}-inprocess-{i}")
                       for i in range(args.repeat)]
            anchor, drawn = statistics.median(a[0] for a in anchors), anchors[0][1]
            print(f"  {step:22} in-process {anchor:6.2f} examples/s  ({drawn} examples, the anchor)")
            print(f"  {step:22} fork/fresh speed-up: {rates['fork'] / rates['fresh']:.1f}x, "
                  f"fork/in-process: {rates['fork'] / anchor:.2f}x")
            compare.append({"row": "property_rate", "measure": f"property examples/s, {step} (fork)",
                            "figure": round(rates["fork"], 2), "anchor": round(anchor, 2),
                            "anchor_label": "in-process Hypothesis test", "unit": "examples/s",
                            "ratio": round(rates["fork"] / anchor, 3)})

        print()
        probe(spec, args.steps, args.examples, Path(tmp))

    from specrun.contract.pandera_schema import to_pandera
    from specrun.contract.strategies import frame_strategy
    from specrun.contract.types import TypeRegistry

    types = TypeRegistry.builtin()
    schema = eight_columns()
    print(f"\ngeneration of one example, 8-column contract, 10 rows ({args.draws} examples)")
    ours = draw_cost(frame_strategy(schema, types, max_rows=10), args.draws, 60)
    print(f"  specrun frame_strategy      {ours[0]:8.1f} ms/example  ({ours[1]} drawn) {ours[2]}")
    pandera_schema = to_pandera(schema, types)
    try:
        theirs = draw_cost(pandera_schema.strategy(size=10), args.draws, 60)
    except Exception as exc:  # noqa: BLE001
        theirs = (float("nan"), 0, f"{type(exc).__name__}: {exc}")
    print(f"  pandera schema.strategy()   {theirs[0]:8.1f} ms/example  ({theirs[1]} drawn) {theirs[2]}")
    if theirs[1] and ours[1]:
        print(f"  specrun is {theirs[0] / ours[0]:.0f}x cheaper per example")
    print(json.dumps({"compare": compare}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
