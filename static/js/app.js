// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader users hear what to fix.
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) summary.focus();
  // Select the whole invitation link on focus, for copying.
  document.querySelectorAll("input.copy").forEach((el) => el.addEventListener("focus", () => el.select()));
});

// Similar posts while typing a title, so reps corroborate instead of duplicating.
document.addEventListener("DOMContentLoaded", () => {
  const title = document.querySelector("input[data-similar]");
  const box = document.getElementById("similar-posts");
  if (!title || !box) return;
  let timer = null;
  let last = "";
  const render = (posts) => {
    box.replaceChildren();
    if (!posts.length) return;
    const heading = document.createElement("p");
    heading.textContent = "Already reported? Say “me too” on one of these instead:";
    const list = document.createElement("ul");
    for (const p of posts) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.title;
      li.append(a, ` — ${p.kind}, ${p.status}, ${p.corroborations} “me too”`);
      list.append(li);
    }
    box.append(heading, list);
  };
  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = title.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 4) { render([]); return; }
      try {
        const url = `${title.dataset.similar}?title=${encodeURIComponent(q)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (response.ok) render((await response.json()).posts);
      } catch (err) { /* offline or signed out: the form still works */ }
    }, 300);
  });
});

// "Copy the message" on a follow-up: shown only where it works; without it, select and copy.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    const said = button.parentElement.querySelector("[data-copied]");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.value);
        if (said) { said.hidden = false; said.textContent = "Copied."; }
      } catch {
        source.select();
      }
    });
  });
});

// On a phone, the main menu folds behind the header's "Menu" button (CSS shows the button on
// narrow screens only); Escape closes it and returns to the button.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  toggle.hidden = false;
  document.querySelector(".site-header").classList.add("has-menu");
  const show = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      show(false);
      toggle.focus();
    }
  });
});
