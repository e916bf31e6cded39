"""A producer that drops a column its consumer needs: `specrun check` finds it without
running anything, and the runtime transition validation catches it, blaming the side
whose contract is wrong."""

from __future__ import annotations

SPEC = '''
version: 1
pipeline: handoff
defaults: {timeout: 60, seed: 11}
schemas:
  orders:
    columns:
      id: {type: int, unique: true}
      amount: {type: float, min: 0, max: 10}
steps:
  produce:
    script: ../copy_step.py
    call: main
    env: {DROP: amount}
    inputs:
      orders: {format: csv, schema: orders}
    outputs:
      out:
        format: csv
        schema: {{producer_schema}}
  consume:
    script: ../copy_step.py
    call: main
    inputs:
      data: {{consumer_input}}
    outputs:
      copy: {format: csv}
scenarios:
  standard: {rows: 20}
modes:
  pipeline: {validation: {{validation}}}
'''

IDS_ONLY = "{columns: {id: {type: int, unique: true}}}"


def make(project, producer_schema: str, consumer_input: str, validation: str = "strict") -> None:
    project.write("specs/handoff.yaml", SPEC, producer_schema=producer_schema,
                  consumer_input=consumer_input, validation=validation)


def test_contracts_that_disagree_fail_check_and_the_transition(pipeline_project):
    # the producer promises only `id` (and keeps its promise); the consumer needs `amount`
    make(pipeline_project, IDS_ONLY, "{from: produce.out, schema: orders}")
    check = pipeline_project.run("check", "specs")
    assert check.code == 1, check.output
    error_lines = [line for line in check.stdout.splitlines() if line.startswith("ERROR")]
    assert len(error_lines) == 1, check.stdout
    assert "produce.out -> consume.data" in error_lines[0] and "'amount'" in error_lines[0]
    assert "handoff.yaml:" in error_lines[0] and "static check failed" in check.stdout

    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.output
    transition = out.case("produce.out->consume.data")
    assert transition["outcome"] == "failed" and transition["classification"] == "CONTRACT_ERROR"
    assert transition["details"]["blame"] == "contracts"
    producer_side, consumer_side = transition["validations"]
    assert (producer_side["port"], producer_side["ok"]) == ("produce.out", True)
    assert (consumer_side["port"], consumer_side["ok"]) == ("consume.data", False)
    assert [f["column"] for f in consumer_side["failures"]] == ["amount"]
    assert "contracts disagree" in transition["message"]
    # strict: the consumer does not run on data its contract rejects
    consume = out.case("consume")
    assert consume["outcome"] == "skipped"
    assert "failed validation (validation: strict)" in consume["message"]
    assert out.case("produce")["outcome"] == "passed"
    assert "blame: contracts" in out.stdout


def test_a_producer_breaking_its_own_contract_is_blamed(pipeline_project):
    # the producer's contract promises `amount`, its script drops it
    make(pipeline_project, "orders", "{from: produce.out}", validation="lenient")
    check = pipeline_project.run("check", "specs")
    assert check.code == 0 and "specs OK" in check.stdout, check.output
    out = pipeline_project.run("specs", "--mode", "pipeline")
    assert out.code == 1, out.output
    produce = out.case("produce")
    assert produce["outcome"] == "failed" and produce["classification"] == "CONTRACT_ERROR"
    transition = out.case("produce.out->consume.data")
    assert transition["outcome"] == "failed"
    assert transition["details"]["blame"] == "producer"
    assert "breaks its own output contract" in transition["message"]
    assert any(f["column"] == "amount" for f in transition["validations"][0]["failures"])
    # lenient: the failure is recorded and the data flows on
    assert out.case("consume")["outcome"] == "passed"
