// The page of a court or arbitrator (docs/console.md): once signed in, the dispute
// cases by status; a case as a timeline of the records it refers to, each read from
// the ledger with its outcome, and the ruling; any transaction by hash and any block
// by height; evidence bundles exported as files; and a bundle verified right here by
// verifier.js, with no server, told in words by verdict.js (the same function as
// verify.html). Everything from the ledger or a bundle is inserted with textContent.
(function () {
  'use strict';
  const I18n = globalThis.ShulianI18n;
  const Session = globalThis.ShulianSession;
  const V = globalThis.ShulianVerifier;
  const Verdict = globalThis.ShulianVerdict;
  const PAGE_ITEMS = 20;
  const CST_OFFSET_MS = 8 * 3600000;
  const DAY_MS = 86400000;
  const $ = (id) => document.getElementById(id);

  // Each transaction type in the words of the regulations (the seeds' terms).
  const TX_WORDS = {
    register_authority: ['机构登记', 'register an authority'], register_account: ['账户登记', 'register an account'],
    suspend_account: ['暂停账户', 'suspend an account'], reinstate_account: ['恢复账户', 'reinstate an account'],
    rotate_key: ['更换账户密钥', 'rotate an account key'], set_policy: ['设定政策', 'set a policy'],
    set_calendar: ['设定工作日历', 'set a calendar'], add_validator: ['增加验证节点', 'add a validator'],
    remove_validator: ['移除验证节点', 'remove a validator'],
    rotate_validator_key: ['更换验证节点密钥', "rotate a validator's key"],
    register_asset: ['资产登记', 'register an asset'], publish_asset_version: ['发布资产新版本', 'publish a version'],
    change_asset_types: ['变更共享开放类型', 'change share/open types'], retire_asset: ['资产停用', 'retire an asset'],
    destroy_asset: ['资产销毁', 'destroy an asset'], request_share: ['共享申请', 'share request'],
    approve_share: ['批准共享申请', 'share approved'], refuse_share: ['拒绝共享申请', 'share refused'],
    consent_copy: ['同意复制', 'copy consented'], decide_overdue_share: ['逾期申请处理（视为同意）', 'overdue request decided (deemed approval)'],
    suspend_grant: ['暂停授权', 'grant suspended'], resume_grant: ['恢复授权', 'grant resumed'],
    revoke_grant: ['撤销授权', 'grant revoked'], deliver_share: ['共享交付', 'share delivered'],
    request_aggregation: ['归集申请', 'aggregation request'], answer_aggregation: ['答复归集申请', 'aggregation answered'],
    deliver_aggregation: ['归集交付', 'aggregation delivered'], apply_open: ['开放申请', 'open data application'],
    decide_open: ['开放决定', 'open data decision'], request_open_review: ['开放复核申请', 'open data review request'],
    decide_open_review: ['开放复核决定', 'open data review decision'], record_access: ['利用记录', 'use recorded'],
    raise_objection: ['提出异议', 'objection raised'], answer_objection: ['答复异议', 'objection answered'],
    escalate_objection: ['异议升级', 'objection escalated'], open_dispute: ['争议立案', 'dispute opened'],
    close_dispute: ['争议结案（裁决）', 'dispute closed (ruling)'],
  };
  const zhLabels = {
    title_court: '数链控制台 · 争议与证据',
    court_signin_intro: '以法院或仲裁机构账户登录：载入本账户的密钥文件（与命令行工具相同的格式）。密钥只保存在本页内存中，不可导出，不发送、不存储；退出登录即丢弃。',
    disputes_title: '争议案件', dispute_status_open: '审理中', dispute_status_closed: '已结案', dispute_id: '案件编号',
    open_case: '查看案件', case_title: '案件', timeline_title: '时间线', ruling_title: '裁决',
    no_ruling: '尚未裁决（案件审理中）', export_dispute: '下载本案证据包',
    tx_title: '按哈希查询交易', tx_hash: '交易哈希', lookup: '查询', export_tx: '下载该交易的证据包',
    block_title: '按高度查询区块', export_title: '导出证据包', from_day: '起始日（北京时间）', to_day: '截止日（含）',
    export_access: '下载资产利用证据包', exporting: '正在导出…', export_failed: '导出失败：',
    exported: '已下载 ', exported_records: ' 条记录，检查点高度 ', bytes: ' 字节，', save_again: '再次保存 ',
    genesis_export: '节点的接口不提供创世文件；核验所需的规范编码请在持有 genesis.json 处用命令写出：',
    court_verify_title: '在本页核验证据包',
    court_verify_intro: '选择本网络的创世文件（规范编码），再核验刚下载的证据包或另选一个证据包文件。全部检查在本页内完成，不连接任何服务器。',
    verify_last: '核验刚下载的证据包', verify_chosen: '核验所选文件', bundle_file_other: '或选择证据包文件（JSON）',
    choose_genesis: '请选择创世文件（规范编码）。', choose_bundle: '请先下载或选择一个证据包。',
    ev_opened: '立案', ev_record: '引用的记录', ev_closed: '结案', sender: '发送账户', block: '区块',
    outcome: '账本结果', outcome_accepted: '已接受', outcome_rejected: '被拒绝：', record_missing: '无法读取该记录：',
    opener: '立案方', closer: '结案方', subject: '事由', opened_ms: '立案时间', closed_ms: '结案时间',
    ruling_hash: '裁决文书哈希（SHA-256）', summary: '裁决摘要', orders: '处理决定', col_target_kind: '对象类型',
    col_target_id: '对象', col_detail: '内容', col_dispute_id: '案件编号', col_subject: '事由', col_opener: '立案方',
    col_opened_ms: '立案时间', col_closed_ms: '结案时间', col_hash: '交易哈希', col_type: '交易类型', col_sender: '发送账户',
    col_outcome: '账本结果', order_kind_correction: '责令更正', order_kind_revocation: '终止授权',
    order_kind_sanction: '处分', target_kind_asset: '资产', target_kind_grant: '授权', target_kind_account: '账户',
    target_kind_authority: '机构', target_kind_request: '共享申请', target_kind_objection: '异议',
    block_hash: '区块哈希', previous_hash: '上一区块哈希', proposer: '出块节点', tx_count: '交易数', block_time: '区块时间',
    position: '位置', index_in_block: '块内序号 ', body_field: '内容', status: '状态',
    consistency_title: '检查点一致性', from_height: '较早的检查点高度', to_height: '较晚的检查点高度',
    consistency_intro: '向节点取两个共签检查点及其间的一致性证明（RFC 9162），在本页核验较晚的检查点是否延续较早的检查点：交易日志、结果日志、区块日志三项证明，以及按创世文件核验的检查点签名。需先选择上面的创世文件。',
    consistency_button: '核验一致性',
  };
  const enLabels = {
    title_court: 'Shulian console · disputes and evidence',
    court_signin_intro: "Sign in as a court or arbitrator: load this account's key file (the CLI's format). The key " +
      "stays in this page's memory only, not extractable, never sent or stored; signing out forgets it.",
    disputes_title: 'Dispute cases', dispute_status_open: 'open', dispute_status_closed: 'closed',
    dispute_id: 'Case id', open_case: 'Open case', case_title: 'Case', timeline_title: 'Timeline',
    ruling_title: 'Ruling', no_ruling: 'No ruling yet (the case is open)', export_dispute: "Download this case's bundle",
    tx_title: 'A transaction by hash', tx_hash: 'Transaction hash', lookup: 'Look up',
    export_tx: "Download this transaction's bundle", block_title: 'A block by height', export_title: 'Export evidence',
    from_day: 'From day (CST)', to_day: 'To day (inclusive)', export_access: "Download the asset's access bundle",
    exporting: 'Exporting…', export_failed: 'Export failed: ', exported: 'Downloaded ',
    exported_records: ' record(s), checkpoint height ', bytes: ' bytes, ', save_again: 'Save again: ',
    genesis_export: "The node's API does not serve the genesis file; write the canonical encoding the verifier " +
      'needs where genesis.json is kept:',
    court_verify_title: 'Verify a bundle in this page',
    court_verify_intro: "Choose this network's genesis file (canonical encoding), then verify the bundle just " +
      'downloaded or choose another bundle file. Everything is checked in this page; no server is contacted.',
    verify_last: 'Verify the downloaded bundle', verify_chosen: 'Verify the chosen file',
    bundle_file_other: 'or choose a bundle file (JSON)', choose_genesis: 'Choose the genesis file (canonical encoding).',
    choose_bundle: 'Download or choose a bundle first.', ev_opened: 'Opened', ev_record: 'Referenced record',
    ev_closed: 'Closed', sender: 'Sender', block: 'Block', outcome: 'Outcome', outcome_accepted: 'accepted',
    outcome_rejected: 'rejected: ', record_missing: 'Cannot read this record: ', opener: 'Opened by',
    closer: 'Closed by', subject: 'Subject', opened_ms: 'Opened', closed_ms: 'Closed',
    ruling_hash: 'Ruling document hash (SHA-256)', summary: 'Ruling summary', orders: 'Orders',
    col_target_kind: 'Target kind', col_target_id: 'Target', col_detail: 'Detail', col_dispute_id: 'Case',
    col_subject: 'Subject', col_opener: 'Opened by', col_opened_ms: 'Opened', col_closed_ms: 'Closed',
    col_hash: 'Transaction hash', col_type: 'Type', col_sender: 'Sender', col_outcome: 'Outcome',
    order_kind_correction: 'correction', order_kind_revocation: 'revocation', order_kind_sanction: 'sanction',
    target_kind_asset: 'asset', target_kind_grant: 'grant', target_kind_account: 'account',
    target_kind_authority: 'authority', target_kind_request: 'request', target_kind_objection: 'objection',
    block_hash: 'Block hash', previous_hash: 'Previous hash', proposer: 'Proposer', tx_count: 'Transactions',
    block_time: 'Block time', position: 'Position', index_in_block: 'index in block ', body_field: 'Content',
    status: 'Status', consistency_title: 'Checkpoint consistency', from_height: 'Earlier checkpoint height',
    to_height: 'Later checkpoint height',
    consistency_intro: 'Fetches two cosigned checkpoints and the consistency proofs between them (RFC 9162) and ' +
      'checks in this page that the later one extends the earlier: the transaction, outcome and block logs, and ' +
      "the checkpoints' signatures against the genesis file. Choose the genesis file above first.",
    consistency_button: 'Check consistency',
  };
  for (const [type, [zh, en]] of Object.entries(TX_WORDS)) {
    zhLabels['tx_' + type] = zh;
    enLabels['tx_' + type] = en;
  }
  I18n.extend({ 'zh-CN': zhLabels, en: enLabels });

  const el = I18n.textElement;
  const time = (ms) => (ms === null || ms === undefined ? '—' : I18n.formatTime(ms));
  const typeWords = (type) => I18n.t('tx_' + type, type) + ' (' + type + ')';
  const outcomeWords = (o) => (o.accepted ? I18n.t('outcome_accepted')
    : I18n.t('outcome_rejected') + o.code_name + (o.message ? ' — ' + o.message : ''));
  function state(container, key, className, extra) {
    container.replaceChildren(el('p', I18n.t(key) + (extra || ''), className));
  }
  function facts(dl, pairs) {
    dl.replaceChildren();
    for (const [key, value, className] of pairs) dl.append(el('dt', I18n.t(key)), el('dd', value, className));
  }
  function button(label, run) {
    const b = el('button', I18n.t(label));
    b.type = 'button';
    b.addEventListener('click', run);
    return b;
  }
  function table(columns, rows) {
    const t = document.createElement('table');
    const head = document.createElement('tr');
    for (const c of columns) head.append(el('th', I18n.t('col_' + c)));
    t.append(document.createElement('thead'), document.createElement('tbody'));
    t.tHead.append(head);
    for (const cells of rows) {
      const tr = document.createElement('tr');
      for (const c of cells) tr.append(c instanceof Node ? c : el('td', c));
      t.tBodies[0].append(tr);
    }
    const wrap = document.createElement('div');
    wrap.className = 'scroll';
    wrap.append(t);
    return wrap;
  }

  async function getJson(target) {
    const response = await Session.signedFetch('GET', target);
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
    return answer;
  }
  const errorText = (error) => String((error && error.message) || error);

  // ---- dispute cases by status, paginated ----
  const disputes = { cursors: [null], page: 0, answer: null, error: null };
  async function loadDisputes(reset) {
    if (reset) { disputes.cursors = [null]; disputes.page = 0; }
    state($('disputes-list'), 'loading', 'state');
    const search = new URLSearchParams({ status: $('disputes-status').value, limit: String(PAGE_ITEMS) });
    if (disputes.cursors[disputes.page]) search.set('cursor', disputes.cursors[disputes.page]);
    try {
      disputes.answer = await getJson('/v1/query/disputes_by_status?' + search.toString());
      disputes.error = null;
    } catch (error) {
      disputes.answer = null;
      disputes.error = errorText(error);
    }
    renderDisputes();
  }
  function renderDisputes() {
    const root = $('disputes-list');
    if (disputes.error) return state(root, 'load_error', 'error', disputes.error);
    if (!disputes.answer) return root.replaceChildren();
    const items = disputes.answer.result || [];
    const parts = [];
    if (items.length === 0) {
      parts.push(el('p', I18n.t('empty_list'), 'state empty'));
    } else {
      parts.push(table(['dispute_id', 'subject', 'opener', 'status', 'opened_ms', 'closed_ms', 'actions'],
        items.map((d) => {
          const actions = document.createElement('td');
          actions.append(button('show', () => openCase(d.dispute_id)));
          return [d.dispute_id, d.subject, d.opener, I18n.t('dispute_status_' + d.status, d.status), time(d.opened_ms),
                  time(d.closed_ms), actions];
        })));
    }
    const pager = document.createElement('nav');
    pager.className = 'pager';
    pager.setAttribute('aria-label', I18n.t('pages'));
    const prev = button('previous', () => { disputes.page -= 1; loadDisputes(); });
    prev.disabled = disputes.page === 0;
    const next = button('next', () => {
      disputes.cursors[disputes.page + 1] = disputes.answer.next_cursor;
      disputes.page += 1;
      loadDisputes();
    });
    next.disabled = !disputes.answer.next_cursor;
    pager.append(prev, el('span', I18n.t('page') + ' ' + (disputes.page + 1)), next);
    parts.push(pager);
    root.replaceChildren(...parts);
  }
  $('disputes-status').addEventListener('change', () => loadDisputes(true));
  $('disputes-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = $('dispute-id').value.trim();
    if (id) openCase(id);
  });

  // ---- one case: its facts, a timeline of its records, the ruling ----
  let caseNow = null;  // {dispute, records: [{hash, answer} | {hash, error}]}
  async function openCase(id) {
    $('case').hidden = false;
    $('dispute-id').value = id;
    caseNow = { id, dispute: null, records: [], error: null };
    renderCase();
    $('case-title').focus();
    try {
      const dispute = (await getJson('/v1/query/dispute?dispute_id=' + encodeURIComponent(id))).result;
      const records = await Promise.all((dispute.record_refs || []).map((hash) =>
        getJson('/v1/transactions/' + hash).then((answer) => ({ hash, answer }),
                                                 (error) => ({ hash, error: errorText(error) }))));
      if (caseNow.id !== id) return;  // another case was opened meanwhile
      caseNow = { id, dispute, records, error: null };
    } catch (error) {
      if (caseNow.id !== id) return;
      caseNow = { id, dispute: null, records: [], error: errorText(error) };
    }
    renderCase();
  }

  // The case's events in time order: the records it refers to at their block
  // times (by block and position), then its opening, then its closing; a record
  // that could not be read stays, with why, after those that could.
  function events(c) {
    const d = c.dispute;
    const out = [{ kind: 'opened', timeMs: d.opened_ms, rank: 1 }];
    for (const r of c.records) {
      const loc = r.answer ? r.answer.location : null;
      out.push({ kind: 'record', record: r, rank: 0, timeMs: loc ? loc.block_time_ms : null,
                 position: loc ? Number(loc.height) * 1e6 + Number(loc.index) : Infinity });
    }
    if (d.status === 'closed') out.push({ kind: 'closed', timeMs: d.closed_ms, rank: 2 });
    const at = (e) => (e.timeMs === null ? Infinity : Number(e.timeMs));
    return out.sort((a, b) => at(a) - at(b) || a.rank - b.rank || (a.position || 0) - (b.position || 0));
  }

  const BODY_KEYS = ['request_id', 'asset_id', 'grant_id', 'purpose', 'business_scenario', 'objection_id',
                     'dispute_id', 'third_party'];
  function recordItem(r) {
    const li = document.createElement('li');
    li.className = 'record';
    li.dataset.hash = r.hash;
    if (r.error) {
      li.append(el('p', I18n.t('ev_record'), 'when'), el('p', r.hash, 'hash'),
                el('p', I18n.t('record_missing') + r.error, 'error'));
      return li;
    }
    const tx = r.answer.transaction, loc = r.answer.location, outcome = r.answer.outcome;
    li.dataset.type = tx.type;
    li.dataset.sender = tx.sender;
    li.dataset.height = String(loc.height);
    li.dataset.outcome = outcome.code_name;
    li.append(el('p', time(loc.block_time_ms), 'when'), el('p', typeWords(tx.type), 'what'));
    const dl = document.createElement('dl');
    dl.className = 'facts';
    const body = tx.body || {};
    const summary = BODY_KEYS.filter((k) => body[k] !== undefined && body[k] !== null)
      .map((k) => k + ': ' + (Array.isArray(body[k]) ? body[k].join(', ') : body[k])).join('; ');
    facts(dl, [['sender', tx.sender], ['block', loc.height + ' · ' + I18n.t('index_in_block') + loc.index],
               ['outcome', outcomeWords(outcome), outcome.accepted ? 'verified' : 'failed'],
               ['body_field', summary], ['tx_hash', r.hash, 'hash']]);
    li.append(dl, button('lookup', () => { $('tx-hash').value = r.hash; lookupTx(); }));
    return li;
  }

  function renderCase() {
    const c = caseNow;
    if (!c) return;
    const timeline = $('timeline');
    const ruling = $('ruling');
    $('case-export').disabled = !c.dispute;
    if (!c.dispute) {
      $('case-facts').replaceChildren();
      timeline.replaceChildren();
      ruling.replaceChildren();
      return c.error ? state($('case-state'), 'load_error', 'error', c.error) : state($('case-state'), 'loading', 'state');
    }
    $('case-state').replaceChildren();
    const d = c.dispute;
    facts($('case-facts'), [['dispute_id', d.dispute_id], ['subject', d.subject], ['opener', d.opener],
                            ['status', I18n.t('dispute_status_' + d.status, d.status)],
                            ['opened_ms', time(d.opened_ms)], ['closed_ms', time(d.closed_ms)]]);
    timeline.replaceChildren(...events(c).map((e) => {
      if (e.kind === 'record') return recordItem(e.record);
      const li = document.createElement('li');
      li.className = e.kind;
      li.append(el('p', time(e.timeMs), 'when'), el('p', I18n.t('ev_' + e.kind) + ' · ' +
        (e.kind === 'opened' ? d.opener + ' — ' + d.subject : d.closer + ' — ' + d.summary), 'what'));
      return li;
    }));
    if (d.status !== 'closed') return state(ruling, 'no_ruling', 'state');
    const dl = document.createElement('dl');
    dl.className = 'facts';
    facts(dl, [['closer', d.closer], ['closed_ms', time(d.closed_ms)], ['summary', d.summary],
               ['ruling_hash', d.ruling_hash, 'hash']]);
    const orders = (d.orders || []).map((o) => [I18n.t('order_kind_' + o.kind, o.kind),
                                               I18n.t('target_kind_' + o.target_kind, o.target_kind), o.target_id,
                                               o.detail]);
    ruling.replaceChildren(dl, orders.length ? table(['kind', 'target_kind', 'target_id', 'detail'], orders)
                                              : el('p', I18n.t('empty_list'), 'state empty'));
  }
  $('case-export').addEventListener('click', () => {
    if (!caseNow || !caseNow.dispute) return;
    const id = caseNow.dispute.dispute_id;
    exportBundle('/v1/evidence/disputes/' + encodeURIComponent(id), 'dispute-' + id + '.json');
  });

  // ---- a transaction by hash, a block by height ----
  let txNow = null;
  async function lookupTx() {
    const hash = $('tx-hash').value.trim().toLowerCase();
    const view = $('tx-view');
    if (!/^[0-9a-f]{64}$/.test(hash)) return state(view, 'tx_hash', 'error', ': 64 hex');
    txNow = { hash, answer: null, error: null };
    state(view, 'loading', 'state');
    try {
      txNow.answer = await getJson('/v1/transactions/' + hash);
    } catch (error) {
      txNow.error = errorText(error);
    }
    renderTx();
  }
  function renderTx() {
    const view = $('tx-view');
    if (!txNow) return;
    if (txNow.error) return state(view, 'load_error', 'error', txNow.error);
    if (!txNow.answer) return state(view, 'loading', 'state');
    const a = txNow.answer, tx = a.transaction, loc = a.location;
    const dl = document.createElement('dl');
    dl.className = 'facts';
    dl.id = 'tx-facts';
    dl.dataset.outcome = a.outcome.code_name;
    facts(dl, [['col_type', typeWords(tx.type)], ['sender', tx.sender],
               ['block', loc.height + ' · ' + I18n.t('index_in_block') + loc.index],
               ['block_time', time(loc.block_time_ms)],
               ['outcome', outcomeWords(a.outcome), a.outcome.accepted ? 'verified' : 'failed'],
               ['tx_hash', a.hash, 'hash'], ['block_hash', loc.block_hash, 'hash']]);
    const body = el('pre', JSON.stringify(tx.body !== undefined ? tx.body : { body_hex: tx.body_hex,
                                                                                body_error: tx.body_error }, null, 2),
                    'result');
    view.replaceChildren(dl, body);
  }
  $('tx-form').addEventListener('submit', (e) => { e.preventDefault(); lookupTx(); });
  $('tx-export').addEventListener('click', () => {
    const hash = $('tx-hash').value.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash)) return state($('tx-view'), 'tx_hash', 'error', ': 64 hex');
    exportBundle('/v1/evidence/transactions/' + hash, 'tx-' + hash.slice(0, 16) + '.json');
  });

  let blockNow = null;
  async function lookupBlock() {
    const height = $('block-height').value.trim();
    blockNow = { height, answer: null, error: null };
    state($('block-view'), 'loading', 'state');
    try {
      blockNow.answer = await getJson('/v1/blocks/' + encodeURIComponent(height));
    } catch (error) {
      blockNow.error = errorText(error);
    }
    renderBlock();
  }
  function renderBlock() {
    const view = $('block-view');
    if (!blockNow) return;
    if (blockNow.error) return state(view, 'load_error', 'error', blockNow.error);
    if (!blockNow.answer) return state(view, 'loading', 'state');
    const b = blockNow.answer, h = b.header;
    const dl = document.createElement('dl');
    dl.className = 'facts';
    facts(dl, [['height', h.height], ['block_time', time(h.time_ms)], ['proposer', h.proposer],
               ['tx_count', h.tx_count], ['block_hash', b.hash, 'hash'], ['previous_hash', h.previous_hash, 'hash']]);
    const rows = (b.transactions || []).map((tx, k) => {
      const o = (b.outcomes || [])[k] || {};
      const link = document.createElement('td');
      link.className = 'hash';
      link.append(button('lookup', () => { $('tx-hash').value = tx.hash; lookupTx(); }), el('span', ' ' + tx.hash));
      return [link, typeWords(tx.type), tx.sender, o.code_name ? outcomeWords(o) : '—'];
    });
    view.replaceChildren(dl, rows.length ? table(['hash', 'type', 'sender', 'outcome'], rows)
                                         : el('p', I18n.t('empty_list'), 'state empty'));
  }
  $('block-form').addEventListener('submit', (e) => { e.preventDefault(); lookupBlock(); });

  // ---- export: the node's bundle bytes saved as a file and kept for verifying ----
  let lastBundle = null;  // {name, bytes}
  let lastUrl = null;
  async function exportBundle(target, name) {
    const status = $('export-state');
    status.className = 'state';
    status.textContent = I18n.t('exporting') + ' ' + name;
    try {
      const response = await Session.signedFetch('GET', target);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (!response.ok) {
        let message = 'HTTP ' + response.status;
        try { message = JSON.parse(new TextDecoder().decode(bytes)).error.message || message; } catch (e) { /* */ }
        throw new Error(message);
      }
      let records = '?', height = '?';
      try {
        const bundle = JSON.parse(new TextDecoder().decode(bytes));
        records = bundle.records.length;
        height = bundle.checkpoint.checkpoint.height;
      } catch (e) { /* the verifier says what is wrong with it */ }
      lastBundle = { name, bytes };
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = lastUrl;
      link.download = name;
      link.id = 'bundle-link';
      link.textContent = I18n.t('save_again') + name;
      $('export-link').replaceChildren(link);
      link.click();
      status.textContent = I18n.t('exported') + name + '（' + bytes.length + I18n.t('bytes') + records +
        I18n.t('exported_records') + height + '）';
      $('verify-last').disabled = false;
      $('last-name').textContent = name;
    } catch (error) {
      status.className = 'error';
      status.textContent = I18n.t('export_failed') + errorText(error);
    }
  }
  // A day typed as YYYY-MM-DD is that day in China Standard Time; the range ends
  // after the last day, as the CLI reads --to-ms given as a day.
  const cstDayStartMs = (day) => Date.parse(day + 'T00:00:00Z') - CST_OFFSET_MS;
  $('access-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const asset = $('access-asset').value.trim();
    const from = $('access-from').value, to = $('access-to').value;
    const fromMs = cstDayStartMs(from), toMs = cstDayStartMs(to) + DAY_MS;
    exportBundle('/v1/evidence/assets/' + encodeURIComponent(asset) + '/access?from_ms=' + fromMs + '&to_ms=' + toMs,
                 'access-' + asset + '-' + from + '-' + to + '.json');
  });

  // ---- verification in the page: verifier.js, no server ----
  let lastResult = null;
  async function verify(bundleBytes) {
    const verdict = $('verdict');
    verdict.dataset.done = '';
    const genesis = $('genesis').files[0];
    if (!genesis) { verdict.className = 'error'; verdict.textContent = I18n.t('choose_genesis'); return; }
    if (!bundleBytes) { verdict.className = 'error'; verdict.textContent = I18n.t('choose_bundle'); return; }
    verdict.className = 'state';
    verdict.textContent = I18n.t('working');
    verdict.dataset.check = '';
    lastResult = await V.verifyBytes(bundleBytes, new Uint8Array(await genesis.arrayBuffer()));
    Verdict.render(lastResult, verdict, $('result'));
    verdict.dataset.done = 'true';
  }
  $('verify-last').addEventListener('click', () => verify(lastBundle && lastBundle.bytes));
  $('verify-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('verdict').dataset.done = '';  // at once: reading the file takes a moment
    const file = $('bundle').files[0];
    verify(file ? new Uint8Array(await file.arrayBuffer()) : null);
  });

  // ---- consistency between two cosigned checkpoints, checked in the page ----
  let consistencyNow = null;
  function consistencyLines(r) {
    const zh = I18n.lang !== 'en';
    const v = r.verified;
    const lines = [zh
      ? '一致：高度 ' + v.to.height + ' 的账本延续了高度 ' + v.from.height +
        ' 的账本（交易日志、结果日志、区块日志三项一致性证明均已核验）。'
      : 'Consistent: the ledger at height ' + v.to.height + ' extends the ledger at height ' + v.from.height +
        " (the transaction, outcome and block logs' consistency proofs all verify)."];
    for (const [name, cp] of [['from', v.from], ['to', v.to]]) {
      const s = v.signatures[name];
      if (s.checked) {
        lines.push(zh ? '高度 ' + cp.height + ' 的检查点由创世验证节点 ' + s.signers.join(', ') + ' 签名（共 ' + s.of +
                        ' 个），签名已核验。'
                      : 'The checkpoint at height ' + cp.height + ' is signed by genesis validators ' +
                        s.signers.join(', ') + ' (of ' + s.of + '); the signatures verify.');
      } else {
        lines.push(zh ? '高度 ' + cp.height + ' 的检查点由自创世以来已变更的验证节点集合签名，本页无法仅凭创世文件核验其签名（请用证据包核验）。'
                      : 'The checkpoint at height ' + cp.height + ' is signed by a validator set changed since ' +
                        'genesis; its signatures cannot be checked from the genesis file alone (use an evidence bundle).');
      }
    }
    return lines;
  }
  function renderConsistency() {
    const verdict = $('consistency-verdict'), box = $('consistency-result');
    if (!consistencyNow) return;
    if (consistencyNow.error) {
      verdict.className = 'error';
      verdict.textContent = I18n.t(consistencyNow.error.key) + (consistencyNow.error.extra || '');
      box.hidden = true;
      return;
    }
    const r = consistencyNow.result;
    verdict.className = r.ok ? 'verified' : 'failed';
    verdict.textContent = r.ok ? I18n.t('verified') : I18n.t('failed') + ' — ' + I18n.t('failed_check') + r.check;
    verdict.dataset.check = r.ok ? '' : r.check;
    box.replaceChildren(...(r.ok ? consistencyLines(r) : [r.message]).map((line) => el('p', line)));
    box.hidden = false;
  }
  $('consistency-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const verdict = $('consistency-verdict');
    verdict.dataset.done = '';
    verdict.dataset.check = '';
    const genesis = $('genesis').files[0];
    if (!genesis) {
      consistencyNow = { error: { key: 'choose_genesis' } };
    } else {
      verdict.className = 'state';
      verdict.textContent = I18n.t('working');
      const target = '/v1/proofs/consistency?from=' + encodeURIComponent($('consistency-from').value.trim()) +
        '&to=' + encodeURIComponent($('consistency-to').value.trim());
      try {
        const response = await Session.signedFetch('GET', target);
        const text = await response.text();
        if (!response.ok) {
          let message = 'HTTP ' + response.status;
          try { message = JSON.parse(text).error.message || message; } catch (error) { /* not JSON */ }
          throw new Error(message);
        }
        consistencyNow = { result: await V.verifyConsistencyAnswer(text,
                                                                   new Uint8Array(await genesis.arrayBuffer())) };
      } catch (error) {
        consistencyNow = { error: { key: 'load_error', extra: errorText(error) } };
      }
    }
    renderConsistency();
    verdict.dataset.done = 'true';
  });

  // ---- signing in and out ----
  const renderSession = Session.bindSignInForm({
    workId: 'work',
    onSignIn() {
      loadDisputes(true);
      $('disputes-title').focus();
    },
    onSignOut() {
      caseNow = txNow = blockNow = lastBundle = lastResult = consistencyNow = null;
      disputes.answer = null;
      for (const id of ['disputes-list', 'case-facts', 'timeline', 'ruling', 'tx-view', 'block-view', 'export-link',
                        'result', 'consistency-result', 'consistency-verdict']) {
        $(id).replaceChildren();
      }
      $('consistency-result').hidden = true;
      $('case').hidden = true;
      $('result').hidden = true;
      $('verdict').textContent = '';
      $('export-state').textContent = '';
      $('verify-last').disabled = true;
      $('last-name').textContent = '';
    },
  });

  $('lang').addEventListener('click', () => {
    I18n.toggle();
    render();
  });
  function render() {
    I18n.apply(document);
    renderSession();
    renderDisputes();
    renderCase();
    renderTx();
    renderBlock();
    if (lastResult) Verdict.render(lastResult, $('verdict'), $('result'));
    renderConsistency();
  }
  for (const id of ['disputes-title', 'case-title']) $(id).tabIndex = -1;
  render();
  // What the page last verified and the bytes it downloaded, for the browser tests
  // to compare with the C++ verifier; read-only views, no key is reachable from here.
  globalThis.ShulianCourtPage = {
    lastVerification: () => lastResult,
    lastConsistency: () => (consistencyNow ? consistencyNow.result || null : null),
    lastBundleBytes: () => (lastBundle ? lastBundle.bytes.slice() : null),
  };
})();
