// A button with data-copy="#id" copies that field's value to the clipboard and says so. It is
// hidden until this script runs: without JavaScript the field is still there to select and copy.
// A field marked data-select-on-focus selects its whole value when it gets the focus.
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () {
    field.select();
  });
});
document.querySelectorAll("[data-copy]").forEach(function (button) {
  const field = document.querySelector(button.dataset.copy);
  if (!field) {
    return;
  }
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", function () {
    field.select();
    const done = function () {
      button.textContent = button.dataset.copied;
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (document.execCommand("copy")) { done(); }
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  });
});
