"""A soak run: many cases of misbehaving scripts through the whole CLI with ``-n 2``, then
a check that nothing is left behind.

    .venv/bin/python bench/soak.py [CASES]        # default 500

The spec has one step per misbehaviour (crash, segfault, hang, daemon, stdout flood,
escape attempt, memory hog, stray children) and a well-behaved control, each
parametrized to reach CASES cases in all.  specrun runs in a child process through
``specrun.cli.main`` so the open file descriptors of specrun itself can be counted
before and after.  Afterwards:

* no process started by a script is alive (each carries a token in its argv);
* specrun holds no more file descriptors than before the run;
* the workspace keeps sandboxes for failed cases only;
* nothing was written outside the workspace (the escape attempts' targets are empty).

It prints one row per misbehaviour: classification | contained? | cleaned?, and
exits 1 when any check fails.  ``tests/integration/execution/test_soak.py`` runs the
same with a few cases per misbehaviour.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil

TOKEN_VAR = "SOAK_TOKEN"

# step name → (script body of main(), step keys, what the run is expected to be)
HEAD = '''
import os, pathlib, shutil, subprocess, sys, time

def main(input_paths, output_paths, environ_vars, job_args):
    token = environ_vars["SOAK_TOKEN"]
'''
OUT = '''    shutil.copy(input_paths["rows"], output_paths["out"])
'''
SLEEPER = '[sys.executable, "-c", "import time; time.sleep(300)", token]'
STEPS: dict[str, tuple[str, str, str]] = {
    "control": (OUT, "", "PASSED"),
    "crash": ("    os.abort()\n", "", "CRASH"),
    "segfault": ("    import ctypes\n    ctypes.string_at(0)\n", "", "CRASH"),
    "hang": ("    time.sleep(300)\n", "    timeout: 1s\n", "TIMEOUT"),
    "daemon": ('''    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execve(sys.executable, ''' + SLEEPER + ''', {})
        os._exit(0)
''' + OUT, "", "PASSED"),
    "flood": ('''    chunk = "x" * 65536 + "\\n"
    for _ in range(160):               # 10 MiB on stdout
        sys.stdout.write(chunk)
''' + OUT, "", "PASSED"),
    "escape": ('''    for target in (environ_vars["ESCAPE_DIR"], "/tmp", os.path.expanduser("~root")):
        try:
            pathlib.Path(target, f"escaped-{token}-{os.getpid()}").write_text("out")
        except OSError:
            pass
''' + OUT, "", "PASSED"),
    "memory_hog": ('''    hog = bytearray(400 * 2**20)
    hog[::4096] = b"x" * len(hog[::4096])
''' + OUT, "    memory_limit: 150MB\n", "RESOURCE_ERROR"),
    "strays": ('''    for _ in range(5):
        subprocess.Popen(''' + SLEEPER + ''', start_new_session=True)
''' + OUT, "", "PASSED"),
}

SPEC_HEAD = """\
version: 1
pipeline: soak
schemas:
  rows: {columns: {id: {type: int}}}
steps:
"""
STEP = """\
  {name}:
    script: scripts/{name}.py
    call: main
    env: {{SOAK_TOKEN: "{token}", ESCAPE_DIR: "{escape}"}}
    inputs: {{rows: {{format: csv, schema: rows}}}}
    outputs: {{out: {{format: csv, schema: rows}}}}
{keys}"""
SPEC_TAIL = """\
scenarios:
  soak:
    rows: 2
    parametrize: {{env.ROUND: [{rounds}]}}
modes:
  isolation: {{scenarios: [soak]}}
"""

RUNNER = """\
import json, os, sys
from specrun.cli import main
def fds():
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
before = fds()
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
after = fds()
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "before": before, "after": after}, fh)
"""


@dataclass
class SoakResult:
    cases: int
    exit_code: int
    seconds: float
    isolation: str
    classes: dict[str, collections.Counter[str]]
    orphans: list[str]
    leaked_fds: list[int]
    extra_sandboxes: list[str]
    escaped: list[str]
    expected: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (not self.orphans and not self.leaked_fds and not self.extra_sandboxes
                and (not self.escaped or self.isolation != "namespace")
                and all(set(counts) == {self.expected[step]} for step, counts in self.classes.items()))

    def table(self) -> str:
        rows = [("misbehaviour", "classification", "contained?", "cleaned?")]
        for step, counts in self.classes.items():
            got = ", ".join(f"{name} x{n}" for name, n in counts.most_common())
            if set(counts) != {self.expected[step]}:
                got += f" (expected {self.expected[step]})"
            escaped = [p for p in self.escaped if f"-{step}-" in p or step == "escape"]
            contained = "no: wrote outside" if escaped and step == "escape" else "yes"
            orphans = [o for o in self.orphans if step in o]
            cleaned = "no: processes left" if orphans else "yes"
            rows.append((step, got, contained, cleaned))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in rows)


def write_project(root: Path, cases: int, token: str, escape: Path) -> None:
    rounds = max(1, -(-cases // len(STEPS)))
    (root / "scripts").mkdir(parents=True)
    spec = SPEC_HEAD
    for name, (body, keys, _) in STEPS.items():
        (root / "scripts" / f"{name}.py").write_text(HEAD + body)
        spec += STEP.format(name=name, token=f"{token}-{name}", escape=escape, keys=keys)
    spec += SPEC_TAIL.format(rounds=", ".join(str(i) for i in range(rounds)))
    (root / "spec.yaml").write_text(spec)


def soak(cases: int, base: Path, jobs: int = 2, executor: str = "fresh") -> SoakResult:
    token = uuid.uuid4().hex[:12]
    root, escape = base / "project", base / "escape-target"
    escape.mkdir(parents=True)
    write_project(root, cases, token, escape)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECRUN_")}
    env["SPECRUN_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    fds_file, record_file = base / "fds.json", base / "record.json"
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", RUNNER, str(fds_file), "spec.yaml", "--mode", "isolation",
                    "-n", str(jobs), "-q", "--executor", executor, "--json", str(record_file)],
                   cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
    seconds = time.monotonic() - started
    time.sleep(0.5)   # let the kernel finish reaping what was killed
    record = json.loads(record_file.read_text())
    fds = json.loads(fds_file.read_text())
    classes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    failed_sandboxes = set()
    for case in record["cases"]:
        got = case["classification"] or case["outcome"].upper()
        classes[case["step"]][got] += 1
        if case.get("workdir"):
            failed_sandboxes.add(Path(case["workdir"]).name)
    sandboxes = root / ".specrun" / "sandboxes"
    left = {p.name for p in sandboxes.iterdir()} if sandboxes.exists() else set()
    orphans = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if token in cmdline:
            orphans.append(f"{proc.info['pid']}: {cmdline}")
    escaped = [str(p) for p in escape.iterdir()]
    escaped += [str(p) for p in Path("/tmp").glob(f"escaped-{token}-*")]
    escaped += [str(p) for p in Path(os.path.expanduser("~root")).glob(f"escaped-{token}-*")]
    for path in escaped:   # leave the machine as it was
        Path(path).unlink(missing_ok=True)
    for proc in psutil.process_iter(["cmdline"]):
        if token in " ".join(proc.info["cmdline"] or []):
            proc.kill()
    return SoakResult(
        cases=len(record["cases"]), exit_code=int(fds["code"]), seconds=seconds,
        isolation=runs_isolation(record), classes=dict(classes), orphans=orphans,
        leaked_fds=sorted(set(fds["after"]) - set(fds["before"])),
        extra_sandboxes=sorted(left - failed_sandboxes), escaped=escaped,
        expected={name: expected for name, (_, _, expected) in STEPS.items()})


def runs_isolation(record: dict) -> str:
    """How the scripts ran: the cases' own ``metrics.isolation`` (the fork executor's runs are
    process-isolated under a session whose probe found namespaces), else the session's."""
    found = {(case.get("metrics") or {}).get("isolation") for case in record["cases"]} - {None}
    if found:
        return "namespace" if found == {"namespace"} else "process"
    return record.get("isolation") or "?"


def main() -> int:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory(prefix="specrun-soak-") as tmp:
        result = soak(cases, Path(tmp))
    print(f"{result.cases} cases, -n 2, isolation: {result.isolation}, {result.seconds:.0f} s, "
          f"exit {result.exit_code}")
    print(result.table())
    print(f"orphan processes: {len(result.orphans)}; file descriptors leaked by specrun: "
          f"{len(result.leaked_fds)}; sandboxes left beyond the failed cases': {len(result.extra_sandboxes)}; "
          f"files written outside the workspace: {len(result.escaped)}")
    for line in result.orphans + result.extra_sandboxes + result.escaped:
        print("  " + line)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
