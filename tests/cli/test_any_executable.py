"""A step that runs any executable (issue 11, point 8): docs/spec.md's ``command:``
example, run as written with a real shell script (sed and awk) that writes a CSV output
validated against its schema, under the same sandbox, limits and verdicts; and broken
copies of that script, each failing the way the check exists to catch."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from conftest import Project

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"

pytestmark = pytest.mark.skipif(not all(shutil.which(tool) for tool in ("sh", "awk", "sed")),
                                reason="needs sh, awk and sed")

#: clean.sh RAW CLEAN: checks every row, adds amount_cents; rejects what breaks the contract.
CLEAN_SH = r'''#!/bin/sh
set -eu
sed 's/\r$//' "$1" | awk -F, '
  NR == 1 {
    if ($0 != "id,amount") { print "unexpected header: " $0 > "/dev/stderr"; exit 2 }
    print "id,amount,amount_cents"; next
  }
  $1 !~ /^-?[0-9]+$/ || $2 !~ /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ || $2 + 0 > 1000 || ($1 in seen) {
    print "bad row " NR ": " $0 > "/dev/stderr"; exit 1
  }
  { seen[$1] = 1; printf "%s,%s,%d\n", $1, $2, int($2 * 100 + 0.5) }
' > "$2"
'''


def _example() -> str:
    found = re.search(r"<!-- command-example:start -->\n```yaml\n(.*?)```", DOC.read_text(), re.S)
    assert found, "docs/spec.md lost its command example"
    return found.group(1)


def _project(project: Project, script: str = CLEAN_SH, spec: str | None = None) -> Project:
    project.write("spec.yaml", spec or _example())
    path = project.write("clean.sh", script)
    path.chmod(0o755)
    return project


def test_the_docs_example_runs_and_its_output_is_validated(project: Project) -> None:
    outcome = _project(project).run("spec.yaml")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    case = outcome.case("clean[standard]")
    assert case["outcome"] == "passed"
    assert case["metrics"]["exit_code"] == 0
    negatives = [c for c in outcome.record["cases"] if "negative" in c["id"]]
    assert negatives and all(c["outcome"] == "passed" for c in negatives)   # rejected, as it should


@pytest.mark.parametrize("executor", ["fresh", "fork"])
def test_the_program_may_be_a_path_next_to_the_spec(project: Project, executor: str) -> None:
    spec = _example().replace('[sh, clean.sh, "{inputs.raw}"', '[./clean.sh, "{inputs.raw}"')
    outcome = _project(project, spec=spec).run("spec.yaml", "--executor", executor, "-k", "standard")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("clean[standard]")["outcome"] == "passed"


def test_an_output_of_the_wrong_type_fails_its_contract(project: Project) -> None:
    broken = CLEAN_SH.replace('printf "%s,%s,%d\\n", $1, $2, int($2 * 100 + 0.5)',
                              'printf "%s,%s,%dc\\n", $1, $2, int($2 * 100 + 0.5)')
    assert broken != CLEAN_SH
    outcome = _project(project, broken).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("clean[standard]")
    assert case["outcome"] == "failed" and case["classification"] == "CONTRACT_ERROR"
    assert "amount_cents" in outcome.stdout


def test_a_command_that_exits_non_zero_is_a_script_error(project: Project) -> None:
    broken = CLEAN_SH.replace("set -eu\n", "set -eu\necho 'clean.sh: cannot connect to the warehouse' >&2\nexit 3\n")
    outcome = _project(project, broken).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("clean[standard]")
    assert case["classification"] == "SCRIPT_ERROR" and case["metrics"]["exit_code"] == 3
    assert "exited with code 3: clean.sh: cannot connect to the warehouse" in case["message"]


def test_a_command_that_passes_invalid_values_on_is_caught(project: Project) -> None:
    lenient = CLEAN_SH.replace(" || $2 + 0 > 1000", "")      # no longer rejects amounts over the max
    outcome = _project(project, lenient).run("spec.yaml")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    case = outcome.case("negative:raw.amount.max")
    assert case["outcome"] == "failed" and case["classification"] == "ACCEPTED_INVALID"


def test_a_command_is_held_to_its_timeout(project: Project) -> None:
    spec = _example().replace("defaults: {timeout: 60, seed: 5}", "defaults: {timeout: 2, seed: 5}")
    outcome = _project(project, "#!/bin/sh\nsleep 600\n", spec).run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.case("clean[standard]")["classification"] == "TIMEOUT"


def test_a_missing_or_unrunnable_program_is_a_spec_error(project: Project) -> None:
    spec = _example().replace("[sh, clean.sh,", "[no-such-tool-anywhere, clean.sh,")
    outcome = _project(project, spec=spec).run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    line = next(n for n, text in enumerate(spec.splitlines(), 1) if "no-such-tool-anywhere" in text)
    assert f"spec.yaml:{line}" in outcome.stdout + outcome.stderr
    assert "command not found: 'no-such-tool-anywhere'" in outcome.stdout + outcome.stderr
    spec = _example().replace('[sh, clean.sh, "{inputs.raw}"', '[./clean.sh, "{inputs.raw}"')
    _project(project, spec=spec)
    (project.root / "clean.sh").chmod(0o644)
    outcome = project.run("check", "spec.yaml")
    assert outcome.code == 4 and "command is not executable" in outcome.stdout + outcome.stderr


@pytest.mark.parametrize(("extra", "message"), [
    ("    script: clean.py\n", "either 'script' or 'command'"),
    ("    call: main\n", "'call' is about a Python script"),
    ("    args: [x]\n", "'args' is about a Python script"),
    ("    python: /usr/bin/python3\n", "'python' is about a Python script"),
])
def test_command_stands_alone(project: Project, extra: str, message: str) -> None:
    spec = _example().replace("\n  clean:\n", "\n  clean:\n" + extra, 1)
    outcome = _project(project, spec=spec).run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    assert message in outcome.stdout + outcome.stderr


def test_a_step_needs_script_or_command(project: Project) -> None:
    spec = re.sub(r"    command: .*\n", "", _example())
    outcome = _project(project, spec=spec).run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    assert "missing required key 'script' (a Python script), or 'command'" in outcome.stdout + outcome.stderr


def test_placeholders_in_a_command_name_declared_ports(project: Project) -> None:
    spec = _example().replace('"{outputs.clean}"]', '"{outputs.cleaned}"]')
    outcome = _project(project, spec=spec).run("check", "spec.yaml")
    assert outcome.code == 4, outcome.stdout + outcome.stderr
    assert "{outputs.cleaned} names no declared output" in outcome.stdout + outcome.stderr


CLEAN_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char line[4096];
    if (argc != 3) { fprintf(stderr, "usage: clean RAW CLEAN\n"); return 2; }
    FILE *in = fopen(argv[1], "r"), *out = fopen(argv[2], "w");
    if (!in || !out) { perror("clean"); return 2; }
    if (!fgets(line, sizeof line, in) || strncmp(line, "id,amount", 9) != 0) {
        fprintf(stderr, "unexpected header\n"); return 2;
    }
    fprintf(out, "id,amount,amount_cents\n");
    while (fgets(line, sizeof line, in)) {
        char *end, *comma = strchr(line, ',');
        if (!comma) { fprintf(stderr, "bad row: %s", line); return 1; }
        *comma = '\0';
        long long id = strtoll(line, &end, 10);
        if (*end != '\0') { fprintf(stderr, "bad id: %s\n", line); return 1; }
        double amount = strtod(comma + 1, &end);
        if (end == comma + 1 || amount < 0 || amount > 1000) { fprintf(stderr, "bad amount\n"); return 1; }
        fprintf(out, "%lld,%.17g,%lld\n", id, amount, (long long)(amount * 100 + 0.5));
    }
    return fclose(out) == 0 ? 0 : 1;
}
"""


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")
def test_a_compiled_binary_runs_as_a_step(project: Project) -> None:
    import subprocess

    source = project.write("clean.c", CLEAN_C)
    subprocess.run(["cc", "-O1", "-o", str(project.root / "clean"), str(source)], check=True, timeout=120)
    spec = _example().replace('[sh, clean.sh, "{inputs.raw}"', '[./clean, "{inputs.raw}"')
    project.write("spec.yaml", spec)
    outcome = project.run("spec.yaml", "-k", "standard")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    assert outcome.case("clean[standard]")["outcome"] == "passed"
    broken = CLEAN_C.replace('"%lld,%.17g,%lld\\n", id, amount,', '"%lld,%.17g,-%lld\\n", id, amount,')
    assert broken != CLEAN_C
    project.write("clean.c", broken)
    subprocess.run(["cc", "-O1", "-o", str(project.root / "clean"), str(source)], check=True, timeout=120)
    outcome = project.run("spec.yaml", "-k", "standard")
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    assert outcome.case("clean[standard]")["classification"] == "CONTRACT_ERROR"    # amount_cents < 0


def test_the_run_history_hashes_the_files_a_command_names(project: Project) -> None:
    import sqlite3

    def hashes() -> set[str | None]:
        with sqlite3.connect(project.root / ".specrun" / "history.sqlite") as conn:
            last = conn.execute("SELECT max(run_id) FROM runs").fetchone()[0]
            return {row[0] for row in conn.execute(
                "SELECT script_hash FROM cases WHERE run_id = ? AND case_id LIKE '%clean[standard]'", (last,))}

    assert _project(project).run("spec.yaml", "--scenario", "standard").code == 0
    first = hashes()
    assert first and None not in first               # a command step's run is recorded, hashed
    assert project.run("spec.yaml", "--scenario", "standard").code == 0
    assert hashes() == first                          # same files, same hash
    _project(project, script=CLEAN_SH + "\n# edited\n")
    assert project.run("spec.yaml", "--scenario", "standard").code == 0
    assert hashes() != first                          # an edited clean.sh is another script
