// Transactions built and signed in the page: the canonical encoding v2 of
// docs/encoding.md, mirroring ledger/transaction.cc and the body layouts of
// ledger/bodies.h for the kinds the console's forms send. Input is the JSON form
// of docs/transactions.md; a test (ConsoleTxAgreementTest) proves the bytes equal
// the C++ encoder's for every kind listed here. The ledger checks every rule; this
// file only refuses what it cannot encode, naming the field.
(function (root) {
  'use strict';
  const C = root.ShulianCodec;
  const TX_VERSION = 2;
  const DOMAIN_TAG = 'shulian/tx/v2';

  // Wire names of ledger/domain_types.h, by their u8 value.
  const ENUMS = {
    resource_type: ['basic', 'thematic', 'departmental'],
    grade: ['general', 'important', 'core'],
    update_frequency: ['real_time', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'],
    share_type: ['unconditional', 'conditional', 'not_shared'],
    open_type: ['unconditional', 'conditional', 'not_open'],
    mode: ['request_response', 'copy'],
    answer: ['corrected', 'deleted', 'rejected'],
  };

  // Field layouts in declaration order: [name, kind]. Kinds: str, enum (named by
  // ENUMS key), bool, u32, u64, digest, strs (list), opt_str, opt_u32,
  // tail_digest (trailing optional: no bytes when absent), or a nested layout.
  const TERMS = [['fields', 'strs'], ['business_scenario', 'str'], ['duration_days', 'u32'],
                 ['mode', 'enum:mode'], ['desensitised', 'bool']];
  const KINDS = {
    register_asset: [200, [
      ['asset_id', 'str'], ['provider_authority', 'str'], ['source_department', 'str'], ['dataset_code', 'str'],
      ['name', 'str'], ['description', 'str'], ['resource_type', 'enum:resource_type'], ['grade', 'enum:grade'],
      ['contains_personal_data', 'bool'], ['fields', 'strs'], ['format', 'str'],
      ['update_frequency', 'enum:update_frequency'], ['share_type', 'enum:share_type'], ['share_reason', 'str'],
      ['share_legal_basis', 'str'], ['open_type', 'enum:open_type'], ['open_reason', 'str'],
      ['open_legal_basis', 'str'], ['content_hash', 'digest'], ['size_bytes', 'u64']]],
    request_share: [300, [
      ['request_id', 'str'], ['asset_id', 'str'], ['purpose', 'str'], ['business_scenario', 'str'],
      ['fields', 'strs'], ['mode', 'enum:mode'], ['duration_days', 'u32']]],
    approve_share: [301, [['request_id', 'str'], ['terms', TERMS], ['conditions', 'str']]],
    refuse_share: [302, [['request_id', 'str'], ['legal_basis', 'str'], ['reason', 'str']]],
    record_access: [500, [
      ['grant_id', 'opt_str'], ['asset_id', 'str'], ['purpose', 'str'], ['business_scenario', 'str'],
      ['fields', 'strs'], ['row_count', 'u64'], ['result_digest', 'digest'], ['mode', 'enum:mode'],
      ['third_party', 'bool'], ['subject_authorisation_hash', 'tail_digest']]],
    answer_objection: [601, [
      ['objection_id', 'str'], ['answer', 'enum:answer'], ['reason', 'str'], ['new_version', 'opt_u32']]],
  };

  function field(w, layout, value, path) {
    const [name, kind] = layout;
    const what = path + name;
    const v = value[name];
    if (Array.isArray(kind)) return fields(w, kind, v, what + '.');
    const absent = v === undefined || v === null;
    if (absent && !kind.startsWith('opt_') && kind !== 'tail_digest') throw new Error(what + ': missing');
    if (kind === 'str') return w.str(v, what);
    if (kind === 'bool') return w.bool(v, what);
    if (kind === 'u32') return w.u32(v, what);
    if (kind === 'u64') return w.u64(v, what);
    if (kind === 'digest') return w.raw(C.unhex(v, what, 32));
    if (kind === 'strs') {
      if (!Array.isArray(v)) throw new Error(what + ': not a list');
      w.u32(v.length, what);
      v.forEach((item, i) => w.str(item, what + '[' + i + ']'));
      return w;
    }
    if (kind.startsWith('enum:')) {
      const index = ENUMS[kind.slice(5)].indexOf(v);
      if (index < 0) throw new Error(what + ': unknown value ' + JSON.stringify(v));
      return w.u8(index + 1, what);
    }
    if (kind === 'opt_str' || kind === 'opt_u32') {
      if (absent) return w.u8(0);
      w.u8(1);
      return kind === 'opt_str' ? w.str(v, what) : w.u32(v, what);
    }
    if (kind === 'tail_digest') return absent ? w : w.u8(1).raw(C.unhex(v, what, 32));
    throw new Error(what + ': no layout');
  }

  function fields(w, layout, value, path) {
    if (value === null || typeof value !== 'object') throw new Error(path.slice(0, -1) + ': not an object');
    const known = new Set(layout.map((f) => f[0]));
    for (const key of Object.keys(value)) {
      if (!known.has(key)) throw new Error(path + key + ': unknown key');
    }
    for (const f of layout) field(w, f, value, path);
    return w;
  }

  function kindOf(type) {
    const kind = KINDS[type];
    if (!kind) throw new Error('type: the console cannot build ' + JSON.stringify(type));
    return kind;
  }

  function encodeBody(type, body) {
    return fields(new C.Writer(), kindOf(type)[1], body, 'body.').finish();
  }

  // tx: {type, network_id, sender, client_time_ms, nonce (decimal string), body}.
  function unsigned(tx) {
    const w = new C.Writer();
    w.u16(kindOf(tx.type)[0], 'type').u16(TX_VERSION, 'version');
    w.str(tx.network_id, 'network_id').str(tx.sender, 'sender');
    w.i64(tx.client_time_ms, 'client_time_ms').u64(tx.nonce, 'nonce');
    w.bytes(encodeBody(tx.type, tx.body));
    return w.finish();
  }

  function signingBytes(tx, genesisHashHex) {
    return C.concat(C.utf8(DOMAIN_TAG), C.unhex(genesisHashHex, 'genesis_hash', 32), unsigned(tx));
  }

  // Signs with `sign` (bytes -> Promise of 64 signature bytes, ShulianSession.sign)
  // and returns {hex, hash}: the transaction's canonical bytes and their SHA-256.
  async function build(tx, genesisHashHex, sign) {
    const signature = await sign(signingBytes(tx, genesisHashHex));
    const encoded = C.concat(unsigned(tx), signature);
    return { hex: C.hex(encoded), hash: C.hex(await C.sha256(encoded)) };
  }

  // A fresh nonce: 63 random bits as a decimal string.
  function nonce() {
    const words = root.crypto.getRandomValues(new Uint32Array(2));
    return ((BigInt(words[0] & 0x7fffffff) << 32n) | BigInt(words[1])).toString();
  }

  root.ShulianTx = { KINDS: Object.keys(KINDS), encodeBody, signingBytes, unsigned, build, nonce };
})(globalThis);
