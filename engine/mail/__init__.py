"""Mail: the outbox of reminders and its sender over SMTP, and the message as it goes out
(the words come from a MailTexts the service passes in)."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "OutboxService": "outbox",
    "OutboxSender": "sender",
    "SmtpSettings": "sender",
    "MailConfigError": "sender",
    "MailTexts": "message",
    "compose": "message",
    "configured_sender": "message",
    "preview": "message",
})
