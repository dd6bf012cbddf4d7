// Copy buttons: <button data-copy="ID" data-copied="Copied"> copies the text of element ID
// (or its value, for an input). The buttons are hidden until this script shows them, so a
// page without JavaScript shows no button that does nothing.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");

  function textOf(element) {
    return element.value !== undefined ? element.value : element.textContent.trim();
  }

  function selectText(element) {
    if (element.select) {
      element.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function told(button) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = button.getAttribute("data-copied") || label;
    window.setTimeout(function () {
      button.textContent = label;
    }, 2000);
  }

  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () {
            told(button);
          },
          function () {
            selectText(target);
          }
        );
      } else {
        selectText(target);
        try {
          if (document.execCommand("copy")) {
            told(button);
          }
        } catch (error) {
          // The text stays selected: the visitor copies it themselves.
        }
      }
    });
  });
})();
