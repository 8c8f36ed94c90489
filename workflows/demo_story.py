"""The demo's finished 2025 campaign: what each role did, step by step, on the real models.

`thidua demo` plays this story through the engine's own services, as the people of the demo Office
would through the portal, so that a newcomer finds every step done and every document filled in:
nominations in every unit, one appraisal return and its correction, a blocked nominee, one nominee
left to the Chairman's discretion and refused, one the council votes down, the Chief's and the
Chairman's decisions, the announcement and the report to Sở Nội vụ.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from engine import ProcessEngine, TaskQuery
from engine.runtime import InstanceQuery
from workflows.appraisal import decisions
from workflows.demo_office import DemoOffice

# unit → (full name, the form of award the unit proposes); "collective" proposes the unit itself.
NOMINATIONS = {
    "tong_hop": [("Phạm Thị Lan", "bang_khen"), ("Hoàng Đức Anh", "bang_khen"), ("Lò Văn Pánh", "giay_khen"),
                 ("Ngô Văn Thắng", "giay_khen")],
    "kinh_te": [("Hồ Thị Mai Anh", "bang_khen"), ("Cầm Thị Hương", "giay_khen")],
    "noi_chinh": [("Đinh Thị Vân", "giay_khen"), ("Trịnh Thị Yến", "giay_khen"), ("collective", "giay_khen")],
    "tchcqt": [("Trần Thị Minh Nguyệt", "giay_khen"), ("Hoàng Thị Hoa", "giay_khen")],
    "thong_tin": [("Trần Quốc Việt", "giay_khen"), ("Quàng Thị Thu", "bang_khen")],
    "hanh_chinh_cong": [("Vũ Văn Quyết", "giay_khen"), ("Phạm Văn Lực", "giay_khen")],
    "tiep_cong_dan": [("Đinh Văn Khải", "bang_khen"), ("Ngô Thị Lan Anh", "giay_khen")],
}
RETURNED = ("kinh_te", "Hồ Thị Mai Anh", "Báo cáo thành tích chưa nêu kết quả cụ thể, số liệu minh chứng")
VOTED_DOWN = "Quàng Thị Thu"
REFUSED_BY_CHAIRMAN = "Hoàng Đức Anh"
APPRAISER = "Hoàng Thị Hoa"  # Phòng TCHCQT's specialist for emulation and commendation
INFO_OFFICER = "Trần Quốc Việt"
# The day of each move (and the date typed into its form), in the plan's order.
DAYS = {"deployed": "2025-06-10", "guidance": "2025-06-25", "reported": "2025-08-06", "appraised": "2025-08-07",
        "resubmitted": "2025-08-08", "appraisal": "2025-08-09", "submitted": "2025-08-10", "meeting": "2025-08-15",
        "decision": "2025-08-20", "proposed": "2025-08-21", "chairman": "2025-08-25", "report": "2025-08-29"}
OFFICE_HOURS = time(9, 0)


class DemoClock:
    """The engine's clock while the demo plays a story: each move happens on its day, so the
    history, the deadlines and the documents' dates read as the campaign's own; otherwise the real
    time, or `today` at office hours when the demo is loaded as of a given day (a test, a rehearsal)."""

    def __init__(self, timezone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh"), today: date | None = None) -> None:
        self.timezone, self.moment = timezone, None
        self.today = None if today is None else datetime.combine(today, OFFICE_HOURS, timezone)

    def __call__(self) -> datetime:
        return self.moment or self.today or datetime.now(dt_timezone.utc)

    def on(self, day: str) -> None:
        self.moment = datetime.combine(date.fromisoformat(day), OFFICE_HOURS, self.timezone)

    def real(self) -> None:
        self.moment = None
CHAIRMAN_DECISION = "1520/QĐ-UBND"


@dataclass
class Story:
    engine: ProcessEngine
    office: DemoOffice
    campaign_id: str
    chief: str
    council: list[str]
    clock: DemoClock
    days: Mapping[str, str] = field(default_factory=lambda: DAYS)

    def play(self) -> None:
        """The whole campaign, to the report to Sở Nội vụ."""
        self.launch()
        for code in self._units():
            self.nominate(code)
        code, name, reason = RETURNED
        self.appraise(code, {name: reason}, day="appraised")
        self.correct(code)
        for code in self._units():
            self.appraise(code)
        self.decide()
        self.clock.real()

    def launch(self, late: tuple[str, ...] = ()) -> None:
        """Guidance, the news column, each unit deploys the plan (but the `late` units); the
        period's end timer fires if its day has passed."""
        self.clock.on(self.days["deployed"])
        for code, instance_id in self._units().items():
            if code in late:
                continue
            self._complete("Task_deploy_plan", {"deployedOn": self.days["deployed"]}, self._head(code), instance_id)
        self.clock.on(self.days["guidance"])
        self._complete("Task_guidance", {"guidanceIssuedOn": self.days["guidance"]}, self._appraiser())
        officer = self._staff(INFO_OFFICER).id
        self._complete("Task_open_pages", {"pageUrl": "https://vpubnd.sonla.gov.vn/thi-dua"}, officer)
        self._complete("Task_news", {}, officer)
        self.clock.on(self.days["reported"])
        self.engine.runtime.fire_due_timers()

    def nominate(self, code: str) -> None:
        """The unit's list, each nominee's report, the submission to TCHCQT."""
        self.clock.on(self.days["reported"])
        instance_id, head = self._units()[code], self._head(code)
        unit = next(u for u in self.office.units if u.code == code)
        nominees = [self._nominee(unit, name, award) for name, award in NOMINATIONS[code]]
        self._complete("Task_nominate", {"nominees": nominees, "unitResults": f"{unit.name} hoàn thành tốt nhiệm "
                                         "vụ, tham gia đầy đủ các hoạt động của đợt thi đua"}, head, instance_id)
        self._write_reports(instance_id)
        self._complete("Task_submit", {"reportedOn": self.days["reported"]}, head, instance_id)

    def appraise(self, code: str, returns: Mapping[str, str] | None = None, day: str = "appraisal") -> None:
        """TCHCQT accepts each nominee of the unit, or returns those named in `returns` (full name → reason)."""
        self.clock.on(self.days[day])
        instance_id = self._units()[code]
        checked = self.engine.runtime.get_variables(instance_id)["checkedNominees"]
        reasons = {n["id"]: (returns or {})[n["fullName"]] for n in checked if n.get("fullName") in (returns or {})}
        self._complete("Task_appraise", decisions(checked, reasons), self._appraiser(), instance_id)

    def correct(self, code: str) -> None:
        """The unit re-opens the returned reports, the nominees rewrite them, the unit resubmits."""
        self.clock.on(self.days["resubmitted"])
        instance_id, head = self._units()[code], self._head(code)
        variables = self.engine.runtime.get_variables(instance_id)
        returned = [n["id"] for n in variables.get("returnedNominees") or []]
        self._complete("Task_correct", {"nominees": variables["nominees"], "rewriteReports": returned,
                                        "correctionNote": "Bổ sung số liệu minh chứng vào báo cáo thành tích"},
                       head, instance_id)
        self._write_reports(instance_id, rewritten=True)
        self._complete("Task_submit", {"reportedOn": self.days["resubmitted"]}, head, instance_id)

    def decide(self) -> None:
        """The council's list, the meeting, the decisions, the report."""
        appraiser = self._appraiser()
        self.clock.on(self.days["submitted"])
        self._complete("Task_submit_council", {"submittedOn": self.days["submitted"]}, appraiser)
        self.clock.on(self.days["meeting"])
        self._vote()
        variables = self.engine.runtime.get_variables(self.campaign_id)
        if variables.get("chiefAwardees"):
            self.clock.on(self.days["decision"])
            self._complete("Task_giay_khen", {"decisionDate": self.days["decision"]}, self.chief)
        if variables.get("chairmanAwardees"):
            self.clock.on(self.days["proposed"])
            self._complete("Task_propose_chairman", {}, appraiser)
            proposed = self.engine.runtime.get_variables(self.campaign_id)["chairmanAwardees"]
            self.clock.on(self.days["chairman"])  # the announcement follows the same day
            self._complete("Task_record_chairman", {"chairmanDecisions": [
                {"nomineeId": n["nomineeId"], "award": n["award"], **self._chairman(n)} for n in proposed]}, appraiser)
        self.clock.on(self.days["report"])
        self._complete("Task_report", {}, appraiser)

    def _write_reports(self, instance_id: str, rewritten: bool = False) -> None:
        # Each nominee the council will consider writes their own report, as an assigned task.
        for task in self._open(instance_id, "Task_achievement_report"):
            name = self._staff_by_id(task.assignee).full_name
            text = (f"Trong đợt thi đua, đồng chí {name} đã tham mưu, hoàn thành {'120 văn bản, ' if rewritten else ''}"
                    "các nhiệm vụ được giao đúng tiến độ, chất lượng; tích cực tham gia các hoạt động kỷ niệm "
                    "80 năm Ngày truyền thống Văn phòng.")
            self.engine.tasks.complete(task.id, {"achievementReport": text}, actor=task.assignee)

    def _vote(self) -> None:
        candidates = self.engine.runtime.get_variables(self.campaign_id)["candidates"]
        present = self.council
        votes = []
        for candidate in candidates:
            down = len(present) - 2 if candidate["fullName"] == VOTED_DOWN else 0
            votes.append({"nomineeId": candidate["nomineeId"], "for": len(present) - down, "against": down,
                          "abstain": 0})
        self._complete("Task_vote", {"meetingDate": self.days["meeting"], "presentMembers": present,
                                     "present": len(present), "votes": votes}, self.chief)

    def _chairman(self, nominee: Mapping[str, Any]) -> dict:
        if nominee["fullName"] == REFUSED_BY_CHAIRMAN:
            return {"awarded": False, "decisionNumber": "", "decisionDate": None}
        return {"awarded": True, "decisionNumber": CHAIRMAN_DECISION, "decisionDate": self.days["chairman"]}

    def _nominee(self, unit, name: str, award: str) -> dict:
        if name == "collective":
            criteria = self.engine.runtime.get_variables(self.campaign_id).get("collectiveCriteria") or []
            return {"id": f"nom-{unit.code}", "kind": "collective", "userId": None, "fullName": unit.name,
                    "collectiveOf": unit.code, "award": award,
                    "achievements": "Tập thể đoàn kết, hoàn thành xuất sắc các nhiệm vụ của đợt thi đua",
                    "criteria": [{**c, "met": True, "evidence": "Biên bản họp bình xét của đơn vị"}
                                 for c in criteria]}
        person = self._staff(name)
        return {"id": f"nom-{person.id}", "kind": "individual", "userId": person.id, "fullName": person.full_name,
                "award": award, "achievements": "Hoàn thành xuất sắc nhiệm vụ được giao trong đợt thi đua"}

    # reading and moving
    def _units(self) -> dict[str, str]:
        children = self.engine.runtime.list_instances(InstanceQuery(parent_instance_id=self.campaign_id, limit=None))
        return {i.unit: i.id for i in sorted(children, key=lambda i: i.unit or "")}

    def _open(self, instance_id: str, element_id: str) -> list:
        return [t for t in self.engine.tasks.list(TaskQuery(instance_id=instance_id, limit=None))
                if t.element_id == element_id]

    def _complete(self, element_id: str, values: dict, actor: str, instance_id: str | None = None) -> None:
        [task] = self._open(instance_id or self.campaign_id, element_id)
        self.engine.tasks.complete(task.id, values, actor=actor)

    def _head(self, code: str) -> str:
        return self.office.unit_heads()[code]

    def _appraiser(self) -> str:
        return self._staff(APPRAISER).id

    def _staff(self, full_name: str):
        return self.office.by_name(full_name)

    def _staff_by_id(self, staff_id: str):
        return next(s for s in self.office.staff if s.id == staff_id)
