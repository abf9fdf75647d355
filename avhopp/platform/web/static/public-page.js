// The public page "Hitta stöd": a quick way out, and focus on the answer to what was sent.
//
// "Lämna sidan snabbt" (or the Escape key) empties the page and replaces it with a neutral site
// through location.replace, so the page is not left in the history for Back to return to. The
// link itself leads to the same site when scripts are off. A form's problems take the focus, as
// the results and the thanks do through autofocus.
(function () {
  "use strict";
  var exit = document.querySelector("[data-quick-exit]");
  if (exit) {
    var leave = function (event) {
      event.preventDefault();
      var neutral = exit.href;
      document.title = "";
      document.body.replaceChildren();
      window.location.replace(neutral);
    };
    exit.addEventListener("click", leave);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        leave(event);
      }
    });
  }
  var problems = document.getElementById("error-summary");
  if (problems) {
    problems.focus();
  }
})();
