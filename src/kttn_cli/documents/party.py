"""The format of a Party document, in Word (python-docx).

Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng, "thể thức và kỹ
thuật trình bày văn bản của Đảng". What is used here, and where it was read:

- Paper and font: A4 (210 × 297 mm); Vietnamese Unicode (TCVN 6909:2001), Times New
  Roman (summary of the guide by the Party office of Vinh University,
  https://vpdangdoan.vinhuni.edu.vn/thong-bao-van-ban/seo/huong-dan-ve-the-thuc-va-ky-thuat-trinh-bay-van-ban-cua-dang-86250).
- Margins: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; the smaller value of
  each range is used, which leaves the widest text for the tables.
- Sizes and styles, from the guide's Phụ lục 3 "Mẫu trình bày thể thức văn bản" (as
  reproduced by https://thuvienphapluat.vn/hoi-dap-phap-luat/iframe/40E84-hd-mau-trinh-bay-the-thuc-van-ban-va-ban-sao-van-ban-cua-dang.html):
  "ĐẢNG CỘNG SẢN VIỆT NAM" capitals 15 pt bold (a line under it: underlined here); the
  body above the issuing body capitals 14 pt upright, the issuing body capitals 14 pt
  bold; "Số …" 14 pt; place and date 14 pt italic; the document type capitals 15–16 pt
  bold (16 here) and its subject 14–15 pt bold (14); a công văn's subject ("V/v …") 12 pt
  italic; the body 14–15 pt (14, which is also within the 13–14 pt of the state format).
- Not read in the sources found, taken from the task's statement of the guide:
  "Nơi nhận:" 14 pt bold underlined with its items in 12 pt; the signature block (the
  authority and the title in capitals, the name) 14 pt bold; the page number from the
  second page, centred in the top margin.
- Tables are 12 pt: the guide gives no size for them, and seven columns of 14 pt do not
  fit a portrait page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document as new_document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from kttn_cli.documents.archive import repack, stamp
from kttn_cli.documents.office import Office
from kttn_cli.i18n import _, language

FONT = "Times New Roman"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15

PARTY_TITLE_PT = 15
HEADER_PT = 14
NUMBER_PT = 14
PLACE_DATE_PT = 14
DOC_TYPE_PT = 16
SUBJECT_PT = 14
LETTER_SUBJECT_PT = 12
BODY_PT = 14
TABLE_PT = 12
RECIPIENTS_HEAD_PT = 14
RECIPIENTS_PT = 12
SIGNATURE_PT = 14

Align = WD_ALIGN_PARAGRAPH


class PartyDocument:
    """One document in the Party's format, built top to bottom."""

    def __init__(self, title: str) -> None:
        self.doc = new_document()
        self.title = title
        self._drop_thumbnail()
        self._page()
        self._fonts()

    # --- set-up -------------------------------------------------------------------------

    def _drop_thumbnail(self) -> None:
        # python-docx's template carries a thumbnail of its own sample page, which file
        # managers would show for every document.
        rels = self.doc.part.package.rels
        for rel_id, rel in list(rels.items()):
            if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
                del rels[rel_id]

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # The page number from the second page on, centred in the top margin.
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = Align.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    def _fonts(self) -> None:
        """Times New Roman everywhere: the defaults of the document and its Normal style,
        for every script slot (Word picks the slot by character; a theme font left in
        one of them would show Vietnamese letters in Calibri)."""
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        assert defaults is not None
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        assert rpr is not None
        _set_fonts(rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN" if language() == "vi" else "en-GB")
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is not None:
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr())

    # --- the header block -----------------------------------------------------------------

    def header_block(
        self, office: Office, number: str, place_date: str, subject: str | None = None
    ) -> None:
        """The issuing body and "Số …" on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place
        and date on the right; a công văn's subject ("V/v …") under its number."""
        table = self._layout_table((80, TEXT_WIDTH_MM - 80))
        left, right = table.rows[0].cells
        lines = office.header_lines()
        first = True
        for index, line in enumerate(lines):
            last = index == len(lines) - 1
            self._cell_line(left, line, HEADER_PT, bold=last, first=first)
            first = False
        self._cell_line(left, "*", HEADER_PT)
        self._cell_line(left, number, NUMBER_PT)
        if subject:
            self._cell_line(left, subject, LETTER_SUBJECT_PT, italic=True)
        self._cell_line(right, PARTY_TITLE, PARTY_TITLE_PT, bold=True, underline=True, first=True)
        self._cell_line(right, "", PLACE_DATE_PT)
        self._cell_line(right, place_date, PLACE_DATE_PT, italic=True)
        self.blank()

    def title_block(self, doc_type: str, subject: str) -> None:
        """The document type in capitals, its subject under it, a short line below."""
        self.line(doc_type.upper(), DOC_TYPE_PT, bold=True, align=Align.CENTER)
        self.line(subject, SUBJECT_PT, bold=True, align=Align.CENTER)
        self.line("-----", BODY_PT, align=Align.CENTER)

    # --- the body -------------------------------------------------------------------------

    def line(
        self,
        text: str,
        size: int = BODY_PT,
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        align: WD_ALIGN_PARAGRAPH = Align.LEFT,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = align
        _run(paragraph, text, size, bold=bold, italic=italic, underline=underline)
        return paragraph

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> Paragraph:
        """A body paragraph: justified, its first line indented, 6 pt after it."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = Align.JUSTIFY
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Mm(10)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        _run(paragraph, text, BODY_PT, bold=bold, italic=italic)
        return paragraph

    def blank(self, size: int = BODY_PT) -> None:
        self.line("", size)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths_mm: Sequence[float],
        *,
        centred: Sequence[int] = (),
        bands: Sequence[int] = (),
    ) -> Table:
        """A numbered table with a grid, its heading row repeated on every page.

        `centred` are the columns whose cells are centred; `bands` the indexes of rows
        that head a group (one bold cell across the table).
        """
        table: Table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fixed_layout(table, widths_mm)
        heading = table.rows[0]
        _repeat_heading(heading._tr)
        for index, text in enumerate(headers):
            cell = heading.cells[index]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            self._cell_line(cell, text, TABLE_PT, bold=True, align=Align.CENTER, first=True)
        for number, values in enumerate(rows, start=1):
            cells = table.rows[number].cells
            if number - 1 in bands:
                merged = cells[0].merge(cells[-1])
                self._cell_line(merged, values[0], TABLE_PT, bold=True, first=True)
                continue
            for index, text in enumerate(values):
                align = Align.CENTER if index in centred else Align.LEFT
                cells[index].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                self._cell_text(cells[index], text, align)
        self.doc.add_paragraph()
        return table

    # --- the end --------------------------------------------------------------------------

    def closing(self, office: Office, recipients: Sequence[str]) -> None:
        """The list of recipients ("Nơi nhận:") on the left, the signature on the right."""
        table = self._layout_table((75, TEXT_WIDTH_MM - 75))
        left, right = table.rows[0].cells
        self._cell_line(
            left,
            _("Recipients:"),
            RECIPIENTS_HEAD_PT,
            bold=True,
            underline=True,
            align=Align.LEFT,
            first=True,
        )
        for item in recipients:
            self._cell_line(left, f"- {item}", RECIPIENTS_PT, align=Align.LEFT)
        first = True
        for title in office.signature_titles():
            self._cell_line(right, title, SIGNATURE_PT, bold=True, align=Align.CENTER, first=first)
            first = False
        for _blank in range(4):  # room for the signature and the seal
            self._cell_line(right, "", SIGNATURE_PT)
        self._cell_line(right, office.signature_name(), SIGNATURE_PT, bold=True, align=Align.CENTER)

    def to_bytes(self, as_of: date) -> bytes:
        """The .docx file, stamped with the as-of date (not the clock)."""
        when = stamp(as_of)
        naive = when.replace(tzinfo=None)
        props = self.doc.core_properties
        props.title = self.title[:255]
        props.subject = ""
        props.author = "kttn"
        props.last_modified_by = "kttn"
        props.comments = ""
        props.keywords = ""
        props.revision = 1
        props.language = "vi-VN" if language() == "vi" else "en-GB"
        props.created = naive
        props.modified = naive
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return repack(buffer.getvalue(), when)

    # --- helpers --------------------------------------------------------------------------

    def _layout_table(self, widths_mm: Sequence[float]) -> Table:
        """A one-row table without borders, for blocks set side by side."""
        table: Table = self.doc.add_table(rows=1, cols=len(widths_mm))
        _fixed_layout(table, widths_mm)
        return table

    def _cell_line(
        self,
        cell: _Cell,
        text: str,
        size: int,
        *,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
        align: WD_ALIGN_PARAGRAPH = Align.CENTER,
        first: bool = False,
    ) -> None:
        """A line in a cell; the first one reuses the paragraph every cell starts with."""
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        paragraph.alignment = align
        _run(paragraph, text, size, bold=bold, italic=italic, underline=underline)

    def _cell_text(self, cell: _Cell, text: str, align: WD_ALIGN_PARAGRAPH) -> None:
        """A table cell's text; each line of it a paragraph of its own."""
        for index, part in enumerate(text.split("\n")):
            self._cell_line(cell, part, TABLE_PT, align=align, first=index == 0)


def _run(
    paragraph: Paragraph,
    text: str,
    size: int,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None
    run.underline = underline or None
    _set_fonts(run._r.get_or_add_rPr())


def _set_fonts(rpr: object) -> None:
    """Times New Roman in every slot of a run's or style's rFonts, and no theme font."""
    from docx.oxml.xmlchemy import BaseOxmlElement

    assert isinstance(rpr, BaseOxmlElement)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _fixed_layout(table: Table, widths_mm: Sequence[float]) -> None:
    """Column widths that Word and LibreOffice both keep (a fixed layout and a width on
    every cell: Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _repeat_heading(tr: object) -> None:
    from docx.oxml.xmlchemy import BaseOxmlElement

    assert isinstance(tr, BaseOxmlElement)
    tr_pr = tr.find(qn("w:trPr"))
    if tr_pr is None:
        tr_pr = OxmlElement("w:trPr")
        tr.insert(0, tr_pr)
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)
