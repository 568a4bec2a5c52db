// 批量查重: follow the job once a second until it is done or failed.
(function () {
  "use strict";
  var card = document.getElementById("similarity-run");
  if (!card) return;
  var url = card.dataset.statusUrl;
  var box = card.querySelector("[data-testid=run-progress]");
  var bar = box.querySelector(".progress-bar");
  var q = function (id) { return card.querySelector("[data-testid=" + id + "]"); };

  function show(state) {
    q("run-status").textContent = state.status_display;
    q("run-done").textContent = state.done;
    q("run-total").textContent = state.total;
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    box.setAttribute("aria-valuenow", state.percent);
    var finished = state.status === "done" || state.status === "failed";
    if (finished) bar.classList.remove("progress-bar-striped", "progress-bar-animated");
    if (state.status === "failed") {
      bar.classList.add("bg-danger");
      q("run-error").textContent = state.error;
      q("run-error").classList.remove("d-none");
    }
    if (state.status === "done") bar.classList.add("bg-success");
    if (state.status === "done") q("run-results").classList.remove("d-none");
    q("run-wait").classList.toggle("d-none", finished);
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
