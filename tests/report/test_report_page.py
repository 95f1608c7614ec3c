"""The HTML access report, opened in a real browser: self-contained (nothing fetched),
the most exposed access listed first, a filter that narrows the table, one explanation
opened and read, and a 1280×800 screenshot kept as a test artifact (issue 14, item 5).
Rows here come from the engine over the example organization's snapshot."""

from __future__ import annotations

import re
from pathlib import Path

from policy_engine.analysis.resolve import Resolver
from policy_engine.report.graph import Edge, assume_graph_svg, layout
from policy_engine.report.html import ReportData, json_island, render_report
from policy_engine.report.tree import explanation_tree
from policy_engine.snapshot.load import load_snapshot
from policy_engine.whatif import parse_question

EXAMPLE = Path(__file__).parents[2] / "policy_engine" / "examples" / "org"
QUESTIONS = [
    ("public", "* s3:GetObject arn:aws:s3:::example-public-website/index.html "
               "when aws:SecureTransport = true", "Read"),
    ("cross-account", "444455556666:root s3:ListBucket arn:aws:s3:::example-legacy-media "
                      "when aws:SecureTransport = true", "List"),
    ("internal", "role/report-generator s3:PutObject arn:aws:s3:::example-prod-reports/may.pdf "
                 "when aws:SecureTransport = true", "Write"),
    ("internal", "role/kms-admin kms:ScheduleKeyDeletion "
                 "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
     "Write"),
]


def _rows() -> list[dict]:
    resolver = Resolver(load_snapshot([EXAMPLE / "snapshot.yaml"]))
    rows = []
    for number, (reach, text, level) in enumerate(QUESTIONS):
        question = parse_question(text)
        result = resolver.ask(question)
        assert result.allowed, text
        target = resolver.target(question.action, question.resource)
        rows.append({"id": number, "account": target.account or "", "principal":
                     resolver.caller(question.principal).request_principal,
                     "resource": question.resource, "level": level, "reach": reach,
                     "actions": [question.action], "statements": [
                         f"{result.verdict.deciding_policy} #{result.verdict.deciding_statement}"],
                     "explanations": [{"action": question.action,
                                       "tree": explanation_tree(result)}]})
    return rows


EDGES = [Edge("arn:aws:iam::111122223333:user/dev-alice",
              "arn:aws:iam::444455556666:role/deployer", "sts:AssumeRole"),
         Edge("arn:aws:iam::444455556666:role/deployer",
              "arn:aws:iam::111122223333:role/prod-deployer", "sts:AssumeRole"),
         Edge("arn:aws:iam::111122223333:role/prod-deployer",
              "arn:aws:iam::444455556666:role/deployer", "sts:AssumeRole")]


def test_the_report_is_self_contained_and_escapes_what_it_shows() -> None:
    hostile = {"id": 9, "account": "111122223333", "principal": "</script><b>x</b>",
               "resource": "arn:aws:s3:::b/<img src=x>", "level": "Read", "reach": "public",
               "actions": ["s3:GetObject"], "statements": [], "explanations": []}
    page = render_report(ReportData([*_rows(), hostile], EDGES, sources=["snapshot.yaml"]))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched
    assert "<script src" not in page and "<link" not in page
    assert "</script><b>" not in page and "<img src=x>" not in page
    assert "\\u003c/script\\u003e" in json_island({"a": "</script>"})
    assert page.index("exposed-section") < page.index("matrix-section")


def test_the_graph_reads_left_to_right_and_draws_cycles() -> None:
    placed = layout(EDGES)
    assert placed["arn:aws:iam::111122223333:user/dev-alice"].column == 0
    assert placed["arn:aws:iam::111122223333:role/prod-deployer"].column == 2
    svg = assume_graph_svg(EDGES)
    assert svg.count('class="edge"') == 3 and svg.count('class="node"') == 3


def test_the_report_in_a_browser(browser, artifacts: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = tmp_path / "report.html"
    page.write_text(render_report(ReportData(_rows(), EDGES, sources=["snapshot.yaml"])),
                    encoding="utf-8")
    browser.set_window_size(1280, 800)
    browser.get(page.as_uri())
    body = browser.find_element(By.ID, "matrix-body")
    rows = body.find_elements(By.TAG_NAME, "tr")
    assert len(rows) == 4
    assert rows[0].find_elements(By.TAG_NAME, "td")[0].text == "public"  # most exposed first
    assert browser.find_element(By.ID, "shown").text == "4 of 4 cells shown"
    Select(browser.find_element(By.ID, "filter-reach")).select_by_value("internal")
    assert browser.find_element(By.ID, "shown").text == "2 of 4 cells shown"
    browser.find_element(By.ID, "filter-text").send_keys("kms")
    visible = body.find_elements(By.TAG_NAME, "tr")
    assert len(visible) == 1 and "kms-admin" in visible[0].text
    visible[0].find_element(By.CSS_SELECTOR, "button.explain").click()
    panel = browser.find_element(By.ID, "explanation")
    assert panel.is_displayed()
    text = panel.text
    assert "kms:ScheduleKeyDeletion" in text and "allowed, decided by" in text
    assert "statement" in text  # the trace's statements, not only the verdict
    header = browser.find_elements(By.CSS_SELECTOR, "th[data-key='principal']")[0]
    header.click()
    assert "sorted" in header.get_attribute("class")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.assume-graph g.node")
    browser.save_screenshot(str(artifacts / "report-1280x800.png"))
    assert (artifacts / "report-1280x800.png").stat().st_size > 10_000
