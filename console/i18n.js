// Labels of the console in Chinese (first) and English. A classic script so the
// verifier page works opened from a saved file. Text is set with textContent only.
(function (root) {
  'use strict';
  const LABELS = {
    'zh-CN': {
      title_health: '数链控制台 · 网络状态', title_verify: '数链控制台 · 证据核验',
      nav_health: '网络状态', nav_verify: '证据核验', nav_supervisor: '监管看板', nav_court: '争议与证据', lang_toggle: 'English',
      loading: '正在读取…', error: '无法读取节点状态：', empty: '暂无',
      network: '网络', node: '本节点', role: '角色', leader: '领导节点', term: '任期', height: '区块高度',
      commit: '提交索引', applied: '应用索引', genesis_hash: '创世哈希', voters: '投票成员', learners: '学习成员',
      removed: '已移除', peers: '对等节点', peer_id: '节点', address: '地址', connected: '连接',
      member: '成员身份', lag: '落后条目', yes: '是', no: '否', none: '无',
      checkpoint: '最新共签检查点', cp_height: '高度', cp_time: '区块时间', cp_age: '距今', cp_signers: '签名验证节点',
      no_checkpoint: '本节点尚无共签检查点', refreshed: '更新于',
      verify_intro: '选择证据包文件和创世文件（规范二进制编码），全部核验在本页内完成，不连接任何服务器。',
      bundle_file: '证据包（JSON）', genesis_file: '创世文件（规范编码）', verify_button: '核验',
      verified: '核验通过', failed: '核验失败', failed_check: '未通过的检查：', choose_both: '请选择两个文件。',
      working: '正在核验…',
      title_authority: '数链控制台 · 机构工作台', nav_authority: '机构工作台', signout: '退出登录',
      signin_title: '登录', signin_intro: '载入本账户的密钥文件（与命令行工具相同的格式）。密钥只保存在本页内存中，不可导出，不发送、不存储；退出登录即丢弃。',
      account: '账户', authority: '所属机构（行政区划代码）', key_file: '密钥文件', signin_button: '登录',
      signing_in: '正在登录…', signin_failed: '登录失败：', signed_in_as: '已登录：',
      key_file_header: '这不是账户私钥文件（首行应为 shulian-ed25519-secret-v1）', key_file_seed: '密钥文件内容不完整或已损坏',
      key_file_size: '文件过大，不是密钥文件', key_file_missing: '请选择密钥文件', signed_out: '尚未登录',
      catalog_title: '开放目录', search: '搜索', all: '全部', share_type: '共享类型', open_type: '开放类型',
      resource_type: '资源类型', share_type_unconditional: '无条件共享', share_type_conditional: '有条件共享',
      share_type_not_shared: '不予共享', share_unconditional: '无条件共享', share_conditional: '有条件共享',
      share_not_shared: '不予共享', open_unconditional: '无条件开放', open_conditional: '有条件开放', open_not_open: '不予开放',
      open_type_unconditional: '无条件开放', open_type_conditional: '有条件开放', open_type_not_open: '不予开放',
      resource_basic: '基础资源', resource_thematic: '主题资源', resource_departmental: '部门资源',
      resource_type_basic: '基础资源', resource_type_thematic: '主题资源', resource_type_departmental: '部门资源',
      grade: '分级', grade_general: '一般数据', grade_important: '重要数据', grade_core: '核心数据',
      pending_title: '待我方决定的共享申请', objections_title: '待答复的异议', grants_title: '我方持有的授权',
      asset_title: '资产与历史', forms_title: '办理', show: '查看',
      load_error: '读取失败：', empty_list: '暂无记录', pages: '分页', previous: '上一页', next: '下一页', page: '第',
      overdue: '已逾期', left_prefix: '剩余 ', days: ' 天 ', hours: ' 小时',
      approve: '批准', refuse: '拒绝', answer: '答复', decision: '决定',
      col_asset_id: '资产', col_name: '名称', col_provider_authority: '提供机构', col_share_type: '共享类型',
      col_open_type: '开放类型', col_format: '格式', col_updated_ms: '更新时间', col_request_id: '申请编号',
      col_requester: '申请方', col_fields: '字段', col_purpose: '用途', col_due_ms: '办理期限（北京时间）',
      col_time_left: '剩余时间', col_actions: '操作', col_objection_id: '异议编号', col_raiser: '提出方',
      col_kind: '类型', col_raised_ms: '提出时间', col_grant_id: '授权编号', col_business_scenario: '业务场景（范围）',
      col_mode: '方式', col_expiry_ms: '到期时间', col_status: '状态', col_seq: '序号', col_time_ms: '时间',
      col_tx_type: '交易', col_version: '版本', col_summary: '摘要', col_source_department: '数源部门',
      col_disputed: '存在异议',
      mode_request_response: '接口调用', mode_copy: '复制', status_active: '有效', status_suspended: '已暂停',
      status_revoked: '已撤销', status_expired: '已到期', status_pending: '待审核', status_granted: '已授权',
      kind_error: '数据错误', kind_omission: '数据遗漏', kind_privacy: '隐私', kind_trade_secret: '商业秘密',
      kind_quality: '质量整改', kind_catalog_update: '目录更新',
      form_decide: '批准或拒绝共享申请', form_request: '共享申请', form_asset: '资产登记', form_answer: '答复异议',
      form_use: '利用记录', request_id: '申请编号', asset_id: '资产编号', grant_fields: '授权字段（逗号分隔）',
      fields: '字段（逗号分隔）', business_scenario: '业务场景', duration_days: '期限（天）', mode: '方式',
      desensitised: '脱敏', conditions: '使用条件', legal_basis: '法律依据', reason: '理由', purpose: '用途',
      name: '名称', source_department: '数源部门', dataset_code: '数据项编码', description: '描述',
      personal_data: '含个人信息', format: '格式', update_frequency: '更新频率', share_reason: '共享理由',
      open_reason: '开放理由', open_legal_basis: '开放法律依据', content_hash: '内容哈希（SHA-256）',
      size_bytes: '大小（字节）', objection_id: '异议编号', answer_corrected: '已更正', answer_deleted: '已删除',
      answer_rejected: '不予采纳（说明理由）', new_version: '更正后版本', grant_id: '授权编号（开放数据留空）',
      row_count: '记录条数', result_digest: '结果摘要（SHA-256）', third_party: '提供给第三方',
      sign_submit: '签名并提交', submitting: '正在签名并提交…', submit_error: '未提交：',
      accepted: '已记入账本，交易哈希 ', rejected: '账本拒绝：', not_committed: '尚未确认提交：',
    },
    en: {
      title_health: 'Shulian console · network health', title_verify: 'Shulian console · evidence verifier',
      nav_health: 'Network health', nav_verify: 'Verify evidence', nav_supervisor: 'Supervisor', nav_court: 'Disputes & evidence', lang_toggle: '中文',
      loading: 'Loading…', error: 'Cannot read the node status: ', empty: 'none',
      network: 'Network', node: 'This node', role: 'Role', leader: 'Leader', term: 'Term', height: 'Height',
      commit: 'Commit index', applied: 'Applied index', genesis_hash: 'Genesis hash', voters: 'Voters',
      learners: 'Learners', removed: 'Removed', peers: 'Peers', peer_id: 'Node', address: 'Address',
      connected: 'Connected', member: 'Member', lag: 'Lag (entries)', yes: 'yes', no: 'no', none: 'none',
      checkpoint: 'Latest cosigned checkpoint', cp_height: 'Height', cp_time: 'Block time', cp_age: 'Age',
      cp_signers: 'Signed by validators', no_checkpoint: 'This node holds no cosigned checkpoint yet',
      refreshed: 'Updated',
      verify_intro: 'Choose an evidence bundle and the genesis file (canonical binary encoding). Everything is ' +
        'checked in this page; no server is contacted.',
      bundle_file: 'Evidence bundle (JSON)', genesis_file: 'Genesis file (canonical encoding)',
      verify_button: 'Verify', verified: 'VERIFIED', failed: 'NOT VERIFIED', failed_check: 'Failed check: ',
      choose_both: 'Choose both files.', working: 'Verifying…',
      title_authority: 'Shulian console · authority workbench', nav_authority: 'Authority', signout: 'Sign out',
      signin_title: 'Sign in', signin_intro: 'Load this account\'s key file (the CLI\'s format). The key stays in this page\'s memory only, not extractable, never sent or stored; signing out forgets it.',
      account: 'Account', authority: 'Authority (division code)', key_file: 'Key file', signin_button: 'Sign in',
      signing_in: 'Signing in…', signin_failed: 'Sign-in failed: ', signed_in_as: 'Signed in: ',
      key_file_header: 'this is not an account secret key file (its first line must be shulian-ed25519-secret-v1)',
      key_file_seed: 'the key file is incomplete or damaged', key_file_size: 'too large to be a key file',
      key_file_missing: 'choose the key file', signed_out: 'not signed in',
      catalog_title: 'Open catalog', search: 'Search', all: 'all', share_type: 'Share type', open_type: 'Open type',
      resource_type: 'Resource type', share_type_unconditional: 'unconditional', share_type_conditional: 'conditional',
      share_type_not_shared: 'not shared', share_unconditional: 'unconditional', share_conditional: 'conditional',
      share_not_shared: 'not shared', open_unconditional: 'open', open_conditional: 'conditionally open',
      open_not_open: 'not open', open_type_unconditional: 'open', open_type_conditional: 'conditionally open',
      open_type_not_open: 'not open', resource_basic: 'basic', resource_thematic: 'thematic',
      resource_departmental: 'departmental', resource_type_basic: 'basic', resource_type_thematic: 'thematic',
      resource_type_departmental: 'departmental', grade: 'Grade', grade_general: 'general',
      grade_important: 'important', grade_core: 'core',
      pending_title: 'Share requests waiting for our decision', objections_title: 'Objections to answer',
      grants_title: 'Grants we hold', asset_title: 'An asset and its history', forms_title: 'Transactions',
      show: 'Show', load_error: 'Cannot read: ', empty_list: 'Nothing here', pages: 'Pages', previous: 'Previous',
      next: 'Next', page: 'Page', overdue: 'overdue', left_prefix: '', days: ' d ', hours: ' h left',
      approve: 'Approve', refuse: 'Refuse', answer: 'Answer', decision: 'Decision',
      col_asset_id: 'Asset', col_name: 'Name', col_provider_authority: 'Provider', col_share_type: 'Share type',
      col_open_type: 'Open type', col_format: 'Format', col_updated_ms: 'Updated', col_request_id: 'Request',
      col_requester: 'Requester', col_fields: 'Fields', col_purpose: 'Purpose', col_due_ms: 'Due (CST)',
      col_time_left: 'Time left', col_actions: 'Actions', col_objection_id: 'Objection', col_raiser: 'Raised by',
      col_kind: 'Kind', col_raised_ms: 'Raised', col_grant_id: 'Grant', col_business_scenario: 'Scenario (scope)',
      col_mode: 'Mode', col_expiry_ms: 'Expires', col_status: 'Status', col_seq: '#', col_time_ms: 'Time',
      col_tx_type: 'Transaction', col_version: 'Version', col_summary: 'Summary',
      col_source_department: 'Source department', col_disputed: 'Disputed',
      mode_request_response: 'request/response', mode_copy: 'copy',
      form_decide: 'Approve or refuse a share request', form_request: 'Request a share', form_asset: 'Register an asset',
      form_answer: 'Answer an objection', form_use: 'Record a use', request_id: 'Request id', asset_id: 'Asset id',
      grant_fields: 'Granted fields (comma-separated)', fields: 'Fields (comma-separated)',
      business_scenario: 'Business scenario', duration_days: 'Duration (days)', mode: 'Mode',
      desensitised: 'Desensitised', conditions: 'Conditions', legal_basis: 'Legal basis', reason: 'Reason',
      purpose: 'Purpose', name: 'Name', source_department: 'Source department', dataset_code: 'Data item code',
      description: 'Description', personal_data: 'Contains personal data', format: 'Format',
      update_frequency: 'Update frequency', share_reason: 'Share reason', open_reason: 'Open reason',
      open_legal_basis: 'Open legal basis', content_hash: 'Content hash (SHA-256)', size_bytes: 'Size (bytes)',
      objection_id: 'Objection id', answer_corrected: 'corrected', answer_deleted: 'deleted',
      answer_rejected: 'rejected, with reasons', new_version: 'Correcting version',
      grant_id: 'Grant id (empty for open data)', row_count: 'Rows', result_digest: 'Result digest (SHA-256)',
      third_party: 'Passed to a third party', sign_submit: 'Sign and submit', submitting: 'Signing and submitting…',
      submit_error: 'Not submitted: ', accepted: 'Recorded in the ledger, transaction ',
      rejected: 'The ledger refused: ', not_committed: 'Not confirmed yet: ',
    },
  };
  let lang = 'zh-CN';
  try { lang = root.localStorage.getItem('shulian.lang') || lang; } catch (e) { /* file:// without storage */ }
  const I18n = {
    get lang() { return lang; },
    t(key, fallback) {
      return (LABELS[lang] && LABELS[lang][key]) || LABELS['zh-CN'][key] || (fallback !== undefined ? fallback : key);
    },
    // A page's own labels ({'zh-CN': {...}, en: {...}}), so each page's script
    // carries its words; a key already defined keeps its first meaning.
    extend(labels) {
      for (const [language, table] of Object.entries(labels)) {
        LABELS[language] = LABELS[language] || {};
        for (const [key, text] of Object.entries(table)) {
          if (!(key in LABELS[language])) LABELS[language][key] = text;
        }
      }
    },
    apply(doc) {
      doc.documentElement.lang = lang;
      for (const el of doc.querySelectorAll('[data-i18n]')) el.textContent = I18n.t(el.dataset.i18n);
    },
    toggle() {
      lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
      try { root.localStorage.setItem('shulian.lang', lang); } catch (e) { /* not persisted */ }
    },
    // An element holding `value` as text, never as HTML: the one way the pages put
    // what the ledger or a bundle says into the page ('—' for nothing).
    textElement(tag, value, className) {
      const e = root.document.createElement(tag);
      e.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
      if (className) e.className = className;
      return e;
    },
    // Every time in China Standard Time (UTC+8), whatever the viewer's zone.
    formatTime(ms) {
      const text = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
        timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
      }).format(new Date(Number(ms)));
      return text + (lang === 'en' ? ' CST' : '（北京时间）');
    },
  };
  root.ShulianI18n = I18n;
})(globalThis);
