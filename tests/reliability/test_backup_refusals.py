"""Restores that must not happen: into a database that holds data (unless --force), from a file
that is damaged, cut short, of another product, of another database or of a newer release, and
one that fails half-way. Each says why and leaves the database and its files as they were."""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.management.backup_archive import ArchiveWriter, BackupError, Manifest, read_archive
from tests.reliability.backup_helpers import copy_config, files, fresh_target, office, snapshot  # noqa: F401
from web.composition import backup_database, restore_database

ROOT = Path(__file__).resolve().parents[2]
THIDUA = [sys.executable, "-c", "from web.cli import run; run()"]


@pytest.fixture
def backup(office, tmp_path) -> Path:
    return backup_database(office[1], tmp_path / "good.tar.gz").path


def refused(config, path: Path, message: str, force: bool = True) -> None:
    """The restore is refused with `message`, and the database and its files stay as they were."""
    before, stored = snapshot(config.database_url), files(config.attachments_dir)
    with pytest.raises(BackupError, match=message):
        restore_database(config, path, force=force)
    assert snapshot(config.database_url) == before
    assert files(config.attachments_dir) == stored


def test_a_database_that_holds_data_is_replaced_only_with_force(office, backup, fresh_target):
    portal, config = office
    restore_database(fresh_target, backup)
    portal.engine.runtime.delete_instance(portal.campaign_id, actor="admin", reason="thử")  # now it differs
    refused(config, backup, r"the database is not empty \(rows in .*--force", force=False)
    wanted = snapshot(fresh_target.database_url)
    restore_database(config, backup, force=True)
    assert snapshot(config.database_url) == wanted
    assert files(config.attachments_dir) == files(fresh_target.attachments_dir)


def test_files_alone_make_the_target_not_empty(office, backup, fresh_target):
    fresh_target.attachments_dir.mkdir(parents=True)
    (fresh_target.attachments_dir / "ab").mkdir()
    (fresh_target.attachments_dir / "ab" / "abcdef").write_bytes(b"%PDF-1.4")
    with pytest.raises(BackupError, match="not empty .*files in"):
        restore_database(fresh_target, backup)


def test_a_damaged_or_cut_short_backup_is_refused(office, backup, tmp_path):
    _, config = office
    data = backup.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    refused(config, cut, "damaged or cut short")
    # One byte changed inside the database dump: the gzip layer may not notice, the checksum does.
    raw = bytearray(gzip.decompress(data))
    raw[len(raw) // 3] ^= 0xFF
    flipped = tmp_path / "flipped.tar.gz"
    flipped.write_bytes(gzip.compress(bytes(raw)))
    refused(config, flipped, "is damaged: altered: database")
    refused(config, tmp_path / "khong-co.tar.gz", "there is no backup file at")


def test_a_file_of_another_product_is_refused(office, tmp_path):
    _, config = office
    text_file = tmp_path / "ghi-chu.txt"
    text_file.write_text("không phải bản sao lưu", encoding="utf-8")
    refused(config, text_file, "is not a ThiDua Flow backup")
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        payload = json.dumps({"product": "Other CRM", "format": 1}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    refused(config, other, "manifest names another product")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(str(text_file), arcname="../../etc/cron.d/job")
    refused(config, foreign, r"not a ThiDua Flow backup: it holds '../../etc/cron.d/job'")
    assert not (tmp_path.parent.parent / "etc").exists()


def rewritten(backup: Path, tmp_path: Path, change) -> Path:
    """The backup with its manifest changed by `change` (the dump named as it then says), and
    checksums still right: what only a forged or foreign file would hold."""
    unpacked = tmp_path / "unpacked"
    manifest = read_archive(backup, unpacked)
    change(manifest)
    out = tmp_path / "rewritten.tar.gz"
    writer = ArchiveWriter(out, Manifest(manifest.database, manifest.schemas, manifest.created_at))
    dump = next(n for n in manifest.members if n.startswith("database."))
    for name in manifest.members:
        writer.add_file(writer.manifest.dump_name if name == dump else name, unpacked / name)
    writer.finish()
    return out


def test_a_backup_of_a_newer_release_or_another_database_is_refused(office, backup, tmp_path):
    _, config = office
    newer = rewritten(backup, tmp_path / "n", lambda m: m.schemas.update(alembic_version="0099"))
    refused(config, newer, r"made by a newer release \(engine schema at revision 0099")
    other_kind = "postgresql" if config.database_url.startswith("sqlite") else "sqlite"
    swapped = rewritten(backup, tmp_path / "k", lambda m: setattr(m, "database", other_kind))
    refused(config, swapped, f"is a backup of a {other_kind} database; DATABASE_URL names")


def test_a_restore_that_fails_half_way_changes_nothing(office, backup, fresh_target, tmp_path):
    """A backup whose rows break the schema's references (written around the checks, as a broken
    disk or a hand edit would): SQLite's check or PostgreSQL's constraint refuses it, after the
    attachments were already swapped in, and they are put back."""
    _, config = office
    restore_database(fresh_target, backup)
    db = create_engine(fresh_target.database_url)
    with db.begin() as connection:
        if db.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("UPDATE attachment SET instance_id = 'khong-ton-tai'"))
    db.dispose()
    broken = backup_database(fresh_target, tmp_path / "broken.tar.gz").path
    refused(config, broken, "breaks its own references|psql failed: .*foreign key")


def thidua(*args: str, config) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": config.database_url, "THIDUA_ATTACHMENTS_DIR": str(config.attachments_dir)}
    return subprocess.run([*THIDUA, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_the_command_line_says_what_happened(office, fresh_target, tmp_path):
    _, config = office
    made = thidua("db", "backup", str(tmp_path / "b.tar.gz"), config=config)
    assert made.returncode == 0 and "backup written to" in made.stdout and "3 attachments" in made.stdout
    again = thidua("db", "backup", str(tmp_path / "b.tar.gz"), config=config)
    assert again.returncode == 1 and "already exists: a backup is never overwritten" in again.stderr
    nowhere = thidua("db", "backup", str(tmp_path / "khong-co" / "b.tar.gz"), config=config)
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr
    busy = thidua("db", "restore", str(tmp_path / "b.tar.gz"), config=config)
    assert busy.returncode == 1 and "add --force" in busy.stderr
    missing = thidua("db", "restore", str(tmp_path / "c.tar.gz"), config=config)
    assert missing.returncode == 1 and "there is no backup file at" in missing.stderr
    done = thidua("db", "restore", str(tmp_path / "b.tar.gz"), config=fresh_target)
    assert done.returncode == 0 and "restored" in done.stdout and "3 attachments" in done.stdout
    assert snapshot(fresh_target.database_url) == snapshot(config.database_url)
