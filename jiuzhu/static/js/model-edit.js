/* The model draft form: the weights must add up to 1, so the running total is
   shown while the officer types. */
(function () {
  "use strict";
  var out = document.getElementById("weight-sum");
  if (!out) return;
  var boxes = document.querySelectorAll('input[name^="weights__"]');
  function update() {
    var total = 0;
    boxes.forEach(function (b) { total += parseFloat(b.value) || 0; });
    out.textContent = (Math.round(total * 10000) / 10000).toString();
    var off = Math.abs(total - 1) > 1e-6;
    out.classList.toggle("sum-off", off);
    out.classList.toggle("sum-ok", !off);
  }
  boxes.forEach(function (b) { b.addEventListener("input", update); });
  update();
})();
