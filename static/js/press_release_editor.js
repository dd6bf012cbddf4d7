// The press-release editor: one form for every section.
// - Leaving the page with unsaved changes asks first (the browser's own question).
// - Each section's preview follows its text as it is typed.
// - "Reset to the generated text" asks before it drops the section's text.
(function () {
  "use strict";
  var form = document.querySelector("form[data-unsaved-warning]");
  if (!form) {
    return;
  }
  var note = form.querySelector("[data-unsaved-note]");
  var fields = form.querySelectorAll("textarea, input:not([type=hidden]), select");
  var initial = [];
  var submitting = false;
  fields.forEach(function (field, index) {
    initial[index] = field.value;
  });

  function changed() {
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== initial[i]) {
        return true;
      }
    }
    return false;
  }

  function showNote() {
    if (note) {
      note.hidden = !changed();
    }
  }

  function paragraphs(text) {
    return text.split(/\r?\n/).map(function (line) {
      return line.trim();
    }).filter(function (line) {
      return line.length > 0;
    });
  }

  function preview(field) {
    var target = document.getElementById(field.getAttribute("data-preview"));
    if (!target) {
      return;
    }
    target.textContent = "";
    var lines = paragraphs(field.value);
    if (!lines.length) {
      var empty = document.createElement("p");
      empty.className = "small text-muted fst-italic";
      empty.textContent = "Empty: enter the text, or reset the section.";
      target.appendChild(empty);
      return;
    }
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.className = "small";
      p.textContent = line;
      target.appendChild(p);
    });
  }

  form.addEventListener("input", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-preview")) {
      preview(field);
    }
    showNote();
  });
  form.addEventListener("change", showNote);

  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm-button]");
    if (button && !window.confirm(button.getAttribute("data-confirm-button"))) {
      event.preventDefault();
    }
  });

  form.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      submitting = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !changed()) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
})();
