// bounceback review page: saves in place, keyboard shortcuts and never losing what was
// typed (choose.js handles choosing text for a missed gap). Without these files the page
// still works: every action is a plain form that posts and comes back.
"use strict";

(function () {
  const FETCH = { "X-Bounceback-Fetch": "1" };
  const KEYS_SETTING = "bounceback.keys";
  const byId = (id) => document.getElementById(id);
  let busy = false; // a save is on its way: further actions wait for it
  const bb = window.bounceback; // choose.js: the text chosen for a missed gap
  const choice = bb.choice;
  let toastTimer = 0;
  let shown = location.pathname + location.search; // the page the email part shows

  function remember(url, push) {
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
    shown = location.pathname + location.search;
  }

  // ---- announcements ----------------------------------------------------------------
  function say(text, isError) {
    const box = byId(isError ? "alert" : "status");
    const other = byId(isError ? "status" : "alert");
    if (!box) return;
    other.textContent = "";
    box.textContent = "";
    window.clearTimeout(toastTimer);
    window.setTimeout(function () { box.textContent = text; }, 20);
    toastTimer = window.setTimeout(function () { box.textContent = ""; }, isError ? 12000 : 5000);
  }

  function showError(form, text) {
    if (form) {
      let slot = form.querySelector(".form-error");
      if (!slot) {
        slot = document.createElement("p");
        slot.className = "form-error";
        form.appendChild(slot);
      }
      slot.textContent = text;
    }
    say(text, true);
  }

  // ---- what is unsaved --------------------------------------------------------------
  function fieldDirty(field) {
    if (!field.name || field.type === "hidden" || field.type === "submit" || field.tagName === "BUTTON") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return Array.from(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
    return field.value !== field.defaultValue;
  }
  const formDirty = (form) => Array.from(form.elements).some(fieldDirty);

  // Forms of the open email holding something typed but not saved, with words for each.
  function unsaved() {
    const found = [];
    const facts = byId("facts");
    if (facts && formDirty(facts)) found.push({ form: facts, what: "labels, company or role" });
    document.querySelectorAll("form.act-edit").forEach(function (form) {
      if (formDirty(form)) found.push({ form: form, what: "an edited gap" });
    });
    const add = byId("add-form");
    if (add && choice.chosen() && formDirty(add)) found.push({ form: add, what: "a gap you were adding" });
    return found;
  }

  // Values typed into forms other than `except`, to put back after parts are re-rendered.
  function snapshot(except) {
    const kept = [];
    document.querySelectorAll("form[id]").forEach(function (form) {
      if (form === except) return;
      Array.from(form.elements).forEach(function (field) {
        if (fieldDirty(field)) {
          kept.push({ form: form.id, name: field.name, value: field.value, checked: field.checked, type: field.type });
        }
      });
    });
    const open = {};
    document.querySelectorAll("details[id]").forEach(function (d) { open[d.id] = d.open; });
    const skip = except && except.closest("details[id]");
    if (skip) delete open[skip.id];
    const active = document.activeElement;
    return { fields: kept, open: open, focus: active && active.id ? active.id : null };
  }

  function restore(kept) {
    kept.fields.forEach(function (item) {
      const form = byId(item.form);
      if (!form) return;
      Array.from(form.elements).forEach(function (field) {
        if (field.name !== item.name) return;
        if (item.type === "checkbox" || item.type === "radio") {
          if (field.value === item.value) field.checked = item.checked;
        } else {
          field.value = item.value;
        }
      });
    });
    Object.keys(kept.open).forEach(function (id) {
      const details = byId(id);
      if (details) details.open = kept.open[id];
    });
  }

  // ---- talking to the server --------------------------------------------------------
  async function answerOf(response) {
    const type = response.headers.get("content-type") || "";
    if (type.includes("application/json")) return response.json();
    const text = (await response.text()).trim();
    return { ok: false, error: text || "saving failed (" + response.status + "): try again" };
  }

  function swap(answer) {
    Object.keys(answer.fragments || {}).forEach(function (id) {
      const old = byId(id);
      if (!old) return;
      const holder = document.createElement("div");
      holder.innerHTML = answer.fragments[id];
      const fresh = holder.firstElementChild;
      if (fresh) old.replaceWith(fresh);
    });
    if (answer.title) document.title = answer.title;
    setUp();
  }

  async function submit(form, submitter) {
    if (busy) { say("Still saving: one moment."); return false; }
    busy = true;
    form.setAttribute("aria-busy", "true");
    const action = (submitter && submitter.getAttribute("formaction")) || form.getAttribute("action");
    const body = new URLSearchParams(new FormData(form));
    try {
      const response = await fetch(action, { method: "POST", headers: FETCH, body: body, credentials: "same-origin" });
      const answer = await answerOf(response);
      if (!response.ok || !answer.ok) {
        showError(form, answer.error || "Saving failed: try again.");
        return false;
      }
      const error = form.querySelector(".form-error");
      if (error) error.remove();
      if (form.id === "intro") { form.remove(); say(answer.said); return true; }
      if (answer.go_to) { await open(answer.go_to, answer.said); return true; }
      const kept = snapshot(form);
      const wasChosen = form.id === "add-form" ? null : choice.chosen();
      swap(answer);
      restore(kept);
      if (wasChosen) choice.choose(wasChosen); else choice.clear();
      remember(answer.url, false);
      land(answer, kept);
      return true;
    } catch (err) {
      showError(form, "Could not reach bounceback, so nothing was saved. What you typed is still here: check that bounceback review is running, then try again.");
      return false;
    } finally {
      busy = false;
      if (form.isConnected) form.removeAttribute("aria-busy");
    }
  }

  // Where focus goes after a save: the gap after the one acted on, or back where it was.
  function land(answer, kept) {
    let target = answer.focus ? byId(answer.focus) : null;
    if (target && target.matches("#gaps > li")) {
      const next = answer.advance ? target.nextElementSibling : null;
      focusGap(next || target);
      const n = gapItems().indexOf(next || target) + 1;
      say(answer.said + (next ? " Now on gap " + n + "." : answer.advance ? " That was the last gap: press c if the email looks right." : ""));
      return;
    }
    target = kept.focus ? byId(kept.focus) : null;
    if (target) target.focus();
    say(answer.said);
  }

  // Open another email (or the queue) in place; `said` is announced with its subject.
  async function open(url, said, fromHistory) {
    try {
      const response = await fetch(url, { headers: FETCH, credentials: "same-origin" });
      const answer = await answerOf(response);
      if (!response.ok || !answer.fragments) { showError(null, answer.error || "Could not open that email."); return; }
      const queueBox = byId("queue-box");
      const queueOpen = queueBox ? queueBox.open : true;
      choice.clear();
      swap(answer);
      if (byId("queue-box")) byId("queue-box").open = queueOpen;
      if (!fromHistory) remember(answer.url, true); else shown = location.pathname + location.search;
      const title = byId("email-title");
      if (title) { title.focus(); window.scrollTo(0, 0); }
      const current = document.querySelector(".row.current a");
      if (current) current.scrollIntoView({ block: "nearest" });
      say((said ? said + " " : "") + "Now: " + (title ? title.textContent : "the queue") + ".");
    } catch (err) {
      showError(null, "Could not reach bounceback: check that bounceback review is running.");
    }
  }

  // ---- asking before anything typed is dropped --------------------------------------
  function ask(items) {
    const dialog = byId("unsaved");
    const words = items.map(function (item) { return item.what; });
    byId("unsaved-what").textContent = "Not saved yet: " + words.join(", ") + ".";
    return new Promise(function (resolve) {
      function done(value) {
        dialog.removeEventListener("click", onClick);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        resolve(value);
      }
      function onClick(event) { const b = event.target.closest("button[value]"); if (b) done(b.value); }
      function onCancel(event) { event.preventDefault(); done("stay"); }
      dialog.addEventListener("click", onClick);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      dialog.querySelector("button[value=save]").focus();
    });
  }

  async function saveAll(items) {
    for (const item of items) {
      if (!(await submit(item.form))) return false;
    }
    return true;
  }

  // Run `go` once nothing typed would be lost by it.
  async function leave(go) {
    if (busy) { say("Still saving: one moment."); return; }
    const items = unsaved();
    if (items.length) {
      const choice = await ask(items);
      if (choice === "stay") return;
      if (choice === "save" && !(await saveAll(items))) return;
    }
    go();
  }

  // "Looks right — next": what was typed is saved with the confirmation, never dropped.
  async function confirmEmail() {
    const button = byId("confirm");
    if (!button) return;
    if (busy) { say("Still saving: one moment."); return; }
    const first = unsaved().filter(function (item) { return item.form.id !== "facts"; });
    if (!(await saveAll(first))) return;
    // Saving re-renders the page: the form and button are the new ones, values kept.
    await submit(byId("facts"), byId("confirm"));
  }

  // ---- gaps -------------------------------------------------------------------------
  const gapItems = () => Array.from(document.querySelectorAll("#gaps > li"));
  let lastGap = null;

  function focusGap(item) {
    if (!item) return;
    lastGap = item.dataset.gap;
    document.querySelectorAll("mark.focused, .gapitem.focused").forEach(function (m) { m.classList.remove("focused"); });
    item.classList.add("focused");
    const mark = byId("mark-" + item.dataset.gap);
    if (mark) { mark.classList.add("focused"); mark.scrollIntoView({ block: "nearest" }); }
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function currentGap() {
    const active = document.activeElement;
    const inside = active && active.closest ? active.closest("#gaps > li") : null;
    if (inside) return inside;
    return lastGap ? byId("gap-" + lastGap) : null;
  }

  function stepGap(delta) {
    const items = gapItems();
    if (!items.length) { say("This email has no gaps."); return; }
    const at = items.indexOf(currentGap());
    const next = at < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.min(Math.max(at + delta, 0), items.length - 1);
    focusGap(items[next]);
  }

  // a, d, e act on the gap in focus; with none, the first unchecked gap is shown first.
  function gapAction(kind) {
    const gap = currentGap();
    if (!gap) {
      const items = gapItems();
      if (!items.length) { say("This email has no gaps."); return; }
      const first = items.find(function (i) { return i.classList.contains("st-auto"); }) || items[0];
      focusGap(first);
      const verb = { a: "accept", d: "dismiss", e: "edit" }[kind];
      say("Gap " + (items.indexOf(first) + 1) + " selected: press " + kind + " again to " + verb + " it.");
      return;
    }
    if (kind === "a") submit(gap.querySelector(".act-accept"));
    if (kind === "d") submit(gap.querySelector(".act-dismiss"));
    if (kind === "e") editGap(gap);
  }

  function editGap(gap) {
    const details = gap.querySelector("details.edit");
    const form = gap.querySelector(".act-edit");
    const span = choice.chosen() || choice.mouseSpan();
    if (span) {
      form.elements.start.value = String(span.start);
      form.elements.end.value = String(span.end);
      form.elements.text.value = span.text;
      form.querySelector(".span-preview").textContent = "New text for this gap: “" + span.text.trim() + "”";
      form.elements.category.dataset.moved = "1";
    }
    details.open = true;
    form.elements.category.focus();
  }

  // ---- keys -------------------------------------------------------------------------
  function keysOn() { return window.localStorage.getItem(KEYS_SETTING) !== "off"; }

  function toggleHelp(show) {
    const help = byId("help");
    const button = byId("help-toggle");
    const visible = show === undefined ? help.hidden : show;
    help.hidden = !visible;
    button.setAttribute("aria-expanded", String(visible));
    if (visible) byId("keys-on").focus(); else button.focus();
  }

  function go(linkId) {
    const link = byId(linkId);
    if (!link) { say(linkId === "next-link" ? "This is the last email in the queue." : "This is the first email in the queue."); return; }
    leave(function () { open(link.getAttribute("href")); });
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (byId("unsaved") && byId("unsaved").open) return;
    if (choice.active() && choice.key(event)) { event.preventDefault(); return; }
    const target = event.target;
    if (event.key === "Escape") {
      if (!byId("help").hidden) { toggleHelp(false); return; }
      const edit = target.closest && target.closest("details.edit");
      if (edit) { edit.open = false; focusGap(edit.closest("#gaps > li")); return; }
      // Leaving a field with Esc keeps what was typed and gives the keys back to shortcuts.
      if (target.closest && target.closest("input, select, textarea")) { target.blur(); return; }
    }
    if (target.closest && target.closest("input, select, textarea, [contenteditable]")) {
      // Enter in the company or role field saves them (the form's first button would confirm).
      if (event.key === "Enter" && target.closest("#facts") && target.tagName === "INPUT") {
        event.preventDefault();
        submit(byId("facts"));
      }
      return;
    }
    if (!keysOn() || event.shiftKey && event.key !== "?") return;
    const actions = {
      j: function () { go("next-link"); },
      k: function () { go("prev-link"); },
      n: function () { stepGap(1); },
      p: function () { stepGap(-1); },
      a: function () { gapAction("a"); },
      d: function () { gapAction("d"); },
      e: function () { gapAction("e"); },
      s: choice.start,
      g: choice.use,
      c: confirmEmail,
      "?": function () { toggleHelp(); },
    };
    const action = actions[event.key];
    if (!action) return;
    if (!byId("confirm") && "jknpadesgc".includes(event.key)) {
      if (byId("detail")) say("No email is open here.");
      return;
    }
    event.preventDefault();
    action();
  }

  // ---- wiring -----------------------------------------------------------------------
  // Called on load and after every swap: the parts of the page that were re-rendered.
  function setUp() {
    const text = byId("mailtext");
    if (text && !text.dataset.wired) {
      text.dataset.wired = "1";
      text.addEventListener("click", function (event) {
        const mark = event.target.closest("mark[data-gap]");
        if (mark && !choice.mouseSpan()) focusGap(byId("gap-" + mark.dataset.gap));
      });
    }
    const chooser = byId("choose-sentence");
    if (chooser && !chooser.dataset.wired) {
      chooser.dataset.wired = "1";
      chooser.addEventListener("click", choice.start);
    }
  }

  bb.say = say;
  bb.currentGap = currentGap;
  document.addEventListener("keydown", onKey);

  document.addEventListener("selectionchange", function () {
    if (choice.active()) return;
    const span = choice.mouseSpan();
    if (span) choice.choose(span);
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    // The filter form loads a page; the applications pages post plain forms (data-plain).
    if (form.method !== "post" || form.hasAttribute("data-plain")) return;
    event.preventDefault();
    if (form.id === "add-form" && !choice.chosen()) { showError(form, "Choose the text first: select it in the email, or press s."); return; }
    if (event.submitter && event.submitter.id === "confirm") { confirmEmail(); return; }
    submit(form, event.submitter);
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-message], #prev-link, #next-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    leave(function () { open(link.getAttribute("href")); });
  });

  // Back and Forward between emails; a jump within the page (the skip link) is not one.
  window.addEventListener("popstate", function () {
    if (location.pathname + location.search !== shown) open(location.pathname + location.search, "", true);
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved().length) { event.preventDefault(); event.returnValue = ""; }
  });

  const helpToggle = byId("help-toggle");
  if (helpToggle) helpToggle.addEventListener("click", function () { toggleHelp(); });
  const helpClose = byId("help-close");
  if (helpClose) helpClose.addEventListener("click", function () { toggleHelp(false); });
  const keysBox = byId("keys-on");
  if (keysBox) {
    keysBox.checked = keysOn();
    keysBox.addEventListener("change", function () {
      window.localStorage.setItem(KEYS_SETTING, keysBox.checked ? "on" : "off");
      say(keysBox.checked ? "Single-key shortcuts on." : "Single-key shortcuts off: use Tab and the buttons.");
    });
  }
  const queueBox = byId("queue-box");
  if (queueBox && window.matchMedia("(max-width: 820px)").matches && byId("email-title")) queueBox.open = false;
  setUp();
})();
