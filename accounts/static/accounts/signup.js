// 社工注册: the new-organisation fields show when "申请新增机构" is ticked; the list is then off.
(function () {
  "use strict";
  var box = document.getElementById("id_request_new_organisation");
  var panel = document.getElementById("new-organisation");
  var select = document.getElementById("id_organisation");
  if (!box || !panel || !select) return;
  function sync() {
    panel.hidden = !box.checked;
    select.disabled = box.checked;
  }
  box.addEventListener("change", sync);
  sync();
})();
