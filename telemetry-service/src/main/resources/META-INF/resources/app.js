// The live page: windows from GET /api/v1/telemetry (history) and its server-sent events (each new window),
// weights and proxies from /api/v1/telemetry-ui/context. Vanilla JS and a canvas: nothing is downloaded.
const COLORS = ['#2b6cb0', '#dd6b20', '#2f855a', '#805ad5', '#c53030', '#319795'];
let windows = [];
let source = null;

function params() {
  const q = new URLSearchParams(location.search);
  for (const id of ['namespace', 'service', 'window']) {
    if (q.get(id)) document.getElementById(id).value = q.get(id);
  }
  return {
    ns: document.getElementById('namespace').value,
    svc: document.getElementById('service').value,
    win: document.getElementById('window').value,
  };
}

async function load() {
  const p = params();
  const base = `/api/v1/telemetry/${encodeURIComponent(p.ns)}/${encodeURIComponent(p.svc)}`;
  const r = await fetch(`${base}?window=${p.win}&last=30`);
  windows = r.ok ? await r.json() : [];
  document.getElementById('status').textContent = r.ok
    ? `${windows.length} windows of ${p.win} for ${p.ns}/${p.svc}` : `no telemetry yet for ${p.ns}/${p.svc}`;
  if (source) source.close();
  source = new EventSource(`${base}/stream?window=${p.win}`);
  source.onmessage = e => {
    const w = JSON.parse(e.data);
    windows = windows.filter(x => x.start !== w.start).concat([w]).slice(-30);
    render();
  };
  const c = await fetch(`/api/v1/telemetry-ui/context/${encodeURIComponent(p.ns)}/${encodeURIComponent(p.svc)}`);
  context = c.ok ? await c.json() : { routes: [], proxies: [], error: 'context unavailable' };
  render();
}

let context = { routes: [], proxies: [] };

function primary(w) { return (w.versions || []).filter(v => !v.shadow); }

function render() {
  windows.sort((a, b) => a.start.localeCompare(b.start));
  const versions = [...new Set(windows.flatMap(w => primary(w).map(v => v.version)))].sort();
  drawChart(versions);
  const last = windows[windows.length - 1];
  const weights = {};
  for (const r of context.routes || []) {
    for (const [v, pct] of Object.entries(r.weights)) weights[v] = (weights[v] ? weights[v] + ' / ' : '') + pct.toFixed(1) + '%';
  }
  // Everything shown comes from the bus (versions, node ids, labels, listeners): set as text, never as markup.
  const split = document.querySelector('#split tbody');
  split.replaceChildren(...(last ? last.versions : []).map(v => row([
    [v.version + (v.shadow ? ' (mirror)' : '')],
    [v.shadow ? '—' : v.sharePercent.toFixed(1) + '%', 'share'],
    [v.shadow ? '' : (weights[v.version] || '—'), 'weight'],
    [v.requests], [v.connectionsOpened], [(v.errorRate * 100).toFixed(1) + '%'], [v.p99Ms == null ? '' : v.p99Ms],
  ], { className: 'version', version: v.version })));
  const proxies = (context.proxies || []).map(p => row([
    [p.nodeId], [p.state, String(p.state)], [p.generation], [(p.listeners || []).join(' ')]]));
  if (proxies.length === 0 && context.error) {
    const r = row([[context.error, 'muted']]);
    r.firstChild.colSpan = 4;
    proxies.push(r);
  }
  document.querySelector('#proxies tbody').replaceChildren(...proxies);
}

function row(cells, opts = {}) {
  const tr = document.createElement('tr');
  if (opts.className) tr.className = opts.className;
  if (opts.version !== undefined) tr.dataset.version = opts.version;
  for (const [text, cls] of cells) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  return tr;
}

function drawChart(versions) {
  const canvas = document.getElementById('chart');
  const g = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, pad = 30;
  g.clearRect(0, 0, W, H);
  g.strokeStyle = '#d8dde6';
  g.fillStyle = '#6b7585';
  for (const pct of [0, 25, 50, 75, 100]) {
    const y = H - pad - (H - 2 * pad) * pct / 100;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(W - pad, y); g.stroke();
    g.fillText(pct + '%', 2, y + 4);
  }
  if (windows.length === 0) return;
  const x = i => pad + (W - 2 * pad) * (windows.length === 1 ? 0.5 : i / (windows.length - 1));
  versions.forEach((version, k) => {
    g.strokeStyle = COLORS[k % COLORS.length];
    g.lineWidth = 2;
    g.beginPath();
    windows.forEach((w, i) => {
      const v = primary(w).find(f => f.version === version);
      const y = H - pad - (H - 2 * pad) * (v ? v.sharePercent : 0) / 100;
      i === 0 ? g.moveTo(x(i), y) : g.lineTo(x(i), y);
    });
    g.stroke();
    g.fillStyle = COLORS[k % COLORS.length];
    g.fillText(version, W - pad + 4, 14 + 14 * k);
  });
}

document.getElementById('pick').addEventListener('submit', e => { e.preventDefault(); load(); });
load();
