// kefu agent assist (TEC-1): beside the reply composer, the FAQ answers, knowledge articles and
// recommended scripts (SCR-1, SCR-4) for what the customer just asked. Attaches to every
// element with data-agent-assist (templates/assist/_agent_assist.html):
//   data-assist-url           GET endpoint for a ticket or contact (read on load, and again when
//                             the ticket's live area shows a new timeline event);
//   data-assist-url-template  for the chat console: ".../contact/0"; chat_console.js sends
//                             "kefu:chat-customer-message" events {contact} and the panel
//                             fetches for that chat, debounced;
//   data-assist-target        CSS selector of the composer textarea the Insert buttons fill.
// Errors show one small line; the page works the same without this script. Plain JS.
(function () {
  "use strict";
  var DEBOUNCE_MS = 700;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function insertAtCursor(area, text) {
    var start = typeof area.selectionStart === "number" ? area.selectionStart : area.value.length;
    var end = typeof area.selectionEnd === "number" ? area.selectionEnd : start;
    var before = area.value.slice(0, start);
    // A paragraph of its own when the reply already has text before the cursor.
    var piece = before && !/\n$/.test(before) ? "\n" + text : text;
    if (typeof area.setRangeText === "function") {
      area.setRangeText(piece, start, end, "end");
    } else {
      area.value = before + piece + area.value.slice(end);
    }
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  function Panel(root) {
    this.root = root;
    this.S = function (name) { return root.getAttribute("data-s-" + name) || ""; };
    this.status = root.querySelector("[data-assist-status]");
    this.results = root.querySelector("[data-assist-results]");
    this.refreshButton = root.querySelector("[data-assist-refresh]");
    this.url = root.getAttribute("data-assist-url") || "";
    this.timer = null;
    this.seq = 0;
    var self = this;
    if (this.refreshButton) {
      this.refreshButton.hidden = false;
      this.refreshButton.addEventListener("click", function () { self.load(); });
    }
  }

  Panel.prototype.composer = function () {
    var selector = this.root.getAttribute("data-assist-target");
    return selector ? document.querySelector(selector) : null;
  };

  Panel.prototype.say = function (text, isError) {
    this.status.textContent = text || "";
    this.status.classList.toggle("text-danger", !!isError);
    this.status.classList.toggle("text-muted", !isError);
    this.status.hidden = !text;
  };

  Panel.prototype.later = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.load(); }, DEBOUNCE_MS);
  };

  Panel.prototype.load = function () {
    if (!this.url) { this.say(this.S("waiting")); return; }
    var self = this;
    var seq = ++this.seq;
    this.say(this.S("loading"));
    this.root.setAttribute("aria-busy", "true");
    fetch(this.url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        // Not for this role (e.g. department staff): no panel rather than an error.
        if (response.status === 403) { self.root.hidden = true; return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (seq !== self.seq || data === null) { return; }
        self.root.removeAttribute("aria-busy");
        self.render(data);
      })
      .catch(function () {
        if (seq !== self.seq) { return; }
        self.root.removeAttribute("aria-busy");
        self.results.textContent = "";
        self.say(self.S("error"), true);
      });
  };

  Panel.prototype.insertButton = function (text) {
    var self = this;
    var button = el("button", "btn btn-sm btn-outline-primary py-0 kefu-assist-insert", this.S("insert"));
    button.type = "button";
    button.addEventListener("click", function () {
      var area = self.composer();
      if (!area || area.disabled || area.readOnly) { self.say(self.S("no-composer"), true); return; }
      insertAtCursor(area, text);
      self.say(self.S("inserted"));
    });
    return button;
  };

  Panel.prototype.section = function (title, items, build) {
    if (!items || !items.length) { return; }
    var box = el("section", "mt-2");
    box.appendChild(el("h3", "small fw-semibold text-uppercase text-muted mb-1", title));
    var list = el("ul", "list-unstyled mb-0");
    items.forEach(function (item) { list.appendChild(build(item)); });
    box.appendChild(list);
    this.results.appendChild(box);
  };

  Panel.prototype.render = function (data) {
    var self = this;
    this.results.textContent = "";
    var faqs = data.faqs || [], articles = data.articles || [], scripts = data.scripts || [];
    if (!data.text) { this.say(this.S("waiting")); } else { this.say(""); }
    if (data.text) {
      var about = el("div", "small text-muted text-truncate", this.S("for") + ": " + data.text);
      about.title = data.text;
      this.results.appendChild(about);
    }
    if (data.text && !faqs.length && !articles.length && !scripts.length) { this.say(this.S("empty")); }
    this.section(this.S("faqs"), faqs, function (faq) {
      var item = el("li", "border rounded p-2 mb-2 kefu-assist-faq");
      item.setAttribute("data-faq", faq.id);
      var head = el("div", "d-flex justify-content-between align-items-start gap-2");
      head.appendChild(el("strong", "small", faq.question));
      head.appendChild(self.insertButton(faq.answer_text));
      item.appendChild(head);
      var answer = el("div", "small kefu-assist-answer");
      answer.innerHTML = faq.answer_html;  // sanitized on the server (nh3)
      if (answer.lastElementChild) { answer.lastElementChild.classList.add("mb-1"); }
      item.appendChild(answer);
      item.appendChild(el("div", "small text-muted fst-italic", faq.reason));
      return item;
    });
    this.section(this.S("articles"), articles, function (article) {
      var item = el("li", "mb-2 kefu-assist-article");
      item.setAttribute("data-article", article.id);
      var link = el("a", "small fw-semibold", article.title);
      link.href = article.url; link.target = "_blank"; link.rel = "noopener";
      item.appendChild(link);
      var snippet = el("div", "small text-muted");
      snippet.innerHTML = article.snippet;  // escaped on the server, <mark> only
      item.appendChild(snippet);
      item.appendChild(el("div", "small text-muted fst-italic", article.reason));
      return item;
    });
    this.section(this.S("scripts"), scripts, function (script) {
      var item = el("li", "border rounded p-2 mb-2 kefu-assist-script");
      item.setAttribute("data-script", script.id);
      item.setAttribute("data-stage", script.stage);
      var head = el("div", "d-flex justify-content-between align-items-start gap-2");
      var title = el("strong", "small", script.title);
      title.appendChild(el("span", "badge text-bg-light border ms-1 fw-normal", script.stage_label));
      head.appendChild(title);
      head.appendChild(self.insertButton(script.text));
      item.appendChild(head);
      item.appendChild(el("div", "small", script.text));
      item.appendChild(el("div", "small text-muted fst-italic", script.reason));
      return item;
    });
  };

  var panels = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-agent-assist]"), function (root) {
    var panel = new Panel(root);
    panels.push(panel);
    if (panel.url) { panel.load(); } else { panel.say(panel.S("waiting")); }
  });
  if (!panels.length) { return; }

  // The chat console tells which chat is open and when its customer wrote (chat_console.js).
  document.addEventListener("kefu:chat-customer-message", function (event) {
    var contact = event.detail && event.detail.contact;
    panels.forEach(function (panel) {
      var template = panel.root.getAttribute("data-assist-url-template");
      if (!template || !contact) { return; }
      var url = template.replace(/\/0$/, "/" + contact);
      if (url !== panel.url) { panel.results.textContent = ""; }
      panel.url = url;
      panel.later();
    });
  });

  // The ticket page's live area (htmx, every few seconds) carries the last event id: a new
  // customer message or reply changes it, and the suggestions follow the conversation.
  var live = document.getElementById("ticket-live");
  var lastEvent = live ? (live.getAttribute("hx-get") || "").replace(/.*[?&]e=([^&]*).*/, "$1") : "";
  document.addEventListener("htmx:afterSettle", function () {
    var current = document.getElementById("ticket-live");
    if (!current) { return; }
    var event = (current.getAttribute("hx-get") || "").replace(/.*[?&]e=([^&]*).*/, "$1");
    if (event === lastEvent) { return; }
    lastEvent = event;
    panels.forEach(function (panel) { if (panel.root.getAttribute("data-assist-url")) { panel.later(); } });
  });
})();
