// A form that changes something is sent once: a second click (or Enter) while the first request
// is on its way is ignored, so a double click does not record a milestone or a funding record
// twice. After 15 seconds without an answer (a dropped connection) it may be sent again. Forms
// that htmx sends, and forms opening in another window, are left alone; coming back to the page
// (the back button) makes its forms ready again.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (
      event.defaultPrevented ||
      String(form.method).toLowerCase() !== "post" ||
      form.target ||
      form.matches("[hx-post], [hx-put], [hx-patch], [hx-delete]")
    ) {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    // Should no answer ever come (the connection dropped), the person can try again.
    window.setTimeout(function () {
      delete form.dataset.sending;
    }, 15000);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
    });
  });
})();
