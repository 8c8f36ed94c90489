"""The backup file: one tar.gz holding the database dump, the attachments folder and a manifest.

    manifest.json          product, format, when, which database, the schema revisions, and
                           the size and SHA-256 of every other member
    database.sqlite3       SQLite's online backup of the database file, or
    database.pgdump        pg_dump's custom format
    attachments/ab/abcd…   the dossier files, as the attachments folder keeps them

The manifest comes last, so files are hashed while they are written, never read twice. Reading
checks everything before anything is restored: a truncated, damaged or foreign file is refused
with a message saying so, and only regular files under the names above are ever written out.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from engine.errors import EngineError

PRODUCT = "ThiDua Flow"
FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ATTACHMENTS = "attachments"
CHUNK = 1024 * 1024


class BackupError(EngineError):
    """A backup or restore that could not be done; the database was left as it was."""


@dataclass
class Manifest:
    database: str  # "sqlite" or "postgresql"
    schemas: dict[str, str | None]  # version table -> revision
    created_at: str
    members: dict[str, dict] = field(default_factory=dict)  # name -> {"size", "sha256"}

    @property
    def dump_name(self) -> str:
        return DUMP_NAMES[self.database]

    @property
    def attachment_names(self) -> list[str]:
        return sorted(n for n in self.members if n.startswith(ATTACHMENTS + "/"))

    def to_json(self) -> bytes:
        return json.dumps({"product": PRODUCT, "format": FORMAT, "created_at": self.created_at,
                           "database": self.database, "schemas": self.schemas, "members": self.members},
                          ensure_ascii=False, indent=2).encode()


class ArchiveWriter:
    """Writes FILE.partial and renames it to FILE on success: a failed backup never leaves a
    file that looks like a backup."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path, self.manifest = path, manifest
        self._partial = path.with_name(path.name + ".partial")
        self._tar = tarfile.open(self._partial, "w:gz")

    def add_file(self, name: str, source: Path) -> None:
        info = self._tar.gettarinfo(str(source), arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        with source.open("rb") as handle:
            hashing = _HashingReader(handle)
            self._tar.addfile(info, hashing)
        if hashing.size != info.size:
            raise BackupError(f"{source} changed while it was being backed up; try again")
        self.manifest.members[name] = {"size": info.size, "sha256": hashing.digest()}

    def finish(self) -> None:
        data = self.manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), int(time.time())
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        os.replace(self._partial, self.path)

    def abandon(self) -> None:
        self._tar.close()
        self._partial.unlink(missing_ok=True)


class _HashingReader:
    def __init__(self, handle) -> None:
        self._handle, self._hash, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._hash.update(data)
        self.size += len(data)
        return data

    def digest(self) -> str:
        return self._hash.hexdigest()


def read_archive(path: Path, into: Path) -> Manifest:
    """Unpacks the backup at `path` into the folder `into` and checks it whole; BackupError if not."""
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    seen: dict[str, dict] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = _member_name(path, member)
                if name is None:
                    continue
                seen[name] = _unpack(archive, member, into / name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError) as err:
        raise BackupError(f"{path} is not a {PRODUCT} backup, or it is damaged or cut short ({err})") from None
    if MANIFEST not in seen:
        raise BackupError(f"{path} is not a {PRODUCT} backup: it has no {MANIFEST}")
    manifest = _manifest(path, (into / MANIFEST).read_bytes())
    expected = {**manifest.members}
    del seen[MANIFEST]
    if seen != expected:
        missing, extra = sorted(expected.keys() - seen.keys()), sorted(seen.keys() - expected.keys())
        changed = sorted(n for n in expected.keys() & seen.keys() if expected[n] != seen[n])
        raise BackupError(f"{path} is damaged: " + "; ".join(
            f"{what}: {', '.join(names[:5])}" for what, names in
            (("missing", missing), ("not in its manifest", extra), ("altered", changed)) if names))
    if manifest.dump_name not in seen:
        raise BackupError(f"{path} is damaged: it has no {manifest.dump_name}")
    return manifest


def _member_name(path: Path, member: tarfile.TarInfo) -> str | None:
    name = PurePosixPath(member.name)
    if member.isdir():
        return None
    allowed = name.as_posix() in (MANIFEST, *DUMP_NAMES.values()) or (
        len(name.parts) > 1 and name.parts[0] == ATTACHMENTS and ".." not in name.parts and not name.is_absolute())
    if not member.isfile() or not allowed:
        raise BackupError(f"{path} is not a {PRODUCT} backup: it holds '{member.name}'")
    return name.as_posix()


def _unpack(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    source = archive.extractfile(member)
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _manifest(path: Path, raw: bytes) -> Manifest:
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("product") != PRODUCT:
        raise BackupError(f"{path} is not a {PRODUCT} backup (its manifest names another product)")
    if data.get("format") != FORMAT:
        raise BackupError(f"{path} is a {PRODUCT} backup of format {data.get('format')!r}; "
                          f"this release reads format {FORMAT}")
    if data.get("database") not in DUMP_NAMES or not isinstance(data.get("schemas"), dict) \
            or not isinstance(data.get("members"), dict):
        raise BackupError(f"{path} is damaged: its manifest is incomplete")
    return Manifest(data["database"], data["schemas"], str(data.get("created_at")), data["members"])
