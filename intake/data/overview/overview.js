// index.html: search, filters, sorting, totals and paging over every testimony, offline.
// Allowed by its sha256 in the page's Content-Security-Policy; reads the two JSON blocks the
// page embeds (never executed) and builds the page with the DOM. Testimony is untrusted: it is
// only ever set with textContent, never as HTML, and shown with dir="auto" so right-to-left or
// bidi-control text cannot reorder what is around it.
"use strict";
(function () {
  const started = performance.now();
  const defs = JSON.parse(document.getElementById("defs").textContent);
  const text = document.getElementById("rows").textContent.trim();
  const rows = text ? JSON.parse("[" + text.split("\n").join(",") + "]") : [];
  const T = defs.t;
  const Q = defs.questions;
  const PAGE = 100;
  const byId = new Map(Q.map((q) => [q.id, q]));
  const withPurpose = (p) => Q.find((q) => q.purpose === p) || null;
  const qConsent = withPurpose("consent_scope");
  const qContact = withPurpose("contact");
  const qDate = withPurpose("incident_date");
  const qPlace = withPurpose("place");
  const optionMaps = new Map(Q.map((q) => [q.id, new Map(q.options)]));
  const choiceQs = Q.filter((q) => ["choice", "multi_choice", "yes_no"].includes(q.type));
  const collator = new Intl.Collator(defs.lang);
  const fill = (s, values) => s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const fold = (s) => s.normalize("NFC").replace(/\p{Cf}/gu, "").toLocaleLowerCase();
  const number = (n) => n.toLocaleString(defs.lang);

  // ── DOM helpers: text only ──────────────────────────────────────────────────────────────
  // A paragraph separator (U+2029, U+001C–U+001E, U+0085; U+2028 and CR for good measure) ends
  // the bidi paragraph, and with it every isolation around it: a witness's U+2029 before U+202E
  // reversed the text after it. They are shown as visible marks instead, wherever text goes in.
  const breaks = /[\r\x1c-\x1e\x85\u2028\u2029]/g;
  const mark = (s) => String(s).replace(breaks, (c) => "[U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "]");
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = mark(value);
      else if (key === "class") node.className = value;
      else if (key === "title") node.title = mark(value);
      else if (key in node && key !== "list") node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(mark(child)) : child);
      }
    }
    return node;
  }
  const witness = (value, lang) => el("bdi", { dir: "auto", lang: lang, text: value });
  const isolated = (s) => "\u2068" + s + "\u2069"; // FSI … PDI: a <bdi> inside a title

  // ── Rows: what search, filters and totals need, computed once ──────────────────────────
  function answer(row, q) {
    const found = q && row._ans.get(q.id);
    return found && !found.skipped && found.value !== null ? found : null;
  }
  function choices(row, q) {
    const a = answer(row, q);
    if (!a) return null;
    if (q.type === "yes_no") return [a.value ? "yes" : "no"];
    return Array.isArray(a.value) ? a.value.map(String) : [String(a.value)];
  }
  function optionLabel(q, id, seen) {
    if (q.type === "yes_no") return id === "yes" ? T.yes : T.no;
    const found = optionMaps.get(q.id).get(id); // a Map: 50,000 chosen ids once took 38 s
    return found !== undefined ? found : seen || id;
  }
  function labelsOf(row, q) {
    const ids = choices(row, q);
    if (!ids) return [];
    const seen = row._ans.get(q.id).labels || [];
    return ids.map((id, i) => optionLabel(q, id, seen[i]));
  }
  function dateOf(row) {
    const a = answer(row, qDate);
    if (!a || typeof a.value !== "string") return null;
    const parts = a.value.split("-");
    const start = [parts[0], parts[1] || "01", parts[2] || "01"].join("-");
    const end = [parts[0], parts[1] || "12", parts[2] || "31"].join("-");
    return { text: a.value, start: start, end: end, month: parts.length > 1 ? start.slice(0, 7) : parts[0] };
  }
  function placeOf(row) {
    const a = answer(row, qPlace);
    if (!a) return "";
    const v = a.value;
    if (typeof v === "string") return v.trim();
    if (v && typeof v === "object") return "text" in v ? String(v.text) : v.latitude + ", " + v.longitude;
    return "";
  }
  for (const row of rows) {
    row._ans = new Map(row.a.map((a) => [a[0], { type: a[1], value: a[2], labels: a[3], skipped: a[4] }]));
    const words = [row.r, row.id];
    for (const [qid, , value, labels, skipped] of row.a) {
      if (skipped || value === null) continue;
      const q = byId.get(qid);
      if (typeof value === "string" || typeof value === "number") words.push(String(value));
      else if (value && !Array.isArray(value) && typeof value === "object") words.push(placeOfValue(value));
      if (labels) words.push(...labels);
      if (q && ["choice", "multi_choice", "yes_no"].includes(q.type)) words.push(...labelsOf(row, q));
    }
    for (const f of row.f) words.push(f[1]);
    row._search = fold(words.join("\n"));
    row._date = dateOf(row);
    row._place = placeOf(row);
    row._placeKey = fold(row._place).replace(/\s+/g, " ");
    row._consent = choices(row, qConsent);
    row._sensitive = Q.filter((q) => q.sensitive && answer(row, q)).map((q) => q.short);
  }
  const receipts = new Map();
  for (const row of rows) receipts.set(row.r, (receipts.get(row.r) || 0) + 1);
  function placeOfValue(v) {
    return "text" in v ? String(v.text) : v.latitude + ", " + v.longitude;
  }

  // ── State, filtering, sorting ──────────────────────────────────────────────────────────
  const state = { terms: [], from: "", to: "", place: "", consent: "", files: false,
    sensitive: false, answers: new Map(), sort: "submitted", dir: -1, page: 0, totalsOf: "" };
  let shown = rows;

  function matches(row) {
    for (const term of state.terms) if (!row._search.includes(term)) return false;
    if (state.from && (!row._date || row._date.end < state.from)) return false;
    if (state.to && (!row._date || row._date.start > state.to)) return false;
    if (state.place && row._placeKey !== state.place) return false;
    if (state.consent === "-") {
      if (row._consent && row._consent.length) return false;
    } else if (state.consent && !(row._consent || []).includes(state.consent)) return false;
    if (state.files && !row.f.length) return false;
    if (state.sensitive && !row._sensitive.length) return false;
    for (const [qid, option] of state.answers) {
      if (!(choices(row, byId.get(qid)) || []).includes(option)) return false;
    }
    return true;
  }
  const sortKeys = {
    receipt: (r) => r.r,
    incident: (r) => (r._date ? r._date.start : ""),
    place: (r) => r._placeKey,
    submitted: (r) => r.t,
    language: (r) => r.l,
    files: (r) => r.f.length,
  };
  function sortRows(list) {
    const key = sortKeys[state.sort];
    const dir = state.dir;
    const compare = state.sort === "place" ? collator.compare : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    return list
      .map((r) => [key(r), r])
      .sort((a, b) => dir * compare(a[0], b[0]) || (a[1].id < b[1].id ? -1 : 1))
      .map((pair) => pair[1]);
  }

  // Follow-up (issue 13): a testimony whose witness took a code carries its case "link"; an
  // addition ("add") carries the link of the testimony it adds to and is listed under it. An
  // addition whose link matches no testimony in this folder stays in the list, marked unlinked.
  const originals = new Set(rows.filter((r) => r.link && !r.add).map((r) => r.link));
  const additionsOf = new Map();
  for (const r of rows) {
    if (!r.add || !originals.has(r.link)) continue;
    if (!additionsOf.has(r.link)) additionsOf.set(r.link, []);
    additionsOf.get(r.link).push(r);
  }
  for (const list of additionsOf.values()) list.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const listed = (r) => !(r.add && originals.has(r.link));
  function related(row) {
    return (!row.add && row.link && additionsOf.get(row.link)) || [];
  }

  // ── Page ────────────────────────────────────────────────────────────────────────────────
  const app = document.getElementById("app");
  app.replaceChildren();
  app.append(el("h1", { text: T.ov_title }), el("p", { class: "note", text: fill(T.ov_note, { total: number(rows.length), built: defs.built }) }));
  for (const ref of defs.unknown) {
    app.append(el("p", { class: "warn", text: fill(T.unknown_questionnaire, { questionnaire: ref.replace("@", " v") }) }));
  }
  const controls = el("section", { class: "controls", "aria-label": T.ov_search });
  const search = el("input", { type: "search", id: "search", placeholder: T.ov_search, "aria-label": T.ov_search, dir: "auto" });
  const from = el("input", { type: "date", id: "from", "aria-label": T.ov_from });
  const to = el("input", { type: "date", id: "to", "aria-label": T.ov_to });
  const place = el("select", { id: "place", "aria-label": T.ov_place });
  const consent = el("select", { id: "consent", "aria-label": T.ov_consent });
  const files = el("input", { type: "checkbox", id: "files" });
  const sensitive = el("input", { type: "checkbox", id: "sensitive" });
  const clear = el("button", { type: "button", id: "clear", text: T.ov_clear });
  place.append(el("option", { value: "", text: T.ov_place + ": " + T.ov_any }));
  const places = new Map();
  for (const row of rows) {
    if (!row._placeKey) continue;
    const entry = places.get(row._placeKey) || { text: row._place, count: 0 };
    entry.count += 1;
    places.set(row._placeKey, entry);
  }
  [...places.entries()].sort((a, b) => b[1].count - a[1].count || collator.compare(a[0], b[0]))
    .slice(0, 500)
    .forEach(([key, entry]) => place.append(el("option", { value: key, text: entry.text.slice(0, 80) + " (" + number(entry.count) + ")" })));
  consent.append(el("option", { value: "", text: T.ov_consent + ": " + T.ov_any }));
  if (qConsent) {
    for (const [id, label] of qConsent.options) consent.append(el("option", { value: id, text: label }));
    consent.append(el("option", { value: "-", text: T.ov_none_given }));
  } else consent.disabled = true;
  controls.append(
    el("div", { class: "row" }, search),
    el("div", { class: "row" },
      el("label", {}, T.ov_from + " ", from), el("label", {}, T.ov_to + " ", to), place, consent,
      el("label", {}, files, " " + T.ov_has_files), el("label", {}, sensitive, " " + T.ov_sensitive_only), clear),
  );
  const byAnswer = el("details", { id: "by-answer" }, el("summary", { text: T.ov_by_answer }));
  const answerGrid = el("div", { class: "grid" });
  for (const q of choiceQs) {
    const select = el("select", { "data-question": q.id, "aria-label": q.short });
    select.append(el("option", { value: "", text: T.ov_any }));
    const ids = q.type === "yes_no" ? [["yes", T.yes], ["no", T.no]] : q.options;
    for (const [id, label] of ids) select.append(el("option", { value: id, text: label }));
    answerGrid.append(el("label", { class: q.sensitive ? "sens" : null }, el("span", { text: q.short }), select));
  }
  byAnswer.append(answerGrid);
  controls.append(byAnswer);
  app.append(controls);

  const count = el("p", { id: "count", class: "count", "aria-live": "polite" });
  const table = el("table", { id: "list" });
  const head = el("tr");
  const columns = [
    ["receipt", T.receipt], ["consent", T.ov_consent], ["contact", T.contact],
    ["incident", T.ov_incident], ["place", T.ov_place], ["submitted", T.submitted],
    ["language", T.language], ["facts", T.ov_facts], ["files", T.ov_files], ["sensitive", T.sensitive],
  ];
  for (const [key, label] of columns) {
    const th = el("th", { scope: "col" });
    if (key in sortKeys) {
      const button = el("button", { type: "button", class: "sort", "data-sort": key, text: label });
      button.addEventListener("click", () => {
        state.dir = state.sort === key ? -state.dir : key === "submitted" || key === "incident" ? -1 : 1;
        state.sort = key;
        state.page = 0;
        update();
      });
      th.append(button);
    } else th.textContent = label;
    head.append(th);
  }
  const body = el("tbody");
  table.append(el("thead", {}, head), body);
  const prev = el("button", { type: "button", id: "prev", text: "← " + T.ov_prev });
  const next = el("button", { type: "button", id: "next", text: T.ov_next + " →" });
  const position = el("span", { id: "position" });
  app.append(count, el("div", { class: "scroll" }, table), el("nav", { class: "pager" }, prev, position, next));

  const totals = el("section", { id: "totals" }, el("h2", { text: T.ov_totals }));
  const totalsOf = el("select", { id: "totals-of", "aria-label": T.ov_totals_of });
  for (const q of choiceQs) totalsOf.append(el("option", { value: q.id, text: q.short }));
  const preferred = choiceQs.find((q) => q.type === "multi_choice" && !q.purpose) || choiceQs[0];
  if (preferred) totalsOf.value = preferred.id;
  const crossTable = el("table", { id: "per-month" });
  const placeTable = el("table", { id: "per-place" });
  totals.append(
    el("p", {}, T.ov_totals_of + " ", totalsOf, " " + T.ov_per_month),
    el("div", { class: "scroll" }, crossTable),
    el("h3", { text: T.ov_per_place }),
    el("div", { class: "scroll" }, placeTable),
  );
  app.append(totals);

  function cellFor(key, row) {
    const td = el("td");
    if (key === "receipt") {
      td.append(el("a", { href: encodeURIComponent(row.id) + "/report.html", rel: "noopener noreferrer", title: T.ov_open, text: row.r }));
      // A forged file can carry a real testimony's receipt code: staff must see both.
      if (receipts.get(row.r) > 1) td.append(" ", el("span", { class: "flag shared", title: T.ov_receipt_shared, text: "⚠ " + T.ov_receipt_twice }));
      if (row.add) {
        const linked = originals.has(row.link);
        td.append(" ", el("span", { class: linked ? "chip addition" : "flag unlinked", text: linked ? T.ov_addition : T.ov_unlinked }));
      }
    } else if (key === "consent") {
      const labels = qConsent ? labelsOf(row, qConsent) : [];
      if (labels.length) labels.forEach((l) => td.append(el("bdi", { class: "chip", dir: "auto", text: l })));
      else td.append(el("span", { class: "muted", text: T.ov_none_given }));
    } else if (key === "contact") {
      td.append(qContact && labelsOf(row, qContact).length ? witness(labelsOf(row, qContact).join(", ")) : el("span", { class: "muted", text: T.not_answered }));
    } else if (key === "incident") {
      td.textContent = row._date ? row._date.text : "";
    } else if (key === "place") {
      td.className = "place";
      td.append(witness(row._place.length > 120 ? row._place.slice(0, 119) + "…" : row._place, row.l));
    } else if (key === "submitted") {
      td.textContent = row.t.replace("T", " ").slice(0, 16);
    } else if (key === "language") {
      td.textContent = T["lang_" + row.l.split("-")[0]] || row.l;
    } else if (key === "facts") {
      // Each fact, and each text within it, in its own isolation: one witness's label with
      // U+202E once reversed the facts after it (one text node held them all).
      const facts = [];
      for (const q of choiceQs) {
        const labels = q.purpose ? [] : labelsOf(row, q);
        if (labels.length) facts.push([q.short, labels]);
      }
      const title = facts.map(([s, ls]) => isolated(isolated(s) + ": " + ls.map(isolated).join(", ")));
      const span = el("span", { title: title.join(" · ") });
      let room = 240; // characters shown; the title has them all
      for (const [short, labels] of facts) {
        if (room <= 0) { span.append(" …"); break; }
        const fact = el("bdi", { dir: "auto", class: "fact" });
        for (const [i, text] of [short, ...labels].entries()) {
          if (room <= 0) { fact.append("…"); break; }
          const shown = text.length > room ? text.slice(0, room - 1) + "…" : text;
          room -= text.length + 2;
          fact.append(i === 0 ? "" : i === 1 ? ": " : ", ", witness(shown));
        }
        if (span.childNodes.length) span.append(" · ");
        span.append(fact);
      }
      td.className = "facts";
      td.append(span);
    } else if (key === "files") {
      td.textContent = row.f.length ? number(row.f.length) : "";
      td.className = "num";
    } else if (key === "sensitive" && row._sensitive.length) {
      td.append(el("span", { class: "flag", title: row._sensitive.join(", "), text: "⚠ " + T.sensitive }));
    }
    return td;
  }
  function renderRow(row, depth) {
    const tr = el("tr", { class: depth ? "related" : null, "data-id": row.id });
    for (const [key] of columns) tr.append(cellFor(key, row));
    body.append(tr);
    for (const addition of related(row)) renderRow(addition, depth + 1);
  }

  function renderTotals() {
    const q = byId.get(totalsOf.value);
    crossTable.replaceChildren();
    placeTable.replaceChildren();
    const months = new Map();
    const counts = new Map();
    const monthOf = (row) => (row._date ? row._date.month : "");
    for (const row of shown) {
      const m = monthOf(row);
      months.set(m, (months.get(m) || 0) + 1);
      for (const id of (q && choices(row, q)) || []) {
        const perMonth = counts.get(id) || new Map();
        perMonth.set(m, (perMonth.get(m) || 0) + 1);
        perMonth.set("*", (perMonth.get("*") || 0) + 1);
        counts.set(id, perMonth);
      }
    }
    const keys = [...months.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : 1));
    const header = el("tr", {}, el("th", { text: q ? q.short : "" }), el("th", { text: T.ov_all_months }));
    keys.forEach((m) => header.append(el("th", { text: m || T.ov_no_date })));
    crossTable.append(el("thead", {}, header));
    const tbody = el("tbody");
    const all = el("tr", { class: "sum" }, el("th", { text: T.ov_title }), el("td", { class: "num", text: number(shown.length) }));
    keys.forEach((m) => all.append(el("td", { class: "num", text: number(months.get(m)) })));
    tbody.append(all);
    const options = q ? (q.type === "yes_no" ? [["yes", T.yes], ["no", T.no]] : q.options.slice()) : [];
    for (const id of counts.keys()) if (!options.some((o) => o[0] === id)) options.push([id, id]);
    for (const [id, label] of options) {
      const perMonth = counts.get(id) || new Map();
      const tr = el("tr", { "data-option": id }, el("th", { scope: "row", text: label }), el("td", { class: "num", text: number(perMonth.get("*") || 0) }));
      keys.forEach((m) => tr.append(el("td", { class: "num", text: perMonth.get(m) ? number(perMonth.get(m)) : "" })));
      tbody.append(tr);
    }
    crossTable.append(tbody);
    const perPlace = new Map();
    for (const row of shown) {
      const entry = perPlace.get(row._placeKey) || { text: row._place, count: 0 };
      entry.count += 1;
      perPlace.set(row._placeKey, entry);
    }
    placeTable.append(el("thead", {}, el("tr", {}, el("th", { text: T.ov_place }), el("th", { text: T.ov_count }))));
    const places = [...perPlace.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, 30);
    const pbody = el("tbody");
    for (const [key, entry] of places) {
      pbody.append(el("tr", {}, el("td", {}, key ? witness(entry.text.slice(0, 120)) : el("span", { class: "muted", text: T.ov_no_place })), el("td", { class: "num", text: number(entry.count) })));
    }
    placeTable.append(pbody);
  }

  function update() {
    const t = performance.now();
    shown = sortRows(rows.filter((r) => listed(r) && matches(r)));
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const first = state.page * PAGE;
    body.replaceChildren();
    shown.slice(first, first + PAGE).forEach((row) => renderRow(row, 0));
    count.textContent = fill(T.ov_shown, { shown: number(shown.length), total: number(rows.length) });
    position.textContent = shown.length ? fill(T.ov_rows, { first: number(first + 1), last: number(Math.min(first + PAGE, shown.length)) }) : "";
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    for (const button of head.querySelectorAll("button.sort")) {
      button.setAttribute("aria-sort", button.dataset.sort === state.sort ? (state.dir > 0 ? "ascending" : "descending") : "none");
    }
    renderTotals();
    document.body.dataset.shown = String(shown.length);
    document.body.dataset.filterMs = (performance.now() - t).toFixed(1);
  }

  search.addEventListener("input", () => {
    state.terms = fold(search.value).split(/\s+/).filter(Boolean);
    state.page = 0;
    update();
  });
  from.addEventListener("change", () => { state.from = from.value; state.page = 0; update(); });
  to.addEventListener("change", () => { state.to = to.value; state.page = 0; update(); });
  place.addEventListener("change", () => { state.place = place.value; state.page = 0; update(); });
  consent.addEventListener("change", () => { state.consent = consent.value; state.page = 0; update(); });
  files.addEventListener("change", () => { state.files = files.checked; state.page = 0; update(); });
  sensitive.addEventListener("change", () => { state.sensitive = sensitive.checked; state.page = 0; update(); });
  answerGrid.addEventListener("change", (event) => {
    const select = event.target;
    if (select.value) state.answers.set(select.dataset.question, select.value);
    else state.answers.delete(select.dataset.question);
    state.page = 0;
    update();
  });
  totalsOf.addEventListener("change", renderTotals);
  prev.addEventListener("click", () => { state.page -= 1; update(); });
  next.addEventListener("click", () => { state.page += 1; update(); });
  clear.addEventListener("click", () => {
    search.value = from.value = to.value = place.value = consent.value = "";
    files.checked = sensitive.checked = false;
    answerGrid.querySelectorAll("select").forEach((s) => { s.value = ""; });
    Object.assign(state, { terms: [], from: "", to: "", place: "", consent: "", files: false, sensitive: false, page: 0 });
    state.answers.clear();
    update();
  });
  update();
  document.body.dataset.loadMs = (performance.now() - started).toFixed(1);
  document.body.dataset.ready = "1";
})();
