// The search side of the app (search, documents, copy, panels, settings) on the stub backend:
// every core answer is one the real core gave (src/test/fixtures.json); handlers only delay
// answers or stand in for the desktop shell.

import { describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import type { Kind } from "./lib/bindings/Kind";
import type { Platform } from "./lib/bindings/Platform";
import type { SearchRequest } from "./lib/bindings/SearchRequest";
import type { SearchResults } from "./lib/bindings/SearchResults";
import type { Settings } from "./lib/bindings/Settings";
import { errorLabel, setLanguage } from "./lib/i18n.svelte";
import { StubBackend, fixture, recordedError } from "./test/stub";
import { trackStubs } from "./test/track";

const stubs = trackStubs();

function setup(backend = new StubBackend()) {
  stubs.use(backend);
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000 } } });
  const box = screen.getByRole("combobox") as HTMLInputElement;
  return { backend, box, ...view };
}

/** The request the search box sends for `query` (limit and filters as SearchController sends them). */
const req = (query: string, kinds: Kind[] = [], platforms: Platform[] = []): SearchRequest => ({ query, limit: 30, kinds, platforms });
/** What the core answered to that request. */
const answer = (query: string, kinds: Kind[] = [], platforms: Platform[] = []) => fixture("search", { req: req(query, kinds, platforms) });
const DEFAULTS: Settings = fixture("get_settings", {});

const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];

async function type(box: HTMLInputElement, text: string) {
  await fireEvent.input(box, { target: { value: text } });
}

const titles = () => Array.from(document.querySelectorAll(".card-title")).map((e) => e.textContent);
const key = (k: string, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(document.activeElement ?? window, { key: k, ...init });

describe("search", () => {
  test("the box has the focus; typing shows results with took/total; snippet highlights are marks", async () => {
    const { box } = setup();
    expect(document.activeElement).toBe(box);
    await type(box, "催单");
    const res = answer("催单");
    await waitFor(() => expect(titles()).toEqual(res.hits.map((h) => h.title)));
    expect(titles()[0]).toBe("催发货");
    expect(document.querySelector(".status-results")?.textContent).toBe(`${res.total} 条结果 · 0.0 毫秒`);
    // Each card marks the ranges the core highlighted (characters of the snippet).
    const cards = Array.from(document.querySelectorAll(".card"));
    const marked = res.hits.findIndex((h) => h.snippet.highlights.length > 0);
    expect(marked).toBeGreaterThan(-1);
    const hit = res.hits[marked]!;
    const chars = Array.from(hit.snippet.text);
    expect(Array.from(cards[marked]!.querySelectorAll("mark")).map((m) => m.textContent)).toEqual(
      hit.snippet.highlights.map(([s, e]) => chars.slice(s, e).join("")),
    );
    // 催发货 was found by its alias 催单, which neither its title nor its snippet shows: the card says so.
    expect(res.hits[0]!.matched_alias).toBe("催单");
    expect(cards[0]!.querySelector("[data-testid=matched-alias]")?.textContent).toBe("匹配：催单");
    expect(document.querySelectorAll("[data-testid=matched-alias]").length).toBe(res.hits.filter((h) => h.matched_alias).length);
  });

  test("a stale response is dropped; old results stay until new ones arrive", async () => {
    const backend = new StubBackend();
    const pending: Array<{ req: SearchRequest; resolve: (r: SearchResults) => void }> = [];
    backend.on("search", ({ req }) => new Promise((resolve) => pending.push({ req, resolve })));
    const { box } = setup(backend);
    await type(box, "物流");
    await type(box, "催发货");
    await waitFor(() => expect(pending.length).toBe(2));
    const [first, second] = pending;
    expect([first!.req.query, second!.req.query]).toEqual(["物流", "催发货"]);
    // The second answer arrives first…
    second!.resolve(fixture("search", { req: second!.req }));
    await waitFor(() => expect(titles()[0]).toBe("催发货"));
    const shown = titles();
    // …then the first, which must not replace it.
    first!.resolve(fixture("search", { req: first!.req }));
    await new Promise((r) => setTimeout(r, 20));
    expect(titles()).toEqual(shown);
    // A new query keeps the old cards on screen while it is in flight.
    await type(box, "cfh2");
    await waitFor(() => expect(pending.length).toBe(3));
    expect(titles()).toEqual(shown);
    pending[2]!.resolve(fixture("search", { req: pending[2]!.req }));
    await waitFor(() => expect(document.querySelector(".card .code")?.textContent).toBe("cfh2"));
  });

  test("filters go into the request", async () => {
    const { box, backend } = setup();
    await type(box, "发货");
    await fireEvent.click(screen.getByRole("button", { name: "规则" }));
    await fireEvent.click(screen.getByRole("button", { name: "淘宝" }));
    await waitFor(() => expect(last(backend.argsOf("search"))?.req).toEqual(req("发货", ["rule"], ["taobao"])));
    await waitFor(() => expect(titles()).toEqual(answer("发货", ["rule"], ["taobao"]).hits.map((h) => h.title)));
    expect(titles()[0]).toBe("淘宝发货规范与超时发货");
    expect(screen.getByRole("button", { name: "规则" }).getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("button", { name: "淘宝" }).getAttribute("aria-pressed")).toBe("true");
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

    // Ctrl+Enter on a playbook whose phrase has no placeholders copies at once.
    await type(box, "af1");
    const af1 = answer("af1").hits[0]!;
    await waitFor(() => expect(titles()[0]).toBe(af1.title));
    expect(af1.phrase?.text).not.toMatch(/\{\{/);
    await key("Enter", { ctrlKey: true });
    await waitFor(() => expect(backend.copied).toHaveLength(1));
    expect(backend.copied[0]).toBe(af1.phrase!.text);
    expect(screen.getByRole("status").textContent).toContain("已复制");

    await key("Escape");
    expect(box.value).toBe("");
    expect(document.querySelector(".card")).toBeNull();
    expect(backend.hidden).toBe(0);
    await key("Escape");
    await waitFor(() => expect(backend.hidden).toBe(1));
  });

  test("no results: the core's suggestions as chips, hints, and removing filters", async () => {
    const { box, backend } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "案例" }));
    await type(box, "断链测试");
    await screen.findByText("没有找到“断链测试”");
    expect(screen.getByText(/拼音首字母/)).toBeTruthy();
    const suggested = fixture("suggest", { query: "断链测试" }).map((s) => s.query);
    await waitFor(() =>
      expect(Array.from(document.querySelectorAll(".chip-suggest")).map((c) => c.firstChild?.textContent)).toEqual(suggested),
    );
    await fireEvent.click(screen.getByRole("button", { name: "去掉筛选条件再搜" }));
    await waitFor(() => expect(titles()[0]).toBe("断链测试"));
    expect(last(backend.argsOf("search"))?.req).toEqual(req("断链测试"));
    expect(screen.getByRole("button", { name: "案例" }).getAttribute("aria-pressed")).toBe("false");

    // A chip runs its query.
    await type(box, "cfh9");
    await screen.findByText("没有找到“cfh9”");
    const chip = fixture("suggest", { query: "cfh9" })[0]!.query;
    await fireEvent.click(await screen.findByRole("button", { name: new RegExp(`^${chip}`) }));
    await waitFor(() => expect(titles()[0]).toBe(answer(chip).hits[0]!.title));
    expect(box.value).toBe(chip);
  });

  test("titles and snippets with markup are text, never elements", async () => {
    const { box } = setup();
    await type(box, "xss");
    await waitFor(() => expect(document.querySelector(".card")).not.toBeNull());
    const hit = answer("xss").hits[0]!;
    expect(hit.title).toContain("<script>");
    const card = document.querySelector(".card")!;
    expect(card.querySelector("script, img")).toBeNull();
    expect(card.querySelector(".card-title")?.textContent).toBe(hit.title);
    expect(card.querySelector(".phrase-text")?.textContent).toBe(hit.phrase!.text);
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
    // cfh2 of content/playbooks/cuifahuo.md has one placeholder, 买家.
    expect(answer("cfh2").hits[0]!.phrase!.text).toMatch(/^真的非常抱歉让您久等了，\{\{买家\}\}！已经超过/);
    await fireEvent.click(document.querySelector(".card .btn-copy")!);
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getAllByRole("textbox")).toHaveLength(1);
    const buyer = within(dialog).getByRole("textbox", { name: "买家" }) as HTMLInputElement;
    expect(document.activeElement).toBe(buyer);
    await fireEvent.input(buyer, { target: { value: "王先生" } });
    expect(dialog.querySelector(".preview-text")?.textContent).toContain("久等了，王先生！已经超过");
    await fireEvent.submit(buyer.form!);
    await waitFor(() => expect(backend.copied).toHaveLength(1));
    expect(backend.copied[0]).toMatch(/^真的非常抱歉让您久等了，王先生！已经超过我们承诺的发货时间/);
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

describe("send to chat, usage", () => {
  test("Alt+Enter sends the selected phrase and logs how it was found; nothing is copied", async () => {
    const backend = new StubBackend().on("send_to_chat", () => ({ status: "sent" }));
    const { box } = setup(backend);
    await type(box, "af1");
    const af1 = answer("af1").hits[0]!;
    await waitFor(() => expect(titles()[0]).toBe(af1.title));
    await key("Enter", { altKey: true });
    await waitFor(() => expect(backend.argsOf("send_to_chat")).toHaveLength(1));
    expect(backend.argsOf("send_to_chat")[0]!.req).toEqual({
      text: af1.phrase!.text,
      record: { doc_id: af1.id, phrase_code: af1.phrase!.code, query: "af1", found_by: "typed", action: "sent" },
    });
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("已发送到聊天窗口"));
    expect(backend.copied).toHaveLength(0);
    // After a use, the lists for the empty box are asked for again.
    await waitFor(() => expect(backend.argsOf("usage_home").length).toBeGreaterThanOrEqual(2));
  });

  test("when it cannot send it copies instead, says why once, and logs a copy", async () => {
    const backend = new StubBackend().on("send_to_chat", () => ({
      status: "not_sent",
      code: "target_gone",
      reason: "the window Kefu was summoned from has closed",
    }));
    const { box } = setup(backend);
    await type(box, "af1");
    const af1 = answer("af1").hits[0]!;
    await waitFor(() => expect(titles()[0]).toBe(af1.title));
    await key("Enter", { altKey: true });
    await waitFor(() => expect(backend.copied).toEqual([af1.phrase!.text]));
    expect(screen.getByRole("status").textContent).toContain("已复制，没有发送：唤出客服宝典的聊天窗口已关闭");
    await waitFor(() => expect(backend.argsOf("record_use")).toHaveLength(1));
    expect(backend.argsOf("record_use")[0]!.record).toMatchObject({ doc_id: af1.id, action: "copied", found_by: "typed" });
    await key("Enter", { altKey: true });
    await waitFor(() => expect(backend.copied).toHaveLength(2));
    expect(screen.getByRole("status").textContent?.trim()).toBe("已复制");
  });

  test("a phrase with placeholders asks first, then sends the filled text", async () => {
    const backend = new StubBackend().on("send_to_chat", () => ({ status: "sent" }));
    const { box } = setup(backend);
    await type(box, "cfh2");
    await waitFor(() => expect(document.querySelector(".card .code")?.textContent).toBe("cfh2"));
    await key("Enter", { altKey: true });
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("button", { name: "发送" })).toBeTruthy();
    const buyer = within(dialog).getByRole("textbox", { name: "买家" }) as HTMLInputElement;
    await fireEvent.input(buyer, { target: { value: "王先生" } });
    await fireEvent.submit(buyer.form!);
    await waitFor(() => expect(backend.argsOf("send_to_chat")).toHaveLength(1));
    expect(backend.argsOf("send_to_chat")[0]!.req.text).toMatch(/^真的非常抱歉让您久等了，王先生！/);
    expect(backend.copied).toHaveLength(0);
  });

  test("in the compact window Enter sends (setting: open), and a copy hides the window", async () => {
    const backend = new StubBackend()
      .on("get_settings", () => ({ ...DEFAULTS, compact: true }))
      .on("send_to_chat", () => ({ status: "sent" }))
      .on("set_compact", () => null);
    const { box } = setup(backend);
    await type(box, "af1");
    const af1 = answer("af1").hits[0]!;
    await waitFor(() => expect(titles()[0]).toBe(af1.title));
    await key("Enter");
    await waitFor(() => expect(backend.argsOf("send_to_chat")).toHaveLength(1));
    expect(document.querySelector(".doc-title")).toBeNull();
    // Ctrl+Enter copies; in the compact window a copy hides Kefu (hide_after_copy: compact).
    await key("Enter", { ctrlKey: true });
    await waitFor(() => expect(backend.copied).toHaveLength(1));
    await waitFor(() => expect(backend.hidden).toBe(1));
  });

  test("compact_enter = open: Enter opens the document, as in the normal window", async () => {
    const backend = new StubBackend().on("get_settings", () => ({ ...DEFAULTS, compact: true, compact_enter: "open" }));
    const { box } = setup(backend);
    await type(box, "af1");
    const af1 = answer("af1").hits[0]!;
    await waitFor(() => expect(titles()[0]).toBe(af1.title));
    await key("Enter");
    await waitFor(() => expect(document.querySelector(".doc-title")?.textContent).toBe(af1.title));
    expect(backend.argsOf("send_to_chat")).toHaveLength(0);
  });

  test("the empty box shows 最近使用 and 常用 from the core; their buttons send and copy", async () => {
    const af1 = answer("af1").hits[0]!;
    const cfh = answer("cfh2").hits[0]!;
    const backend = new StubBackend()
      .on("usage_home", () => ({ recent: [af1], frequent: [cfh] }))
      .on("send_to_chat", () => ({ status: "sent" }));
    setup(backend);
    const home = await screen.findByTestId("usage-home");
    expect(within(home).getByRole("heading", { name: "最近使用" })).toBeTruthy();
    expect(within(home).getByRole("heading", { name: "常用" })).toBeTruthy();
    expect(Array.from(home.querySelectorAll(".card-title")).map((e) => e.textContent)).toEqual([af1.title, cfh.title]);
    await fireEvent.click(home.querySelector(".card .btn-send")!);
    await waitFor(() => expect(backend.argsOf("send_to_chat")).toHaveLength(1));
    expect(backend.argsOf("send_to_chat")[0]!.req.record).toMatchObject({ doc_id: af1.id, found_by: "browsed", query: "" });
    // The keyboard reaches them too: ↓ ↓ picks the 常用 card, Ctrl+Enter copies its phrase.
    const selected = () => home.querySelector('.card[aria-selected="true"] .card-title')?.textContent;
    await key("ArrowDown");
    await waitFor(() => expect(selected()).toBe(af1.title));
    await key("ArrowDown");
    await key("ArrowDown");
    await waitFor(() => expect(selected()).toBe(cfh.title));
    await key("Enter", { ctrlKey: true });
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("button", { name: "复制" })).toBeTruthy();
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
    const doc = fixture("document", { id: "playbooks/cuifahuo" });
    const cards = document.querySelectorAll(".phrase-card");
    expect(Array.from(cards).map((c) => c.getAttribute("data-code"))).toEqual(doc.phrases.map((p) => p.code));
    expect(Array.from(cards).map((c) => c.getAttribute("data-code"))).toEqual(["cfh1", "cfh2", "cfh3", "cfh4"]);
    expect(cards[0]!.querySelectorAll(".btn-copy")).toHaveLength(1);
    expect(screen.getByText("更新于 2026-11-20")).toBeTruthy();
    expect(screen.getByText("#物流")).toBeTruthy();
    const backlinks = within(screen.getByTestId("backlinks"));
    expect(backlinks.getByText("买家下单三天还没发货（着急）")).toBeTruthy();
    expect(doc.backlinks.every((b) => backlinks.queryByText(b.title!) !== null)).toBe(true);
  });

  test("#doc/ links navigate inside the app, with a history", async () => {
    await openCuifahuo();
    const link = document.querySelector<HTMLAnchorElement>('.doc-body a[href="#doc/rules/taobao-late-shipment"]')!;
    await fireEvent.click(link);
    await screen.findByRole("heading", { level: 1, name: "淘宝发货规范与超时发货" });
    expect(window.location.hash).toBe("");
    const rule = fixture("document", { id: "rules/taobao-late-shipment" }).rule!;
    expect(screen.getByText(rule.source!)).toBeTruthy();
    await key("ArrowLeft", { altKey: true });
    await screen.findByRole("heading", { level: 1, name: "催发货" });
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

  test("a rule past review shows 待复核; its web link goes to the system browser", async () => {
    const { box, backend } = setup();
    await type(box, "淘宝七天无理由旧版");
    await waitFor(() => expect(titles()[0]).toBe("淘宝七天无理由退货规范（旧版摘要）"));
    expect(document.querySelector(".card .review-flag")?.textContent).toBe("待复核");
    await key("Enter");
    await screen.findByRole("heading", { level: 1, name: "淘宝七天无理由退货规范（旧版摘要）" });
    expect(screen.getAllByText("待复核").length).toBeGreaterThan(0);
    await fireEvent.click(document.querySelector<HTMLAnchorElement>('.doc-body a[href^="https:"]')!);
    await waitFor(() => expect(backend.opened).toEqual(["https://rulechannel.taobao.com/"]));
    expect(window.location.hash).toBe("");
  });

  test("a law shows 法律法规", async () => {
    const { box } = setup();
    await type(box, "七日无理由");
    await waitFor(() => expect(document.querySelector('.card[data-id="rules/law-7day-return"]')).not.toBeNull());
    await fireEvent.click(document.querySelector('.card[data-id="rules/law-7day-return"]')!);
    await screen.findByRole("heading", { level: 1, name: "七日无理由退货（法定规则）" });
    expect(screen.getByText("法律法规")).toBeTruthy();
  });

  test("a case shows its outcome", async () => {
    const { box } = setup();
    await type(box, "批量筛查");
    await waitFor(() => expect(titles()[0]).toBe("已发货仅退款订单批量筛查"));
    await key("Enter");
    await screen.findByText(fixture("document", { id: "cases/yifahuo-jintuikuan-piliang" }).case!.outcome!);
  });
});

describe("panels", () => {
  test("problems: badge with the error count, list path:line: message + hint, in the UI's language", async () => {
    setup();
    const badge = await screen.findByTestId("problem-count");
    expect(badge.textContent).toBe(String(fixture("status", {}).errors));
    expect(badge.textContent).toBe("1");
    await fireEvent.click(badge.closest("button")!);
    const problems = fixture("problems", {});
    await waitFor(() => expect(document.querySelectorAll(".problem")).toHaveLength(problems.length));
    expect(document.querySelector(".problem")?.getAttribute("data-code")).toBe("broken_link");
    expect(document.querySelector(".problem-text")?.textContent).toBe(
      "playbooks/duanlian-ceshi.md:9: 链接 [[playbooks/bu-cunzai]] 失效：没有这个 id 的文档",
    );
    expect(document.querySelector(".problem-hint")?.textContent).toContain("文档的 id 是它的 `id:`");
    // In English the core's own message and hint.
    setLanguage("en");
    await waitFor(() => expect(document.querySelector(".problem-text")?.textContent).toBe(`${problems[0]!.path}:${problems[0]!.line}: ${problems[0]!.message}`));
    expect(document.querySelector(".problem-hint")?.textContent).toContain(problems[0]!.hint!);
  });

  test("settings: choose folder, the core's error, reset, switch to English and dark", async () => {
    const { backend } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "设置" }));
    await screen.findByRole("heading", { name: "设置" });
    backend.folder = "/home/kefu/团队知识库";
    await fireEvent.click(screen.getByRole("button", { name: "选择文件夹" }));
    await waitFor(() => expect(screen.getByTestId("content-dir").textContent).toContain("/home/kefu/团队知识库"));
    // A folder that does not exist: the core refuses it; the error is shown in the UI's language.
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    const refused = recordedError("save_settings", { settings: { ...DEFAULTS, content_dir: "/home/kefu/团队知识库" } });
    const error = await screen.findByTestId("settings-error");
    expect(error.textContent).toContain(errorLabel(refused.kind));
    expect(error.textContent).toContain(refused.message);
    await fireEvent.click(screen.getByRole("button", { name: "使用内置内容" }));
    expect(screen.getByTestId("content-dir").textContent).toContain("内置内容");

    const hotkey = document.querySelector<HTMLInputElement>('input[name="hotkey"]')!;
    expect(hotkey.value).toBe("Ctrl+Shift+K");
    await fireEvent.input(hotkey, { target: { value: " Alt+Space " } });
    await fireEvent.click(screen.getByRole("radio", { name: "English" }));
    await fireEvent.click(screen.getByRole("radio", { name: "深色" }));
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await screen.findByRole("button", { name: "Save" });
    expect(screen.getByRole("heading", { name: "Settings" })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe("dark");
    // The hotkey is sent trimmed.
    expect(last(backend.argsOf("save_settings"))?.settings).toEqual({ ...DEFAULTS, hotkey: "Alt+Space", language: "en", theme: "dark" });
    await key("Escape");
    expect((screen.getByRole("combobox") as HTMLInputElement).placeholder).toMatch(/^Search/);
  });

  test("the compact button calls setCompact and switches the layout", async () => {
    const { backend } = setup();
    await fireEvent.click(screen.getByRole("button", { name: "紧凑" }));
    await waitFor(() => expect(backend.argsOf("set_compact")).toEqual([{ compact: true }]));
    await waitFor(() => expect(document.documentElement.dataset.compact).toBe(""));
    await fireEvent.click(screen.getByRole("button", { name: "紧凑" }));
    await waitFor(() => expect(backend.argsOf("set_compact")).toEqual([{ compact: true }, { compact: false }]));
    await waitFor(() => expect(document.documentElement.dataset.compact).toBeUndefined());
  });
});

describe("matching by meaning and the clipboard", () => {
  test("the status bar says when semantic matching is off, embedding, or on", async () => {
    const { backend } = setup();
    const chip = await screen.findByTestId("semantic");
    // The core without a model: off, with its reason in the tooltip.
    const semantic = fixture("status", {}).semantic;
    if (semantic.state !== "off") throw new Error(`recorded semantic state ${semantic.state}`);
    expect(chip.dataset.state).toBe("off");
    expect(chip.textContent).toContain("语义匹配未开启");
    expect(chip.getAttribute("title")).toContain(semantic.reason);
    backend.emitSemantic({ state: "embedding", done: 50, total: 200 });
    await waitFor(() => expect(screen.getByTestId("semantic").textContent).toContain("语义索引 25%"));
    backend.emitSemantic({ state: "ready", units: 200 });
    await waitFor(() => expect(screen.getByTestId("semantic").dataset.state).toBe("ready"));
  });

  test("剪贴板建议 is off by default; once on, a copied message is searched and marked", async () => {
    const { backend, box } = setup();
    await screen.findByTestId("semantic");
    // The UI ignores a clipboard message while the setting is off (whatever the shell sends).
    backend.emitClipboard("亲 快递一直不动 怎么回事");
    await new Promise((r) => setTimeout(r, 20));
    expect(box.value).toBe("");
    expect(backend.argsOf("search")).toEqual([]);
    expect(screen.queryByTestId("clipboard-on")).toBeNull();

    await fireEvent.click(screen.getByRole("button", { name: "设置" }));
    await screen.findByRole("heading", { name: "设置" });
    await fireEvent.click(screen.getByRole("checkbox", { name: /剪贴板建议/ }));
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await screen.findByTestId("clipboard-on");
    expect(last(backend.argsOf("save_settings"))?.settings).toEqual({ ...DEFAULTS, clipboard_suggest: true });

    backend.emitClipboard("亲 快递一直不动 怎么回事");
    await waitFor(() => expect(box.value).toBe("亲 快递一直不动 怎么回事"));
    await screen.findByTestId("from-clipboard");
    await waitFor(() => expect(titles()[0]).toBe(answer("亲 快递一直不动 怎么回事").hits[0]!.title));
    // Typing replaces it and the mark goes.
    await type(box, "催单");
    await waitFor(() => expect(screen.queryByTestId("from-clipboard")).toBeNull());
  });
});
