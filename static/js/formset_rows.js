// 添加一行: a formset's hidden empty row (crispy's table layout renders it) is copied with the next index.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var form = button.closest("form");
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = form.querySelector("tr.empty-form");
    if (!total || !template) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var row = template.cloneNode(true);
      row.classList.remove("d-none", "empty-form");
      row.querySelectorAll("[name],[id],[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/__prefix__/g, String(index))); }
        });
      });
      template.parentNode.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]),select");
      if (first) { first.focus(); }
    });
  });
})();
