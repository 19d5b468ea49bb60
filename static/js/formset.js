// A "new row" button for a Django formset: a button with data-formset-add="<prefix>" copies the
// formset's empty form (a <template id="<prefix>-empty">) to the end of its list
// (data-formset-list="<prefix>"), numbers it and counts it in the management form. Without
// scripts the button stays hidden and each save offers one more blank row.
(function () {
  "use strict";

  document.querySelectorAll("button[data-formset-add]").forEach(function (button) {
    const prefix = button.dataset.formsetAdd;
    const template = document.getElementById(prefix + "-empty");
    const list = document.querySelector('[data-formset-list="' + prefix + '"]');
    const total = button.form && button.form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const most = button.form && button.form.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (!template || !list || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      if (most && index >= parseInt(most.value, 10)) {
        return;
      }
      const holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
      const added = Array.from(holder.children);
      added.forEach(function (element) {
        list.appendChild(element);
      });
      total.value = String(index + 1);
      const first = added.length && added[0].querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
