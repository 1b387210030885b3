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
