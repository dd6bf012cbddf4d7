// Registration questions asked of some stakeholder groups only (<div data-groups="3 7">) are
// shown as the person chooses their group, and hidden otherwise: a hidden question's controls
// are disabled, so its answer is not sent. Without this script every question shows, each
// saying whom it is for, and the server keeps only the answers that apply.
(function () {
  "use strict";
  var group = document.getElementById("stakeholder_group");
  var questions = document.querySelectorAll("[data-groups]");
  if (!group || !questions.length) {
    return;
  }

  function update() {
    questions.forEach(function (question) {
      var asked = question.getAttribute("data-groups").split(" ").indexOf(group.value) !== -1;
      question.hidden = !asked;
      question.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !asked;
      });
    });
  }

  group.addEventListener("change", update);
  update();
})();
