// Starts Redoc on /api/docs from an external file, so the page needs no inline script.
(function () {
  var container = document.getElementById("redoc-container");
  Redoc.init(container.getAttribute("data-spec-url"), {}, container);
})();
