"""The Office's Vietnamese collation: given name first, Vietnamese letter order, tones breaking ties."""
from __future__ import annotations

import unicodedata

from workflows.vietnamese import person_sort_key as name_sort_key


def test_name_sort_key_is_vietnamese_collation():
    assert name_sort_key("ĐẶNG THỊ ĐÀO")[0] == name_sort_key("Đặng Thị Đào")[0]  # case is ignored
    # Middle name before family name, as DOMAIN.md asks: Trần Anh Tuấn before Nguyễn Văn Tuấn.
    assert sorted(["Nguyễn Văn Tuấn", "Trần Anh Tuấn"], key=name_sort_key) == ["Trần Anh Tuấn", "Nguyễn Văn Tuấn"]
    # Vietnamese letter order breaks ties of folded text: An before Ân.
    assert sorted(["Lê Thị Ân", "Lê Thị An"], key=name_sort_key) == ["Lê Thị An", "Lê Thị Ân"]
    assert name_sort_key(unicodedata.normalize("NFD", "Lê Anh")) == name_sort_key("Lê Anh")
    assert sorted(["Trần Thị Bình", "Lê Anh", "Nguyễn Văn An"], key=name_sort_key) == [
        "Nguyễn Văn An", "Lê Anh", "Trần Thị Bình"]
    # Names that fold alike keep one order whatever order they come in.
    assert sorted(["Lê Ân", "Lê An"], key=name_sort_key) == sorted(["Lê An", "Lê Ân"], key=name_sort_key)
