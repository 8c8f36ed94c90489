// htmx requests send the CSRF token of the page's meta tag, as Flask-WTF expects.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});

// Editable list forms (nominees, votes): add a row from the <template>, remove a row.
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-row]");
  if (add) {
    const table = document.getElementById(add.dataset.addRow);
    const template = table.querySelector("template");
    const index = Number(table.dataset.nextIndex || table.tBodies[0].rows.length);
    table.dataset.nextIndex = index + 1;
    const html = template.innerHTML.replaceAll("__INDEX__", String(index));
    table.tBodies[0].insertAdjacentHTML("beforeend", html);
    event.preventDefault();
  }
  const remove = event.target.closest("[data-remove-row]");
  if (remove) {
    remove.closest("tr").remove();
    event.preventDefault();
  }
});
