"""Property tests for the pure parts of the sources layer (no server needed).

They live here because this helper owns only tests/integration/sources/; they belong
in tests/unit/sources/ and can move there as they are.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specrun.sources import ExecutionData, S3Uri, SourceError, StepRecord, cache_key
from specrun.sources.parquet_sample import choose_row_groups
from specrun.sources.sampling import S3Object, choose_shards
from specrun.sources.text_head import cut_records
from specrun.sources.uri import relative_key, safe_relative_path
from specrun.spec.placeholders import layout_pattern

bucket_names = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,20}[a-z0-9]", fullmatch=True)
keys = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
cells = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


@given(bucket_names, keys)
def test_uri_round_trips(bucket: str, key: str) -> None:
    uri = S3Uri(bucket, key)
    assert S3Uri.parse(str(uri)) == uri
    assert uri.as_prefix().is_prefix


@given(st.text(max_size=30))
def test_parse_rejects_everything_that_is_not_s3(text: str) -> None:
    try:
        parsed = S3Uri.parse(text)
    except SourceError as exc:
        assert exc.permanent and exc.uri == text
    else:
        assert text.startswith("s3://") and parsed.bucket


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "c.csv", "/", "\\x"]), min_size=1, max_size=6))
def test_safe_relative_paths_never_leave_their_directory(parts: list[str]) -> None:
    relative = "/".join(parts)
    base = Path("/cache/entry/data")
    try:
        path = safe_relative_path(relative, "s3://b/" + relative)
    except SourceError as exc:
        assert exc.permanent
        return
    joined = (base / path).resolve()
    assert joined.is_relative_to(base) and joined != base


@given(keys)
def test_relative_keys_rebuild_the_key(key: str) -> None:
    prefix = S3Uri("bucket", "data/")
    assert prefix.key + relative_key(prefix, "data/" + key) == "data/" + key


@given(st.lists(st.lists(cells, min_size=2, max_size=2), max_size=15), st.integers(0, 20),
       st.sampled_from(["csv", "tsv"]), st.data())
def test_csv_heads_are_whole_records(rows: list[list[str]], wanted: int, fmt: str, data: st.DataObject) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(["h1", "h2"])
    writer.writerows(rows)
    blob = out.getvalue().encode()
    cut = data.draw(st.integers(0, len(blob)), label="bytes available")
    found = cut_records(blob[:cut], fmt, wanted, at_eof=cut == len(blob))
    if found is None:
        assert cut < len(blob)
        return
    length, count = found
    assert count == min(wanted, len(rows))
    parsed = list(csv.reader(io.StringIO(blob[:length].decode()), delimiter="\t" if fmt == "tsv" else ","))
    assert parsed[1:] == rows[:count]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_head_never_ends_inside_a_quoted_field(fmt: str) -> None:
    """Found by the property above: a buffer ending inside a quoted newline was counted
    as a whole last record (the lenient reader closes the quote at the buffer's end)."""
    delimiter = "\t" if fmt == "tsv" else ","
    blob = f'h1{delimiter}h2\na{delimiter}b\n"x\n'.encode()   # the quoted field goes on
    assert cut_records(blob, fmt, 2, at_eof=False) is None
    length, count = cut_records(blob + f'y"{delimiter}z\n'.encode(), fmt, 2, at_eof=True)  # type: ignore[misc]
    assert count == 2 and length == len(blob) + 5


@given(st.lists(st.dictionaries(st.text(max_size=5), st.integers()), max_size=15), st.integers(0, 20))
def test_jsonl_heads_are_whole_records(records: list[dict[str, int]], wanted: int) -> None:
    blob = "".join(json.dumps(r) + "\n" for r in records).encode()
    length, count = cut_records(blob, "jsonl", wanted, at_eof=True)  # type: ignore[misc]
    assert count == min(wanted, len(records))
    assert [json.loads(line) for line in blob[:length].splitlines()] == records[:count]


@given(st.lists(st.integers(0, 1000), max_size=30), st.integers(0, 5000), st.integers())
def test_row_groups_hold_enough_rows_and_depend_on_the_seed(counts: list[int], rows: int, seed: int) -> None:
    chosen = choose_row_groups(counts, rows, seed)
    assert chosen == sorted(set(chosen)) and chosen == choose_row_groups(counts, rows, seed)
    total = sum(counts[i] for i in chosen)
    assert total >= rows or len(chosen) == len(counts)
    assert (chosen == []) == (rows == 0 or not counts)


@given(st.lists(st.tuples(st.sampled_from(["train", "test", "val"]), st.integers(0, 99)), unique=True,
                max_size=20), st.integers())
def test_layout_patterns_match_the_names_they_describe(shards: list[tuple[str, int]], seed: int) -> None:
    pattern = layout_pattern("{split}/part-{shard:05d}.csv")
    names = [f"{split}/part-{shard:05d}.csv" for split, shard in shards]
    assert all(pattern.fullmatch(name) for name in names)
    assert not pattern.fullmatch("train/part-00001.parquet")
    groups = choose_shards([(n, S3Object(n, 1, "e")) for n in names], seed)
    assert sorted(rel for members in groups.values() for rel, _ in members) == sorted(names)
    assert groups == choose_shards([(n, S3Object(n, 1, "e")) for n in reversed(names)], seed)


@given(st.text(), st.text(), st.dictionaries(st.text(max_size=5), st.integers(), max_size=4))
def test_cache_keys_are_stable_and_tell_inputs_apart(uri: str, etag: str, params: dict[str, int]) -> None:
    assert cache_key(uri, etag, params) == cache_key(uri, etag, dict(reversed(list(params.items()))))
    assert cache_key(uri, etag, params) != cache_key(uri + "x", etag, params)
    assert cache_key(uri, etag, params) != cache_key(uri, etag + "x", params)


@settings(max_examples=50)
@given(st.dictionaries(st.text(min_size=1, max_size=8),
                       st.builds(StepRecord, name=st.text(max_size=8), status=st.sampled_from(["Succeeded", "Failed"]),
                                 duration_s=st.none() | st.floats(0, 1e6),
                                 outputs=st.dictionaries(st.text(max_size=5), st.text(max_size=20), max_size=3)),
                       max_size=4))
def test_execution_data_survives_json(steps: dict[str, StepRecord]) -> None:
    data = ExecutionData("arn:aws:sagemaker:r:1:pipeline/p/execution/e", "p", "Succeeded", steps)
    assert ExecutionData.from_json(json.loads(json.dumps(data.to_json()))) == data
