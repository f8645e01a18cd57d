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

// Triage inbox keyboard flow: j/k move between reports, x selects, o opens, r goes to the
// reason, d/i/n/m/f press the bulk action buttons, ? shows the list. Single-key shortcuts can be
// turned off (remembered in this browser); they never fire while typing in a field.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("triage-rows");
  const help = document.getElementById("triage-keys");
  if (!form || !help) return;
  const rows = [...form.querySelectorAll("tr[data-row]")];
  const hint = document.getElementById("triage-keys-hint");
  const said = document.getElementById("triage-keys-said");
  const on = document.getElementById("triage-keys-on");
  const reason = document.getElementById("bulk-reason");
  const original = document.getElementById("bulk-original");
  const stored = window.localStorage && localStorage.getItem("triage-keys");
  on.checked = stored !== "off";
  on.addEventListener("change", () => {
    if (window.localStorage) localStorage.setItem("triage-keys", on.checked ? "on" : "off");
  });
  hint.hidden = false;
  let current = -1;
  const say = (text) => { said.textContent = text; };
  const move = (to) => {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, to));
    rows.forEach((row, i) => row.classList.toggle("current", i === current));
    rows[current].querySelector("a[data-open]").focus();
  };
  const press = (key) => {
    const button = form.querySelector(`button[data-key="${key}"]`);
    if (!button) return;
    const chosen = form.querySelectorAll('input[name="post"]:checked').length;
    if (!chosen) { say("Select a report first: x selects the current one."); return; }
    if (key === "m" && !original.value.trim()) {
      original.focus();
      say("Type the number of the report to merge into, then press Enter.");
      return;
    }
    button.click();
  };
  rows.forEach((row, i) => row.addEventListener("focusin", () => {
    current = i;
    rows.forEach((r, j) => r.classList.toggle("current", j === i));
  }));
  // Enter in the report-number field merges (rather than the form's first button).
  original.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); press("m"); }
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest && target.closest(
      'textarea, select, input:not([type="checkbox"]):not([type="radio"])');
    if (typing) {
      if (event.key === "Escape" && (target === reason || target === original)) {
        event.preventDefault();
        move(current < 0 ? 0 : current);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") {
      event.preventDefault();
      help.hidden = !help.hidden;
      if (!help.hidden) on.focus();
      return;
    }
    if (!on.checked) return;
    const row = rows[current];
    switch (event.key) {
      case "j": move(current + 1); break;
      case "k": move(current - 1); break;
      case "x": {
        if (!row) move(0);
        const box = rows[current] && rows[current].querySelector('input[name="post"]');
        if (!box) break;
        box.click();
        say(box.checked ? "Selected." : "Unselected.");
        break;
      }
      case "o": if (row) row.querySelector("a[data-open]").click(); break;
      case "r": reason.focus(); break;
      case "d": case "i": case "n": case "m": case "f": press(event.key); break;
      default: return;
    }
    event.preventDefault();
  });
});

// The account picker: matches (and names like a misspelt one) while typing; picking one fills
// the hidden account id. Without this the form still works: an unknown name comes back with
// "Did you mean" choices. ARIA 1.2 combobox with a listbox popup.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".account-picker[data-account-lookup]").forEach((picker, n) => {
    const input = picker.querySelector("input[type=text], input:not([type])");
    const hidden = picker.querySelector("input[data-account-id]");
    if (!input || !hidden) return;
    const list = document.createElement("ul");
    list.id = `account-options-${n}`;
    list.className = "account-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matches");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    let timer = null;
    let active = -1;
    let last = null;
    const options = () => Array.from(list.querySelectorAll("[role=option]"));
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const choose = (li) => {
      input.value = li.dataset.name;
      hidden.value = li.dataset.id;
      close();
    };
    const highlight = (i) => {
      const all = options();
      if (!all.length) return;
      active = (i + all.length) % all.length;
      all.forEach((li, j) => li.setAttribute("aria-selected", String(j === active)));
      input.setAttribute("aria-activedescendant", all[active].id);
    };
    const render = (accounts, typed) => {
      list.replaceChildren();
      accounts.forEach((a, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = a.id;
        li.dataset.name = a.name;
        const exact = a.name.toLowerCase().includes(typed.toLowerCase()) ||
          (a.crm_id || "").toLowerCase().includes(typed.toLowerCase());
        li.textContent = exact ? a.name : `Did you mean ${a.name}?`;
        if (a.crm_id) {
          const crm = document.createElement("span");
          crm.className = "muted";
          crm.textContent = ` (${a.crm_id})`;
          li.append(crm);
        }
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(li); });
        list.append(li);
      });
      list.hidden = !accounts.length;
      input.setAttribute("aria-expanded", String(accounts.length > 0));
      active = -1;
    };
    input.addEventListener("input", () => {
      hidden.value = "";  // typing again undoes the pick
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        if (q === last) return;
        last = q;
        if (q.length < 2) { render([], q); return; }
        try {
          const url = `${picker.dataset.accountLookup}?q=${encodeURIComponent(q)}`;
          const response = await fetch(url, { headers: { Accept: "application/json" } });
          if (response.ok && input.value.trim() === q) render(await response.json(), q);
        } catch (err) { /* offline or signed out: the search step still works */ }
      }, 200);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options()[active]); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", close);
  });
});

// A person without a time zone yet (templates/base.html marks the page): post the browser's
// once per sign-in (each starts a new CSRF token), so their next page shows times in it.
// Without this script, or when it fails, the organisation's zone applies.
document.addEventListener("DOMContentLoaded", async () => {
  const { zoneUrl, csrf } = document.body.dataset;
  const asked = `zone-posted:${csrf}`;
  if (!zoneUrl || sessionStorage.getItem(asked)) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  sessionStorage.setItem(asked, "1");
  const body = new FormData();
  body.append("csrf_token", csrf);
  body.append("time_zone", zone);
  try {
    await fetch(zoneUrl, { method: "POST", body, credentials: "same-origin" });
  } catch (err) {
    // The organisation's zone stays; the settings page lets the person choose.
  }
});
