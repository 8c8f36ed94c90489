"""What the reminder mails of a campaign say: Vietnamese first, a line of English after.

The engine fills each reminder's payload (task, campaign, due date, kind, link); these functions
only word it. Dates are dd/mm/yyyy; a deadline on a day off shows the working day it runs to.
"""
from __future__ import annotations

import unicodedata
from datetime import date

FOOTER = ("Thư này do hệ thống ThiDua Flow gửi tự động; vui lòng không trả lời thư này.\n"
          "This is an automatic reminder from ThiDua Flow; please do not reply.")


def _plain(value) -> str:
    """A value typed by people, made harmless in the HTML part of the mail (yagmail does not escape)."""
    return str(value).replace("<", "‹").replace(">", "›")


def _day(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "—"


def deadline_text(payload: dict) -> str:
    """"10/08/2025 (ngày làm việc tiếp theo: 11/08/2025)" for a deadline on a day off."""
    text = _day(payload.get("dueDate"))
    if payload.get("workingDueDate"):
        text += f" (ngày làm việc tiếp theo: {_day(payload['workingDueDate'])})"
    return text


def _headline(payload: dict) -> tuple[str, str]:
    """(subject prefix and summary, English summary) of one reminder."""
    kind, task = payload["kind"], _plain(payload["task"])
    due = _day(payload.get("workingDueDate") or payload.get("dueDate"))
    if kind.startswith("before:"):
        days = kind.split(":", 1)[1]
        return (f"[Nhắc việc] Còn {days} ngày làm việc: {task} – hạn {due}",
                f"{task}: due in {days} working days ({due})")
    if kind == "due":
        return f"[Nhắc việc] Hôm nay đến hạn: {task} – hạn {due}", f"{task}: due today ({due})"
    if kind == "overdue":
        days = payload.get("overdueDays") or 1
        return (f"[Quá hạn] {task} – quá hạn {days} ngày làm việc (hạn {due})",
                f"{task}: overdue by {days} working days (due {due})")
    if kind.startswith("escalate@"):
        days = payload.get("overdueDays")
        unit_name = payload.get("variables", {}).get("unitName") or payload.get("unit")
        unit = f" – {_plain(unit_name)}" if unit_name else ""
        return (f"[Báo cáo quá hạn] {task}{unit} – quá hạn {days} ngày làm việc (hạn {due})",
                f"Escalated: {task} is overdue by {days} working days (due {due})")
    if not payload.get("dueDate"):
        return f"[Nhắc việc] {task}", f"Reminder: {task}"
    return f"[Nhắc việc] {task} – hạn {due}", f"Reminder: {task} (due {due})"


def _details(payload: dict) -> str:
    campaign = payload.get("variables", {}).get("campaignName") or payload.get("businessKey") or "—"
    return (f"- Công việc: {_plain(payload['task'])}\n"
            f"- Đợt thi đua: {_plain(campaign)}\n"
            f"- Hạn xử lý: {deadline_text(payload)}\n"
            f"- Xem và xử lý tại: {payload['link']}")


def _nfc(subject: str, body: str) -> tuple[str, str]:
    return unicodedata.normalize("NFC", subject), unicodedata.normalize("NFC", body)


class CampaignReminderTexts:
    """The engine's MailTexts for the Office's campaigns."""

    cancelled_note = "công việc đã hoàn thành trước khi gửi nhắc việc"

    def single(self, payload: dict) -> tuple[str, str]:
        subject, english = _headline(payload)
        lead = ("Công việc dưới đây đã quá hạn và được báo cáo để Lãnh đạo đôn đốc:"
                if payload["kind"].startswith("escalate@") else "Hệ thống xin nhắc công việc sau:")
        body = (f"Kính gửi {_plain(payload.get('recipientName') or 'đồng chí')},\n\n{lead}\n{_details(payload)}\n\n"
                f"{english}.\n\n{FOOTER}\n")
        return _nfc(subject, body)

    def digest(self, payloads: list[dict]) -> tuple[str, str]:
        overdue = sum(1 for p in payloads if p["kind"] == "overdue" or p["kind"].startswith("escalate@"))
        subject = f"[Nhắc việc] {len(payloads)} công việc cần xử lý"
        if overdue:
            subject += f", trong đó {overdue} công việc quá hạn"
        items = "\n\n".join(f"{number}. {_headline(p)[0]}\n{_details(p)}" for number, p in enumerate(payloads, 1))
        body = (f"Kính gửi {_plain(payloads[0].get('recipientName') or 'đồng chí')},\n\n"
                f"Hệ thống xin nhắc các công việc sau:\n\n{items}\n\n"
                f"{len(payloads)} tasks need your attention.\n\n{FOOTER}\n")
        return _nfc(subject, body)
