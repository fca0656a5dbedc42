/* Forms, progressively enhanced (the pages work without it; loaded with defer, no inline script under the CSP).
 *
 * - After a failed submit the error summary takes the focus, so a screen reader reads it first and a keyboard
 *   user starts from it (the GOV.UK design system's error summary).
 * - A link of the summary moves the focus to its field and scrolls so that the field's label (or its group's
 *   legend) is in view too, not cut off above the field.
 * - On a wide screen, the directory's folded filters (<details class="filters-disclosure">) open, where the
 *   browser cannot show them by CSS alone (site.css, ::details-content).
 */
(function () {
  "use strict";

  function labelFor(input) {
    var fieldset = input.closest("fieldset");
    var legend = fieldset && input.closest(".field-fieldset") ? fieldset.querySelector("legend") : null;
    if (legend) return legend;
    if (input.id) {
      var label = document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
      if (label) return label;
    }
    return input.closest(".field") || input;
  }

  function focusTarget(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    if (!target.matches("input, select, textarea, button, [tabindex]")) {
      target.setAttribute("tabindex", "-1"); // a fieldset: focusable from here on, not in the tab order
    }
    labelFor(target).scrollIntoView();
    target.focus({ preventScroll: true });
  }

  function openFiltersOnWideScreens() {
    if (CSS.supports && CSS.supports("selector(::details-content)")) return;
    if (!window.matchMedia("(min-width: 48rem)").matches) return;
    document.querySelectorAll("details.filters-disclosure").forEach(function (details) {
      details.open = true;
    });
  }

  function init() {
    openFiltersOnWideScreens();
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    if (document.activeElement !== summary) summary.focus();
    summary.addEventListener("click", focusTarget);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
