// The verifier page: reads the two files, runs ShulianVerifier in the page and
// shows its answer with ShulianVerdict.render (verdict.js, shared with the court's page).
(function (root) {
  'use strict';
  const I18n = root.ShulianI18n;
  const V = root.ShulianVerifier;
  const R = root.ShulianVerdict;
  const show = (result) => R.render(result, document.getElementById('verdict'), document.getElementById('result'));

  let lastResult = null;
  async function run(event) {
    event.preventDefault();
    const bundle = document.getElementById('bundle').files[0];
    const genesis = document.getElementById('genesis').files[0];
    const verdict = document.getElementById('verdict');
    if (!bundle || !genesis) { verdict.textContent = I18n.t('choose_both'); return; }
    verdict.textContent = I18n.t('working');
    verdict.dataset.check = '';
    const result = await V.verifyBytes(new Uint8Array(await bundle.arrayBuffer()),
                                       new Uint8Array(await genesis.arrayBuffer()));
    lastResult = result;
    show(result);
    verdict.dataset.done = 'true';
  }

  document.getElementById('form').addEventListener('submit', run);
  document.getElementById('lang').addEventListener('click', () => {
    I18n.toggle();
    I18n.apply(document);
    if (lastResult) show(lastResult);
  });
  I18n.apply(document);
  root.ShulianVerifyPage = { describe: R.describe, show };
})(globalThis);
