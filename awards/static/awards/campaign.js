// 公示与证书 (staff): the certificate export's progress bar follows its status endpoint.
(function () {
  "use strict";
  var panel = document.querySelector("[data-testid=export-panel]");
  if (!panel) return;
  var bar = panel.querySelector("[data-testid=export-bar]");
  function poll() {
    fetch(panel.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        bar.style.width = d.percent + "%";
        bar.textContent = d.percent + "%";
        panel.querySelector(".progress").setAttribute("aria-valuenow", d.percent);
        panel.querySelector("[data-testid=export-status]").textContent = d.status_label;
        panel.querySelector("[data-testid=export-note]").textContent = d.note;
        var link = panel.querySelector("[data-testid=export-download]");
        if (d.download) { link.href = d.download; link.classList.remove("d-none"); }
        if (d.status !== "done" && d.status !== "failed") setTimeout(poll, 1000);
      });
  }
  poll();
})();
