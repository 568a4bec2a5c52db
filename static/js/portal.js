// Behaviour every page may use, declared in the markup (the Content-Security-Policy allows no
// inline script or on* attribute): data-confirm on a form asks before it is sent;
// data-action="print" prints the page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("[data-action=print]");
    if (trigger) {
      event.preventDefault();
      window.print();
    }
  });
})();
