// Keyboard and screen-reader users keep their place:
// - a page that comes back with errors in a form puts the focus on the first field in error (its
//   label and message are read out) and says so in the window's title;
// - when htmx replaces the part of the page that held the focus, the focus moves to what replaced
//   it, instead of falling back to the top of the page.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    const invalid = document.querySelector("main [aria-invalid='true']");
    if (!invalid) {
      return;
    }
    const prefix = document.body.dataset.errorTitle;
    if (prefix && document.title.indexOf(prefix) !== 0) {
      document.title = prefix + " " + document.title;
    }
    // A group of boxes is focused through its first box.
    const target = invalid.matches("fieldset") ? invalid.querySelector("input, select, textarea") : invalid;
    if (target) {
      target.focus();
    }
  });

  let heldFocus = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    heldFocus = target && target.id && target.contains(document.activeElement) ? target.id : null;
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!heldFocus) {
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) {
      heldFocus = null;
      return; // something (htmx itself, or the page's own script) placed it already
    }
    const replacement = document.getElementById(heldFocus);
    heldFocus = null;
    if (replacement) {
      if (!replacement.hasAttribute("tabindex")) {
        replacement.setAttribute("tabindex", "-1");
      }
      replacement.focus();
    }
  });
})();
