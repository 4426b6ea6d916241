"""Who may do what with a token, and a retried command applying once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.http.helpers import auth, registration

LATER = "2027-01-12T09:00:00+01:00"
CHARACTER = {"trigger": "agree_character", "payload": {"character": "scaling"}, "at": LATER}


def test_a_token_of_org_x_cannot_fire_as_org_y(client: TestClient) -> None:
    """The maker's token naming the insurer as actor: refused, nothing stored."""
    assert client.post("/plans", json=registration("P1"), headers=auth("maker")).status_code == 201
    answer = client.post("/plans/P1/commands", headers=auth("maker"), json={
        **CHARACTER, "actor": {"role": "coordinating_insurer", "org": "Menzis"}})
    assert answer.status_code == 403
    assert answer.json()["problems"][0]["rule"] == "acts_as_itself"
    assert client.get("/plans/P1", headers=auth("maker")).json()["seq"] == 1
    own = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        **CHARACTER, "actor": {"role": "coordinating_insurer", "org": "Menzis"}})
    assert own.status_code == 200


def test_register_as_another_org_is_refused(client: TestClient) -> None:
    answer = client.post("/plans", headers=auth("hospital"), json={
        **registration("P1"), "actor": {"role": "plan_maker", "org": "Huisartsen Twente",
                                        "region": "Twente"}})
    assert answer.status_code == 403
    assert client.get("/plans/P1", headers=auth("maker")).status_code == 404


def test_an_auditor_token_reads_but_cannot_write(client: TestClient) -> None:
    assert client.post("/plans", json=registration("P1"), headers=auth("maker")).status_code == 201
    for answer in (client.post("/plans", json=registration("P2"), headers=auth("auditor")),
                   client.post("/plans/P1/commands", json=CHARACTER, headers=auth("auditor"))):
        assert answer.status_code == 403
        assert answer.json()["problems"][0]["rule"] == "read_only_token"
    assert client.get("/plans/P1", headers=auth("auditor")).status_code == 200
    assert client.get("/plans/P1/events", headers=auth("auditor")).status_code == 200
    assert client.get("/plans/P2", headers=auth("auditor")).status_code == 404


def test_a_replayed_idempotency_key_applies_once_and_answers_the_first_answer(
        client: TestClient) -> None:
    """Same key twice: one event, the same body; meanwhile the plan moved on."""
    key = {"Idempotency-Key": "cms-4711"}
    assert client.post("/plans", json=registration("P1"), headers=auth("maker")).status_code == 201
    first = client.post("/plans/P1/commands", json=CHARACTER, headers={**auth("insurer"), **key})
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    moved = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "hold_start_meeting", "at": "2027-01-13T09:00:00+01:00"})
    assert moved.status_code == 200
    again = client.post("/plans/P1/commands", json=CHARACTER, headers={**auth("insurer"), **key})
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    events = client.get("/plans/P1/events", headers=auth("auditor")).json()["events"]
    assert [e["trigger"] for e in events] == ["register_plan", "agree_character",
                                              "hold_start_meeting"]


def test_a_replayed_registration_answers_201_once_more(client: TestClient) -> None:
    key = {"Idempotency-Key": "reg-1"}
    first = client.post("/plans", json=registration("P1"), headers={**auth("maker"), **key})
    again = client.post("/plans", json=registration("P1"), headers={**auth("maker"), **key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_a_key_used_for_another_plan_is_refused(client: TestClient) -> None:
    key = {"Idempotency-Key": "cms-1"}
    for plan_id in ("P1", "P2"):
        client.post("/plans", json=registration(plan_id), headers=auth("maker"))
    assert client.post("/plans/P1/commands", json=CHARACTER,
                       headers={**auth("insurer"), **key}).status_code == 200
    other = client.post("/plans/P2/commands", json=CHARACTER, headers={**auth("insurer"), **key})
    assert other.status_code == 409
    assert other.json()["problems"][0]["rule"] == "command_id_names_one_command"


def test_the_first_path_without_explicit_times(client: TestClient) -> None:
    """No `at` anywhere: the real clock, default settings; the plan lists and shows."""
    body = registration("P1")
    del body["at"]
    assert client.post("/plans", json=body, headers=auth("maker")).status_code == 201
    answer = client.post("/plans/P1/commands", headers=auth("insurer"), json={
        "trigger": "agree_character", "payload": {"character": "scaling"}})
    assert answer.status_code == 200
    listed = client.get("/plans?organisation=menzis&overdue=false", headers=auth("auditor"))
    assert [p["plan_id"] for p in listed.json()["plans"]] == ["P1"]
    assert client.get("/plans?organisation=CZ", headers=auth("auditor")).json()["plans"] == []
    todo = client.get("/todo", headers=auth("maker")).json()
    assert todo["org"] == "Huisartsen Twente"
    allowed = client.get("/plans/P1/allowed", headers=auth("maker")).json()
    assert {r["role"] for r in allowed["roles"]} == {"plan_maker"}
    assert any(p["trigger"] == "withdraw" and p["allowed"]
               for p in allowed["roles"][0]["permissions"])


def test_a_key_names_one_command_on_a_plan_too(client: TestClient) -> None:
    """The registration's key sent again with another trigger: refused, nothing applied."""
    key = {"Idempotency-Key": "cms-9"}
    client.post("/plans", json=registration("P1"), headers={**auth("maker"), **key})
    other = client.post("/plans/P1/commands", json=CHARACTER, headers={**auth("insurer"), **key})
    assert other.status_code == 409
    assert other.json()["problems"][0]["rule"] == "command_id_names_one_command"
    assert client.get("/plans/P1", headers=auth("maker")).json()["seq"] == 1
