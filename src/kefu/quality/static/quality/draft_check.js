// kefu: forbidden phrases flagged while an agent types a reply (SCR-2, issue 7 "prevention while
// typing"). Attaches to every <textarea data-qa-draft="CHANNEL">: ~300 ms after typing stops the
// draft is posted to /api/v1/qa/draft (session + CSRF token, like the other kefu scripts) and a
// warning under the textarea lists each phrase with its category and the recommended wording,
// each with a one-click "使用建议用语" button that puts the suggestion in place of the phrase.
// Sending is never blocked: the agent decides. The warning is an aria-live region.
// Optional: data-qa-url on the textarea (default /api/v1/qa/draft). Plain JS, no libraries.
(function () {
  "use strict";
  var DELAY_MS = 300;
  var WATCH_MS = 1000;
  var MAX_TEXT = 5000;
  var STRINGS = {
    zh: {
      heading: "发送前请注意以下用语（SCR-2）：",
      suggestion: "建议用语：",
      use: "使用建议用语",
      used: "已替换为建议用语。",
      categories: {
        shirking: "推诿", vague_promise: "模糊承诺", doubting_customer: "质疑客户",
        blunt: "生硬话术", impatience: "不耐烦"
      }
    },
    en: {
      heading: "Check this wording before sending (SCR-2):",
      suggestion: "Suggested: ",
      use: "Use the suggestion",
      used: "Replaced with the suggested wording.",
      categories: {
        shirking: "Shirking", vague_promise: "Vague promise", doubting_customer: "Doubting the customer",
        blunt: "Blunt wording", impatience: "Impatience"
      }
    }
  };
  var lang = document.documentElement.lang || "zh";
  var T = /^zh/i.test(lang) || !lang ? STRINGS.zh : STRINGS.en;

  var csrf = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
  var bodyHeaders = document.body.getAttribute("hx-headers");
  if (!csrf && bodyHeaders) { try { csrf = JSON.parse(bodyHeaders)["X-CSRFToken"]; } catch (e) { /* none */ } }

  // The server counts characters (code points); JavaScript strings count UTF-16 units.
  function unitIndex(text, codePoints) {
    var index = 0;
    for (var n = 0; n < codePoints && index < text.length; n++) {
      var code = text.charCodeAt(index);
      index += code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
    }
    return index;
  }

  function attach(area, number) {
    if (area.getAttribute("data-qa-attached")) return;
    area.setAttribute("data-qa-attached", "1");
    var url = area.getAttribute("data-qa-url") || "/api/v1/qa/draft";
    var channel = area.getAttribute("data-qa-draft") || "";
    var box = document.createElement("div");
    box.id = (area.id || "qa-draft-" + number) + "-qa";
    box.className = "kefu-qa-draft small";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", box);
    area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + box.id).trim());

    var timer = null;
    var seq = 0;
    var checked = area.value;
    var shown = { text: "", findings: [] };

    function clear(note) {
      box.innerHTML = "";
      box.className = "kefu-qa-draft small";
      shown = { text: "", findings: [] };
      if (note) {
        var done = document.createElement("div");
        done.className = "text-success my-1";
        done.textContent = note;
        box.appendChild(done);
      }
    }

    function render(text, findings) {
      if (!findings.length) { clear(); return; }
      shown = { text: text, findings: findings };
      box.innerHTML = "";
      box.className = "kefu-qa-draft small alert alert-warning py-2 px-3 my-2";
      var heading = document.createElement("div");
      heading.className = "fw-semibold mb-1";
      heading.textContent = T.heading;
      box.appendChild(heading);
      var list = document.createElement("ul");
      list.className = "list-unstyled mb-0";
      findings.forEach(function (finding, index) {
        var item = document.createElement("li");
        item.className = "d-flex flex-wrap align-items-center gap-2 mb-1";
        item.setAttribute("data-qa-category", finding.category);
        var badge = document.createElement("span");
        badge.className = "badge text-bg-danger";
        badge.textContent = T.categories[finding.category] || finding.category;
        var phrase = document.createElement("mark");
        phrase.className = "kefu-qa-evidence";
        phrase.textContent = finding.evidence;
        var suggestion = document.createElement("span");
        suggestion.className = "kefu-qa-suggestion";
        suggestion.textContent = T.suggestion + finding.suggestion;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-success py-0";
        button.setAttribute("data-qa-use", String(index));
        button.textContent = T.use;
        item.appendChild(badge);
        item.appendChild(phrase);
        item.appendChild(suggestion);
        item.appendChild(button);
        list.appendChild(item);
      });
      box.appendChild(list);
    }

    function check() {
      timer = null;
      var text = area.value;
      checked = text;
      var mine = ++seq;
      if (!text.trim() || text.length > MAX_TEXT) { clear(); return; }
      fetch(url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ text: text, channel: channel })
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (mine !== seq || !data) return;
        render(text, data.findings || []);
      }).catch(function () { /* the check is advice; sending goes on without it */ });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    }

    function use(index) {
      var finding = shown.findings[index];
      if (!finding) return;
      var value = area.value;
      var start = unitIndex(shown.text, finding.span[0]);
      var end = unitIndex(shown.text, finding.span[1]);
      if (value !== shown.text && value.slice(start, end) !== finding.evidence) {
        // The draft changed since the check: replace the phrase where it is now, if anywhere.
        start = value.indexOf(finding.evidence);
        if (start < 0) { schedule(); return; }
        end = start + finding.evidence.length;
      }
      area.value = value.slice(0, start) + finding.suggestion + value.slice(end);
      var caret = start + finding.suggestion.length;
      area.focus();
      area.setSelectionRange(caret, caret);
      clear(T.used);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }

    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-qa-use]");
      if (button) use(Number(button.getAttribute("data-qa-use")));
    });
    area.addEventListener("input", schedule);
    // Scripts that clear or fill the box (the chat console after sending) fire no input event.
    setInterval(function () { if (!timer && area.value !== checked) schedule(); }, WATCH_MS);
    if (area.value.trim()) schedule();
  }

  function start() {
    var areas = document.querySelectorAll("textarea[data-qa-draft]");
    for (var i = 0; i < areas.length; i++) attach(areas[i], i);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
