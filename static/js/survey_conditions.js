// The answer page: a question shown only for some earlier answer is hidden, and its controls
// disabled (so that nothing of it is sent), while that answer does not match. Without this
// script every question is shown with a sentence saying when to answer it, and the server
// discards the answers of those whose condition is not met (meetapp/surveys/conditions.py).
(function () {
  "use strict";
  var first = document.querySelector("fieldset[data-show-if-field]");
  var form = first && first.closest("form");
  if (!form) {
    return;
  }
  var dependent = Array.prototype.slice.call(
    form.querySelectorAll("fieldset[data-show-if-field]")
  );

  // The values chosen for a question's field; none while its fieldset is hidden.
  function chosen(name) {
    var values = [];
    form.querySelectorAll("[name]").forEach(function (input) {
      if (input.name !== name) {
        return;
      }
      var fieldset = input.closest("fieldset.survey-question");
      if (fieldset && fieldset.hidden) {
        return;
      }
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) {
        return;
      }
      if (input.value !== "") {
        values.push(input.value);
      }
    });
    return values;
  }

  // In the page's order, so that a question that depends on a hidden one is hidden too.
  function update() {
    dependent.forEach(function (fieldset) {
      var values = JSON.parse(fieldset.getAttribute("data-show-if-values") || "[]");
      var negated = fieldset.hasAttribute("data-show-if-negated");
      var given = chosen(fieldset.getAttribute("data-show-if-field"));
      var hit = given.some(function (value) {
        return values.indexOf(value) !== -1;
      });
      var shown = given.length > 0 && (negated ? !hit : hit);
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
