"""POST /decision-definition/key/{key}/evaluate and /decision-definition/{id}/evaluate, compared
with Camunda 7's REST reference: 200 with a list of rule results (output name -> typed value),
404 for an unknown definition, and a 400 (never a 500) for input the decision cannot take."""
from __future__ import annotations

import pytest

from tests.conftest import fixture_bytes
from tests.rest.test_refusals import refused
from tests.test_dmn_policies import table

R = "/engine-rest"


def typed(value, type_: str) -> dict:
    return {"value": value, "type": type_, "valueInfo": {}}


@pytest.fixture
def dinner(office):
    office.engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn"))])
    return office


def evaluate(office, url: str, body: dict, user: str = "staff_b"):
    return office.client.post(R + url, json=body, headers=office.auth(user))


def test_by_key_with_a_required_decision(dinner):
    response = evaluate(dinner, "/decision-definition/key/beverages/evaluate", {"variables": {
        "season": typed("Spring", "String"), "guestCount": typed(6, "Integer"),
        "guestsWithChildren": typed(True, "Boolean")}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [{"beverages": typed("Pinot Noir", "String")},
                                   {"beverages": typed("Apple Juice", "String")},
                                   {"beverages": typed("Water", "String")}]


def test_by_id(dinner):
    [dish] = dinner.engine.repository.list_decision_definitions(key="dish")
    response = evaluate(dinner, f"/decision-definition/{dish.id}/evaluate", {"variables": {
        "season": {"value": "Winter"}, "guestCount": {"value": 20, "type": "Long"}}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [{"desiredDish": typed("Stew", "String")}]


def test_no_matching_rule_is_an_empty_list(dinner):
    response = evaluate(dinner, "/decision-definition/key/dish/evaluate", {"variables": {
        "season": typed("Monsoon", "String"), "guestCount": typed(2, "Integer")}})
    assert response.status_code == 200 and response.get_json() == []


def test_an_aggregation_is_one_result(office):
    office.engine.repository.deploy([("points.dmn", table("points", 'hitPolicy="COLLECT" aggregation="SUM"',
                                                          numbers=True))])
    response = evaluate(office, "/decision-definition/key/points/evaluate",
                        {"variables": {"score": typed(7, "Integer")}})
    assert response.status_code == 200 and response.get_json() == [{"level": typed(15, "Integer")}]


def test_unknown_definitions_are_404_in_camundas_words(dinner):
    body = refused(dinner, "post", R + "/decision-definition/key/soup/evaluate", "staff_b", 404,
                   "InvalidRequestException", json={"variables": {}})
    assert body["message"] == "No matching decision definition with key: soup and no tenant-id"
    body = refused(dinner, "post", R + "/decision-definition/soup:1:x/evaluate", "staff_b", 404,
                   "InvalidRequestException", json={})
    assert body["message"] == "No matching decision definition with id: soup:1:x"
    # A process definition's id is no decision definition.
    dinner.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    process_id = dinner.engine.repository.latest_definition("approval").id
    refused(dinner, "post", R + f"/decision-definition/{process_id}/evaluate", "staff_b", 404,
            "InvalidRequestException", json={})


BAD = {
    "missing variable": ({"variables": {"season": typed("Fall", "String")}}, "guestCount"),
    "wrongly typed variable": ({"variables": {"guestCount": typed("many", "Integer")}}, "guestCount"),
    "variables not an object": ({"variables": [1, 2]}, "variables"),
    "body not an object": ([1], "JSON object"),
    "comparing text with a number": ({"variables": {"season": typed("Fall", "String"),
                                                    "guestCount": typed("four", "String")}}, "dish"),
}


@pytest.mark.parametrize("body, words", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_400(dinner, body, words):
    found = refused(dinner, "post", R + "/decision-definition/key/dish/evaluate", "staff_b", 400,
                    "InvalidRequestException", json=body)
    assert words in found["message"]


def test_unique_with_two_matches_is_a_400_naming_the_rules(office):
    office.engine.repository.deploy([("levels.dmn", table("levels", 'hitPolicy="UNIQUE"'))])
    found = refused(office, "post", R + "/decision-definition/key/levels/evaluate", "staff_b", 400,
                    "InvalidRequestException", json={"variables": {"score": typed(7, "Integer")}})
    assert "UNIQUE" in found["message"] and "r2" in found["message"]


def test_without_credentials_401(dinner):
    response = dinner.client.post(R + "/decision-definition/key/dish/evaluate", json={})
    assert response.status_code == 401
