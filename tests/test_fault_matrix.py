"""Issue 9's fault matrix: one run, one transaction — nothing lost, nothing sent twice.

Each test is one scenario of ``tests/fault_harness.py``: the real CLI in commit mode, against
real git (a bare origin), the loopback catalog and the loopback Slack, killed or starved at one
step of ``run``; then the next run without the fault, from the same clone or from a fresh one;
then origin is compared with a fault-free reference run (snapshot, ledger, deliveries, outbox,
health streak, leftovers).

The scenarios are run a few at a time by a session fixture (``FAULT_MATRIX_JOBS``, default
cores + 1, at most 4; 1 runs each in its own test), once even under pytest-xdist, and each test
asserts its own verdict. A scenario that fails today is a strict xfail naming what breaks: the
lead removes the mark when the fix lands. ``bench/fault_matrix.py`` prints the same matrix as a
table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fault_harness import Matrix, ScenarioSkipped, Spec, default_jobs, scenarios, spec_id

# What breaks today, per (fault, mode, recovery); "*" matches any mode or recovery.
XFAIL: dict[tuple[str, str, str], str] = {}


def _reason(spec: Spec) -> str | None:
    key, mode, recovery = spec
    for pattern in ((key, mode, recovery), (key, mode, "*"), (key, "*", recovery), (key, "*", "*")):
        if pattern in XFAIL:
            return XFAIL[pattern]
    return None


def _params() -> list[object]:
    params = []
    for spec in scenarios():
        reason = _reason(spec)
        marks = [pytest.mark.xfail(strict=True, reason=f"issue 9: {reason}")] if reason else []
        params.append(pytest.param(spec, id=spec_id(spec), marks=marks))
    return params


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Matrix:
    """The selected scenarios, run once. Under pytest-xdist (``-n``) each worker that runs one
    of these tests builds this fixture: the first runs them all, the others read its outcomes
    (``--dist loadfile``, the README's, sends this whole file to one worker anyway)."""
    matrix = Matrix(Path(tmp_path_factory.mktemp("fault-matrix")))
    selected = [
        item.callspec.params["spec"]
        for item in request.session.items
        if getattr(item, "callspec", None) is not None
        and "spec" in item.callspec.params
        and item.module is not None
        and item.module.__name__ == __name__
    ]
    if hasattr(request.config, "workerinput"):  # an xdist worker: the run's folder is shared
        saved = tmp_path_factory.getbasetemp().parent / "fault-matrix.pickle"
        matrix.shared(saved, selected, default_jobs())
    else:
        matrix.prefetch(selected, default_jobs())
    return matrix


@pytest.mark.parametrize("spec", _params())
def test_fault(matrix: Matrix, spec: Spec) -> None:
    try:
        verdict = matrix.verdict(spec)
    except ScenarioSkipped as skipped:
        pytest.skip(str(skipped))
    assert verdict.ok, verdict.report()
