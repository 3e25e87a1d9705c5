"use strict";
// The switchex dashboard: reads /api/*, listens to /events (SSE), acts through POST /api/review.
const $ = id => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf"]').content;
const home = document.querySelector('meta[name="home"]').content;
const short = p => p && home && (p === home || p.startsWith(home + "/")) ? "~" + p.slice(home.length) : p || "";
const state = { status: null, switches: [], requests: [], view: "chain" };

const clock = s => s ? new Date(s * 1000).toLocaleTimeString([], { hour12: false }) : "";
const stamp = s => s ? new Date(s * 1000).toLocaleString([], { hour12: false }) : "";
const ms = v => v == null ? "" : `${Math.round(v)} ms`;
const money = v => v == null ? "unknown" : v >= 0.01 || v === 0 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`;
const num = v => (v ?? 0).toLocaleString();
const left = until => { const s = Math.max(0, Math.round(until - Date.now() / 1000)); return `${s} s`; };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}
function row(cells, cls) {
  const tr = el("tr", null, cls);
  for (const c of cells) {
    if (c instanceof Node) { const td = el("td"); td.appendChild(c); tr.appendChild(td); }
    else if (Array.isArray(c)) tr.appendChild(el("td", c[0], c[1]));
    else tr.appendChild(el("td", c));
  }
  return tr;
}
async function getJson(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
  return data;
}

// ---- chain ----
function renderStatus() {
  const s = state.status; if (!s) return;
  const last = s.last_served;
  let text = last ? `served last by ${last.tier} (${last.model}) at ${clock(last.time)}`
                  : `no request served yet; first in chain: ${s.active}`;
  if (s.all_cooling) text = `every tier is cooling; the first is back at ${clock(s.soonest)} · ` + text;
  $("summary").textContent = `${text} · ${s.requests} requests`;
  const body = $("tiers"); body.replaceChildren();
  let n = 0;
  for (const t of s.tiers) {
    const inChain = t.state !== "skipped";
    body.appendChild(row([inChain ? String(++n) : "-", t.name, t.provider, t.model,
      [t.state, t.state], t.until ? `${clock(t.until)} (${left(t.until)})` : "", t.reason || "",
      t.probe ? "probing now" : ""], last && last.tier === t.name ? "active" : ""));
  }
}
function renderTimeline() {
  const list = $("timeline"); list.replaceChildren();
  if (!state.switches.length) list.appendChild(el("li", "no switch yet", "muted"));
  for (const x of state.switches) {
    const until = x.until ? `, until ${clock(x.until)}` : "";
    list.appendChild(el("li", `${stamp(x.time)} — ${x.from || "-"} → ${x.to || "-"} (${x.reason}${until})`,
      x.reason === "recovered" ? "recovered" : ""));
  }
}
async function loadChain() {
  [state.status, state.switches] = await Promise.all([getJson("/api/status"), getJson("/api/switches")]);
  renderStatus(); renderTimeline(); fillFilter("tier", state.status.tiers.map(t => t.name));
}

// ---- requests ----
function filters() {
  const out = {};
  for (const [k, v] of new FormData($("filters"))) if (v) out[k] = String(v);
  return out;
}
function fillFilter(name, values) {
  const select = $("filters").elements[name];
  const have = new Set([...select.options].map(o => o.value));
  for (const v of values) if (v && !have.has(v)) { select.appendChild(el("option", v)).value = v; have.add(v); }
}
function matches(r, f) { return Object.entries(f).every(([k, v]) => String(r[k] ?? "") === v); }
function requestRow(r) {
  const tokens = `${num(r.input_tokens + (r.cache_read_tokens || 0) + (r.cache_creation_tokens || 0))} / ${num(r.output_tokens)}`;
  return row([stamp(r.time), r.tier || "-", r.served_model || "-", [String(r.status), r.status === 200 ? "" : "bad"],
    [ms(r.latency_ms), "num"], [ms(r.ttfb_ms), "num"], [tokens, "num"],
    [r.status === 200 ? money(r.cost) : "", r.cost == null ? "num unknown" : "num"],
    (r.session || "").slice(0, 8), short(r.repo)]);
}
function renderRequests() {
  const body = $("requests"); body.replaceChildren(...state.requests.map(requestRow));
  fillFilter("served_model", state.requests.map(r => r.served_model));
}
async function loadRequests() {
  state.requests = await getJson("/api/requests?" + new URLSearchParams(filters()));
  renderRequests();
}

// ---- models ----
function bars(hours) {
  const box = el("span", null, "bars"); const top = Math.max(1, ...hours.map(h => h[1]));
  for (const [hour, count] of hours) {
    const bar = el("i"); bar.style.height = `${Math.max(2, 20 * count / top)}px`;
    bar.title = `${clock(hour)}: ${count} requests`; box.appendChild(bar);
  }
  return box;
}
async function loadModels() {
  const models = await getJson("/api/models");
  $("models").replaceChildren(...models.map(m => row([m.model || "-", [num(m.requests), "num"],
    [num(m.input), "num"], [num(m.output), "num"], [`${num(m.cache_read)} / ${num(m.cache_write)}`, "num"],
    [money(m.cost) + (m.unpriced && m.cost != null ? ` + ${m.unpriced} unpriced` : ""),
     m.cost == null ? "num unknown" : "num"], bars(m.hours)])));
}

// ---- repositories ----
async function loadRepos() {
  const repos = await getJson("/api/repos"); const box = $("repos"); box.replaceChildren();
  if (!repos.length) box.appendChild(el("p", "no tracked repository has snapshots yet", "muted"));
  for (const r of repos) {
    box.appendChild(el("h2", short(r.repo)));
    const table = el("table"); const head = row(["time", "model", "tier", "kind", "files", "lines", "commit"]);
    table.appendChild(head);
    for (const s of r.snapshots) table.appendChild(row([stamp(s.time), s.model, s.tier, s.kind,
      [String(s.files), "num"], [`+${s.added} -${s.removed}`, "num"], (s.commit_id || "").slice(0, 10)]));
    box.appendChild(table);
    const files = el("ul"); box.appendChild(el("div", "files per model:", "muted")); box.appendChild(files);
    getJson("/api/review?repo=" + encodeURIComponent(r.repo)).then(a => {
      for (const m of a.models) {
        const all = [...m.pending.files, ...m.accepted.files, ...m.rolled_back.files];
        if (all.length) files.appendChild(el("li", `${m.model}: ${[...new Set(all)].join(", ")}`));
      }
    }).catch(() => {});
  }
  const select = $("review-repo"); const current = select.value;
  select.replaceChildren(...repos.map(r => { const o = el("option", short(r.repo)); o.value = r.repo; return o; }));
  if (current) select.value = current;
}

// ---- review ----
async function loadReview() {
  if (!$("review-repo").options.length) await loadRepos();
  const repo = $("review-repo").value; const body = $("analysis"); body.replaceChildren();
  if (!repo) return;
  const a = await getJson("/api/review?repo=" + encodeURIComponent(repo));
  for (const m of a.models) {
    const u = m.usage; const actions = el("span");
    if (m.pending.segments) {
      for (const [label, act] of [["diff", "diff"], ["accept", "accept"], ["rollback", "rollback"]]) {
        const b = el("button", label); b.dataset.model = m.model; b.dataset.action = act;
        actions.appendChild(b); actions.appendChild(document.createTextNode(" "));
      }
    }
    body.appendChild(row([m.model, m.tiers.join(", "), [String(m.pending.segments), "num"],
      [String(m.pending.files.length), "num"], [`+${m.pending.added} -${m.pending.removed}`, "num"],
      [String(m.accepted.segments), "num"], [String(m.rolled_back.segments), "num"],
      [u ? String(u.requests) : "–", "num"], [u ? `${num(u.input_tokens)}/${num(u.output_tokens)}` : "–", "num"],
      [u ? money(u.cost) : "–", u && u.cost == null ? "num unknown" : "num"], actions]));
  }
  $("undo-line").hidden = !a.can_undo;
}
async function post(body) {
  const response = await fetch("/api/review", { method: "POST", body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-switchex-csrf": csrf } });
  const data = await response.json();
  if (data.error) throw new Error(data.error.message);
  return data;
}
function describe(o) {
  const box = el("div");
  const verb = o.dry_run ? "would" : "did";
  box.appendChild(el("h2", `${o.action} ${o.model || ""}: ${o.blocked ? "blocked by conflicts, nothing written" : `${verb} change ${o.changes.length} file(s)`}`));
  const list = el("ul");
  for (const c of o.changes) list.appendChild(el("li", `${c.action} ${c.path}`));
  for (const c of o.conflicts) list.appendChild(el("li", `conflict: ${c.path} (${c.reason})`, "bad"));
  box.appendChild(list);
  if (o.note) box.appendChild(el("p", o.note, "muted"));
  if (o.patch) box.appendChild(el("pre", o.patch));
  return box;
}
async function act(action, model) {
  const repo = $("review-repo").value; const panel = $("preview");
  const preview = await post({ action, model, repo, dry_run: true });
  panel.hidden = false; panel.replaceChildren(describe(preview));
  if (preview.blocked || (!preview.changes.length && action !== "accept")) return;
  const confirm = el("button", `Confirm ${action}`); confirm.id = "confirm";
  const cancel = el("button", "Cancel");
  cancel.onclick = () => { panel.hidden = true; };
  confirm.onclick = async () => {
    confirm.disabled = true;
    try { panel.replaceChildren(describe(await post({ action, model, repo, dry_run: false }))); }
    catch (e) { panel.appendChild(el("p", e.message, "bad")); }
    loadReview();
  };
  panel.append(confirm, document.createTextNode(" "), cancel);
}
async function showDiff(model) {
  const repo = $("review-repo").value; const panel = $("diff"); panel.hidden = false;
  const d = await getJson(`/api/diff?repo=${encodeURIComponent(repo)}&model=${encodeURIComponent(model)}`);
  panel.replaceChildren(el("h2", `pending changes of ${model}`));
  for (const s of d.segments) panel.append(el("div", `${s.commit.slice(0, 7)} ${s.tier} ${s.files.join(", ")}`, "muted"), el("pre", s.patch));
}
$("analysis").addEventListener("click", e => {
  const b = e.target.closest("button"); if (!b) return;
  const run = b.dataset.action === "diff" ? showDiff(b.dataset.model) : act(b.dataset.action, b.dataset.model);
  run.catch(err => { $("preview").hidden = false; $("preview").replaceChildren(el("p", err.message, "bad")); });
});
$("undo").onclick = () => act("undo", "").catch(err => { $("preview").hidden = false; $("preview").replaceChildren(el("p", err.message, "bad")); });
$("review-repo").onchange = () => loadReview();

// ---- views, live updates ----
const loaders = { chain: loadChain, requests: loadRequests, models: loadModels, repos: loadRepos, review: loadReview };
function show(view) {
  if (!loaders[view]) view = "chain";
  state.view = view;
  for (const name of Object.keys(loaders)) $("view-" + name).hidden = name !== view;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("current", a.dataset.view === view);
  loaders[view]().catch(e => { $("summary").textContent = e.message; });
}
window.addEventListener("hashchange", () => show(location.hash.slice(1)));
$("filters").addEventListener("input", () => loadRequests());
$("filters").addEventListener("reset", () => setTimeout(loadRequests));
let pending = null;
function soon(fn) { clearTimeout(pending); pending = setTimeout(fn, 150); }
function connect() {
  const events = new EventSource("/events");
  events.onopen = () => { $("live").textContent = "live"; $("live").className = "pill on"; };
  events.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = "pill"; };
  events.addEventListener("switch", e => {
    state.switches.unshift(JSON.parse(e.data)); renderTimeline();
    getJson("/api/status").then(s => { state.status = s; renderStatus(); });
  });
  events.addEventListener("request", e => {
    const r = JSON.parse(e.data);
    if (matches(r, filters())) { state.requests.unshift(r); state.requests.length = Math.min(state.requests.length, 200); renderRequests(); }
    soon(() => getJson("/api/status").then(s => { state.status = s; renderStatus(); }));
    if (state.view === "models") soon(loadModels);
  });
  for (const kind of ["snapshot", "review"]) events.addEventListener(kind, () => {
    if (state.view === "repos") loadRepos(); if (state.view === "review") loadReview();
  });
}
setInterval(() => { if (state.view === "chain" && state.status) renderStatus(); }, 1000);
setInterval(() => getJson("/api/status").then(s => { state.status = s; renderStatus(); }).catch(() => {}), 10000);
getJson("/api/status").then(s => { state.status = s; renderStatus(); }).catch(() => {});
show(location.hash.slice(1) || "chain");
connect();
