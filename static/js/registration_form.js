/* The registration form. The person field matters only for an individual: hide it for a
   collective (unless a person is chosen, so a mistake stays visible). Without JavaScript
   every field simply shows. */
(function () {
  var form = document.querySelector("[data-testid=registration-form]");
  var group = document.getElementById("div_id_person");
  if (!form || !group) return;
  var select = form.querySelector("select[name=person]");
  function sync() {
    var kind = form.querySelector("input[name=kind]:checked");
    group.hidden = !!kind && kind.value === "collective" && !select.value;
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", sync);
  });
  sync();
})();
