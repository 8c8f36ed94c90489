"""Real data for the authorization matrix: two units, each with an instance, a task and a file.

"own" is the unit of the staff member and the unit head who play the unit roles (tong_hop);
"other" is a unit none of the unit roles belongs to (kinh_te). Actions that change what they act
on (claim, complete, delete) get a fresh object for every request, so one role's success cannot
turn into the next role's 404.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count

from engine import TaskQuery
from engine.persistence.models_mail import OutboxMail
from tests.conftest import fixture_bytes
from tests.portal.conftest import PASSWORD, UNIT_A, UNIT_B

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
# Who plays each role: people of tests/portal/conftest.py's office.
USERS = {"staff": "lan", "head": "head_a", "tchcqt": "officer", "council": "council", "chief": "chief",
         "designer": "designer", "admin": "admin"}
SIGNED_IN = tuple(USERS)
# The two tokens belong to the unit head, who may do much with a valid one.
NOT_SIGNED_IN = ("anonymous", "expired", "revoked")
ROLES = SIGNED_IN + NOT_SIGNED_IN
UNITS = {"own": UNIT_A, "other": UNIT_B}

EXTERNAL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_matrix" targetNamespace="t">
  <bpmn:process id="matrix_external" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Send" />
    <bpmn:serviceTask id="Send" camunda:type="external" camunda:topic="matrix">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Send" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
# A script that fails on every run: each instance stops in a failedJob incident at once.
FAILING_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D_failing" targetNamespace="t">
  <bpmn:process id="matrix_failing" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent_1" targetRef="Compute" />
    <bpmn:scriptTask id="Compute" scriptFormat="python">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:script>total = missing_value + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Compute" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
STAFF_CSV = ("Mã cán bộ,Họ và tên,Đơn vị,Ngày bắt đầu công tác tại Văn phòng\r\n"
             "lan,Nguyễn Thị Lan,tong_hop,01/09/2012\r\n").encode()


@dataclass
class Seed:
    portal: object
    instance: dict[str, str]
    task: dict[str, str]
    attachment: dict[str, str]
    definition_id: str
    deployment_id: str
    mail_id: int
    tokens: dict[str, str]
    document: dict[str, int] = field(default_factory=dict)
    guidance_task: str = ""
    batch: str = ""  # a finished batch of the unit head's
    serial: count = field(default_factory=lambda: count(1))

    @property
    def engine(self):
        return self.portal.engine

    @property
    def campaign_id(self) -> str:
        return self.portal.campaign_id

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.serial)}"

    def fresh_instance(self, unit: str) -> str:
        """An instance of `unit` whose one task is offered to the unit's group."""
        code = UNITS[unit]
        return self.engine.runtime.start_process_by_key(
            "units_multi", {"units": [f"unit:{code}"], "unit": code}, actor="chief").id

    def fresh_task(self, unit: str, claimed_by: str | None = None) -> str:
        [task] = self.engine.tasks.list(TaskQuery(instance_id=self.fresh_instance(unit)))
        if claimed_by:
            self.engine.tasks.claim(task.id, claimed_by)
        return task.id

    def fresh_deployment(self) -> str:
        key = self.unique("matrix_delete_")
        xml = EXTERNAL_BPMN.replace(b"matrix_external", key.encode())
        return self.engine.repository.deploy([(f"{key}.bpmn", xml)]).deployment.id

    def fresh_external_task(self) -> str:
        """An external task locked by worker "w", as a worker would hold it before completing it."""
        from engine.runtime.external_tasks import TopicRequest
        self.engine.runtime.start_process_by_key("matrix_external", {}, actor="chief")
        [locked] = self.engine.external_tasks.fetch_and_lock("w", 1, [TopicRequest("matrix", 60_000, None, None)])
        return locked.task.id

    def fresh_incident(self):
        """The failedJob incident of a new instance whose script fails."""
        from engine.runtime import IncidentQuery
        self.engine.repository.deploy([("matrix_failing.bpmn", FAILING_BPMN)])  # unchanged after the first
        instance = self.engine.runtime.start_process_by_key("matrix_failing", {}, actor="chief")
        [incident] = self.engine.runtime.list_incidents(IncidentQuery(instance_id=instance.id))
        return incident

    def fresh_failed_external_task(self) -> str:
        """An external task a worker gave up on (no retries left): its instance has an incident."""
        task_id = self.fresh_external_task()
        self.engine.external_tasks.handle_failure(task_id, "w", "SMTP down", retries=0)
        return task_id


def build_seed(portal) -> Seed:
    engine = portal.engine
    engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn")),
                              ("matrix_external.bpmn", EXTERNAL_BPMN),
                              ("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = {side: portal.units[code] for side, code in UNITS.items()}
    task = {side: portal.task("Task_deploy_plan", code).id for side, code in UNITS.items()}
    attachment = {side: engine.attachments.add(instance[side], f"Kế hoạch {code}.pdf", PDF, task_id=task[side],
                                               actor="chief").id
                  for side, code in UNITS.items()}
    campaign = engine.runtime.get_instance(portal.campaign_id)
    deployment_id = engine.repository.get_definition(campaign.definition_id).deployment_id
    tokens = {role: engine.identity.create_token(user, f"matrix {role}") for role, user in USERS.items()}
    now = portal.clock.now
    tokens["expired"] = engine.identity.create_token("head_a", "matrix expired", expires_at=now - timedelta(hours=1))
    tokens["revoked"] = engine.identity.create_token("head_a", "matrix revoked")
    revoked = next(t for t in engine.identity.list_tokens("head_a") if t.name == "matrix revoked")
    engine.identity.revoke_token(revoked.id)
    with engine.context.sessions.begin() as session:
        mail = OutboxMail(task_id=task["own"], instance_id=instance["own"], kind="due", remind_at=now,
                          recipient="head_a", email="head_a@example.org", payload_json=json.dumps({}),
                          status="failed", attempts=8, next_attempt_at=now, created_at=now)
        session.add(mail)
        session.flush()
        mail_id = mail.id
    batch = engine.batches.submit("deployment", "Triển khai 4 tệp mô hình", lambda progress: {
        "ok": True, "deployed": [], "unchanged": ["approval"]}, owner=USERS["head"], total=9)
    return Seed(portal, instance, task, attachment, campaign.definition_id, deployment_id, mail_id, tokens,
                document=_issued_documents(portal, instance), guidance_task=portal.task("Task_guidance").id,
                batch=engine.batches.wait(batch.id, 30).id)


def _issued_documents(portal, instance: dict[str, str]) -> dict[str, int]:
    """Documents as the campaign's steps issue them: each unit's tờ trình, the council's minutes
    (not public) and the guidance (public in the Office)."""
    from workflows.documents.kinds import sample_context
    from workflows.documents.store import DocumentStore, NewDocument
    now = portal.clock.now
    wanted = {"own": ("unit_proposal", instance["own"]), "other": ("unit_proposal", instance["other"]),
              "minutes": ("council_minutes", portal.campaign_id), "guidance": ("guidance", portal.campaign_id)}
    news = [NewDocument(reference=f"matrix:{name}", campaign_instance_id=portal.campaign_id, instance_id=instance_id,
                        business_key=None, element_id=f"Issue_{kind}", step_name=f"Ban hành {kind}", issue=1,
                        kind=kind, nominee_id=None, title=kind, number=f"0{i}/X-VPUB", register_kind="X-VPUB",
                        issued_on=now.date(), issued_at=now, template_version=0, context=sample_context(kind),
                        list_source=None)
            for i, (name, (kind, instance_id)) in enumerate(wanted.items(), start=1)]
    recorded = DocumentStore(portal.engine.context.db).record(news)
    return {name: doc.id for name, doc in zip(wanted, recorded)}


__all__ = ["PASSWORD", "PDF", "ROLES", "SIGNED_IN", "NOT_SIGNED_IN", "STAFF_CSV", "USERS", "Seed", "build_seed"]
