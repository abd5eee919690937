/* Wardwork: small behaviours every page may use, without inline scripts (the
   Content-Security-Policy allows only scripts from static/).

   data-print             a click prints the page.
   data-submit-on-change  a change of this control (or of a radio button inside this element)
                          submits its form, through htmx when the form uses htmx. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    var holder = target.closest && target.closest("[data-submit-on-change]");
    if (!holder || !target.form) { return; }
    if (holder !== target && target.type !== "radio") { return; }
    if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
  });
})();
