"""Write a thin notebook (markdown title + code cells that compose ftlib), without outputs.

Usage: python scripts/make_notebook.py OUT.ipynb "# title" "code cell" ["code cell" ...]
Cells whose text starts with "#" followed by a space are markdown. A cell starting with
"@parameters" is tagged as papermill's parameters cell (the marker line is dropped).
"""

import sys

import nbformat


def main(path: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for text in cells:
        if text.startswith("# "):
            nb.cells.append(nbformat.v4.new_markdown_cell(text))
        elif text.startswith("@parameters\n"):
            cell = nbformat.v4.new_code_cell(text.split("\n", 1)[1])
            cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
        else:
            nb.cells.append(nbformat.v4.new_code_cell(text))
    nbformat.write(nb, path)


if __name__ == "__main__":
    main(*sys.argv[1:])
