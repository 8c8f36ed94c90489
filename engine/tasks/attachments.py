"""Attachment service: the files of a dossier (proposal letters, achievement reports, minutes).

The bytes are kept in a directory outside the web root (`EngineConfig.attachments_dir`) under a
random storage key; the row keeps the cleaned name, type, size and SHA-256. A file is accepted
only when its extension is on the allow-list AND its content looks like that type, so a renamed
executable or HTML page is refused. A refused or failed upload leaves neither a row nor a file.
Who may download is the caller's decision (the instance's visibility); this service only stores.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select

from engine.runtime import EngineContext
from engine.errors import EngineError, NotFoundError
from engine.persistence import Attachment, ProcessInstance, Task

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of the old Office formats (.doc, .xls)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)
MAX_NAME_LENGTH = 200
# Characters Windows refuses in file names, and that mean something in paths or headers.
_UNSAFE = re.compile(r'[<>:"/\\|?*;]')


class AttachmentError(EngineError, ValueError):
    """An upload that was refused: nothing was stored. `code` names the rule for translated messages."""

    def __init__(self, code: str, message: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StoredFile:
    attachment: Attachment
    path: Path


class AttachmentService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    @property
    def directory(self) -> Path:
        return Path(self._ctx.config.attachments_dir)

    def add(self, instance_id: str, filename: str, content: bytes, *, task_id: str | None = None,
            description: str | None = None, actor: str | None = None) -> Attachment:
        """Stores one file for the instance (and task); raises AttachmentError or NotFoundError."""
        name = clean_filename(filename)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in CONTENT_TYPES:
            raise AttachmentError("type", f"'{name}': only {', '.join(ALLOWED_EXTENSIONS)} files are accepted",
                                  allowed=", ".join(ALLOWED_EXTENSIONS))
        if not isinstance(content, bytes) or not content:
            raise AttachmentError("empty", f"'{name}' is empty")
        limit = self._ctx.config.max_attachment_bytes
        if len(content) > limit:
            raise AttachmentError("size", f"'{name}' is larger than {limit // (1024 * 1024)} MB",
                                  limit_mb=limit // (1024 * 1024))
        if not content_matches(extension, content):
            raise AttachmentError("content", f"'{name}' is not really a .{extension} file", extension=extension)
        if description is not None:
            description = unicodedata.normalize("NFC", description).strip()[:2000] or None
        storage_key = uuid4().hex
        path = self._path(storage_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        try:
            with self._ctx.sessions.begin() as session:
                self._check_owner(session, instance_id, task_id)
                row = Attachment(id=str(uuid4()), instance_id=instance_id, task_id=task_id, name=name,
                                 description=description, content_type=CONTENT_TYPES[extension],
                                 size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                 storage_key=storage_key, created_by=actor, created_at=self._ctx.now())
                session.add(row)
                session.flush()
                # Renamed inside the transaction: if the commit fails the file is removed below.
                os.replace(temporary, path)
            return row
        except BaseException:
            temporary.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            raise

    def list(self, instance_id: str) -> list[Attachment]:
        statement = (select(Attachment).where(Attachment.instance_id == instance_id)
                     .order_by(Attachment.created_at, Attachment.name, Attachment.id))
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def get(self, attachment_id: str) -> Attachment:
        with self._ctx.sessions() as session:
            row = session.get(Attachment, attachment_id) if isinstance(attachment_id, str) else None
        if row is None:
            raise NotFoundError(f"attachment '{attachment_id}' does not exist")
        return row

    def open(self, attachment_id: str) -> StoredFile:
        row = self.get(attachment_id)
        path = self._path(row.storage_key)
        if not path.is_file():
            raise NotFoundError(f"the file of attachment '{attachment_id}' is missing from the store")
        return StoredFile(row, path)

    def _path(self, storage_key: str) -> Path:
        # Two-level fan-out keeps directories small in an office with years of dossiers.
        return self.directory / storage_key[:2] / storage_key

    @staticmethod
    def _check_owner(session, instance_id: str, task_id: str | None) -> None:
        if session.get(ProcessInstance, instance_id) is None:
            raise NotFoundError(f"process instance '{instance_id}' does not exist")
        if task_id is not None:
            task = session.get(Task, task_id)
            if task is None or task.instance_id != instance_id:
                raise NotFoundError(f"task '{task_id}' is not an open task of instance '{instance_id}'")


def clean_filename(filename: str) -> str:
    """The name a user sees and downloads: NFC, no folders, no control or path characters.

    Letters of any script are kept: "Résumé Ünal.docx" stays as it is.
    """
    if not isinstance(filename, str):
        raise AttachmentError("name", "the file has no name")
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = " ".join(_UNSAFE.sub("_", name).split()).strip(" .")
    if not name or name.startswith("."):
        raise AttachmentError("name", "the file has no usable name")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME_LENGTH - len(dot + extension)
        name = (stem[:keep] + dot + extension) if dot and keep > 0 else name[:MAX_NAME_LENGTH]
    return name


def content_matches(extension: str, content: bytes) -> bool:
    """Whether the bytes look like the type the extension claims (magic numbers, zip members)."""
    if extension == "pdf":
        return content.startswith(b"%PDF-")
    if extension in ("doc", "xls"):
        return content.startswith(OLE2)
    if extension in ("jpg", "jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("docx", "xlsx", "odt"):
        return _zip_kind(content) == extension
    return False


def _zip_kind(content: bytes) -> str | None:
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None
