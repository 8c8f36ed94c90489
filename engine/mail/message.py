"""What a reminder mail is: the sender's and the recipient's display names, the subject and the
lines yagmail writes as text and HTML parts. The sender sends it and the admin's outbox previews
it with the same yagmail code, so the preview is the message that goes out.

Display names go into the headers already encoded (RFC 2047, `=?utf-8?b?...?=`): yagmail would
otherwise write a dict recipient's name without its address, or put a raw non-ASCII header.
"""
from __future__ import annotations

from dataclasses import dataclass
from email import message_from_string
from email.policy import default as default_policy
from email.utils import formataddr, parseaddr
from typing import Mapping, Protocol

from yagmail.headers import resolve_addresses
from yagmail.message import prepare_message


class MailTexts(Protocol):
    """Subject and body of a mail: for one reminder, and for a digest of several."""

    def single(self, payload: dict) -> tuple[str, str]: ...

    def digest(self, payloads: list[dict]) -> tuple[str, str]: ...

    # Why a reminder was not sent (its task was done first), as the outbox page shows it.
    cancelled_note: str


@dataclass(frozen=True)
class MailContent:
    to: str  # the To header (names encoded); smtplib takes the envelope address from it
    subject: str
    contents: list[str]  # one item per line: a clean text part and one <div> per line in the HTML


@dataclass(frozen=True)
class MailPreview:
    sender: str | None  # decoded, "Reminders <reminders@example.org>"; None: no sender configured
    to: str
    subject: str
    html: str
    text: str


def address(email: str, name: str | None) -> str:
    """"Zoë Müller <zoe@example.org>" as a header takes it: the name RFC 2047-encoded."""
    return formataddr((name.strip(), email), charset="utf-8") if name and name.strip() else email


def compose(texts: MailTexts, payloads: list[dict], email: str) -> MailContent:
    """One reminder, or a digest of several for one person (the first payload names them)."""
    if not payloads:
        raise ValueError("a mail needs at least one reminder")
    subject, body = texts.single(payloads[0]) if len(payloads) == 1 else texts.digest(payloads)
    return MailContent(address(email, payloads[0].get("recipientName")), subject, body.split("\n"))


def configured_sender(smtp_env: Mapping[str, str]) -> tuple[str, str | None] | None:
    """(address, display name) of SMTP_SENDER (or SMTP_USER) for a preview; None when neither is
    an address. The sender itself is checked, with errors, by SmtpSettings."""
    name, sender = parseaddr((smtp_env.get("SMTP_SENDER") or smtp_env.get("SMTP_USER") or "").strip())
    return (sender, name or None) if "@" in sender else None


def mime_message(content: MailContent, sender: str, sender_name: str | None):
    """The MIME message yagmail.SMTP.send builds for `content` (same functions, same arguments);
    yagmail encodes the sender's name into From itself."""
    addresses = resolve_addresses(sender, sender_name or sender, content.to, None, None)
    return prepare_message(sender, sender_name or sender, addresses, content.subject, content.contents,
                           None, None, "utf-8", prettify_html=False)


def preview(content: MailContent, sender: tuple[str, str | None] | None) -> MailPreview:
    """The message as a mail reader decodes it: headers with names, the HTML and the text part."""
    address_, name = sender or ("thidua@localhost", None)
    parsed = message_from_string(mime_message(content, address_, name).as_string(), policy=default_policy)
    return MailPreview(str(parsed["From"]) if sender else None, str(parsed["To"]), str(parsed["Subject"]),
                       parsed.get_body(preferencelist=("html",)).get_content(),
                       parsed.get_body(preferencelist=("plain",)).get_content())
