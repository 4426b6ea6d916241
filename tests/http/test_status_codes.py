"""Every answer the service gives, on a real SQLite file and a real PostgreSQL schema: what a
case-management system sees for an accepted command and for each kind of refusal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.http.helpers import auth, registration

LATER = "2027-01-12T09:00:00+01:00"


def registered(client: TestClient, plan_id: str = "P1") -> dict[str, Any]:
    answer = client.post("/plans", json=registration(plan_id), headers=auth("maker"))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def problem_of(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = dict(answer.json())
    assert body["status"] == status and body["problems"]
    for p in body["problems"]:
        assert p["rule"] and p["seed"] and p["message"]
    return body


def test_201_register_answers_the_plan_with_location_and_etag(client: TestClient) -> None:
    """POST /plans registers: 201, Location of the plan, ETag its seq, its first event."""
    answer = client.post("/plans", json=registration("P1"), headers=auth("maker"))
    assert answer.status_code == 201
    assert answer.headers["location"] == "/plans/P1" and answer.headers["etag"] == '"1"'
    body = answer.json()
    assert body["state"] == "intent" and [e["trigger"] for e in body["events"]] == [
        "register_plan"]
    assert body["events"][0]["actor"]["org"] == "Huisartsen Twente"


def test_200_command_moves_the_plan(client: TestClient) -> None:
    """A command the rules allow: 200, the new seq as ETag, the plan readable after it."""
    registered(client)
    answer = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "scaling"}, "at": LATER})
    assert answer.status_code == 200 and answer.headers["etag"] == '"2"'
    plan = client.get("/plans/P1", headers=auth("maker"))
    assert plan.status_code == 200 and plan.headers["etag"] == '"2"'
    assert plan.json()["seq"] == 2 and plan.json()["plan_id"] == "P1"


def test_409_process_rule_names_rule_and_paragraph(client: TestClient) -> None:
    """A command the process forbids in this state: 409, its rule and seed paragraph."""
    registered(client)
    answer = client.post("/plans/P1/commands", headers=auth("maker"),
                         json={"trigger": "submit_plan", "at": LATER})
    body = problem_of(answer, 409)
    assert body["problems"][0]["rule"] == "allowed_in_state"
    assert body["problems"][0]["seed"].startswith("A4")
    assert "[rule allowed_in_state" in body["detail"]
    assert client.get("/plans/P1", headers=auth("maker")).json()["seq"] == 1


def test_409_registering_an_id_twice(client: TestClient) -> None:
    registered(client)
    again = client.post("/plans", json=registration("P1"), headers=auth("maker"))
    assert problem_of(again, 409)["problems"][0] == {
        "rule": "unique_plan_id", "seed": "A4 §1.a.2",
        "message": "A plan with id 'P1' is already registered"}


def test_422_payload_names_every_failing_field(client: TestClient) -> None:
    """A payload that fails its schema: 422, one problem per field, the trigger's paragraph."""
    registered(client)
    answer = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "bogus", "extra": 1},
        "at": LATER})
    body = problem_of(answer, 422)
    assert {p["rule"] for p in body["problems"]} == {"payload_matches_schema"}
    assert len(body["problems"]) == 2
    assert any("extra" in p["message"] for p in body["problems"])


def test_422_for_a_request_of_the_wrong_shape_and_a_bad_instant(client: TestClient) -> None:
    registered(client)
    shape = client.post("/plans/P1/commands", headers=auth("insurer"), json={"payload": {}})
    assert problem_of(shape, 422)["problems"][0]["rule"] == "request_matches_schema"
    when = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "scaling"}, "at": "now"})
    assert problem_of(when, 422)["problems"][0]["rule"] == "input_within_limits"
    unknown = client.get("/plans?state=dreaming", headers=auth("maker"))
    assert problem_of(unknown, 422)["problems"][0]["rule"] == "known_filter_value"


def test_403_actor_may_not_fire(client: TestClient) -> None:
    """A role the trigger is not for: 403 naming role_may_fire and its paragraph."""
    registered(client)
    answer = client.post("/plans/P1/commands", headers=auth("maker"),
                         json={"trigger": "approve_quick_test", "at": LATER})
    body = problem_of(answer, 403)
    assert body["problems"][0]["rule"] == "role_may_fire"
    assert body["problems"][0]["seed"] == "A4 §1.5.1"


def test_403_an_organisation_outside_the_plan(client: TestClient) -> None:
    """An insurer's token on a plan another insurer coordinates: right role, no party."""
    body = dict(registration("P1"))
    body["attrs"] = {**body["attrs"], "coordinating_insurer": "CZ"}
    assert client.post("/plans", json=body, headers=auth("maker")).status_code == 201
    answer = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "scaling"}, "at": LATER})
    assert problem_of(answer, 403)["problems"][0]["rule"] == "is_party_of_plan"


def test_404_unknown_plan_and_definition(client: TestClient) -> None:
    for answer in (client.get("/plans/NOPE", headers=auth("maker")),
                   client.get("/plans/NOPE/events", headers=auth("maker")),
                   client.get("/plans/NOPE/allowed", headers=auth("maker")),
                   client.post("/plans/NOPE/commands", headers=auth("maker"),
                               json={"trigger": "withdraw"})):
        assert problem_of(answer, 404)["problems"][0]["rule"] == "known_plan"
    found = client.get("/definitions/transformation@9", headers=auth("maker"))
    assert "transformation@1" in problem_of(found, 404)["detail"]


def test_412_if_match_no_longer_holds(client: TestClient) -> None:
    """If-Match carries the seq the client read: accepted while it holds, 412 after."""
    registered(client)
    held = client.post("/plans/P1/commands", headers={**auth("insurer"), "If-Match": '"1"'},
                       json={"trigger": "agree_character", "payload": {"character": "scaling"},
                             "at": LATER})
    assert held.status_code == 200
    stale = client.post("/plans/P1/commands", headers={**auth("insurer"), "If-Match": '"1"'},
                        json={"trigger": "hold_start_meeting", "at": LATER})
    assert problem_of(stale, 412)["problems"][0]["rule"] == "if_match_holds"
    assert client.get("/plans/P1", headers=auth("maker")).json()["seq"] == 2


def test_401_without_or_with_an_unknown_token(client: TestClient) -> None:
    """No token, no access, except /healthz."""
    assert client.get("/healthz").json() == {"status": "ok"}
    for headers in ({}, {"Authorization": "Bearer not-a-listed-token"},
                    {"Authorization": "Basic abc"}):
        for answer in (client.get("/plans", headers=headers),
                       client.get("/metrics", headers=headers),
                       client.get("/openapi.json", headers=headers),
                       client.post("/plans", json=registration("P9"), headers=headers)):
            assert problem_of(answer, 401)
            assert answer.headers["www-authenticate"] == "Bearer"
    assert client.get("/plans", headers=auth("auditor")).json() == {"plans": []}


def test_events_are_paged_with_an_etag_and_304(client: TestClient) -> None:
    registered(client)
    for day in (12, 13):
        client.post("/plans/P1/commands", headers=auth("insurer"), json={
            "trigger": "agree_character", "payload": {"character": "scaling"},
            "at": f"2027-01-{day}T09:00:00+01:00"})
    first = client.get("/plans/P1/events?limit=2", headers=auth("auditor"))
    assert [e["seq"] for e in first.json()["events"]] == [1, 2]
    assert first.json()["next_after"] == 2
    rest = client.get("/plans/P1/events?after=2&limit=2", headers=auth("auditor"))
    assert [e["seq"] for e in rest.json()["events"]] == [3]
    assert rest.json()["next_after"] is None
    same = client.get("/plans/P1/events?limit=2",
                      headers={**auth("auditor"), "If-None-Match": first.headers["etag"]})
    assert same.status_code == 304
    client.post("/plans/P1/commands", headers=auth("insurer"),
                json={"trigger": "hold_start_meeting", "at": "2027-01-14T09:00:00+01:00"})
    moved = client.get("/plans/P1/events?limit=2",
                       headers={**auth("auditor"), "If-None-Match": first.headers["etag"]})
    assert moved.status_code == 200


def test_cors_is_off_by_default(client: TestClient) -> None:
    answer = client.get("/healthz", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in answer.headers
