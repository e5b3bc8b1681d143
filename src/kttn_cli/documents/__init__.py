"""The office's own documents: the synthesis annex and reminder letters (Word), the board
workbook (Excel).

- `office`: what a document needs and kttn cannot know (the issuing office's header, the
  number, the signer), left as dotted blanks when not given.
- `party`: the Party's document format (Hướng dẫn 36-HD/VPTW, 2018) with python-docx.
- `annex`: `kttn report`, the annex of a consolidating milestone's synthesis report.
- `letters`: `kttn letters`, one công văn đôn đốc per unit (`letter_docx`).
- `workbook`: the board as an Excel workbook with xlsxwriter.
- `archive`: fixed timestamps inside the archives, so the same inputs give the same bytes.

Everything here takes core objects (the plan, judged obligations, the as-of date) and
returns bytes; nothing reads files, settings, the clock or the environment. The document
libraries are imported only by the commands that write documents.
"""
