/* The household picker (households/_picker.html): htmx fetches the results as the
   clerk types; this file turns a tapped result into the form's hidden household id.
   No inline script or handler anywhere: the Content-Security-Policy allows neither. */
(function () {
  "use strict";
  if (window.__householdPicker) { return; } // the partial may be included twice on a page
  window.__householdPicker = true;

  function pickerOf(el) { return el.closest ? el.closest("[data-household-picker]") : null; }

  function choose(picker, button) {
    picker.querySelector(".picker-value").value = button.getAttribute("data-pick-id");
    var box = picker.querySelector(".picker-q");
    box.value = button.getAttribute("data-pick-label");
    var chosen = picker.querySelector(".picker-chosen");
    chosen.textContent = "已选择:" + button.getAttribute("data-pick-label");
    chosen.hidden = false;
    picker.querySelector(".picker-results").innerHTML = "";
    picker.classList.add("picked");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".picker-choice") : null;
    var picker = button && pickerOf(button);
    if (picker) { choose(picker, button); }
  });

  // Typing again drops the earlier choice: what is submitted is what is shown.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches(".picker-q")) { return; }
    var picker = pickerOf(el);
    if (!picker || !picker.classList.contains("picked")) { return; }
    picker.classList.remove("picked");
    picker.querySelector(".picker-value").value = "";
    var chosen = picker.querySelector(".picker-chosen");
    chosen.hidden = true;
    chosen.textContent = "";
  });

  // Enter in the box takes the first result instead of submitting the form half-filled.
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || !el.matches || !el.matches(".picker-q")) { return; }
    var picker = pickerOf(el);
    var first = picker && picker.querySelector(".picker-choice");
    if (first) {
      event.preventDefault();
      choose(picker, first);
    }
  });
})();
