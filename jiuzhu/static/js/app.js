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
