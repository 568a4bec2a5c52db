// The reviewer's form (reviews/case.html): each rubric part's subtotal follows the points as they are typed.
// The server computes the same figures on every page load; this only keeps them current between saves.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=score-form]");
  if (!form) return;
  var inputs = form.querySelectorAll("input[data-part]");
  if (!inputs.length) return;

  function format(value) {
    return String(Math.round(value * 100) / 100);
  }

  function update() {
    var sums = {};
    inputs.forEach(function (input) {
      var part = input.dataset.part;
      var value = parseFloat(input.value);
      sums[part] = (sums[part] || 0) + (isFinite(value) ? value * parseFloat(input.dataset.weight || "1") : 0);
    });
    form.querySelectorAll("[data-part-subtotal]").forEach(function (cell) {
      cell.textContent = format(sums[cell.dataset.partSubtotal] || 0);
    });
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();
