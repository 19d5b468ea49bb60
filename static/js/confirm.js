// Asks before a form does something that cannot be undone: a form, or the button that submits
// it, with data-confirm="question" submits only once the person says yes. With
// data-confirm-when-filled="name …" it asks only once those fields have a value: with one still
// empty, the server refuses and names it, and nothing final happens, so there is nothing to ask.
document.addEventListener("submit", function (event) {
  const source = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const question = source.dataset ? source.dataset.confirm : null;
  if (!question) {
    return;
  }
  const needed = (source.dataset.confirmWhenFilled || "").split(" ").filter(Boolean);
  const form = event.target;
  const empty = needed.some(function (name) {
    const field = form.elements[name];
    return field && !String(field.value || "").trim();
  });
  if (!empty && !window.confirm(question)) {
    event.preventDefault();
  }
});
