"""Case documents from a register case: .docx read back with python-docx, PDF read back with
pdftotext, and ``ftlib document`` on the command line.

The case (tests/register/helpers.py facts): a reform-pilot mistake under CN-DM-2022, received
2025-04-01 on the cadre's application, accepted 2025-04-02, investigated until 2025-04-25,
decided 2025-05-06 (exempt, as the engine recommends: grading row ``exempt``, Art. 8), written
feedback 2025-05-08, filed 2025-05-12. Expected values worked out by hand:

- investigation limit (CN-DM-2017's procedure, inherited): 20 working days from 2025-04-02:
  Apr 3 (1); Apr 4 is 清明 (holiday); Apr 7–11 (2–6), 14–18 (7–11), 21–25 (12–16); Sunday
  Apr 27 is a make-up working day for May Day (17); Apr 28, 29, 30 (18–20) → **2025年4月30日**.
- correction ``rectify`` (CN-DM-2022, 15 working days) from the decision on 2025-05-06 (May 1–5
  are the May Day holiday): May 7–9 (1–3), 12–16 (4–8), 19–23 (9–13), 26, 27 (14, 15)
  → **2025年5月27日**.
- appeal window (15 working days) from the feedback on 2025-05-08: May 9 (1), 12–16 (2–6),
  19–23 (7–11), 26–29 (12–15) → **2025年5月29日**.
- the exemption rests on Art. 8 of CN-DM-2022, quoted from ftlib/data/policies/cn-dm-2022.yaml.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "register"))

from helpers import DM_DECISION, D, make_case  # noqa: E402

from ftlib.documents import document_bytes, write_document  # noqa: E402
from ftlib.register import db  # noqa: E402
from ftlib.register import procedure as pr  # noqa: E402
from ftlib.register.decisions import record_decision  # noqa: E402

ART8 = ("（示例）第八条　符合第七条条件、后果不超过轻微，且程序完备或者损失已全部挽回的，免予问责；"
        "符合第七条条件的其他情形，从轻或者减轻问责。")
ART11 = "（示例）第十一条　容错的同时必须纠错：责令限期整改，造成损失的限期挽回。"
FINDINGS = "该干部在改革试点中因缺乏经验造成轻微损失，已全部挽回。"
DEPARTURE = "损失虽已挽回，但在当地造成一定负面舆论。"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "register.sqlite"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    with db.session_scope(url) as s:
        pr.open_case(s, make_case("T-1"), channel="cadre_application", received_on=D(2025, 4, 1),
                     actor="申请人", cadre_id="C-0001")
        pr.accept(s, "T-1", D(2025, 4, 2), "纪委办公室")
        pr.start_investigation(s, "T-1", D(2025, 4, 3), "核查组")
        pr.append(s, "T-1", "investigated", D(2025, 4, 25), "核查组", {"findings": FINDINGS})
        record_decision(s, "T-1", on=D(2025, 5, 6), actor="常委会", outcome="exempt", **DM_DECISION)
        pr.send_feedback(s, "T-1", D(2025, 5, 8), "纪委办公室")
        pr.file_with_higher(s, "T-1", D(2025, 5, 12), "纪委办公室", to="上级纪委监委")
        pr.open_case(s, make_case("T-2", jurisdiction="CN", conduct_date="2024-03-10"), channel="unit_application",
                     received_on=D(2025, 4, 1), actor="申请单位", cadre_id="C-0002")
        pr.refuse(s, "T-2", D(2025, 4, 3), "纪委办公室", reason="申请事项已在问责决定中处理完毕。")
        pr.open_case(s, make_case("T-3"), channel="ex_officio", received_on=D(2025, 4, 1), actor="纪委监委",
                     cadre_id="C-0003")
        pr.accept(s, "T-3", D(2025, 4, 1), "纪委办公室")
        pr.start_investigation(s, "T-3", D(2025, 4, 3), "核查组")
        pr.finish_investigation(s, "T-3", D(2025, 4, 25), "核查组")
        record_decision(s, "T-3", on=D(2025, 5, 6), actor="常委会", outcome="mitigated",
                        departure_reason=DEPARTURE, handling_imposed=["party_warning"], **DM_DECISION)
        pr.send_feedback(s, "T-3", D(2025, 5, 8), "纪委办公室")
    yield url
    db.dispose(url)


def docx_text(data: bytes, tmp_path: Path) -> str:
    import docx

    f = tmp_path / "d.docx"
    f.write_bytes(data)
    d = docx.Document(str(f))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for r in t.rows for c in r.cells]
    return "\n".join(parts)


def flat(s: str) -> str:
    """Text without line breaks and spaces (pdftotext breaks lines where the page does)."""
    return re.sub(r"\s+", "", s)


def test_opinion_docx_states_disposition_clauses_and_deadlines(register, tmp_path):
    name, data = document_bytes("T-1", "opinion", "docx", register)
    assert name == "T-1_容错纠错认定意见.docx"
    text = docx_text(data, tmp_path)
    assert "容错纠错认定意见" in text
    assert "示例省容认〔2025〕T-1号" in text
    assert "C-0001同志及所在单位：" in text
    assert FINDINGS in text
    assert "认定为：免予问责（符合免责条件）" in text
    assert "处理方式：批评教育、谈话提醒。" in text
    # exempt, following the engine, whose row leaves only 批评教育/谈话提醒 (no period in handling.yaml: 0)
    assert "客观公正评价，不影响考核评优和选拔任用。" in text and "影响期" not in text
    assert "应到9人，实到7人，赞成6票，反对1票，弃权0票；已会商省委组织部" in text
    assert "与本认定一致" in text
    assert ART8 in text and ART11 in text
    assert not re.search(r"〔[a-z][a-z0-9_]*〕", text)   # no clause id of the policy file
    assert "状态：示例性" in text
    assert "自2025年5月6日起15个工作日内完成，即2025年5月27日前" in text
    assert "2025年5月6日" in text.splitlines()  # the date line of the signature block: the decision's day
    assert "示例文书" in text  # CN-DM-2022 is illustrative: said on the document's face
    for factor in ("动机态度", "客观条件", "程序方法", "性质程度", "后果影响", "挽回损失"):
        assert factor in text


def test_acceptance_feedback_and_filing_carry_their_deadlines(register, tmp_path):
    acc = docx_text(document_bytes("T-1", "acceptance", "docx", register)[1], tmp_path)
    assert "C-0001同志：" in acc
    assert "你于2025年4月1日提出的容错纠错申请收悉" in acc
    assert "20个工作日内（2025年4月30日前）" in acc
    fb = docx_text(document_bytes("T-1", "feedback", "docx", register)[1], tmp_path)
    assert "认定结论：免予问责" in fb and ART8 in fb
    assert "即2025年5月27日前" in fb
    assert "15个工作日内（2025年5月29日前）提出申诉" in fb
    filing = docx_text(document_bytes("T-1", "filing", "docx", register)[1], tmp_path)
    assert "上级纪委监委：" in filing
    for cell in ("容错纠错认定情况备案表", "T-1", "C-0001", "干部本人申请", "2025年4月2日", "2025年5月6日", "免予问责",
                 "应到9人，实到7人；赞成6票，反对1票，弃权0票", "限期整改，消除不良影响，15个工作日内，2025年5月27日前",
                 "2025年5月8日", "2025年5月12日"):
        assert cell in filing, cell


def test_refusal_under_an_official_policy_has_no_illustrative_banner(register, tmp_path):
    text = docx_text(document_bytes("T-2", "refusal", "docx", register)[1], tmp_path)
    assert "不予受理通知书" in text
    assert "C-0002同志所在单位：" in text and "你单位于2025年4月1日" in text
    assert "理由如下：申请事项已在问责决定中处理完毕。" in text
    # CN-2019 (official): appeal window 15 working days from 2025-04-03: Apr 4 is 清明, Apr 7–11
    # (1–5), 14–18 (6–10), 21–25 (11–15) → 2025-04-25.
    assert "15个工作日内（2025年4月25日前）" in text
    assert "示例文书" not in text


def test_a_departure_states_the_committees_reason_and_its_own_aftercare(register, tmp_path):
    """T-3: the committee decides 从轻或减轻 where the engine recommends exemption and imposes a
    Party warning: its impact period is the warning's, 12 months (ftlib/data/handling.yaml, from
    the CDI regulations office's answer), not a figure per outcome; CN-DM-2022's after-care for
    ``mitigated`` adds the follow-up visit within 30 working days."""
    op = docx_text(document_bytes("T-3", "opinion", "docx", register)[1], tmp_path)
    assert "认定为：减责（从轻或减轻问责）。" in op
    assert "符合免责条件" not in op  # the engine's row is not the ground of a departing decision
    assert f"系统依据政策规则给出的建议为“免责（不予问责或免予问责）”，本认定与之不一致，理由是：{DEPARTURE}" in op
    assert "处理方式：批评教育、谈话提醒" not in op
    assert "实际给予的处理：党内警告。" in op
    assert "影响期：12个月。" in op and "影响期：3个月。" not in op and "跟踪回访：30个工作日内进行。" in op
    assert "依职权启动" in op
    fb = docx_text(document_bytes("T-3", "feedback", "docx", register)[1], tmp_path)
    assert "认定结论：减责（从轻或减轻问责）。" in fb and "影响期：12个月。" in fb


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) not installed")
def test_opinion_pdf_has_the_same_chinese_text(register, tmp_path):
    pdf = write_document("T-1", "opinion", tmp_path / "opinion.pdf", register)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for s in ("容错纠错认定意见", "示例省容认〔2025〕T-1号", "认定为：免予问责（符合免责条件）", ART8, ART11,
              "即2025年5月27日前", "示例文书", FINDINGS):
        assert flat(s) in text, s


def test_cli_writes_a_document_and_refuses_bad_input_in_one_line(register, tmp_path):
    out = tmp_path / "op.docx"
    ok = subprocess.run([sys.executable, "-m", "ftlib", "document", "T-1", "--kind", "opinion", "--to", str(out),
                         "--database", register], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ART8 in docx_text(out.read_bytes(), tmp_path)
    for args, words in ((["T-9", "--kind", "opinion"], "no such case"),
                        (["T-1", "--kind", "verdict"], "not one of acceptance"),
                        (["T-2", "--kind", "opinion"], "no decided event yet")):
        bad = subprocess.run([sys.executable, "-m", "ftlib", "document", *args, "--to", str(tmp_path / "x.docx"),
                              "--database", register], capture_output=True, text=True)
        assert bad.returncode == 2
        assert len(bad.stderr.strip().splitlines()) == 1 and words in bad.stderr, bad.stderr
    assert not (tmp_path / "x.docx").exists()
