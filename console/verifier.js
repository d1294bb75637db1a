// The offline verifier of evidence bundles, in the browser. It makes the checks of
// ledger/evidence_verify.cc in the same order and fails with the same check names
// (docs/evidence.md), so a court can verify a bundle on a machine with nothing
// installed. A classic script, not an ES module: Chromium refuses module scripts on
// file:// pages, and this page must work opened from a saved file.
// Pure: no network, no storage; the genesis file is the only trusted input.
(function (root) {
  'use strict';

  const LIMITS = {
    bundleTextBytesMax: 64 * 1024 * 1024,
    recordsMax: 1000,
    validatorHistoryMax: 4096,
    proofHashesMax: 64,
    subjectIdBytesMax: 64,
    networkIdBytesMax: 64,
    accountIdBytesMax: 64,
    signaturesMax: 1024,
    bodyBytesMax: 64 * 1024,
    txEnvelopeBytesMax: 1024,
    outcomeBytesMax: 64 * 1024,
    outcomeTextBytesMax: 64 * 1024,
    outcomeNotesMax: 1024,
  };
  const FORMAT = 'shulian-evidence/v1';
  const TAG = {
    txV1: 'shulian/tx/v1',
    txV2: 'shulian/tx/v2',
    block: 'shulian/block/v1',
    outcome: 'shulian/outcome/v1',
    checkpoint: 'shulian/checkpoint/v1',
    validatorSet: 'shulian/validator-set/v1',
    genesis: 'shulian/genesis/v1',
  };
  const BLOCK_HEADER_BYTES = TAG.block.length + 8 + 32 + 8 + 8 + 4 + 8 + 32;
  const ROLE_OPERATOR = 8;
  const TX_TYPES = new Map([
    [100, 'register_authority'], [101, 'register_account'], [102, 'suspend_account'],
    [103, 'reinstate_account'], [104, 'rotate_key'], [105, 'set_policy'], [106, 'set_calendar'],
    [107, 'add_validator'], [108, 'remove_validator'], [109, 'rotate_validator_key'], [200, 'register_asset'],
    [201, 'publish_asset_version'], [202, 'change_asset_types'], [203, 'retire_asset'],
    [204, 'destroy_asset'], [300, 'request_share'], [301, 'approve_share'], [302, 'refuse_share'],
    [303, 'consent_copy'], [304, 'decide_overdue_share'], [305, 'suspend_grant'],
    [306, 'resume_grant'], [307, 'revoke_grant'], [308, 'deliver_share'],
    [310, 'request_aggregation'], [311, 'answer_aggregation'], [312, 'deliver_aggregation'],
    [400, 'apply_open'], [401, 'decide_open'], [402, 'request_open_review'],
    [403, 'decide_open_review'], [500, 'record_access'], [600, 'raise_objection'],
    [601, 'answer_objection'], [602, 'escalate_objection'], [610, 'open_dispute'],
    [611, 'close_dispute'],
  ]);
  const OUTCOME_CODES = new Map([
    [0, 'accepted'], [1, 'wrong_network'], [2, 'unknown_sender'], [3, 'sender_suspended'],
    [4, 'bad_signature'], [5, 'client_time_outside_window'], [6, 'malformed_body'],
    [7, 'read_only_sender'], [101, 'invalid_argument'], [102, 'not_found'],
    [103, 'already_exists'], [104, 'permission_denied'], [105, 'failed_precondition'],
    [106, 'out_of_range'],
  ]);

  // A failed check: `check` is the stable name, `message` the C++ verifier's form
  // "check: where: what".
  class CheckFailure extends Error {
    constructor(check, where, what) {
      super(check + ': ' + where + ': ' + what);
      this.check = check;
    }
  }
  function fail(check, where, what) { throw new CheckFailure(check, where, what); }

  // ---------------- Strict JSON ----------------
  // JSON.parse cannot tell 5 from 5.0 or keep integers above 2^53, both of which the
  // C++ verifier distinguishes; this parser keeps each number's kind and exact value.
  class JsonNumber {
    constructor(kind, value) { this.kind = kind; this.value = value; }  // kind: 'u', 'i' or 'f'
  }
  const U64_MAX = (1n << 64n) - 1n;
  const I64_MIN = -(1n << 63n);
  const I64_MAX = (1n << 63n) - 1n;

  function parseJson(text) {
    let i = 0;
    const bad = () => { throw new CheckFailure('parse', 'text', 'not valid JSON'); };
    const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) ++i; };
    function value(depth) {
      if (depth > 512) bad();
      ws();
      const c = text[i];
      if (c === '{') return object(depth);
      if (c === '[') return array(depth);
      if (c === '"') return string();
      if (c === '-' || (c >= '0' && c <= '9')) return number();
      for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
        if (text.startsWith(word, i)) { i += word.length; return v; }
      }
      return bad();
    }
    function object(depth) {
      ++i;
      const out = new Map();
      ws();
      if (text[i] === '}') { ++i; return out; }
      for (;;) {
        ws();
        if (text[i] !== '"') bad();
        const key = string();
        ws();
        if (text[i] !== ':') bad();
        ++i;
        out.set(key, value(depth + 1));  // a repeated key: the last one stands, as in nlohmann::json
        ws();
        if (text[i] === ',') { ++i; continue; }
        if (text[i] === '}') { ++i; return out; }
        bad();
      }
    }
    function array(depth) {
      ++i;
      const out = [];
      ws();
      if (text[i] === ']') { ++i; return out; }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') { ++i; continue; }
        if (text[i] === ']') { ++i; return out; }
        bad();
      }
    }
    function string() {
      ++i;
      let out = '';
      for (;;) {
        if (i >= text.length) bad();
        const c = text[i++];
        if (c === '"') return out;
        if (c < ' ') bad();
        if (c !== '\\') { out += c; continue; }
        const e = text[i++];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; continue; }
        if (e !== 'u') bad();
        const unit = () => {
          const h = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) bad();
          i += 4;
          return parseInt(h, 16);
        };
        const u = unit();
        if (u >= 0xd800 && u <= 0xdbff) {
          if (text[i] !== '\\' || text[i + 1] !== 'u') bad();
          i += 2;
          const low = unit();
          if (low < 0xdc00 || low > 0xdfff) bad();
          out += String.fromCharCode(u, low);
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          bad();
        } else {
          out += String.fromCharCode(u);
        }
      }
    }
    function number() {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
      if (!m) bad();
      i += m[0].length;
      if (m[2] === undefined && m[3] === undefined) {
        const v = BigInt(m[0]);
        if (m[0][0] !== '-' && v <= U64_MAX) return new JsonNumber('u', v);
        if (m[0][0] === '-' && v >= I64_MIN) return new JsonNumber('i', v);
      }
      return new JsonNumber('f', Number(m[0]));
    }
    const out = value(0);
    ws();
    if (i !== text.length) bad();
    return out;
  }

  // Deep equality of parsed JSON values, numbers by value as nlohmann::json compares them.
  function jsonEqual(a, b) {
    if (a instanceof JsonNumber || b instanceof JsonNumber) {
      if (!(a instanceof JsonNumber && b instanceof JsonNumber)) return false;
      if (a.kind === 'f' || b.kind === 'f') return Number(a.value) === Number(b.value);
      return a.value === b.value;
    }
    if (a instanceof Map) {
      if (!(b instanceof Map) || a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !jsonEqual(v, b.get(k))) return false;
      return true;
    }
    if (Array.isArray(a)) {
      if (!Array.isArray(b) || a.length !== b.length) return false;
      return a.every((v, k) => jsonEqual(v, b[k]));
    }
    return a === b;
  }

  // ---------------- Bytes ----------------
  const encoder = new TextEncoder();
  const utf8 = (s) => encoder.encode(s);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const hexOf = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  function bytesOfHex(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let k = 0; k < out.length; ++k) out[k] = parseInt(hex.substr(2 * k, 2), 16);
    return out;
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const sameBytes = (a, b) => a.length === b.length && a.every((v, k) => v === b[k]);

  // Big-endian reader of the canonical encodings (common/bytes.h).
  class Reader {
    constructor(bytes) { this.bytes = bytes; this.at = 0; }
    need(n) { if (this.bytes.length - this.at < n) throw new Error('truncated at offset ' + this.at); }
    fixed(n) { this.need(n); const v = this.bytes.subarray(this.at, this.at + n); this.at += n; return v; }
    u8() { return this.fixed(1)[0]; }
    u16() { const b = this.fixed(2); return (b[0] << 8) | b[1]; }
    u32() { const b = this.fixed(4); return ((b[0] << 24) >>> 0) + ((b[1] << 16) | (b[2] << 8) | b[3]); }
    u64() { let v = 0n; for (const b of this.fixed(8)) v = (v << 8n) | BigInt(b); return v; }
    i64() { return BigInt.asIntN(64, this.u64()); }
    bytes_(max) {
      const n = this.u32();
      if (n > max) throw new Error('field of ' + n + ' bytes exceeds ' + max);
      return this.fixed(n);
    }
    string(max) { return new TextDecoder('utf-8').decode(this.bytes_(max)); }
    rawString(max) { return this.bytes_(max); }
    finish() { if (this.at !== this.bytes.length) throw new Error((this.bytes.length - this.at) + ' trailing bytes'); }
  }
  function u64Bytes(v) {
    const out = new Uint8Array(8);
    for (let k = 7; k >= 0; --k) { out[k] = Number(v & 0xffn); v >>= 8n; }
    return out;
  }
  const u32Bytes = (n) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  const strBytes = (s) => { const b = utf8(s); return concat(u32Bytes(b.length), b); };

  // ---------------- Crypto (WebCrypto only) ----------------
  const subtle = root.crypto.subtle;
  async function sha256(bytes) { return new Uint8Array(await subtle.digest('SHA-256', bytes)); }
  const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
  const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));
  async function ed25519Verify(publicKey, message, signature) {
    try {
      const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch (error) {
      return false;  // a key that is not a curve point verifies nothing
    }
  }

  // RFC 9162 §2.1.3.2; returns an error text or null.
  async function verifyInclusion(index, size, leaf, proof, rootHash) {
    if (index >= size) return 'leaf index ' + index + ' is not below tree size ' + size;
    let fn = index, sn = size - 1n, r = await leafHash(leaf);
    for (const p of proof) {
      if (sn === 0n) return 'the proof has more hashes than this index and size need';
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) return 'the proof has fewer hashes than this index and size need';
    if (!sameBytes(r, rootHash)) return 'the proof leads to another root';
    return null;
  }

  // ---------------- Bundle parsing (ledger/evidence_json.cc) ----------------
  function expectKeys(value, path, keys) {
    const here = path === '' ? 'bundle' : path;
    if (!(value instanceof Map)) fail('parse', here, 'expected an object');
    for (const key of keys) {
      if (!value.has(key)) {
        const where = path === '' ? key : path + '.' + key;
        // The C++ names the check after the message's start: a missing "format" is a format failure.
        fail(where.startsWith('format') ? 'format' : 'parse', where, 'missing');
      }
    }
    if (value.size !== keys.length) fail('parse', here, 'unknown key');
  }
  function getString(value, where, bytesMax, check = 'parse') {
    if (typeof value !== 'string') fail(check, where, 'expected a string');
    if (utf8(value).length > bytesMax) fail(check, where, 'longer than ' + bytesMax + ' bytes');
    return value;
  }
  function getU64(value, where) {
    if (!(value instanceof JsonNumber) || value.kind !== 'u') fail('parse', where, 'expected a non-negative integer');
    return value.value;
  }
  function getI64(value, where) {
    if (!(value instanceof JsonNumber) || value.kind === 'f' || value.value > I64_MAX) {
      fail('parse', where, 'expected a signed 64-bit integer');
    }
    return value.value;
  }
  function strictHex(value, where, bytesMax) {
    if (typeof value !== 'string') fail('parse', where, 'expected a hex string');
    if (value.length > 2 * bytesMax) fail('parse', where, 'longer than ' + bytesMax + ' bytes');
    if (!/^[0-9a-f]*$/.test(value)) fail('parse', where, 'not lower-case hex');
    if (value.length % 2 !== 0) fail('parse', where, 'odd number of hex digits');
    return bytesOfHex(value);
  }
  function strictDigest(value, where, n = 32) {
    const bytes = strictHex(value, where, n);
    if (bytes.length !== n) fail('parse', where, 'expected ' + 2 * n + ' hex characters');
    return bytes;
  }
  function getProof(value, where) {
    if (!Array.isArray(value)) fail('parse', where, 'expected an array');
    if (value.length > LIMITS.proofHashesMax) fail('parse', where, 'too many hashes');
    return value.map((h, k) => strictDigest(h, where + '[' + k + ']'));
  }
  const ID_RE = /^[a-z0-9._-]+$/;
  function validId(id, bytesMax) { return id.length > 0 && utf8(id).length <= bytesMax && ID_RE.test(id); }

  function parseRecord(value, where) {
    expectKeys(value, where, ['log_index', 'transaction', 'outcome', 'tx_proof', 'outcome_proof', 'block_header',
                              'block_proof']);
    return {
      logIndex: getU64(value.get('log_index'), where + '.log_index'),
      transaction: strictHex(value.get('transaction'), where + '.transaction',
                             LIMITS.bodyBytesMax + LIMITS.txEnvelopeBytesMax),
      outcome: strictHex(value.get('outcome'), where + '.outcome', LIMITS.outcomeBytesMax),
      txProof: getProof(value.get('tx_proof'), where + '.tx_proof'),
      outcomeProof: getProof(value.get('outcome_proof'), where + '.outcome_proof'),
      blockHeader: strictHex(value.get('block_header'), where + '.block_header', BLOCK_HEADER_BYTES),
      blockProof: getProof(value.get('block_proof'), where + '.block_proof'),
    };
  }
  function parseRecords(value, key, itemsMax) {
    if (!Array.isArray(value)) fail('parse', key, 'expected an array');
    if (value.length > itemsMax) fail('parse', key, 'more than ' + itemsMax + ' records');
    return value.map((r, k) => parseRecord(r, key + '[' + k + ']'));
  }
  function parseSubject(value) {
    if (!(value instanceof Map) || !value.has('kind')) fail('parse', 'subject', 'expected an object with a kind');
    const kind = getString(value.get('kind'), 'subject.kind', 32);
    if (kind === 'transaction') {
      expectKeys(value, 'subject', ['kind', 'tx_hash']);
      return { kind, txHash: strictDigest(value.get('tx_hash'), 'subject.tx_hash') };
    }
    if (kind === 'asset_access') {
      expectKeys(value, 'subject', ['kind', 'asset_id', 'from_ms', 'to_ms']);
      return {
        kind,
        assetId: getString(value.get('asset_id'), 'subject.asset_id', LIMITS.subjectIdBytesMax),
        fromMs: getI64(value.get('from_ms'), 'subject.from_ms'),
        toMs: getI64(value.get('to_ms'), 'subject.to_ms'),
      };
    }
    if (kind === 'dispute') {
      expectKeys(value, 'subject', ['kind', 'dispute_id']);
      return { kind, disputeId: getString(value.get('dispute_id'), 'subject.dispute_id', LIMITS.subjectIdBytesMax) };
    }
    return fail('parse', 'subject.kind', 'unknown kind (transaction, asset_access or dispute)');
  }
  function parseCheckpoint(value) {
    const keys = ['network_id', 'height', 'block_hash', 'block_time_ms', 'tx_log_size', 'tx_log_root',
                  'outcome_log_size', 'outcome_log_root', 'block_log_root', 'validator_set_id'];
    expectKeys(value, 'checkpoint.checkpoint', keys);
    const networkId = value.get('network_id');
    if (typeof networkId !== 'string' || !validId(networkId, LIMITS.networkIdBytesMax)) {
      fail('parse', 'checkpoint.network_id', 'not a network id');
    }
    const w = (k) => 'checkpoint.' + k;
    return {
      networkId,
      height: getU64(value.get('height'), w('height')),
      blockHash: strictDigest(value.get('block_hash'), w('block_hash')),
      blockTimeMs: getI64(value.get('block_time_ms'), w('block_time_ms')),
      txLogSize: getU64(value.get('tx_log_size'), w('tx_log_size')),
      txLogRoot: strictDigest(value.get('tx_log_root'), w('tx_log_root')),
      outcomeLogSize: getU64(value.get('outcome_log_size'), w('outcome_log_size')),
      outcomeLogRoot: strictDigest(value.get('outcome_log_root'), w('outcome_log_root')),
      blockLogRoot: strictDigest(value.get('block_log_root'), w('block_log_root')),
      validatorSetId: strictDigest(value.get('validator_set_id'), w('validator_set_id')),
    };
  }
  function parseCosigned(value) {
    expectKeys(value, 'checkpoint', ['checkpoint', 'signatures']);
    const checkpoint = parseCheckpoint(value.get('checkpoint'));
    const list = value.get('signatures');
    if (!Array.isArray(list)) fail('parse', 'checkpoint.signatures', 'expected an array');
    if (list.length > LIMITS.signaturesMax) fail('parse', 'checkpoint.signatures', 'too many');
    const signatures = list.map((s, k) => {
      const where = 'checkpoint.signatures[' + k + ']';
      expectKeys(s, where, ['node_id', 'signature']);
      return { nodeId: getU64(s.get('node_id'), where + '.node_id'),
               signature: strictDigest(s.get('signature'), where + '.signature', 64) };
    });
    return { checkpoint, signatures };
  }
  function parseBundle(value) {
    expectKeys(value, '', ['format', 'network_id', 'genesis_hash', 'subject', 'checkpoint', 'validator_history',
                           'records']);
    const format = getString(value.get('format'), 'format', 64, 'format');
    if (format !== FORMAT) fail('format', 'format', 'not ' + FORMAT);
    return {
      networkId: getString(value.get('network_id'), 'network_id', LIMITS.networkIdBytesMax),
      genesisHash: strictDigest(value.get('genesis_hash'), 'genesis_hash'),
      subject: parseSubject(value.get('subject')),
      checkpoint: parseCosigned(value.get('checkpoint')),
      validatorHistory: parseRecords(value.get('validator_history'), 'validator_history',
                                     LIMITS.validatorHistoryMax),
      records: parseRecords(value.get('records'), 'records', LIMITS.recordsMax),
    };
  }

  // The JSON the C++ ToJson writes for a parsed bundle, for the `canonical` check.
  function bundleToJson(b) {
    const num = (kind, v) => new JsonNumber(kind, v);
    const i64 = (v) => num(v < 0n ? 'i' : 'u', v);
    const proof = (p) => p.map(hexOf);
    const record = (r) => new Map([
      ['log_index', num('u', r.logIndex)], ['transaction', hexOf(r.transaction)], ['outcome', hexOf(r.outcome)],
      ['tx_proof', proof(r.txProof)], ['outcome_proof', proof(r.outcomeProof)],
      ['block_header', hexOf(r.blockHeader)], ['block_proof', proof(r.blockProof)]]);
    const s = b.subject;
    const subject = s.kind === 'transaction' ? new Map([['kind', s.kind], ['tx_hash', hexOf(s.txHash)]])
      : s.kind === 'asset_access'
        ? new Map([['kind', s.kind], ['asset_id', s.assetId], ['from_ms', i64(s.fromMs)], ['to_ms', i64(s.toMs)]])
        : new Map([['kind', s.kind], ['dispute_id', s.disputeId]]);
    const c = b.checkpoint.checkpoint;
    const checkpoint = new Map([
      ['network_id', c.networkId], ['height', num('u', c.height)], ['block_hash', hexOf(c.blockHash)],
      ['block_time_ms', i64(c.blockTimeMs)], ['tx_log_size', num('u', c.txLogSize)],
      ['tx_log_root', hexOf(c.txLogRoot)], ['outcome_log_size', num('u', c.outcomeLogSize)],
      ['outcome_log_root', hexOf(c.outcomeLogRoot)], ['block_log_root', hexOf(c.blockLogRoot)],
      ['validator_set_id', hexOf(c.validatorSetId)]]);
    const signatures = b.checkpoint.signatures.map(
      (x) => new Map([['node_id', num('u', x.nodeId)], ['signature', hexOf(x.signature)]]));
    return new Map([
      ['format', FORMAT], ['network_id', b.networkId], ['genesis_hash', hexOf(b.genesisHash)],
      ['subject', subject], ['checkpoint', new Map([['checkpoint', checkpoint], ['signatures', signatures]])],
      ['validator_history', b.validatorHistory.map(record)], ['records', b.records.map(record)]]);
  }

  // ---------------- Canonical decoders (docs/encoding.md) ----------------
  function decodeTransaction(bytes) {
    const r = new Reader(bytes);
    const type = r.u16();
    if (!TX_TYPES.has(type)) throw new Error('transaction.type: unknown type ' + type);
    const version = r.u16();
    if (version !== 1 && version !== 2) throw new Error('transaction.version: unsupported version ' + version);
    const id = (field, max) => {
      const raw = r.rawString(max);
      let text;
      try { text = decoder.decode(raw); } catch (e) { throw new Error('transaction.' + field + ': invalid UTF-8'); }
      if (!validId(text, max)) throw new Error('transaction.' + field + ': not in [a-z0-9._-]');
      return text;
    };
    const networkId = id('network_id', LIMITS.networkIdBytesMax);
    const sender = id('sender', LIMITS.accountIdBytesMax);
    const clientTimeMs = r.i64();
    const nonce = r.u64();
    const body = r.bytes_(LIMITS.bodyBytesMax);
    const unsignedEnd = r.at;
    const signature = r.fixed(64);
    r.finish();
    return { type, typeName: TX_TYPES.get(type), version, networkId, sender, clientTimeMs, nonce, body,
             signature, unsigned: bytes.subarray(0, unsignedEnd) };
  }
  function decodeOutcome(bytes) {
    const r = new Reader(bytes);
    if (decoder.decode(r.fixed(TAG.outcome.length)) !== TAG.outcome) throw new Error('outcome: wrong domain tag');
    const txHash = r.fixed(32);
    const code = r.u16();
    if (!OUTCOME_CODES.has(code)) throw new Error('outcome.code: unknown value ' + code);
    const message = r.string(LIMITS.outcomeTextBytesMax);
    const count = r.u32();
    if (count > LIMITS.outcomeNotesMax) throw new Error('outcome.notes: too many');
    const notes = [];
    for (let k = 0; k < count; ++k) notes.push(r.string(LIMITS.outcomeTextBytesMax));
    r.finish();
    return { txHash, code, codeName: OUTCOME_CODES.get(code), accepted: code === 0, message, notes };
  }
  function decodeHeader(bytes) {
    const r = new Reader(bytes);
    let tag = '';
    try { tag = decoder.decode(r.fixed(TAG.block.length)); } catch (e) { /* not the tag */ }
    if (tag !== TAG.block) throw new Error('block header: wrong domain tag');
    const header = {
      height: r.u64(), previousHash: r.fixed(32), timeMs: r.i64(), proposer: r.u64(), txCount: BigInt(r.u32()),
      txLogSize: r.u64(), txLogRoot: r.fixed(32),
    };
    r.finish();
    return header;
  }
  function checkpointBytes(c) {
    return concat(utf8(TAG.checkpoint), strBytes(c.networkId), u64Bytes(c.height), c.blockHash,
                  u64Bytes(BigInt.asUintN(64, c.blockTimeMs)), u64Bytes(c.txLogSize), c.txLogRoot,
                  u64Bytes(c.outcomeLogSize), c.outcomeLogRoot, c.blockLogRoot, c.validatorSetId);
  }
  function signingBytes(tx, genesisHash) {
    return tx.version === 1 ? concat(utf8(TAG.txV1), tx.unsigned) : concat(utf8(TAG.txV2), genesisHash, tx.unsigned);
  }

  // ---------------- The genesis file ----------------
  // The page takes the genesis in its canonical binary encoding (docs/genesis.md),
  // whose hash is the network's identity; it decodes the fields a bundle needs
  // (network, accounts, validators) and hashes every byte.
  async function loadGenesis(bytes) {
    // The encoding starts with a u32 length (a zero byte); the JSON form with '{'.
    if (bytes[0] === 0x7b) {
      throw new Error('this is the JSON genesis file; write its canonical encoding with ' +
                      '"shulian genesis check genesis.json --out genesis.bin" and choose that');
    }
    const r = new Reader(bytes);
    const g = { networkId: r.string(64), timeMs: r.i64(), accounts: [], validators: [] };
    r.i64(); r.i64(); r.u32(); r.u64();
    const big = 1 << 20;
    for (let n = r.u32(), k = 0; k < n; ++k) { r.string(big); r.string(big); r.u8(); r.string(big); }
    for (let n = r.u32(), k = 0; k < n; ++k) {
      const id = r.string(big), authority = r.string(big);
      const roles = Array.from(r.fixed(r.u8()));
      const publicKey = r.fixed(32);
      g.accounts.push({ id, authority, roles, publicKey, name: r.string(big) });
    }
    for (let n = r.u32(), k = 0; k < n; ++k) {
      g.validators.push({ nodeId: r.u64(), name: r.string(big), authority: r.string(big), publicKey: r.fixed(32) });
    }
    g.hash = await sha256(concat(utf8(TAG.genesis), bytes));
    return g;
  }

  // ---------------- Validator sets ----------------
  function setFromGenesis(genesis) {
    const members = genesis.validators.map((v) => ({ nodeId: v.nodeId, key: v.publicKey }));
    members.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
    for (let k = 1; k < members.length; ++k) {
      if (members[k].nodeId === members[k - 1].nodeId) fail('validator_history', 'genesis', 'repeated node id');
    }
    return members;
  }
  const setId = (members) => sha256(concat(utf8(TAG.validatorSet), u32Bytes(members.length),
                                           ...members.map((m) => concat(u64Bytes(m.nodeId), m.key))));
  const quorum = (members) => Math.floor(members.length / 2) + 1;
  const JSON_INTEGER_MAX = (1n << 53n) - 1n;  // kJsonIntegerMax, the range of a node id
  const VALIDATOR_CHANGES = new Set(['add_validator', 'remove_validator', 'rotate_validator_key']);
  // The body of rotate_validator_key as RotateValidatorKeyBody::Decode reads it: u64
  // node id in [1, 2^53-1], 32-byte new key, 64-byte proof, nothing after. Like
  // ValidatorSet::Apply, the fold does not check the proof: the ledger checked it
  // before accepting the change, and the checkpoint commits to that outcome.
  function decodeRotateValidatorKey(body) {
    const r = new Reader(body);
    const nodeId = r.u64();
    if (nodeId < 1n || nodeId > JSON_INTEGER_MAX) {
      throw new Error('body.node_id: ' + nodeId + ' is outside [1, ' + JSON_INTEGER_MAX + ']');
    }
    const key = r.fixed(32);
    r.fixed(64);
    r.finish();
    return { nodeId, key };
  }
  function applyChange(members, tx) {
    if (tx.typeName === 'rotate_validator_key') {
      let body;
      try { body = decodeRotateValidatorKey(tx.body); } catch (error) {
        throw new Error('rotate_validator_key body: ' + error.message);
      }
      const member = members.find((m) => m.nodeId === body.nodeId);
      if (!member) throw new Error('rotate_validator_key: validator node ' + body.nodeId + ' is not a member');
      member.key = body.key;  // same node id, so the set stays sorted
      return;
    }
    const r = new Reader(tx.body);
    const nodeId = r.u64();
    const at = members.findIndex((m) => m.nodeId === nodeId);
    if (tx.typeName === 'add_validator') {
      r.string(1 << 16); r.string(1 << 16);
      const key = r.fixed(32);
      r.finish();
      if (at >= 0) throw new Error('validator node ' + nodeId + ' is already a member');
      members.push({ nodeId, key });
      members.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    } else {
      r.string(1 << 16);
      r.finish();
      if (at < 0) throw new Error('validator node ' + nodeId + ' is not a member');
      members.splice(at, 1);
    }
  }

  // ---------------- The checks (ledger/evidence_verify.cc) ----------------
  const whereOf = (list, k, logIndex) => list + '[' + k + '] (log index ' + logIndex + ')';

  async function verifyRecord(record, cp, genesis, where) {
    let tx, outcome, header;
    try {
      tx = decodeTransaction(record.transaction);
      outcome = decodeOutcome(record.outcome);
      header = decodeHeader(record.blockHeader);
    } catch (error) {
      if (error instanceof CheckFailure) throw error;
      fail('record.decode', where, error.message);
    }
    if (tx.networkId !== genesis.networkId) fail('record.network', where, 'transaction of another network');
    const txHash = await sha256(record.transaction);
    if (!sameBytes(outcome.txHash, txHash)) fail('record.outcome_hash', where, 'the outcome is for another transaction');
    let error = await verifyInclusion(record.logIndex, cp.txLogSize, record.transaction, record.txProof, cp.txLogRoot);
    if (error) fail('record.tx_proof', where, error);
    error = await verifyInclusion(record.logIndex, cp.outcomeLogSize, record.outcome, record.outcomeProof,
                                  cp.outcomeLogRoot);
    if (error) fail('record.outcome_proof', where, error);
    if (header.height === 0n || header.height > cp.height) {
      fail('record.block_height', where, 'block ' + header.height + ' is not in 1..' + cp.height);
    }
    error = await verifyInclusion(header.height - 1n, cp.height, record.blockHeader, record.blockProof,
                                  cp.blockLogRoot);
    if (error) fail('record.block_proof', where, error);
    if (header.txCount > header.txLogSize || record.logIndex < header.txLogSize - header.txCount ||
        record.logIndex >= header.txLogSize) {
      fail('record.block_range', where, 'log index ' + record.logIndex + ' is not among block ' + header.height +
           "'s transactions");
    }
    if (header.height === cp.height && !sameBytes(await sha256(record.blockHeader), cp.blockHash)) {
      fail('record.block_checkpoint', where, "the checkpoint's block hash differs from this header's");
    }
    if (header.timeMs > cp.blockTimeMs) fail('record.block_checkpoint', where, "block time after the checkpoint's");
    const account = genesis.accounts.find((a) => a.id === tx.sender);
    return { logIndex: record.logIndex, txHash, tx, outcome, block: header, senderInGenesis: !!account,
             senderAuthority: account ? account.authority : null, senderSignatureVerified: false };
  }

  function readBodyPrefix(body, read) {
    try { return read(new Reader(body)); } catch (e) { return null; }
  }
  const readId = (r) => r.string(1 << 16);
  function checkSubject(subject, records) {
    if (subject.kind === 'transaction') {
      if (records.length !== 1) fail('subject', 'records', 'a transaction bundle holds exactly one record');
      if (!sameBytes(records[0].txHash, subject.txHash)) fail('subject', 'records[0]', 'not the transaction asked for');
      return;
    }
    if (subject.kind === 'asset_access') {
      if (subject.fromMs >= subject.toMs) fail('subject', 'subject', 'from_ms must be before to_ms');
      records.forEach((rec, k) => {
        const where = whereOf('records', k, rec.logIndex);
        if (rec.tx.typeName !== 'record_access') fail('subject', where, 'not a record_access');
        const asset = readBodyPrefix(rec.tx.body, (r) => { if (r.u8()) readId(r); return readId(r); });
        if (asset === null) fail('subject', where, 'body does not decode');
        if (asset !== subject.assetId) fail('subject', where, 'an access to another asset');
        if (rec.block.timeMs < subject.fromMs || rec.block.timeMs >= subject.toMs) {
          fail('subject', where, 'block time outside [from_ms, to_ms)');
        }
      });
      return;
    }
    let opening = null;
    const refs = new Set();
    for (const rec of records) {
      if (rec.tx.typeName !== 'open_dispute' || !rec.outcome.accepted) continue;
      const body = readBodyPrefix(rec.tx.body, (r) => {
        const id = readId(r);
        readId(r);
        const list = [];
        for (let n = r.u32(), k = 0; k < n; ++k) list.push(hexOf(r.fixed(32)));
        return { id, list };
      });
      if (body && body.id === subject.disputeId) {
        if (opening) fail('subject', 'records', 'two accepted openings of one dispute');
        opening = rec;
        body.list.forEach((h) => refs.add(h));
      }
    }
    if (!opening) fail('subject', 'records', 'no accepted open_dispute of this dispute');
    records.forEach((rec, k) => {
      if (rec === opening || refs.has(hexOf(rec.txHash))) return;
      if (rec.tx.typeName === 'close_dispute' && readBodyPrefix(rec.tx.body, readId) === subject.disputeId) return;
      fail('subject', whereOf('records', k, rec.logIndex), 'neither the dispute\'s nor referenced by it');
    });
  }

  async function checkHistorySigner(tx, genesis, where) {
    const sender = genesis.accounts.find((a) => a.id === tx.sender);
    if (!sender) fail('validator_history_signer', where, 'the sender is not a genesis account');
    if (!(await ed25519Verify(sender.publicKey, signingBytes(tx, genesis.hash), tx.signature))) {
      fail('validator_history_signer', where, 'the transaction is not signed with the sender\'s genesis key');
    }
    if (!sender.roles.includes(ROLE_OPERATOR)) {
      fail('validator_history_operator', where, 'the sender does not hold the operator role in the genesis file');
    }
  }

  async function foldValidatorHistory(bundle, genesis) {
    const members = setFromGenesis(genesis);
    const cp = bundle.checkpoint.checkpoint;
    for (let k = 0; k < bundle.validatorHistory.length; ++k) {
      const record = bundle.validatorHistory[k];
      const where = whereOf('validator_history', k, record.logIndex);
      if (k > 0 && record.logIndex <= bundle.validatorHistory[k - 1].logIndex) {
        fail('validator_history', where, 'log indexes must strictly increase');
      }
      const change = await verifyRecord(record, cp, genesis, where);
      if (!VALIDATOR_CHANGES.has(change.tx.typeName)) fail('validator_history', where, 'not a membership change');
      if (!change.outcome.accepted) fail('validator_history', where, 'the change was not accepted');
      await checkHistorySigner(change.tx, genesis, where);
      try { applyChange(members, change.tx); } catch (error) { fail('validator_history', where, error.message); }
    }
    if (!sameBytes(await setId(members), cp.validatorSetId)) {
      fail('validator_history', 'checkpoint.validator_set_id',
           'the set folded from genesis is not the checkpoint\'s (a change is missing or extra)');
    }
    return members;
  }

  async function verifyCosigned(cosigned, members) {
    const bytes = checkpointBytes(cosigned.checkpoint);
    const sigs = cosigned.signatures;
    for (let k = 0; k < sigs.length; ++k) {
      if (k > 0 && sigs[k].nodeId <= sigs[k - 1].nodeId) return 'signers are not strictly increasing by node id';
      const member = members.find((m) => m.nodeId === sigs[k].nodeId);
      if (!member) return 'signer ' + sigs[k].nodeId + ' is not in the validator set';
      if (!(await ed25519Verify(member.key, bytes, sigs[k].signature))) {
        return 'the signature of validator ' + sigs[k].nodeId + ' does not verify';
      }
    }
    if (sigs.length < quorum(members)) return 'quorum not reached';
    return null;
  }

  async function verifyParsed(bundle, genesis) {
    const cp = bundle.checkpoint.checkpoint;
    if (!sameBytes(bundle.genesisHash, genesis.hash)) fail('genesis', 'genesis_hash', "not this genesis file's");
    if (bundle.networkId !== genesis.networkId) fail('genesis', 'network_id', "not this genesis file's");
    if (cp.networkId !== genesis.networkId) fail('genesis', 'checkpoint.network_id', "not this genesis file's");
    if (cp.outcomeLogSize !== cp.txLogSize) {
      fail('checkpoint_sizes', 'checkpoint', 'outcome log size differs from the transaction log size');
    }
    const records = [];
    for (let k = 0; k < bundle.records.length; ++k) {
      const record = bundle.records[k];
      const where = whereOf('records', k, record.logIndex);
      if (k > 0 && record.logIndex <= bundle.records[k - 1].logIndex) {
        fail('record.order', where, 'log indexes must strictly increase');
      }
      records.push(await verifyRecord(record, cp, genesis, where));
    }
    checkSubject(bundle.subject, records);
    const members = await foldValidatorHistory(bundle, genesis);
    const cosigned = await verifyCosigned(bundle.checkpoint, members);
    if (cosigned) fail('checkpoint_signatures', 'checkpoint', cosigned);
    for (const rec of records) {
      const account = genesis.accounts.find((a) => a.id === rec.tx.sender);
      if (account) {
        rec.senderSignatureVerified = await ed25519Verify(account.publicKey, signingBytes(rec.tx, genesis.hash),
                                                          rec.tx.signature);
      }
    }
    return { subject: bundle.subject, checkpoint: cp, signers: bundle.checkpoint.signatures.map((s) => s.nodeId),
             members, quorum: quorum(members), validatorChanges: bundle.validatorHistory.length, records };
  }

  // ---------------- Consistency between checkpoints ----------------
  // RFC 9162 §2.1.4.2, as crypto::VerifyMerkleConsistency (crypto/merkle.cc), with
  // its messages; returns an error text or null.
  const hashMismatch = (what, computed, expected) =>
    what + ': computed ' + hexOf(computed) + ', expected ' + hexOf(expected);
  async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
    if (oldSize > newSize) return 'consistency proof: old_size ' + oldSize + ' exceeds new_size ' + newSize;
    if (oldSize === newSize || oldSize === 0n) {
      // No proof exists for these sizes: accept exactly an empty one with the roots it implies.
      if (proof.length !== 0) {
        return 'consistency proof for old_size ' + oldSize + ' and new_size ' + newSize + ' must be empty, has ' +
          proof.length + ' hashes';
      }
      const empty = await sha256(new Uint8Array(0));
      if (oldSize === 0n && !sameBytes(oldRoot, empty)) return hashMismatch('old root of the empty tree', oldRoot, empty);
      if (oldSize === newSize && !sameBytes(oldRoot, newRoot)) {
        return hashMismatch('roots of equal-size trees', newRoot, oldRoot);
      }
      return null;
    }
    if (proof.length === 0) return 'consistency proof is empty';
    // A power-of-two old tree is itself a node of the new tree.
    const path = (oldSize & (oldSize - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
    let fn = oldSize - 1n, sn = newSize - 1n;
    while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
    let fr = path[0], sr = path[0];
    for (let k = 1; k < path.length; ++k) {
      const c = path[k];
      if (sn === 0n) return 'consistency proof has more hashes (' + proof.length + ') than these sizes need';
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) return 'consistency proof has fewer hashes (' + proof.length + ') than these sizes need';
    if (!sameBytes(fr, oldRoot)) return hashMismatch('consistency proof old root', fr, oldRoot);
    if (!sameBytes(sr, newRoot)) return hashMismatch('consistency proof new root', sr, newRoot);
    return null;
  }

  // As ledger::VerifyCheckpointConsistency: the three logs' proofs between two
  // checkpoints (parsed as parseCheckpoint does); an error text, or null.
  async function verifyCheckpointConsistency(c) {
    const from = c.from, to = c.to;
    if (from.networkId !== to.networkId) {
      return 'consistency: checkpoints of networks ' + from.networkId + ' and ' + to.networkId;
    }
    if (from.height > to.height) return 'consistency: from height ' + from.height + ' is above to height ' + to.height;
    if (from.height === to.height && !sameBytes(from.blockHash, to.blockHash)) {
      return 'consistency: two different blocks at height ' + from.height;
    }
    const logs = [['transaction log', from.txLogSize, to.txLogSize, from.txLogRoot, to.txLogRoot, c.txProof],
                  ['outcome log', from.outcomeLogSize, to.outcomeLogSize, from.outcomeLogRoot, to.outcomeLogRoot,
                   c.outcomeProof],
                  ['block log', from.height, to.height, from.blockLogRoot, to.blockLogRoot, c.blockProof]];
    for (const [name, oldSize, newSize, oldRoot, newRoot, proof] of logs) {
      const error = await verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
      if (error) return 'consistency: ' + name + ': ' + error;
    }
    return null;
  }
  function parseConsistencyProofs(value) {
    expectKeys(value, 'proofs', ['from', 'to', 'tx_proof', 'outcome_proof', 'block_proof']);
    return { from: parseCheckpoint(value.get('from')), to: parseCheckpoint(value.get('to')),
             txProof: getProof(value.get('tx_proof'), 'proofs.tx_proof'),
             outcomeProof: getProof(value.get('outcome_proof'), 'proofs.outcome_proof'),
             blockProof: getProof(value.get('block_proof'), 'proofs.block_proof') };
  }
  const sameCheckpoint = (a, b) => Object.keys(a).every((k) =>
    (a[k] instanceof Uint8Array ? sameBytes(a[k], b[k]) : a[k] === b[k]));

  // Checks an answer of GET /v1/proofs/consistency offline, in the order of the
  // CLI's `shulian consistency --genesis` (VerifyConsistencyAnswer): the two
  // cosigned checkpoints and the proofs parse, the proofs are between those two,
  // both name the genesis network, the three logs are consistent, and each
  // checkpoint's signatures verify when the genesis validator set signed it (a later
  // set needs the membership history a bundle carries, so it is "not checked").
  // Resolves to {ok: true, verified} or {ok: false, check, message}; never rejects.
  async function verifyConsistencyAnswer(answerText, genesisBytes) {
    let genesis;
    try {
      genesis = await loadGenesis(genesisBytes);
    } catch (error) {
      return { ok: false, check: 'genesis_file', message: 'genesis_file: not a canonical genesis encoding: ' +
               error.message };
    }
    const failed = (message) => ({ ok: false, check: message.slice(0, message.indexOf(':')), message });
    let answer, from, to, proofs;
    try {
      answer = parseJson(answerText);
      if (!(answer instanceof Map)) throw new CheckFailure('parse', 'answer', 'expected an object');
    } catch (error) {
      return failed('format: ' + String(error.message));
    }
    for (const [name, read] of [['from', () => { from = parseCosigned(answer.get('from')); }],
                                ['to', () => { to = parseCosigned(answer.get('to')); }],
                                ['proofs', () => { proofs = parseConsistencyProofs(answer.get('proofs')); }]]) {
      try { read(); } catch (error) {
        if (!(error instanceof CheckFailure)) throw error;
        return failed('format: ' + name + ': ' + error.message);
      }
    }
    if (!sameCheckpoint(proofs.from, from.checkpoint) || !sameCheckpoint(proofs.to, to.checkpoint)) {
      return failed('checkpoints: the proofs are not between the two cosigned checkpoints given');
    }
    for (const cosigned of [from, to]) {
      if (cosigned.checkpoint.networkId !== genesis.networkId) {
        return failed("genesis: checkpoint network '" + cosigned.checkpoint.networkId +
                      "' is not the genesis network '" + genesis.networkId + "'");
      }
    }
    const inconsistent = await verifyCheckpointConsistency(proofs);
    if (inconsistent) return failed('consistency: ' + inconsistent);
    let members;
    try { members = setFromGenesis(genesis); } catch (error) { return failed(error.message); }
    const genesisSetId = await setId(members);
    const signatures = {};
    for (const [name, cosigned] of [['from', from], ['to', to]]) {
      if (!sameBytes(cosigned.checkpoint.validatorSetId, genesisSetId)) {
        signatures[name] = { checked: false, signers: cosigned.signatures.map((s) => s.nodeId) };
        continue;
      }
      const error = await verifyCosigned(cosigned, members);
      if (error) return failed('checkpoint_signatures: ' + name + ': ' + error);
      signatures[name] = { checked: true, signers: cosigned.signatures.map((s) => s.nodeId), of: members.length };
    }
    return { ok: true, verified: { from: from.checkpoint, to: to.checkpoint, signatures } };
  }

  // Verifies bundle text against genesis bytes. Resolves to {ok: true, verified}
  // or {ok: false, check, message}; never rejects.
  async function verify(bundleText, genesisBytes) {
    let genesis;
    try {
      genesis = await loadGenesis(genesisBytes);
    } catch (error) {
      return { ok: false, check: 'genesis_file', message: 'genesis_file: not a canonical genesis encoding: ' +
               error.message };
    }
    try {
      if (utf8(bundleText).length > LIMITS.bundleTextBytesMax) fail('parse', 'text', 'bundle too large');
      const json = parseJson(bundleText);
      const bundle = parseBundle(json);
      if (!jsonEqual(bundleToJson(bundle), json)) {
        fail('canonical', 'bundle', 'the bundle is not in canonical form (hex case, key set or number form)');
      }
      return { ok: true, verified: await verifyParsed(bundle, genesis), genesis };
    } catch (error) {
      if (error instanceof CheckFailure) return { ok: false, check: error.check, message: error.message };
      return { ok: false, check: 'internal', message: 'internal: ' + String(error && error.message) };
    }
  }

  // Bundle bytes (a file) are UTF-8; text that is not is refused like non-JSON.
  async function verifyBytes(bundleBytes, genesisBytes) {
    let text;
    try { text = decoder.decode(bundleBytes); } catch (e) {
      return { ok: false, check: 'parse', message: 'parse: the bundle is not UTF-8 text' };
    }
    return verify(text, genesisBytes);
  }

  // The consistency checks, for the court's page and the agreement tests:
  // verifyCheckpointConsistency takes {from, to, txProof, outcomeProof, blockProof}.
  async function checkpointConsistencyOfJson(text) {
    try {
      return await verifyCheckpointConsistency(parseConsistencyProofs(parseJson(text)));
    } catch (error) {
      if (error instanceof CheckFailure) return 'format: ' + error.message;
      throw error;
    }
  }
  root.ShulianVerifier = { verify, verifyBytes, verifyConsistencyAnswer, checkpointConsistencyOfJson, hexOf,
                           bytesOfHex };
})(globalThis);
