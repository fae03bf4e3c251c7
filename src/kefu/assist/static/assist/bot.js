/*
 * The FAQ bot box on the portal (TEC-2). Progressive enhancement: the box is plain HTML forms
 * posting to /portal/bot/ and works without JavaScript; this script sends the same actions to
 * /api/v1/assist/bot/ and draws the replies in place. Answers arrive as sanitized HTML.
 */
(function () {
  "use strict";
  var box = document.getElementById("bot");
  if (!box || !window.fetch) { return; }
  var API = box.getAttribute("data-api");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("bot-strings").textContent); } catch (e) { strings = {}; }
  var log = box.querySelector(".kefu-bot-log");
  var askForm = box.querySelector(".kefu-bot-ask");
  var input = askForm.querySelector("input[name=question]");

  function csrf() {
    var field = box.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function post(path, body) {
    return fetch(API + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function say(text, who) {
    var node = el("p", "kefu-bot-msg kefu-bot-" + who, text);
    log.appendChild(node); scroll();
    return node;
  }
  function showError(text) {
    var slot = box.querySelector("#bot-error");
    if (!slot) {
      slot = el("div", "alert alert-danger py-1 small");
      slot.id = "bot-error"; slot.setAttribute("role", "alert");
      askForm.parentNode.insertBefore(slot, askForm);
    }
    slot.textContent = text;
    slot.hidden = !text;
  }
  function button(className, text, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }
  function personButton() {
    return button("btn btn-sm btn-outline-primary mt-1 kefu-bot-person", strings.person || "Talk to a person", handoff);
  }
  function failed(result) {
    if (result.status === 429) { showError(strings.limited); return; }
    if (result.status === 409 || result.status === 404) { showError(strings.ended); return; }
    if (result.status === 422 && result.data.field === "question") { showError(strings.empty); return; }
    showError(strings.error);
  }

  function render(reply) {
    var node = el("div", "kefu-bot-msg kefu-bot-bot");
    node.setAttribute("data-turn", reply.turn);
    if (reply.kind === "answer" && reply.answer) {
      node.appendChild(el("div", "fw-semibold mb-1", reply.answer.question));
      var body = el("div", "kefu-faq-answer");
      body.innerHTML = reply.answer.answer_html;  // sanitized by the server (render_markdown)
      node.appendChild(body);
      var rate = el("div", "kefu-bot-feedback d-flex gap-2 mt-2");
      rate.appendChild(button("btn btn-sm btn-outline-success", strings.helpful, function () { feedback(reply.turn, true, rate); }));
      rate.appendChild(button("btn btn-sm btn-outline-secondary", strings.unhelpful, function () { feedback(reply.turn, false, rate); }));
      node.appendChild(rate);
    } else if (reply.kind === "choices") {
      node.appendChild(el("div", "mb-1", strings.choose));
      reply.choices.forEach(function (choice) {
        node.appendChild(button("btn btn-sm btn-outline-primary mb-1 me-1 kefu-bot-option", choice.question, function () {
          choose(reply.turn, choice.id);
        }));
      });
    } else {
      node.appendChild(el("div", "", strings.out));
      node.appendChild(personButton());
    }
    log.appendChild(node); scroll();
  }

  function ask(question) {
    showError("");
    say(question, "you");
    post("ask", { question: question }).then(function (result) {
      if (result.status === 201) { render(result.data); } else { failed(result); }
    }).catch(function () { showError(strings.error); });
  }
  function choose(turn, faq) {
    post("choose", { turn: turn, faq: faq }).then(function (result) {
      if (result.status === 201) { render(result.data); } else { failed(result); }
    }).catch(function () { showError(strings.error); });
  }
  function feedback(turn, helpful, slot) {
    post("feedback", { turn: turn, helpful: helpful }).then(function (result) {
      if (result.status === 200 || result.status === 409) {
        slot.textContent = strings.thanks;
        slot.className = "small text-muted mt-2";
        if (!helpful) { slot.appendChild(document.createElement("br")); slot.appendChild(personButton()); }
      } else { failed(result); }
    }).catch(function () { showError(strings.error); });
  }
  function handoff() {
    post("handoff", {}).then(function (result) {
      // Without a conversation there is nothing to hand off: straight to the form.
      window.location.href = (result.status === 200 && result.data.next) || box.getAttribute("data-request");
    }).catch(function () { window.location.href = box.getAttribute("data-request"); });
  }

  box.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.querySelector("input[name=action]");
    if (!action) { return; }
    event.preventDefault();
    if (action.value === "ask") {
      var question = input.value.trim();
      if (!question || question.length > 500) { showError(strings.empty); return; }
      input.value = "";
      ask(question);
    } else if (action.value === "choose") {
      choose(parseInt(form.elements.turn.value, 10), parseInt(form.elements.faq.value, 10));
    } else if (action.value === "feedback") {
      var helpful = event.submitter ? event.submitter.value === "yes" : true;
      feedback(parseInt(form.elements.turn.value, 10), helpful, form);
    } else if (action.value === "handoff") {
      handoff();
    }
  });
})();
