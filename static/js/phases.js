// On a startup's form, the development-phase list offers only the phases of the chosen product
// type (drugs, devices, diagnostics); the server checks the pair all the same.
(function () {
  "use strict";

  document.querySelectorAll("select[data-phases-by-type]").forEach(function (phase) {
    const byType = JSON.parse(phase.dataset.phasesByType);
    const type = phase.form && phase.form.querySelector("select[name=product_type]");
    if (!type) {
      return;
    }
    function update() {
      const allowed = byType[type.value] || [];
      phase.querySelectorAll("option").forEach(function (option) {
        const offered = option.value === "" || allowed.includes(option.value);
        option.hidden = !offered;
        option.disabled = !offered;
      });
      if (phase.value && !allowed.includes(phase.value)) {
        phase.value = allowed[0] || "";
      }
    }
    type.addEventListener("change", update);
    update();
  });
})();
