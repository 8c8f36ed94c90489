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

// Camunda Forms (camunda:formRef): drawn by the form-js viewer; its data travels as JSON in a
// hidden field and the server validates it again.
function mountCamundaForm() {
  const container = document.getElementById("camunda-form");
  if (!container || !window.FormJsViewer) return;
  const schema = JSON.parse(container.dataset.schema);
  const data = JSON.parse(container.dataset.values || "{}");
  const form = new window.FormJsViewer.Form({ container });
  form.importSchema(schema, data).then(() => container.setAttribute("data-ready", "true"));
  container.closest("form").addEventListener("submit", (event) => {
    const result = form.submit();
    if (Object.keys(result.errors || {}).length) {
      event.preventDefault();
      return;
    }
    document.getElementById("camunda-form-data").value = JSON.stringify(result.data);
  });
}
window.addEventListener("load", mountCamundaForm);
