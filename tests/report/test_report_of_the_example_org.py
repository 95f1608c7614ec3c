"""`policy-engine report` on the example organization, opened in headless Chromium: the
page is the real matrix (every cell the engine allows, public ones first), a filter
narrows it, an explanation opens with the engine's trace of that decision, and the
assume-role graph draws the deployment chain the README documents (rows 9-12,
policy_engine/examples/org/README.md; cross-account role assumption needs both the trust
policy and the caller's policy:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
A 1280×800 screenshot is kept as a test artifact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policy_engine.cli.app import main

ORG = Path(__file__).parents[2] / "policy_engine" / "examples" / "org" / "snapshot.yaml"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[dict]]:
    page = tmp_path_factory.mktemp("report") / "report.html"
    with pytest.raises(SystemExit) as exited:
        main(["report", "--env", str(ORG), "-o", str(page)])
    assert exited.value.code in (0, None)
    text = page.read_text(encoding="utf-8")
    island = re.search(r'<script type="application/json" id="report-data">(.*?)</script>',
                       text, re.S)
    assert island is not None
    return page, json.loads(island.group(1))["rows"]


def test_the_report_holds_the_matrix_most_exposed_first(report) -> None:
    page, rows = report
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched
    assert len(rows) > 100
    assert rows[0]["reach"] == "public" and rows[0]["principal"] in (
        "*", "any principal of another account")
    reaches = [r["reach"] for r in rows]
    assert reaches == sorted(reaches, key=["public", "outside-organization", "cross-account",
                                           "internal"].index)
    assert all(e["tree"]["label"].startswith("allowed") for r in rows for e in r["explanations"])
    deployer = "arn:aws:iam::444455556666:role/deployer"
    assert f'data-name="{deployer}"' in text  # a node of the assume-role graph


def test_the_report_in_a_browser(report, browser, artifacts: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page, rows = report
    browser.set_window_size(1280, 800)
    browser.get(page.as_uri())
    shown = browser.find_element(By.ID, "shown")
    assert shown.text == f"{len(rows)} of {len(rows)} cells shown"
    body = browser.find_element(By.ID, "matrix-body")
    first = body.find_elements(By.TAG_NAME, "tr")[0]
    assert first.find_elements(By.TAG_NAME, "td")[0].text == "public"
    public = sum(1 for r in rows if r["reach"] == "public")
    Select(browser.find_element(By.ID, "filter-reach")).select_by_value("public")
    assert shown.text == f"{public} of {len(rows)} cells shown"
    Select(browser.find_element(By.ID, "filter-reach")).select_by_value("")
    browser.find_element(By.ID, "filter-text").send_keys("prod-deployer")
    Select(browser.find_element(By.ID, "filter-level")).select_by_value("Write")
    visible = [r for r in body.find_elements(By.TAG_NAME, "tr") if "deployer" in r.text
               and "444455556666:role/deployer" in r.text]
    assert visible, "the deployer → prod-deployer hop is a cell"
    visible[0].find_element(By.CSS_SELECTOR, "button.explain").click()
    panel = browser.find_element(By.ID, "explanation")
    assert panel.is_displayed()
    assert "sts:AssumeRole" in panel.text and "allowed, decided by" in panel.text
    assert "trust" in panel.text  # the trace names the trust policy that took part
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.assume-graph path.edge")) >= 3
    browser.save_screenshot(str(artifacts / "report-example-org-1280x800.png"))
    assert (artifacts / "report-example-org-1280x800.png").stat().st_size > 10_000
