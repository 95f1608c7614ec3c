"""Names and policy text in the report come from snapshots, so they are text in every
place they show: the table, the filters, the explanation panel and the graph. Opened in
a real browser, strings written as markup create no element and run no script; the
reader sees them literally (report.js writes with textContent only; html.py escapes)."""

from __future__ import annotations

from pathlib import Path

from policy_engine.report.graph import Edge
from policy_engine.report.html import ReportData, render_report

MARK = "window.__reportInjected=1"
IMG = f'<img src=x onerror="{MARK}">'
HOSTILE = {
    "id": "1\"><img src=x>", "account": f"1111{IMG}", "principal": f"</script>{IMG}",
    "resource": f"arn:aws:s3:::b/<svg onload=\"{MARK}\">", "level": f"Read{IMG}",
    "reach": f"public\"><b>{IMG}", "actions": [f"s3:Get<b>{IMG}"],
    "statements": [f"policy <!-- {IMG}"],
    "explanations": [{"action": f"s3:GetObject{IMG}", "tree": {
        "label": f"allowed {IMG}", "tone": f"allow\" onclick=\"{MARK}",
        "children": [{"label": f"<script>{MARK}</script>", "tone": "neutral"}]}}]}


def test_hostile_strings_are_text_in_the_browser(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    page = tmp_path / "report.html"
    page.write_text(render_report(ReportData(
        [HOSTILE], [Edge(f"arn:aws:iam::111122223333:user/{IMG}",
                         "arn:aws:iam::111122223333:role/<b>r</b>", "sts:AssumeRole")],
        title=f"report {IMG}", sources=[f"snap{IMG}.yaml"], notes=[f"note {IMG}"])),
        encoding="utf-8")
    browser.get(page.as_uri())
    [row] = browser.find_element(By.ID, "matrix-body").find_elements(By.TAG_NAME, "tr")
    assert HOSTILE["principal"] in row.text
    row.find_element(By.CSS_SELECTOR, "button.explain").click()
    panel = browser.find_element(By.ID, "explanation")
    assert f"<script>{MARK}</script>" in panel.text and HOSTILE["statements"][0] in panel.text
    assert browser.find_elements(By.CSS_SELECTOR, "img, b, svg [onload], [onerror]") == []
    assert browser.find_elements(By.TAG_NAME, "script") and all(
        s.get_attribute("id") in ("report-data", "") for s in
        browser.find_elements(By.TAG_NAME, "script"))
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 2
    assert browser.execute_script("return window.__reportInjected") is None
    assert browser.execute_script("return window.policyEngineReport.rows") == 1
