"""The processes bench/province.py runs: the real campaign's start variables, and three small
models with the shape the issue counts (campaign -> one instance per unit -> one per nominee),
because the real unit_evaluation.bpmn meets its nominees only after the campaign period's timer."""
from __future__ import annotations

from pathlib import Path

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
REAL_MODELS = ("campaign.bpmn", "unit_evaluation.bpmn", "eligibility.dmn")
# The department that appraises every nominee's dossier: the big inbox of a province.
APPRAISING_GROUP = "tchcqt"

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
         'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
         'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_{key}" '
         'targetNamespace="http://bpmn.io/schema/bpmn">\n<bpmn:process id="{key}" isExecutable="true">\n')
_TAIL = "</bpmn:process>\n</bpmn:definitions>\n"


def _flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<bpmn:sequenceFlow id="Flow_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>\n' for a, b in pairs)


def _model(key: str, body: str) -> bytes:
    return (_HEAD.format(key=key) + body + _TAIL).encode()


def _user_task(element_id: str, name: str, due: str, group: str | None = None, assignee: str | None = None) -> str:
    who = f'camunda:candidateGroups="{group}"' if group else f'camunda:assignee="{assignee}"'
    return f'<bpmn:userTask id="{element_id}" name="{name}" {who} camunda:dueDate="${{{due}}}"/>\n'


def _call_each(element_id: str, name: str, called: str, collection: str, element: str,
               expressions: dict[str, str], copied: tuple[str, ...]) -> str:
    """A multi-instance call activity: one `called` instance per item of `collection`."""
    inputs = ['<camunda:in businessKey="#{execution.processBusinessKey}"/>']
    inputs += [f'<camunda:in sourceExpression="${{{source}}}" target="{target}"/>' for target, source in expressions.items()]
    inputs += [f'<camunda:in source="{variable}" target="{variable}"/>' for variable in copied]
    return (f'<bpmn:callActivity id="{element_id}" name="{name}" calledElement="{called}">\n'
            f'<bpmn:extensionElements>{"".join(inputs)}</bpmn:extensionElements>\n'
            f'<bpmn:multiInstanceLoopCharacteristics camunda:collection="{collection}" '
            f'camunda:elementVariable="{element}"/>\n</bpmn:callActivity>\n')


_SPLIT = '<bpmn:startEvent id="StartEvent_1"/><bpmn:parallelGateway id="Split"/>\n'
_JOIN = '<bpmn:parallelGateway id="Join"/><bpmn:endEvent id="EndEvent_1"/>\n'


def _parallel(*branches: str, after: str | None = None) -> str:
    """Start, the branches side by side, join, then `after` (an element id) if given, and end."""
    flows = [("StartEvent_1", "Split")] + [("Split", b) for b in branches] + [(b, "Join") for b in branches]
    flows += [("Join", after), (after, "EndEvent_1")] if after else [("Join", "EndEvent_1")]
    return _flows(*flows)


# Launch: the guidance task of TCHCQT beside one unit instance per unit (a multi-instance call).
BENCH_CAMPAIGN = _model("bench_campaign", _SPLIT + _JOIN
                        + _user_task("Task_guidance", "Hướng dẫn hồ sơ", "guidanceDate", group="tchcqt")
                        + _call_each("Call_units", "Đánh giá tại đơn vị", "bench_unit", "units", "unit", {
                            "unit": "unit.code", "unitName": "unit.name", "headGroup": "unit.headGroup",
                            "nominees": "unit.nominees"}, ("campaignName", "guidanceDate", "unitReportDate"))
                        + _parallel("Task_guidance", "Call_units"))

# A unit: its head deploys the plan while each nominee's dossier runs; then the head submits.
BENCH_UNIT = _model("bench_unit", _SPLIT + _JOIN
                    + _user_task("Task_deploy_plan", "Triển khai kế hoạch", "guidanceDate", group="${headGroup}")
                    + _call_each("Call_nominees", "Hồ sơ từng người", "bench_nominee", "nominees", "nominee",
                                 {"nominee": "nominee"}, ("unit", "unitName", "campaignName", "unitReportDate"))
                    + _user_task("Task_submit", "Trình danh sách đề nghị", "unitReportDate", group="${headGroup}")
                    + _parallel("Task_deploy_plan", "Call_nominees", after="Task_submit"))

# A nominee: writes the achievement report while TCHCQT appraises the dossier.
BENCH_NOMINEE = _model("bench_nominee", _SPLIT + _JOIN
                       + _user_task("Task_report", "Viết báo cáo thành tích", "unitReportDate", assignee="${nominee}")
                       + _user_task("Task_appraise", "Thẩm định hồ sơ", "unitReportDate", group="tchcqt")
                       + _parallel("Task_report", "Task_appraise"))

# One user task: the unit of work of the completion loop, and the carrier of bulk-loaded tasks.
BENCH_TASK = _model("bench_task", '<bpmn:startEvent id="StartEvent_1"/><bpmn:endEvent id="EndEvent_1"/>\n'
                    + _user_task("Task_review", "Xem xét", "due", group="tchcqt")
                    + _flows(("StartEvent_1", "Task_review"), ("Task_review", "EndEvent_1")))

BENCH_MODELS = [("bench_campaign.bpmn", BENCH_CAMPAIGN), ("bench_unit.bpmn", BENCH_UNIT),
                ("bench_nominee.bpmn", BENCH_NOMINEE), ("bench_task.bpmn", BENCH_TASK)]


def real_models() -> list[tuple[str, bytes]]:
    return [(name, (BPMN_DIR / name).read_bytes()) for name in REAL_MODELS]


def units(count: int, nominees: int = 0, tag: str = "") -> list[dict]:
    """`count` units, each with `nominees` people (user ids) when the model calls them."""
    found = []
    for i in range(count):
        code = f"{tag}u{i:04d}"
        unit = {"code": code, "name": f"Đơn vị {i + 1}", "headGroup": f"head:{code}"}
        if nominees:
            unit["nominees"] = [f"{code}_n{j:02d}" for j in range(nominees)]
        found.append(unit)
    return found


def campaign_variables(plan: str, unit_list: list[dict]) -> dict:
    """The real campaign.bpmn's start form and variables (as tests/portal/conftest.py starts it)."""
    return {
        "planNumber": plan, "planDate": "2025-06-05",
        "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
        "guidanceDate": "2025-06-30", "campaignEndDate": "2025-08-05", "unitReportDate": "2025-08-08",
        "appraisalDate": "2025-08-10", "anniversaryDate": "2025-08-28",
        "units": unit_list, "passRule": {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": 3},
    }


def bench_campaign_variables(unit_list: list[dict]) -> dict:
    return {"campaignName": "Đợt thi đua (mô hình rút gọn)", "guidanceDate": "2025-06-30",
            "unitReportDate": "2025-08-08", "units": unit_list}
