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

// Date fields are typed as dd/mm/yyyy (how an office writes dates, whatever the browser's language);
// the calendar button opens the browser's own date picker and writes its choice back as dd/mm/yyyy.
const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-open-date]");
  if (!button) return;
  const text = document.getElementById(button.dataset.openDate);
  const picker = document.querySelector(`[data-date-for="${button.dataset.openDate}"]`);
  if (!text || !picker) return;
  const typed = DMY.exec(text.value.trim());
  picker.value = typed ? `${typed[3]}-${typed[2].padStart(2, "0")}-${typed[1].padStart(2, "0")}` : "";
  try {
    picker.showPicker();
  } catch (error) {  // a browser without showPicker(): the picker itself takes the focus
    picker.focus();
  }
  event.preventDefault();
});

document.addEventListener("change", (event) => {
  const picker = event.target.closest("[data-date-for]");
  if (!picker || !picker.value) return;
  const text = document.getElementById(picker.dataset.dateFor);
  const [year, month, day] = picker.value.split("-");
  text.value = `${day}/${month}/${year}`;
  text.dispatchEvent(new Event("input", { bubbles: true }));
});
