import { mount } from "svelte";
import App from "./App.svelte";
import type { Backend } from "./lib/api/backend";
import "./app.css";

async function pickBackend(): Promise<Backend> {
  // Served by `kefu serve` (browser tests, UI development): the real core over HTTP.
  const token = new URLSearchParams(location.search).get("token");
  if (token && !("__TAURI_INTERNALS__" in window)) {
    const { HttpBackend } = await import("./lib/api/http");
    const http = new HttpBackend(location.origin, token);
    // Browser tests read what was copied, opened, searched from here.
    (window as unknown as { __kefuServe: unknown }).__kefuServe = http.record;
    return http;
  }
  const { TauriBackend } = await import("./lib/api/tauri");
  return new TauriBackend();
}

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");
void pickBackend().then((backend) => mount(App, { target, props: { backend } }));
