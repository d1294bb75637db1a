// How a verified (or refused) evidence bundle is told in plain words, shared by the
// offline verifier (verify.html) and the court's page (court.html): the page's form
// of VerifiedBundle::Describe, or the failed check's name. Everything that comes from
// a bundle or a genesis file is inserted with textContent, never as HTML. A classic
// script defining globalThis.ShulianVerdict, so a saved verify.html works from a file.
(function (root) {
  'use strict';
  const I18n = root.ShulianI18n;
  const V = root.ShulianVerifier;

  const zh = () => I18n.lang !== 'en';
  const time = (ms) => I18n.formatTime(ms);

  function recordLine(rec, genesis) {
    const account = genesis.accounts.find((a) => a.id === rec.tx.sender);
    const who = account ? account.id + (account.name ? ' (' + account.name + ')' : '') : rec.tx.sender;
    const outcome = rec.outcome.accepted
      ? (zh() ? '已接受' : 'accepted')
      : (zh() ? '被拒绝（' : 'rejected (') + rec.outcome.codeName + ': ' + rec.outcome.message + (zh() ? '）' : ')');
    const authority = !rec.senderInGenesis
      ? (zh() ? '（创世后注册的账户，其所属机构不在本证明之内）'
              : ' (account registered after genesis; its authority is not part of this proof)')
      : rec.senderAuthority ? (zh() ? '，所属机构 ' : ' of authority ') + rec.senderAuthority
        : (zh() ? '（无所属机构）' : ' (no authority)');
    const signature = rec.senderSignatureVerified
      ? (zh() ? '发送方签名已用其创世公钥核验' : "sender's signature verified with its genesis key")
      : (zh() ? '发送方签名无法由本证据包确立' : "sender's signature not established by this bundle");
    if (zh()) {
      return '· 交易 ' + V.hexOf(rec.txHash) + '（' + rec.tx.typeName + '），发送账户 ' + who + authority +
        '，日志序号 ' + rec.logIndex + '，区块 ' + rec.block.height + '，时间 ' + time(rec.block.timeMs) +
        '；结果：' + outcome + '；' + signature;
    }
    return '- transaction ' + V.hexOf(rec.txHash) + ' (' + rec.tx.typeName + ') sent by account ' + who + authority +
      ', log index ' + rec.logIndex + ', block ' + rec.block.height + ' at ' + time(rec.block.timeMs) +
      '; outcome: ' + outcome + '; ' + signature;
  }

  function subjectLine(s, count) {
    if (s.kind === 'transaction') return (zh() ? '证明对象：交易 ' : 'Subject: transaction ') + V.hexOf(s.txHash);
    if (s.kind === 'asset_access') {
      return zh()
        ? '证明对象：资产 “' + s.assetId + '” 区块时间在 [' + time(s.fromMs) + ', ' + time(s.toMs) + ') 内的 ' + count +
          ' 条使用记录。未证明：账本在该时段内没有其他使用记录。'
        : 'Subject: ' + count + ' access record(s) of asset "' + s.assetId + '" with block time in [' +
          time(s.fromMs) + ', ' + time(s.toMs) + '). Not proven: that the ledger holds no other access in that range.';
    }
    return zh() ? '证明对象：争议 “' + s.disputeId + '” 的立案、已包含的结案及其引用的记录。'
      : 'Subject: dispute "' + s.disputeId + '": its opening, its closing if included, and the records it refers to.';
  }

  // Plain-words lines of a verified bundle (the page's form of VerifiedBundle::Describe).
  function describe(result) {
    const v = result.verified, cp = v.checkpoint;
    const lines = [];
    lines.push(zh()
      ? '以下每条记录都在网络 “' + cp.networkId + '” 的账本中，检查点高度 ' + cp.height + '（区块 ' +
        V.hexOf(cp.blockHash) + '，' + time(cp.blockTimeMs) + '，共 ' + cp.txLogSize + ' 笔交易）。'
      : 'Every record below is in the ledger of network "' + cp.networkId + '" at height ' + cp.height +
        ' (block ' + V.hexOf(cp.blockHash) + ', ' + time(cp.blockTimeMs) + ', ' + cp.txLogSize + ' transactions).');
    lines.push(zh()
      ? '由验证节点 ' + v.signers.join(', ') + ' 共同签名（法定人数 ' + v.quorum + '，共 ' + v.members.length +
        ' 个），该验证节点集合由创世文件经 ' + v.validatorChanges + ' 次成员变更确立。'
      : 'Cosigned by validators ' + v.signers.join(', ') + ' (quorum ' + v.quorum + ' of ' + v.members.length +
        '), a set established from the genesis file through ' + v.validatorChanges + ' membership change(s).');
    for (const rec of v.records) lines.push(recordLine(rec, result.genesis));
    lines.push(subjectLine(v.subject, v.records.length));
    return lines;
  }

  // Draws `result` (ShulianVerifier.verify's answer) into `verdict` (one line:
  // 核验通过, or 核验失败 with the failed check, also in data-check) and `box` (the
  // plain-words lines, or the failure's message). Both pages call this one function.
  function render(result, verdict, box) {
    const lines = result.ok ? describe(result) : [result.message];
    verdict.textContent = result.ok ? I18n.t('verified') : I18n.t('failed') + ' — ' + I18n.t('failed_check') +
      result.check;
    verdict.className = result.ok ? 'verified' : 'failed';
    verdict.dataset.check = result.ok ? '' : result.check;
    box.replaceChildren(...lines.map((line) => {
      const p = document.createElement('p');
      p.textContent = line;
      return p;
    }));
    box.hidden = false;
  }

  root.ShulianVerdict = { describe, render };
})(globalThis);
