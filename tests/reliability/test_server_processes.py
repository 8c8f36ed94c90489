"""gunicorn with several workers, really: 50 people completing one task at once, a kill -9 in the
middle of a run of completions, and (PostgreSQL) the database gone for 30 seconds under load."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import select

from engine import EngineConfig, TaskQuery
from engine.persistence.models import HistoryEvent
from tests.reliability.servers import Gunicorn, TcpProxy, gunicorn
from web.composition import build_engine

TWO_STEPS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_two" targetNamespace="t">
  <bpmn:process id="two_steps" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_first" />
    <bpmn:userTask id="Task_first" name="Xem xet" camunda:candidateGroups="tchcqt">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_first" targetRef="Task_second" />
    <bpmn:userTask id="Task_second" name="Ky duyet" camunda:candidateGroups="tchcqt">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_second" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def seeded(database_url):
    """The model deployed, an officer with an API token; returns (token header, engine)."""
    engine = build_engine(EngineConfig(database_url=database_url))
    engine.repository.deploy([("two_steps.bpmn", TWO_STEPS)])
    engine.identity.ensure_group("tchcqt", "Phòng TCHCQT", "role")
    engine.identity.create_user("officer", "Phạm Thu Hà", groups=["tchcqt"])
    token = engine.identity.create_token("officer", "reliability")
    yield {"Authorization": f"Bearer {token}"}, engine
    engine.close()


def server_log_tracebacks(workdir) -> list[str]:
    logs = "".join(path.read_text(errors="replace") for path in workdir.glob("gunicorn-*.log"))
    return [chunk[:3000] for chunk in logs.split("Traceback (most recent call last):")[1:]]


def open_task(engine, instance_id: str):
    [task] = engine.tasks.list(TaskQuery(instance_id=instance_id))
    return task


def test_fifty_concurrent_completions_of_one_task_give_one_success(seeded, database_url, tmp_path):
    auth, engine = seeded
    instance = engine.runtime.start_process_by_key("two_steps", {})
    task = open_task(engine, instance.id)
    with gunicorn(database_url, tmp_path, workers=4) as server:
        barrier = threading.Barrier(50)

        def complete(_):
            barrier.wait()
            return requests.post(f"{server.url}/engine-rest/task/{task.id}/complete", headers=auth,
                                 json={"variables": {}}, timeout=60)

        with ThreadPoolExecutor(50) as pool:
            responses = list(pool.map(complete, range(50)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [204] + [409] * 49, statuses
        conflicts = [r.json() for r in responses if r.status_code == 409]
        assert {c["type"] for c in conflicts} == {"OptimisticLockingException"}
        assert all(task.id in c["message"] for c in conflicts), {c["message"] for c in conflicts}

        # The instance is intact: one completion in its history, the next task open and workable.
        completions = engine.history.events(instance_id=instance.id, event_types=["complete"])
        assert [e.task_id for e in completions] == [task.id]
        second = open_task(engine, instance.id)
        assert second.element_id == "Task_second"
        done = requests.post(f"{server.url}/engine-rest/task/{second.id}/complete", headers=auth, json={}, timeout=30)
        assert done.status_code == 204
        assert engine.runtime.get_instance(instance.id).status == "completed"


def test_kill_minus_nine_in_a_run_of_completions_loses_nothing_acknowledged(seeded, database_url, tmp_path):
    auth, engine = seeded
    instances = [engine.runtime.start_process_by_key("two_steps", {}).id for _ in range(60)]
    tasks = {instance_id: open_task(engine, instance_id).id for instance_id in instances}
    acknowledged: list[str] = []
    running = Gunicorn(database_url, tmp_path, workers=3).start()
    stop = threading.Event()

    def complete_all(worker: int):
        for instance_id in instances[worker::3]:
            if stop.is_set():
                return
            try:
                response = requests.post(f"{running.url}/engine-rest/task/{tasks[instance_id]}/complete",
                                         headers=auth, json={}, timeout=30)
            except requests.RequestException:
                return  # the server died under this request: not acknowledged
            if response.status_code == 204:
                acknowledged.append(tasks[instance_id])

    clients = [threading.Thread(target=complete_all, args=(i,)) for i in range(3)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 15 and time.monotonic() < deadline:
        time.sleep(0.01)
    running.kill_hard()
    stop.set()
    for client in clients:
        client.join()
    assert 15 <= len(acknowledged) < 60

    with gunicorn(database_url, tmp_path, workers=2) as restarted:
        with engine.context.db.connect() as conn:
            completed = set(conn.scalars(select(HistoryEvent.task_id).where(HistoryEvent.event_type == "complete")))
        assert set(acknowledged) <= completed
        # Every instance loads, and is exactly at one step or the other: never half-way.
        for instance_id in instances:
            response = requests.get(f"{restarted.url}/engine-rest/process-instance/{instance_id}/variables",
                                    headers=auth, timeout=30)
            assert response.status_code == 200
            [open_now] = engine.tasks.list(TaskQuery(instance_id=instance_id))
            assert open_now.element_id == ("Task_second" if tasks[instance_id] in completed else "Task_first")
        # And the work goes on after the crash.
        rest = [i for i in instances if tasks[i] not in completed][0]
        again = requests.post(f"{restarted.url}/engine-rest/task/{tasks[rest]}/complete", headers=auth,
                              json={}, timeout=30)
        assert again.status_code == 204


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_database_gone_for_thirty_seconds_gives_503s_and_the_service_recovers(seeded, database_url, tmp_path):
    auth, engine = seeded
    instances = [engine.runtime.start_process_by_key("two_steps", {}).id for _ in range(40)]
    url = urlsplit(database_url)
    proxy = TcpProxy(url.hostname, url.port or 5432)
    proxy.up()
    through_proxy = urlunsplit(url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}"))
    results: list[tuple[float, str, int, dict | None]] = []
    phase = {"name": "before"}
    stop = threading.Event()

    def load(server_url: str, worker: int):
        mine = instances[worker::4]
        while not stop.is_set():
            for instance_id in mine:
                if stop.is_set():
                    return
                started = time.monotonic()
                try:
                    task = requests.get(f"{server_url}/engine-rest/task", params={"processInstanceId": instance_id},
                                        headers=auth, timeout=30)
                    if task.status_code == 200 and task.json():
                        response = requests.post(f"{server_url}/engine-rest/task/{task.json()[0]['id']}/complete",
                                                 headers=auth, json={}, timeout=30)
                    else:
                        response = task
                except requests.RequestException as err:
                    results.append((time.monotonic() - started, phase["name"], 0, {"message": str(err)}))
                    continue
                body = response.json() if response.content else None
                results.append((time.monotonic() - started, phase["name"], response.status_code, body))
                time.sleep(0.05)

    with closing(proxy), gunicorn(through_proxy, tmp_path, workers=3) as server:
        clients = [threading.Thread(target=load, args=(server.url, i)) for i in range(4)]
        for client in clients:
            client.start()
        time.sleep(3)
        phase["name"] = "down"
        proxy.cut()
        time.sleep(30)
        proxy.up()
        phase["name"] = "after"
        time.sleep(8)
        stop.set()
        for client in clients:
            client.join()

    down = [r for r in results if r[1] == "down"]
    assert down, "no request was made while the database was down"
    others = [(status, body) for _, _, status, body in down if status not in (503, 200, 204)]
    # 2xx only for answers already under way; anything else names itself and the server's traceback.
    assert not others, (others, server_log_tracebacks(tmp_path))
    unavailable = [r for r in down if r[2] == 503]
    assert len(unavailable) >= 10
    assert all(body["type"] == "ProcessEngineException" and "database is not reachable" in body["message"]
               for _, _, _, body in unavailable)
    assert max(seconds for seconds, *_ in unavailable) < 15  # a clear answer, not a hang
    after = [r for r in results if r[1] == "after"]
    assert after and after[-1][2] in (200, 204)
    assert all(status in (200, 204, 409) for _, _, status, _ in after[len(after) // 2:])
    # Nothing is corrupt: every instance loads and sits at a step its history explains.
    for instance_id in instances:
        completions = engine.history.events(instance_id=instance_id, event_types=["complete"])
        instance = engine.runtime.get_instance(instance_id)
        assert instance.status in ("active", "completed")
        open_now = engine.tasks.list(TaskQuery(instance_id=instance_id))
        expected = {0: ["Task_first"], 1: ["Task_second"], 2: []}[len(completions)]
        assert [t.element_id for t in open_now] == expected
