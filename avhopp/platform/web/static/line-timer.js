// The contact timer on the guidance line's console: minutes and seconds since the contact started.
(function () {
  var timer = document.querySelector(".app-timer");
  if (!timer) { return; }
  var started = Date.parse(timer.getAttribute("data-started"));
  function tick() {
    var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
    timer.textContent = Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
  }
  tick();
  setInterval(tick, 1000);
}());
