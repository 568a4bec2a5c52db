// A background job's progress bar (notifications/_job_progress.html): follow the status endpoint once a
// second until the job is done or failed, then offer the download.
(function () {
  "use strict";
  function follow(panel) {
    var url = panel.dataset.statusUrl;
    var box = panel.querySelector("[data-testid=export-progress]");
    var bar = box.querySelector(".progress-bar");
    var q = function (id) { return panel.querySelector("[data-testid=" + id + "]"); };
    var finishedStatus = function (status) { return status === "done" || status === "failed"; };

    function show(state) {
      q("export-status").textContent = state.status_display;
      q("export-done").textContent = state.done;
      q("export-total").textContent = state.total;
      bar.style.width = state.percent + "%";
      bar.textContent = state.percent + "%";
      box.setAttribute("aria-valuenow", state.percent);
      var finished = finishedStatus(state.status);
      if (finished) bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.toggle("bg-danger", state.status === "failed");
      bar.classList.toggle("bg-success", state.status === "done");
      q("export-error").textContent = state.error;
      q("export-error").classList.toggle("d-none", !state.error);
      q("export-note").textContent = state.note;
      q("export-note").classList.toggle("d-none", !state.note);
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

    if (!finishedStatus(panel.dataset.status)) window.setTimeout(poll, 1000);
  }
  document.querySelectorAll("[data-job-progress]").forEach(follow);
})();
