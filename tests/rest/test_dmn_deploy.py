"""DMN files as Camunda Modeler writes them, deployed over REST: a decision requirements graph
deploys; a malformed DMN is a 400 naming the file and element, and nothing is stored."""
from __future__ import annotations

import io

import pytest

from tests.conftest import fixture_bytes
from tests.rest.test_refusals import row_counts

DRG = fixture_bytes("dish_drg.dmn").decode()


def deploy(office, name: str, content: bytes | str):
    content = content.encode() if isinstance(content, str) else content
    return office.client.post("/engine-rest/deployment/create", headers=office.auth("designer"),
                              content_type="multipart/form-data",
                              data={"deployment-name": "dmn", name: (io.BytesIO(content), name)})


def test_a_decision_requirements_graph_deploys_alone(office):
    response = deploy(office, "dish_drg.dmn", DRG)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["deployedProcessDefinitions"] is None
    decisions = body["deployedDecisionDefinitions"]
    assert sorted(d["key"] for d in decisions.values()) == ["beverages", "dish"]
    assert {d["resource"] for d in decisions.values()} == {"dish_drg.dmn"}
    assert [d.key for d in office.engine.repository.list_decision_definitions()] == ["beverages", "dish"]


BROKEN = {
    "unknown required decision": (DRG.replace('href="#dish"', 'href="#soup"'), "beverages", "'soup'"),
    "required decision cycle": (DRG.replace('<requiredInput href="#InputData_season" />',
                                            '<requiredDecision href="#beverages" />'), "dish", "requires itself"),
    "unknown hit policy": (DRG.replace('hitPolicy="COLLECT"', 'hitPolicy="SOMETIMES"'),
                           "DecisionTable_beverages", "SOMETIMES"),
    "aggregation without collect": (DRG.replace('hitPolicy="UNIQUE"', 'hitPolicy="FIRST" aggregation="SUM"'),
                                    "DecisionTable_dish", "COLLECT"),
    "unknown aggregation": (DRG.replace('hitPolicy="COLLECT"', 'hitPolicy="COLLECT" aggregation="AVG"'),
                            "DecisionTable_beverages", "AVG"),
    "priority without output values": (DRG.replace('hitPolicy="UNIQUE"', 'hitPolicy="PRIORITY"'),
                                       "DecisionTable_dish", "output values"),
    "rule with a missing entry": (DRG.replace('<inputEntry id="UnaryTests_d6b"><text></text></inputEntry>', ""),
                                  "DecisionRule_d6", "2 inputs"),
    "bad FEEL cell": (DRG.replace("&lt;= 4", "&lt;= = 4"), "UnaryTests_d3b", "dish_drg.dmn"),
    "decision without logic": (DRG.replace('<decision id="dish" name="Dish">',
                                           '<decision id="dish" name="Dish"><description>x</description>')
                               .replace('<decisionTable id="DecisionTable_dish" hitPolicy="UNIQUE">',
                                        '<decisionTableX id="DecisionTable_dish">')
                               .replace("</decisionTable>\n  </decision>\n  <inputData",
                                        "</decisionTableX>\n  </decision>\n  <inputData"), "dish", "neither"),
    "no decision": ('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
                    'namespace="x"><inputData id="i" name="i"/></definitions>', None, "no decision"),
    "broken XML": (DRG[:400], None, "dish_drg.dmn"),
}


@pytest.mark.parametrize("content, element, words", BROKEN.values(), ids=BROKEN.keys())
def test_a_malformed_dmn_is_a_400_naming_file_and_element(office, content, element, words):
    before = row_counts(office.engine)
    response = deploy(office, "dish_drg.dmn", content)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["type"] == "ParseException"
    assert "dish_drg.dmn" in body["message"] and words in body["message"]
    if element is not None:
        assert element in body["message"]
    assert row_counts(office.engine) == before
