// The IOC dashboard: reads /api/v1 with the operator's token (kept in localStorage), shows the chosen
// unit's scorecard, each indicator's daily and monthly series, and the child units. No build step.
/* global document, window, localStorage, fetch, setTimeout, URL */
import { $, API, el, readToken, TOKEN_KEY } from './common.js';

const STATUS = { met: ['Đạt', '✔'], not_met: ['Chưa đạt', '✘'], no_data: ['Chưa có dữ liệu', '–'] };
const LEVEL = { TINH: 'Tỉnh', HUYEN: 'Huyện / Thành phố', XA: 'Xã / Phường', province: 'Tỉnh', city: 'Thành phố', district: 'Huyện', ward: 'Phường', commune: 'Xã' };
const CMP = { '>=': '≥', '>': '>', '=': '=' };
const pct = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1, minimumFractionDigits: 0 });
const fmt = (v) => (v === null || v === undefined ? '—' : `${pct.format(v)}%`);

const state = { token: null, units: [], indicators: new Map(), unit: null, year: new Date().getFullYear(), charts: [], seq: 0 };


async function api(path) {
  const r = await fetch(API + path, { headers: { authorization: `Bearer ${state.token}` } });
  if (r.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    showLogin('Mã truy cập không hợp lệ. / The token was refused.');
    throw new Error('unauthorized');
  }
  const body = await r.json();
  if (!r.ok) throw new Error(`${body.reason ?? r.statusText} (${body.field ?? ''})`);
  return body;
}

function showError(e) {
  if (e.message === 'unauthorized') return;
  const b = $('error');
  b.textContent = `Lỗi: ${e.message}`;
  b.hidden = false;
  setTimeout(() => { b.hidden = true; }, 8000);
}

function showLogin(message = '') {
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token-input').focus();
}

function buildTree() {
  const byParent = new Map();
  const codes = new Set(state.units.map((u) => u.code));
  for (const u of state.units) {
    const p = codes.has(u.parent_code) ? u.parent_code : '';
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(u);
  }
  const render = (parent) => {
    const list = el('ul', { role: parent ? 'group' : 'tree' });
    for (const u of (byParent.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      const btn = el('button', { type: 'button', class: 'node', role: 'treeitem', 'data-unit': u.code, 'aria-selected': 'false', onclick: () => selectUnit(u.code) }, u.name, el('span', { class: 'lvl' }, LEVEL[u.level] ?? u.level));
      const li = el('li', {}, btn);
      if (byParent.has(u.code)) li.append(render(u.code));
      list.append(li);
    }
    return list;
  };
  $('tree').replaceChildren(render(''));
}

function card(r) {
  const [text, icon] = STATUS[r.status] ?? STATUS.no_data;
  const width = r.attainment === null ? 0 : Math.min(100, Math.max(0, r.attainment));
  return el(
    'button',
    { type: 'button', class: `card ${r.status}`, 'data-indicator': r.indicator, onclick: () => openChart(r.indicator), title: 'Xem diễn biến theo ngày và tháng' },
    el('span', { class: 'name' }, r.name_vi),
    el('span', { class: 'value' }, fmt(r.value)),
    el('span', { class: 'bar', 'aria-hidden': 'true' }, el('span', { style: { width: `${width}%` } })),
    el('span', { class: 'meta' }, el('span', {}, `Mục tiêu ${CMP[r.comparator] ?? r.comparator} ${fmt(r.target)}`), el('span', {}, `Kế hoạch ${r.plan}`)),
    el('span', { class: 'meta' }, el('span', {}, `So với mục tiêu: ${fmt(r.attainment)}`), el('span', { class: `badge ${r.status}` }, `${icon} ${text}`)),
  );
}

function setReportMonth(code, month) {
  $('report-link').onclick = (ev) => { ev.preventDefault(); void download(`/reports/monthly?unit=${encodeURIComponent(code)}&month=${month}`, `bao-cao-${code}-${month}.xlsx`); };
  $('report-link').textContent = `Tải báo cáo tháng ${month.slice(5)}/${month.slice(0, 4)} (XLSX)`;
}

async function selectUnit(code) {
  // A later selection wins: answers to earlier ones that arrive late are dropped.
  const seq = ++state.seq;
  state.unit = code;
  for (const b of document.querySelectorAll('.node')) b.setAttribute('aria-selected', String(b.dataset.unit === code));
  const u = state.units.find((x) => x.code === code);
  $('unit-title').textContent = u?.name ?? code;
  $('unit-level').textContent = LEVEL[u?.level] ?? u?.level ?? '';
  $('chart-panel').hidden = true;
  // Until the data says otherwise: last month of a past year, the month just ended of this one.
  setReportMonth(code, `${state.year}-${String(state.year === new Date().getFullYear() ? Math.max(1, new Date().getMonth()) : 12).padStart(2, '0')}`);
  // The report offered is the latest month that has values for this unit.
  void api(`/values?unit=${encodeURIComponent(code)}&period=month&from=${state.year}-01-01&to=${state.year}-12-31`)
    .then((v) => {
      const latest = (v.values ?? []).map((x) => x.period_start.slice(0, 7)).sort().pop();
      if (latest && seq === state.seq) setReportMonth(code, latest);
    })
    .catch(() => undefined);
  try {
    const sc = await api(`/scorecard?unit=${encodeURIComponent(code)}&year=${state.year}&children=true`);
    if (seq !== state.seq) return;
    const met = sc.rows.filter((r) => r.status === 'met').length;
    $('summary').textContent = sc.rows.length === 0 ? `Chưa có chỉ tiêu cho năm ${state.year}.` : `Năm ${state.year}: đạt ${met}/${sc.rows.length} chỉ tiêu.`;
    $('scorecard').replaceChildren(...(sc.rows.length ? sc.rows.map(card) : [el('p', { class: 'empty' }, 'Không có chỉ tiêu nào áp dụng cho đơn vị này trong năm đã chọn.')]));
    renderDrill(sc.children ?? []);
  } catch (e) {
    showError(e);
  }
}

function renderDrill(children) {
  $('drill').hidden = children.length === 0;
  if (children.length === 0) return;
  const indicators = [...new Set(children.flatMap((c) => c.rows.map((r) => r.indicator)))].sort();
  const head = el('tr', {}, el('th', {}, 'Đơn vị'), ...indicators.map((i) => el('th', {}, state.indicators.get(i) ?? i)));
  const rows = children.map((c) =>
    el('tr', {},
      el('td', {}, el('button', { type: 'button', class: 'node', onclick: () => selectUnit(c.code) }, c.name)),
      ...indicators.map((i) => {
        const r = c.rows.find((x) => x.indicator === i);
        if (!r) return el('td', { class: 'empty' }, 'không áp dụng');
        const [text, icon] = STATUS[r.status];
        return el('td', { class: 'num' }, fmt(r.value), el('span', { class: `st ${r.status}` }, `${icon} ${text} (mục tiêu ${CMP[r.comparator] ?? ''} ${fmt(r.target)})`));
      })));
  $('drill-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

async function openChart(indicator) {
  const seq = state.seq;
  const panel = $('chart-panel');
  panel.hidden = false;
  $('chart-title').textContent = state.indicators.get(indicator) ?? indicator;
  const q = (period) => `/values?indicator=${indicator}&unit=${encodeURIComponent(state.unit)}&period=${period}&from=${state.year}-01-01&to=${state.year}-12-31`;
  try {
    const [day, month] = await Promise.all([api(q('day')), api(q('month'))]);
    if (seq !== state.seq) return;
    for (const c of state.charts) c.destroy();
    const axis = { ticks: { color: '#9fb2cc', callback: (v) => `${pct.format(v)}%` }, grid: { color: '#22375a' }, suggestedMin: 0, suggestedMax: 100 };
    const opts = { animation: false, responsive: true, plugins: { legend: { labels: { color: '#eef3fa' } }, tooltip: { callbacks: { label: (c) => fmt(c.parsed.y) } } }, scales: { y: axis, x: { ticks: { color: '#9fb2cc', maxTicksLimit: 12 }, grid: { display: false } } } };
    const Chart = window.Chart;
    state.charts = [
      new Chart($('chart-day'), { type: 'line', data: { labels: day.values.map((v) => v.period_start.slice(5).split('-').reverse().join('/')), datasets: [{ label: 'Theo ngày (%)', data: day.values.map((v) => v.value), borderColor: '#f2b233', backgroundColor: 'rgba(242,178,51,.15)', pointRadius: 0, spanGaps: false, fill: true }] }, options: opts }),
      new Chart($('chart-month'), { type: 'bar', data: { labels: month.values.map((v) => `T${Number(v.period_start.slice(5, 7))}`), datasets: [{ label: 'Theo tháng (%)', data: month.values.map((v) => v.value), backgroundColor: '#4c8bf5' }] }, options: opts }),
    ];
    panel.dataset.days = String(day.values.length);
    panel.dataset.months = String(month.values.length);
    panel.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    showError(e);
  }
}

async function download(path, name) {
  const r = await fetch(API + path, { headers: { authorization: `Bearer ${state.token}` } });
  if (!r.ok) return showError(new Error(`báo cáo: ${r.status}`));
  const a = el('a', { href: URL.createObjectURL(await r.blob()), download: name });
  a.click();
}

async function start() {
  state.token = readToken();
  if (!state.token) return showLogin();
  try {
    const [units, inds] = await Promise.all([api('/units'), api('/indicators')]);
    state.units = units.units;
    state.indicators = new Map(inds.indicators.map((i) => [i.code, i.name_vi]));
    $('login').hidden = true;
    $('app').hidden = false;
    buildTree();
    const root = units.root ?? state.units.find((u) => !state.units.some((p) => p.code === u.parent_code))?.code;
    if (root) {
      // Open on the latest year that has targets for the root unit, so that a wall screen never starts empty.
      for (let y = new Date().getFullYear(); y >= 2020; y--) {
        if ((await api(`/scorecard?unit=${encodeURIComponent(root)}&year=${y}`)).rows.length > 0) {
          state.year = y;
          break;
        }
      }
      $('year').value = String(state.year);
      await selectUnit(root);
    }
  } catch (e) {
    showError(e);
  }
}

const years = $('year');
for (let y = new Date().getFullYear(); y >= 2020; y--) years.append(el('option', { value: String(y) }, String(y)));
years.value = String(state.year);
years.addEventListener('change', () => { state.year = Number(years.value); if (state.unit) void selectUnit(state.unit); });
$('login-form').addEventListener('submit', (ev) => { ev.preventDefault(); localStorage.setItem(TOKEN_KEY, $('token-input').value.trim()); void start(); });
$('logout').addEventListener('click', () => { localStorage.removeItem(TOKEN_KEY); showLogin(); });
$('chart-close').addEventListener('click', () => { $('chart-panel').hidden = true; });
void start();
