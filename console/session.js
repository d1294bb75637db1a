// Signing in: the account key file (the CLI's format, crypto/keys.cc: the line
// "shulian-ed25519-secret-v1" and the 32-byte seed in hex) is read into a WebCrypto
// Ed25519 key that is not extractable, held in this page's memory only: never sent,
// never written to any storage. Signing out drops it. Every /v1 request is signed
// as the CLI signs it (api/request_auth.h, signed requests v2). A classic script
// defining globalThis.ShulianSession.
(function (root) {
  'use strict';
  const C = root.ShulianCodec;
  const KEY_FILE_HEADER = 'shulian-ed25519-secret-v1';
  const KEY_FILE_BYTES_MAX = 4096;
  const REQUEST_TAG = 'shulian/request/v2';
  // PKCS #8 for an Ed25519 private key (RFC 8410): this prefix, then the seed.
  const PKCS8_PREFIX = C.unhex('302e020100300506032b657004220420', 'pkcs8');

  // {account, authority, roles, name, key, binding: {network_id, node_id, genesis_hash}}
  let current = null;
  let lastTimeMs = 0;

  // The seed of a key file's text; throws a message in words for anything else.
  function parseKeyFile(text) {
    if (typeof text !== 'string' || text.length > KEY_FILE_BYTES_MAX) throw new Error('key_file_size');
    const lines = text.split('\n');
    if (lines[0] !== KEY_FILE_HEADER) throw new Error('key_file_header');
    if (!/^[0-9a-f]{64}$/.test(lines[1] || '') || lines.slice(2).some((l) => l !== ''))
      throw new Error('key_file_seed');
    return C.unhex(lines[1], 'seed', 32);
  }

  async function importSeed(seed) {
    const pkcs8 = C.concat(PKCS8_PREFIX, seed);
    try {
      return await root.crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    } finally {
      pkcs8.fill(0);
      seed.fill(0);
    }
  }

  async function sign(bytes) {
    if (!current) throw new Error('signed_out');
    return new Uint8Array(await root.crypto.subtle.sign({ name: 'Ed25519' }, current.key, bytes));
  }

  // Strictly increasing, like the CLI's clock (api/client.cc): two requests in one
  // millisecond never share a signature.
  function nextTimeMs() {
    lastTimeMs = Math.max(Date.now(), lastTimeMs + 1);
    return lastTimeMs;
  }

  async function requestSigningBytes(binding, account, method, target, timeMs, body) {
    const w = new C.Writer();
    w.raw(C.utf8(REQUEST_TAG)).str(binding.network_id, 'network_id').u64(binding.node_id, 'node_id');
    w.str(account, 'account').str(method, 'method').str(target, 'target').i64(timeMs, 'time_ms');
    w.raw(await C.sha256(body));
    return w.finish();
  }

  // fetch() of this origin, signed when signed in. `target` is the path and query
  // exactly as sent; `body` a string (JSON) or undefined.
  async function signedFetch(method, target, body) {
    const headers = {};
    const bytes = C.utf8(body || '');
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (current) {
      const timeMs = nextTimeMs();
      const signature = await sign(
        await requestSigningBytes(current.binding, current.account, method, target, timeMs, bytes));
      headers['X-Shulian-Network'] = current.binding.network_id;
      headers['X-Shulian-Node'] = String(current.binding.node_id);
      headers['X-Shulian-Account'] = current.account;
      headers['X-Shulian-Time'] = String(timeMs);
      headers['X-Shulian-Signature'] = C.hex(signature);
    }
    return root.fetch(target, { method, headers, body, cache: 'no-store' });
  }

  async function status() {
    const response = await root.fetch('/v1/status', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  // Reads the key, learns the binding from GET /v1/status, and proves the pair with
  // one signed `account` query for the account itself, whose answer names its
  // authority and roles: a wrong key is refused there (401), and nothing is kept.
  async function signIn(account, keyText) {
    signOut();
    const key = await importSeed(parseKeyFile(keyText));
    const s = await status();
    const pending = { account, authority: null, roles: [], name: '', key,
                      binding: { network_id: s.network_id, node_id: s.node_id, genesis_hash: s.genesis_hash } };
    current = pending;
    let answer;
    try {
      const response = await signedFetch('GET', '/v1/query/account?account_id=' + encodeURIComponent(account));
      answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const e = new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
        e.http = response.status;
        throw e;
      }
    } catch (error) {
      signOut();
      throw error;
    }
    const record = answer.result || {};
    if (record.account_id !== account) {
      signOut();
      throw new Error('account_mismatch');
    }
    pending.authority = record.authority_id || null;
    pending.roles = Array.isArray(record.roles) ? record.roles.slice() : [];
    pending.name = record.name || '';
    return info();
  }

  function signOut() { current = null; }

  function info() {
    return current ? { account: current.account, authority: current.authority, roles: current.roles.slice(),
                       name: current.name, network_id: current.binding.network_id, node_id: current.binding.node_id,
                       genesis_hash: current.binding.genesis_hash } : null;
  }

  // Builds, signs and submits one transaction from this account, waiting for its
  // commit; returns the node's answer (with the ledger's outcome) or throws the error.
  async function submit(type, body) {
    if (!current) throw new Error('signed_out');
    const tx = { type, network_id: current.binding.network_id, sender: current.account,
                 client_time_ms: Date.now(), nonce: root.ShulianTx.nonce(), body };
    const built = await root.ShulianTx.build(tx, current.binding.genesis_hash, sign);
    const response = await root.fetch('/v1/transactions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, cache: 'no-store',
      body: JSON.stringify({ transaction_hex: built.hex, wait_for_commit: true, wait_timeout_ms: 10000 }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 202) {
      throw new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
    }
    return answer;
  }

  // The sign-in form every signed page has (#signin-form with #signin-account,
  // #signin-key and #signin-state; #signin, #signout, #who and the page's work
  // section `workId`): signs in from the chosen key file, fills the account from a
  // file named "<account>.key" (as network init names them), signs out. Calls
  // onSignIn(info) once signed in and onSignOut() once signed out; returns the
  // function that redraws the signed-in state (for a language switch).
  function bindSignInForm({ workId, onSignIn, onSignOut }) {
    const $ = (id) => root.document.getElementById(id);
    const I18n = root.ShulianI18n;
    function render() {
      const who = info();
      $(workId).hidden = !who;
      $('signout').hidden = !who;
      $('signin').hidden = Boolean(who);
      $('who').textContent = !who ? '' : I18n.t('signed_in_as') + who.account +
        (who.authority ? ' · ' + who.authority : '') + (who.roles.length ? ' · ' + who.roles.join(', ') : '');
    }
    $('signin-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const state = $('signin-state');
      const file = $('signin-key').files[0];
      state.className = 'state';
      state.textContent = I18n.t('signing_in');
      try {
        if (!file) throw new Error('key_file_missing');
        const text = await file.text();
        $('signin-key').value = '';  // the page keeps only the non-extractable key
        const who = await signIn($('signin-account').value.trim(), text);
        state.textContent = '';
        render();
        onSignIn(who);
      } catch (error) {
        const message = String((error && error.message) || error);
        state.className = 'error';
        state.textContent = I18n.t('signin_failed') + I18n.t(message, message);
        render();
      }
    });
    $('signin-key').addEventListener('change', () => {
      const file = $('signin-key').files[0];
      const match = file && /^([a-z0-9._-]+)\.key$/.exec(file.name);
      if (match && !$('signin-account').value) $('signin-account').value = match[1];
    });
    $('signout').addEventListener('click', () => {
      signOut();
      onSignOut();
      render();
      $('signin-account').focus();
    });
    return render;
  }

  root.ShulianSession = { parseKeyFile, importSeed, requestSigningBytes, signedFetch, signIn, signOut, info,
                          submit, sign, bindSignInForm };
})(globalThis);
