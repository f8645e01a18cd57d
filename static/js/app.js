// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader users hear what to fix.
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) summary.focus();
  // Select the whole invitation link on focus, for copying.
  document.querySelectorAll("input.copy").forEach((el) => el.addEventListener("focus", () => el.select()));
});
