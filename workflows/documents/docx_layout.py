"""The decree's layout (Nghị định 30/2020/NĐ-CP, Phụ lục I) in python-docx, with docxtpl tags for
the data: the pieces build_templates.py puts together into each kind's default template.

Tags: {{ x }} in a run; a paragraph `{%p for p in body %}` … `{%p endfor %}` repeats what is between;
a table row `{%tr for r in rows %}` … `{%tr endfor %}` repeats its rows. Each tag sits in a run of
its own, so Word keeps it whole when the Office edits around it.
"""
from __future__ import annotations

from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from workflows.vietnamese import nfc
from workflows.documents.official import FONT, PAGE, TEXT_WIDTH_MM, column_widths_mm

BODY, SMALL, NOTE = Pt(FONT["body_pt"]), Pt(FONT["small_pt"]), Pt(12)
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT
# What follows w:pBdr in a w:pPr (ECMA-376 CT_PPrBase).
PPR_AFTER_BORDER = tuple(f"w:{name}" for name in (
    "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange"))


def new_document():
    """A4 portrait, the decree's margins, Times New Roman 14 pt; page numbers from page 2."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE["width_mm"]), Mm(PAGE["height_mm"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top_mm"]), Mm(PAGE["bottom_mm"])
    section.left_margin, section.right_margin = Mm(PAGE["left_mm"]), Mm(PAGE["right_mm"])
    section.header_distance = section.footer_distance = Mm(10)
    for name in ("Normal", "Table Grid", "Header"):
        style = doc.styles[name]
        style.font.name, style.font.size = FONT["name"], BODY
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT["name"])
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(6), 1.0
    _page_numbers(section)
    core = doc.core_properties  # fixed, so a rebuild gives the same parts
    core.author = core.last_modified_by = "ThiDua Flow"
    core.comments, core.revision = "", 1
    core.created = core.modified = datetime(2025, 1, 1)
    return doc


def _page_numbers(section) -> None:
    """The decree numbers pages from the second, centred in the top margin: the first page has a
    header of its own (empty); the others carry a PAGE field."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        run.font.size = BODY
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            run.text = text
    section.first_page_header.paragraphs[0].text = ""


def paragraph(container, *parts, align=JUSTIFY, size=BODY, bold=False, italic=False, indent=False, after=None):
    """One paragraph of runs; a part is text, or (text, {"bold": True, ...}) for a run of its own."""
    para = container.add_paragraph()
    para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Mm(10)
    if after is not None:
        para.paragraph_format.space_after = Pt(after)
    for part in parts:
        text, style = part if isinstance(part, tuple) else (part, {})
        run = para.add_run(nfc(text))
        run.font.size = style.get("size", size)
        run.bold = style.get("bold", bold)
        run.italic = style.get("italic", italic)
        run.underline = style.get("underline", False)
    return para


def tag(container, text: str):
    """A paragraph holding one docxtpl paragraph tag ({%p … %}): it disappears when rendered."""
    return paragraph(container, text, align=LEFT, after=0)


def repeated(container, items: str, line: str = "{{ p }}", **style):
    """A paragraph repeated for each item of the list `items` (the loop variable is `p`)."""
    tag(container, "{%p for p in " + items + " %}")
    paragraph(container, line, **style)
    tag(container, "{%p endfor %}")


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    # Word wants tblPr's children in the schema's order: the borders before shading, layout, look.
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def rule(paragraph, indent_mm: float) -> None:
    """The short line the decree draws under the issuer's name and under the motto: a top border
    on an empty paragraph, shortened by its indents."""
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(indent_mm)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        top.set(qn(key), value)
    borders.append(top)
    # Word wants pPr's children in the schema's order: the border before spacing, indents, jc.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *PPR_AFTER_BORDER)


def _cell(cell, *paragraphs):
    """Fills a cell: each item is (text-or-parts, options for paragraph())."""
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    for parts, options in paragraphs:
        paragraph(cell, *(parts if isinstance(parts, list) else [parts]), **{"align": CENTER, "after": 0, **options})


def header(doc, number: bool = True) -> None:
    """The two-column block: issuer (parent, name in bold) and số/ký hiệu on the left; quốc hiệu,
    tiêu ngữ and the italic place-and-date line on the right."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borderless(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(TEXT_WIDTH_MM - 62)
    _cell(left, ("{{ issuer.parent }}", {"size": SMALL}), ("{{ issuer.name }}", {"size": SMALL, "bold": True}),
          ("", {"size": SMALL}),
          *([(["Số: ", "{{ number }}"], {"size": SMALL})] if number else []))
    _cell(right, ("{{ national_title }}", {"size": SMALL, "bold": True}),
          ("{{ motto }}", {"bold": True}), ("", {"size": SMALL}),
          ("{{ place_and_date }}", {"italic": True}))
    rule(left.paragraphs[2], 18)
    rule(right.paragraphs[2], 24)
    paragraph(doc, "", after=0)


def title(doc, kind_name: str = "{{ kind_name }}", summary: str = "{{ summary }}") -> None:
    paragraph(doc, kind_name, align=CENTER, bold=True, after=0)
    paragraph(doc, summary, align=CENTER, bold=True)


def addressee(doc) -> None:
    tag(doc, "{%p if addressee %}")
    paragraph(doc, "Kính gửi: ", "{{ addressee }}", align=CENTER)
    tag(doc, "{%p endif %}")


def list_table(doc, table: dict) -> None:
    """A bordered list: the column titles (plain text the Office may reword), then one row per
    item of the context list named `table["name"]`, cell by cell from the columns' keys."""
    columns = table["columns"]
    grid = doc.add_table(rows=4, cols=len(columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for index, width in enumerate(column_widths_mm([c["key"] for c in columns])):
        for row in grid.rows:
            row.cells[index].width = Mm(width)
    texts = [[c["title"] for c in columns], ["{%tr for r in " + table["name"] + " %}"] + [""] * (len(columns) - 1),
             ["{{ r." + c["key"] + " }}" for c in columns], ["{%tr endfor %}"] + [""] * (len(columns) - 1)]
    for row_index, (row, values) in enumerate(zip(grid.rows, texts)):
        for cell, value in zip(row.cells, values):
            _cell(cell, (value, {"size": SMALL, "bold": row_index == 0,
                                 "align": LEFT if row_index == 2 and value.endswith(("name }}", "text }}")) else CENTER}))
    _repeat_header(grid.rows[0])


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def signature(doc, recipients: bool = True, left: tuple[str, str] | None = None) -> None:
    """Nơi nhận (bold italic 12 pt, the list in 11 pt) on the left — or a second signer `left`
    (title key, name key) — and quyền hạn, chức vụ, họ tên of the signer on the right."""
    paragraph(doc, "", after=0)
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _borderless(table)
    first, second = table.rows[0].cells
    first.width, second.width = Mm(80), Mm(TEXT_WIDTH_MM - 80)
    blank = ("", {})
    if left:
        _cell(first, ("{{ " + left[0] + " }}", {"bold": True}), blank, blank, blank, ("{{ " + left[1] + " }}", {"bold": True}))
    elif recipients:
        _cell(first, ("Nơi nhận:", {"bold": True, "italic": True, "size": NOTE, "align": LEFT}),
              ("{%p for p in recipients %}", {"align": LEFT, "size": Pt(11)}),
              (["- ", "{{ p }}"], {"align": LEFT, "size": Pt(11)}),
              ("{%p endfor %}", {"align": LEFT, "size": Pt(11)}))
    else:
        _cell(first, blank)
    _cell(second, ("{{ signer.authority }}", {"bold": True}), ("{{ signer.title }}", {"bold": True}),
          blank, blank, blank, ("{{ signer.name }}", {"bold": True}))


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
