/* The admin's autocomplete boxes (select2) take their name from their field: the label beside them, or the
   aria-label of the select they stand for (tabular inlines, core/admin_inlines.py). Without it a screen reader
   announces a nameless combo box (axe-core: aria-input-field-name). Loaded by templates/admin/base_site.html. */
(function () {
  "use strict";

  function nameOf(select) {
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameComboBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var box = container && container.querySelector('.select2-selection[role="combobox"]');
      var name = nameOf(select);
      if (!box || !name) return;
      box.setAttribute("aria-label", name);
      box.removeAttribute("aria-labelledby");
      box.querySelectorAll('[role="textbox"]').forEach(function (shown) { shown.setAttribute("aria-label", name); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(nameComboBoxes, 0); });
  window.addEventListener("load", nameComboBoxes);
  document.addEventListener("formset:added", function () { window.setTimeout(nameComboBoxes, 0); });
})();
