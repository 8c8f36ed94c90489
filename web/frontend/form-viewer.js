// Entry point of the form-js viewer bundle (web/assets.py builds it with esbuild into
// web/static/vendor/form-js/form-viewer.js): the package ships ES modules only, no browser build.
import { Form } from "@bpmn-io/form-js-viewer";

window.FormJsViewer = { Form };
