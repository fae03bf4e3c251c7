/*
 * kefu web chat widget (TEC-7, ACC-4). Embed with ONE tag:
 *
 *   <script src="https://kefu.example.com/chat/widget.js" data-widget="KEY" async></script>
 *
 * Optional attributes: data-lang="zh|en" (default: the page's language, Chinese unless it is
 * another language). The chat's priority and skill are decided by kefu, never by the page.
 * Plain JavaScript, no build, no outside libraries; the UI lives in a shadow root so the
 * host page's styles do not reach it. The visitor's token is kept in localStorage; requests
 * carry it in a text/plain JSON body, so they are "simple" CORS requests without a preflight.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var found = document.querySelectorAll("script[data-widget]");
    script = found[found.length - 1];
  }
  if (!script || window.__kefuChatLoaded) { return; }
  window.__kefuChatLoaded = true;

  var KEY = script.getAttribute("data-widget") || "";
  var BASE = new URL(script.src, document.baseURI).origin;
  var API = BASE + "/chat/api/" + encodeURIComponent(KEY) + "/";
  var STORE = "kefu-chat:" + KEY;

  var STRINGS = {
    zh: {
      title: "在线客服", open: "在线咨询", close: "收起", send: "发送", end: "结束对话",
      placeholder: "请输入您的问题…", name: "您的称呼（选填）",
      waiting: "正在为您转接客服，您前面还有 {n} 位", waitingFirst: "正在为您转接客服，您是下一位",
      serving: "客服 {name} 正在为您服务", servingAnon: "客服正在为您服务",
      typing: "客服正在输入…", ended: "对话已结束，感谢您的咨询！", restart: "重新咨询",
      sent: "已发送", delivered: "已送达", read: "已读", failed: "发送失败，点击重试",
      offlineTitle: "当前非服务时间或暂无客服在线，请留言，我们会尽快联系您。",
      offlineName: "姓名", offlinePhone: "手机号", offlineEmail: "电子邮箱",
      offlineMessage: "留言内容", offlineSubmit: "提交留言",
      offlineDone: "留言已提交（工单号 {n}），我们会尽快与您联系。",
      errName: "请填写您的姓名", errPhone: "请填写有效的手机号（或填写邮箱）",
      errEmail: "请填写有效的电子邮箱", errMessage: "请填写留言内容",
      errGeneric: "提交失败，请稍后再试", errRate: "提交过于频繁，请稍后再试",
      you: "我", agent: "客服",
      botGreeting: "您好，我是智能助手，请直接输入您的问题。需要人工服务可随时点击“转人工”。",
      person: "转人工", helpful: "有帮助", unhelpful: "没帮助", thanks: "感谢您的反馈！",
      choose: "您是不是想问：", outOfScope: "抱歉，这个问题我暂时无法回答，正在为您转接人工客服…",
      botLimited: "提问过于频繁，请稍后再试", botError: "出错了，请稍后再试"
    },
    en: {
      title: "Customer service", open: "Chat with us", close: "Minimise", send: "Send",
      end: "End chat", placeholder: "Type your question…", name: "Your name (optional)",
      waiting: "Connecting you to an agent; {n} ahead of you",
      waitingFirst: "Connecting you to an agent; you are next",
      serving: "{name} is serving you", servingAnon: "An agent is serving you",
      typing: "The agent is typing…", ended: "The chat has ended. Thank you!",
      restart: "New chat", sent: "Sent", delivered: "Delivered", read: "Read",
      failed: "Not sent, click to retry",
      offlineTitle: "We are closed or no agent is online. Leave a message and we will get back to you.",
      offlineName: "Name", offlinePhone: "Mobile phone", offlineEmail: "E-mail",
      offlineMessage: "Message", offlineSubmit: "Send message",
      offlineDone: "Thank you. Your message is ticket {n}; we will contact you soon.",
      errName: "Please give your name", errPhone: "Please give a valid phone number (or an e-mail)",
      errEmail: "Please give a valid e-mail address", errMessage: "Please write your message",
      errGeneric: "Something went wrong, please try again", errRate: "Too many attempts, please try later",
      you: "Me", agent: "Agent",
      botGreeting: "Hello, I am the virtual assistant. Type your question; you can talk to a person at any time.",
      person: "Talk to a person", helpful: "This helped", unhelpful: "This didn't help",
      thanks: "Thank you for your feedback.", choose: "Did you mean:",
      outOfScope: "Sorry, I cannot answer that. Connecting you to a person…",
      botLimited: "Too many questions, please try later", botError: "Something went wrong, please try again"
    }
  };
  function pickLanguage() {
    var wanted = script.getAttribute("data-lang") || document.documentElement.lang || "";
    if (!wanted) { return "zh"; }
    return /^zh/i.test(wanted) ? "zh" : (/^en/i.test(wanted) ? "en" : "en");
  }
  var LANG = pickLanguage();
  var T = STRINGS[LANG];
  function t(key, values) {
    var text = T[key] || STRINGS.en[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.replace("{" + name + "}", String(values[name]));
    });
    return text;
  }

  // -- state -----------------------------------------------------------------------------
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { saved = {}; }
  var state = {
    token: saved.token || "", open: !!saved.open, after: 0, config: null,
    botToken: saved.botToken || "", bot: false, botGreeted: false,
    chatState: "", typingSince: 0, pollTimer: null, polling: false, readUpto: 0,
    pending: {}, seq: 0
  };
  function persist() {
    try {
      if (state.token || state.botToken) {
        localStorage.setItem(STORE, JSON.stringify({ token: state.token, open: state.open, botToken: state.botToken }));
      } else {
        localStorage.removeItem(STORE);
      }
    } catch (e) { /* private mode: the chat lasts as long as the page */ }
  }

  function request(path, body) {
    var init = { method: body ? "POST" : "GET", mode: "cors", credentials: "omit", cache: "no-store" };
    if (body) {
      init.headers = { "Content-Type": "text/plain;charset=UTF-8" };
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // -- DOM -------------------------------------------------------------------------------
  var host = document.createElement("div");
  host.id = "kefu-chat";
  host.setAttribute("lang", LANG === "zh" ? "zh-CN" : "en");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;font-size:14px}",
    ".kc-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#0d6efd;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".kc-badge{display:inline-block;min-width:18px;margin-left:6px;padding:0 5px;border-radius:9px;background:#dc3545;color:#fff;font-size:12px}",
    ".kc-panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:340px;max-width:calc(100vw - 24px);height:480px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:#fff;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;color:#212529}",
    ".kc-head{display:flex;align-items:center;justify-content:space-between;padding:10px 12px;background:#0d6efd;color:#fff}",
    ".kc-head button{background:transparent;border:0;color:#fff;cursor:pointer}",
    ".kc-status{padding:6px 12px;background:#f1f3f5;color:#495057;font-size:13px;min-height:28px}",
    ".kc-messages{flex:1;overflow-y:auto;padding:10px 12px;background:#fafbfc}",
    ".kc-msg{margin:6px 0;display:flex;flex-direction:column}",
    ".kc-msg .kc-bubble{max-width:80%;padding:7px 10px;border-radius:10px;white-space:pre-wrap;word-break:break-word}",
    ".kc-customer{align-items:flex-end}.kc-customer .kc-bubble{background:#0d6efd;color:#fff}",
    ".kc-agent{align-items:flex-start}.kc-agent .kc-bubble{background:#e9ecef}",
    ".kc-system{align-items:center;color:#6c757d;font-size:12px}",
    ".kc-tick{font-size:11px;color:#6c757d;margin-top:2px}",
    ".kc-tick[data-status=failed]{color:#dc3545;cursor:pointer}",
    ".kc-typing{padding:2px 12px;color:#6c757d;font-size:12px;min-height:18px}",
    ".kc-compose{display:flex;gap:6px;padding:8px;border-top:1px solid #dee2e6}",
    ".kc-compose textarea{flex:1;resize:none;height:40px;padding:6px;border:1px solid #ced4da;border-radius:6px}",
    ".kc-btn{border:0;border-radius:6px;padding:6px 12px;background:#0d6efd;color:#fff;cursor:pointer}",
    ".kc-btn.kc-secondary{background:#6c757d}",
    ".kc-name{margin:0 8px 8px;padding:6px;border:1px solid #ced4da;border-radius:6px}",
    ".kc-offline{flex:1;overflow-y:auto;padding:12px}",
    ".kc-offline label{display:block;margin-top:8px;color:#495057}",
    ".kc-offline input,.kc-offline textarea{width:100%;padding:6px;border:1px solid #ced4da;border-radius:6px}",
    ".kc-offline textarea{height:90px;resize:vertical}",
    ".kc-error{color:#dc3545;font-size:12px;min-height:14px}",
    ".kc-invalid{border-color:#dc3545!important}",
    ".kc-done{padding:16px;color:#198754}",
    ".kc-bot .kc-bubble{background:#e7f1ff}",
    ".kc-bot .kc-bubble p{margin:0 0 6px}.kc-bot .kc-bubble p:last-child{margin:0}",
    ".kc-bot-title{font-weight:600;margin-bottom:4px}",
    ".kc-bot-actions{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px;max-width:80%}",
    ".kc-link{border:1px solid #0d6efd;border-radius:12px;padding:3px 10px;background:#fff;color:#0d6efd;cursor:pointer;font-size:13px}",
    ".kc-person-bar{padding:0 8px 4px;text-align:right}",
    "[hidden]{display:none!important}"
  ].join("\n");

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  var style = el("style", { text: CSS });
  var badge = el("span", { "class": "kc-badge", hidden: "" });
  var launcher = el("button", { "class": "kc-launcher", type: "button", "aria-label": t("open") });
  launcher.appendChild(document.createTextNode(t("open")));
  launcher.appendChild(badge);
  var closeButton = el("button", { type: "button", "class": "kc-close", "aria-label": t("close"), text: "—" });
  var endButton = el("button", { type: "button", "class": "kc-end", text: t("end"), hidden: "" });
  var head = el("div", { "class": "kc-head" }, [
    el("strong", { text: t("title") }), el("span", {}, [endButton, closeButton])
  ]);
  var statusLine = el("div", { "class": "kc-status", role: "status", "aria-live": "polite" });
  var list = el("div", { "class": "kc-messages", role: "log", "aria-live": "polite" });
  var typingLine = el("div", { "class": "kc-typing", "aria-live": "polite" });
  var nameInput = el("input", { "class": "kc-name", type: "text", maxlength: "100", placeholder: t("name"), "aria-label": t("name") });
  var input = el("textarea", { "class": "kc-input", maxlength: "4000", placeholder: t("placeholder"), "aria-label": t("placeholder") });
  var sendButton = el("button", { "class": "kc-btn kc-send", type: "button", text: t("send") });
  var restartButton = el("button", { "class": "kc-btn kc-restart", type: "button", text: t("restart"), hidden: "" });
  var compose = el("div", { "class": "kc-compose" }, [input, sendButton]);
  var personButton = el("button", { "class": "kc-link kc-person", type: "button", text: t("person") });
  var personBar = el("div", { "class": "kc-person-bar", hidden: "" }, [personButton]);
  var chatView = el("div", { "class": "kc-chat", style: "display:flex;flex-direction:column;flex:1;min-height:0" }, [
    statusLine, list, typingLine, personBar, nameInput, compose, restartButton
  ]);

  function field(name, label, tag, type) {
    var control = el(tag, { name: name, id: "kc-f-" + name, "aria-describedby": "kc-e-" + name });
    if (type) { control.setAttribute("type", type); }
    return [
      el("label", { "for": "kc-f-" + name, text: label }), control,
      el("div", { "class": "kc-error", id: "kc-e-" + name, "data-field": name })
    ];
  }
  var offlineForm = el("form", { "class": "kc-offline", novalidate: "" }, [].concat(
    [el("p", { text: t("offlineTitle") })],
    field("name", t("offlineName"), "input", "text"),
    field("phone", t("offlinePhone"), "input", "tel"),
    field("email", t("offlineEmail"), "input", "email"),
    field("message", t("offlineMessage"), "textarea"),
    [el("div", { "class": "kc-error", "data-field": "form" }),
     el("button", { "class": "kc-btn kc-offline-submit", type: "submit", text: t("offlineSubmit") })]
  ));
  var offlineDone = el("div", { "class": "kc-done", role: "status", hidden: "" });
  var panel = el("div", { "class": "kc-panel", role: "dialog", "aria-label": t("title"), hidden: "" }, [
    head, chatView, offlineForm, offlineDone
  ]);
  offlineForm.hidden = true;
  root.appendChild(style);
  root.appendChild(launcher);
  root.appendChild(panel);

  // -- rendering -------------------------------------------------------------------------
  var rendered = {};  // message id -> element
  function tickText(status) { return t(status === "received" ? "sent" : status); }
  function addMessage(message) {
    if (rendered[message.id]) { return; }
    var pendingNode = message.client_id && state.pending[message.client_id];
    if (pendingNode) {
      delete state.pending[message.client_id];
      pendingNode.setAttribute("data-id", message.id);
      rendered[message.id] = pendingNode;
      setTick(pendingNode, message.status === "received" ? "sent" : message.status);
      state.after = Math.max(state.after, message.id);
      return;
    }
    var node = bubble(message.speaker, message.body);
    node.setAttribute("data-id", message.id);
    if (message.speaker === "customer") { setTick(node, message.status === "received" ? "sent" : message.status); }
    rendered[message.id] = node;
    state.after = Math.max(state.after, message.id);
    if (message.speaker === "agent" && (panel.hidden || document.hidden)) {
      badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
      badge.hidden = false;
    }
  }
  function bubble(speaker, body) {
    var node = el("div", { "class": "kc-msg kc-" + speaker }, [el("div", { "class": "kc-bubble", text: body })]);
    list.appendChild(node);
    list.scrollTop = list.scrollHeight;
    return node;
  }
  function setTick(node, status) {
    var tick = node.querySelector(".kc-tick");
    if (!tick) { tick = el("div", { "class": "kc-tick" }); node.appendChild(tick); }
    var order = { failed: 0, sending: 1, sent: 2, delivered: 3, read: 4 };
    var current = tick.getAttribute("data-status");
    if (current && status !== "failed" && current !== "failed" && order[current] >= order[status]) { return; }
    tick.setAttribute("data-status", status);
    tick.textContent = status === "sending" ? "…" : tickText(status);
  }
  function markOwn(deliveredUpto, readUpto) {
    Object.keys(rendered).forEach(function (id) {
      var node = rendered[id];
      if (!node.classList.contains("kc-customer")) { return; }
      var number = parseInt(id, 10);
      if (number <= readUpto) { setTick(node, "read"); } else if (number <= deliveredUpto) { setTick(node, "delivered"); }
    });
  }
  function showStatus(data) {
    state.chatState = data.state;
    var ended = data.state === "ended";
    endButton.hidden = ended || !state.token;
    compose.hidden = ended;
    restartButton.hidden = !ended;
    nameInput.hidden = !!state.token;
    if (ended) {
      statusLine.textContent = t("ended");
      typingLine.textContent = "";
    } else if (data.state === "queued") {
      statusLine.textContent = data.position > 1 ? t("waiting", { n: data.position - 1 }) : t("waitingFirst");
    } else if (data.state) {
      statusLine.textContent = data.agent ? t("serving", { name: data.agent }) : t("servingAnon");
    }
  }

  // -- the conversation ------------------------------------------------------------------
  function schedule(delay) {
    clearTimeout(state.pollTimer);
    if (!state.token || state.chatState === "ended") { return; }
    state.pollTimer = setTimeout(poll, delay);
  }
  var READ_SOON_MS = 50;
  function pollDelay() {
    var base = (state.config && state.config.poll_ms) || 400;
    return document.hidden ? Math.max(base, 3000) : base;
  }
  function visibleAgentMax() {
    if (panel.hidden || document.hidden) { return 0; }
    var top = 0;
    Object.keys(rendered).forEach(function (id) {
      if (!rendered[id].classList.contains("kc-customer")) { top = Math.max(top, parseInt(id, 10)); }
    });
    return top;
  }
  function poll() {
    if (state.polling || !state.token) { return; }
    state.polling = true;
    var typing = Date.now() - state.typingSince < 1500;
    var read = visibleAgentMax();
    request("poll", { token: state.token, after: state.after, typing: typing, read: read > state.readUpto ? read : 0 })
      .then(function (result) {
        state.polling = false;
        if (result.status === 404) { reset(); return; }
        if (result.status !== 200) { schedule(2000); return; }
        if (read > state.readUpto) { state.readUpto = read; }
        var data = result.data;
        (data.messages || []).forEach(addMessage);
        showStatus(data);
        markOwn(data.delivered_upto || 0, data.read_upto || 0);
        typingLine.textContent = data.agent_typing ? t("typing") : "";
        // New agent messages in view: report them read at once (read marks within 1 s, TEC-7).
        schedule(visibleAgentMax() > state.readUpto ? READ_SOON_MS : pollDelay());
      })
      .catch(function () { state.polling = false; schedule(2000); });
  }
  function reset() {
    clearTimeout(state.pollTimer);
    state.token = ""; state.after = 0; state.chatState = ""; state.readUpto = 0;
    rendered = {}; state.pending = {};
    list.textContent = "";
    typingLine.textContent = "";
    persist();
    showStatus({ state: "" });
    statusLine.textContent = (state.config && state.config.greeting) || "";
    restartButton.hidden = true;
    compose.hidden = false;
    state.botGreeted = false;
    loadConfig();
  }
  function clientId() {
    state.seq += 1;
    return Date.now().toString(36) + "-" + state.seq + "-" + Math.random().toString(36).slice(2, 8);
  }
  function send() {
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    state.typingSince = 0;  // a sent message ends the typing
    if (!state.token && state.bot) { botAsk(text); return; }
    if (!state.token) { start(text); return; }
    var id = clientId();
    var node = bubble("customer", text);
    setTick(node, "sending");
    state.pending[id] = node;
    deliver(text, id, node);
  }
  function deliver(text, id, node) {
    request("send", { token: state.token, body: text, client_id: id }).then(function (result) {
      if (result.status === 200 || result.status === 201) {
        addMessage(result.data);
        poll();
      } else {
        failed(text, id, node);
      }
    }).catch(function () { failed(text, id, node); });
  }
  function failed(text, id, node) {
    setTick(node, "failed");
    var tick = node.querySelector(".kc-tick");
    tick.textContent = t("failed");
    tick.onclick = function () { tick.onclick = null; setTick(node, "sending"); deliver(text, id, node); };
  }
  function start(text) {
    var node = bubble("customer", text);
    setTick(node, "sending");
    request("start", { name: nameInput.value.trim(), message: text }).then(function (result) {
      if (result.status === 201) {
        list.removeChild(node);
        state.token = result.data.token;
        persist();
        (result.data.messages || []).forEach(addMessage);
        showStatus(result.data);
        schedule(0);
      } else if (result.status === 409) {
        list.removeChild(node);
        showOffline(text);
      } else {
        failed(text, "", node);
        node.querySelector(".kc-tick").onclick = function () { list.removeChild(node); start(text); };
      }
    }).catch(function () { failed(text, "", node); });
  }

  // -- the FAQ bot answers first (TEC-2) ---------------------------------------------------
  function setBot(on) {
    state.bot = !!on && !state.token;
    personBar.hidden = !state.bot;
    if (state.bot && !state.botGreeted) {
      state.botGreeted = true;
      bubble("bot", t("botGreeting"));
    }
  }
  function botBubble() {
    var node = el("div", { "class": "kc-msg kc-bot" });
    list.appendChild(node);
    return node;
  }
  function botButton(text, onClick) {
    var button = el("button", { "class": "kc-link", type: "button", text: text });
    button.addEventListener("click", onClick);
    return button;
  }
  function botFailed(result) {
    bubble("system", t(result && result.status === 429 ? "botLimited" : "botError"));
  }
  function botReply(reply) {
    if (reply.bot_token) { state.botToken = reply.bot_token; persist(); }
    var node = botBubble();
    var content = el("div", { "class": "kc-bubble" });
    node.appendChild(content);
    if (reply.kind === "answer" && reply.answer) {
      content.appendChild(el("div", { "class": "kc-bot-title", text: reply.answer.question }));
      var body = el("div");
      body.innerHTML = reply.answer.answer_html;  // sanitized by kefu (render_markdown)
      content.appendChild(body);
      var rate = el("div", { "class": "kc-bot-actions" });
      rate.appendChild(botButton(t("helpful"), function () { botFeedback(reply.turn, true, rate); }));
      rate.appendChild(botButton(t("unhelpful"), function () { botFeedback(reply.turn, false, rate); }));
      node.appendChild(rate);
    } else if (reply.kind === "choices" && reply.choices.length) {
      content.textContent = t("choose");
      var options = el("div", { "class": "kc-bot-actions" });
      reply.choices.forEach(function (choice) {
        options.appendChild(botButton(choice.question, function () { botChoose(reply.turn, choice.id); }));
      });
      node.appendChild(options);
    } else {
      content.textContent = t("outOfScope");
      handoff();
    }
    list.scrollTop = list.scrollHeight;
  }
  function botAsk(text) {
    bubble("customer", text);
    request("bot/ask", { bot_token: state.botToken, question: text }).then(function (result) {
      if (result.status === 201) { botReply(result.data); } else { botFailed(result); }
    }).catch(function () { botFailed(null); });
  }
  function botChoose(turn, faq) {
    request("bot/choose", { bot_token: state.botToken, turn: turn, faq: faq }).then(function (result) {
      if (result.status === 201) { botReply(result.data); } else { botFailed(result); }
    }).catch(function () { botFailed(null); });
  }
  function botFeedback(turn, helpful, slot) {
    request("bot/feedback", { bot_token: state.botToken, turn: turn, helpful: helpful }).then(function (result) {
      if (result.status === 200 || result.status === 409) {
        slot.textContent = t("thanks");
        if (!helpful) { slot.appendChild(botButton(t("person"), handoff)); }
      } else { botFailed(result); }
    }).catch(function () { botFailed(null); });
  }
  function lastQuestion() {
    var mine = list.querySelectorAll(".kc-customer .kc-bubble");
    return mine.length ? mine[mine.length - 1].textContent : "";
  }
  function handoff() {
    if (!state.botToken) { setBot(false); input.focus(); return; }  // nothing asked yet: just write
    request("bot/handoff", { bot_token: state.botToken, name: nameInput.value.trim() }).then(function (result) {
      if (result.status === 201) {
        state.botToken = "";
        state.token = result.data.token;
        setBot(false);
        list.textContent = ""; rendered = {};
        persist();
        (result.data.messages || []).forEach(addMessage);
        showStatus(result.data);
        schedule(0);
      } else if (result.status === 409 && result.data.error === "chat_closed") {
        state.botToken = "";
        persist();
        setBot(false);
        showOffline(lastQuestion());
      } else if (result.status === 404 || result.status === 409) {
        state.botToken = "";  // the bot conversation ended meanwhile: write to a person directly
        persist();
        setBot(false);
        input.focus();
      } else {
        botFailed(result);
      }
    }).catch(function () { botFailed(null); });
  }
  personButton.addEventListener("click", handoff);

  // -- leaving a message -----------------------------------------------------------------
  function showOffline(text) {
    chatView.hidden = true;
    endButton.hidden = true;
    offlineForm.hidden = false;
    if (text && !offlineForm.elements.message.value) { offlineForm.elements.message.value = text; }
  }
  var ERRORS = { name: "errName", phone: "errPhone", email: "errEmail", message: "errMessage" };
  offlineForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    ["name", "phone", "email", "message"].forEach(function (name) { body[name] = offlineForm.elements[name].value.trim(); });
    Array.prototype.forEach.call(offlineForm.querySelectorAll(".kc-error"), function (node) { node.textContent = ""; });
    Array.prototype.forEach.call(offlineForm.querySelectorAll(".kc-invalid"), function (node) { node.classList.remove("kc-invalid"); });
    request("offline", body).then(function (result) {
      if (result.status === 201) {
        offlineForm.hidden = true;
        offlineDone.hidden = false;
        offlineDone.textContent = t("offlineDone", { n: result.data.ticket });
        return;
      }
      var errors = (result.data && result.data.errors) || {};
      if (result.status === 422 && Object.keys(errors).length) {
        Object.keys(errors).forEach(function (name) {
          var slot = offlineForm.querySelector('.kc-error[data-field="' + name + '"]');
          if (slot) { slot.textContent = ERRORS[name] ? t(ERRORS[name]) : errors[name]; }
          if (offlineForm.elements[name]) { offlineForm.elements[name].classList.add("kc-invalid"); }
        });
      } else {
        offlineForm.querySelector('.kc-error[data-field="form"]').textContent =
          t(result.status === 429 ? "errRate" : "errGeneric");
      }
    }).catch(function () {
      offlineForm.querySelector('.kc-error[data-field="form"]').textContent = t("errGeneric");
    });
  });

  // -- wiring ----------------------------------------------------------------------------
  function openPanel(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    if (open) {
      badge.hidden = true; badge.textContent = "";
      if (!state.token) { loadConfig(); }
      setTimeout(function () { (offlineForm.hidden ? input : offlineForm.elements.name).focus(); }, 0);
      poll();
    }
    persist();
  }
  function loadConfig() {
    request("config").then(function (result) {
      if (result.status !== 200) { host.hidden = true; return; }
      state.config = result.data;
      if (!state.token) {
        statusLine.textContent = result.data.greeting || "";
        if (result.data.bot) {
          // The bot answers around the clock; a person (or a left message) comes after it.
          chatView.hidden = false; offlineForm.hidden = true;
          setBot(true);
        } else if (!result.data.open) { showOffline(""); } else { chatView.hidden = false; offlineForm.hidden = true; }
      }
    }).catch(function () { /* the server is unreachable: keep the launcher */ });
  }
  launcher.addEventListener("click", function () { openPanel(true); });
  closeButton.addEventListener("click", function () { openPanel(false); });
  sendButton.addEventListener("click", send);
  restartButton.addEventListener("click", function () { reset(); });
  endButton.addEventListener("click", function () {
    if (!state.token) { return; }
    request("end", { token: state.token }).then(function () { poll(); });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
  });
  input.addEventListener("input", function () {
    if (!state.token) { return; }
    var first = Date.now() - state.typingSince > 1500;
    state.typingSince = Date.now();
    if (first) { poll(); }  // the agent sees it within one poll, not after the next tick
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });

  function mount() {
    document.body.appendChild(host);
    loadConfig();
    if (state.token) { nameInput.hidden = true; poll(); }
    openPanel(state.open);
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
  window.kefuChat = { open: function () { openPanel(true); }, close: function () { openPanel(false); } };
})();
