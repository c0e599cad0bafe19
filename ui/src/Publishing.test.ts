// Publishing on the stub backend: sources, checks, saves and conflicts are what the real core
// answered (src/test/fixtures.json). Edits "made elsewhere" are saves recorded in the same core
// session (fixture-calls.json) before the call the test needs, so the conflict, the disk text and
// the documents after a save are the core's. Handlers stand in for git (no repository there).

import { describe, expect, test, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { EditorView } from "@codemirror/view";
import App from "./App.svelte";
import type { GitStatus } from "./lib/bindings/GitStatus";
import type { SearchRequest } from "./lib/bindings/SearchRequest";
import { StubBackend, fixture } from "./test/stub";
import { trackStubs } from "./test/track";

// CodeMirror and a check per edit: a form test takes 2 s, more on a busy machine.
vi.setConfig({ testTimeout: 20_000 });

const stubs = trackStubs();

function setup(backend = new StubBackend()) {
  stubs.use(backend);
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000, checkDebounceMs: 0 } } });
  const box = screen.getByRole("combobox") as HTMLInputElement;
  return { backend, box, ...view };
}

const req = (query: string): SearchRequest => ({ query, limit: 30, kinds: [], platforms: [] });
const titles = () => Array.from(document.querySelectorAll(".card-title")).map((e) => e.textContent);
const last = <T,>(xs: T[]): T | undefined => xs[xs.length - 1];

/** The body editor (CodeMirror) once it has loaded. */
async function bodyEditor(): Promise<EditorView> {
  let view: EditorView | null = null;
  await waitFor(() => {
    const el = document.querySelector<HTMLElement>(".cm-body .cm-editor");
    view = el ? EditorView.findFromDOM(el) : null;
    expect(view).not.toBeNull();
  });
  return view!;
}

function typeAtEnd(view: EditorView, text: string) {
  const end = view.state.doc.length;
  view.dispatch({ changes: { from: end, insert: text }, selection: { anchor: end + text.length }, userEvent: "input.type" });
}

const titleInput = () => document.querySelector<HTMLInputElement>('input[name="title"]')!;
const saveButton = () => document.querySelector<HTMLButtonElement>(".btn-save")!;
/** The live check of the current text has come back. */
const checked = (backend: StubBackend, n: number) => waitFor(() => expect(backend.argsOf("check_source").length).toBeGreaterThanOrEqual(n));

async function openDoc(box: HTMLInputElement, query: string, title: string) {
  await fireEvent.input(box, { target: { value: query } });
  await waitFor(() => expect(titles()[0]).toBe(title));
  await fireEvent.click(document.querySelector(".card")!);
  await screen.findByRole("heading", { level: 1, name: title });
}

async function edit(ctx: ReturnType<typeof setup>, query: string, title: string) {
  await openDoc(ctx.box, query, title);
  await fireEvent.click(screen.getByRole("button", { name: "编辑" }));
  await waitFor(() => expect(titleInput().value).toBe(title));
  return bodyEditor();
}

/** The watcher's event after a save recorded in the core session ("someone else" edited `id`). */
function changedElsewhere(backend: StubBackend, id: string, statusNth = 0) {
  backend.emitContentChanged({ status: fixture("status", {}, statusNth), ids: [id] });
}

describe("editor form ↔ text", () => {
  test("form edits change only their keys: comments, phrases and other keys survive", async () => {
    const backend = new StubBackend();
    const original = fixture("source", { id: "playbooks/welcome" });
    // A comment and a key the form knows nothing about.
    const text = original.text.replace("kind: playbook\n", "kind: playbook\n# 组长审核过\nreviewer: 王敏\n");
    backend.on("source", () => ({ ...original, text }));
    const ctx = setup(backend);
    await edit(ctx, "欢迎语", "开场欢迎语");
    await fireEvent.input(titleInput(), { target: { value: "开场欢迎语（加急）" } });
    await fireEvent.click(screen.getByRole("button", { name: "天猫" }));
    const tags = document.querySelector<HTMLInputElement>('input[name="tags"]')!;
    await fireEvent.input(tags, { target: { value: "加急" } });
    await fireEvent.keyDown(tags, { key: "Enter" });
    await fireEvent.click(screen.getByRole("button", { name: "删除标签 售前" }));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    await screen.findByRole("heading", { level: 1, name: "开场欢迎语（加急）" });
    const saved = last(backend.argsOf("save_source"))!.req;
    expect(saved.path).toBe("playbooks/welcome.md");
    expect(saved.base_fingerprint).toBe(original.fingerprint);
    expect(saved.text).toContain("kind: playbook\n# 组长审核过\nreviewer: 王敏\ntitle: 开场欢迎语（加急）\n");
    expect(saved.text).toContain("tags: [开场, 接待, 加急]\n");
    expect(saved.text).toContain("platforms: [tmall]\n");
    // The phrases and the body are exactly as they were.
    const phrases = (s: string) => s.slice(s.indexOf("phrases:"), s.indexOf("\n---\n"));
    expect(phrases(saved.text)).toBe(phrases(text));
    expect(saved.text.split("---\n").slice(2).join("---\n")).toBe(text.split("---\n").slice(2).join("---\n"));
  });

  test("the YAML editor shows the front matter; updated is read-only", async () => {
    const ctx = setup();
    await edit(ctx, "cuifahuo", "催发货");
    expect(screen.getByTestId("updated").textContent).toBe("2026-11-20");
    expect(screen.getByText("保存时自动更新")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "高级：编辑 YAML" }));
    await waitFor(() => expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("title: 催发货"));
    const yaml = EditorView.findFromDOM(document.querySelector<HTMLElement>(".cm-yaml .cm-editor")!)!;
    const doc = yaml.state.doc.toString();
    const at = doc.indexOf("title: 催发货") + "title: 催发货".length;
    yaml.dispatch({ changes: { from: at, insert: "2" } });
    await waitFor(() => expect(titleInput().value).toBe("催发货2"));
    await checked(ctx.backend, 2);
  });
});

describe("publishing and saving", () => {
  test("publish a case: the core's errors block saving, then saved → toast, document view, searchable", async () => {
    const { box, backend } = setup();
    await fireEvent.click(screen.getByTestId("btn-publish"));
    const body = await bodyEditor();
    expect(document.querySelector(".editor-view")?.getAttribute("data-new")).toBe("true");
    // The template's empty title is an error, shown by the form and in the list; save says why.
    const template = fixture("new_case", {}).text;
    const check = fixture("check_source", { path: null, text: template });
    const errors = check.problems.filter((p) => p.severity === "error");
    expect(errors.some((p) => p.field === "title")).toBe(true);
    await waitFor(() => expect(saveButton().disabled).toBe(true));
    expect(screen.getByTestId("save-why").textContent).toBe(`还有 ${errors.length} 个错误，修正后才能保存`);
    expect(document.querySelector('.editor-problem[data-severity="error"]')).not.toBeNull();
    expect(screen.getByText("标题必填")).toBeTruthy();

    await fireEvent.input(titleInput(), { target: { value: "预售尾款催付被投诉" } });
    await fireEvent.change(document.querySelector('select[name="platform"]')!, { target: { value: "tmall" } });
    typeAtEnd(body, "\n尾款提醒短信被当成骚扰。\n");
    await waitFor(() => expect(screen.getByTestId("preview").textContent).toContain("尾款提醒短信被当成骚扰"));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    expect(screen.getByTestId("path").textContent).toMatch(/^保存为 cases\/2026-11-24-.+\.md$/);

    await fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await screen.findByRole("heading", { level: 1, name: "预售尾款催付被投诉" });
    expect(screen.getByRole("status").textContent).toContain("已发布，现在可以搜到了");
    const sent = backend.argsOf("save_source")[0]!.req;
    expect(sent.path).toBeUndefined();
    expect(sent.base_fingerprint).toBeUndefined();
    expect(sent.text).toMatch(/^platform: tmall$/m);

    await fireEvent.input(box, { target: { value: "尾款提醒短信" } });
    await waitFor(() => expect(titles()).toContain("预售尾款催付被投诉"));
  });

  test("invalid: the core's problems are shown and nothing is written", async () => {
    const backend = new StubBackend();
    // The live check missed the problems (say it was still on its way): saving is allowed…
    backend.on("check_source", (args) => ({ ...fixture("check_source", args), problems: [] }));
    setup(backend);
    await fireEvent.click(screen.getByTestId("btn-publish"));
    await bodyEditor();
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    // …and the core refuses it with its problems.
    expect((await screen.findByTestId("not-saved")).textContent).toContain("没有保存");
    const out = fixture("save_source", { req: { text: fixture("new_case", {}).text } });
    expect(out.outcome).toBe("invalid");
    await waitFor(() => expect(document.querySelectorAll(".editor-problem").length).toBe(out.outcome === "invalid" ? out.problems.length : -1));
    expect(saveButton().disabled).toBe(true);
    expect(document.querySelector(".doc-title")).toBeNull();
  });

  test("changed elsewhere → banner; save → the core's conflict; reload takes the disk version", async () => {
    const ctx = setup();
    const body = await edit(ctx, "物流", "物流停滞");
    typeAtEnd(body, "我的补充。\n");
    await checked(ctx.backend, 2);
    changedElsewhere(ctx.backend, "playbooks/wuliu-tingzhi");
    expect((await screen.findByTestId("changed-elsewhere")).textContent).toContain("这个文件刚在别处被修改");
    await fireEvent.click(saveButton());
    const dialog = await screen.findByRole("dialog", { name: "文件在别处被修改了" });
    expect(within(dialog).getByTestId("disk-text").textContent).toContain("同事补充");
    await fireEvent.click(within(dialog).getByRole("button", { name: "重新载入（放弃我的修改）" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    await waitFor(() => expect(body.state.doc.toString()).toContain("同事补充"));
    expect(body.state.doc.toString()).not.toContain("我的补充");
    expect(screen.queryByTestId("dirty")).toBeNull();
    // Saving now goes through (the fingerprint is the disk's).
    typeAtEnd(body, "再补一句。\n");
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    await screen.findByRole("heading", { level: 1, name: "物流停滞" });
    expect(screen.getByRole("status").textContent).toContain("已保存");
    const [conflicted, saved] = ctx.backend.argsOf("save_source").map((a) => a.req);
    expect(conflicted!.base_fingerprint).toBe(fixture("source", { id: "playbooks/wuliu-tingzhi" }).fingerprint);
    expect(saved!.base_fingerprint).toBe(fixture("source_at", { path: "playbooks/wuliu-tingzhi.md" }).fingerprint);
    expect(saved!.text).toContain("同事补充：这一段是在别处加上的。\n再补一句。");
  });

  test("conflict → cancel keeps editing; keep both writes a copy", async () => {
    const ctx = setup();
    const body = await edit(ctx, "af1", "安抚愤怒客户");
    typeAtEnd(body, "我的版本。\n");
    await checked(ctx.backend, 2);
    changedElsewhere(ctx.backend, "playbooks/anfu-fennu");
    await screen.findByTestId("changed-elsewhere");
    await fireEvent.click(saveButton());
    let dialog = await screen.findByRole("dialog", { name: "文件在别处被修改了" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "取消（继续编辑）" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(body.state.doc.toString()).toContain("我的版本");
    await fireEvent.click(saveButton());
    dialog = await screen.findByRole("dialog", { name: "文件在别处被修改了" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "两份都保留" }));
    await waitFor(() => expect(document.querySelector(".doc-toolbar .crumb")?.textContent).toBe("playbooks/anfu-fennu-copy.md"));
    expect(screen.getByRole("status").textContent).toContain("已另存为 playbooks/anfu-fennu-copy.md");
    expect(ctx.backend.argsOf("save_copy")[0]!.req.text).toContain("我的版本");
  });

  test("leaving with unsaved changes asks first", async () => {
    const ctx = setup();
    const body = await edit(ctx, "cuifahuo", "催发货");
    typeAtEnd(body, "没保存的字。\n");
    await checked(ctx.backend, 2);
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    const dialog = await screen.findByRole("dialog", { name: "放弃未保存的修改？" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "继续编辑" }));
    expect(document.querySelector(".editor-view")).not.toBeNull();
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    await fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "放弃修改" }));
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    expect(ctx.backend.argsOf("save_source")).toHaveLength(0);
  });
});

describe("drills from cases, review, sync", () => {
  test("生成练习 from a case opens the editor on the core's drill draft", async () => {
    const { box } = setup();
    await openDoc(box, "批量筛查", "已发货仅退款订单批量筛查");
    await fireEvent.click(screen.getByRole("button", { name: "生成练习" }));
    await bodyEditor();
    const editor = document.querySelector(".editor-view")!;
    expect(editor.getAttribute("data-kind")).toBe("drill");
    expect(editor.getAttribute("data-new")).toBe("true");
    expect(titleInput().value).toBe("已发货仅退款订单批量筛查（案例练习）");
    await fireEvent.click(screen.getByRole("button", { name: "高级：编辑 YAML" }));
    // The case's key phrase became a reference; it has no quoted customer message to use.
    await waitFor(() => expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("亲，收到您的退款申请啦"));
    expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("请补上");
    const draft = fixture("drill_draft", { id: "cases/yifahuo-jintuikuan-piliang" }).text;
    const errors = fixture("check_source", { path: null, text: draft }).problems.filter((p) => p.severity === "error").length;
    await waitFor(() => expect(saveButton().disabled).toBe(errors > 0));
  });

  test("待复核: count in the top bar, rules first, reasons, edit; banner and card badge", async () => {
    // After a rule was saved (its `updated` is today), the documents citing it are 待复核 too.
    const backend = new StubBackend()
      .on("status", () => fixture("status", {}, 2))
      .on("review_items", () => fixture("review_items", {}))
      .on("search", (args) => fixture("search", args, -1))
      .on("document", (args) => fixture("document", args, -1));
    const { box } = setup(backend);
    const items = fixture("review_items", {});
    await waitFor(() => expect(screen.getByTestId("review-count").textContent).toBe(String(items.length)));
    await fireEvent.click(screen.getByTestId("btn-review"));
    await waitFor(() => expect(document.querySelectorAll(".review-item")).toHaveLength(items.length));
    const shown = Array.from(document.querySelectorAll<HTMLElement>(".review-item"));
    expect(shown.map((i) => i.getAttribute("data-id"))).toEqual(items.map((i) => i.id));
    expect(shown[0]!.getAttribute("data-id")).toBe("rules/taobao-7day-old");
    expect(shown[0]!.querySelector(".review-reason")?.textContent?.trim()).toBe("复核日期 2025-08-30 已过");
    const cited = shown.find((i) => i.getAttribute("data-id") === "playbooks/quehuo-yanchi")!;
    expect(cited.querySelector(".review-reason")?.textContent?.trim()).toBe(
      "依据的规则《淘宝发货规范与超时发货》已于 2026-11-24 更新，本文最后更新于 2026-11-20",
    );
    await fireEvent.click(within(shown[0]!).getByRole("button", { name: "编辑" }));
    await waitFor(() => expect(titleInput().value).toBe("淘宝七天无理由退货规范（旧版摘要）"));

    await fireEvent.input(box, { target: { value: "缺货" } });
    await waitFor(() => expect(document.querySelector('.card[data-id="playbooks/quehuo-yanchi"] .review-flag')?.textContent).toBe("待复核"));
    await fireEvent.click(document.querySelector('.card[data-id="playbooks/quehuo-yanchi"]')!);
    const banner = await screen.findByTestId("review-banner");
    await fireEvent.click(within(banner).getByRole("button", { name: "淘宝发货规范与超时发货" }));
    await screen.findByRole("heading", { level: 1, name: "淘宝发货规范与超时发货" });
  });

  const repo: GitStatus = { repo: true, branch: "main", upstream: "origin/main", changes: [], conflicts: [], rebasing: false };

  test("sync: the report, committed only, and git errors with git's message", async () => {
    const backend = new StubBackend().on("git_status", () => repo);
    const outcomes = [
      () => ({ outcome: "synced" as const, committed: [], pulled: 3, pushed: true, conflicts: [], message: "" }),
      () => ({ outcome: "committed_only" as const, committed: ["playbooks/cuifahuo.md"], pulled: 0, pushed: false, conflicts: [], message: "no upstream configured" }),
      () => Promise.reject({ kind: "git", message: "fatal: unable to access 'https://git.example.com/kefu/content.git/': Could not resolve host: git.example.com" }),
    ];
    backend.on("git_sync", () => outcomes.shift()!());
    setup(backend);
    const sync = await screen.findByTestId("btn-sync");
    await fireEvent.click(sync);
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已同步：拉取 3 条更新"));
    await fireEvent.click(sync);
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已在本地提交（没有设置远程仓库）"));
    await fireEvent.click(sync);
    const err = await screen.findByTestId("sync-error");
    expect(err.textContent).toContain("Could not resolve host: git.example.com");
    expect(err.textContent).toContain("同步出错（git）");
    expect(backend.argsOf("git_sync")).toHaveLength(3);
  });

  test("no git repository (as the core says of the test content): no 同步 button", async () => {
    expect(fixture("git_status", {}).repo).toBe(false);
    setup();
    await waitFor(() => expect(screen.getByTestId("review-count")).toBeTruthy());
    await waitFor(() => expect(stubs.current()!.argsOf("git_status").length).toBeGreaterThan(0));
    expect(screen.queryByTestId("btn-sync")).toBeNull();
  });
});

describe("content changed elsewhere", () => {
  test("the open document, the search results and the status follow", async () => {
    const { box, backend } = setup();
    await openDoc(box, "断链测试", "断链测试");
    expect(screen.getByTestId("problem-count").textContent).toBe("1");
    // Someone fixed the broken link and renamed the playbook; the watcher tells the UI.
    changedElsewhere(backend, "playbooks/duanlian-ceshi", 1);
    await screen.findByRole("heading", { level: 1, name: "断链测试（新版）" });
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    await waitFor(() => expect(titles()[0]).toBe("断链测试（新版）"));
    // The status came with the event: the error is gone.
    expect(screen.getByTestId("problem-count").textContent).toBe("0");
    expect(backend.argsOf("search").map((a) => a.req)).toEqual([req("断链测试"), req("断链测试")]);
  });

  test("an editor with nothing typed follows the new version", async () => {
    const ctx = setup();
    const body = await edit(ctx, "物流", "物流停滞");
    changedElsewhere(ctx.backend, "playbooks/wuliu-tingzhi");
    expect((await screen.findByTestId("changed-elsewhere")).textContent).toContain("已载入新的版本");
    await waitFor(() => expect(body.state.doc.toString()).toContain("同事补充"));
    await checked(ctx.backend, 2);
  });
});
