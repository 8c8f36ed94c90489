"""Process instance modification (`POST /process-instance/{id}/modification`), against Camunda 7's
REST reference: an operator moves a unit's instance back to an earlier step, or forward.

pycamunda's processinst.Modify drives the moves over a live socket; the refusals go over the
Flask test client with every table counted before and after. Every test runs on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import pycamunda.processinst
import pytest
import requests

from engine import TaskQuery
from engine.history import event_data
from tests.conftest import fixture_bytes
from tests.rest.test_real_clients import as_user, basic
from tests.rest.test_refusals import refused
from tests.rest.test_suspension_api import ADMIN, admin, call, unit_instance  # noqa: F401 (fixture)
from tests.test_task_checks import checked_model

R = "/engine-rest"


def open_tasks(office, instance_id: str) -> list:
    return office.engine.tasks.list(TaskQuery(instance_id=instance_id))


def at_review(office):
    """The unit's instance after its first step: the review waits."""
    instance, prepare = unit_instance(office)
    office.engine.tasks.complete(prepare.id, {}, actor="head_a")
    [review] = open_tasks(office, instance.id)
    return instance, review


def modify(live_server: str, instance_id: str, *instructions: tuple[str, str], annotation: str | None = None):
    request = pycamunda.processinst.Modify(url=live_server, id_=instance_id, annotation=annotation)
    add = {"cancel": request.add_cancel_activity_instruction,
           "before": request.add_before_activity_instruction,
           "after": request.add_after_activity_instruction}
    for kind, activity in instructions:
        add[kind](activity)
    return as_user(request, ADMIN)()


def test_an_operator_moves_a_unit_back_to_an_earlier_step(office, admin, live_server):
    instance, review = at_review(office)
    assert office.engine.runtime.get_variables(instance.id)["submissions"] == 1
    assert modify(live_server, instance.id, ("cancel", "Task_review"), ("before", "Task_prepare"),
                  annotation="Hồ sơ thiếu bảng tổng hợp, lập lại") is None  # 204

    [prepare] = open_tasks(office, instance.id)
    assert prepare.element_id == "Task_prepare" and prepare.candidate_groups == ("unit:tong_hop",)
    assert office.engine.tasks.completion(prepare.id) is None  # a new task, not the run completed before
    assert call(office, "get", f"/task/{review.id}", "head_a").status_code == 404
    [event] = office.engine.history.events(instance_id=instance.id, event_types=["modification"])
    assert event.actor == ADMIN and event_data(event) == {
        "instructions": [{"type": "cancel", "activityId": "Task_review"},
                         {"type": "startBeforeActivity", "activityId": "Task_prepare"}],
        "annotation": "Hồ sơ thiếu bảng tổng hợp, lập lại", "skipCustomListeners": False, "skipIoMappings": False}
    cancelled = office.engine.history.events(instance_id=instance.id, event_types=["task_cancelled"])
    assert [(e.task_id, e.actor) for e in cancelled] == [(review.id, ADMIN)]

    # The step runs again from there: the script after it counts a second submission.
    assert call(office, "post", f"/task/{prepare.id}/complete", "head_a", json={}).status_code == 204
    assert [t.element_id for t in open_tasks(office, instance.id)] == ["Task_review"]
    assert office.engine.runtime.get_variables(instance.id)["submissions"] == 2


def test_moving_forward_skips_the_steps_between(office, admin, live_server):
    instance, prepare = unit_instance(office)
    modify(live_server, instance.id, ("cancel", "Task_prepare"), ("before", "Task_review"))
    [review] = open_tasks(office, instance.id)
    assert review.element_id == "Task_review"
    # The script between was skipped, not run.
    assert office.engine.runtime.get_variables(instance.id)["submissions"] == 0
    office.engine.tasks.complete(review.id, {}, actor="head_a")
    assert office.engine.runtime.get_instance(instance.id).next_timer_at is not None  # the timer after it waits


def test_start_after_an_activity_and_the_same_step_again(office, admin, live_server):
    instance, review = at_review(office)
    modify(live_server, instance.id, ("cancel", "Task_review"), ("after", "Task_prepare"))
    # After the first step comes the script again, then the review: a second submission.
    [again] = open_tasks(office, instance.id)
    assert again.element_id == "Task_review" and again.id != review.id
    assert office.engine.runtime.get_variables(instance.id)["submissions"] == 2
    modify(live_server, instance.id, ("cancel", "Task_review"), ("before", "Task_review"))
    [third] = open_tasks(office, instance.id)
    assert third.element_id == "Task_review" and third.id not in (review.id, again.id)


def test_the_engine_method_for_a_portal_page(office, admin):
    instance, review = at_review(office)
    office.engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Task_review"},
                                                        {"type": "startBeforeActivity", "activityId": "Task_prepare"}],
                                          actor=ADMIN, annotation="về bước 1")
    assert [t.element_id for t in open_tasks(office, instance.id)] == ["Task_prepare"]


@pytest.mark.parametrize("body, message", [
    ({"instructions": [{"type": "startBeforeActivity", "activityId": "Task_khong_co"}]},
     "Cannot perform instruction: Start before activity 'Task_khong_co'; element 'Task_khong_co' does not exist "
     "in process definition"),
    ({"instructions": [{"type": "startTransition", "transitionId": "Flow_1"}]},
     "instruction 1: type 'startTransition' is not supported"),
    ({"instructions": [{"type": "cancel", "activityInstanceId": "Task_review:1"}]},
     "instruction 1 (cancel): activityInstanceId is not supported"),
    ({"instructions": [{"type": "cancel"}]}, "For instruction type 'cancel': 'activityId' is required"),
    ({"instructions": [{"type": {}, "activityId": "Task_review"}]}, "instruction 1: type {} is not supported"),
    ({"instructions": []}, "'instructions' must be a non-empty list"),
    ({}, "'instructions' must be a non-empty list"),
    ({"instructions": [{"type": "cancel", "activityId": "Task_prepare"}]},
     "Cannot perform instruction: Cancel all instances of activity 'Task_prepare'; the instance has no active "
     "instance of it"),
    ({"instructions": [{"type": "startBeforeActivity", "activityId": "Task_prepare"}]},
     "would also end the active activity 'Task_review'"),
    ({"instructions": [{"type": "cancel", "activityId": "Task_review"}]},
     "cancelling every active activity would end the instance"),
    ({"instructions": [{"type": "startAfterActivity", "activityId": "Task_approve"}]},
     "Cannot perform instruction: Start after activity 'Task_approve'; the instance has not reached it"),
    ({"instructions": [{"type": "cancel", "activityId": "Task_review"}], "skipIoMappings": "yes"},
     "'skipIoMappings' must be true or false"),
    ({"instructions": [{"type": "cancel", "activityId": "Task_review"}], "processInstanceIds": ["x"]},
     "processInstanceIds is not supported here"),
], ids=["unknown-activity", "transition", "activity-instance", "no-activity", "type-not-text", "empty",
        "no-instructions",
        "cancel-inactive", "second-token", "cancel-everything", "after-unreached", "skip-not-boolean",
        "unknown-field"])
def test_what_cannot_be_done_is_400_and_changes_nothing(office, admin, body, message):
    instance, review = at_review(office)
    revision = office.engine.runtime.get_instance(instance.id).revision
    answer = refused(office, "post", f"{R}/process-instance/{instance.id}/modification", ADMIN, 400,
                     "InvalidRequestException", json=body)
    assert message in answer["message"]
    assert office.engine.runtime.get_instance(instance.id).revision == revision
    assert [t.id for t in open_tasks(office, instance.id)] == [review.id]


def test_who_may_and_which_instances(office, admin):
    instance, _ = at_review(office)
    back = {"instructions": [{"type": "cancel", "activityId": "Task_review"},
                             {"type": "startBeforeActivity", "activityId": "Task_prepare"}]}
    url = f"{R}/process-instance/{instance.id}/modification"
    assert "only administrators" in refused(office, "post", url, "officer", 403, "AuthorizationException",
                                            json=back)["message"]
    refused(office, "post", url, "head_a", 403, "AuthorizationException", json=back)
    refused(office, "post", url, "staff_b", 404, "InvalidRequestException", json=back)
    refused(office, "post", f"{R}/process-instance/khong-co/modification", ADMIN, 404, "InvalidRequestException",
            json=back)
    office.engine.runtime.suspend_instance(instance.id, actor=ADMIN)
    refused(office, "post", url, ADMIN, 400, "SuspendedEntityInteractionException", json=back)


def test_an_ended_instance_is_404(office, admin):
    office.engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    ended = office.engine.runtime.start_process_by_key("units_multi", {"units": []})
    body = refused(office, "post", f"{R}/process-instance/{ended.id}/modification", ADMIN, 404,
                   "InvalidRequestException",
                   json={"instructions": [{"type": "startBeforeActivity", "activityId": "Task_unit"}]})
    assert "has ended" in body["message"]


def test_a_modification_while_a_completion_is_under_way_makes_the_completion_409(office, admin, handlers,
                                                                                 live_server):
    def admin_moves_it(ctx):
        # Inside the completion's transaction, after it read the instance: a real second request.
        answer = requests.post(f"{live_server}/process-instance/{ctx.instance_id}/modification", json={
            "instructions": [{"type": "cancel", "activityId": "Task_enter"},
                             {"type": "startBeforeActivity", "activityId": "Task_enter"}]},
            auth=basic(ADMIN), timeout=10)
        assert answer.status_code == 204, answer.text

    handlers.register_check("admin_moves_it", admin_moves_it)
    office.engine.repository.deploy([("checked.bpmn", checked_model("admin_moves_it", "", "tchcqt"))])
    instance = office.engine.runtime.start_process_by_key("checked", {"limit": 1})
    [task] = open_tasks(office, instance.id)
    response = call(office, "post", f"/task/{task.id}/complete", "officer", json={})
    assert response.status_code == 409 and response.get_json()["type"] == "OptimisticLockingException"
    [moved] = open_tasks(office, instance.id)
    assert moved.element_id == "Task_enter" and moved.id != task.id
    assert office.engine.history.events(instance_id=instance.id, event_types=["complete"]) == []
