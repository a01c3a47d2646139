"""Policies as data: schema, loader (with ``extends``), selection, condition language, linter."""
