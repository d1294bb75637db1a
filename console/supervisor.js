// The supervisor's dashboard (docs/console.md): its whole jurisdiction over a range
// of China Standard Time days, from the roll-up queries (docs/api.md, "The
// supervisor's roll-ups"): totals, charts drawn here as SVG (uses per day with the
// violating part, deadlines met and missed, violations per authority, flags by
// kind), a drill-down from every figure to its records, and the access trace of an
// asset, an account or an authority. Every chart has a table of the same figures
// whose buttons the keyboard reaches. Everything from the ledger is inserted with
// textContent only.
(function () {
  'use strict';
  const I18n = globalThis.ShulianI18n;
  const Session = globalThis.ShulianSession;
  const PAGE_ITEMS = 20;
  const DAY_MS = 86400000;
  const CST_OFFSET_MS = 8 * 3600000;
  const DEFAULT_DAYS = 30;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // The flag kinds of ledger/state_keys.h (FlagKindName), in its order, and which
  // of them record a missed deadline (IsDeadlineMiss).
  const FLAG_KINDS = ['share_review_overdue', 'share_deemed_approved', 'duplicate_source', 'late_share_answer',
                      'access_violation', 'objection_overdue', 'late_objection_answer', 'objection_escalated',
                      'sanction', 'aggregation_overdue', 'open_answer_overdue', 'copy_consent_needed',
                      'catalog_update_overdue', 'share_delivery_overdue', 'late_objection_report'];
  const MISS_KINDS = new Set(['share_review_overdue', 'late_share_answer', 'objection_overdue',
                              'late_objection_answer', 'aggregation_overdue', 'open_answer_overdue',
                              'catalog_update_overdue', 'share_delivery_overdue', 'late_objection_report']);

  I18n.extend({
    'zh-CN': {
      title_supervisor: '数链控制台 · 监管看板',
      sv_signin_intro: '载入监管账户的密钥文件（与命令行工具相同的格式）。密钥只保存在本页内存中，不可导出，不发送、不存储；退出登录即丢弃。',
      sv_range_title: '辖区与时间', sv_jurisdiction: '辖区（行政区划代码）', sv_from_day: '起始日期（北京时间）',
      sv_to_day: '截止日期（含当日）', sv_apply: '查询', sv_last30: '最近 30 天', sv_range_bad: '日期范围无效',
      sv_range_shown: '辖区 {a} · {from} 至 {to}（北京时间，含首尾两日）',
      sv_totals_title: '合计', sv_uses: '利用次数', sv_violating: '越权使用', sv_met: '按期办结', sv_missed: '逾期',
      sv_uses_title: '每日利用次数（红色为越权使用）', sv_deadlines_title: '每日办理期限：按期与逾期',
      sv_authorities_title: '各机构越权使用与办理期限', sv_flags_title: '监管标记（按类型）',
      sv_no_data: '所选范围内暂无记录', sv_day: '日期（北京时间）', sv_authority: '机构', sv_kind: '类型',
      sv_count: '数量', sv_code: '代码', sv_actions: '明细', sv_view: '查看明细',
      sv_view_uses: '查看利用', sv_view_violations: '查看越权', sv_view_missed: '查看逾期',
      sv_drill_title: '明细记录', sv_drill_hint: '点击上方的数字、柱条或“查看”按钮查看对应记录。',
      sv_drill_uses: '利用记录', sv_drill_violations: '越权使用记录', sv_drill_missed: '逾期记录',
      sv_drill_flags: '监管标记：', sv_drill_authority: '越权使用记录，机构 ',
      sv_trace_title: '利用轨迹', sv_trace_of: '对象', sv_trace_asset: '资产', sv_trace_account: '账户',
      sv_trace_authority: '机构', sv_trace_id: '编号', sv_trace_what: '利用轨迹：',
      col_tx_hash: '交易哈希', col_accessor: '使用方', col_accessor_authority: '使用方机构',
      col_violations: '越权情形', col_authority_id: '被标记机构', col_subject_kind: '对象类型',
      col_subject_id: '对象', col_detail: '说明',
      flag_share_review_overdue: '逾期未答复', flag_share_deemed_approved: '视为同意',
      flag_duplicate_source: '重复登记（一数一源）', flag_late_share_answer: '逾期答复',
      flag_access_violation: '越权使用', flag_objection_overdue: '异议逾期未处理',
      flag_late_objection_answer: '异议逾期答复', flag_objection_escalated: '异议升级',
      flag_sanction: '处理决定', flag_aggregation_overdue: '归集需求逾期未答复',
      flag_open_answer_overdue: '开放申请逾期未答复', flag_copy_consent_needed: '复制待主管部门同意',
      flag_catalog_update_overdue: '目录逾期未更新', flag_share_delivery_overdue: '逾期未交付共享数据',
      flag_late_objection_report: '异议逾期报告',
      violation_no_active_grant: '无有效授权', violation_grant_expired: '授权已到期',
      violation_grant_suspended: '授权已暂停', violation_grant_revoked: '授权已撤销',
      violation_not_grantee: '非被授权方', violation_wrong_asset: '与授权资产不符',
      violation_fields_not_granted: '超出授权字段', violation_scenario_not_granted: '超出授权业务场景',
      violation_copy_without_consent: '未经同意复制', violation_third_party: '提供给第三方',
      violation_asset_not_active: '资产不在有效状态',
      subject_kind_request: '共享申请', subject_kind_objection: '异议', subject_kind_access: '利用记录',
      subject_kind_asset: '资产', subject_kind_grant: '授权',
    },
    en: {
      title_supervisor: 'Shulian console · supervisor\'s dashboard',
      sv_signin_intro: 'Load the supervisor account\'s key file (the CLI\'s format). The key stays in this page\'s ' +
        'memory only, not extractable, never sent or stored; signing out forgets it.',
      sv_range_title: 'Jurisdiction and dates', sv_jurisdiction: 'Jurisdiction (division code)',
      sv_from_day: 'From (CST date)', sv_to_day: 'To (inclusive)', sv_apply: 'Show', sv_last30: 'Last 30 days',
      sv_range_bad: 'the date range is not valid', sv_range_shown: 'Jurisdiction {a} · {from} to {to} (CST, both included)',
      sv_totals_title: 'Totals', sv_uses: 'Uses', sv_violating: 'Out-of-scope uses', sv_met: 'Deadlines met',
      sv_missed: 'Deadlines missed',
      sv_uses_title: 'Uses per day (out-of-scope part in red)', sv_deadlines_title: 'Deadlines per day: met and missed',
      sv_authorities_title: 'Out-of-scope uses and deadlines by authority', sv_flags_title: 'Flags by kind',
      sv_no_data: 'Nothing recorded in this range', sv_day: 'Day (CST)', sv_authority: 'Authority', sv_kind: 'Kind',
      sv_count: 'Count', sv_code: 'Code', sv_actions: 'Records', sv_view: 'Show records',
      sv_view_uses: 'Show uses', sv_view_violations: 'Show out-of-scope uses', sv_view_missed: 'Show missed',
      sv_drill_title: 'Records', sv_drill_hint: 'Choose a figure, a bar or a "Show" button above to list its records.',
      sv_drill_uses: 'Uses', sv_drill_violations: 'Out-of-scope uses', sv_drill_missed: 'Missed deadlines',
      sv_drill_flags: 'Flags: ', sv_drill_authority: 'Out-of-scope uses touching authority ',
      sv_trace_title: 'Access trace', sv_trace_of: 'Of', sv_trace_asset: 'an asset', sv_trace_account: 'an account',
      sv_trace_authority: 'an authority', sv_trace_id: 'Id', sv_trace_what: 'Access trace: ',
      col_tx_hash: 'Transaction', col_accessor: 'Accessor', col_accessor_authority: 'Accessor\'s authority',
      col_violations: 'Out of scope', col_authority_id: 'Flagged authority', col_subject_kind: 'Subject kind',
      col_subject_id: 'Subject', col_detail: 'Detail',
      flag_share_review_overdue: 'review overdue', flag_share_deemed_approved: 'deemed approved',
      flag_duplicate_source: 'duplicate source', flag_late_share_answer: 'late share answer',
      flag_access_violation: 'out-of-scope use', flag_objection_overdue: 'objection overdue',
      flag_late_objection_answer: 'late objection answer', flag_objection_escalated: 'objection escalated',
      flag_sanction: 'sanction', flag_aggregation_overdue: 'aggregation demand overdue',
      flag_open_answer_overdue: 'open-data answer overdue', flag_copy_consent_needed: 'copy awaits consent',
      flag_catalog_update_overdue: 'catalog update overdue', flag_share_delivery_overdue: 'share delivery overdue',
      flag_late_objection_report: 'objection reported late',
      violation_no_active_grant: 'no active grant', violation_grant_expired: 'grant expired',
      violation_grant_suspended: 'grant suspended', violation_grant_revoked: 'grant revoked',
      violation_not_grantee: 'not the grantee', violation_wrong_asset: 'not the granted asset',
      violation_fields_not_granted: 'fields not granted', violation_scenario_not_granted: 'scenario not granted',
      violation_copy_without_consent: 'copied without consent', violation_third_party: 'passed to a third party',
      violation_asset_not_active: 'asset not active',
      subject_kind_request: 'share request', subject_kind_objection: 'objection', subject_kind_access: 'access',
      subject_kind_asset: 'asset', subject_kind_grant: 'grant',
    },
  });

  const el = I18n.textElement;

  function button(label, run, disabled) {
    const b = el('button', label);
    b.type = 'button';
    b.disabled = Boolean(disabled);
    b.addEventListener('click', run);
    return b;
  }

  // ---- CST days: "YYYY-MM-DD" strings, as rollup_counts takes them ----
  const dayOfMs = (ms) => new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
  const startMsOfDay = (day) => Date.parse(day + 'T00:00:00Z') - CST_OFFSET_MS;
  const addDays = (day, n) => dayOfMs(startMsOfDay(day) + n * DAY_MS);
  const validDay = (day) => /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(startMsOfDay(day));

  // ---- the API ----
  async function call(path, params) {
    const response = await Session.signedFetch('GET', path + '?' + new URLSearchParams(params).toString());
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
    return answer;
  }

  async function page(name, params, cursor) {
    const all = Object.assign({}, params, { limit: String(PAGE_ITEMS) });
    if (cursor) all.cursor = cursor;
    const answer = await call('/v1/query/' + name, all);
    return { items: answer.result || [], next: answer.next_cursor || null };
  }

  // One list from several flag kinds: each kind keeps its own cursor (the page's
  // cursor is their map), the items of a page are merged in time order.
  function flagsOfKinds(kinds, params) {
    return async (cursor) => {
      const cursors = cursor ? JSON.parse(cursor) : Object.fromEntries(kinds.map((k) => [k, '']));
      const pages = await Promise.all(Object.entries(cursors).map(async ([kind, c]) =>
        [kind, await page('rollup_flags', Object.assign({ kind }, params), c)]));
      const next = {};
      let items = [];
      for (const [kind, p] of pages) {
        items = items.concat(p.items);
        if (p.next) next[kind] = p.next;
      }
      items.sort((a, b) => a.time_ms - b.time_ms || a.seq - b.seq);
      return { items, next: Object.keys(next).length ? JSON.stringify(next) : null };
    };
  }

  // ---- tables of records, paginated ----
  const ACCESS_COLUMNS = ['time_ms', 'tx_hash', 'accessor', 'accessor_authority', 'asset_id', 'provider_authority',
                          'grant_id', 'fields', 'purpose', 'business_scenario', 'mode', 'violations'];
  const FLAG_COLUMNS = ['time_ms', 'kind', 'authority_id', 'subject_kind', 'subject_id', 'detail', 'tx_hash'];

  function recordCell(column, item) {
    const value = item[column];
    if (column === 'time_ms') return el('td', value === undefined ? '' : I18n.formatTime(value));
    if (column === 'tx_hash') return el('td', value, 'hash');
    if (column === 'kind') return el('td', I18n.t('flag_' + value, value));
    if (column === 'violations') {
      const td = el('td', (value || []).map((v) => I18n.t('violation_' + v, v)).join('；'), 'late');
      td.title = (value || []).join(', ');
      if (!value || value.length === 0) td.className = '';
      return td;
    }
    if (column === 'fields') return el('td', (value || []).join(', '));
    if (column === 'subject_kind') return el('td', I18n.t('subject_kind_' + value, value));
    if (column === 'mode') return el('td', I18n.t('mode_' + value, value));
    if (column === 'grant_id' && value === '') return el('td', '');
    return el('td', value);
  }

  class Records {
    constructor(root) {
      this.root = root;
      this.source = null;
    }
    show(load, columns) {
      this.source = { load, columns };
      this.cursors = [null];
      this.index = 0;
      return this.refresh();
    }
    clear() {
      this.source = null;
      this.root.replaceChildren();
    }
    async refresh() {
      const source = this.source;
      this.result = null;
      this.error = null;
      this.root.replaceChildren(el('p', I18n.t('loading'), 'state'));
      try {
        const result = await source.load(this.cursors[this.index]);
        if (source !== this.source) return;
        this.result = result;
        this.error = null;
      } catch (error) {
        if (source !== this.source) return;
        this.result = null;
        this.error = String(error.message || error);
      }
      this.render();
    }
    render() {
      if (!this.source) return;
      if (!this.error && !this.result) {
        this.root.replaceChildren(el('p', I18n.t('loading'), 'state'));
        return;
      }
      if (this.error) {
        this.root.replaceChildren(el('p', I18n.t('load_error') + this.error, 'error'));
        return;
      }
      const parts = [];
      if (this.result.items.length === 0) {
        parts.push(el('p', I18n.t('empty_list'), 'state empty'));
      } else {
        const records = table(this.source.columns.map((c) => I18n.t('col_' + c)), this.result.items,
                              (item) => this.source.columns.map((c) => recordCell(c, item)));
        records.firstChild.className = 'records';
        parts.push(records);
      }
      const pager = document.createElement('nav');
      pager.className = 'pager';
      pager.setAttribute('aria-label', I18n.t('pages'));
      pager.append(button(I18n.t('previous'), () => { this.index -= 1; this.refresh(); }, this.index === 0),
                   el('span', I18n.t('page') + ' ' + (this.index + 1)),
                   button(I18n.t('next'), () => {
                     this.cursors[this.index + 1] = this.result.next;
                     this.index += 1;
                     this.refresh();
                   }, !this.result.next));
      parts.push(pager);
      this.root.replaceChildren(...parts);
    }
  }

  // A table in a sideways-scrolling box: `cells(item)` gives each row's cells.
  function table(headings, items, cells) {
    const t = document.createElement('table');
    const head = document.createElement('tr');
    for (const h of headings) head.append(el('th', h));
    t.append(document.createElement('thead'), document.createElement('tbody'));
    t.tHead.append(head);
    for (const item of items) {
      const tr = document.createElement('tr');
      tr.append(...cells(item));
      t.tBodies[0].append(tr);
    }
    const wrap = document.createElement('div');
    wrap.className = 'scroll';
    wrap.append(t);
    return wrap;
  }

  function td(...children) {
    const cell = document.createElement('td');
    cell.append(...children);
    return cell;
  }

  // ---- charts: SVG built element by element, text by textContent ----
  function svg(tag, attributes, text) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attributes || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function chartFrame(width, height, label) {
    const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label,
                              preserveAspectRatio: 'xMidYMid meet' });
    root.append(svg('title', {}, label));
    return root;
  }

  // A bar that can be picked with the mouse; its table row is the keyboard's way.
  function bar(x, y, w, h, className, tip, pick) {
    const r = svg('rect', { x, y, width: Math.max(w, 0), height: Math.max(h, 0), class: className });
    r.append(svg('title', {}, tip));
    if (pick) {
      r.classList.add('pick');
      r.addEventListener('click', pick);
    }
    return r;
  }

  // Stacked columns, one per day: `series` [{key, className, label, pick(day)}].
  function dayChart(days, series, label) {
    const W = 640, H = 220, left = 36, bottom = 24, top = 10;
    const totals = days.map((d) => series.reduce((n, s) => n + d[s.key], 0));
    const max = Math.max(1, ...totals);
    const root = chartFrame(W, H, label);
    const step = (W - left) / Math.max(days.length, 1);
    const scale = (H - top - bottom) / max;
    root.append(svg('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, class: 'axis' }),
                svg('text', { x: left - 4, y: top + 10, 'text-anchor': 'end', class: 'tick' }, max),
                svg('text', { x: left - 4, y: H - bottom, 'text-anchor': 'end', class: 'tick' }, 0));
    days.forEach((d, i) => {
      let y = H - bottom;
      for (const s of series) {
        const h = d[s.key] * scale;
        if (h > 0) {
          y -= h;
          root.append(bar(left + i * step + step * 0.15, y, step * 0.7, h, s.className,
                          d.day + ' ' + s.label + ' ' + d[s.key], s.pick && (() => s.pick(d))));
        }
      }
      if (i === 0 || i === days.length - 1 || (days.length > 10 && i % 7 === 0 && days.length - i > 3)) {
        const anchor = i === days.length - 1 && i > 0 ? 'end' : 'middle';
        root.append(svg('text', { x: anchor === 'end' ? W : left + i * step + step / 2, y: H - 6,
                                  'text-anchor': anchor, class: 'tick' }, d.day.slice(5)));
      }
    });
    return root;
  }

  // Horizontal bars: rows [{label, value, className, pick}].
  function barChart(rows, label) {
    const W = 640, row = 26, left = 190, right = 40;
    const H = Math.max(rows.length, 1) * row + 8;
    const max = Math.max(1, ...rows.map((r) => r.value));
    const root = chartFrame(W, H, label);
    rows.forEach((r, i) => {
      const y = 4 + i * row;
      const w = (W - left - right) * r.value / max;
      root.append(svg('text', { x: left - 6, y: y + row * 0.65, 'text-anchor': 'end', class: 'tick' }, r.label),
                  bar(left, y + 3, w, row - 8, r.className, r.label + ' ' + r.value, r.pick),
                  svg('text', { x: left + w + 4, y: y + row * 0.65, class: 'tick' }, r.value));
    });
    return root;
  }

  // ---- the dashboard ----
  const drill = new Records($('drill-list'));
  const trace = new Records($('trace-list'));
  let shown = null;   // {authority, from, to (inclusive)} of the counts below
  let counts = null;  // the rollup_counts result
  let countsError = null;

  function rangeParams(fromMs, toMs) {
    return { authority_id: shown.authority, from_ms: String(fromMs), to_ms: String(toMs) };
  }
  const wholeRange = () => [startMsOfDay(shown.from), startMsOfDay(addDays(shown.to, 1))];

  // `what` gives the words naming the list, in the language of the moment.
  let drillWhat = () => I18n.t('sv_drill_hint');
  function showDrill(what, load, columns) {
    drillWhat = what;
    $('drill-what').textContent = what();
    drill.show(load, columns);
    $('drill-title').scrollIntoView({ block: 'nearest' });
  }

  const drills = {
    uses(fromMs, toMs, what) {
      showDrill(() => I18n.t('sv_drill_uses') + ' · ' + what(),
                (c) => page('rollup_access', rangeParams(fromMs, toMs), c), ACCESS_COLUMNS);
    },
    violations(fromMs, toMs, what) {
      showDrill(() => I18n.t('sv_drill_violations') + ' · ' + what(),
                (c) => page('rollup_violations', rangeParams(fromMs, toMs), c), ACCESS_COLUMNS);
    },
    missed(fromMs, toMs, what) {
      const kinds = FLAG_KINDS.filter((k) => MISS_KINDS.has(k) && counts.flags_by_kind[k]);
      showDrill(() => I18n.t('sv_drill_missed') + ' · ' + what(),
                flagsOfKinds(kinds.length ? kinds : ['share_review_overdue'], rangeParams(fromMs, toMs)),
                FLAG_COLUMNS);
    },
    flags(kind) {
      const [fromMs, toMs] = wholeRange();
      showDrill(() => I18n.t('sv_drill_flags') + I18n.t('flag_' + kind, kind) + ' · ' + rangeWords(),
                (c) => page('rollup_flags', Object.assign({ kind }, rangeParams(fromMs, toMs)), c), FLAG_COLUMNS);
    },
    authority(authority) {
      const [fromMs, toMs] = wholeRange();
      showDrill(() => I18n.t('sv_drill_authority') + authority + ' · ' + rangeWords(),
                (c) => page('violations', { authority_id: authority, from_ms: String(fromMs), to_ms: String(toMs) }, c),
                ACCESS_COLUMNS);
    },
  };

  function rangeWords() {
    return I18n.t('sv_range_shown').replace('{a}', shown.authority).replace('{from}', shown.from)
      .replace('{to}', shown.to);
  }

  function renderTotals() {
    const t = counts.totals;
    const [fromMs, toMs] = wholeRange();
    const whole = rangeWords;
    const figures = [
      ['uses', t.uses, () => drills.uses(fromMs, toMs, whole)],
      ['violating', t.violating_uses, () => drills.violations(fromMs, toMs, whole)],
      ['met', t.deadlines_met, null],
      ['missed', t.deadlines_missed, () => drills.missed(fromMs, toMs, whole)],
      ['flag_share_review_overdue', counts.flags_by_kind.share_review_overdue || 0,
       () => drills.flags('share_review_overdue')],
      ['flag_share_deemed_approved', counts.flags_by_kind.share_deemed_approved || 0,
       () => drills.flags('share_deemed_approved')],
    ];
    $('totals').replaceChildren(...figures.map(([key, value, pick]) => {
      const card = document.createElement('div');
      card.className = 'figure figure-' + key.replace(/_/g, '-') + (value > 0 ? ' nonzero' : '');
      card.dataset.figure = key;
      const label = I18n.t(key.startsWith('flag_') ? key : 'sv_' + key);
      const number = pick && value > 0 ? button(String(value), pick) : el('span', value);
      number.classList.add('number');
      number.setAttribute('aria-label', label + ' ' + value);
      card.append(number, el('span', label, 'label'));
      return card;
    }));
  }

  function renderUses() {
    const days = counts.days.map((d) => Object.assign({}, d, { in_scope: d.uses - d.violating_uses }));
    $('uses-chart').replaceChildren(dayChart(days, [
      { key: 'in_scope', className: 'bar-uses', label: I18n.t('sv_uses'),
        pick: (d) => drills.uses(d.from_ms, d.to_ms, () => d.day) },
      { key: 'violating_uses', className: 'bar-violating', label: I18n.t('sv_violating'),
        pick: (d) => drills.violations(d.from_ms, d.to_ms, () => d.day) },
    ], I18n.t('sv_uses_title')));
    const busy = counts.days.filter((d) => d.uses > 0);
    $('uses-table').replaceChildren(busy.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      table([I18n.t('sv_day'), I18n.t('sv_uses'), I18n.t('sv_violating'), I18n.t('sv_actions')], busy, (d) => [
        el('td', d.day), el('td', d.uses), el('td', d.violating_uses, d.violating_uses ? 'late' : ''),
        td(button(I18n.t('sv_view_uses'), () => drills.uses(d.from_ms, d.to_ms, () => d.day)),
           button(I18n.t('sv_view_violations'), () => drills.violations(d.from_ms, d.to_ms, () => d.day),
                  d.violating_uses === 0))]));
  }

  function renderDeadlines() {
    $('deadlines-chart').replaceChildren(dayChart(counts.days, [
      { key: 'deadlines_met', className: 'bar-met', label: I18n.t('sv_met') },
      { key: 'deadlines_missed', className: 'bar-missed', label: I18n.t('sv_missed'),
        pick: (d) => drills.missed(d.from_ms, d.to_ms, () => d.day) },
    ], I18n.t('sv_deadlines_title')));
    const busy = counts.days.filter((d) => d.deadlines_met + d.deadlines_missed > 0);
    $('deadlines-table').replaceChildren(busy.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      table([I18n.t('sv_day'), I18n.t('sv_met'), I18n.t('sv_missed'), I18n.t('sv_actions')], busy, (d) => [
        el('td', d.day), el('td', d.deadlines_met), el('td', d.deadlines_missed, d.deadlines_missed ? 'late' : ''),
        td(button(I18n.t('sv_view_missed'), () => drills.missed(d.from_ms, d.to_ms, () => d.day),
                  d.deadlines_missed === 0))]));
  }

  function authorityRows() {
    return Object.keys(counts.by_authority).sort().map((authority) => {
      const kinds = counts.by_authority[authority];
      let missed = 0;
      for (const [kind, n] of Object.entries(kinds)) if (MISS_KINDS.has(kind)) missed += n;
      return { authority, violations: kinds.access_violation || 0, met: kinds.deadlines_met || 0, missed };
    });
  }

  function renderAuthorities() {
    const rows = authorityRows();
    const violating = rows.filter((r) => r.violations > 0);
    $('authorities-chart').replaceChildren(violating.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      barChart(violating.map((r) => ({ label: r.authority, value: r.violations, className: 'bar-violating',
                                       pick: () => drills.authority(r.authority) })),
               I18n.t('sv_authorities_title')));
    $('authorities-table').replaceChildren(rows.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      table([I18n.t('sv_authority'), I18n.t('sv_violating'), I18n.t('sv_met'), I18n.t('sv_missed'),
             I18n.t('sv_actions')], rows, (r) => [
        el('td', r.authority), el('td', r.violations, r.violations ? 'late' : ''), el('td', r.met),
        el('td', r.missed, r.missed ? 'late' : ''),
        td(button(I18n.t('sv_view_violations'), () => drills.authority(r.authority), r.violations === 0))]));
  }

  function renderFlags() {
    const rows = FLAG_KINDS.filter((k) => counts.flags_by_kind[k] > 0)
      .map((kind) => ({ kind, value: counts.flags_by_kind[kind] }));
    $('flags-chart').replaceChildren(rows.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      barChart(rows.map((r) => ({ label: I18n.t('flag_' + r.kind), value: r.value,
                                  className: MISS_KINDS.has(r.kind) ? 'bar-missed' : 'bar-flag',
                                  pick: () => drills.flags(r.kind) })), I18n.t('sv_flags_title')));
    $('flags-table').replaceChildren(rows.length === 0 ? el('p', I18n.t('sv_no_data'), 'state empty') :
      table([I18n.t('sv_kind'), I18n.t('sv_code'), I18n.t('sv_count'), I18n.t('sv_actions')], rows, (r) => {
        const row = [el('td', I18n.t('flag_' + r.kind)), el('td', r.kind, 'hash'), el('td', r.value),
                     td(button(I18n.t('sv_view'), () => drills.flags(r.kind)))];
        row[0].dataset.kind = r.kind;
        return row;
      }));
  }

  const CHART_BOXES = ['totals', 'uses-chart', 'uses-table', 'deadlines-chart', 'deadlines-table',
                       'authorities-chart', 'authorities-table', 'flags-chart', 'flags-table'];

  function renderDashboard() {
    const state = $('dash-state');
    if (countsError) {
      state.className = 'error';
      state.textContent = I18n.t('load_error') + countsError;
      for (const id of CHART_BOXES) $(id).replaceChildren();
      return;
    }
    if (!counts) {
      state.className = 'state';
      state.textContent = I18n.t('loading');
      for (const id of CHART_BOXES) $(id).replaceChildren(el('p', I18n.t('loading'), 'state'));
      return;
    }
    state.className = 'state';
    state.textContent = rangeWords();
    renderTotals();
    renderUses();
    renderDeadlines();
    renderAuthorities();
    renderFlags();
  }

  async function loadDashboard() {
    const authority = $('range-authority').value.trim();
    const from = $('range-from').value;
    const to = $('range-to').value;
    if (!validDay(from) || !validDay(to) || to < from) {
      countsError = I18n.t('sv_range_bad');
      counts = null;
      renderDashboard();
      return;
    }
    const asked = { authority, from, to };
    shown = asked;
    counts = null;
    countsError = null;
    drill.clear();
    drillWhat = () => I18n.t('sv_drill_hint');
    $('drill-what').textContent = drillWhat();
    renderDashboard();
    try {
      const answer = await call('/v1/query/rollup_counts',
                                { authority_id: authority, from_day: from, to_day: addDays(to, 1) });
      if (shown !== asked) return;
      counts = answer.result;
    } catch (error) {
      if (shown !== asked) return;
      countsError = String(error.message || error);
    }
    renderDashboard();
  }

  function lastDays() {
    const today = dayOfMs(Date.now());
    $('range-to').value = today;
    $('range-from').value = addDays(today, 1 - DEFAULT_DAYS);
  }

  $('range-form').addEventListener('submit', (e) => {
    e.preventDefault();
    loadDashboard();
  });
  $('range-last30').addEventListener('click', () => {
    lastDays();
    loadDashboard();
  });

  // ---- the access trace ----
  const TRACE_QUERY = { asset: ['access_by_asset', 'asset_id'], account: ['access_by_account', 'account_id'],
                        authority: ['access_by_authority', 'authority_id'] };
  $('trace-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const [name, parameter] = TRACE_QUERY[$('trace-kind').value];
    const params = { [parameter]: $('trace-id').value.trim() };
    const from = $('trace-from').value, to = $('trace-to').value;
    if (validDay(from)) params.from_ms = String(startMsOfDay(from));
    if (validDay(to)) params.to_ms = String(startMsOfDay(addDays(to, 1)));
    trace.show((c) => page(name, params, c), ACCESS_COLUMNS);
  });

  // ---- signing in and out ----
  const renderSession = Session.bindSignInForm({
    workId: 'dash',
    onSignIn(info) {
      $('range-authority').value = info.authority;
      lastDays();
      $('range-title').focus();
      loadDashboard();
    },
    onSignOut() {
      counts = null;
      countsError = null;
      shown = null;
      drill.clear();
      trace.clear();
    },
  });

  $('lang').addEventListener('click', () => {
    I18n.toggle();
    render();
  });

  function render() {
    I18n.apply(document);
    renderSession();
    if (shown) renderDashboard();
    $('drill-what').textContent = drillWhat();
    drill.render();
    trace.render();
  }

  $('range-title').tabIndex = -1;
  render();
})();
