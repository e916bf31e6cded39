"""The child's module naming and error records, and the runner's readers of them."""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.execution.child import (
    PHASE_IMPORT,
    ScriptContractError,
    error_payload,
    module_name_for,
    write_error,
)
from specrun.execution.request import RunRequest
from specrun.execution.runner import load_child_error, one_line, read_tail, request_payload

stems = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                min_size=1, max_size=30).filter(lambda s: s not in (".", ".."))


@settings(max_examples=300)
@given(stem=stems)
def test_module_name_is_a_safe_identifier(stem: str) -> None:
    name = module_name_for(Path(f"/scripts/{stem}.py"))
    assert name.isidentifier() and not keyword.iskeyword(name)
    assert name not in sys.stdlib_module_names and name not in sys.modules


def test_module_name_examples() -> None:
    assert module_name_for(Path("currency_conversion.py")) == "currency_conversion"
    assert module_name_for(Path("currency-conversion.py")) == "currency_conversion"
    assert module_name_for(Path("2nd_step.py")) == "_2nd_step"
    assert module_name_for(Path("class.py")) == "class_"
    assert module_name_for(Path("json.py")) == "_specrun_script_json"


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001
        return caught


def test_error_payload_of_a_real_exception() -> None:
    payload = error_payload(_raise(KeyError("amount")), PHASE_IMPORT)
    assert payload["type"] == "KeyError" and payload["module"] == "builtins"
    assert payload["mro"] == ["builtins.KeyError", "builtins.LookupError",
                              "builtins.Exception", "builtins.BaseException", "builtins.object"]
    assert payload["phase"] == "import" and payload["message"] == "'amount'"
    assert "KeyError: 'amount'" in payload["traceback"]
    assert "test_exec_child_records.py" in payload["traceback"]


def test_contract_error_is_named_by_its_import_path() -> None:
    payload = error_payload(_raise(ScriptContractError("no main")), "run")
    assert payload["mro"][0] == "specrun.execution.child.ScriptContractError"


def test_system_exit_message_names_the_code() -> None:
    assert error_payload(_raise(SystemExit(3)), "run")["message"] == "sys.exit(3)"


@settings(max_examples=100)
@given(message=st.text(max_size=200))
def test_error_record_round_trip(tmp_path_factory, message: str) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("err") / "child_error.json"
    write_error(str(path), error_payload(_raise(ValueError(message)), "run"))
    error = load_child_error(path)
    assert error is not None and error.phase == "run"
    assert (error.type, error.message) == ("ValueError", message)
    assert error.mro[0] == "builtins.ValueError"


def test_missing_or_corrupt_error_file_gives_no_error(tmp_path: Path) -> None:
    assert load_child_error(tmp_path / "absent.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert load_child_error(tmp_path / "bad.json") is None
    (tmp_path / "partial.json").write_text(json.dumps({"type": "X"}))
    assert load_child_error(tmp_path / "partial.json") is None


lines = st.lists(st.text(st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                         max_size=300), max_size=120)


@settings(max_examples=150)
@given(content=lines)
def test_read_tail_is_a_bounded_suffix(tmp_path_factory, content: list[str]) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("tail") / "out.log"
    text = "\n".join(content)
    path.write_text(text, encoding="utf-8")
    tail = read_tail(path, max_bytes=2048, max_lines=40)
    whole = "\n".join(text.splitlines())
    assert whole.endswith(tail)                        # whole lines, the last ones
    assert len(tail.splitlines()) <= 40 and len(tail.encode("utf-8")) <= 2048
    if len(text.encode("utf-8")) <= 2048:
        assert tail == "\n".join(text.splitlines()[-40:])
    elif tail:
        assert whole[: len(whole) - len(tail)].endswith("\n")   # never a cut line


@settings(max_examples=200)
@given(text=st.text(max_size=500))
def test_one_line_has_no_newline(text: str) -> None:
    line = one_line(text)
    assert "\n" not in line and len(line) <= 302
    first = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    assert line.startswith(first[:300].rstrip()[:50])


def test_request_payload_is_json_and_absolute(tmp_path: Path) -> None:
    request = RunRequest(script=Path("s.py"), workdir=tmp_path, call="main", args=["--x", "1"],
                         env={"A": "1"}, job_args={"k": [1, 2]})
    payload = json.loads(json.dumps(request_payload(request, tmp_path / "e.json")))
    assert Path(payload["script"]).is_absolute()
    assert payload["job_args"] == {"k": [1, 2]} and payload["error_path"].endswith("e.json")
