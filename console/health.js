// Network health for anyone: GET /v1/status and GET /v1/checkpoints/latest of the
// node that served the page. Values from the node are inserted as text only.
const I18n = globalThis.ShulianI18n;
const REFRESH_MS = 5000;
let last = null;

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined ? I18n.t('none') : String(value);
  if (className) el.className = className;
  return el;
}

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [key, value] of rows) {
    dl.append(text('dt', I18n.t(key)), text('dd', value));
  }
}

function list(ids) { return ids && ids.length ? ids.join(', ') : I18n.t('none'); }

function age(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (I18n.lang === 'en') return s < 120 ? s + ' s' : Math.round(s / 60) + ' min';
  return s < 120 ? s + ' 秒' : Math.round(s / 60) + ' 分钟';
}

function render() {
  I18n.apply(document);
  const state = document.getElementById('state');
  if (!last) return;
  if (last.error) {
    state.textContent = I18n.t('error') + last.error;
    state.className = 'error';
    return;
  }
  const s = last.status;
  state.textContent = I18n.t('refreshed') + ' ' + I18n.formatTime(last.at);
  state.className = 'state';
  const m = s.membership || {};
  facts(document.getElementById('facts'), [
    ['network', s.network_id], ['node', s.node_id], ['role', s.role], ['leader', s.leader_id], ['term', s.term],
    ['height', s.height], ['commit', s.commit_index], ['applied', s.applied_index],
    ['voters', list(m.voters)], ['learners', list(m.learners)], ['removed', list(m.removed)],
    ['genesis_hash', s.genesis_hash],
  ]);
  const cp = last.checkpoint;
  const cpList = document.getElementById('checkpoint');
  if (cp) {
    facts(cpList, [
      ['cp_height', cp.checkpoint.height], ['cp_time', I18n.formatTime(cp.checkpoint.block_time_ms)],
      ['cp_age', age(cp.checkpoint.block_time_ms)], ['cp_signers', list(cp.signatures.map((x) => x.node_id))],
    ]);
  } else {
    cpList.replaceChildren(text('dd', I18n.t('no_checkpoint'), 'state'));
  }
  const rows = (s.peers || []).map((p) => {
    const tr = document.createElement('tr');
    tr.append(text('td', p.node_id), text('td', p.address), text('td', I18n.t(p.connected ? 'yes' : 'no')),
              text('td', p.member), text('td', p.lag_entries));
    return tr;
  });
  document.getElementById('peers').replaceChildren(...rows);
  document.getElementById('status').hidden = false;
}

async function refresh() {
  try {
    const response = await fetch('/v1/status', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const status = await response.json();
    const latest = await fetch('/v1/checkpoints/latest', { cache: 'no-store' });
    last = { status, checkpoint: latest.ok ? await latest.json() : null, at: Date.now() };
  } catch (error) {
    last = { error: String(error.message || error) };
  }
  render();
}

document.getElementById('lang').addEventListener('click', () => { I18n.toggle(); render(); });
I18n.apply(document);
refresh();
setInterval(refresh, REFRESH_MS);
