/* The application editor: character counts, team rows, autosave with version checks,
   a local copy in localStorage, and the privacy/terminology findings with one-click fixes. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) { return; }
  var pk = form.dataset.pk;
  var storeKey = "kp-draft-" + pk;
  var versionInput = document.getElementById("id_version");
  var statusEl = document.getElementById("autosave-status");
  var dirty = false;
  var stopped = false;
  var findings = JSON.parse(document.getElementById("findings-data").textContent || "{}");

  // --- Character counts -----------------------------------------------------------------
  var sections = Array.prototype.slice.call(form.querySelectorAll("textarea[data-section]"));
  var min = parseInt(form.dataset.bodyMin, 10), max = parseInt(form.dataset.bodyMax, 10);
  function counts() {
    var total = 0;
    sections.forEach(function (ta) {
      var n = Array.from(ta.value).length;
      total += n;
      var el = form.querySelector('[data-count-for="' + ta.dataset.section + '"]');
      var limit = parseInt(ta.dataset.maxChars, 10);
      if (el) {
        el.textContent = "本节 " + n + " 字" + (limit && n > limit ? "，超过每节 " + limit + " 字的上限，请删减 " + (n - limit) + " 字" : "");
        el.classList.toggle("text-danger", Boolean(limit && n > limit));
      }
    });
    var box = document.getElementById("body-total");
    if (!box) { return; }  // a defined form has no one body total: each long text counts itself
    var advice = "正文共 " + total + " 字，建议 " + min + "—" + max + " 字";
    if (total < min) { advice += "，还差 " + (min - total) + " 字。"; box.className = "alert alert-warning"; }
    else if (total > max) { advice += "，超出 " + (total - max) + " 字。"; box.className = "alert alert-warning"; }
    else { advice += "。"; box.className = "alert alert-success"; }
    box.textContent = advice;
  }

  // --- 三、服务计划 guidance follows the category -------------------------------------------
  var guidance = document.getElementById("plan-guidance");
  if (guidance) {
    form.querySelectorAll('input[name="category"]').forEach(function (radio) {
      radio.addEventListener("change", function () { guidance.textContent = guidance.dataset[radio.value] || ""; });
    });
  }
  // A defined form: a section's guidance may follow a choice field (guidance_by).
  form.querySelectorAll("[data-guidance-by]").forEach(function (box) {
    var texts = JSON.parse(box.dataset.guidanceTexts || "{}");
    var select = form.elements.namedItem(box.dataset.guidanceBy);
    if (!select || !select.addEventListener) { return; }
    select.addEventListener("change", function () { box.textContent = texts[select.value] || box.dataset.guidanceDefault || ""; });
  });
  // A defined form's tables: add a row from the table's template, remove a row.
  form.querySelectorAll("[data-table-add]").forEach(function (button) {
    var key = button.dataset.tableAdd;
    var body = form.querySelector('[data-table-rows="' + key + '"]');
    var template = document.getElementById("table-template-" + key);
    button.addEventListener("click", function () {
      var max = parseInt(body.dataset.maxRows, 10);
      if (body.querySelectorAll("tr").length >= max) { alert("最多 " + max + " 行。"); return; }
      var index = parseInt(body.dataset.nextIndex, 10);
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__row__/g, index));
      body.dataset.nextIndex = index + 1;
      markDirty();
    });
    body.addEventListener("click", function (event) {
      var remove = event.target.closest(".table-remove");
      if (!remove) { return; }
      remove.closest("tr").remove();
      markDirty();
    });
  });

  // --- Team rows --------------------------------------------------------------------------
  var totalInput = form.querySelector("#id_team-TOTAL_FORMS");
  var rows = document.getElementById("team-rows");
  function visibleRows() { return rows.querySelectorAll("tr.team-row:not([hidden])").length; }
  if (rows) document.getElementById("team-add").addEventListener("click", function () {
    if (visibleRows() >= 10) { alert("实施团队最多 10 人。"); return; }
    var index = parseInt(totalInput.value, 10);
    var html = document.getElementById("team-template").innerHTML.replace(/__prefix__/g, index);
    rows.insertAdjacentHTML("beforeend", html);
    totalInput.value = index + 1;
    markDirty();
  });
  if (rows) rows.addEventListener("click", function (event) {
    var button = event.target.closest(".team-remove");
    if (!button) { return; }
    if (visibleRows() <= 1) { alert("实施团队至少 1 人。"); return; }
    var row = button.closest("tr");
    var del = row.querySelector('input[name$="-DELETE"]');
    if (del) { del.checked = true; }
    row.hidden = true;
    markDirty();
  });

  // --- Local copy -------------------------------------------------------------------------
  function snapshot() {
    var data = {};
    form.querySelectorAll("input[type=text], input[type=email], input[type=date], input[type=url], input:not([type]), textarea, select").forEach(function (el) {
      if (el.name && el.name !== "version" && el.name !== "csrfmiddlewaretoken") { data[el.name] = el.value; }
    });
    return data;
  }
  function saveLocal() {
    try { localStorage.setItem(storeKey, JSON.stringify({ at: Date.now(), version: versionInput.value, data: snapshot() })); } catch (e) { /* storage full or blocked */ }
  }
  function offerRestore() {
    var stored;
    try { stored = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { stored = null; }
    if (!stored || !stored.data) { return; }
    var current = snapshot();
    var differs = Object.keys(stored.data).some(function (name) { return name in current && stored.data[name] !== current[name]; });
    if (!differs) { localStorage.removeItem(storeKey); return; }
    document.getElementById("restore-time").textContent = new Date(stored.at).toLocaleString("zh-CN");
    var banner = document.getElementById("restore-banner");
    banner.hidden = false;
    document.getElementById("restore-button").addEventListener("click", function () {
      Object.keys(stored.data).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (el && el.value !== undefined && !(el instanceof RadioNodeList)) { el.value = stored.data[name]; }
      });
      banner.hidden = true;
      counts();
      markDirty();
    });
    document.getElementById("restore-dismiss").addEventListener("click", function () {
      localStorage.removeItem(storeKey);
      banner.hidden = true;
    });
  }

  // --- Autosave ---------------------------------------------------------------------------
  function payload() {
    var data = new FormData(form);
    // Autosave keeps text only: files, new links and deletions wait for the 保存草稿 button.
    ["new_photos", "new_attachment", "action", "link_url", "link_title", "photo_delete", "attachment_delete",
     "link_delete"].forEach(function (name) { data.delete(name); });
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    return data;
  }
  function markDirty() { dirty = true; saveLocal(); }
  function showProblems(problems) {
    form.querySelectorAll("[data-errors-for]").forEach(function (box) {
      var list = (problems || {})[box.dataset.errorsFor] || [];
      box.replaceChildren.apply(box, list.map(function (m) { var d = document.createElement("div"); d.textContent = m; return d; }));
    });
  }
  function autosave() {
    if (!dirty || stopped) { return Promise.resolve(); }
    dirty = false;
    statusEl.textContent = "正在自动保存…";
    return fetch(form.dataset.autosaveUrl, {
      method: "POST", body: payload(), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      var body = result.body;
      if (result.status === 401 || result.status === 403) {
        stopped = true;
        saveLocal();
        if (body.login) { document.getElementById("relogin-link").href = body.login; }
        document.getElementById("session-expired").hidden = false;
        statusEl.textContent = "未保存：登录已过期";
        return;
      }
      if (result.status === 409) {
        stopped = true;
        var box = document.getElementById("autosave-conflict");
        box.textContent = body.error || "保存冲突：这份草稿已在其他窗口保存过。";
        box.hidden = false;
        statusEl.textContent = "未保存：版本冲突";
        return;
      }
      if (!body.ok) { dirty = true; statusEl.textContent = "自动保存失败，稍后重试"; return; }
      versionInput.value = body.version;
      var unsaved = body.unsaved || [];
      statusEl.textContent = "第 " + body.version + " 版 · 已自动保存 " + body.saved_at +
        (unsaved.length ? "（" + unsaved.length + " 节超过字数上限未保存，内容已暂存在本机）" : "");
      if (body.findings_pending) { fetchFindings(); } else { findings = body.findings || {}; renderFindings(); }
      showProblems(body.problems);
      if (unsaved.length) { saveLocal(); } else if (!dirty) { localStorage.removeItem(storeKey); }
    }).catch(function () { dirty = true; saveLocal(); statusEl.textContent = "网络中断，内容已暂存在本机"; });
  }
  form.addEventListener("input", function (event) {
    if (event.target.type === "file") { return; }
    if (event.target.tagName === "TEXTAREA") { counts(); }
    markDirty();
  });
  form.addEventListener("change", function (event) { if (event.target.type !== "file") { markDirty(); } });
  setInterval(autosave, 30000);
  function beacon() {
    if (!dirty || stopped || !navigator.sendBeacon) { return; }
    saveLocal();
    if (navigator.sendBeacon(form.dataset.autosaveUrl, payload())) { dirty = false; }
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { beacon(); } });
  window.addEventListener("pagehide", beacon);
  form.addEventListener("submit", function (event) {
    stopped = true;  // the form itself saves now
    var submitter = event.submitter;
    var count = Object.keys(findings).reduce(function (n, key) { return n + findings[key].length; }, 0);
    if (submitter && submitter.value === "submit" && count > 0) {
      if (!window.confirm("正文或照片说明中还有 " + count + " 处隐私或用语提示。确认无误并提交吗？")) {
        event.preventDefault(); stopped = false; return;
      }
      document.getElementById("id_confirm_findings").value = "1";
    }
    try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
  });
  // Expose for tests and for "save now" needs.
  window.kpAutosaveNow = function () { dirty = true; return autosave(); };

  // --- Findings -------------------------------------------------------------------------
  // A save answers before the privacy check is done; the findings are fetched after it.
  function fetchFindings() {
    return fetch(form.dataset.findingsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.ok && String(body.version) === String(versionInput.value)) {
          findings = body.findings || {};
          renderFindings();
        }
      }).catch(function () { /* the next autosave asks again */ });
  }
  if (form.dataset.findingsPending) { setTimeout(fetchFindings, 0); }
  var KIND = { id_number: "身份证号", phone: "电话号码", email: "电子邮箱", qq: "QQ 号", bank_card: "银行卡号",
               address: "详细地址", person_name: "人名", term: "用语" };
  function fieldFor(key) {
    if (key.indexOf("photo:") === 0) { return form.elements.namedItem("photo_caption_" + key.slice(6)); }
    return form.elements.namedItem(key);
  }
  function renderFindings() {
    form.querySelectorAll("[data-findings-for]").forEach(function (list) {
      var key = list.dataset.findingsFor;
      var items = findings[key] || [];
      list.replaceChildren();
      items.forEach(function (f, i) {
        var li = document.createElement("li");
        li.className = "finding text-warning-emphasis";
        li.dataset.kind = f.kind;
        li.setAttribute("data-testid", "finding");
        var label = document.createElement("span");
        label.textContent = "⚠ " + (KIND[f.kind] || f.kind) + "：“" + f.text + "”" + (f.suggestion ? " → “" + f.suggestion + "”" : "");
        li.appendChild(label);
        if (f.suggestion) {
          var fix = document.createElement("button");
          fix.type = "button";
          fix.className = "btn btn-link btn-sm p-0 ms-2 finding-fix";
          fix.textContent = f.kind === "term" ? "一键替换" : "一键遮盖";
          fix.addEventListener("click", function () { applyFix(key, i); });
          li.appendChild(fix);
        }
        list.appendChild(li);
      });
    });
  }
  function applyFix(key, index) {
    var f = findings[key][index];
    var el = fieldFor(key);
    if (!el) { return; }
    var value = el.value, start = f.start;
    if (Array.from(value).slice(f.start, f.end).join("") !== f.text) {
      start = Array.from(value.slice(0, Math.max(0, value.indexOf(f.text)))).length;
      if (value.indexOf(f.text) < 0) { return; }
    }
    var cps = Array.from(value);
    var delta = Array.from(f.suggestion).length - Array.from(f.text).length;
    el.value = cps.slice(0, start).join("") + f.suggestion + cps.slice(start + Array.from(f.text).length).join("");
    findings[key].splice(index, 1);
    findings[key].forEach(function (other) { if (other.start > start) { other.start += delta; other.end += delta; } });
    renderFindings();
    counts();
    markDirty();
  }

  counts();
  renderFindings();
  offerRestore();
})();
