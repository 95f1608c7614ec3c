// The access report's behaviour: filter, sort, explain. Every value from the data is
// written with textContent, never as HTML: ARNs and policy text come from snapshots.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const rows = data.rows;
  const REACH_ORDER = { "public": 0, "outside-organization": 1, "cross-account": 2, "internal": 3 };
  const COLUMNS = ["reach", "account", "principal", "resource", "level", "actions"];
  const state = { key: "reach", direction: 1 };
  const body = document.getElementById("matrix-body");
  const shown = document.getElementById("shown");
  const filters = {
    text: document.getElementById("filter-text"),
    account: document.getElementById("filter-account"),
    level: document.getElementById("filter-level"),
    reach: document.getElementById("filter-reach"),
  };

  function options(select, values) {
    for (const value of [...new Set(values)].sort()) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    }
  }
  options(filters.account, rows.map((r) => r.account));
  options(filters.level, rows.map((r) => r.level));
  options(filters.reach, rows.map((r) => r.reach));

  function value(row, key) {
    if (key === "reach") return REACH_ORDER[row.reach] ?? 9;
    if (key === "actions") return row.actions.length;
    return row[key] || "";
  }

  function compare(a, b) {
    const x = value(a, state.key), y = value(b, state.key);
    if (x < y) return -state.direction;
    if (x > y) return state.direction;
    // Ties: the most exposed first, then by principal and resource.
    return (REACH_ORDER[a.reach] - REACH_ORDER[b.reach]) ||
      a.principal.localeCompare(b.principal) || a.resource.localeCompare(b.resource);
  }

  function matches(row) {
    const text = filters.text.value.trim().toLowerCase();
    if (filters.account.value && row.account !== filters.account.value) return false;
    if (filters.level.value && row.level !== filters.level.value) return false;
    if (filters.reach.value && row.reach !== filters.reach.value) return false;
    if (!text) return true;
    return [row.principal, row.resource, row.account, ...row.actions]
      .some((field) => field.toLowerCase().includes(text));
  }

  function cell(tr, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function render() {
    const visible = rows.filter(matches).sort(compare);
    body.replaceChildren();
    for (const row of visible) {
      const tr = document.createElement("tr");
      tr.dataset.id = row.id;
      cell(tr, row.reach, "reach reach-" + row.reach);
      cell(tr, row.account);
      cell(tr, row.principal, "arn");
      cell(tr, row.resource, "arn");
      cell(tr, row.level);
      const listed = row.actions.slice(0, 3).join(", ");
      cell(tr, row.actions.length > 3 ? listed + ` (+${row.actions.length - 3})` : listed);
      const td = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "explain";
      button.textContent = "explain";
      button.addEventListener("click", () => explain(row));
      td.appendChild(button);
      tr.appendChild(td);
      body.appendChild(tr);
    }
    shown.textContent = `${visible.length} of ${rows.length} cells shown`;
    for (const th of document.querySelectorAll("th[data-key]")) {
      th.classList.toggle("sorted", th.dataset.key === state.key);
      th.dataset.direction = th.dataset.key === state.key ? String(state.direction) : "";
    }
  }

  function tree(node) {
    const li = document.createElement("li");
    const span = document.createElement("span");
    span.textContent = node.label;
    span.className = "tone-" + (node.tone || "neutral");
    li.appendChild(span);
    if (node.children && node.children.length) {
      const ul = document.createElement("ul");
      for (const child of node.children) ul.appendChild(tree(child));
      li.appendChild(ul);
    }
    return li;
  }

  function explain(row) {
    const panel = document.getElementById("explanation");
    const heading = document.createElement("h2");
    heading.textContent = `${row.principal} → ${row.resource} (${row.level})`;
    const parts = [heading];
    const granted = document.createElement("p");
    granted.textContent = "Granting statements: " + (row.statements.join("; ") || "none named");
    parts.push(granted);
    for (const item of row.explanations) {
      const h3 = document.createElement("h3");
      h3.textContent = item.action;
      const ul = document.createElement("ul");
      ul.className = "trace";
      ul.appendChild(tree(item.tree));
      parts.push(h3, ul);
    }
    panel.replaceChildren(...parts);
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }

  for (const th of document.querySelectorAll("th[data-key]")) {
    th.addEventListener("click", () => {
      state.direction = state.key === th.dataset.key ? -state.direction : 1;
      state.key = th.dataset.key;
      render();
    });
  }
  // Typing filters as it goes; a select filters on change. The text box must not also
  // listen for change: that fires on blur, re-rendering the rows under a click.
  filters.text.addEventListener("input", render);
  for (const select of [filters.account, filters.level, filters.reach]) {
    select.addEventListener("change", render);
  }
  render();
  window.policyEngineReport = { columns: COLUMNS, rows: rows.length };
})();
