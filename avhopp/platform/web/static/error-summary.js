// The error summary: on a page sent back with errors it takes the focus (it is announced), and each of
// its links moves the focus to the field it names: the field itself, else the first control inside the
// element with that id (a group of radio buttons), else the control with that name.
(function () {
  function fieldOf(name) {
    var target = document.getElementById(name);
    if (target && !target.matches("input, select, textarea, button")) {
      target = target.querySelector("input:not([type=hidden]), select, textarea") || target;
    }
    if (!target) {
      var named = document.getElementsByName(name);
      target = named.length ? named[0] : null;
    }
    return target;
  }

  function openAround(element) {
    for (var parent = element.parentElement; parent; parent = parent.parentElement) {
      if (parent.tagName === "DETAILS") { parent.open = true; }
    }
  }

  function start() {
    var summary = document.querySelector(".ds-error-summary");
    if (!summary) { return; }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = fieldOf(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!field) { return; }
      event.preventDefault();
      openAround(field);
      if (!field.matches("input, select, textarea, button, [tabindex]")) { field.setAttribute("tabindex", "-1"); }
      field.focus();
      var label = field.id ? document.querySelector("label[for='" + field.id + "']") : null;
      (field.closest("fieldset") || label || field).scrollIntoView({block: "center"});
    });
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
