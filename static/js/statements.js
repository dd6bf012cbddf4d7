// Quick statement entry: Ctrl+Enter (Cmd+Enter on a Mac) in a text box submits its form.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
    return;
  }
  var target = event.target;
  if (!target || target.tagName !== "TEXTAREA") {
    return;
  }
  var form = target.form;
  if (form && form.hasAttribute("data-submit-shortcut")) {
    event.preventDefault();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }
});
