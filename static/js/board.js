// The period review's print button: shown only when this script runs (the page prints without it).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
