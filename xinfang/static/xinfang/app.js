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
  // A searchable picker: a filter box before each select[data-search] hides the options it does not match.
  function searchable(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.placeholder = "输入文字筛选";
    box.setAttribute("aria-label", "筛选选项");
    box.addEventListener("input", function () {
      var text = box.value.trim();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = Boolean(text) && Boolean(option.value) && !option.selected &&
          option.text.indexOf(text) === -1;
      });
    });
    select.parentNode.insertBefore(box, select);
  }
  // Rows of a formset: "add" clones the row template under the next index, "remove" empties and hides a
  // row (an empty row is ignored by the server), so the indexes stay contiguous.
  function rows(button) {
    var list = document.getElementById(button.getAttribute("data-add-row"));
    var template = document.getElementById(button.getAttribute("data-template"));
    var total = document.getElementById("id_" + list.getAttribute("data-rows") + "-TOTAL_FORMS");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = Number(total.value);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      row.querySelector("input").focus();
    });
    button.hidden = false;
    list.querySelectorAll("[data-remove-row]").forEach(function (remove) { remove.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest("[data-remove-row]");
    if (!remove) return;
    var row = remove.closest("[data-row]");
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.hidden = true;
    row.dispatchEvent(new Event("input", { bubbles: true }));
  });
  function start() {
    document.querySelectorAll("select[data-search]").forEach(searchable);
    document.querySelectorAll("[data-add-row]").forEach(rows);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) return;
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
