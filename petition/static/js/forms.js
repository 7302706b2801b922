// Move focus to the error summary after a failed submission, so screen-reader and keyboard
// users learn at once what to fix (the summary's links lead to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});
