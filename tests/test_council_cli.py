"""`thidua council set USER:ROLE ...` and `thidua council list`, on both databases."""
from __future__ import annotations

from datetime import date

from engine import EngineConfig, ProcessEngine
from tests.test_schema_and_cli import thidua
from workflows.council import Council
from workflows.staff_directory import Staff, StaffDirectory

PEOPLE = [("minhtb", "Trần Bình Minh", "lanh_dao"), ("hatp", "Phạm Thu Hà", "tchcqt"),
          ("hungnv", "Nguyễn Văn Hùng", "tong_hop"), ("cuongdm", "Đỗ Mạnh Cường", "kinh_te")]


def test_the_council_is_set_and_listed_from_the_command_line(database_url):
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:
        directory = StaffDirectory(engine.context.db)
        for code in ("lanh_dao", "tchcqt", "tong_hop", "kinh_te"):
            directory.upsert_unit(code, code, "phong")
        directory.save([Staff(i, name, unit, date(2000, 1, 1)) for i, name, unit in PEOPLE])
        engine.identity.ensure_group("council", "Hội đồng TĐKT", "role")
        for user_id, name, _ in PEOPLE[:3]:  # cuongdm has no portal account yet
            engine.identity.create_user(user_id, name)

    done = thidua("council", "set", "hungnv:member", "minhtb:chair", "hatp:secretary", "cuongdm:member",
                  database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "minhtb       Chủ tịch Hội đồng      Trần Bình Minh",
        "hatp         Ủy viên thư ký         Phạm Thu Hà",
        "cuongdm      Ủy viên                Đỗ Mạnh Cường",
        "hungnv       Ủy viên                Nguyễn Văn Hùng",
        "Hội đồng có 4 thành viên"]
    assert "cuongdm chưa có tài khoản" in done.stderr
    listed = thidua("council", "list", database_url=database_url)
    assert listed.returncode == 0 and listed.stdout == done.stdout

    refused = thidua("council", "set", "hatp:chair", "minhtb:chair", "ghost:member", "hungnv", database_url=database_url)
    assert refused.returncode == 1
    assert "lỗi: Không có cán bộ 'ghost' trong danh bạ. / There is no staff member 'ghost'." in refused.stderr
    assert "Vai trò '' của Nguyễn Văn Hùng không hợp lệ" in refused.stderr
    assert "Hội đồng phải có đúng một Chủ tịch (đang có 2). / The council needs exactly one chair (2 given)." in refused.stderr
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:  # nothing changed
        assert [s.staff_id for s in Council(engine.context.db).members()] == ["minhtb", "hatp", "cuongdm", "hungnv"]
        assert engine.identity.members("council") == ["hatp", "hungnv", "minhtb"]
