// The dashboard: agents table and history from the JSON API, live updates over SSE.
'use strict';
let csrf = null;
let selected = null;
let outputSource = null;
const rows = new Map();

async function api(method, path, body, type) {
  const headers = {};
  if (method !== 'GET') headers['X-Descartes-CSRF'] = csrf;
  if (body !== undefined) headers['Content-Type'] = type || 'application/json';
  const r = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  const text = await r.text();
  const data = text ? JSON.parse(text) : {};
  if (!r.ok) throw new Error(data.message || r.status);
  return data;
}

function say(text, error) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

function fmtDuration(ms) {
  if (ms == null) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
  return Math.floor(s / 3600) + 'h' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + 'm';
}
function fmtBytes(b) {
  if (b == null) return '';
  if (b < 1024 * 1024) return (b / 1024).toFixed(0) + ' KiB';
  return (b / 1048576).toFixed(1) + ' MiB';
}
function fmtCost(c) { return c == null ? '' : '$' + c.toFixed(4); }
function fmtTime(t) { return t ? new Date(t).toLocaleTimeString() : ''; }

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function button(label, action, agent) {
  const b = document.createElement('button');
  b.textContent = label;
  b.dataset.action = action;
  b.dataset.agent = agent.name;
  b.addEventListener('click', async (e) => {
    e.stopPropagation();
    try {
      await api('POST', '/api/agents/' + encodeURIComponent(agent.id) + '/' + action, '{}');
      say(label + ' sent to ' + agent.name);
      refresh();
    } catch (err) { say(err.message, true); }
  });
  return b;
}

function renderAgents(agents, waiting) {
  const tbody = document.querySelector('#agents tbody');
  tbody.replaceChildren();
  for (const a of agents) {
    const tr = document.createElement('tr');
    tr.dataset.agent = a.name;
    tr.dataset.id = a.id;
    if (selected === a.id) tr.className = 'selected';
    cell(tr, a.name);
    cell(tr, a.backend + (a.model ? ' / ' + a.model : ''));
    cell(tr, a.status, 'status status-' + a.status);
    cell(tr, a.activity);
    cell(tr, fmtDuration(a.uptime_ms));
    cell(tr, a.cpu_seconds == null ? '' : a.cpu_seconds.toFixed(2) + 's');
    cell(tr, fmtBytes(a.rss_bytes));
    cell(tr, fmtCost(a.cost_usd));
    cell(tr, fmtTime(a.last_activity_at));
    const td = cell(tr, '');
    if (a.status !== 'completed' && a.status !== 'failed' && a.status !== 'terminated') {
      td.appendChild(button('Stop', 'stop', a));
      td.appendChild(button('Kill', 'kill', a));
    }
    tr.addEventListener('click', () => follow(a));
    tbody.appendChild(tr);
  }
  for (const w of waiting) {
    const tr = document.createElement('tr');
    tr.dataset.agent = w.name;
    cell(tr, w.name);
    cell(tr, w.backend + (w.model ? ' / ' + w.model : ''));
    cell(tr, 'waiting', 'status status-waiting');
    cell(tr, w.activity);
    for (let i = 0; i < 6; i++) cell(tr, '');
    tbody.appendChild(tr);
  }
}

function follow(a) {
  selected = a.id;
  document.getElementById('output-name').textContent = a.name;
  const out = document.getElementById('output');
  out.replaceChildren();
  if (outputSource) outputSource.close();
  outputSource = new EventSource('/api/agents/' + encodeURIComponent(a.id) + '/events');
  outputSource.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.line == null) return;
    const span = document.createElement('div');
    span.className = e.style || 'text';
    span.textContent = e.line;
    const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
    out.appendChild(span);
    if (atEnd) out.scrollTop = out.scrollHeight;
  };
  outputSource.addEventListener('end', () => outputSource.close());
  document.querySelectorAll('#agents tbody tr').forEach(tr => tr.classList.toggle('selected', tr.dataset.id === a.id));
}

async function refresh() {
  try {
    const data = await api('GET', '/api/agents');
    renderAgents(data.agents, data.waiting || []);
  } catch (err) { say(err.message, true); }
}

async function refreshHistory() {
  const q = new URLSearchParams();
  const name = document.getElementById('h-name').value.trim();
  const status = document.getElementById('h-status').value;
  const backend = document.getElementById('h-backend').value.trim();
  if (name) q.set('name', name);
  if (status) q.set('status', status);
  if (backend) q.set('backend', backend);
  q.set('limit', '50');
  try {
    const data = await api('GET', '/api/history?' + q);
    const tbody = document.querySelector('#history tbody');
    tbody.replaceChildren();
    for (const r of data.runs) {
      const tr = document.createElement('tr');
      cell(tr, r.name);
      cell(tr, r.backend);
      cell(tr, r.status, 'status status-' + r.status);
      cell(tr, r.exit_code != null ? r.exit_code : (r.exit_signal != null ? 'signal ' + r.exit_signal : ''));
      cell(tr, fmtTime(r.started_at || r.created_at));
      cell(tr, r.ended_at && r.started_at ? fmtDuration(new Date(r.ended_at) - new Date(r.started_at)) : '');
      cell(tr, fmtCost(r.cost_usd));
      cell(tr, r.turns);
      cell(tr, r.lost_reason || r.error || r.result_text || '', 'result');
      tbody.appendChild(tr);
    }
  } catch (err) { say(err.message, true); }
}

let pending = null;
function soon() {
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh(); refreshHistory(); }, 200);
}

async function startFleet(e) {
  e.preventDefault();
  const file = document.getElementById('fleet-file').files[0];
  if (!file) { say('choose a fleet file first', true); return; }
  const text = await file.text();
  const dir = document.getElementById('fleet-dir').value.trim();
  const json = file.name.endsWith('.json');
  try {
    const r = await api('POST', '/api/fleets' + (dir ? '?dir=' + encodeURIComponent(dir) : ''), text,
      json ? 'application/json' : 'application/yaml');
    say('fleet ' + r.fleet + ' started: ' + r.agents.length + ' agents' + (r.queued.length ? ', ' + r.queued.length + ' waiting' : ''));
    refresh();
  } catch (err) { say(err.message, true); }
}

async function main() {
  try {
    csrf = (await api('GET', '/api/session')).csrf;
  } catch (err) {
    say('not signed in: open the URL that descartes serve printed (' + err.message + ')', true);
    return;
  }
  document.getElementById('fleet-form').addEventListener('submit', startFleet);
  document.getElementById('history-filter').addEventListener('submit', (e) => { e.preventDefault(); refreshHistory(); });
  const conn = document.getElementById('conn');
  const changes = new EventSource('/api/events');
  changes.onopen = () => { conn.textContent = 'live'; };
  changes.onerror = () => { conn.textContent = 'reconnecting…'; };
  changes.onmessage = () => soon();
  await refresh();
  await refreshHistory();
  setInterval(refresh, 2000); // uptime, CPU and memory move without events
}

main();
