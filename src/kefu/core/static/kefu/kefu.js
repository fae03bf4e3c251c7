// kefu workspace: keyboard shortcuts (documented in the "?" dialog) and small page helpers.
(function () {
  "use strict";
  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  function click(selector) {
    var element = document.querySelector(selector);
    if (element) { element.click(); return true; }
    return false;
  }
  function compose(kind) {
    var area = document.getElementById("id_body");
    if (!area) return false;
    var radio = document.getElementById("compose-" + kind);
    if (radio) radio.checked = true;
    area.focus();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var handled = false;
    switch (event.key) {
      case "/": var search = document.getElementById("kefu-search"); if (search) { search.focus(); handled = true; } break;
      case "n": handled = click("[data-shortcut='next']"); break;
      case "r": handled = compose("reply"); break;
      case "i": handled = compose("note"); break;
      case "e": handled = click("[data-shortcut='resolve']"); break;
      case "c": handled = click("[data-shortcut='new']"); break;
      case "?":
        var dialog = document.getElementById("kefu-shortcuts");
        if (dialog && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(dialog).show(); handled = true; }
        break;
    }
    if (handled) event.preventDefault();
  });
  // Whole queue rows are links; the number link inside stays the keyboard target.
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, button, input, label")) window.location.href = row.dataset.href;
  });
  // A live region that changed flashes briefly, so the agent notices.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target) event.detail.target.classList.add("kefu-live-flash");
  });
})();
