// The survey builder: show the options field only for the question kinds that have options.
(function () {
  "use strict";
  var WITH_OPTIONS = ["single", "multiple"];
  document.querySelectorAll("select[data-question-kind]").forEach(function (select) {
    var form = select.closest("form");
    var options = form && form.querySelector("[data-options-field]");
    if (!options) {
      return;
    }
    function update() {
      options.hidden = WITH_OPTIONS.indexOf(select.value) === -1;
    }
    select.addEventListener("change", update);
    update();
  });
})();
