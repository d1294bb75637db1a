// Labels of the console in Chinese (first) and English. A classic script so the
// verifier page works opened from a saved file. Text is set with textContent only.
(function (root) {
  'use strict';
  const LABELS = {
    'zh-CN': {
      title_health: '数链控制台 · 网络状态', title_verify: '数链控制台 · 证据核验',
      nav_health: '网络状态', nav_verify: '证据核验', lang_toggle: 'English',
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
    },
    en: {
      title_health: 'Shulian console · network health', title_verify: 'Shulian console · evidence verifier',
      nav_health: 'Network health', nav_verify: 'Verify evidence', lang_toggle: '中文',
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
    },
  };
  let lang = 'zh-CN';
  try { lang = root.localStorage.getItem('shulian.lang') || lang; } catch (e) { /* file:// without storage */ }
  const I18n = {
    get lang() { return lang; },
    t(key) { return (LABELS[lang] && LABELS[lang][key]) || LABELS['zh-CN'][key] || key; },
    apply(doc) {
      doc.documentElement.lang = lang;
      for (const el of doc.querySelectorAll('[data-i18n]')) el.textContent = I18n.t(el.dataset.i18n);
    },
    toggle() {
      lang = lang === 'zh-CN' ? 'en' : 'zh-CN';
      try { root.localStorage.setItem('shulian.lang', lang); } catch (e) { /* not persisted */ }
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
