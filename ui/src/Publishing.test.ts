import { afterEach, describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { EditorView } from "@codemirror/view";
import App from "./App.svelte";
import { FakeBackend } from "./lib/api/fake";
import type { SourceCheck } from "./lib/bindings/SourceCheck";
import { setLanguage } from "./lib/i18n.svelte";

afterEach(() => setLanguage("zh"));

function setup(backend = new FakeBackend()) {
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000, checkDebounceMs: 0 } } });
  const box = screen.getByRole("combobox") as HTMLInputElement;
  return { backend, box, ...view };
}

const titles = () => Array.from(document.querySelectorAll(".card-title")).map((e) => e.textContent);

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

async function openDoc(box: HTMLInputElement, query: string, title: string) {
  await fireEvent.input(box, { target: { value: query } });
  await waitFor(() => expect(titles()[0]).toBe(title));
  await fireEvent.click(document.querySelector(".card")!);
  await screen.findByRole("heading", { level: 1, name: title });
}

async function editCuifahuo(ctx: ReturnType<typeof setup>) {
  await openDoc(ctx.box, "cuifahuo", "催发货");
  await fireEvent.click(screen.getByRole("button", { name: "编辑" }));
  await waitFor(() => expect(titleInput().value).toBe("催发货"));
  return bodyEditor();
}

describe("editor form ↔ text", () => {
  test("form edits change only their keys: comments, phrases and other keys survive", async () => {
    const backend = new FakeBackend();
    const original = backend.fileText("playbooks/cuifahuo.md")!;
    // A comment and an unknown key the form knows nothing about.
    backend.externalEdit("playbooks/cuifahuo", original.replace("kind: playbook\n", "kind: playbook\n# 组长审核过\nreviewer: 王敏\n"));
    const ctx = setup(backend);
    await editCuifahuo(ctx);
    await fireEvent.input(titleInput(), { target: { value: "催发货（加急）" } });
    await fireEvent.click(screen.getByRole("button", { name: "天猫" }));
    const tags = document.querySelector<HTMLInputElement>('input[name="tags"]')!;
    await fireEvent.input(tags, { target: { value: "加急" } });
    await fireEvent.keyDown(tags, { key: "Enter" });
    await fireEvent.click(screen.getByRole("button", { name: "删除标签 售中" }));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    await screen.findByRole("heading", { level: 1, name: "催发货（加急）" });
    const text = backend.saves[backend.saves.length - 1]!.text;
    expect(text).toContain("kind: playbook\n# 组长审核过\nreviewer: 王敏\ntitle: 催发货（加急）\n");
    expect(text).toContain("tags: [发货, 物流, 加急]\n");
    expect(text).toContain("platforms: [tmall]\n");
    // The phrases are exactly as they were.
    const phrases = (s: string) => s.slice(s.indexOf("phrases:"), s.indexOf("author:"));
    expect(phrases(text)).toBe(phrases(original));
    expect(text.split("---\n").slice(2).join("---\n")).toBe(original.split("---\n").slice(2).join("---\n"));
  });

  test("the YAML editor shows the front matter; updated is read-only", async () => {
    const ctx = setup();
    await editCuifahuo(ctx);
    expect(screen.getByTestId("updated").textContent).toBe("2026-11-20");
    expect(screen.getByText("保存时自动更新")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "高级：编辑 YAML" }));
    await waitFor(() => expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("title: 催发货"));
    const yaml = EditorView.findFromDOM(document.querySelector<HTMLElement>(".cm-yaml .cm-editor")!)!;
    const doc = yaml.state.doc.toString();
    const at = doc.indexOf("title: 催发货") + "title: 催发货".length;
    yaml.dispatch({ changes: { from: at, insert: "2" } });
    await waitFor(() => expect(titleInput().value).toBe("催发货2"));
  });
});

describe("publishing and saving", () => {
  test("publish a case: errors block saving, then saved → toast, document view, searchable", async () => {
    const { box, backend } = setup();
    await fireEvent.click(screen.getByTestId("btn-publish"));
    const body = await bodyEditor();
    expect(document.querySelector(".editor-view")?.getAttribute("data-new")).toBe("true");
    // Empty title: an error, shown by the form and in the list; save is disabled and says why.
    await waitFor(() => expect(saveButton().disabled).toBe(true));
    expect(screen.getByTestId("save-why").textContent).toBe("还有 1 个错误，修正后才能保存");
    expect(document.querySelector('.editor-problem[data-severity="error"]')?.textContent).toContain("empty `title`");
    expect(screen.getByText("标题必填")).toBeTruthy();

    await fireEvent.input(titleInput(), { target: { value: "预售尾款催付被投诉" } });
    await fireEvent.change(document.querySelector('select[name="platform"]')!, { target: { value: "tmall" } });
    typeAtEnd(body, "\n尾款提醒短信被当成骚扰。\n");
    await waitFor(() => expect(screen.getByTestId("preview").textContent).toContain("尾款提醒短信被当成骚扰"));
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    expect(screen.getByTestId("path").textContent).toMatch(/^保存为 cases\/\d{4}-\d\d-\d\d-.+\.md$/);

    await fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await screen.findByRole("heading", { level: 1, name: "预售尾款催付被投诉" });
    expect(screen.getByRole("status").textContent).toContain("已发布，现在可以搜到了");
    const req = backend.saves[0]!;
    expect(req.path).toBeUndefined();
    expect(req.base_fingerprint).toBeUndefined();
    expect(req.text).toMatch(/^platform: tmall$/m);

    await fireEvent.input(box, { target: { value: "骚扰" } });
    await waitFor(() => expect(titles()).toContain("预售尾款催付被投诉"));
  });

  test("invalid: the problems are shown and nothing is written", async () => {
    class Lenient extends FakeBackend {
      override checkSource(path: string | null, text: string): Promise<SourceCheck> {
        return super.checkSource(path, text).then((c) => ({ ...c, problems: [] }));
      }
    }
    const backend = new Lenient();
    setup(backend);
    await fireEvent.click(screen.getByTestId("btn-publish"));
    await bodyEditor();
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    expect((await screen.findByTestId("not-saved")).textContent).toContain("没有保存");
    await waitFor(() => expect(document.querySelector(".editor-problem")?.textContent).toContain("empty `title`"));
    expect(saveButton().disabled).toBe(true);
    expect(backend.fileText("cases/")).toBeUndefined();
    expect(document.querySelector(".doc-title")).toBeNull();
  });

  test("changed elsewhere → banner; save → conflict dialog; reload takes the disk version", async () => {
    const ctx = setup();
    const body = await editCuifahuo(ctx);
    typeAtEnd(body, "我的补充。\n");
    ctx.backend.externalEdit("playbooks/cuifahuo");
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
    await fireEvent.click(saveButton());
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    expect(screen.getByRole("status").textContent).toContain("已保存");
    expect(ctx.backend.fileText("playbooks/cuifahuo.md")).toContain("同事补充：这一段是在别处加上的。\n再补一句。");
  });

  test("conflict → keep both writes a copy; cancel keeps editing", async () => {
    const ctx = setup();
    const body = await editCuifahuo(ctx);
    typeAtEnd(body, "我的版本。\n");
    ctx.backend.externalEdit("playbooks/cuifahuo");
    await screen.findByTestId("changed-elsewhere");
    await fireEvent.click(saveButton());
    let dialog = await screen.findByRole("dialog", { name: "文件在别处被修改了" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "取消（继续编辑）" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(body.state.doc.toString()).toContain("我的版本");
    await fireEvent.click(saveButton());
    dialog = await screen.findByRole("dialog", { name: "文件在别处被修改了" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "两份都保留" }));
    await waitFor(() => expect(document.querySelector(".doc-toolbar .crumb")?.textContent).toBe("playbooks/cuifahuo-copy.md"));
    expect(screen.getByRole("status").textContent).toContain("已另存为 playbooks/cuifahuo-copy.md");
    expect(ctx.backend.fileText("playbooks/cuifahuo-copy.md")).toContain("我的版本");
    expect(ctx.backend.fileText("playbooks/cuifahuo.md")).not.toContain("我的版本");
  });

  test("leaving with unsaved changes asks first", async () => {
    const ctx = setup();
    const body = await editCuifahuo(ctx);
    typeAtEnd(body, "没保存的字。\n");
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    const dialog = await screen.findByRole("dialog", { name: "放弃未保存的修改？" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "继续编辑" }));
    expect(document.querySelector(".editor-view")).not.toBeNull();
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    await fireEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "放弃修改" }));
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    expect(ctx.backend.saves).toHaveLength(0);
  });
});

describe("drills from cases, review, sync", () => {
  test("生成练习 from a case opens the editor on a new drill", async () => {
    const { box } = setup();
    await openDoc(box, "批量筛查", "已发货仅退款订单批量筛查");
    await fireEvent.click(screen.getByRole("button", { name: "生成练习" }));
    await bodyEditor();
    const editor = document.querySelector(".editor-view")!;
    expect(editor.getAttribute("data-kind")).toBe("drill");
    expect(editor.getAttribute("data-new")).toBe("true");
    expect(titleInput().value).toBe("已发货仅退款订单批量筛查（案例练习）");
    await fireEvent.click(screen.getByRole("button", { name: "高级：编辑 YAML" }));
    await waitFor(() => expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("东西根本没收到，凭什么不给我退款？"));
    expect(document.querySelector(".cm-yaml .cm-content")?.textContent).toContain("亲，包裹我这边马上联系快递拦截");
    await waitFor(() => expect(saveButton().disabled).toBe(false));
  });

  test("待复核: count in the top bar, rules first, reasons, edit; banner and card badge", async () => {
    const { box } = setup();
    await waitFor(() => expect(screen.getByTestId("review-count").textContent).toBe("2"));
    await fireEvent.click(screen.getByTestId("btn-review"));
    await waitFor(() => expect(document.querySelectorAll(".review-item")).toHaveLength(2));
    const items = Array.from(document.querySelectorAll(".review-item"));
    expect(items.map((i) => i.getAttribute("data-id"))).toEqual(["rules/law-7day-return", "cases/yifahuo-jintuikuan-piliang"]);
    expect(items[0]!.querySelector(".review-reason")?.textContent?.trim()).toBe("复核日期 2026-08-28 已过");
    expect(items[1]!.querySelector(".review-reason")?.textContent?.trim()).toBe(
      "依据的规则《淘宝发货规范与超时发货》已于 2026-11-20 更新，本文最后更新于 2026-09-30",
    );
    await fireEvent.click(within(items[1] as HTMLElement).getByRole("button", { name: "编辑" }));
    await waitFor(() => expect(titleInput().value).toBe("已发货仅退款订单批量筛查"));

    await fireEvent.input(box, { target: { value: "批量筛查" } });
    await waitFor(() => expect(document.querySelector(".card .review-flag")?.textContent).toBe("待复核"));
    await fireEvent.click(document.querySelector(".card")!);
    const banner = await screen.findByTestId("review-banner");
    await fireEvent.click(within(banner).getByRole("button", { name: "淘宝发货规范与超时发货" }));
    await screen.findByRole("heading", { level: 1, name: "淘宝发货规范与超时发货" });
  });

  test("sync: report, conflict list with 打开 → editor on the file, fix, save, sync again", async () => {
    const backend = new FakeBackend();
    backend.gitPull = 3;
    setup(backend);
    const sync = await screen.findByTestId("btn-sync");
    await fireEvent.click(sync);
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已同步：拉取 3 条更新"));

    backend.gitScenario = "conflict";
    await fireEvent.click(sync);
    const file = await waitFor(() => {
      const el = document.querySelector<HTMLElement>('.conflict-file[data-path="playbooks/cuifahuo.md"]');
      expect(el).not.toBeNull();
      return el!;
    });
    expect(screen.getByText(/保留你要的内容，删掉标记行/)).toBeTruthy();
    await waitFor(() => expect(sync.getAttribute("data-state")).toBe("warning"));
    await fireEvent.click(within(file).getByRole("button", { name: "打开" }));
    const body = await bodyEditor();
    expect(screen.getByTestId("conflict-markers")).toBeTruthy();
    await waitFor(() => expect(saveButton().disabled).toBe(true)); // the markers are an error
    const text = body.state.doc.toString();
    const fixed = text.replace(/<<<<<<< HEAD\n(.*)\n=======\n.*\n>>>>>>> .*\n/, "$1\n");
    body.dispatch({ changes: { from: 0, to: text.length, insert: fixed } });
    await waitFor(() => expect(saveButton().disabled).toBe(false));
    await fireEvent.click(saveButton());
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    await fireEvent.click(sync);
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已同步"));
    await waitFor(() => expect(sync.getAttribute("data-state")).toBe("ok"));
  });

  test("sync: committed only, and git errors with git's message", async () => {
    const backend = new FakeBackend();
    setup(backend);
    const sync = await screen.findByTestId("btn-sync");
    backend.gitScenario = "no_remote";
    await fireEvent.click(sync);
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已在本地提交（没有设置远程仓库）"));
    backend.gitScenario = "error";
    await fireEvent.click(sync);
    const err = await screen.findByTestId("sync-error");
    expect(err.textContent).toContain("Could not resolve host: git.example.com");
    expect(err.textContent).toContain("同步出错（git）");
  });

  test("no git repository: no 同步 button", async () => {
    setup(new FakeBackend({ git: false }));
    await waitFor(() => expect(screen.getByTestId("review-count")).toBeTruthy());
    expect(screen.queryByTestId("btn-sync")).toBeNull();
  });
});

describe("content changed elsewhere", () => {
  test("the open document, the search results and the status follow", async () => {
    const { box, backend } = setup();
    await openDoc(box, "cuifahuo", "催发货");
    const text = backend.fileText("playbooks/cuifahuo.md")!;
    backend.externalEdit("playbooks/cuifahuo", text.replace("title: 催发货", "title: 催发货（新版）"));
    await screen.findByRole("heading", { level: 1, name: "催发货（新版）" });
    await fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    await waitFor(() => expect(titles()[0]).toBe("催发货（新版）"));
    // The edit dropped the seeded broken-link error: the status came with the event.
    expect(screen.getByTestId("problem-count").textContent).toBe("0");
  });

  test("an editor with nothing typed follows the new version", async () => {
    const ctx = setup();
    const body = await editCuifahuo(ctx);
    ctx.backend.externalEdit("playbooks/cuifahuo");
    expect((await screen.findByTestId("changed-elsewhere")).textContent).toContain("已载入新的版本");
    await waitFor(() => expect(body.state.doc.toString()).toContain("同事补充"));
  });
});
