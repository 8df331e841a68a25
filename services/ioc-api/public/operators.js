// The operators' page: upload an export (POST /api/v1/internal/ingest, with a progress bar), follow
// its job to the end, list the runs, read a run's rejects and replay a run, all through the same API
// the `chiso` CLI uses with CHISO_API_URL. The operator token is kept in localStorage like the
// dashboard's. No build step.
/* global localStorage, fetch, setTimeout, XMLHttpRequest */
import { $, API, el, readToken, TOKEN_KEY } from './common.js';

const STATUS = { succeeded: 'Thành công', failed: 'Thất bại', running: 'Đang chạy' };

let token = null;


function showLogin(message = '') {
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token-input').focus();
}

function showError(e) {
  if (e.message === 'unauthorized') return;
  const b = $('error');
  b.textContent = `Lỗi / error: ${e.message}`;
  b.hidden = false;
  setTimeout(() => { b.hidden = true; }, 10000);
}

async function api(path, init = {}) {
  const r = await fetch(API + path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` } });
  if (r.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    showLogin('Mã truy cập không hợp lệ. / The token was refused.');
    throw new Error('unauthorized');
  }
  const body = await r.json();
  if (r.status === 403) throw new Error('cần mã truy cập vận hành / this needs an operator token (no unit scope)');
  if (!r.ok) throw new Error(`${body.reason ?? r.statusText}${body.field ? ` (${body.field})` : ''}`);
  return body;
}

/** Follows a job on the server (each request waits up to 20 s there) until it ends. */
async function follow(job, onRunning) {
  for (;;) {
    const s = await api(`/internal/jobs/${encodeURIComponent(job)}?wait=20`);
    if (s.status !== 'running') return s;
    onRunning?.(s);
  }
}

function describeRuns(runs) {
  return runs.map((r) => `${STATUS[r.status] ?? r.status}  ${r.runId}  ${r.source}/${r.entity}: đọc / read ${r.read}, nhận / accepted ${r.accepted}, loại / rejected ${r.rejected}${r.error ? `\n  ${r.error}` : ''}`).join('\n');
}

function showJob(kind, text) {
  const cls = kind === 'ok' ? 'ok' : kind === 'failed' ? 'failed' : '';
  const [head, ...rest] = text.split('\n');
  $('job').replaceChildren(el('span', { class: cls, 'data-state': kind }, head), rest.length ? `\n${rest.join('\n')}` : '');
}

/** POSTs the file as the raw body with XMLHttpRequest, which reports upload progress (fetch does not). */
function upload(file, query) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/internal/ingest?${query}`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    const bar = $('upload-progress');
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100); };
    xhr.onload = () => {
      bar.value = 100;
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 202) resolve(body);
      else if (xhr.status === 413) reject(new Error(`tệp quá lớn / the file is too large: ${body.reason ?? ''}`));
      else reject(new Error(`${body.reason ?? xhr.statusText}${body.field ? ` (${body.field})` : ''}`));
    };
    xhr.onerror = () => reject(new Error('không gửi được tệp / the upload failed'));
    xhr.send(file);
  });
}

async function onUpload(ev) {
  ev.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  const q = new URLSearchParams({ source: $('source').value, name: file.name });
  if ($('entity').value) q.set('entity', $('entity').value);
  if ($('force').checked) q.set('force', 'true');
  $('upload-button').disabled = true;
  try {
    showJob('running', `Đang tải lên / uploading ${file.name}…`);
    const started = await upload(file, q);
    const stored = started.archive?.stored === 'existing' ? 'đã có trên máy chủ / already archived (stored once)' : 'đã lưu / archived';
    showJob('running', `Đang nạp / ingesting ${file.name} (${stored}), run ${started.runId}…`);
    const s = await follow(started.job);
    const result = s.status === 'completed' ? s.result : s.details;
    const runs = result?.runs ?? [];
    const skipped = (result?.skipped ?? []).map((x) => `Bỏ qua / skipped: ${x.reason}`);
    const failed = s.status === 'failed' || runs.some((r) => r.status === 'failed');
    showJob(failed ? 'failed' : 'ok', [failed ? `Thất bại / failed${s.error ? `: ${s.error}` : ''}` : 'Xong / done', describeRuns(runs), ...skipped].filter(Boolean).join('\n'));
    await loadRuns();
  } catch (e) {
    showJob('failed', `Thất bại / failed: ${e.message}`);
  } finally {
    $('upload-button').disabled = false;
  }
}

async function replay(runId) {
  try {
    showJob('running', `Đang phát lại / replaying ${runId}…`);
    const started = await api('/internal/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: runId }) });
    const s = await follow(started.job);
    if (s.status === 'completed') {
      const days = s.result?.days ?? [];
      showJob('ok', [`Đã phát lại / replayed ${runId} -> ${started.replayRunId}`, describeRuns(s.result?.runs ?? []), days.length ? `tính lại / recomputed ${days.length} ngày / days` : ''].filter(Boolean).join('\n'));
    } else {
      showJob('failed', `Không phát lại được / not replayed ${runId}: ${s.type ? `${s.type}: ` : ''}${s.error ?? ''}`);
    }
    await loadRuns();
  } catch (e) {
    showJob('failed', `Không phát lại được / not replayed ${runId}: ${e.message}`);
  }
}

async function showRejects(runId) {
  try {
    const { rejects } = await api(`/rejects?run=${encodeURIComponent(runId)}&limit=200`);
    $('rejects-panel').hidden = false;
    $('rejects-title').textContent = `Bản ghi bị loại / rejects of ${runId}: ${rejects.length}`;
    const head = el('tr', {}, ...['Vị trí / location', 'Trường / field', 'Lý do / reason', 'Bản gốc / original'].map((h) => el('th', {}, h)));
    const rows = rejects.map((r) => el('tr', {}, el('td', {}, r.location), el('td', {}, r.field), el('td', {}, r.reason), el('td', { class: 'original' }, String(r.original).slice(0, 300))));
    $('rejects').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  } catch (e) {
    showError(e);
  }
}

async function loadRuns() {
  const { runs } = await api('/runs?limit=50');
  const head = el('tr', {}, ...['Lượt nạp / run', 'Nguồn / source', 'Trạng thái / status', 'Bắt đầu / started', 'Đọc / read', 'Nhận / accepted', 'Loại / rejected', 'Phát lại của / replay of', ''].map((h) => el('th', {}, h)));
  const rows = runs.map((r) =>
    el('tr', { 'data-run': r.run_id },
      el('td', {}, r.run_id),
      el('td', {}, `${r.source}/${r.entity}`),
      el('td', { class: `status-${r.status}` }, STATUS[r.status] ?? r.status, r.error ? el('small', {}, ` ${r.error}`) : ''),
      el('td', {}, String(r.started_at)),
      el('td', { class: 'num' }, String(r.read)),
      el('td', { class: 'num' }, String(r.accepted)),
      el('td', { class: 'num' }, String(r.rejected)),
      el('td', {}, r.replay_of ?? ''),
      el('td', {},
        r.rejected > 0 ? el('button', { type: 'button', class: 'ghost rejects', onclick: () => showRejects(r.run_id) }, 'Bản ghi bị loại') : '',
        el('button', { type: 'button', class: 'replay', onclick: () => replay(r.run_id) }, 'Phát lại / Replay'))));
  $('runs').replaceChildren(el('thead', {}, head), el('tbody', {}, ...(rows.length ? rows : [el('tr', {}, el('td', { class: 'empty', colspan: '9' }, 'Chưa có lượt nạp nào / no runs yet'))])));
}

async function start() {
  token = readToken();
  if (!token) return showLogin();
  try {
    await loadRuns();
    $('login').hidden = true;
    $('app').hidden = false;
  } catch (e) {
    if (e.message !== 'unauthorized') showLogin(e.message);
  }
}

$('upload-form').addEventListener('submit', (ev) => void onUpload(ev));
$('refresh').addEventListener('click', () => void loadRuns().catch(showError));
$('login-form').addEventListener('submit', (ev) => { ev.preventDefault(); localStorage.setItem(TOKEN_KEY, $('token-input').value.trim()); void start(); });
$('logout').addEventListener('click', () => { localStorage.removeItem(TOKEN_KEY); showLogin(); });
void start();
