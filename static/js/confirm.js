// Asks before a form does something that cannot be undone: a form, or the button that submits
// it, with data-confirm="question" submits only once the person says yes.
document.addEventListener("submit", function (event) {
  const source = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const question = source.dataset ? source.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
