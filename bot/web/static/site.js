/* Support-site glue: starts the widget, wires "ask the assistant" buttons and the
 * DEMO login picker. The demo picker asks this site's /demo/token (ASSURANCE_DEMO=1
 * only) to sign a token; a real site would hand the widget the logged-in customer's. */
(function () {
  'use strict';
  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : '';
  }
  var KEY_ACCOUNT = 'assurance.demo.account';
  var demo = meta('assurance-demo') === '1';
  var account = demo ? (window.sessionStorage.getItem(KEY_ACCOUNT) || null) : null;

  function getToken(acct) {
    if (!acct) return Promise.resolve(null);
    return fetch('/demo/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer_id: acct })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || ('HTTP ' + r.status));
        return body;
      });
    });
  }

  window.AssuranceChat.init({ rasaUrl: meta('assurance-rasa-url'), account: account, getToken: getToken });

  document.addEventListener('click', function (e) {
    var target = e.target.closest ? e.target.closest('[data-ask],[data-open-chat]') : null;
    if (!target) return;
    if (target.hasAttribute('data-ask')) {
      window.AssuranceChat.ask(target.getAttribute('data-ask'),
                               target.getAttribute('data-ask-title') || target.textContent);
    } else {
      window.AssuranceChat.open();
    }
  });

  var form = document.getElementById('demo-login');
  if (form) {
    var select = document.getElementById('demo-account');
    var status = document.getElementById('demo-status');
    select.value = account || '';
    status.textContent = account ? 'Signed in as ' + account + ' (DEMO).' : 'Browsing as a guest.';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      account = select.value || null;
      if (account) window.sessionStorage.setItem(KEY_ACCOUNT, account);
      else window.sessionStorage.removeItem(KEY_ACCOUNT);
      status.textContent = account ? 'Signed in as ' + account + ' (DEMO).' : 'Browsing as a guest.';
      window.AssuranceChat.signIn(account);
      window.AssuranceChat.open();
    });
  }
})();
