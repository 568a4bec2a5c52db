// 评选活动申报导出: follow the job once a second until it is done or failed, then offer the download.
(function () {
  "use strict";
  var card = document.getElementById("case-export");
  if (!card) return;
  var url = card.dataset.statusUrl;
  var box = card.querySelector("[data-testid=export-progress]");
  var bar = box.querySelector(".progress-bar");
  var q = function (id) { return card.querySelector("[data-testid=" + id + "]"); };

  function show(state) {
    q("export-status").textContent = state.status_display;
    q("export-done").textContent = state.done;
    q("export-total").textContent = state.total;
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    box.setAttribute("aria-valuenow", state.percent);
    var finished = state.status === "done" || state.status === "failed";
    if (finished) bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    if (state.status === "failed") {
      bar.classList.add("bg-danger");
      q("export-error").textContent = state.error;
      q("export-error").classList.remove("d-none");
    }
    if (state.status === "done") bar.classList.add("bg-success");
    if (state.download_url) {
      q("export-download").href = state.download_url;
      q("export-download").classList.remove("d-none");
    }
    q("export-wait").classList.toggle("d-none", finished);
    return finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) { if (!show(state)) window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  if (card.dataset.status !== "done" && card.dataset.status !== "failed") window.setTimeout(poll, 1000);
})();
