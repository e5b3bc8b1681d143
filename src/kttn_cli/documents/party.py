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
- Tables are 12 pt: the sources found give no size for them, and seven columns of 14 pt
  do not fit a portrait page.

python-docx provides the package (styles, settings, the section, the properties); the
body is written as WordprocessingML text and parsed once. Built through python-docx's
element API, one cell at a time, the bundled plan's annex took 1.1 s on a busy machine,
most of it in XPath look-ups; as text, 0.2 s under the same load, most of that opening
the template and compressing the file. Every element follows the schema's order of
children, which Word enforces (it offers to repair a file otherwise).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from kttn_cli.core.text import visible
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
BODY_INDENT_MM = 10  # the first line of a body paragraph
BODY_AFTER_PT = 6  # between body paragraphs

Align = WD_ALIGN_PARAGRAPH
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_JC = {Align.LEFT: "left", Align.CENTER: "center", Align.RIGHT: "right", Align.JUSTIFY: "both"}
# Times New Roman in every script slot of a run: text pasted into another document keeps it.
_FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
_GRID = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)
_NO_GRID = "".join(
    f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _text(value: str) -> str:
    """Text as XML character data: escaped, and nothing XML cannot hold (control
    characters are shown as their code, as on a terminal)."""
    shown = visible(value).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
    return escape(shown)


def run_xml(
    text: str, size: int, *, bold: bool = False, italic: bool = False, underline: bool = False
) -> str:
    props = [_FONTS]
    if bold:
        props.append("<w:b/><w:bCs/>")
    if italic:
        props.append("<w:i/><w:iCs/>")
    props.append(f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>')
    if underline:
        props.append('<w:u w:val="single"/>')
    return (
        f'<w:r><w:rPr>{"".join(props)}</w:rPr><w:t xml:space="preserve">{_text(text)}</w:t></w:r>'
    )


def paragraph_xml(
    text: str,
    size: int,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH = Align.LEFT,
    first_line_mm: float = 0,
    after_pt: int = 0,
    keep_next: bool = False,
) -> str:
    props = ["<w:keepNext/>"] if keep_next else []
    props.append(f'<w:spacing w:before="0" w:after="{after_pt * 20}"/>')
    if first_line_mm:
        props.append(f'<w:ind w:firstLine="{twips(first_line_mm)}"/>')
    props.append(f'<w:jc w:val="{_JC[align]}"/>')
    props.append(f'<w:rPr><w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/></w:rPr>')
    run = run_xml(text, size, bold=bold, italic=italic, underline=underline) if text else ""
    return f"<w:p><w:pPr>{''.join(props)}</w:pPr>{run}</w:p>"


def cell_xml(width_mm: float, paragraphs: Sequence[str], span: int = 1) -> str:
    props = [f'<w:tcW w:w="{twips(width_mm)}" w:type="dxa"/>']
    if span > 1:
        props.append(f'<w:gridSpan w:val="{span}"/>')
    props.append('<w:vAlign w:val="center"/>')
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


def table_xml(
    widths_mm: Sequence[float], rows: Sequence[str], *, grid: bool, centred: bool = True
) -> str:
    """A table with fixed column widths (Word reads the cells' widths, LibreOffice the
    grid's: both are given)."""
    columns = "".join(f'<w:gridCol w:w="{twips(w)}"/>' for w in widths_mm)
    props = (
        f'<w:tblW w:w="{sum(twips(w) for w in widths_mm)}" w:type="dxa"/>'
        + ('<w:jc w:val="center"/>' if centred else "")
        + f"<w:tblBorders>{_GRID if grid else _NO_GRID}</w:tblBorders>"
        + '<w:tblLayout w:type="fixed"/>'
        + '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0"'
        + ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
    )
    return (
        f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{columns}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def row_xml(cells: Sequence[str], *, heading: bool = False) -> str:
    props = "<w:cantSplit/>" + ("<w:tblHeader/>" if heading else "")
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


class PartyDocument:
    """One document in the Party's format, built top to bottom."""

    def __init__(self, title: str) -> None:
        self.doc = new_document()
        self.title = title
        self.blocks: list[str] = []  # the body's paragraphs and tables, as XML
        self._drop_template_parts()
        self._page()
        self._fonts()

    # --- set-up -------------------------------------------------------------------------

    def _drop_template_parts(self) -> None:
        """Parts of python-docx's template that a document does not need: a thumbnail of
        the template's own sample page (which file managers would show for every
        document), a sample custom XML item, and Word 2010's second copy of the styles
        (half the size of the file, written and compressed for nothing)."""
        package_rels = self.doc.part.package.rels
        for rel_id, rel in list(package_rels.items()):
            if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
                del package_rels[rel_id]
        document_rels = self.doc.part.rels
        for rel_id, rel in list(document_rels.items()):
            if rel.reltype in (RELATIONSHIP_TYPE.CUSTOM_XML, _STYLES_WITH_EFFECTS):
                del document_rels[rel_id]

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        # The page number from the second page on, centred in the top margin.
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]._p
        header.getparent().replace(
            header,
            parse_xml(
                f'<w:p {nsdecls("w")}><w:pPr><w:jc w:val="center"/></w:pPr>'
                f'<w:fldSimple w:instr="PAGE">{run_xml("2", BODY_PT)}</w:fldSimple></w:p>'
            ),
        )

    def _fonts(self) -> None:
        """Times New Roman everywhere: the defaults of the document and its Normal style,
        for every script slot (Word picks the slot by character; a theme font left in
        one of them would show Vietnamese letters in Calibri)."""
        styles = self.doc.styles.element
        rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        assert rpr is not None
        _set_fonts(rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN" if language() == "vi" else "en-GB")
        spacing = styles.find(
            f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}"
        )
        if spacing is not None:
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr())

    # --- the header block -----------------------------------------------------------------

    def header_block(
        self, office: Office, number: str, place_date: str, subject: str | None = None
    ) -> None:
        """The issuing body and "Số …" on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place
        and date on the right; a công văn's subject ("V/v …") under its number."""
        lines = office.header_lines()
        left = [
            paragraph_xml(line, HEADER_PT, bold=index == len(lines) - 1, align=Align.CENTER)
            for index, line in enumerate(lines)
        ]
        left.append(paragraph_xml("*", HEADER_PT, align=Align.CENTER))
        left.append(paragraph_xml(number, NUMBER_PT, align=Align.CENTER))
        if subject:
            left.append(paragraph_xml(subject, LETTER_SUBJECT_PT, italic=True, align=Align.CENTER))
        right = [
            paragraph_xml(
                PARTY_TITLE, PARTY_TITLE_PT, bold=True, underline=True, align=Align.CENTER
            ),
            paragraph_xml("", PLACE_DATE_PT),
            paragraph_xml(place_date, PLACE_DATE_PT, italic=True, align=Align.CENTER),
        ]
        widths = (80, TEXT_WIDTH_MM - 80)
        cells = [cell_xml(widths[0], left), cell_xml(widths[1], right)]
        self.blocks.append(table_xml(widths, [row_xml(cells)], grid=False))
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
    ) -> None:
        """A line of its own (a heading keeps with what follows it)."""
        self.blocks.append(
            paragraph_xml(
                text,
                size,
                bold=bold,
                italic=italic,
                underline=underline,
                align=align,
                keep_next=bold,
            )
        )

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> None:
        """A body paragraph: justified, its first line indented, 6 pt after it."""
        self.blocks.append(
            paragraph_xml(
                text,
                BODY_PT,
                bold=bold,
                italic=italic,
                align=Align.JUSTIFY,
                first_line_mm=BODY_INDENT_MM,
                after_pt=BODY_AFTER_PT,
            )
        )

    def blank(self, size: int = BODY_PT) -> None:
        self.blocks.append(paragraph_xml("", size))

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths_mm: Sequence[float],
        *,
        centred: Sequence[int] = (),
        bands: Sequence[int] = (),
    ) -> None:
        """A numbered table with a grid, its heading row repeated on every page.

        `centred` are the columns whose cells are centred; `bands` the indexes of rows
        that head a group (one bold cell across the table). A cell's lines (split at
        "\\n") are paragraphs of their own.
        """
        heading = [
            cell_xml(w, [paragraph_xml(h, TABLE_PT, bold=True, align=Align.CENTER)])
            for h, w in zip(headers, widths_mm, strict=True)
        ]
        out = [row_xml(heading, heading=True)]
        for index, values in enumerate(rows):
            if index in bands:
                band = [paragraph_xml(values[0], TABLE_PT, bold=True, align=Align.CENTER)]
                out.append(row_xml([cell_xml(sum(widths_mm), band, span=len(widths_mm))]))
                continue
            cells = []
            for column, (text, width) in enumerate(zip(values, widths_mm, strict=True)):
                align = Align.CENTER if column in centred else Align.LEFT
                lines = [paragraph_xml(part, TABLE_PT, align=align) for part in text.split("\n")]
                cells.append(cell_xml(width, lines))
            out.append(row_xml(cells))
        self.blocks.append(table_xml(widths_mm, out, grid=True))
        self.blank()

    # --- the end --------------------------------------------------------------------------

    def closing(self, office: Office, recipients: Sequence[str]) -> None:
        """The list of recipients ("Nơi nhận:") on the left, the signature on the right."""
        left = [
            paragraph_xml(_("Recipients:"), RECIPIENTS_HEAD_PT, bold=True, underline=True),
            *(paragraph_xml(f"- {item}", RECIPIENTS_PT) for item in recipients),
        ]
        right = [
            paragraph_xml(title, SIGNATURE_PT, bold=True, align=Align.CENTER)
            for title in office.signature_titles()
        ]
        right += [paragraph_xml("", SIGNATURE_PT)] * 4  # the signature and the seal
        right.append(
            paragraph_xml(office.signature_name(), SIGNATURE_PT, bold=True, align=Align.CENTER)
        )
        widths = (75, TEXT_WIDTH_MM - 75)
        cells = [cell_xml(widths[0], left), cell_xml(widths[1], right)]
        self.blocks.append(table_xml(widths, [row_xml(cells)], grid=False))

    def to_bytes(self, as_of: date) -> bytes:
        """The .docx file, stamped with the as-of date (not the clock)."""
        body = self.doc.element.body
        section = body.sectPr
        assert section is not None
        fragment = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self.blocks)}</w:body>")
        for block in list(fragment):
            section.addprevious(block)
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


def _set_fonts(rpr: object) -> None:
    """Times New Roman in every slot of a style's rFonts, and no theme font."""
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
