"""Administration: admins only; users, units, roles and the staff directory import, where bad input
gets a clear message and changes nothing."""
from __future__ import annotations

import base64
import io
import re
import unicodedata

import pytest

from tests.portal.conftest import PASSWORD

HEADER = "Mã cán bộ,Họ và tên,Đơn vị,Ngày bắt đầu công tác tại Văn phòng,Xếp loại 2024"
GOOD_CSV = f"{HEADER}\r\nthuy,Hoàng Thị Thủy,tong_hop,01/09/2014,Hoàn thành tốt nhiệm vụ\r\n" \
           f"lan,Nguyễn Thị Lan,Phòng Tổng hợp,01/09/2012,Hoàn thành xuất sắc nhiệm vụ\r\n"
BAD_ROWS_CSV = f"{HEADER}\r\nthuy,Hoàng Thị Thủy,tong_hop,31/02/2014,\r\nkhoa,Đinh Văn Khoa,khong_co,01/01/2010,\r\n"


def account(portal, user_id):
    return next((u for u in portal.engine.identity.list_users() if u.id == user_id), None)


def staff_ids(portal) -> set[str]:
    from web.composition import staff_directory
    return {s.id for s in staff_directory(portal.engine).list_staff(include_inactive=True)}


def upload_staff(client, name, content: bytes):
    return client.post("/admin/staff-import", {"file": [(io.BytesIO(content), name)]},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("user", ["designer", "officer", "head_a", "chief"])
def test_only_admins_administer(portal, user):
    client = portal.login(user)
    for url in ("/admin/users", "/admin/users/lan", "/admin/units", "/admin/roles", "/admin/staff-import"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/users", {"user_id": "mallory", "display_name": "Mallory"}).status_code == 403
    assert client.post("/admin/users/lan/active", {"active": "0"}).status_code == 403
    assert account(portal, "mallory") is None and account(portal, "lan").active
    assert 'href="/admin/users"' not in client.get("/inbox").get_data(as_text=True)


@pytest.mark.parametrize("language, words", [
    ("vi", ["Người dùng", "Đơn vị", "Vai trò", "Nhập danh bạ cán bộ", "Thêm người dùng"]),
    ("en", ["Users", "Units", "Roles", "Staff directory import", "Add user"]),
])
def test_every_admin_page_in_both_languages(portal, language, words):
    client = portal.login("admin")
    client.post("/language", {"language": language})
    pages = "".join(client.get(url).get_data(as_text=True)
                    for url in ("/admin/users", "/admin/users/lan", "/admin/units", "/admin/roles",
                                "/admin/staff-import"))
    assert all(word in pages for word in words)
    assert "Nguyễn Thị Lan" in pages and "Phòng Kinh tế" in pages and "Hội đồng TĐKT" in pages


def test_create_a_user_with_unit_and_roles_and_refuse_bad_ones(portal):
    client = portal.login("admin")
    created = client.post("/admin/users", [("user_id", "thuy"), ("display_name", "Hoàng Thị Thủy"),
                                           ("unit", "tong_hop"), ("groups", "staff"), ("groups", "council"),
                                           ("password", "mật-khẩu-mới-1")])
    assert created.status_code == 302
    principal = portal.engine.identity.principal("thuy")
    assert principal.unit == "tong_hop" and principal.groups == {"staff", "council", "unit:tong_hop"}
    assert portal.login("thuy", "mật-khẩu-mới-1").get("/inbox").status_code == 200

    users = len(portal.engine.identity.list_users())
    for bad in ({"user_id": "Bad Name!", "display_name": "X"}, {"user_id": "thuy", "display_name": "Trùng tên"},
                {"user_id": "khoa", "display_name": "Đinh Văn Khoa", "unit": "khong_co"},
                {"user_id": "khoa", "display_name": "   "}):
        response = client.post("/admin/users", bad)
        assert response.status_code == 400, bad
        assert 'id="admin-error"' in response.get_data(as_text=True)
    assert len(portal.engine.identity.list_users()) == users
    assert portal.engine.identity.principal("thuy").display_name == "Hoàng Thị Thủy"


def test_edit_unit_and_roles_together_and_refuse_bad_input(portal):
    client = portal.login("admin")
    moved = client.post("/admin/users/lan", [("display_name", "Nguyễn Thị Lan"), ("unit", "kinh_te"),
                                             ("groups", "staff"), ("groups", "unit:tong_hop")])
    assert moved.status_code == 302
    principal = portal.engine.identity.principal("lan")
    # The unit group follows the unit: a checked unit:... box is not a role.
    assert principal.unit == "kinh_te" and principal.groups == {"staff", "unit:kinh_te"}
    for bad in ({"display_name": "", "unit": "tong_hop"}, {"display_name": "Lan", "unit": "khong_co"},
                {"display_name": "Lan", "email": "not-an-email"}):
        assert client.post("/admin/users/lan", bad).status_code == 400, bad
    assert portal.engine.identity.principal("lan") == principal
    assert client.post("/admin/users/nobody", {"display_name": "X"}).status_code == 404


def test_deactivate_activate_and_reset_a_password(portal):
    client = portal.login("admin")
    assert client.post("/admin/users/lan/active", {"active": "0"}).status_code == 302
    assert not account(portal, "lan").active
    assert portal.client().post("/login", {"username": "lan", "password": PASSWORD}).status_code != 302
    assert client.post("/admin/users/admin/active", {"active": "0"}).status_code == 400  # not oneself
    assert account(portal, "admin").active
    client.post("/admin/users/lan/active", {"active": "1"})
    assert account(portal, "lan").active

    page = client.post("/admin/users/lan/password").get_data(as_text=True)
    password = re.search(r'id="new-password">[^<]*<code class="fs-5">([^<]+)</code>', page).group(1)
    assert portal.client().post("/login", {"username": "lan", "password": PASSWORD}).status_code == 401
    assert portal.login("lan", password).get("/inbox").status_code == 200


def test_units_and_roles(portal):
    client = portal.login("admin")
    assert client.post("/admin/units", {"code": "thong_tin", "name": "Trung tâm Thông tin"}).status_code == 302
    assert client.post("/admin/groups/unit:thong_tin/name", {"name": "Trung tâm Thông tin tỉnh"}).status_code == 302
    assert client.post("/admin/roles", {"group_id": "secretary", "name": "Thư ký Hội đồng"}).status_code == 302
    groups = {g.id: (g.name, g.type) for g in portal.engine.identity.list_groups()}
    assert groups["unit:thong_tin"] == ("Trung tâm Thông tin tỉnh", "unit")
    assert groups["secretary"] == ("Thư ký Hội đồng", "role")
    assert "Trung tâm Thông tin tỉnh" in client.get("/admin/units").get_data(as_text=True)

    for url, data in (("/admin/units", {"code": "", "name": "X"}), ("/admin/units", {"code": "unit:x", "name": "X"}),
                      ("/admin/units", {"code": "kinh_te", "name": "Tên khác"}),
                      ("/admin/roles", {"group_id": "unit:x", "name": "X"}),
                      ("/admin/roles", {"group_id": "Có dấu", "name": "X"}),
                      ("/admin/groups/secretary/name", {"name": "  "})):
        assert client.post(url, data).status_code == 400, (url, data)
    assert {g.id: (g.name, g.type) for g in portal.engine.identity.list_groups()} == groups
    assert client.post("/admin/groups/nothing/name", {"name": "X"}).status_code == 404


def test_names_typed_decomposed_are_stored_composed(portal):
    client = portal.login("admin")
    decomposed = unicodedata.normalize("NFD", "Hoàng Thị Thủy")
    client.post("/admin/users", {"user_id": "thuy", "display_name": decomposed, "unit": "tong_hop"})
    client.post("/admin/groups/unit:kinh_te/name", {"name": unicodedata.normalize("NFD", "Phòng Kinh tế Ngành")})
    assert account(portal, "thuy").display_name == "Hoàng Thị Thủy"
    assert {g.id: g.name for g in portal.engine.identity.list_groups("unit")}["unit:kinh_te"] == "Phòng Kinh tế Ngành"


def test_staff_import_previews_then_writes(portal):
    client = portal.login("admin")
    before = staff_ids(portal)
    preview = upload_staff(client, "danh-ba.csv", GOOD_CSV.encode())
    assert preview.status_code == 200, preview.get_data(as_text=True)[-3000:]
    page = preview.get_data(as_text=True)
    assert 'id="staff-preview"' in page and "Hoàng Thị Thủy" in page and 'id="staff-apply"' in page
    assert "01/09/2014" in page
    assert staff_ids(portal) == before  # a preview writes nothing
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    applied = client.post("/admin/staff-import/apply", {"content": content, "filename": "danh-ba.csv"})
    assert applied.status_code == 302
    assert staff_ids(portal) == before | {"thuy"}
    assert "1 cán bộ mới, 1 cập nhật" in client.get("/admin/staff-import").get_data(as_text=True)


def test_staff_import_row_errors_and_refused_files_write_nothing(portal):
    client = portal.login("admin")
    before = staff_ids(portal)
    page = upload_staff(client, "danh-ba.csv", BAD_ROWS_CSV.encode()).get_data(as_text=True)
    assert 'id="staff-errors"' in page and 'id="staff-apply"' not in page
    assert "Dòng 2" in page and "Dòng 3" in page and "Row 2" not in page
    client.post("/language", {"language": "en"})
    english = upload_staff(client, "danh-ba.csv", BAD_ROWS_CSV.encode()).get_data(as_text=True)
    assert "Row 2: the office start date &#39;31/02/2014&#39; is invalid" in english and "Dòng 2" not in english
    assert "Row 3: the unit &#39;khong_co&#39; is not in the list of units" in english
    refused = upload_staff(client, "danh-ba.pdf", b"%PDF-1.4").get_data(as_text=True)
    assert "is neither CSV nor XLSX" in refused and "không phải CSV" not in refused
    client.post("/language", {"language": "vi"})
    # The same file posted straight to the confirmation is checked again and refused.
    forced = client.post("/admin/staff-import/apply", {"content": base64.b64encode(BAD_ROWS_CSV.encode()).decode(),
                                                       "filename": "danh-ba.csv"})
    assert forced.status_code == 400 and 'id="admin-error"' in forced.get_data(as_text=True)
    for name, content in (("danh-ba.pdf", b"%PDF-1.4"), ("danh-ba.csv", "Họ và tên\r\nA\r\n".encode()),
                          ("danh-ba.xlsx", b"not a zip")):
        response = upload_staff(client, name, content)
        assert response.status_code == 400, name
        assert 'id="admin-error"' in response.get_data(as_text=True)
    assert upload_staff(client, "", b"").status_code == 400
    assert client.post("/admin/staff-import/apply", {"content": "%%%", "filename": "x.csv"}).status_code == 400
    assert staff_ids(portal) == before


def test_the_identity_edits_behind_the_pages_on_both_databases(engine):
    """update_user and rename_group, which the admin pages call, on SQLite and PostgreSQL."""
    from engine.errors import NotFoundError
    from engine.identity.service import IdentityError
    identity = engine.identity
    for group, kind in (("staff", "role"), ("council", "role"), ("unit:tong_hop", "unit"), ("unit:kinh_te", "unit")):
        identity.ensure_group(group, group, kind)
    identity.create_user("an", "Le Van An", unit="kinh_te", groups=["staff", "unit:kinh_te"])
    identity.update_user("an", display_name="Lê Văn An", email="an@sonla.gov.vn", unit="tong_hop",
                         groups=["staff", "council", "unit:tong_hop"])
    principal = identity.principal("an")
    assert (principal.display_name, principal.unit) == ("Lê Văn An", "tong_hop")
    assert principal.groups == {"staff", "council", "unit:tong_hop"}
    for bad in ({"display_name": " ", "groups": []}, {"display_name": "An", "groups": ["khong_co"]},
                {"display_name": "An", "email": "not-an-email", "groups": []}):
        with pytest.raises((IdentityError, NotFoundError)):
            identity.update_user("an", **bad)
    assert identity.principal("an") == principal
    with pytest.raises(NotFoundError):
        identity.update_user("nobody", display_name="X")
    identity.rename_group("unit:kinh_te", "Phòng Kinh tế - Ngành")
    assert {g.id: g.name for g in identity.list_groups("unit")}["unit:kinh_te"] == "Phòng Kinh tế - Ngành"
    with pytest.raises(IdentityError):
        identity.rename_group("unit:kinh_te", "")
    with pytest.raises(NotFoundError):
        identity.rename_group("nothing", "X")
