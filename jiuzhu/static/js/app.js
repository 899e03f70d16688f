/* Behaviours every page may use, declared in the markup by data attributes, so that
   no page needs an inline script or event handler (the Content-Security-Policy
   allows scripts from this site's files only). */
(function () {
  "use strict";

  // <select data-auto-submit>: choosing an option submits its form.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-auto-submit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // <input type="checkbox" data-check-all="NAME" form="F">: ticking it ticks (or clears)
  // every checkbox named NAME of form F; ticking those by hand keeps it in step.
  function boxesOf(master) {
    var name = master.getAttribute("data-check-all");
    return Array.prototype.filter.call(
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]'),
      function (box) { return box.form === master.form; }
    );
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches('input[type="checkbox"]')) { return; }
    if (el.hasAttribute("data-check-all")) {
      boxesOf(el).forEach(function (box) { box.checked = el.checked; });
      return;
    }
    document.querySelectorAll("[data-check-all]").forEach(function (master) {
      var boxes = boxesOf(master);
      if (boxes.indexOf(el) === -1) { return; }
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      master.checked = ticked === boxes.length;
      master.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  });

  // After a rejected save, land on the list of errors (#error-summary).
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrors);
  } else {
    focusErrors();
  }
})();
