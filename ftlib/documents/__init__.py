"""Case documents (容错纠错文书) produced from a case's events and its determination: the
acceptance and refusal notices, the determination opinion, the written feedback and the
filing form, as .docx (docxtpl, templates in ``ftlib/data/templates``) and PDF (the same
content as HTML through :func:`ftlib.pdf.html_to_pdf`). ``write_document`` is the one entry
point; ``ftlib document CASE_ID --kind opinion --to FILE`` calls it."""

from ftlib.documents.render import KINDS, document_bytes, write_document

__all__ = ["KINDS", "document_bytes", "write_document"]
