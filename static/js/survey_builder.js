// The survey builder: show the options field only for the question kinds that have options
// (a grid's rows are its options), the scale only for a grid, and, in a question's condition,
// only the answers of the earlier question chosen.
(function () {
  "use strict";
  var WITH_OPTIONS = ["single", "multiple", "grid"];
  var WITH_SCALE = ["grid"];
  document.querySelectorAll("select[data-question-kind]").forEach(function (select) {
    var form = select.closest("form");
    var options = form && form.querySelector("[data-options-field]");
    var scale = form && form.querySelector("[data-scale-field]");
    if (!options) {
      return;
    }
    function update() {
      options.hidden = WITH_OPTIONS.indexOf(select.value) === -1;
      if (scale) {
        scale.hidden = WITH_SCALE.indexOf(select.value) === -1;
      }
    }
    select.addEventListener("change", update);
    update();
  });
  document.querySelectorAll("select[data-condition-question]").forEach(function (select) {
    var editor = select.closest("[data-condition-editor]");
    if (!editor) {
      return;
    }
    function update() {
      editor.querySelectorAll("[data-condition-values]").forEach(function (group) {
        var chosen = group.getAttribute("data-condition-values") === select.value;
        group.hidden = !chosen;
        group.disabled = !chosen;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
