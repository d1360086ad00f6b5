// thrad dashboard (REPORTS.md §6): sign-in with a reports or admin key (kept in sessionStorage,
// sent as a bearer token, never in a URL or a cookie), then the overview charts, the campaigns
// table and the diagnostics of refused requests, all read from the reports API of this origin.
// Chart.js (window.Chart) is Debian's, served by the binary as chart.js.

const KEY_ITEM = 'thrad.dashboard.key';
const ROLE_ITEM = 'thrad.dashboard.role';
const PARTNER_ITEM = 'thrad.dashboard.partner';
const PARTNERS_ITEM = 'thrad.dashboard.partners';
const OWN_ITEM = 'thrad.dashboard.own';
const VIEWS = ['overview', 'campaigns', 'diagnostics'];
const COLORS = ['#4f46e5', '#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];

const $ = (id) => document.getElementById(id);
const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const intFormat = new Intl.NumberFormat();
const pctFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

const state = {
  key: sessionStorage.getItem(KEY_ITEM),
  role: sessionStorage.getItem(ROLE_ITEM),
  own: sessionStorage.getItem(OWN_ITEM) || '',
  partner: sessionStorage.getItem(PARTNER_ITEM) || '',
  from: null,
  to: null,
  view: 'overview',
  campaigns: [],
  sort: { key: 'conversions', dir: 'desc' },
  charts: {},
  seq: { overview: 0, campaigns: 0, diagnostics: 0 },
  loaded: {},
};

// Every view's data is to be read again (another range, partner or key): a view shows
// data-status "stale" until its next load starts.
function invalidate() {
  state.loaded = {};
  for (const v of VIEWS) $(`view-${v}`).dataset.status = 'stale';
}

class AuthError extends Error {}
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Dates: local calendar days of the browser's zone, which the API is asked to use (tz=).

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date());
}

function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * 86400000).toISOString().slice(0, 10);
}

function daysBetween(from, to) {
  const days = [];
  for (let d = from; d <= to && days.length <= 366; d = addDays(d, 1)) days.push(d);
  return days;
}

function setLastDays(n) {
  state.to = today();
  state.from = addDays(state.to, -(n - 1));
  $('range-from').value = state.from;
  $('range-to').value = state.to;
}

// ---------------------------------------------------------------------------------------------
// The API.

async function api(path, params = {}, { partner = true } = {}) {
  const q = new URLSearchParams(params);
  if (partner && state.role === 'admin' && state.partner) q.set('partner', state.partner);
  let resp;
  try {
    resp = await fetch(`${path}?${q}`, {
      headers: { Authorization: `Bearer ${state.key}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and retry.');
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    body = null;
  }
  if (resp.status === 401) throw new AuthError('Your key was refused (unknown, revoked or expired). Sign in again.');
  if (resp.status === 403) throw new AuthError('This key has neither the reports nor the admin scope.');
  if (!resp.ok) {
    const err = new ApiError(resp.status, describeError(resp.status, body));
    err.body = body;
    throw err;
  }
  return body;
}

function describeError(status, body) {
  const detail = body && body.detail ? String(body.detail) : `HTTP ${status}`;
  if (body && Array.isArray(body.errors) && body.errors.length) {
    const parts = body.errors.map((e) => `${(e.loc || []).slice(1).join('.')}: ${e.msg || e.type}`);
    return `${detail} (${parts.join('; ')})`;
  }
  return detail;
}

function report(kind, params) {
  return api(`/v1/api/reports/${kind}`, { from: state.from, to: state.to, tz, ...params });
}

// ---------------------------------------------------------------------------------------------
// Sign-in and sign-out.

// GET /v1/api/me: the key's partner and scopes (401: not a key; 403: neither scope).
async function whoAmI(key) {
  let resp;
  try {
    resp = await fetch('/v1/api/me', {
      headers: { Authorization: `Bearer ${key}` }, cache: 'no-store', credentials: 'omit',
    });
  } catch (e) {
    throw new Error('The server cannot be reached. Check your connection and retry.');
  }
  if (resp.status === 401) throw new Error('This key is not valid: unknown, revoked or expired.');
  if (resp.status === 403) throw new Error('This key has neither the reports nor the admin scope.');
  const body = await resp.json().catch(() => null);
  if (!resp.ok || !body) throw new Error(`Sign-in failed: ${describeError(resp.status, body)}`);
  return { role: body.scopes.includes('admin') ? 'admin' : 'reports', partner: body.partner_id };
}

async function signIn(event) {
  event.preventDefault();
  const input = $('key-input');
  const key = input.value.trim();
  const button = $('signin-button');
  showSigninError('');
  if (!key) {
    showSigninError('Paste your API key.');
    return;
  }
  button.disabled = true;
  button.textContent = 'Signing in…';
  try {
    const me = await whoAmI(key);
    state.key = key;
    state.role = me.role;
    state.own = me.partner;
    sessionStorage.setItem(KEY_ITEM, key);
    sessionStorage.setItem(ROLE_ITEM, me.role);
    sessionStorage.setItem(OWN_ITEM, me.partner);
    input.value = '';
    showApp();
  } catch (e) {
    showSigninError(e.message);
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
}

function signOut(message) {
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.removeItem(ROLE_ITEM);
  sessionStorage.removeItem(OWN_ITEM);
  state.key = null;
  state.role = null;
  invalidate();
  for (const v of VIEWS) state.seq[v] += 1;  // answers still on their way are dropped
  clearData();
  $('app').hidden = true;
  $('signin').hidden = false;
  showSigninError(message || '');
  $('key-input').focus();
}

// Nothing of the last key's data stays on the page once it is signed out.
function clearData() {
  for (const chart of Object.values(state.charts)) chart.destroy();
  state.charts = {};
  state.campaigns = [];
  for (const id of ['total-events', 'total-clicks', 'total-conversions', 'total-value']) $(id).textContent = '–';
  for (const tbody of document.querySelectorAll('.table tbody')) tbody.replaceChildren();
}

function showSigninError(message) {
  const el = $('signin-error');
  el.textContent = message;
  el.hidden = !message;
}

function showApp() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('role-badge').textContent = state.role === 'admin' ? 'Admin' : `Partner ${state.own}`;
  $('role-badge').title = state.role === 'admin' ? `Admin key of ${state.own}` : `Reports key of partner ${state.own}`;
  $('partner-form').hidden = state.role !== 'admin';
  $('partner-input').value = state.partner;
  fillPartnerList();
  invalidate();
  route();
}

// ---------------------------------------------------------------------------------------------
// Admin: the partner the report routes are asked for (partner=); empty: all partners.

function knownPartners() {
  try {
    return JSON.parse(sessionStorage.getItem(PARTNERS_ITEM) || '[]');
  } catch (e) {
    return [];
  }
}

function fillPartnerList() {
  const list = $('partner-list');
  list.replaceChildren(...knownPartners().map((p) => {
    const o = document.createElement('option');
    o.value = p;
    return o;
  }));
}

function choosePartner(event) {
  event.preventDefault();
  const partner = $('partner-input').value.trim();
  if (partner.length > 128) return;
  state.partner = partner;
  if (partner) {
    sessionStorage.setItem(PARTNER_ITEM, partner);
    const known = [partner, ...knownPartners().filter((p) => p !== partner)].slice(0, 20);
    sessionStorage.setItem(PARTNERS_ITEM, JSON.stringify(known));
    fillPartnerList();
  } else {
    sessionStorage.removeItem(PARTNER_ITEM);
  }
  invalidate();
  load(state.view);
}

function scopeText() {
  const who = state.role !== 'admin' ? `Partner ${state.own}` : state.partner ? `Partner ${state.partner}` : 'All partners';
  return `${who} · ${formatDay(state.from)} – ${formatDay(state.to)} (${tz})`;
}

// ---------------------------------------------------------------------------------------------
// Views and their states.

function route() {
  const name = location.hash.slice(1);
  state.view = VIEWS.includes(name) ? name : 'overview';
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== state.view;
  // The one date-range picker moves to the head of the view that uses it.
  if (state.view !== 'diagnostics') $(`view-${state.view}`).querySelector('.view-head').append($('range-form'));
  for (const a of document.querySelectorAll('.nav a')) {
    if (a.dataset.view === state.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${state.view[0].toUpperCase()}${state.view.slice(1)} · thrad`;
  if (state.key && !state.loaded[state.view]) load(state.view);
}

function setStatus(view, status, message, retry) {
  const section = $(`view-${view}`);
  section.dataset.status = status;
  section.setAttribute('aria-busy', String(status === 'loading'));
  const box = section.querySelector('.status');
  box.className = `status ${status}`;
  box.replaceChildren();
  if (status === 'loading') box.textContent = 'Loading…';
  if (status === 'error') {
    const text = document.createElement('span');
    text.textContent = message;
    box.append(text);
    if (retry) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button small';
      b.textContent = 'Retry';
      b.addEventListener('click', retry);
      box.append(b);
    }
  }
}

async function load(view) {
  if (!state.key) return;
  const seq = ++state.seq[view];
  const loaders = { overview: loadOverview, campaigns: loadCampaigns, diagnostics: loadDiagnostics };
  setStatus(view, 'loading');
  try {
    const render = await loaders[view]();
    if (seq !== state.seq[view]) return;  // a newer load of this view is under way
    render();
    state.loaded[view] = true;
    setStatus(view, 'ready');
  } catch (e) {
    if (seq !== state.seq[view]) return;
    if (e instanceof AuthError) {
      signOut(e.message);
      return;
    }
    setStatus(view, 'error', e.message || String(e), () => load(view));
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting.

function formatInt(n) {
  return intFormat.format(n);
}

function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(amount));
  } catch (e) {
    return `${amount} ${currency}`;
  }
}

function formatDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, {
    timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
}

function formatTime(text) {
  const t = new Date(text);
  return Number.isNaN(t.getTime()) ? text : t.toLocaleString(undefined, {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// Exact decimal strings added per currency (REPORTS.md §3: never across currencies). Kept in
// micro-units as BigInt, as the server stores them.
function addDecimal(a, b) {
  const scale = (s) => {
    const neg = s.startsWith('-');
    const [w, f = ''] = (neg ? s.slice(1) : s).split('.');
    const v = BigInt(w || '0') * 1000000n + BigInt((f + '000000').slice(0, 6));
    return neg ? -v : v;
  };
  const v = scale(a) + scale(b);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const frac = (abs % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / 1000000n}${frac ? `.${frac}` : ''}`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function valueText(value) {
  const entries = Object.entries(value || {});
  return entries.length ? entries.map(([c, v]) => formatMoney(v, c)).join(' · ') : '–';
}

// ---------------------------------------------------------------------------------------------
// Overview: events, clicks and conversions per day, and conversion value per currency.

async function loadOverview() {
  const [events, clicks, conversions] = await Promise.all([
    report('events', { granularity: 'day' }),
    report('clicks', { granularity: 'day' }),
    report('conversions', { granularity: 'day' }),
  ]);
  return () => renderOverview(events.rows, clicks.rows, conversions.rows);
}

function perDay(days, rows, metric) {
  const byDay = new Map();
  for (const r of rows) byDay.set(r.period.slice(0, 10), (byDay.get(r.period.slice(0, 10)) || 0) + r[metric]);
  return days.map((d) => byDay.get(d) || 0);
}

function renderOverview(eventRows, clickRows, conversionRows) {
  const days = daysBetween(state.from, state.to);
  const events = perDay(days, eventRows, 'events');
  const clicks = perDay(days, clickRows, 'clicks');
  const conversions = perDay(days, conversionRows, 'conversions');
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  $('overview-scope').textContent = scopeText();
  $('total-events').textContent = formatInt(sum(events));
  $('total-clicks').textContent = formatInt(sum(clicks));
  $('total-conversions').textContent = formatInt(sum(conversions));

  const totals = {};
  const valueByDay = {};  // currency -> day -> exact decimal
  for (const r of conversionRows) {
    const day = r.period.slice(0, 10);
    for (const [currency, amount] of Object.entries(r.value || {})) {
      totals[currency] = addDecimal(totals[currency] || '0', amount);
      valueByDay[currency] = valueByDay[currency] || {};
      valueByDay[currency][day] = addDecimal(valueByDay[currency][day] || '0', amount);
    }
  }
  const currencies = Object.keys(totals).sort();
  $('total-value').textContent = currencies.length ? currencies.map((c) => formatMoney(totals[c], c)).join(' · ') : '–';

  const labels = days;
  const line = (label, data, i) => ({
    label, data, borderColor: COLORS[i], backgroundColor: `${COLORS[i]}22`, fill: i === 0,
    tension: 0.25, pointRadius: days.length > 45 ? 0 : 2, borderWidth: 2,
  });
  drawChart('chart-activity', 'line', labels, [
    line('Events', events, 0), line('Clicks', clicks, 1), line('Conversions', conversions, 2),
  ], { y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => formatInt(v) } } },
  (ctx) => `${ctx.dataset.label}: ${formatInt(ctx.parsed.y)}`);

  drawChart('chart-value', 'bar', labels, currencies.map((c, i) => ({
    label: c,
    data: days.map((d) => Number((valueByDay[c] || {})[d] || 0)),
    backgroundColor: COLORS[(i + 3) % COLORS.length],
    borderRadius: 3,
  })), { y: { beginAtZero: true } },
  (ctx) => formatMoney(ctx.parsed.y, ctx.dataset.label));
  $('value-empty').hidden = currencies.length > 0;
}

function drawChart(id, type, labels, datasets, scales, tooltip) {
  const old = state.charts[id];
  if (old) old.destroy();
  state.charts[id] = new window.Chart($(id), {
    type,
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false },
             ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: window.innerWidth < 600 ? 4 : 8,
                      callback(v) { return formatDay(this.getLabelForValue(v)).replace(/,? \d{4}$/, ''); } } },
        ...scales,
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8 } },
        tooltip: { callbacks: { title: (items) => formatDay(items[0].label), label: tooltip } },
      },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Campaigns: the campaigns report over the range, one row per campaign, sortable.

async function loadCampaigns() {
  const data = await report('campaigns', { granularity: 'total' });
  return () => {
    state.campaigns = data.rows;
    $('campaigns-scope').textContent = scopeText() + (data.truncated ? ' · truncated' : '');
    renderCampaigns();
  };
}

function sortValue(row, key) {
  if (key === 'campaign_id') return row.campaign_id;
  if (key === 'value') return Object.values(row.value || {}).reduce((s, v) => s + Number(v), 0);
  return row[key];
}

function compareRows(a, b) {
  const { key, dir } = state.sort;
  const x = sortValue(a, key);
  const y = sortValue(b, key);
  // Missing values (no campaign, no rate) go last either way.
  if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
  if (y === null || y === undefined) return -1;
  const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
  return dir === 'asc' ? c : -c;
}

function renderCampaigns() {
  const rows = [...state.campaigns].sort(compareRows);
  const tbody = $('campaigns-table').querySelector('tbody');
  tbody.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.campaign = r.campaign_id ?? '';
    tr.append(
      cell(r.campaign_id ?? 'No campaign', r.campaign_id == null ? 'none' : ''),
      cell(formatInt(r.clicks), 'num'),
      cell(formatInt(r.filtered_clicks), 'num'),
      cell(formatInt(r.conversions), 'num'),
      cell(r.conversion_rate == null ? '–' : pctFormat.format(r.conversion_rate), 'num'),
      cell(valueText(r.value), 'num'),
    );
    return tr;
  }));
  $('campaigns-empty').hidden = rows.length > 0;
  $('campaigns-table').hidden = rows.length === 0;
  for (const th of $('campaigns-table').querySelectorAll('th')) {
    const key = th.querySelector('button').dataset.sort;
    th.setAttribute('aria-sort', key !== state.sort.key ? 'none' : state.sort.dir === 'asc' ? 'ascending' : 'descending');
  }
}

function sortBy(event) {
  const button = event.target.closest('button[data-sort]');
  if (!button) return;
  const key = button.dataset.sort;
  if (state.sort.key === key) state.sort.dir = state.sort.dir === 'asc' ? 'desc' : 'asc';
  else state.sort = { key, dir: key === 'campaign_id' ? 'asc' : 'desc' };
  renderCampaigns();
}

// ---------------------------------------------------------------------------------------------
// Diagnostics (REPORTS.md §5): refusals by reason, and the newest ones with their request ids.

async function loadDiagnostics() {
  const hours = $('hours-select').value;
  let data;
  try {
    data = await api('/v1/api/diagnostics', { hours });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      throw new ApiError(404, 'Diagnostics are not available on this server yet.');
    }
    throw e;
  }
  return () => renderDiagnostics(data);
}

function locText(loc) {
  return Array.isArray(loc) ? loc.join('.') : '';
}

function renderDiagnostics(data) {
  const counts = [...(data.counts || [])].sort((a, b) => b.count - a.count);
  $('refusal-counts').querySelector('tbody').replaceChildren(...counts.map((c) => {
    const tr = document.createElement('tr');
    tr.append(
      cell(c.route, 'mono'),
      cell(String(c.status), 'num status-code'),
      cell(c.detail),
      cell(locText(c.loc) || '–', 'mono'),
      cell(c.type ?? '–', 'mono'),
      cell(formatInt(c.count), 'num'),
    );
    return tr;
  }));
  $('counts-empty').hidden = counts.length > 0;
  $('refusal-counts').hidden = counts.length === 0;

  const recent = data.recent || [];
  $('refusal-recent').querySelector('tbody').replaceChildren(...recent.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.requestId = r.request_id || '';
    const reason = cell(r.detail);
    if (Array.isArray(r.errors) && r.errors.length) {
      const ul = document.createElement('ul');
      ul.className = 'errors';
      for (const e of r.errors) {
        const li = document.createElement('li');
        li.textContent = `${locText(e.loc)}: ${e.type}`;
        ul.append(li);
      }
      reason.append(ul);
    }
    const at = cell(formatTime(r.at));
    at.title = r.at;
    tr.append(at, cell(r.route, 'mono'), cell(String(r.status), 'num status-code'), reason,
              cell(r.request_id || '–', 'mono'), cell(r.key_id || '–', 'mono'));
    return tr;
  }));
  $('recent-empty').hidden = recent.length > 0;
  $('refusal-recent').hidden = recent.length === 0;
}

// ---------------------------------------------------------------------------------------------
// Wiring.

function applyRange(event) {
  event.preventDefault();
  const from = $('range-from').value;
  const to = $('range-to').value;
  if (!from || !to) return;
  state.from = from <= to ? from : to;
  state.to = from <= to ? to : from;
  $('range-from').value = state.from;
  $('range-to').value = state.to;
  invalidate();
  load(state.view);
}

function start() {
  setLastDays(30);
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', () => signOut(''));
  $('partner-form').addEventListener('submit', choosePartner);
  $('range-form').addEventListener('submit', applyRange);
  for (const b of document.querySelectorAll('[data-days]')) {
    b.addEventListener('click', () => {
      setLastDays(Number(b.dataset.days));
      invalidate();
      load(state.view);
    });
  }
  $('campaigns-table').querySelector('thead').addEventListener('click', sortBy);
  $('hours-select').addEventListener('change', () => load('diagnostics'));
  window.addEventListener('hashchange', route);
  if (state.key && state.role) showApp();
  else signOut('');
}

start();
