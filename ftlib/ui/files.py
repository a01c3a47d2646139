"""Files through the visitor's browser, never through the server's disk: a download is a link whose
content travels inside the page (a ``data:`` URL with the ``download`` attribute), so the file lands
in the visitor's own downloads folder; an upload (ipywidgets ``FileUpload``) is read from the
widget's memory. Nothing is written into the project tree or anywhere another visitor could see it:
each Voilà visitor has its own kernel, and these bytes live only in that kernel.

Readers that only take a path (the CLI's loaders, so that an upload fails with the CLI's one-line
error) get a private temporary folder (mode 0700) that is removed as soon as they return; the error
names the visitor's file, not the temporary path.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as w

from ftlib.errors import FtlibError

T = TypeVar("T")

#: An upload larger than this is refused before it is read (a case file is a few KB, a sheet of
#: cases well under a megabyte).
MAX_UPLOAD_BYTES = 5 * 2**20
MIME = {".yaml": "application/x-yaml", ".yml": "application/x-yaml", ".json": "application/json",
        ".csv": "text/csv", ".md": "text/markdown", ".txt": "text/plain", ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def safe_name(name: str) -> str:
    """A file name a browser can save under: no folders, no control characters."""
    name = Path(str(name).replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", name).strip(". ")
    return name or "download"


def download_html(data: bytes | str, filename: str, text: str, mime: str | None = None) -> str:
    """An ``<a download>`` link carrying ``data``; a click saves it as ``filename``."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    filename = safe_name(filename)
    mime = mime or MIME.get(Path(filename).suffix.lower(), "application/octet-stream")
    href = f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"
    return (f"<a class='ftlib-download' download='{html.escape(filename)}' href='{href}' "
            f"data-filename='{html.escape(filename)}'>{html.escape(text)}</a>")


def download_links(files: list[tuple[str, bytes | str]], text: Callable[[str], str]) -> str:
    """Several download links side by side; ``text(filename)`` is each link's text."""
    return " ".join(download_html(data, name, text(name)) for name, data in files)


def upload_widget(accept: str, description: str = "") -> w.FileUpload:
    """A FileUpload for one file of the types in ``accept`` (e.g. ``".yaml,.yml,.json"``)."""
    return w.FileUpload(accept=accept, multiple=False, description=description,
                        layout=w.Layout(width="auto"))


def uploaded(widget: w.FileUpload) -> tuple[str, bytes] | None:
    """The (file name, content) of the file in ``widget``, or None when there is none."""
    value = widget.value
    if not value:
        return None
    item: Any = value[0]
    name, content = safe_name(item["name"]), bytes(item["content"])
    if len(content) > MAX_UPLOAD_BYTES:
        raise FtlibError(f"{name}: {len(content):,} bytes: larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    return name, content


def read_upload(name: str, content: bytes, reader: Callable[[Path], T]) -> T:
    """``reader(path)`` on the uploaded bytes saved as ``name`` in a private temporary folder, which
    is removed afterwards. A FtlibError names ``name`` instead of the temporary path."""
    name = safe_name(name)
    folder = Path(tempfile.mkdtemp(prefix="ftlib-upload-"))  # 0700: this kernel's user only
    try:
        path = folder / name
        path.write_bytes(content)
        try:
            return reader(path)
        except FtlibError as err:
            message = str(err).replace(str(path), name).replace(str(folder) + "/", "")
            try:
                again = type(err)(message)
            except TypeError:  # a subclass with its own arguments
                again = FtlibError(message)
            raise again from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
