"""Bad input over /engine-rest: each case is refused with Camunda's `{type, message}` in English.

A case names who sends it, what, the status and type expected, words the message must contain
(what was wrong, so the caller can fix it) and words it must not (a secret a payload tried to read).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

from tests.reliability.bad_input_support import (
    APPROVAL, BROKEN_XML, JAVA, MB, NOT_BPMN, billion_laughs, padded, plain_dtd, script_task, xxe,
)

PARSE = "ParseException"
INVALID = "InvalidRequestException"
FORM = "FormFieldValidationException"


@dataclass(frozen=True)
class RestCase:
    name: str
    user: str
    build: Callable  # office -> (method, url, request keyword arguments)
    status: int
    type: str
    says: tuple[str, ...]
    never_says: tuple[str, ...] = field(default=())


def deploy(filename: str, content):
    def build(office):
        data = content(office) if callable(content) else content
        raw = data.encode() if isinstance(data, str) else data
        return "POST", "/engine-rest/deployment/create", {
            "content_type": "multipart/form-data",
            "data": {"deployment-name": "bad input", filename: (io.BytesIO(raw), filename)}}
    return build


def start(variables: dict | None = None, *, key: str = "approval", **body):
    def build(office):
        payload = {"variables": variables, **body} if variables is not None else body
        return "POST", f"/engine-rest/process-definition/key/{key}/start", {"json": payload}
    return build


def complete(variables: dict, task: str = "approval_task"):
    def build(office):
        return "POST", f"/engine-rest/task/{getattr(office, task)}/complete", {"json": {"variables": variables}}
    return build


def request(method: str, url: str, **kwargs):
    # A copy each time: the runner takes the form data out of what it is given.
    return lambda office: (method, url, {k: dict(v) if isinstance(v, dict) else v for k, v in kwargs.items()})


def change(method: str, path: str, body):
    """A request on the variables of the campaign instance ({i}) or of the approval task ({t})."""
    def build(office):
        return method, "/engine-rest" + path.format(i=office.portal.campaign_id, t=office.approval_task), {"json": body}
    return build


def typed(value, type_: str) -> dict:
    return {"value": value, "type": type_}


DUE = {"reviewDue": typed("2025-08-08", "String")}
CASES = [
    # -- models ------------------------------------------------------------------------------
    RestCase("broken XML", "designer", deploy("broken.bpmn", BROKEN_XML), 400, PARSE,
             ("broken.bpmn", "not well-formed XML", "line")),
    RestCase("XXE", "designer", deploy("xxe.bpmn", lambda office: xxe(office.secret)), 400, PARSE,
             ("xxe.bpmn", "DOCTYPE"), ("TOP SECRET",)),
    RestCase("billion laughs", "designer", deploy("bomb.bpmn", billion_laughs()), 400, PARSE, ("DOCTYPE",)),
    RestCase("DTD without entities", "designer", deploy("dtd.bpmn", plain_dtd()), 400, PARSE, ("DOCTYPE",)),
    RestCase("50 MB model", "designer", deploy("huge.bpmn", padded(50 * MB)), 413, "RestException",
             ("larger than", "MB")),
    RestCase("XML that is not BPMN", "designer", deploy("page.bpmn", NOT_BPMN), 400, PARSE,
             ("page.bpmn", "not a BPMN 2.0 or DMN document")),
    RestCase("empty file", "designer", deploy("empty.bpmn", b""), 400, PARSE, ("empty.bpmn",)),
    RestCase("not a model file", "designer", deploy("notes.txt", "ghi chú"), 400, PARSE, ("notes.txt",)),
    RestCase("no file at all", "designer", request("POST", "/engine-rest/deployment/create",
                                                   content_type="multipart/form-data", data={"deployment-name": "x"}),
             400, INVALID, ("at least one file",)),
    RestCase("JavaScript script", "designer", deploy("js.bpmn", script_task("x = 1", "javascript")), 400, PARSE,
             ("Script_x", "javascript", "Python")),
    RestCase("Groovy script", "designer", deploy("groovy.bpmn", script_task("x = 1", "groovy")), 400, PARSE,
             ("Script_x", "groovy", "Python")),
    RestCase("Java delegate", "designer", deploy("java.bpmn", JAVA), 400, PARSE, ("camunda:class",)),
    RestCase("script walking __class__.__bases__", "designer",
             deploy("escape.bpmn", script_task("x = ().__class__.__bases__[0].__subclasses__()")), 400, PARSE,
             ("Script_x", "__class__")),
    RestCase("script reading __builtins__", "designer", deploy("builtins.bpmn", script_task("b = __builtins__")),
             400, PARSE, ("Script_x", "__builtins__")),
    RestCase("script importing os", "designer", deploy("import.bpmn", script_task("import os\nos.getcwd()")), 400,
             PARSE, ("Script_x", "import")),
    RestCase("Python condition reaching __globals__", "designer", deploy("condition.bpmn", APPROVAL.replace(
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_review" targetRef="EndEvent_1" />',
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_review" targetRef="EndEvent_1">'
        '<bpmn:conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:type="bpmn:tFormalExpression" language="python">len.__globals__ is None</bpmn:conditionExpression>'
        '</bpmn:sequenceFlow>')), 400, PARSE, ("Flow_2", "__globals__")),
    RestCase("deployed by a unit head", "head_a", deploy("approval.bpmn", APPROVAL), 403, "AuthorizationException",
             ("only designers deploy",)),
    # -- starting ----------------------------------------------------------------------------
    RestCase("text for an Integer", "designer", start({"reviewDue": typed("ngày mai", "Integer")}), 400, INVALID,
             ("reviewDue",)),
    RestCase("Integer past 32 bits", "designer", start({**DUE, "n": typed(2 ** 31, "Integer")}), 400, INVALID,
             ("n",)),
    RestCase("Long past 64 bits", "designer", start({**DUE, "n": typed(10 ** 30, "Long")}), 400, INVALID, ("n",)),
    RestCase("a number of 5,000 digits", "designer",
             lambda office: ("POST", "/engine-rest/process-definition/key/approval/start", {
                 "data": '{"variables": {"n": {"value": ' + "9" * 5000 + ', "type": "Long"}}}',
                 "content_type": "application/json"}), 400, INVALID, ()),
    RestCase("NaN as a Double", "designer",
             lambda office: ("POST", "/engine-rest/process-definition/key/approval/start", {
                 "data": '{"variables": {"x": {"value": NaN, "type": "Double"}}}',
                 "content_type": "application/json"}), 400, INVALID, ("x",)),
    RestCase("30 February", "designer", start({**DUE, "d": typed("2025-02-30T00:00:00.000+0700", "Date")}), 400,
             INVALID, ("d",)),
    RestCase("a date that is not a date", "designer", start({**DUE, "d": typed("ngày 30 tháng 2", "Date")}), 400,
             INVALID, ("d",)),
    RestCase("unknown variable type", "designer", start({**DUE, "x": typed(1, "Bytes")}), 400, INVALID, ("Bytes",)),
    RestCase("body that is not JSON", "designer", request("POST", "/engine-rest/process-definition/key/approval/start",
                                                          data="not json", content_type="application/json"),
             400, INVALID, ("JSON",)),
    RestCase("business key of 256 characters", "designer", start(DUE, businessKey="x" * 256), 400, INVALID,
             ("businessKey",)),
    RestCase("NUL in a string variable", "designer", start({**DUE, "note": typed("a\u0000b", "String")}), 400,
             INVALID, ("NUL",)),
    RestCase("unknown process key", "designer", start(DUE, key="khong-co"), 404, INVALID, ("khong-co",)),
    RestCase("unknown definition id", "designer", request("POST", "/engine-rest/process-definition/khong-co:1:x/start",
                                                          json={}), 404, INVALID, ("khong-co:1:x",)),
    # -- completing --------------------------------------------------------------------------
    RestCase("score above its max", "officer", complete({"score": typed(500, "Integer")}), 400, FORM, ("score",)),
    RestCase("text for a long field", "officer", complete({"score": typed("tám", "String")}), 400, FORM, ("score",)),
    RestCase("huge number for a long field", "officer", complete({"score": typed(10 ** 30, "Long")}), 400, INVALID,
             ("score",)),
    RestCase("comment over its maxlength", "officer",
             complete({"score": typed(80, "Integer"), "comment": typed("x" * 201, "String")}), 400, FORM,
             ("comment",)),
    RestCase("required field missing", "officer", complete({"approved": typed(True, "Boolean")}), 400, FORM,
             ("score",)),
    RestCase("invalid date in a date field", "head_a",
             complete({"deployedOn": typed("2025-13-45", "String")}, task="deploy_task"), 400, FORM, ("deployedOn",)),
    RestCase("unknown task", "officer", request("POST", "/engine-rest/task/khong-co/complete", json={}), 404, INVALID,
             ("khong-co",)),
    # -- changing variables ------------------------------------------------------------------
    RestCase("modified variable of the wrong type", "officer",
             change("POST", "/process-instance/{i}/variables", {"modifications": {"x": typed("ba", "Integer")}}),
             400, INVALID, ("Cannot modify variables for process instance", "'x'")),
    RestCase("NUL in a put variable", "officer",
             change("PUT", "/process-instance/{i}/variables/note", typed("a\u0000b", "String")), 400, INVALID,
             ("NUL",)),
    RestCase("reserved variable name put", "officer",
             change("PUT", "/process-instance/{i}/variables/_secret", typed(1, "Integer")), 400, INVALID,
             ("_secret", "reserved")),
    RestCase("deletions that are not a list", "officer",
             change("POST", "/task/{t}/variables", {"deletions": "note"}), 400, INVALID, ("deletions",)),
    RestCase("variables of an unknown instance", "officer",
             request("POST", "/engine-rest/process-instance/khong-co/variables", json={"modifications": {}}), 404,
             INVALID, ("khong-co",)),
    # -- reading and deleting what does not exist --------------------------------------------
    RestCase("unknown instance", "officer", request("GET", "/engine-rest/process-instance/khong-co"), 404, INVALID,
             ("khong-co",)),
    RestCase("unknown deployment deleted", "designer", request("DELETE", "/engine-rest/deployment/khong-co"), 404,
             INVALID, ("khong-co",)),
    RestCase("unknown definition's XML", "designer",
             request("GET", "/engine-rest/process-definition/khong-co:1:x/xml"), 404, INVALID, ("khong-co:1:x",)),
    RestCase("dueBefore that is not a date", "officer", request("GET", "/engine-rest/task?dueBefore=ngay-mai"), 400,
             INVALID, ("dueBefore",)),
    RestCase("negative maxResults", "officer", request("GET", "/engine-rest/task?maxResults=-1"), 400, INVALID,
             ("maxResults",)),
    RestCase("script limits out of range", "admin",
             lambda office: ("PUT", f"/engine-rest/deployment/{office.deployment_id}/script-limits",
                             {"json": {"cpuSeconds": 10 ** 6}}), 400, INVALID, ("cpuSeconds",)),
    # -- incidents and retries ---------------------------------------------------------------
    RestCase("unknown incident", "admin", request("GET", "/engine-rest/incident/khong-co"), 404, INVALID,
             ("khong-co",)),
    RestCase("incidents sorted by an unknown key", "admin", request("GET", "/engine-rest/incident?sortBy=mau"), 400,
             INVALID, ("sortBy", "mau")),
    RestCase("unknown job retried", "admin", request("PUT", "/engine-rest/job/khong-co/retries", json={"retries": 1}),
             404, INVALID, ("khong-co",)),
    RestCase("negative external task retries", "admin",
             request("PUT", "/engine-rest/external-task/khong-co/retries", json={"retries": -1}), 400, INVALID,
             ("retries",)),
]
