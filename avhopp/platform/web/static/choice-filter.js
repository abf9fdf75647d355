// Search-as-you-type in long lists of checkboxes (municipalities, languages): a static script, no inline
// style, so it passes the strict CSP. Without the script the lists work as they are; the search box,
// rendered hidden, shows only when the script runs. Nothing typed in it is sent with the form.
(function () {
  function plain(text) {
    return text.toLocaleLowerCase("sv").normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim();
  }
  document.querySelectorAll("[data-choice-filter]").forEach(function (list) {
    var box = list.querySelector("[data-choice-search]");
    if (!box) { return; }
    var input = box.querySelector("input");
    var count = box.querySelector("[data-choice-count]");
    var choices = Array.prototype.filter.call(list.querySelectorAll(".ds-field"), function (field) {
      return field !== box && field.querySelector("input[type=checkbox]");
    });
    var groups = list.querySelectorAll("details");
    box.hidden = false;
    input.addEventListener("input", function () {
      var wanted = plain(input.value);
      var shown = 0;
      choices.forEach(function (field) {
        var match = !wanted || plain(field.textContent).indexOf(wanted) !== -1;
        field.hidden = !match;
        if (match) { shown += 1; }
      });
      Array.prototype.forEach.call(groups, function (group) {
        var any = group.querySelector(".ds-field:not([hidden])") !== null;
        group.hidden = !any;
        group.open = wanted ? any : group.querySelector("input:checked") !== null;
      });
      count.textContent = wanted ? count.getAttribute("data-template").replace("%(count)s", String(shown)) : "";
    });
    // Enter in the search box filters; it does not send the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });
}());
