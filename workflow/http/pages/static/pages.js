// azwa pages: the little a page needs beyond HTML. A refusal takes the focus, so a screen
// reader reads it; a form is sent once (a second click while it is on its way does nothing).
document.addEventListener("DOMContentLoaded", function () {
  var refusal = document.getElementById("refusal");
  if (refusal) {
    refusal.setAttribute("tabindex", "-1");
    refusal.focus();
  }
  document.querySelectorAll("form.act").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "yes") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "yes";
    });
  });
});
