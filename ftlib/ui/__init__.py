"""Widget apps used by the notebooks (notebooks/*.ipynb): each module builds its widgets from
the vocabulary and the policies and keeps all logic out of the notebook cells."""
