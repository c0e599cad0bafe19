import { afterEach, describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import { FakeBackend } from "./lib/api/fake";
import { FAKE_DOCS, type FakeDoc } from "./lib/api/fake-data";
import type { SearchRequest } from "./lib/bindings/SearchRequest";
import type { SearchResults } from "./lib/bindings/SearchResults";
import { setLanguage } from "./lib/i18n.svelte";

afterEach(() => setLanguage("zh"));

function setup(backend = new FakeBackend()) {
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000 } } });
  const box = screen.getByRole("combobox") as HTMLInputElement;
  return { backend, box, ...view };
}

async function type(box: HTMLInputElement, text: string) {
  await fireEvent.input(box, { target: { value: text } });
}

const titles = () => Array.from(document.querySelectorAll(".card-title")).map((e) => e.textContent);
const key = (k: string, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(document.activeElement ?? window, { key: k, ...init });

describe("search", () => {
  test("the box has the focus; typing shows results with took/total", async () => {
    const { box } = setup();
    expect(document.activeElement).toBe(box);
    await type(box, "催单");
    await waitFor(() => expect(titles()[0]).toBe("催发货"));
    expect(document.querySelector(".status-results")?.textContent).toMatch(/^\d+ 条结果 · [\d.]+ 毫秒$/);
    // 催单 is highlighted in the snippet as a <mark>.
    expect(Array.from(document.querySelectorAll(".card mark")).map((m) => m.textContent)).toContain("催单");
  });

  test("a stale response is dropped; old results stay until new ones arrive", async () => {
    class Deferred extends FakeBackend {
      pending: Array<{ req: SearchRequest; resolve: (r: SearchResults) => void }> = [];
      override search(req: SearchRequest): Promise<SearchResults> {
        return new Promise((resolve) => this.pending.push({ req, resolve }));
      }
    }
    const backend = new Deferred();
    const { box } = setup(backend);
    await type(box, "物流");
    await type(box, "催发货");
    await waitFor(() => expect(backend.pending.length).toBe(2));
    const [first, second] = backend.pending;
    // The second answer arrives first…
    second!.resolve(backend.searchNow(second!.req));
    await waitFor(() => expect(titles()[0]).toBe("催发货"));
    const shown = titles();
    // …then the first, which must not replace it.
    first!.resolve(backend.searchNow(first!.req));
    await new Promise((r) => setTimeout(r, 20));
    expect(titles()).toEqual(shown);
    // A new query keeps the old cards on screen while it is in flight.
    await type(box, "cfh2");
    await waitFor(() => expect(backend.pending.length).toBe(3));
    expect(titles()).toEqual(shown);
    backend.pending[2]!.resolve(backend.searchNow(backend.pending[2]!.req));
    await waitFor(() => expect(document.querySelector(".card .code")?.textContent).toBe("cfh2"));
  });

  test("filters go into the request", async () => {
    const { box, backend } = setup();
    await type(box, "发货");
    await fireEvent.click(screen.getByRole("button", { name: "规则" }));
    await fireEvent.click(screen.getByRole("button", { name: "淘宝" }));
    await waitFor(() => expect(backend.searches[backend.searches.length - 1]).toMatchObject({ kinds: ["rule"], platforms: ["taobao"] }));
    await waitFor(() => expect(titles()).toEqual(["淘宝发货规范与超时发货"]));
    expect(screen.getByRole("button", { name: "规则" }).getAttribute("aria-pressed")).toBe("true");
  });

  test("↑/↓ select, Enter opens, Esc goes back, Ctrl+Enter copies, Esc clears then hides", async () => {
    const { box, backend } = setup();
    await type(box, "物流");
    await waitFor(() => expect(titles().length).toBeGreaterThan(2));
    const selectedTitle = () => document.querySelector('.card[aria-selected="true"] .card-title')?.textContent;
    expect(selectedTitle()).toBe(titles()[0]);
    await key("ArrowDown");
    await key("ArrowDown");
    expect(selectedTitle()).toBe(titles()[2]);
    await key("ArrowUp");
    expect(selectedTitle()).toBe(titles()[1]);
    expect(box.getAttribute("aria-activedescendant")).toBe("hit-1");
    const expected = titles()[1];

    await key("Enter");
    await waitFor(() => expect(document.querySelector(".doc-title")?.textContent).toBe(expected));
    await key("Escape");
    await waitFor(() => expect(selectedTitle()).toBe(expected));
    expect(document.activeElement).toBe(box);

    // Ctrl+Enter on a playbook without placeholders copies at once.
    await type(box, "af1");
    await waitFor(() => expect(titles()[0]).toBe("安抚愤怒买家"));
    await key("Enter", { ctrlKey: true });
    await waitFor(() => expect(backend.copied).toHaveLength(1));
    expect(backend.copied[0]).toMatch(/^亲，真的非常抱歉/);
    expect(screen.getByRole("status").textContent).toContain("已复制");

    await key("Escape");
    expect(box.value).toBe("");
    expect(document.querySelector(".card")).toBeNull();
    expect(backend.hidden).toBe(0);
    await key("Escape");
    await waitFor(() => expect(backend.hidden).toBe(1));
  });

  test("no results: suggestions as chips, hints, and removing filters", async () => {
    const { box } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "案例" }));
    await type(box, "催货款");
    await screen.findByText("没有找到“催货款”");
    expect(screen.getByText(/拼音首字母/)).toBeTruthy();
    const chip = await screen.findByRole("button", { name: /^催发货/ });
    expect(screen.getByRole("button", { name: "去掉筛选条件再搜" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "去掉筛选条件再搜" }));
    await fireEvent.click(chip);
    await waitFor(() => expect(titles()[0]).toBe("催发货"));
    expect(box.value).toBe("催发货");
  });

  test("titles and snippets with markup are text, never elements", async () => {
    const evil: FakeDoc = {
      ...FAKE_DOCS[0]!,
      id: "x/evil",
      title: '<img src=x onerror="window.__xss=1">坏标题',
      aliases: ["<script>window.__xss=2</script>zzz"],
      pinyin: [],
      phrases: [],
      kind: "case",
      linkIds: [],
    };
    const { box } = setup(new FakeBackend({}, [evil]));
    await type(box, "zzz");
    await waitFor(() => expect(document.querySelector(".card")).not.toBeNull());
    const card = document.querySelector(".card")!;
    expect(card.querySelector("script, img")).toBeNull();
    expect(card.querySelector(".card-title")?.textContent).toBe('<img src=x onerror="window.__xss=1">坏标题');
    expect(card.querySelector(".card-snippet")?.textContent).toContain("<script>window.__xss=2</script>");
    expect(card.querySelector(".card-snippet mark")?.textContent).toBe("zzz");
    expect((window as unknown as { __xss?: unknown }).__xss).toBeUndefined();
  });

  test("the hotkey summons: back to search, box focused with its text selected", async () => {
    const { box, backend } = setup();
    await type(box, "cfh");
    await waitFor(() => expect(titles().length).toBeGreaterThan(0));
    await key("Enter");
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    (document.activeElement as HTMLElement).blur();
    backend.summon();
    await waitFor(() => expect(document.activeElement).toBe(box));
    expect(document.querySelector(".doc-title")).toBeNull();
    expect([box.selectionStart, box.selectionEnd]).toEqual([0, 3]);
  });
});

describe("copy with placeholders", () => {
  test("the dialog asks each value, prefilled next time, Enter copies the filled text", async () => {
    const { box, backend } = setup();
    await type(box, "cfh2");
    await waitFor(() => expect(document.querySelector(".card .code")?.textContent).toBe("cfh2"));
    await fireEvent.click(document.querySelector(".card .btn-copy")!);
    const dialog = await screen.findByRole("dialog");
    const buyer = within(dialog).getByRole("textbox", { name: "买家" }) as HTMLInputElement;
    const order = within(dialog).getByRole("textbox", { name: "订单号" }) as HTMLInputElement;
    expect(document.activeElement).toBe(buyer);
    await fireEvent.input(buyer, { target: { value: "王先生" } });
    await fireEvent.input(order, { target: { value: "8848" } });
    expect(dialog.querySelector(".preview-text")?.textContent).toContain("久等了，王先生！您的订单8848已经");
    await fireEvent.submit(order.form!);
    await waitFor(() => expect(backend.copied).toHaveLength(1));
    expect(backend.copied[0]).toMatch(/^真的非常抱歉让您久等了，王先生！您的订单8848已经超过/);
    expect(screen.queryByRole("dialog")).toBeNull();

    // Next time the values are remembered; Esc cancels without copying.
    await fireEvent.click(document.querySelector(".card .btn-copy")!);
    const again = await screen.findByRole("dialog");
    expect((within(again).getByRole("textbox", { name: "买家" }) as HTMLInputElement).value).toBe("王先生");
    await fireEvent.keyDown(within(again).getByRole("textbox", { name: "买家" }), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(backend.copied).toHaveLength(1);
  });
});

describe("document view", () => {
  async function openCuifahuo() {
    const ctx = setup();
    await type(ctx.box, "cuifahuo");
    await waitFor(() => expect(titles()[0]).toBe("催发货"));
    await key("Enter");
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    return ctx;
  }

  test("phrases with codes and copy buttons; metadata; backlinks", async () => {
    await openCuifahuo();
    const cards = document.querySelectorAll(".phrase-card");
    expect(Array.from(cards).map((c) => c.getAttribute("data-code"))).toEqual(["cfh1", "cfh2", "cfh3"]);
    expect(screen.getByText("更新于 2026-11-20")).toBeTruthy();
    expect(screen.getByText("#物流")).toBeTruthy();
    expect(within(screen.getByTestId("backlinks")).getByText("买家催发货（着急）")).toBeTruthy();
  });

  test("#doc/ links navigate inside the app, with a history; web links go out", async () => {
    const { backend } = await openCuifahuo();
    const link = document.querySelector<HTMLAnchorElement>('.doc-body a[href="#doc/rules/taobao-late-shipment"]')!;
    await fireEvent.click(link);
    await screen.findByRole("heading", { level: 1, name: "淘宝发货规范与超时发货" });
    expect(window.location.hash).toBe("");
    expect(screen.getByText("《淘宝平台争议处理规则》第二十五条至第三十三条；《电子商务法》第二十条")).toBeTruthy();
    await key("ArrowLeft", { altKey: true });
    await screen.findByRole("heading", { level: 1, name: "催发货" });
    await fireEvent.click(document.querySelector<HTMLAnchorElement>('.doc-body a[href^="https:"]')!);
    await waitFor(() => expect(backend.opened).toEqual(["https://rulechannel.taobao.com/"]));
    await fireEvent.click(screen.getByRole("button", { name: /返回/ }));
    await waitFor(() => expect(document.querySelector(".doc-title")).toBeNull());
  });

  test("the document takes the focus; typing there starts a new search", async () => {
    const { box } = await openCuifahuo();
    await waitFor(() => expect(document.activeElement?.classList.contains("doc-scroll")).toBe(true));
    await key("x");
    expect(document.activeElement).toBe(box);
    expect([box.selectionStart, box.selectionEnd]).toEqual([0, box.value.length]);
  });

  test("a rule past review shows 待复核 and 法律法规", async () => {
    const { box } = setup();
    await type(box, "七日无理由");
    await waitFor(() => expect(titles()[0]).toBe("七日无理由退货"));
    await key("Enter");
    await screen.findByRole("heading", { level: 1, name: "七日无理由退货" });
    expect(screen.getAllByText("待复核").length).toBeGreaterThan(0);
    expect(screen.getByText("法律法规")).toBeTruthy();
  });

  test("a case shows its outcome", async () => {
    const { box } = setup();
    await type(box, "批量筛查");
    await waitFor(() => expect(titles()[0]).toBe("已发货仅退款订单批量筛查"));
    await key("Enter");
    await screen.findByText("一周内拦截 37 单，挽回约 4200 元");
  });
});

describe("panels", () => {
  test("problems: badge with the error count, list path:line: severity: message + hint", async () => {
    setup();
    const badge = await screen.findByTestId("problem-count");
    expect(badge.textContent).toBe("1");
    await fireEvent.click(badge.closest("button")!);
    await waitFor(() => expect(document.querySelectorAll(".problem")).toHaveLength(3));
    expect(document.querySelector(".problem-text")?.textContent).toBe(
      "playbooks/cuifahuo.md:24: error: broken link [[playbooks/quehuo-yanchi]]: no document has this id",
    );
    expect(screen.getByText("create playbooks/quehuo-yanchi.md or fix the id")).toBeTruthy();
  });

  test("settings: choose folder, reset, localised error, switch to English", async () => {
    const { backend } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "设置" }));
    await screen.findByRole("heading", { name: "设置" });
    await fireEvent.click(screen.getByRole("button", { name: "选择文件夹" }));
    await waitFor(() => expect(screen.getByTestId("content-dir").textContent).toContain("/home/kefu/团队知识库"));
    await fireEvent.click(screen.getByRole("button", { name: "使用内置内容" }));
    expect(screen.getByTestId("content-dir").textContent).toContain("内置内容");

    const hotkey = document.querySelector<HTMLInputElement>('input[name="hotkey"]')!;
    expect(hotkey.value).toBe("Ctrl+Shift+K");
    await fireEvent.input(hotkey, { target: { value: "  " } });
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    expect((await screen.findByTestId("settings-error")).textContent).toContain("输入有误");

    await fireEvent.input(hotkey, { target: { value: "Alt+Space" } });
    await fireEvent.click(screen.getByRole("radio", { name: "English" }));
    await fireEvent.click(screen.getByRole("radio", { name: "深色" }));
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await screen.findByRole("button", { name: "Save" });
    expect(screen.getByRole("heading", { name: "Settings" })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(await backend.getSettings()).toMatchObject({ hotkey: "Alt+Space", language: "en", theme: "dark" });
    await key("Escape");
    expect((screen.getByRole("combobox") as HTMLInputElement).placeholder).toMatch(/^Search/);
  });

  test("the compact button calls setCompact and switches the layout", async () => {
    const { backend } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "紧凑" }));
    await waitFor(() => expect(backend.compactCalls).toEqual([true]));
    expect(document.documentElement.dataset.compact).toBe("");
    await fireEvent.click(screen.getByRole("button", { name: "紧凑" }));
    await waitFor(() => expect(backend.compactCalls).toEqual([true, false]));
    expect(document.documentElement.dataset.compact).toBeUndefined();
  });
});

describe("matching by meaning and the clipboard", () => {
  test("the status bar says when semantic matching is off, embedding, or on", async () => {
    const { backend } = setup();
    const chip = await screen.findByTestId("semantic");
    expect(chip.dataset.state).toBe("off");
    expect(chip.textContent).toContain("语义匹配未开启");
    expect(chip.getAttribute("title")).toContain("no model");
    backend.emitSemantic({ state: "embedding", done: 50, total: 200 });
    await waitFor(() => expect(screen.getByTestId("semantic").textContent).toContain("语义索引 25%"));
    backend.emitSemantic({ state: "ready", units: 200 });
    await waitFor(() => expect(screen.getByTestId("semantic").dataset.state).toBe("ready"));
  });

  test("剪贴板建议 is off by default; once on, a copied message is searched and marked", async () => {
    const { backend, box } = setup();
    await screen.findByTestId("semantic");
    backend.emitClipboard("亲 快递一直不动 怎么回事");
    await new Promise((r) => setTimeout(r, 20));
    expect(box.value).toBe("");
    expect(screen.queryByTestId("clipboard-on")).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "设置" }));
    await screen.findByRole("heading", { name: "设置" });
    await fireEvent.click(screen.getByRole("checkbox", { name: /剪贴板建议/ }));
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await screen.findByTestId("clipboard-on");

    backend.emitClipboard("亲 快递一直不动 怎么回事");
    await waitFor(() => expect(box.value).toBe("亲 快递一直不动 怎么回事"));
    await screen.findByTestId("from-clipboard");
    // Typing replaces it and the mark goes.
    await type(box, "催单");
    await waitFor(() => expect(screen.queryByTestId("from-clipboard")).toBeNull());
  });
});
