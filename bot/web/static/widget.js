/* Support chat widget: socket.io to Rasa (bot.channels.socketio.AuthSocketIOInput).
 *
 * Rules this file keeps (docs/CHANNELS.md):
 * - every bot and user text goes into the page with textContent, never parsed as HTML;
 * - the log is an ARIA live region (role="log"), the typing line a status;
 * - everything works by keyboard: Enter sends, Shift+Enter is a new line, Escape closes;
 * - the page keeps one session id (sessionStorage) per signed-in account, so a reload
 *   rejoins the same conversation (the server derives the real conversation key from
 *   the verified token and this id) and the history is shown again.
 */
(function () {
  'use strict';

  var MAX_CHARS = 1000;          // the channel's limit (bot/channels/common.py)
  var MAX_HISTORY = 200;
  var TYPING_TIMEOUT_MS = 30000;
  var store = window.sessionStorage;
  var KEY_SESSION = 'assurance.chat.session';
  var KEY_OPEN = 'assurance.chat.open';

  var opts = null, socket = null, session = null, history = [], pending = [];
  var ready = false, typingTimer = null, refreshTimer = null, ui = {};

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, '');
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function load(key, fallback) {
    try { var v = JSON.parse(store.getItem(key)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function save(key, value) { try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ } }
  function historyKey() { return 'assurance.chat.history.' + (session.account || 'guest') + '.' + session.id; }
  function saveHistory() { save(historyKey(), history.slice(-MAX_HISTORY)); }

  /* --- rendering ------------------------------------------------------------ */

  function build() {
    ui.launcher = el('button', 'ac-launcher', 'Chat with the assistant');
    ui.launcher.type = 'button';
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.setAttribute('aria-controls', 'ac-panel');

    ui.panel = el('section', 'ac-panel');
    ui.panel.id = 'ac-panel';
    ui.panel.setAttribute('role', 'dialog');
    ui.panel.setAttribute('aria-labelledby', 'ac-title');
    ui.panel.hidden = true;

    var header = el('header', 'ac-header');
    var title = el('h2', 'ac-title', 'Service assistant');
    title.id = 'ac-title';
    ui.who = el('span', 'ac-who', 'Guest');
    ui.close = el('button', 'ac-close', '\u00d7');
    ui.close.type = 'button';
    ui.close.setAttribute('aria-label', 'Close chat');
    header.appendChild(title); header.appendChild(ui.who); header.appendChild(ui.close);

    ui.log = el('div', 'ac-log');
    ui.log.setAttribute('role', 'log');
    ui.log.setAttribute('aria-live', 'polite');
    ui.log.setAttribute('aria-relevant', 'additions');
    ui.log.setAttribute('aria-label', 'Conversation');
    ui.log.tabIndex = 0;

    ui.typing = el('div', 'ac-typing');
    ui.typing.setAttribute('role', 'status');
    ui.typingText = el('span', 'ac-typing-text', '');
    ui.typing.appendChild(ui.typingText);

    ui.form = el('form', 'ac-form');
    var label = el('label', 'ac-sr', 'Your message');
    label.htmlFor = 'ac-input';
    ui.input = el('textarea', 'ac-input');
    ui.input.id = 'ac-input';
    ui.input.rows = 2;
    ui.input.maxLength = MAX_CHARS;
    ui.input.placeholder = 'Type your question\u2026';
    ui.send = el('button', 'ac-send', 'Send');
    ui.send.type = 'submit';
    ui.form.appendChild(label); ui.form.appendChild(ui.input); ui.form.appendChild(ui.send);

    ui.panel.appendChild(header); ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing); ui.panel.appendChild(ui.form);
    document.body.appendChild(ui.launcher);
    document.body.appendChild(ui.panel);

    ui.launcher.addEventListener('click', function () { ui.panel.hidden ? open() : close(); });
    ui.close.addEventListener('click', close);
    ui.panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { close(); } });
    ui.form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
    ui.input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
    });
  }

  function renderMessage(msg, index) {
    var row = el('div', 'ac-msg ac-' + msg.who);
    row.setAttribute('data-who', msg.who);
    var speaker = el('span', 'ac-sr', msg.who === 'user' ? 'You said: ' : (msg.who === 'bot' ? 'Assistant: ' : 'Notice: '));
    var bubble = el('p', 'ac-bubble', msg.text);      // textContent: never HTML
    row.appendChild(speaker); row.appendChild(bubble);
    if (msg.buttons && msg.buttons.length) {
      var group = el('div', 'ac-replies');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Quick replies');
      msg.buttons.forEach(function (b) {
        var btn = el('button', 'ac-reply', b.title);
        btn.type = 'button';
        btn.disabled = !!msg.answered;
        btn.addEventListener('click', function () {
          msg.answered = true; saveHistory();
          Array.prototype.forEach.call(group.querySelectorAll('button'), function (x) { x.disabled = true; });
          send(b.payload, b.title);
          ui.input.focus();  // the pressed button is now disabled: keep keyboard focus in the widget
        });
        group.appendChild(btn);
      });
      row.appendChild(group);
    }
    ui.log.appendChild(row);
    ui.log.scrollTop = ui.log.scrollHeight;
    return row;
  }

  function add(msg) {
    if (msg.who === 'user') {
      history.forEach(function (m) { if (m.buttons && !m.answered) m.answered = true; });
      Array.prototype.forEach.call(ui.log.querySelectorAll('.ac-reply'), function (b) { b.disabled = true; });
    }
    history.push(msg);
    saveHistory();
    renderMessage(msg, history.length - 1);
  }

  function system(text) { add({ who: 'system', text: text }); }

  function setTyping(on) {
    clearTimeout(typingTimer);
    ui.typing.classList.toggle('ac-on', !!on);
    ui.typingText.textContent = on ? 'The assistant is typing\u2026' : '';
    if (on) typingTimer = setTimeout(function () { setTyping(false); }, TYPING_TIMEOUT_MS);
  }

  function restore() {
    ui.log.textContent = '';
    history = load(historyKey(), []);
    if (!history.length) {
      history.push({ who: 'bot', text: 'Hello! Ask me about a refund, fault compensation, the ICP filing reward or what support covers.' });
    }
    history.forEach(renderMessage);
  }

  /* --- connection ------------------------------------------------------------ */

  function connect() {
    ready = false;
    clearTimeout(refreshTimer);
    if (socket) { socket.off(); socket.disconnect(); socket = null; }
    var getToken = opts.getToken || function () { return Promise.resolve(null); };
    return Promise.resolve(getToken(session.account)).then(function (auth) {
      socket = window.io(opts.rasaUrl, {
        path: opts.socketPath || '/socket.io',
        transports: ['websocket', 'polling'],
        auth: auth && auth.token ? { token: auth.token } : {}
      });
      socket.on('connect', function () { socket.emit('session_request', { session_id: session.id }); });
      socket.on('session_confirm', function (id) {
        if (typeof id === 'string' && id !== session.id) { session.id = id; save(KEY_SESSION, session); }
        ready = true;
        while (pending.length) { socket.emit('user_uttered', pending.shift()); }
      });
      socket.on('session_identity', function (info) {
        ui.who.textContent = info && info.customer_id ? 'Signed in: ' + info.customer_id : 'Guest';
        if (info && info.expires_at && opts.getToken) {
          // renew a minute before expiry; the same session id keeps the conversation
          var wait = Date.parse(info.expires_at) - Date.now() - 60000;
          if (wait > 0 && wait < 2147483647) refreshTimer = setTimeout(connect, wait);
        }
      });
      socket.on('bot_uttered', function (data) {
        if (!data) return;
        var text = typeof data.text === 'string' ? data.text : '';
        if (!text && data.attachment) text = 'Attachment: ' + JSON.stringify(data.attachment.payload || data.attachment);
        var buttons = (data.quick_replies || data.buttons || []).filter(function (b) {
          return b && typeof b.title === 'string' && typeof b.payload === 'string';
        }).map(function (b) { return { title: b.title, payload: b.payload }; });
        if (!text && !buttons.length) return;
        add({ who: 'bot', text: text, buttons: buttons });
      });
      socket.on('bot_done', function () { setTyping(false); });
      socket.on('auth_error', function (err) {
        setTyping(false);
        if (err && err.code === 'expired' && opts.getToken && session.account) {
          system('Your sign-in had expired; signing you in again. Please send your last message again.');
          connect();
        }
      });
      socket.on('connect_error', function (err) {
        setTyping(false);
        var refused = err && err.data && err.data.code;
        system(refused ? 'Sign-in refused: ' + err.message
                       : 'Cannot reach the assistant right now. Retrying\u2026');
      });
    }).catch(function (err) {
      system('Sign-in failed: ' + (err && err.message ? err.message : String(err)));
    });
  }

  function send(payload, shown) {
    if (typeof payload !== 'string' || !payload.trim()) return;
    add({ who: 'user', text: shown || payload });
    setTyping(true);
    var packet = { message: payload, session_id: session.id };
    if (socket && ready) socket.emit('user_uttered', packet); else pending.push(packet);
  }

  function submit() {
    var text = ui.input.value;
    if (!text.trim()) return;
    if (text.length > MAX_CHARS) { system('That message is too long (limit ' + MAX_CHARS + ' characters).'); return; }
    ui.input.value = '';
    send(text);
    ui.input.focus();
  }

  function open() {
    ui.panel.hidden = false;
    ui.launcher.setAttribute('aria-expanded', 'true');
    save(KEY_OPEN, true);
    if (!socket) connect();
    ui.log.scrollTop = ui.log.scrollHeight;
    ui.input.focus();
  }

  function close() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'false');
    save(KEY_OPEN, false);
    ui.launcher.focus();
  }

  function startSession(account) {
    session = load(KEY_SESSION, null);
    if (!session || session.account !== (account || null) || !/^[A-Za-z0-9_-]{8,64}$/.test(session.id || '')) {
      session = { id: newId(), account: account || null };
      save(KEY_SESSION, session);
    }
    restore();
  }

  window.AssuranceChat = {
    /* opts: {rasaUrl, socketPath?, account?, getToken?(account) -> Promise<{token}|null>} */
    init: function (options) {
      opts = options;
      build();
      startSession(options.account);
      if (load(KEY_OPEN, false)) open();
    },
    /* Switch account (null = guest): a new session and a fresh conversation. */
    signIn: function (account) {
      pending = [];
      session = { id: newId(), account: account || null };
      save(KEY_SESSION, session);
      restore();
      if (!ui.panel.hidden || socket) connect();
    },
    open: open,
    close: close,
    /* Open the widget and ask about a topic: `payload` is sent, `title` is shown. */
    ask: function (payload, title) { open(); send(payload, title); }
  };
})();
