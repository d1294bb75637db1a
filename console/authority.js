// The page of an authority or agency (docs/console.md): the open catalog for anyone;
// once signed in, its own assets, the requests and objections waiting for its
// decision with the working days left on its calendar, the grants it holds, an
// asset's history, and the everyday forms, each built and signed in the page
// (tx.js, session.js). Everything from the ledger is inserted with textContent only.
(function () {
  'use strict';
  const I18n = globalThis.ShulianI18n;
  const Session = globalThis.ShulianSession;
  const PAGE_ITEMS = 20;
  const DAY_MS = 86400000;
  const CST_OFFSET_MS = 8 * 3600000;
  // The calendar read once per page load: from a month back to most of a year ahead
  // (366 days, the node's default limits.calendar_days_max).
  const CALENDAR_DAYS_BEFORE = 30;
  const CALENDAR_DAYS = 366;
  const $ = (id) => document.getElementById(id);

  I18n.extend({
    'zh-CN': {
      assets_title: '我方资产', col_working_left: '剩余工作日', history: '查看历史',
      status_retired: '已停用', status_destroyed: '已销毁',
      wd_left: '剩余 {n} 个工作日', wd_due_today: '今日截止', wd_overdue: '已逾期',
      wd_overdue_days: '已逾期 {n} 个工作日', wd_due_at: '截止：', wd_uncovered: '（日历未含该年节假日）',
      wd_no_calendar: '（工作日历不可用：{e}）', account_mismatch: '节点答复的账户与登录账户不符',
    },
    en: {
      assets_title: 'Our assets', col_working_left: 'Working days left', history: 'History',
      status_retired: 'Retired', status_destroyed: 'Destroyed',
      wd_left: '{n} working days left', wd_due_today: 'Due today', wd_overdue: 'Overdue',
      wd_overdue_days: 'Overdue by {n} working days', wd_due_at: 'Due: ', wd_uncovered: ' (no holiday schedule for that year)',
      wd_no_calendar: ' (working-day calendar unavailable: {e})', account_mismatch: 'the node answered for another account',
    },
  });

  const el = I18n.textElement;

  const TIME_COLUMNS = new Set(['updated_ms', 'registered_ms', 'due_ms', 'raised_ms', 'expiry_ms', 'time_ms',
                                'created_ms', 'granted_ms']);
  const NAMED_VALUES = new Set(['share_type', 'open_type', 'mode', 'status', 'kind', 'resource_type']);

  // Deadlines: the due instant in CST and what is left of it. The ledger fixed the
  // instant from its working-day calendar when the item was made.
  function timeLeft(dueMs) {
    const left = Number(dueMs) - Date.now();
    if (left <= 0) return [I18n.t('overdue'), 'late'];
    const days = Math.floor(left / DAY_MS);
    const hours = Math.floor((left % DAY_MS) / 3600000);
    return [I18n.t('left_prefix') + days + I18n.t('days') + hours + I18n.t('hours'), days < 2 ? 'soon' : ''];
  }

  // ---- working days left, on the calendar the ledger counted the deadline in ----
  // The CST civil date (YYYY-MM-DD) of an instant.
  function cstDay(ms) { return new Date(Number(ms) + CST_OFFSET_MS).toISOString().slice(0, 10); }
  const workCalendar = { authority: null, promise: null, days: null, error: null };

  // One `calendar` query per page load and authority, kept for every list.
  function loadCalendar(authority) {
    if (workCalendar.authority === authority && workCalendar.promise) return workCalendar.promise;
    const first = Date.now() - CALENDAR_DAYS_BEFORE * DAY_MS;
    const params = { authority_id: authority, from_day: cstDay(first),
                     to_day: cstDay(first + CALENDAR_DAYS * DAY_MS) };
    Object.assign(workCalendar, { authority, days: null, error: null });
    workCalendar.promise = query('/v1/query/calendar', params, null, true).then((answer) => {
      const days = new Map();
      for (const d of answer.items[0].days) days.set(d.day, d);
      workCalendar.days = days;
    }, (error) => { workCalendar.error = String(error.message || error); });
    return workCalendar.promise;
  }

  // Working days from the day after `from` through `to` (YYYY-MM-DD), or null when
  // the cached calendar does not hold every day between; `uncovered` is set when a
  // counted day lies outside the calendar's holiday schedule.
  function workingDaysBetween(from, to, flags) {
    let n = 0;
    for (let t = Date.parse(from + 'T00:00:00Z') + DAY_MS; t <= Date.parse(to + 'T00:00:00Z'); t += DAY_MS) {
      const d = workCalendar.days.get(new Date(t).toISOString().slice(0, 10));
      if (!d) return null;
      if (!d.covered) flags.uncovered = true;
      if (d.working) n += 1;
    }
    return n;
  }

  // "剩余 N 个工作日" until the deadline's last day (the day a deadline ends at
  // 24:00 CST), red once it has passed; the CST instant as a second line and tooltip.
  function workingLeft(dueMs) {
    if (!Number(dueMs)) return el('td', '');
    const td = document.createElement('td');
    const dueText = I18n.t('wd_due_at') + I18n.formatTime(dueMs);
    td.title = dueText;
    const now = Date.now();
    const today = cstDay(now);
    const dueDay = cstDay(Number(dueMs) - 1);
    const flags = {};
    let text;
    let className = '';
    if (!workCalendar.days) {
      const [fallback, fallbackClass] = timeLeft(dueMs);
      text = fallback + (workCalendar.error ? I18n.t('wd_no_calendar').replace('{e}', workCalendar.error) : '');
      className = fallbackClass;
    } else if (now >= Number(dueMs)) {
      const n = workingDaysBetween(dueDay, today, flags);
      text = n ? I18n.t('wd_overdue_days').replace('{n}', n) : I18n.t('wd_overdue');
      className = 'late';
    } else if (dueDay === today) {
      text = I18n.t('wd_due_today');
      className = 'soon';
    } else {
      const n = workingDaysBetween(today, dueDay, flags);
      if (n === null) {
        [text, className] = timeLeft(dueMs);
      } else {
        text = I18n.t('wd_left').replace('{n}', n);
        className = n < 2 ? 'soon' : '';
      }
    }
    if (flags.uncovered) text += I18n.t('wd_uncovered');
    const main = el('span', text);
    main.className = 'working-left';
    const instant = el('span', dueText, 'instant');
    td.append(main, instant);
    if (className) td.className = className;
    return td;
  }

  function cell(column, item, actions) {
    if (column === 'actions') {
      const td = document.createElement('td');
      for (const [label, run] of actions(item)) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = I18n.t(label);
        b.addEventListener('click', run);
        td.append(b);
      }
      return td;
    }
    if (column === 'time_left') {
      const [text, className] = timeLeft(item.due_ms);
      return el('td', text, className);
    }
    if (column === 'working_left') return workingLeft(item.due_ms);
    let value = item[column];
    if (Array.isArray(value)) value = value.join(', ');
    else if (TIME_COLUMNS.has(column) && value !== null && value !== undefined) value = I18n.formatTime(value);
    else if (NAMED_VALUES.has(column) && typeof value === 'string') value = I18n.t(column + '_' + value, value);
    return el('td', value);
  }

  // A paginated table with its loading, empty and error states. `load(cursor)`
  // resolves to {items, next}; `keep(item)` filters what is shown.
  class List {
    constructor(root, load, options = {}) {
      this.root = root;
      this.load = load;
      this.columns = root.dataset.columns.split(',');
      this.keep = options.keep || (() => true);
      this.actions = options.actions || (() => []);
      this.cursors = [null];
      this.page = 0;
    }
    async refresh(reset) {
      if (reset) { this.cursors = [null]; this.page = 0; }
      this.state('loading', 'state');
      try {
        this.result = await this.load(this.cursors[this.page]);
        this.error = null;
      } catch (error) {
        this.result = null;
        this.error = String(error.message || error);
      }
      this.render();
    }
    state(key, className, extra) {
      this.root.replaceChildren(el('p', I18n.t(key) + (extra || ''), className));
    }
    render() {
      if (this.error) return this.state('load_error', 'error', this.error);
      if (!this.result) return this.state('loading', 'state');
      const items = this.result.items.filter(this.keep);
      const parts = [];
      if (items.length === 0) {
        parts.push(el('p', I18n.t('empty_list'), 'state empty'));
      } else {
        const table = document.createElement('table');
        const head = document.createElement('tr');
        for (const c of this.columns) head.append(el('th', I18n.t('col_' + c)));
        table.append(document.createElement('thead'), document.createElement('tbody'));
        table.tHead.append(head);
        for (const item of items) {
          const tr = document.createElement('tr');
          for (const c of this.columns) tr.append(cell(c, item, this.actions));
          table.tBodies[0].append(tr);
        }
        const wrap = document.createElement('div');
        wrap.className = 'scroll';
        wrap.append(table);
        parts.push(wrap);
      }
      const pager = document.createElement('nav');
      pager.className = 'pager';
      pager.setAttribute('aria-label', I18n.t('pages'));
      const prev = el('button', I18n.t('previous'));
      prev.type = 'button';
      prev.disabled = this.page === 0;
      prev.addEventListener('click', () => { this.page -= 1; this.refresh(); });
      const next = el('button', I18n.t('next'));
      next.type = 'button';
      next.disabled = !this.result.next;
      next.addEventListener('click', () => {
        this.cursors[this.page + 1] = this.result.next;
        this.page += 1;
        this.refresh();
      });
      pager.append(prev, el('span', I18n.t('page') + ' ' + (this.page + 1)), next);
      parts.push(pager);
      this.root.replaceChildren(...parts);
    }
  }

  // A single-object query (asset, calendar) takes no limit: the node refuses one.
  async function query(path, params, cursor, single) {
    const search = new URLSearchParams(params);
    if (!single) search.set('limit', String(PAGE_ITEMS));
    if (cursor) search.set('cursor', cursor);
    const response = await Session.signedFetch('GET', path + '?' + search.toString());
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
    return { items: Array.isArray(answer.result) ? answer.result : [answer.result], next: answer.next_cursor };
  }

  // ---- the catalog (public) ----
  const catalog = new List($('catalog-list'), (cursor) => query('/v1/catalog', {}, cursor), {
    keep: (a) => {
      const text = $('catalog-search').value.trim().toLowerCase();
      const share = $('catalog-share').value;
      const resource = $('catalog-resource').value;
      const hay = [a.asset_id, a.name, a.description, a.source_department, (a.fields || []).join(' ')]
        .join(' ').toLowerCase();
      return (!text || hay.includes(text)) && (!share || a.share_type === share) &&
             (!resource || a.resource_type === resource);
    },
  });
  $('catalog-filter').addEventListener('input', () => catalog.render());
  $('catalog-filter').addEventListener('submit', (e) => e.preventDefault());

  // ---- signed-in lists ----
  function me() { return Session.info(); }
  const forms = {};
  function fill(formId, values) {
    const form = $(formId);
    for (const [name, value] of Object.entries(values)) {
      const input = form.elements[name];
      if (input.type === 'checkbox') input.checked = Boolean(value);
      else input.value = value;
    }
    form.elements[0].focus();
    form.scrollIntoView({ block: 'nearest' });
  }
  const assets = new List($('assets-list'),
    (cursor) => query('/v1/query/assets_by_authority', { authority_id: me().authority }, cursor), {
      actions: (a) => [['history', () => showAsset(a.asset_id)]],
    });
  // Lists whose deadlines are counted in working days draw once the calendar is read
  // (or failed: then they show the time left and why).
  const withCalendar = (load) => async (cursor) => {
    const [page] = await Promise.all([load(cursor), loadCalendar(me().authority)]);
    return page;
  };
  const pending = new List($('pending-list'), withCalendar(
    (cursor) => query('/v1/query/requests_by_status', { authority_id: me().authority, status: 'pending' }, cursor)), {
      actions: (r) => [
        ['approve', () => fill('form-decide', { request_id: r.request_id, decision: 'approve',
          fields: r.fields.join(','), business_scenario: r.business_scenario, duration_days: r.duration_days,
          mode: r.mode })],
        ['refuse', () => fill('form-decide', { request_id: r.request_id, decision: 'refuse' })],
      ],
    });
  const objections = new List($('objections-list'), withCalendar(
    (cursor) => query('/v1/query/objections_by_status', { authority_id: me().authority, status: 'open' }, cursor)), {
      actions: (o) => [['answer', () => fill('form-answer', { objection_id: o.objection_id })]],
    });
  const grants = new List($('grants-list'),
    (cursor) => query('/v1/query/grants_by_user', { account_id: me().account }, cursor));
  let historyAsset = null;
  const history = new List($('history-list'),
    (cursor) => query('/v1/query/asset_history', { asset_id: historyAsset }, cursor));

  // An asset of the list opens in the asset-and-history section below it.
  function showAsset(assetId) {
    $('asset-id').value = assetId;
    $('asset-form').requestSubmit();
    $('asset-title').scrollIntoView({ block: 'start' });
  }

  $('asset-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    historyAsset = $('asset-id').value.trim();
    const facts = $('asset-facts');
    facts.replaceChildren(el('dd', I18n.t('loading'), 'state'));
    try {
      const asset = (await query('/v1/query/asset', { asset_id: historyAsset }, null, true)).items[0];
      const shown = asset.asset || asset;
      facts.replaceChildren();
      for (const key of ['asset_id', 'name', 'provider_authority', 'source_department', 'share_type', 'open_type',
                         'version', 'status', 'disputed', 'updated_ms']) {
        facts.append(el('dt', I18n.t('col_' + key)), cell(key, shown, () => []));
      }
    } catch (error) {
      facts.replaceChildren(el('dd', I18n.t('load_error') + (error.message || error), 'error'));
    }
    history.refresh(true);
  });

  // ---- forms: built and signed in the page ----
  const list = (text) => text.split(',').map((s) => s.trim()).filter((s) => s);
  const BUILD = {
    decide(f) {
      const v = (n) => f.elements[n].value.trim();
      if (v('decision') === 'refuse') {
        return ['refuse_share', { request_id: v('request_id'), legal_basis: v('legal_basis'), reason: v('reason') }];
      }
      return ['approve_share', { request_id: v('request_id'), conditions: v('conditions'), terms: {
        fields: list(v('fields')), business_scenario: v('business_scenario'),
        duration_days: Number(v('duration_days')), mode: v('mode'), desensitised: f.elements.desensitised.checked } }];
    },
    request_share(f) {
      const v = (n) => f.elements[n].value.trim();
      return ['request_share', { request_id: v('request_id'), asset_id: v('asset_id'), purpose: v('purpose'),
        business_scenario: v('business_scenario'), fields: list(v('fields')), mode: v('mode'),
        duration_days: Number(v('duration_days')) }];
    },
    register_asset(f) {
      const v = (n) => f.elements[n].value.trim();
      const body = { provider_authority: me().authority };
      for (const n of ['asset_id', 'source_department', 'dataset_code', 'name', 'description', 'resource_type',
                       'grade', 'format', 'update_frequency', 'share_type', 'share_reason', 'share_legal_basis',
                       'open_type', 'open_reason', 'open_legal_basis', 'content_hash']) body[n] = v(n);
      body.name = f.elements.name.value;  // a name is kept exactly as typed
      body.contains_personal_data = f.elements.contains_personal_data.checked;
      body.fields = list(v('fields'));
      body.size_bytes = Number(v('size_bytes') || 0);
      return ['register_asset', body];
    },
    answer_objection(f) {
      const v = (n) => f.elements[n].value.trim();
      return ['answer_objection', { objection_id: v('objection_id'), answer: v('answer'), reason: v('reason'),
        new_version: v('new_version') ? Number(v('new_version')) : null }];
    },
    record_access(f) {
      const v = (n) => f.elements[n].value.trim();
      return ['record_access', { grant_id: v('grant_id') || null, asset_id: v('asset_id'), purpose: v('purpose'),
        business_scenario: v('business_scenario'), fields: list(v('fields')), row_count: Number(v('row_count')),
        result_digest: v('result_digest'), mode: v('mode'), third_party: f.elements.third_party.checked }];
    },
  };

  function showResult(text, className) {
    const result = $('result');
    result.textContent = text;
    result.className = 'result ' + className;
    result.hidden = false;
  }

  // The node's answer in words: committed and accepted, or the ledger's own refusal.
  function describe(answer) {
    const outcome = answer.outcome;
    if (!outcome) return [I18n.t('not_committed') + (answer.state || ''), 'state'];
    if (outcome.accepted) return [I18n.t('accepted') + answer.tx_hash, 'verified'];
    return [I18n.t('rejected') + outcome.code_name + (outcome.message ? ' — ' + outcome.message : ''), 'failed'];
  }

  for (const form of document.querySelectorAll('form[data-type]')) {
    forms[form.dataset.type] = form;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      showResult(I18n.t('submitting'), 'state');
      try {
        const [type, body] = BUILD[form.dataset.type](form);
        const [text, className] = describe(await Session.submit(type, body));
        showResult(text, className);
        refreshWork();
        catalog.refresh(true);
      } catch (error) {
        showResult(I18n.t('submit_error') + (error.message || error), 'failed');
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- signing in and out ----
  function refreshWork() {
    if (!me()) return;
    assets.refresh(true);
    pending.refresh(true);
    objections.refresh(true);
    grants.refresh(true);
  }

  const renderSession = Session.bindSignInForm({
    workId: 'work',
    onSignIn() {
      refreshWork();
      $('pending-title').focus();
    },
    onSignOut() {
      Object.assign(workCalendar, { authority: null, promise: null, days: null, error: null });
      for (const id of ['assets-list', 'pending-list', 'objections-list', 'grants-list', 'history-list',
                        'asset-facts']) {
        $(id).replaceChildren();
      }
      $('result').hidden = true;
    },
  });

  $('lang').addEventListener('click', () => {
    I18n.toggle();
    render();
  });

  function render() {
    I18n.apply(document);
    renderSession();
    for (const l of [catalog, assets, pending, objections, grants, history]) if (l.result || l.error) l.render();
  }

  $('pending-title').tabIndex = -1;
  render();
  catalog.refresh(true);
})();
