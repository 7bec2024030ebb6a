// Xinfang's only script, served locally: progressive enhancement, every page works without it.
// A field marked data-show-when="a b" shows only while its form's [data-step-select] has the value a or b.
(function () {
  "use strict";
  function sync(form) {
    var select = form.querySelector("[data-step-select]");
    if (!select) return;
    form.querySelectorAll("[data-show-when]").forEach(function (field) {
      var wanted = field.getAttribute("data-show-when").split(" ").filter(Boolean);
      field.hidden = wanted.indexOf(select.value) === -1;
    });
  }
  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) return;
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
