"""Missing command-line paths: one line each, a suggestion only when it exists (hypothesis)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.paths import closest_existing, missing_paths

NAME = st.text(alphabet="abcdefgh_.", min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))
COMMANDS = ["check", "plugins", "replay", "compare", "snapshot", "schema"]


@settings(max_examples=60, deadline=None)
@given(files=st.lists(st.tuples(NAME, NAME), max_size=6), asked=st.lists(st.tuples(NAME, NAME), max_size=4),
       bare=st.lists(NAME, max_size=3))
def test_one_line_per_missing_path_and_suggestions_exist(files, asked, bare) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder, name in files:
            if (root / folder).is_file():
                continue
            (root / folder).mkdir(exist_ok=True)
            if not (root / folder / name).is_dir():
                (root / folder / name).write_text("x")
        given_paths = [f"{a}/{b}" for a, b in asked] + bare
        cwd = os.getcwd()
        os.chdir(root)
        try:
            lines = missing_paths(given_paths, commands=COMMANDS)
            missing = [p for p in given_paths if not Path(p).exists()]
            assert len(lines) == len(missing)
            for path, line in zip(missing, lines, strict=True):
                assert line.startswith(f"{Path(path)}: file or directory not found")
                assert "\n" not in line
                suggested = re.search(r"did you mean '(.*)'\?\)$", line)
                if suggested and not suggested.group(1).startswith("specrun "):
                    assert Path(suggested.group(1)).exists() and suggested.group(1) != path
        finally:
            os.chdir(cwd)


def test_a_typo_in_each_part_is_corrected(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "orders.yaml").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert closest_existing("spec/order.yml") == str(Path("specs/orders.yaml"))
    assert closest_existing("zzz/orders.yaml") is None
    assert missing_paths(["specs/orders.yaml"]) == []
    assert missing_paths(["chek"], commands=COMMANDS) == [
        "chek: file or directory not found, nor a command (did you mean 'specrun check'?)"]
    assert missing_paths(["chek"]) == ["chek: file or directory not found"]   # after a command: no command guess
