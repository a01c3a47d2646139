"""How a reader finds a clause in its own document: the article its source names (第十七条第一款
第（一）项), else the article its text opens with (（示例）第八条 …) — never the policy file's
clause id, which only the file knows."""

from __future__ import annotations

import re

from ftlib.policy.schema import Policy

_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇]+条(?:之[一二三四五六七八九十]+)?(?:第[一二三四五六七八九十]+款)?")


def article_of(policy: Policy, clause_id: str) -> str:
    """The article of ``clause_id`` in ``policy``'s document, or "" when neither says one."""
    clause = policy.clauses.get(clause_id)
    if clause is None:
        return ""
    if clause.source is not None and clause.source.article:
        return clause.source.article
    m = _ARTICLE.search(clause.zh[:20])
    return m.group(0) if m else ""


def article_mark(policy: Policy, clause_id: str) -> str:
    """"〔第十八条〕" to set before a clause's text, or "" where the text already opens with its
    article (or none is known)."""
    a = article_of(policy, clause_id)
    clause = policy.clauses.get(clause_id)
    return f"〔{a}〕" if a and clause is not None and a not in clause.zh[:30] else ""
