"""Identity service: users, groups, passwords and API tokens, on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine import EngineConfig, ProcessEngine
from engine.errors import ConflictError, NotFoundError
from engine.identity.service import IdentityError, IdentityService, Principal
from engine.persistence.models import ApiToken, Membership, UserAccount, UserGroup
from workflows.engine_hooks import office_config

# Cheap parameters where a test hashes more than once and does not care about the cost.
FAST = dict(time_cost=1, memory_cost=8, parallelism=1)


class CountingHasher(PasswordHasher):
    def __init__(self, **params):
        super().__init__(**params)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def identity(engine) -> IdentityService:
    return engine.identity


def seed_groups(identity: IdentityService) -> None:
    identity.create_group("designer", "Người thiết kế quy trình", "role")
    identity.create_group("tchcqt", "Phòng Tổ chức - Hành chính - Quản trị", "unit")
    identity.create_group("unit:tong_hop", "Phòng Tổng hợp", "unit")
    identity.create_group("hoi-dong", "Hội đồng thi đua khen thưởng")


def counts(engine) -> dict[str, int]:
    with engine.context.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (UserAccount, UserGroup, Membership, ApiToken)}


def user_row(engine, user_id: str) -> UserAccount:
    with engine.context.sessions() as session:
        return session.get(UserAccount, user_id)


def test_users_groups_and_memberships(engine, identity):
    seed_groups(identity)
    created = identity.create_user("lan", "Nguyễn Thị Lan", email="lan@example.gov.vn", unit="tong_hop",
                                   groups=["designer", "unit:tong_hop"])
    assert created == Principal("lan", "Nguyễn Thị Lan", "tong_hop", frozenset({"designer", "unit:tong_hop"}))
    assert identity.principal("lan") == created
    identity.create_user("minh", "Trần Văn Minh", unit="tong_hop")

    identity.add_membership("minh", "tchcqt")
    identity.add_membership("minh", "tchcqt")  # already a member: nothing to do
    identity.add_membership("lan", "tchcqt")
    assert identity.members("tchcqt") == ["lan", "minh"]
    assert identity.principal("minh").groups == {"tchcqt"}
    identity.remove_membership("lan", "tchcqt")
    identity.remove_membership("lan", "tchcqt")
    assert identity.members("tchcqt") == ["minh"]
    assert identity.members("nobody-defined-this") == []
    with pytest.raises(NotFoundError, match="ghost"):
        identity.add_membership("ghost", "tchcqt")
    with pytest.raises(NotFoundError, match="unknown group: ban-giam-doc"):
        identity.add_membership("lan", "ban-giam-doc")

    assert [g.id for g in identity.list_groups()] == ["designer", "hoi-dong", "tchcqt", "unit:tong_hop"]
    assert [g.id for g in identity.list_groups("unit")] == ["tchcqt", "unit:tong_hop"]
    assert identity.list_groups("workgroup")[0].name == "Hội đồng thi đua khen thưởng"
    with pytest.raises(IdentityError, match="unknown group type"):
        identity.list_groups("team")

    assert [u.id for u in identity.list_users(unit="tong_hop")] == ["lan", "minh"]
    assert [u.id for u in identity.list_users(group="designer")] == ["lan"]
    assert identity.list_users(unit="ke_toan") == []
    with pytest.raises(NotFoundError):
        identity.principal("ghost")


def test_groups_are_created_once(engine, identity):
    identity.create_group("designer", "Người thiết kế", "role")
    identity.create_group("designer", "Người thiết kế", "role")  # identical: harmless
    with pytest.raises(ConflictError, match="designer"):
        identity.create_group("designer", "Thiết kế viên", "role")
    with pytest.raises(ConflictError):
        identity.create_group("designer", "Người thiết kế", "workgroup")
    identity.ensure_group("designer", "Thiết kế viên", "workgroup")  # present: left as it is
    identity.ensure_group("van-thu", "Văn thư", "role")
    assert [(g.id, g.name, g.type) for g in identity.list_groups()] == [
        ("designer", "Người thiết kế", "role"), ("van-thu", "Văn thư", "role")]
    with pytest.raises(IdentityError, match="group type"):
        identity.create_group("nhom", "Nhóm", "team")
    with pytest.raises(IdentityError, match="invalid group id"):
        identity.ensure_group("a,b", "Hai nhóm", "role")
    assert counts(engine)["user_group"] == 2


def test_password_check(engine, identity):
    identity.create_group("designer", "Người thiết kế", "role")
    identity.create_user("lan", "Nguyễn Thị Lan", password="mật khẩu đúng", unit="tong_hop", groups=["designer"])
    identity.create_user("bot", "Máy chủ tích hợp")  # tokens only

    assert identity.check_password("lan", "mật khẩu đúng") == Principal(
        "lan", "Nguyễn Thị Lan", "tong_hop", frozenset({"designer"}))
    assert identity.check_password("lan", "mật khẩu sai!") is None
    assert identity.check_password("ghost", "mật khẩu đúng") is None
    assert identity.check_password("bot", "anything at all") is None
    # The same password typed with combining diacritics (another keyboard) is the same password.
    assert identity.check_password("lan", unicodedata.normalize("NFD", "mật khẩu đúng")) is not None

    stored = user_row(engine, "lan").password_hash
    assert stored.startswith("$argon2id$") and "mật khẩu" not in stored
    assert user_row(engine, "bot").password_hash is None

    identity.set_active("lan", False)
    assert identity.check_password("lan", "mật khẩu đúng") is None
    identity.set_active("lan", True)
    identity.set_password("lan", "mật khẩu mới 2025")
    assert identity.check_password("lan", "mật khẩu đúng") is None
    assert identity.check_password("lan", "mật khẩu mới 2025").user_id == "lan"
    identity.set_password("lan", None)
    assert identity.check_password("lan", "mật khẩu mới 2025") is None
    with pytest.raises(NotFoundError):
        identity.set_password("ghost", "long enough")
    with pytest.raises(IdentityError, match="at least 8"):
        identity.set_password("bot", "ngắn")


def test_a_failed_check_costs_one_verification_whoever_asks(engine):
    hasher = CountingHasher(**FAST)
    identity = IdentityService(engine.context, hasher)
    identity.create_user("lan", "Nguyễn Thị Lan", password="mật khẩu đúng")
    identity.create_user("nghi", "Phạm Văn Nghỉ", password="mật khẩu đúng")
    identity.set_active("nghi", False)
    identity.create_user("bot", "Máy chủ tích hợp")

    for user_id, password in [("lan", "sai mật khẩu"), ("ghost", "sai mật khẩu"), ("bot", "sai mật khẩu"),
                              ("nghi", "mật khẩu đúng"), ("x" * 500, "sai mật khẩu")]:
        before = hasher.verifications
        assert identity.check_password(user_id, password) is None
        assert hasher.verifications - before == 1, user_id


def test_password_is_rehashed_when_parameters_change(engine):
    IdentityService(engine.context, PasswordHasher(**FAST)).create_user("lan", "Nguyễn Thị Lan",
                                                                      password="mật khẩu đúng")
    old = user_row(engine, "lan").password_hash
    stronger = IdentityService(engine.context, PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert stronger.check_password("lan", "sai mật khẩu") is None
    assert user_row(engine, "lan").password_hash == old  # never on a failed check
    assert stronger.check_password("lan", "mật khẩu đúng") is not None
    new = user_row(engine, "lan").password_hash
    assert new != old and "t=2" in new and "m=16" in new
    assert stronger.check_password("lan", "mật khẩu đúng") is not None


def test_api_tokens(engine, identity):
    identity.create_group("tchcqt", "Phòng TCHCQT", "unit")
    identity.create_user("bot", "Máy chủ tích hợp", unit="tchcqt", groups=["tchcqt"])
    start = datetime(2025, 8, 8, 2, 0, tzinfo=timezone.utc)
    now = [start]
    engine.context.config.clock = lambda: now[0]

    secret = identity.create_token("bot", "Đồng bộ hồ sơ")
    assert secret.startswith("tdf_") and len(secret) > 40
    [token] = identity.list_tokens("bot")
    assert (token.name, token.created_at, token.last_used_at, token.revoked_at) == (
        "Đồng bộ hồ sơ", start, None, None)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    with engine.context.db.connect() as connection:
        stored = [str(v) for row in connection.execute(select(ApiToken.__table__)) for v in row]
    assert not any(secret in v or secret[4:] in v for v in stored)

    assert identity.authenticate_token(secret) == Principal("bot", "Máy chủ tích hợp", "tchcqt",
                                                            frozenset({"tchcqt"}))
    assert identity.list_tokens("bot")[0].last_used_at == start
    # Within a minute the stamp is not rewritten (reads stay reads); after that it is.
    now[0] = start + timedelta(seconds=30)
    assert identity.authenticate_token(secret) is not None
    assert identity.list_tokens("bot")[0].last_used_at == start
    now[0] = start + timedelta(minutes=5)
    assert identity.authenticate_token(secret) is not None
    assert identity.list_tokens("bot")[0].last_used_at == start + timedelta(minutes=5)

    for wrong in (secret + "x", secret[4:], "tdf_", "", None):
        assert identity.authenticate_token(wrong) is None

    identity.set_active("bot", False)
    assert identity.authenticate_token(secret) is None
    identity.set_active("bot", True)

    other = identity.create_token("bot", "Báo cáo")
    identity.revoke_token(token.id)
    identity.revoke_token(token.id)  # again: keeps the first time
    assert identity.authenticate_token(secret) is None
    assert identity.authenticate_token(other).user_id == "bot"
    tokens = {t.name: t for t in identity.list_tokens("bot")}
    assert tokens["Đồng bộ hồ sơ"].revoked_at == start + timedelta(minutes=5)
    assert tokens["Báo cáo"].revoked_at is None
    with pytest.raises(NotFoundError):
        identity.revoke_token("no-such-token")
    with pytest.raises(NotFoundError):
        identity.create_token("ghost", "x")
    with pytest.raises(IdentityError, match="token name"):
        identity.create_token("bot", "  ")


def test_api_token_expiry(engine, identity):
    identity.create_user("bot", "Máy chủ tích hợp")
    start = datetime(2025, 8, 8, 2, 0, tzinfo=timezone.utc)
    now = [start]
    engine.context.config.clock = lambda: now[0]
    secret = identity.create_token("bot", "Đợt thi đua 2025", expires_at=start + timedelta(days=30))
    assert identity.list_tokens("bot")[0].expires_at == start + timedelta(days=30)
    now[0] = start + timedelta(days=30, seconds=-1)
    assert identity.authenticate_token(secret).user_id == "bot"
    now[0] = start + timedelta(days=30)  # the moment it expires it no longer works
    assert identity.authenticate_token(secret) is None
    for wrong in (datetime(2026, 1, 1), "2026-01-01"):
        with pytest.raises(IdentityError, match="expiry"):
            identity.create_token("bot", "x", expires_at=wrong)
    assert len(identity.list_tokens("bot")) == 1


@pytest.mark.parametrize("user_id, display_name, options, message", [
    ("L", "Lan", {}, "invalid user name"),
    ("Lan", "Nguyễn Thị Lan", {}, "invalid user name"),
    ("nguyễn", "Nguyễn Thị Lan", {}, "invalid user name"),
    ("lan nguyen", "Nguyễn Thị Lan", {}, "invalid user name"),
    ("..", "Nguyễn Thị Lan", {}, "invalid user name"),
    ("-lan", "Nguyễn Thị Lan", {}, "invalid user name"),
    ("x" * 65, "Nguyễn Thị Lan", {}, "invalid user name"),
    ("lan", "   ", {}, "display name must not be empty"),
    ("lan", "Nguyễn Thị Lan", {"password": "ngắn"}, "at least 8"),
    ("lan", "Nguyễn Thị Lan", {"password": ""}, "at least 8"),
    ("lan", "Nguyễn Thị Lan", {"password": "LAN"}, "at least 8"),
    ("lanlanlan", "Nguyễn Thị Lan", {"password": "LanLanLan"}, "not be the user name"),
    ("lan", "Nguyễn Thị Lan", {"email": "lan at example"}, "e-mail"),
    ("lan", "Nguyễn Thị Lan", {"groups": ["designer", "ban-giam-doc", "kho"]}, "unknown groups: ban-giam-doc, kho"),
    ("lan", "Nguyễn Thị Lan", {"groups": "designer"}, "not one string"),
])
def test_bad_input_writes_nothing(engine, identity, user_id, display_name, options, message):
    identity.create_group("designer", "Người thiết kế", "role")
    before = counts(engine)
    with pytest.raises(IdentityError, match=message):
        identity.create_user(user_id, display_name, **options)
    assert counts(engine) == before


def test_names_are_stored_in_nfc(engine, identity):
    decomposed = unicodedata.normalize("NFD", "  Nguyễn Thị Lan ")
    assert decomposed.strip() != "Nguyễn Thị Lan"
    assert identity.create_user("lan", decomposed).display_name == "Nguyễn Thị Lan"
    assert user_row(engine, "lan").display_name == "Nguyễn Thị Lan"
    identity.create_group("hoi-dong", unicodedata.normalize("NFD", "Hội đồng"))
    assert identity.list_groups()[0].name == "Hội đồng"
    identity.create_group("hoi-dong", "Hội đồng")  # the same name, however it was typed


def test_duplicate_user_is_a_conflict(engine, identity):
    identity.create_user("lan", "Nguyễn Thị Lan", password="mật khẩu đúng")
    with pytest.raises(ConflictError, match="lan"):
        identity.create_user("lan", "Lê Thị Lan", password="mật khẩu khác")
    assert user_row(engine, "lan").display_name == "Nguyễn Thị Lan"
    assert identity.check_password("lan", "mật khẩu đúng") is not None
    assert counts(engine)["user_account"] == 1


def test_users_are_listed_in_the_default_order_without_a_collation(identity):
    for user_id, name in [("ba", "bé Ba"), ("an", "An"), ("anh", "Ánh")]:
        identity.create_user(user_id, name)
    assert [u.display_name for u in identity.list_users()] == ["An", "bé Ba", "Ánh"]  # case-folded text


def test_users_are_listed_by_given_name_with_the_offices_collation(database_url):
    # The Office's collation (workflows/vietnamese.py), reaching the engine through EngineConfig.name_order.
    with ProcessEngine(office_config(EngineConfig(database_url=database_url))) as engine:
        _list_by_given_name(engine.identity)


def _list_by_given_name(identity):
    for user_id, name in [("an", "Nguyễn Văn An"), ("binh", "Trần Thị Bình"), ("anh", "Lê Anh"),
                          ("dung", "Đỗ Dũng"), ("dung2", "Phạm Văn Dung"), ("an2", "Bùi Ân"),
                          ("cuong", "hoàng mạnh cường"), ("dat", "Vũ Đạt")]:
        identity.create_user(user_id, name)
    # Given name first, then middle and family names, in Vietnamese letter order (a < â, d < đ),
    # case ignored, the tone deciding between otherwise equal words.
    assert [u.display_name for u in identity.list_users()] == [
        "Nguyễn Văn An", "Lê Anh", "Bùi Ân", "Trần Thị Bình", "hoàng mạnh cường", "Phạm Văn Dung",
        "Đỗ Dũng", "Vũ Đạt"]
