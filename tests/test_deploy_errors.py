"""Every malformed or hostile model is refused with a message naming file, element and line; nothing is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import DeploymentError
from engine.persistence.models import Base
from tests.conftest import fixture_bytes

APPROVAL = fixture_bytes("approval.bpmn").decode()


def row_counts(engine) -> dict[str, int]:
    with engine.context.sessions() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def refused(engine, name: str, content: bytes | str) -> DeploymentError:
    before = row_counts(engine)
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(DeploymentError) as caught:
        engine.repository.deploy([(name, data)])
    assert row_counts(engine) == before, "a refused deployment wrote rows"
    return caught.value


def test_broken_xml(engine):
    err = refused(engine, "broken.bpmn", APPROVAL.replace("</bpmn:userTask>", "", 1))
    [problem] = err.problems
    assert problem.file == "broken.bpmn" and problem.line is not None
    assert "not well-formed XML" in problem.message


def test_missing_flow_target(engine):
    err = refused(engine, "missing.bpmn", APPROVAL.replace('targetRef="EndEvent_1"', 'targetRef="EndEvent_9"'))
    [problem] = err.problems
    assert problem.element_id == "Flow_2"
    assert "target 'EndEvent_9' does not exist in process 'approval'" in problem.message
    assert problem.line == APPROVAL.splitlines().index(
        '    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_review" targetRef="EndEvent_1" />') + 1
    assert "perhaps a form has the same ID" not in str(err)


def test_xxe_is_refused_and_not_read(engine, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = APPROVAL.replace('<?xml version="1.0" encoding="UTF-8"?>',
                           f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    xxe = xxe.replace('name="Bắt đầu"', 'name="&x;"')
    err = refused(engine, "xxe.bpmn", xxe)
    assert "DOCTYPE" in str(err) and "TOP SECRET" not in str(err)


def test_billion_laughs(engine):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>'
    err = refused(engine, "bomb.bpmn", bomb)
    assert "DOCTYPE" in str(err)


def test_twenty_megabytes(engine):
    padding = "<!--" + "x" * (20 * 1024 * 1024) + "-->"
    err = refused(engine, "huge.bpmn", APPROVAL.replace("<bpmn:process", padding + "<bpmn:process", 1))
    assert "limit is" in str(err)


@pytest.mark.parametrize("bad, expected", [
    ('camunda:dueDate="${reviewDue}"', "camunda:dueDate"),
])
def test_bad_due_date_expression(engine, bad, expected):
    err = refused(engine, "due.bpmn", APPROVAL.replace(bad, 'camunda:dueDate="${reviewDue &amp;&amp;}"'))
    [problem] = err.problems
    assert problem.element_id == "Task_review" and expected in problem.message and problem.line


def test_bad_condition_expression(engine):
    full = fixture_bytes("full_cycle.bpmn").decode().replace("ge 10 and", "ge 10 andd")
    before = row_counts(engine)
    with pytest.raises(DeploymentError) as caught:
        engine.repository.deploy([("full_cycle.bpmn", full.encode()), ("rules_check.dmn", fixture_bytes("rules_check.dmn"))])
    assert row_counts(engine) == before
    [problem] = caught.value.problems
    assert problem.element_id == "Flow_yes" and problem.file == "full_cycle.bpmn" and problem.line


def test_bad_timer_and_dmn_cell(engine):
    full = fixture_bytes("full_cycle.bpmn").decode().replace(">PT1S<", ">PT1X<")
    dmn = fixture_bytes("rules_check.dmn").decode().replace("[0..10[", "[0..10")
    before = row_counts(engine)
    with pytest.raises(DeploymentError) as caught:
        engine.repository.deploy([("full_cycle.bpmn", full.encode()), ("rules_check.dmn", dmn.encode())])
    assert row_counts(engine) == before
    located = {(p.file, p.element_id) for p in caught.value.problems}
    assert ("full_cycle.bpmn", "Timer_wait") in located
    assert ("rules_check.dmn", "In_years_years") in located


def test_other_refusals(engine):
    cases = {
        "dup.bpmn": APPROVAL.replace('id="Flow_2"', 'id="Flow_1"'),
        "reserved.bpmn": APPROVAL.replace("EndEvent_1", "End"),
        "java.bpmn": APPROVAL.replace('<bpmn:userTask id="Task_review"', '<bpmn:serviceTask id="S" '
                                      'camunda:class="org.Example" />\n<bpmn:userTask id="Task_review"'),
        "js.bpmn": APPROVAL.replace('<bpmn:userTask id="Task_review"', '<bpmn:scriptTask id="S" '
                                    'scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>\n'
                                    '<bpmn:userTask id="Task_review"'),
        "form.bpmn": APPROVAL.replace('type="long"', 'type="money"'),
        "notbpmn.bpmn": "<html><body>hello</body></html>",
        "empty.bpmn": "",
        "no_process.bpmn": APPROVAL.replace('isExecutable="true"', 'isExecutable="false"'),
        "notes.txt": "hello",
    }
    for name, content in cases.items():
        err = refused(engine, name, content)
        assert err.problems and all(p.file == name for p in err.problems), (name, str(err))


def test_call_to_unknown_process_and_decision(engine):
    full = fixture_bytes("full_cycle.bpmn")
    err = refused(engine, "full_cycle.bpmn", full)
    [problem] = err.problems
    assert "rules_check" in problem.message and "neither in this deployment nor deployed" in problem.message
    assert (problem.file, problem.element_id) == ("full_cycle.bpmn", "Rule_check") and problem.line


def test_camunda_names_are_not_document_ids(engine):
    """Two tasks may each have a form field `approved`, and a field a `multiline` property: Camunda
    names them within their owner. A BPMN element's id used twice is still refused."""
    xml = fixture_bytes("approval_v2.bpmn").decode()
    signed = xml.replace(
        '<bpmn:userTask id="Task_sign" name="Ký quyết định" camunda:candidateGroups="chief">',
        '<bpmn:userTask id="Task_sign" name="Ký quyết định" camunda:candidateGroups="chief">'
        '<bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="approved" label="Đồng ý" type="boolean">'
        '<camunda:properties><camunda:property id="multiline" value="true" /></camunda:properties>'
        '</camunda:formField>'
        '<camunda:formField id="comment" label="Ý kiến" type="string">'
        '<camunda:properties><camunda:property id="multiline" value="true" /></camunda:properties>'
        '</camunda:formField>'
        '</camunda:formData></bpmn:extensionElements>')
    assert signed != xml
    engine.repository.deploy([("approval_v2.bpmn", signed.encode())])
    twice = signed.replace('id="Flow_3"', 'id="Flow_2"')
    assert "id 'Flow_2' is used twice" in str(refused(engine, "twice.bpmn", twice))


def test_a_property_the_application_checks_is_judged_at_deployment(engine, handlers):
    """An application registers a check for a camunda:property it gives a meaning to; a wrong
    value refuses the file with the element and the line, a right one deploys."""
    handlers.register_property_check("colour", lambda value: None if value in ("red", "blue") else
                                     f"'{value}' is not a colour (red, blue)")
    with_colour = APPROVAL.replace('<camunda:property name="reminders" value="P7D,P3D,P1D" />',
                                   '<camunda:property name="reminders" value="P7D,P3D,P1D" />\n'
                                   '          <camunda:property name="colour" value="green" />')
    assert with_colour != APPROVAL
    [problem] = refused(engine, "colour.bpmn", with_colour).problems
    assert (problem.element_id, problem.message) == ("Task_review", "property 'colour': 'green' is not a colour (red, blue)")
    assert problem.line == with_colour.splitlines().index('          <camunda:property name="colour" value="green" />') + 1
    with pytest.raises(ValueError, match="already registered"):
        handlers.register_property_check("colour", lambda value: None)
    deployed = engine.repository.deploy([("colour.bpmn", with_colour.replace('"green"', '"blue"').encode())])
    assert [p.key for p in deployed.processes] == ["approval"]
