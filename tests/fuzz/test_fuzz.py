"""Schemathesis over the gateway's merged OpenAPI, through the gateway, with a broad non-admin
token: no operation answers a 5xx, and every answer (errors included) fits the status codes and
bodies its operation declares. The token stays valid throughout: a run answered 401 or 429
would prove nothing, so those fail it too.

The document declares create links (POST /x → GET, PUT, PATCH, DELETE /x/{id}); the chain test
follows them: a generated create, then the item read at once, a generated PUT and PATCH, the
DELETE and a last read. Not Hypothesis' state machine: against a live server whose state grows
between examples, its bundles fill differently on a replay and it fails as an inconsistent data
generation (FlakyStrategyDefinition). Here every request of a chain is drawn before the first
is sent, so what is drawn never depends on an answer. Parents (a client, a project, a task, a
warehouse) are made first and their ids put into the creates that name them.

Deterministic for CI: derandomized, a bounded number of examples per operation, no shrinking
(the first failing example is reported as found). Generated data fits the schemas (positive
mode): schemathesis' negative mode spent minutes on filters here for a few hundred requests;
the services' own tests cover malformed input."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 8
# the fuzzer's token must keep working: these would mean every later answer is meaningless
TOKEN_LOST = {401, 429}
# Trust a provider's signature or a single-use OAuth state: the fuzzer can only be refused there,
# and their refusals are covered by the connector tests.
NOT_FUZZED = {
    ("POST", "/api/integrations/github/webhook"),
    ("POST", "/api/integrations/slack/events"),
    ("GET", "/integrations/google/callback"),
}
RUN = settings(
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzzer(make_token) -> tuple[str, int]:
    """A broad token of a fresh non-admin user, and the user's id."""
    token, _, user = make_token("read:*,write:*")
    return token, user["id"]


@pytest.fixture
def api_schema(stack, admin, fuzzer):
    """The merged document, sending the fuzzer's token."""
    token, _ = fuzzer
    schema = schemathesis.openapi.from_dict(admin.get("/api/openapi.json").json())
    schema.config.update(base_url=stack.gateway_url, headers={"Authorization": f"Bearer {token}"})
    return schema


def fuzzed_operations(schema) -> Iterator:
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) not in NOT_FUZZED:
            yield op


def is_public(op) -> bool:
    return op.schema.raw_schema["paths"][op.path][op.method.lower()].get("x-tt-auth") == "public"


def failure_of(op, session: requests.Session, statuses: Counter[int]) -> str | None:
    @given(case=op.as_strategy())
    @settings(RUN, max_examples=EXAMPLES_PER_OPERATION)
    def run(case):
        response = case.call(session=session)
        if not is_public(op):
            statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - schemathesis raises a FailureGroup; report them all at the end
        return str(exc)
    return None


def test_every_operation_answers_within_its_declared_responses(api_schema):
    session = requests.Session()
    statuses: Counter[int] = Counter()
    failures = {}
    for op in fuzzed_operations(api_schema):
        failure = failure_of(op, session, statuses)
        if failure:
            failures[op.label] = failure
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert not TOKEN_LOST & set(statuses), statuses
    # most generated requests fit what the services accept, so the checks saw real answers
    assert sum(n for status, n in statuses.items() if status < 300) >= 100, statuses


def test_create_operations_link_to_their_items(api_schema):
    projects = api_schema.raw_schema["paths"]["/api/v1/projects"]["post"]["responses"]["201"]
    assert projects["links"]["GET /api/v1/projects/{project_id}"]["parameters"] == {
        "project_id": "$response.body#/project/id"
    }


# --- create → get → update → delete chains ------------------------------------------------

CHAIN_EXAMPLES = 6
# the item operations of a chain, in the order a client would send them
CHAIN_STEPS = ("GET", "PUT", "PATCH", "GET", "DELETE", "GET")
# chains a non-admin's generated create can start (the others need an admin or never validate)
EXPECTED_CHAINS = {
    "/api/v1/clients",
    "/api/v1/projects",
    "/api/v1/tasks",
    "/api/v1/deals",
    "/api/v1/leads",
    "/api/v1/quotes",
    "/api/v1/inventory/warehouses",
    "/api/v1/inventory/items",
}


@pytest.fixture
def pinned(stack, fuzzer) -> dict[str, int]:
    """Body key → id, set in every generated body of a chain that has the key: objects of the
    fuzzer's user that a create may name, and the fuzzer as owner (a deal handed to someone
    else is rightly refused to its former owner, which would end the chain)."""
    token, user_id = fuzzer
    with stack.client(token) as c:

        def made(path: str, body: dict, key: str) -> int:
            r = c.post(path, json=body)
            assert r.status_code == 201, r.text
            return r.json()[key]["id"]

        client = made("/api/v1/clients", {"name": "fuzz parent"}, "client")
        project = made("/api/v1/projects", {"name": "fuzz parent", "client_id": client}, "project")
        task = made("/api/v1/tasks", {"name": "fuzz parent", "project_id": project}, "task")
        code = f"FUZZ-{uuid.uuid4().hex[:6]}"
        warehouse = made("/api/v1/inventory/warehouses", {"name": "fuzz parent", "code": code}, "warehouse")
    parents = {"client_id": client, "project_id": project, "task_id": task, "warehouse_id": warehouse}
    return parents | {"owner_id": user_id, "user_id": user_id}


def chains(schema) -> Iterator[tuple]:
    """(create operation, item path parameter, id pointer, {method: item operation}) for every
    create whose links reach the item's GET and DELETE."""
    by_id = {op.definition.raw.get("operationId"): op for op in fuzzed_operations(schema)}
    for create in by_id.values():
        if create.method.upper() != "POST":
            continue
        links = create.definition.raw.get("responses", {}).get("201", {}).get("links", {})
        steps = {}
        for name, link in links.items():
            ((param, expression),) = link["parameters"].items()
            steps[name.split(" ", 1)[0]] = by_id[link["operationId"]]
        if {"GET", "DELETE"} <= set(steps):
            yield create, param, expression.removeprefix("$response.body#"), steps


def pointed(body, pointer: str):
    for key in pointer.strip("/").split("/"):
        body = body[key]
    return body


def chain_failure(create, param, pointer, steps, pinned, session, ran, creates) -> str | None:
    @given(data=st.data())
    @settings(RUN, max_examples=CHAIN_EXAMPLES)
    def run(data):
        first = data.draw(create.as_strategy())
        # every step drawn now, before any answer: a replay draws the same whatever the server holds
        later = [(method, data.draw(steps[method].as_strategy())) for method in CHAIN_STEPS if method in steps]
        for case, op in ((first, create), *((case, steps[method]) for method, case in later)):
            if isinstance(case.body, dict):
                case.body.update({key: value for key, value in pinned.items() if key in _body_keys(op)})
        response = first.call(session=session)
        first.validate_response(response, checks=CHECKS)
        creates[create.path][response.status_code] += 1
        if response.status_code != 201:
            return
        new_id = pointed(response.json(), pointer)
        ran[create.path] += 1
        deleted = False
        for step, (method, case) in enumerate(later, start=1):
            case.path_parameters = {**(first.path_parameters or {}), param: new_id}
            answer = case.call(session=session)
            case.validate_response(answer, checks=CHECKS)
            if method == "GET" and not deleted:
                # read-your-writes: the object just made (and changed) is there on the next request
                seen = f"step {step} {method} {new_id}: {answer.status_code} {answer.text[:300]}"
                assert answer.status_code == 200, seen
            deleted = deleted or (method == "DELETE" and answer.status_code < 300)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - reported together at the end
        return str(exc)
    return None


def _body_keys(op) -> set[str]:
    content = op.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema") or {}
    ref = schema.get("$ref")
    if ref:
        schema = op.schema.raw_schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return set(schema.get("properties") or {})


def test_create_get_update_delete_chains_follow_the_links(api_schema, pinned):
    session = requests.Session()
    ran: Counter[str] = Counter()
    creates: defaultdict[str, Counter[int]] = defaultdict(Counter)  # path → statuses of its creates
    failures = {}
    found = list(chains(api_schema))
    for create, param, pointer, steps in found:
        failure = chain_failure(create, param, pointer, steps, pinned, session, ran, creates)
        if failure:
            failures[create.label] = failure
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert EXPECTED_CHAINS <= {create.path for create, *_ in found}
    assert EXPECTED_CHAINS <= set(ran), f"chains that ran: {dict(ran)}; creates answered: {dict(creates)}"
