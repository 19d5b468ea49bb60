// Drag and drop on the kanban board. Dropping a card on another column posts the move with htmx;
// the server answers with the whole board, where the card is in its new column, or back in its
// old one with the reason the move was refused.
(function () {
  "use strict";

  function setUp() {
    const board = document.getElementById("board");
    if (!board || typeof Sortable === "undefined") {
      return;
    }
    board.querySelectorAll(".kanban-cards").forEach(function (list) {
      Sortable.create(list, {
        group: "board",
        sort: false,
        animation: 120,
        draggable: ".kanban-card",
        filter: "a, button, input, textarea",
        preventOnFilter: false,
        onEnd: function (event) {
          const from = event.from.dataset.stage;
          const to = event.to.dataset.stage;
          if (from === to) {
            return;
          }
          const card = event.item;
          // A stage without a way out (alumni) asks first; "no" puts the card back.
          const question = event.to.closest(".kanban-column").dataset.confirm;
          if (question && !window.confirm(question)) {
            event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
            return;
          }
          htmx.ajax("POST", board.dataset.moveUrl, {
            source: card,
            target: "#board",
            swap: "outerHTML",
            values: { startup: card.dataset.startupId, target: to, expected_state: card.dataset.stage },
          });
        },
      });
    });
  }

  // After a move (by button, key or drag) the focus goes to the moved card: to the reason when
  // the move was refused, else to its name, so keyboard users keep their place on the board.
  let moved = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const source = event.detail.elt;
    const card = source && source.closest ? source.closest(".kanban-card") : null;
    moved = card ? card.dataset.startupId : null;
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (!moved || !(event.target.id === "board" || event.target.closest("#board"))) {
      return;
    }
    const card = document.getElementById("card-" + moved);
    moved = null;
    if (!card) {
      return; // filtered out of the board by its new stage
    }
    const refusal = card.querySelector("[role=alert]");
    if (refusal) {
      refusal.setAttribute("tabindex", "-1");
      refusal.focus();
    } else {
      card.querySelector(".card-title a").focus();
    }
  });

  document.addEventListener("DOMContentLoaded", setUp);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "board") {
      setUp();
    }
  });
  document.body.addEventListener("htmx:afterSettle", setUp);
})();
