/* Printing (print.css holds the layout): the 打印 button, and what a printed page
   needs from the screen page at the moment it is printed. Bound by data attributes,
   no inline script (the Content-Security-Policy allows none).

   <button type="button" data-print hidden>打印</button>: shown once this file runs
   (without script it could do nothing), prints the page.
   <time data-print-time>: the print header's time, set to the moment of printing.
   Closed <details> are opened for the print and closed again after it. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function stampTime() {
    var now = new Date();
    var text = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      " " + pad(now.getHours()) + ":" + pad(now.getMinutes());
    document.querySelectorAll("time[data-print-time]").forEach(function (el) {
      el.textContent = text;
      el.setAttribute("datetime", now.toISOString());
    });
  }

  function openDetails() {
    document.querySelectorAll("details:not([open])").forEach(function (el) {
      el.setAttribute("data-print-opened", "");
      el.open = true;
    });
  }

  function closeDetails() {
    document.querySelectorAll("details[data-print-opened]").forEach(function (el) {
      el.removeAttribute("data-print-opened");
      el.open = false;
    });
  }

  window.addEventListener("beforeprint", function () { stampTime(); openDetails(); });
  window.addEventListener("afterprint", closeDetails);

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-print]") : null;
    if (!el) { return; }
    event.preventDefault();
    window.print();
  });

  function showButtons() {
    document.querySelectorAll("[data-print][hidden]").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showButtons);
  } else {
    showButtons();
  }
})();
