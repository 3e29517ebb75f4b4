// The caseworker page: every word of the policy (questions, fields, values, bodies, articles)
// comes from the service (/v1/policy, /v1/decide); only the page's own labels are here.
"use strict";

const UI = {
  en: {
    zh: "中文", en: "English", ask: "Ask a question", articles: "Articles", question: "Question",
    decide: "Decide", token: "Bearer token", use: "Use", fingerprint: "Policy fingerprint:",
    restsOn: "Rests on", outcome: "Outcome", bodies: "Bodies", role: "role",
    citations: "Quoted articles", reason: "Reason", notes: "Notes", decidedBy: "Decided by policy",
    rulesCiting: "Questions citing it", none: "none", yes: "yes", no: "no", unset: "(not given)",
    invalid: "The facts are not valid:", error: "The service refused:", item: "item",
    list: "comma-separated", json: "JSON", place: "place code", notCode: "not a place code",
    applied: "Rules applied", overridden: "overridden", decisionId: "decision id",
  },
  zh: {
    zh: "中文", en: "English", ask: "提问", articles: "条文", question: "问题",
    decide: "判定", token: "访问令牌", use: "使用", fingerprint: "政策指纹：",
    restsOn: "依据", outcome: "结论", bodies: "负责机构", role: "职责",
    citations: "引用条文", reason: "理由", notes: "说明", decidedBy: "判定所用政策",
    rulesCiting: "引用本条的问题", none: "无", yes: "是", no: "否", unset: "（未填）",
    invalid: "事实有误：", error: "服务拒绝：", item: "项",
    list: "以逗号分隔", json: "JSON", place: "区划代码", notCode: "不是区划代码",
    applied: "适用规则", overridden: "被排除", decisionId: "判定编号",
  },
};

const state = { lang: localStorage.getItem("lang") || "en", policy: null, token: sessionStorage.getItem("token") || "" };

const $ = (sel) => document.querySelector(sel);
// Identifiers (question, rule) are shown only when the page is opened with ?ids, as the
// command line's --ids: a caseworker reads titles and articles.
const showIds = new URLSearchParams(location.search).has("ids");
// Chinese is set with full-width punctuation.
const colon = () => (state.lang === "zh" ? "：" : ": ");
const paren = (text) => (state.lang === "zh" ? "（" + text + "）" : " (" + text + ")");
const t = (key) => UI[state.lang][key];
const txt = (text) => (text == null ? "" : (typeof text === "string" ? text : text[state.lang] || text.en));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) $("#token-box").hidden = false;
  const body = await response.json();
  return { status: response.status, body };
}

function articleLabel(cite) {
  const article = state.policy.articles.find((a) => a.number === cite.article);
  const head = article ? txt(article.label) : "(" + cite.article + ")";
  if (cite.item == null) return head;
  return state.lang === "zh" ? head + "第" + cite.item + t("item") : head + " " + t("item") + " " + cite.item;
}

function renderChrome() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-ui]")) node.textContent = t(node.dataset.ui);
  $("#lang-zh").textContent = UI.zh.zh;
  $("#lang-en").textContent = UI.en.en;
  $("#lang-zh").setAttribute("aria-pressed", String(state.lang === "zh"));
  $("#lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
  if (!state.policy) return;
  $("#title").textContent = txt(state.policy.title);
  $("#fingerprint").textContent = state.policy.fingerprint;
  const select = $("#question");
  const chosen = select.value;
  select.replaceChildren(...state.policy.questions.map((q) => el("option", { value: q.name, text: txt(q.title) + (showIds ? " [" + q.name + "]" : "") })));
  if (chosen) select.value = chosen;
  const q = currentQuestion();
  $("#question-cites").textContent = t("restsOn") + colon() + q.cites.map(txt).join(" ");
  renderArticles();
}

function currentQuestion() {
  const name = $("#question").value;
  return state.policy.questions.find((q) => q.name === name) || state.policy.questions[0];
}

function subjectOf(question) {
  return state.policy.subjects.find((s) => s.name === question.subject);
}

function input(field) {
  const name = field.name;
  if (field.type === "bool") {
    const select = el("select", { name, "data-type": "bool" });
    select.append(el("option", { value: "", text: t("unset") }), el("option", { value: "true", text: t("yes") }), el("option", { value: "false", text: t("no") }));
    if (field.default !== null) select.value = String(field.default);
    return select;
  }
  if (field.type === "enum") {
    const select = el("select", { name, "data-type": "enum" });
    select.append(el("option", { value: "", text: t("unset") }));
    for (const v of field.values) select.append(el("option", { value: v.value, text: v.label ? txt(v.label) + " (" + v.value + ")" : v.value }));
    if (field.default !== null) select.value = String(field.default);
    return select;
  }
  if (field.type === "int") {
    const box = el("input", { name, type: "number", "data-type": "int", step: "1" });
    if (field.minimum !== null) box.min = field.minimum;
    if (field.maximum !== null) box.max = field.maximum;
    if (field.default !== null) box.value = field.default;
    return box;
  }
  if (field.type === "date") return el("input", { name, type: "date", "data-type": "date" });
  if (field.type === "subject") return el("textarea", { name, "data-type": "json", placeholder: t("json"), rows: "3" });
  const box = el("input", { name, type: "text", "data-type": field.type === "places" ? "list" : "text" });
  if (field.type === "places") box.placeholder = t("list");
  if (field.type === "place") box.placeholder = t("place");
  if (field.default !== null) box.value = field.default;
  return box;
}

let placeTimer = null;
function watchPlace(box, info) {
  box.addEventListener("input", () => {
    clearTimeout(placeTimer);
    const code = box.value.trim();
    placeTimer = setTimeout(async () => {
      if (!code) { info.textContent = ""; return; }
      const { body } = await api("/v1/places/" + encodeURIComponent(code));
      info.textContent = body.valid
        ? [txt(body.level_name), body.class, (body.within || []).map((w) => w.code).join(" › ")].filter(Boolean).join(" · ")
        : t("notCode") + colon() + (body.problem || "");
    }, 150);
  });
}

function renderForm() {
  const subject = subjectOf(currentQuestion());
  const rows = subject.fields.map((field) => {
    const control = input(field);
    control.id = "field-" + field.name;
    const row = el("div", { class: "field", "data-field": field.name }, el("label", { for: control.id, text: field.name + (field.optional ? "" : " *") }), control);
    if (field.doc) row.append(el("span", { class: "doc", text: field.doc }));
    if (field.type === "place") {
      const info = el("span", { class: "place-info" });
      row.append(info);
      watchPlace(control, info);
    }
    return row;
  });
  $("#fields").replaceChildren(...rows);
  $("#problems").replaceChildren();
  $("#result").replaceChildren();
}

function facts() {
  const subject = subjectOf(currentQuestion());
  const out = { kind: subject.name };
  for (const control of $("#fields").querySelectorAll("[name]")) {
    const raw = control.value.trim();
    if (raw === "") continue;
    const type = control.dataset.type;
    if (type === "bool") out[control.name] = raw === "true";
    else if (type === "int") out[control.name] = Number.isInteger(Number(raw)) ? Number(raw) : raw;
    else if (type === "list") out[control.name] = raw.split(",").map((s) => s.trim()).filter(Boolean);
    else if (type === "json") { try { out[control.name] = JSON.parse(raw); } catch { out[control.name] = raw; } }
    else out[control.name] = raw;
  }
  return out;
}

function showProblems(body) {
  for (const row of document.querySelectorAll(".field.invalid")) {
    row.classList.remove("invalid");
    row.querySelector(".problem")?.remove();
  }
  const list = el("ul");
  for (const p of body.errors || []) {
    list.append(el("li", { text: (p.field || "facts") + colon() + p.message + (p.suggestion ? paren(p.suggestion + "?") : "") }));
    const row = document.querySelector('.field[data-field="' + CSS.escape(String(p.path[0])) + '"]');
    if (row) {
      row.classList.add("invalid");
      row.append(el("span", { class: "problem", text: p.message }));
    }
  }
  $("#problems").replaceChildren(el("p", { text: (body.code === "invalid-facts" ? t("invalid") : t("error")) + " " + body.message }), list);
}

let lastDecision = null;
function showDecision(d) {
  lastDecision = d;
  const out = [
    el("h2", { text: txt(d.question_title) }),
    el("p", { class: "outcome", "data-outcome": d.outcome, text: t("outcome") + colon() + txt(d.outcome_name) }),
  ];
  if (d.bodies.length) {
    out.push(el("h3", { text: t("bodies") }));
    for (const b of d.bodies) {
      const cite = (b.via ? articleLabel(b.via) + " → " : "") + articleLabel(b.cite);
      out.push(el("div", { class: "body", "data-place-code": b.place_code },
        el("strong", { text: txt(b.level_name) + " " + b.place_code + " " + txt(b.name) }),
        " — " + t("role") + colon() + txt(b.role_name) + " — " + cite));
    }
  }
  if (d.reason) out.push(el("p", { class: "reason", text: t("reason") + colon() + txt(d.reason) }));
  if (d.citations.length) {
    out.push(el("h3", { text: t("citations") }));
    for (const c of d.citations) out.push(el("div", { class: "citation" }, el("strong", { text: articleLabel(c.cite) }), el("blockquote", { text: txt(c.quote) })));
  }
  if (d.notes.length) {
    out.push(el("h3", { text: t("notes") }));
    out.push(el("ul", {}, ...d.notes.map((n) => el("li", { text: txt(n) }))));
  }
  if (showIds) out.push(el("p", { class: "muted", text: t("applied") + colon() + (d.rules_applied.join(", ") || t("none")) + (d.rules_overridden.length ? "; " + t("overridden") + colon() + d.rules_overridden.join(", ") : "") }));
  out.push(el("p", { class: "muted", text: t("decidedBy") + " " + d.policy + " " + d.policy_fingerprint + " · " + t("decisionId") + " " + d.decision_id }));
  $("#result").replaceChildren(...out);
}

async function decide(event) {
  event.preventDefault();
  const q = currentQuestion();
  const { status, body } = await api("/v1/decide/" + encodeURIComponent(q.name) + "?lang=" + state.lang, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(facts()),
  });
  if (status === 200) { showProblems({ errors: [] }); $("#problems").replaceChildren(); showDecision(body); }
  else { $("#result").replaceChildren(); showProblems(body); }
}

function renderArticles() {
  const titles = Object.fromEntries(state.policy.questions.map((q) => [q.name, q.title]));
  const blocks = state.policy.articles.map((a) => {
    const rules = a.rules.length
      ? el("ul", {}, ...a.rules.map((r) => el("li", { text: (showIds ? r.rule + " — " : "") + txt(titles[r.question]) + paren(r.cite) })))
      : el("p", { class: "muted", text: t("none") });
    return el("div", { class: "article", id: "article-" + a.number, "data-article": String(a.number) },
      el("h3", { text: txt(a.label) + (a.chapter_title ? " · " + txt(a.chapter_title) : "") }),
      el("blockquote", { text: txt(a.text) }),
      el("p", { class: "muted", text: t("rulesCiting") + ":" }), rules);
  });
  $("#articles").replaceChildren(...blocks);
}

function showTab(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  $("#ask").hidden = name !== "ask";
  $("#articles").hidden = name !== "articles";
}

function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("lang", lang);
  renderChrome();
  const open = lastDecision;
  if (open) showDecision(open);
}

async function start() {
  renderChrome();
  const { status, body } = await api("/v1/policy");
  if (status !== 200) { $("#problems").replaceChildren(el("p", { text: t("error") + " " + body.message })); return; }
  state.policy = body;
  renderChrome();
  renderForm();
  showTab("ask");
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  $("#lang-zh").addEventListener("click", () => setLang("zh"));
  $("#lang-en").addEventListener("click", () => setLang("en"));
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("#question").addEventListener("change", () => { lastDecision = null; renderChrome(); renderForm(); });
  $("#facts-form").addEventListener("submit", decide);
  $("#token-save").addEventListener("click", () => { state.token = $("#token").value; sessionStorage.setItem("token", state.token); $("#token-box").hidden = true; start(); });
  start();
});
