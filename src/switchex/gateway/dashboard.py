"""`GET /`: a one-page dashboard that polls `/status` (no build step, no external assets)."""

PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>switchex</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}
h1{font-size:1.3rem;margin:0 0 .2rem} .muted{color:#777}
table{border-collapse:collapse;margin:1rem 0;min-width:40rem;background:#fff}
th,td{text-align:left;padding:.35rem .8rem;border-bottom:1px solid #e5e5e5}
.ready{color:#167c2b;font-weight:600}.cooling{color:#b25e00;font-weight:600}
.probing{color:#0b5cad;font-weight:600}.active{background:#eef6ff}
</style></head><body>
<h1>switchex</h1><div class="muted" id="summary">connecting&hellip;</div>
<table><thead><tr><th>tier</th><th>provider</th><th>model</th><th>state</th>
<th>until</th><th>why</th></tr></thead><tbody id="tiers"></tbody></table>
<h2 style="font-size:1rem">Recent switches</h2><table><thead><tr><th>time</th><th>from</th>
<th>to</th><th>reason</th><th>until</th></tr></thead><tbody id="switches"></tbody></table>
<script>
const t = s => s ? new Date(s * 1000).toLocaleTimeString() : "";
const cell = v => { const td = document.createElement("td"); td.textContent = v ?? ""; return td; };
function row(values, cls) {
  const tr = document.createElement("tr"); if (cls) tr.className = cls;
  values.forEach(v => tr.appendChild(v instanceof Node ? v : cell(v))); return tr;
}
async function refresh() {
  try {
    const s = await (await fetch("/status")).json();
    const served = s.served[s.active] || "";
    document.getElementById("summary").textContent =
      `serving from ${s.active}${served ? " (" + served + ")" : ""} \\u00b7 ${s.requests} requests`;
    const tiers = document.getElementById("tiers"); tiers.replaceChildren();
    for (const x of s.tiers) {
      const state = cell(x.state); state.className = x.state;
      tiers.appendChild(row([x.name, x.provider, x.model, state, t(x.until), x.reason],
                            x.name === s.active ? "active" : ""));
    }
    const sw = document.getElementById("switches"); sw.replaceChildren();
    for (const x of s.switches)
      sw.appendChild(row([t(x.time), x.from, x.to, x.reason, t(x.until)]));
  } catch (e) {
    document.getElementById("summary").textContent = "gateway not answering";
  }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
"""
