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
