// kefu chat console (TEC-7, ACC-4): presence, my chats with unread counts, the open chat's
// transcript with typing and delivered/read marks, reply, end, ticket from chat.
// Polls /chat/console/poll every KEFU_CHAT_POLL_MS (400 ms by default).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var S = JSON.parse(document.getElementById("chat-strings").textContent);
  var csrf = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
  var bodyHeaders = document.body.getAttribute("hx-headers");
  if (!csrf && bodyHeaders) { try { csrf = JSON.parse(bodyHeaders)["X-CSRFToken"]; } catch (e) { /* none */ } }

  var $ = function (id) { return document.getElementById(id); };
  var state = { chat: null, after: 0, typingSince: 0, polling: false, timer: null, rendered: {}, pending: {}, readUpto: 0, seq: 0, chatState: "" };

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    });
  }
  function url(template, id) { return template.replace("/0/", "/" + id + "/"); }
  function showError(text) { $("chat-error").textContent = text || ""; }

  // -- chat list -------------------------------------------------------------------------
  function renderList(chats) {
    var list = $("chat-list");
    var seen = {};
    chats.forEach(function (chat) {
      seen[chat.id] = true;
      var item = list.querySelector('[data-chat="' + chat.id + '"]');
      if (!item) {
        item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action d-flex align-items-center gap-2 kefu-chat-item";
        item.setAttribute("data-chat", chat.id);
        item.innerHTML = '<span class="kefu-chat-name flex-grow-1"></span><span class="small text-muted kefu-chat-typing"></span><span class="badge text-bg-danger kefu-chat-unread"></span>';
        item.addEventListener("click", function () { openChat(chat.id); });
        list.appendChild(item);
      }
      item.querySelector(".kefu-chat-name").textContent = chat.name || (S.visitor + " #" + chat.id);
      item.querySelector(".kefu-chat-typing").textContent = chat.typing ? "✎" : "";
      var unread = item.querySelector(".kefu-chat-unread");
      unread.textContent = chat.unread ? String(chat.unread) : "";
      unread.hidden = !chat.unread || chat.id === state.chat;
      item.classList.toggle("active", chat.id === state.chat);
    });
    Array.prototype.forEach.call(list.querySelectorAll("[data-chat]"), function (item) {
      var id = parseInt(item.getAttribute("data-chat"), 10);
      if (!seen[id] && id !== state.chat) { item.remove(); }
    });
    $("chat-list-empty").hidden = chats.length > 0;
    if (state.chat === null && chats.length) { openChat(chats[0].id); }
  }

  // -- the open chat ---------------------------------------------------------------------
  function openChat(id) {
    if (state.chat === id) { return; }
    state.chat = id; state.after = 0; state.rendered = {}; state.pending = {}; state.readUpto = 0; state.chatState = "";
    $("chat-transcript").textContent = "";
    $("chat-typing").textContent = "";
    $("chat-ticket-result").textContent = "";
    $("chat-pane").hidden = false;
    $("chat-none").hidden = true;
    poll();
    assistNotify(id);
    $("chat-reply").focus();
  }
  function bubble(message) {
    var wrap = document.createElement("div");
    var mine = message.speaker === "agent";
    wrap.className = "d-flex flex-column my-1 kefu-chat-msg kefu-chat-" + message.speaker + (mine ? " align-items-end" : " align-items-start");
    var text = document.createElement("div");
    text.className = "px-2 py-1 rounded " + (mine ? "bg-primary text-white" : "bg-body-secondary");
    text.style.maxWidth = "75%";
    text.style.whiteSpace = "pre-wrap";
    text.textContent = message.body;
    wrap.appendChild(text);
    var time = document.createElement("div");
    time.className = "small text-muted kefu-chat-meta";
    time.textContent = message.at ? new Date(message.at).toLocaleTimeString() : "";
    wrap.appendChild(time);
    if (mine) {
      var tick = document.createElement("span");
      tick.className = "ms-1 kefu-chat-tick";
      time.appendChild(tick);
    }
    $("chat-transcript").appendChild(wrap);
    $("chat-transcript").scrollTop = $("chat-transcript").scrollHeight;
    return wrap;
  }
  var ORDER = { failed: 0, sending: 1, sent: 2, delivered: 3, read: 4 };
  function setTick(node, status) {
    var tick = node.querySelector(".kefu-chat-tick");
    if (!tick) { return; }
    var current = tick.getAttribute("data-status");
    if (current && current !== "failed" && status !== "failed" && ORDER[current] >= ORDER[status]) { return; }
    tick.setAttribute("data-status", status);
    tick.textContent = status === "sending" ? "…" : "· " + (S[status] || status);
  }
  function addMessage(message) {
    if (state.rendered[message.id]) { return; }
    var node = message.client_id && state.pending[message.client_id];
    if (node) { delete state.pending[message.client_id]; } else { node = bubble(message); }
    node.setAttribute("data-id", message.id);
    state.rendered[message.id] = node;
    state.after = Math.max(state.after, message.id);
    if (message.speaker === "agent") { setTick(node, message.status); }
    // Agent assist (assist/agent_assist.js) refreshes its suggestions, debounced (TEC-1).
    if (message.speaker === "customer") { assistNotify(state.chat); }
  }
  function assistNotify(chat) {
    document.dispatchEvent(new CustomEvent("kefu:chat-customer-message", { detail: { contact: chat } }));
  }
  function markOwn(deliveredUpto, readUpto) {
    Object.keys(state.rendered).forEach(function (id) {
      var node = state.rendered[id];
      if (!node.classList.contains("kefu-chat-agent")) { return; }
      var number = parseInt(id, 10);
      if (number <= readUpto) { setTick(node, "read"); } else if (number <= deliveredUpto) { setTick(node, "delivered"); }
    });
  }
  function customerMax() {
    if (document.hidden) { return 0; }
    var top = 0;
    Object.keys(state.rendered).forEach(function (id) {
      if (state.rendered[id].classList.contains("kefu-chat-customer")) { top = Math.max(top, parseInt(id, 10)); }
    });
    return top;
  }
  function renderOpen(open) {
    if (!open || open.id !== state.chat) { return; }
    $("chat-title").textContent = open.name || (S.visitor + " #" + open.id);
    var card = open.customer;
    $("chat-customer").textContent = card ? card.name + " · " + card.member_level + " · " + card.identities.map(function (item) { return item.value; }).join(" ") : "";
    var tickets = $("chat-tickets");
    tickets.textContent = "";
    (open.tickets || []).forEach(function (ticket) {
      var link = document.createElement("a");
      link.href = ticket.url; link.textContent = ticket.number; link.className = "badge text-bg-info text-decoration-none me-1";
      tickets.appendChild(link);
    });
    (open.messages || []).forEach(addMessage);
    markOwn(open.delivered_upto || 0, open.read_upto || 0);
    $("chat-typing").textContent = open.typing ? S.typing : (open.state === "ended" ? S.ended : "");
    state.chatState = open.state;
    var ended = open.state === "ended";
    $("chat-reply").disabled = ended; $("chat-send").disabled = ended; $("chat-end").disabled = ended;
  }

  // -- polling ---------------------------------------------------------------------------
  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, delay);
  }
  function poll() {
    if (state.polling) { return; }
    state.polling = true;
    var read = customerMax();
    var body = { typing: Date.now() - state.typingSince < 1500 };
    if (state.chat !== null) {
      body.chat = state.chat; body.after = state.after;
      if (read > state.readUpto) { body.read = read; }
    }
    post(config.poll, body).then(function (result) {
      state.polling = false;
      if (result.status === 404 && state.chat !== null) { state.chat = null; $("chat-pane").hidden = true; $("chat-none").hidden = false; schedule(config.poll_ms); return; }
      if (result.status !== 200) { showError(S.error); schedule(2000); return; }
      showError("");
      if (body.read) { state.readUpto = body.read; }
      var data = result.data;
      $("chat-queue").textContent = String(data.queue);
      var presence = $("chat-presence");
      if (document.activeElement !== presence && presence.value !== data.presence) { presence.value = data.presence; }
      renderList(data.chats || []);
      renderOpen(data.open);
      // New customer messages in view: report them read at once (read marks within 1 s, TEC-7).
      var soon = state.chat !== null && customerMax() > state.readUpto;
      schedule(soon ? 50 : document.hidden ? Math.max(config.poll_ms, 2000) : config.poll_ms);
    }).catch(function () { state.polling = false; showError(S.error); schedule(2000); });
  }

  // -- actions ---------------------------------------------------------------------------
  function clientId() {
    state.seq += 1;
    return "a" + Date.now().toString(36) + "-" + state.seq + "-" + Math.random().toString(36).slice(2, 8);
  }
  function send() {
    var area = $("chat-reply");
    var text = area.value.trim();
    if (!text || state.chat === null) { return; }
    area.value = "";
    state.typingSince = 0;  // a sent message ends the typing
    var id = clientId();
    var node = bubble({ speaker: "agent", body: text, at: new Date().toISOString() });
    setTick(node, "sending");
    state.pending[id] = node;
    var chat = state.chat;
    post(url(config.send, chat), { body: text, client_id: id }).then(function (result) {
      if (result.status === 200 || result.status === 201) {
        if (chat === state.chat) { addMessage(result.data); }
      } else {
        setTick(node, "failed");
        showError((result.data && result.data.detail) || S.error);
      }
    }).catch(function () { setTick(node, "failed"); showError(S.error); });
  }
  $("chat-compose").addEventListener("submit", function (event) { event.preventDefault(); send(); });
  $("chat-reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
  });
  $("chat-reply").addEventListener("input", function () {
    var first = Date.now() - state.typingSince > 1500;
    state.typingSince = Date.now();
    if (first) { poll(); }
  });
  $("chat-end").addEventListener("click", function () {
    if (state.chat === null) { return; }
    post(url(config.end, state.chat), {}).then(function (result) {
      if (result.status !== 200) { showError((result.data && result.data.detail) || S.error); }
      poll();
    });
  });
  function setPresence() {
    var max = parseInt($("chat-max").value, 10);
    post(config.presence, { status: $("chat-presence").value, max_chats: isNaN(max) ? null : max }).then(function (result) {
      if (result.status !== 200) { showError((result.data && result.data.detail) || S.error); return; }
      showError("");
      $("chat-presence").value = result.data.presence;
      $("chat-max").value = result.data.max_chats;
      poll();
    });
  }
  $("chat-presence").addEventListener("change", setPresence);
  $("chat-max").addEventListener("change", setPresence);
  $("chat-ticket-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (state.chat === null) { return; }
    var form = event.target;
    Array.prototype.forEach.call(form.querySelectorAll(".is-invalid"), function (node) { node.classList.remove("is-invalid"); });
    var body = {};
    ["subject", "category", "phone", "email"].forEach(function (name) { body[name] = form.elements[name].value.trim(); });
    post(url(config.ticket, state.chat), body).then(function (result) {
      if (result.status === 201) {
        $("chat-ticket-result").innerHTML = "";
        var link = document.createElement("a");
        link.href = result.data.url; link.textContent = result.data.number;
        $("chat-ticket-result").append(S.ticket + " ", link);
        poll();
        return;
      }
      var field = result.data && result.data.field;
      var control = field && form.elements[field];
      if (control) {
        control.classList.add("is-invalid");
        var slot = form.querySelector('.invalid-feedback[data-field="' + field + '"]');
        if (slot) { slot.textContent = result.data.detail; }
      } else {
        showError((result.data && result.data.detail) || S.error);
      }
    });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  poll();
})();
