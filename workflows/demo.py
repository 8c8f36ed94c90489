"""`thidua demo`: the demo Office with its people and accounts, and its 2025 campaign running.

Everything is written only when missing, so running the command again changes nothing. The
campaign's dates are those of the Office's plan for the 80th anniversary (DOMAIN.md); they are
data given to the process at its start, as a real campaign's would be.
"""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from engine import ProcessEngine
from engine.errors import ConflictError
from engine.runtime import InstanceQuery
from workflows.council import Council, sync_group
from workflows.demo_office import HEAD_POSITIONS, DemoOffice, load_demo_office
from workflows.demo_story import DemoClock, Story
from workflows.staff_directory import Staff, StaffDirectory, Unit

CAMPAIGN_KEY = "campaign"
BUSINESS_KEY = "KH-80NTT-2025"
CHIEF = ("minhtb", "Trần Bình Minh")  # Chánh Văn phòng, who signed the plan
# The Office's leadership is not one of the units that run an evaluation; the chief is in the
# staff register under it so that the chief can chair the council.
LEADERSHIP = Unit("lanh_dao", "Lãnh đạo Văn phòng", "ban")
CHIEF_STAFF = Staff(id=CHIEF[0], full_name=CHIEF[1], unit_code=LEADERSHIP.code, position="Chánh Văn phòng",
                    office_start_date=date(1996, 9, 1), email=f"{CHIEF[0]}@sonla.gov.vn")
SECRETARY_UNIT = "tchcqt"  # the council's secretariat (DOMAIN.md): its head is the secretary
SERVICE_ACCOUNTS = (("designer", "Người thiết kế quy trình", ("designer",)),
                    ("admin", "Quản trị hệ thống", ("admin",)))
ROLE_GROUPS = {
    "chief": "Chánh Văn phòng", "tchcqt": "Phòng TCHCQT", "council": "Hội đồng TĐKT",
    "info_centre": "Trung tâm Thông tin", "unit_head": "Lãnh đạo đơn vị", "staff": "Cán bộ, công chức",
    "designer": "Thiết kế quy trình", "admin": "Quản trị", "worker": "Dịch vụ tự động",
}
# The units whose members play an office-wide role in the campaign.
ROLE_OF_UNIT = {"tchcqt": "tchcqt", "thong_tin": "info_centre"}
# The plan's collective criteria (Kế hoạch, mục IV.1): campaign data, so next year's plan brings its own.
COLLECTIVE_CRITERIA_2025 = [
    {"id": "phat_dong", "text": "Phát động và hưởng ứng tham gia đợt thi đua đặc biệt thiết thực, hiệu quả gắn với "
                                "các nhiệm vụ chính trị của cơ quan Văn phòng; tham gia đầy đủ các hoạt động do "
                                "Văn phòng UBND tỉnh phát động và tổ chức."},
    {"id": "thanh_tich", "text": "Có thành tích xuất sắc trong đợt thi đua và trong các hoạt động kỷ niệm 80 năm "
                                 "ngày Truyền thống Văn phòng các cơ quan hành chính nhà nước (28/8/1945-28/8/2025)."},
    {"id": "doan_ket", "text": "Nội bộ đoàn kết, thực hiện tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước."},
]

LIVE_RETURN = ("noi_chinh", "Đinh Thị Vân", "Thiếu biên bản họp bình xét của đơn vị")
# The unit that has not yet deployed the plan in the live campaign: its task was due on the
# guidance date, a month ago, so the demo shows an overdue task and its reminders.
LIVE_LATE = "tiep_cong_dan"

CAMPAIGN_2025 = {
    "planNumber": "86/KH-VPUB",
    "planDate": "2025-06-05",
    "campaignName": "Đợt thi đua đặc biệt lập thành tích chào mừng kỷ niệm 80 năm Ngày truyền thống "
                    "Văn phòng các cơ quan hành chính nhà nước (28/8/1945 - 28/8/2025)",
    "guidanceDate": "2025-06-30",
    "campaignEndDate": "2025-08-05",
    "unitReportDate": "2025-08-08",
    "appraisalDate": "2025-08-10",
    "anniversaryDate": "2025-08-28",
    "collectiveCriteria": COLLECTIVE_CRITERIA_2025,
}


def demo_password() -> str:
    # Demo accounts only; a real office imports its people and they set their own passwords.
    return os.environ.get("THIDUA_DEMO_PASSWORD", "thidua-2025")


def load_demo(engine: ProcessEngine, directory: StaffDirectory, models_dir: Path, clock: DemoClock,
              live: bool = True) -> str:
    """`clock` is the engine's clock (EngineConfig(clock=clock)): the stories move it day by day.
    Without `live`, only the finished 2025 campaign is loaded."""
    office = load_demo_office(directory)
    _create_accounts(engine, office)
    council = _appoint_council(engine, directory, office)
    _deploy_models(engine, models_dir)
    started = _start_campaign(engine, office, council, clock)
    if started:
        Story(engine, office, started, CHIEF[0], council, clock).play()
    if live:
        today = engine.context.now().astimezone(engine.context.config.timezone).date()
        live_key, live_started = _start_live_campaign(engine, office, council, today, clock)
        live_line = f"live campaign {live_key} {'started' if live_started else 'already running'}; "
    else:
        live_line = "no live campaign; "
    open_tasks = engine.tasks.count()
    units = {unit.code: unit.name for unit in office.units}
    heads = [f"  {person.id:<12} {person.full_name} ({units[person.unit_code]})" for person in office.staff
             if person.position in HEAD_POSITIONS]
    return "\n".join([
        f"demo office: {len(office.units)} units, {len(office.staff)} staff; campaign {BUSINESS_KEY} "
        f"{'played to its end' if started else 'already there'}; {live_line}{open_tasks} open tasks",
        "accounts (password: THIDUA_DEMO_PASSWORD, default thidua-2025):",
        f"  {CHIEF[0]:<12} {CHIEF[1]} (Chánh Văn phòng)",
        *[f"  {user_id:<12} {name}" for user_id, name, _ in SERVICE_ACCOUNTS],
        *heads,
    ])


def _create_accounts(engine: ProcessEngine, office: DemoOffice) -> None:
    identity = engine.identity
    # Hashing a password costs a third of a second by design: an account already there is left as it is.
    existing = {account.id for account in identity.list_users()}
    for group, name in ROLE_GROUPS.items():
        identity.ensure_group(group, name, "role")
    for unit in office.units:
        identity.ensure_group(f"unit:{unit.code}", unit.name, "unit")
        identity.ensure_group(f"head:{unit.code}", f"Lãnh đạo {unit.name}", "role")
    _ensure_user(engine, existing, CHIEF[0], CHIEF[1], None, ("chief",), CHIEF_STAFF.email)
    for user_id, name, groups in SERVICE_ACCOUNTS:
        _ensure_user(engine, existing, user_id, name, None, groups, f"{user_id}@sonla.gov.vn")
    for person in office.staff:
        groups = [f"unit:{person.unit_code}", "staff"]
        if person.position in HEAD_POSITIONS:
            groups += [f"head:{person.unit_code}", "unit_head"]
        if person.unit_code in ROLE_OF_UNIT:
            groups.append(ROLE_OF_UNIT[person.unit_code])
        _ensure_user(engine, existing, person.id, person.full_name, person.unit_code, groups, person.email)


def _appoint_council(engine: ProcessEngine, directory: StaffDirectory, office: DemoOffice) -> list[str]:
    """The council is data (workflows/council.py): the chief chairs it, TCHCQT's head is its
    secretary, the other unit heads are members; the `council` group follows it. An Office that
    has set its own council keeps it."""
    council = Council(engine.context.db)
    seats = council.members()
    if not seats:
        directory.save([CHIEF_STAFF], units=[LEADERSHIP])
        heads = office.unit_heads()
        seats = council.set_members([(CHIEF[0], "chair"), (heads[SECRETARY_UNIT], "secretary")]
                                    + [(head, "member") for unit, head in heads.items() if unit != SECRETARY_UNIT])
    sync_group(engine.identity, seats)
    return [seat.staff_id for seat in seats]


def _ensure_user(engine: ProcessEngine, existing: set[str], user_id: str, name: str, unit: str | None,
                 groups, email: str | None) -> None:
    if user_id in existing:
        return
    try:
        # The e-mail is where the reminders of the person's tasks go.
        engine.identity.create_user(user_id, name, password=demo_password(), email=email, unit=unit,
                                    groups=list(groups))
    except ConflictError:
        pass  # already there from an earlier run


def _deploy_models(engine: ProcessEngine, models_dir: Path) -> None:
    files = sorted(models_dir.glob("*.dmn")) + sorted(models_dir.glob("*.bpmn"))
    engine.repository.deploy([(f.name, f.read_bytes()) for f in files], name="Mô hình mẫu",
                             source="thidua demo", actor="designer")


def _start_campaign(engine: ProcessEngine, office: DemoOffice, council: list[str], clock: DemoClock) -> str | None:
    """The id of the 2025 campaign, started now; None when an earlier run started it."""
    if engine.runtime.count_instances(InstanceQuery(definition_key=CAMPAIGN_KEY, business_key=BUSINESS_KEY)):
        return None
    units = [{"code": unit.code, "name": unit.name, "headGroup": f"head:{unit.code}"} for unit in office.units]
    pass_rule = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": len(council)}
    clock.on(CAMPAIGN_2025["planDate"])
    instance = engine.runtime.start_process_by_key(CAMPAIGN_KEY, {**CAMPAIGN_2025, "units": units,
                                                                   "passRule": pass_rule},
                                                   business_key=BUSINESS_KEY, actor=CHIEF[0])
    return instance.id


def live_campaign(today: date) -> tuple[str, dict]:
    """This year's campaign with its dates around `today`: the period ended two days ago, the
    units report within the week, the appraisal and the decision follow."""
    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    variables = {
        "planNumber": "45/KH-VPUB", "planDate": day(-45),
        "campaignName": f"Phong trào thi đua thực hiện thắng lợi nhiệm vụ chính trị năm {today.year}",
        "guidanceDate": day(-30), "campaignEndDate": day(-2), "unitReportDate": day(4),
        "appraisalDate": day(7), "anniversaryDate": day(21), "collectiveCriteria": COLLECTIVE_CRITERIA_2025,
    }
    return f"KH-TD-{today.year}", variables


def _start_live_campaign(engine: ProcessEngine, office: DemoOffice, council: list[str], today: date,
                         clock: DemoClock) -> tuple[str, bool]:
    """Mid-campaign today: two units reported and were accepted, one was returned by the
    appraiser, one has not even deployed the plan (overdue), the others are still choosing their
    nominees (due within the week)."""
    business_key, variables = live_campaign(today)
    if engine.runtime.count_instances(InstanceQuery(definition_key=CAMPAIGN_KEY, business_key=business_key)):
        return business_key, False
    units = [{"code": unit.code, "name": unit.name, "headGroup": f"head:{unit.code}"} for unit in office.units]
    pass_rule = {"basis": "present", "threshold": 0.5, "quorum": 0.667, "members": len(council)}
    clock.on(variables["planDate"])
    instance = engine.runtime.start_process_by_key(CAMPAIGN_KEY, {**variables, "units": units,
                                                                   "passRule": pass_rule},
                                                   business_key=business_key, actor=CHIEF[0])

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    story = Story(engine, office, instance.id, CHIEF[0], council, clock,
                  days={"deployed": day(-40), "guidance": day(-31), "reported": day(-1), "appraisal": day(0)})
    story.launch(late=(LIVE_LATE,))
    for code in ("tong_hop", "kinh_te", "noi_chinh"):
        story.nominate(code)
    story.appraise("tong_hop")
    story.appraise("kinh_te")
    code, name, reason = LIVE_RETURN
    story.appraise(code, {name: reason})
    clock.real()
    return business_key, True
