// The byte encoding of common/bytes.h, for what the console builds and signs:
// integers big-endian, `str` and `bytes` u32-length-prefixed, digests 32 raw
// bytes. A classic script (no build step, works from a saved file); it defines
// globalThis.ShulianCodec and nothing else.
(function (root) {
  'use strict';
  const U64_MAX = (1n << 64n) - 1n;
  const I64_MIN = -(1n << 63n);
  const I64_MAX = (1n << 63n) - 1n;

  function hex(bytes) {
    let out = '';
    for (const b of bytes) out += b.toString(16).padStart(2, '0');
    return out;
  }

  // Lower-case hex only, as the ledger writes it; `what` names the field in the error.
  function unhex(text, what, length) {
    if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text))
      throw new Error(what + ': not lower-case hex');
    const bytes = new Uint8Array(text.length / 2);
    for (let i = 0; i < bytes.length; ++i) bytes[i] = parseInt(text.substr(2 * i, 2), 16);
    if (length !== undefined && bytes.length !== length)
      throw new Error(what + ': ' + length + ' bytes expected, ' + bytes.length + ' given');
    return bytes;
  }

  function integer(value, what, min, max) {
    let n;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && /^(0|-?[1-9][0-9]*)$/.test(value)) n = BigInt(value);
    else throw new Error(what + ': not an integer');
    if (n < min || n > max) throw new Error(what + ': out of range');
    return n;
  }

  class Writer {
    constructor() { this.parts = []; this.size = 0; }
    raw(bytes) { this.parts.push(bytes); this.size += bytes.length; return this; }
    fixed(value, bytes, what, min, max) {
      let n = integer(value, what, min, max);
      if (n < 0n) n += 1n << BigInt(8 * bytes);
      const out = new Uint8Array(bytes);
      for (let i = bytes - 1; i >= 0; --i) { out[i] = Number(n & 0xffn); n >>= 8n; }
      return this.raw(out);
    }
    u8(v, what) { return this.fixed(v, 1, what || 'u8', 0n, 255n); }
    u16(v, what) { return this.fixed(v, 2, what || 'u16', 0n, 65535n); }
    u32(v, what) { return this.fixed(v, 4, what || 'u32', 0n, 4294967295n); }
    u64(v, what) { return this.fixed(v, 8, what || 'u64', 0n, U64_MAX); }
    i64(v, what) { return this.fixed(v, 8, what || 'i64', I64_MIN, I64_MAX); }
    bool(v, what) {
      if (typeof v !== 'boolean') throw new Error(what + ': not a boolean');
      return this.u8(v ? 1 : 0, what);
    }
    bytes(bytes) { this.u32(bytes.length); return this.raw(bytes); }
    str(text, what) {
      if (typeof text !== 'string') throw new Error(what + ': not a string');
      return this.bytes(new TextEncoder().encode(text));
    }
    finish() {
      const out = new Uint8Array(this.size);
      let at = 0;
      for (const part of this.parts) { out.set(part, at); at += part.length; }
      return out;
    }
  }

  async function sha256(bytes) {
    return new Uint8Array(await root.crypto.subtle.digest('SHA-256', bytes));
  }

  function concat(...arrays) {
    const w = new Writer();
    for (const a of arrays) w.raw(a);
    return w.finish();
  }

  root.ShulianCodec = { Writer, hex, unhex, sha256, concat, utf8: (s) => new TextEncoder().encode(s) };
})(globalThis);
