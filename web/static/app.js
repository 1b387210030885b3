// fieldops: the little script the pages use. Everything works without it; it only adds conveniences.
"use strict";

// Bulk-action bars: a form[data-bulk] acts on the checkboxes that name it (form="id"). Keep its count in words
// and let the header checkbox tick every row of the page.
document.addEventListener("DOMContentLoaded", () => {
  for (const bar of document.querySelectorAll("form[data-bulk]")) {
    const boxes = () => document.querySelectorAll(`input[type=checkbox][form="${bar.id}"]`);
    const count = bar.querySelector("[data-bulk-count]");
    const all = document.querySelector("[data-bulk-all]");
    const idle = count.textContent;
    const update = () => {
      const n = [...boxes()].filter((b) => b.checked).length;
      count.textContent = n === 0 ? idle : `${n} selected`;
      bar.classList.toggle("has-selection", n > 0);
      if (all) all.checked = n > 0 && n === boxes().length;
    };
    for (const b of boxes()) b.addEventListener("change", update);
    if (all) {
      all.addEventListener("change", () => {
        for (const b of boxes()) b.checked = all.checked;
        update();
      });
    }
    update();
  }
});

// Filter forms marked data-autosubmit show their result as soon as a drop-down changes; the Show button is there
// for browsers without JavaScript.
document.addEventListener("change", (e) => {
  const form = e.target.closest("form[data-autosubmit]");
  if (form && e.target.tagName === "SELECT") form.requestSubmit();
});

// The email composer's attachments: what those ticked come to, as they are ticked (the server refuses more than
// the limit in any case).
document.addEventListener("change", (e) => {
  const box = e.target.closest("input[data-size]");
  const out = box?.form?.querySelector("output[data-attach-total]");
  if (!out) return;
  const n = [...box.form.querySelectorAll("input[data-size]:checked")].reduce((sum, b) => sum + Number(b.dataset.size), 0);
  out.textContent = n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${Math.floor(n / 1024)} KB` : `${n} bytes`;
  out.parentElement.classList.toggle("error-text", n > Number(out.dataset.limit));
});

// A text's length, counted as it is typed against its limit (the server refuses more in any case).
document.addEventListener("input", (e) => {
  const out = e.target.form?.querySelector(`output[data-count-for="${e.target.name}"]`);
  if (!out) return;
  const n = [...e.target.value.trim()].length;
  out.textContent = n;
  out.parentElement.classList.toggle("error-text", n > Number(out.dataset.max));
});

// A form's fieldsets marked data-for-role="x" matter only when its select[name=role] says x: show just those.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[name=role][data-shows-fieldsets]")) {
    const sets = select.form.querySelectorAll("fieldset[data-for-role]");
    const update = () => {
      for (const set of sets) set.hidden = set.dataset.forRole !== select.value;
    };
    select.addEventListener("change", update);
    update();
  }
});

// Chat: news of messages arrives by server-sent events (/chat/stream). The open room appends what it lacks and
// says it has read it; the folders redraw their counts. Sending posts in the background. Without this, the page
// works with its forms and a reload.
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-chat]");
  if (!page || !window.EventSource) return;
  const list = page.querySelector("#chat-messages");
  const room = list ? list.dataset.room : "";
  const script = { "X-Chat": "1" };
  let last = list ? Number(list.dataset.last) : 0;
  const markRead = () => {
    if (!room || document.visibilityState !== "visible" || last === 0) return;
    fetch(`/chat/${room}/read`, { method: "POST", headers: script, body: new URLSearchParams({ last }) }).then(redrawRooms);
    page.querySelector("[data-chat-read]")?.remove();
  };
  async function redrawRooms() {
    const res = await fetch(`/chat/rooms?open=${encodeURIComponent(room)}`);
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("chat-rooms");
    if (fresh) page.querySelector("#chat-rooms").replaceWith(fresh);
  }
  // A delete button goes when its 15 minutes are up (the server would refuse it then).
  const expire = (root) => {
    for (const form of root.querySelectorAll("form[data-until]")) {
      setTimeout(() => form.remove(), Math.max(0, Date.parse(form.dataset.until) - Date.now()));
    }
  };
  expire(page);
  // One fetch at a time; news arriving meanwhile asks for another round, as the running one may predate it.
  let fetching = false, again = false;
  const catchUp = async () => {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      do {
        again = false;
        const res = await fetch(`/chat/${room}/after/${last}`);
        if (res.status === 404) { location.href = "/chat"; return; } // no longer theirs to read
        if (!res.ok) return;
        const doc = new DOMParser().parseFromString(`<ol>${await res.text()}</ol>`, "text/html");
        for (const li of doc.querySelectorAll("li[data-id]")) {
          if (document.getElementById(li.id)) continue;
          list.append(li);
          expire(li);
          last = Math.max(last, Number(li.dataset.id));
        }
        page.querySelector(".chat-room .empty")?.remove();
        list.lastElementChild?.scrollIntoView({ block: "nearest" });
        markRead();
      } while (again);
    } finally {
      fetching = false;
    }
  };
  const news = new EventSource("/chat/stream");
  // Back after a break (a restart, a lost connection): catch up on what came meanwhile.
  let opened = false;
  news.addEventListener("open", () => {
    if (opened) {
      if (room) catchUp();
      redrawRooms();
    }
    opened = true;
  });
  news.addEventListener("news", (e) => {
    const n = JSON.parse(e.data);
    if (room && (n.room === room || n.room === "")) {
      if (n.deleted) {
        const li = document.getElementById(`m-${n.id}`);
        if (li) {
          li.querySelector(".chat-body").textContent = "Message deleted";
          li.querySelector(".chat-body").classList.add("muted");
          li.querySelector(".chat-delete")?.remove();
        }
      } else {
        catchUp();
      }
    }
    if (n.room !== room) redrawRooms();
  });
  if (room) {
    markRead();
    document.addEventListener("visibilitychange", markRead);
    list.lastElementChild?.scrollIntoView({ block: "nearest" });
  }
  const composer = page.querySelector("[data-chat-composer]");
  composer?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const box = composer.querySelector("textarea");
    const send = composer.querySelector("button[type=submit]");
    if (send.disabled) return; // already sending
    send.disabled = true;
    let res;
    try {
      res = await fetch(composer.action, { method: "POST", headers: script, body: new URLSearchParams(new FormData(composer)) });
    } catch {
      res = { status: 0 };
    } finally {
      send.disabled = false;
    }
    let error = composer.querySelector(".error");
    if (res.status === 204) {
      box.value = "";
      error?.remove();
      box.removeAttribute("aria-invalid");
      catchUp();
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.id = "body-error";
      box.after(error);
      box.setAttribute("aria-describedby", "body-error");
    }
    box.setAttribute("aria-invalid", "true");
    error.textContent = res.status === 422 ? await res.text() : "The message was not sent. Try again.";
  });
  // With a keyboard, Enter sends and Shift+Enter starts a new line; on a touch screen Enter is a new line.
  if (window.matchMedia("(pointer: fine)").matches) composer?.querySelector("textarea").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); composer.requestSubmit(); }
  });
});
