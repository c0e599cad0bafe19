// 组长看板 and Settings → 团队 on the stub backend: the views, trends, findings, assignments and
// sharing states are what the real core answered over tests/fixtures/browser/team (4 agents'
// results files, one with a bad line and a line of another agent; 2 assignments) on 2026-11-24
// (src/test/fixtures.json). Handlers only pick which recorded answer comes when, or stand in for
// the desktop shell (the save dialog) and for a file written where the test chose (team_export).

import { describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import type { Cell } from "./lib/bindings/Cell";
import type { Standing } from "./lib/bindings/Standing";
import type { TeamView } from "./lib/bindings/TeamView";
import { PROBLEM_ZH } from "./lib/bindings/problemText";
import { setLanguage } from "./lib/i18n.svelte";
import { StubBackend, fixture, recordedError } from "./test/stub";
import { trackStubs } from "./test/track";

const stubs = trackStubs();

function setup(backend = new StubBackend()) {
  stubs.use(backend);
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000 } } });
  return { backend, ...view };
}

/** The view before anything was assigned here; #1 after the finding's 布置, #2 after the form. */
const teamView = (nth = 0): TeamView => fixture("team_view", {}, nth);

const nav = (name: string) => within(screen.getByRole("navigation")).getByRole("button", { name });
/** 组长看板 in the header, beside 待复核 (its name is its label, or its tooltip where only the icon shows). */
const teamButton = (name = "组长看板") => screen.getByRole("button", { name });

async function openTeam() {
  await fireEvent.click(teamButton());
  await screen.findByTestId("team-summary");
}

const matrix = () => screen.getByTestId("team-matrix");
const rowIds = () => Array.from(matrix().querySelectorAll("tbody tr")).map((r) => r.getAttribute("data-agent"));
const cell = (agent: string, col: string) => matrix().querySelector<HTMLElement>(`tbody tr[data-agent="${agent}"] td[data-col="${col}"]`)!;
const header = (name: string) => within(matrix()).getByRole("button", { name: new RegExp(`^${name}`) });
const finding = (agent: string, code: string) => document.querySelector<HTMLElement>(`.finding[data-agent="${agent}"][data-code="${code}"]`)!;

/** The standing the core gave each column of a row (what the cell's colour and cue must show). */
function standings(v: TeamView, row: { overall: Cell; cells: Array<Cell | null> }): Record<string, Standing> {
  const out: Record<string, Standing> = {
    score: row.overall.score === null ? "none" : row.overall.score_vs,
    response: row.overall.first_response_s === null ? "none" : row.overall.response_vs,
    cpm: row.overall.cpm === null ? "none" : row.overall.cpm_vs,
    d7: "none",
    d30: row.overall.practice_vs,
  };
  v.categories.forEach((c, i) => {
    const x = row.cells[i];
    out[`cat:${c}`] = x && x.score !== null ? x.score_vs : "none";
  });
  return out;
}

describe("组长看板", () => {
  test("the matrix: one row per sharing agent, the team average last, each cell coloured by the core's standing", async () => {
    setup();
    await openTeam();
    const v = teamView();
    expect(teamButton().getAttribute("aria-current")).toBe("page");
    // Neither 查找 nor 练习 is the current area.
    expect(nav("查找").getAttribute("aria-current")).toBeNull();
    expect(nav("练习").getAttribute("aria-current")).toBeNull();
    expect(screen.getByTestId("team-summary").textContent).toBe(`${v.agents.length} 位客服共享 · ${v.attempts} 次练习 · 每格按最近 ${v.window} 次计算`);
    // Columns: the overall cell's five, then one score per category (all 12, in the core's order).
    const heads = Array.from(matrix().querySelectorAll("thead th")).map((th) => th.textContent?.trim());
    expect(heads).toEqual(["客服", "得分", "首次响应（秒）", "字/分", "近7天", "近30天", ...v.categories]);
    expect(v.categories).toHaveLength(12);
    // Rows as the core sent them; the team average is the last row.
    expect(rowIds()).toEqual(v.agents.map((a) => a.id));
    expect(Array.from(matrix().querySelectorAll("tbody .agent-name")).map((b) => b.textContent)).toEqual(["老王", "小红", "小李", "小明"]);
    const foot = matrix().querySelector("tfoot tr")!;
    expect(foot.querySelector("th")?.textContent).toBe("团队平均");
    expect(foot.querySelector('td[data-col="response"]')?.textContent?.trim()).toBe(v.team_overall.first_response_s!.toFixed(1));

    // 小红 answers slowly: her first response is worse than the team's, red-ish with ▼ and the words.
    const hong = v.agents.find((a) => a.id === "xiaohong")!;
    expect(hong.overall.response_vs).toBe("worse");
    const slow = cell("xiaohong", "response");
    expect(slow.classList.contains("st-worse")).toBe(true);
    expect(slow.querySelector(".cue")?.textContent).toBe("▼");
    expect(slow.querySelector(".v")?.textContent).toBe(hong.overall.first_response_s!.toFixed(1));
    expect(slow.getAttribute("title")).toContain("不如团队平均");
    // 小明 is faster (better, ▲) but weak in 退款.
    expect(cell("xiaoming", "response").classList.contains("st-better")).toBe(true);
    expect(cell("xiaoming", "response").querySelector(".cue")?.textContent).toBe("▲");
    expect(cell("xiaoming", "cat:退款").dataset.standing).toBe("worse");
    // Every cell shows exactly the core's standing; an empty cell is a dash.
    for (const a of v.agents) {
      const want = standings(v, a);
      for (const [col, s] of Object.entries(want)) {
        expect([a.id, col, cell(a.id, col).dataset.standing]).toEqual([a.id, col, s]);
        expect(cell(a.id, col).classList.contains(`st-${s}`)).toBe(true);
      }
    }
    expect(cell("laowang", "cat:开场").textContent?.trim()).toBe("—");
  });

  test("problems of the team files (file:line, in Chinese), findings, assignments and usage, without blocking each other", async () => {
    setup();
    await openTeam();
    const v = teamView();
    // The bad line and the foreign agent's line are said where they are; the rest is counted.
    const problems = screen.getByTestId("team-problems");
    expect(problems.textContent).toContain(`团队文件里有 ${v.problems.length} 个问题`);
    const foreign = v.problems.find((p) => p.code === "team_foreign_agent")!;
    const zh = PROBLEM_ZH.team_foreign_agent.message.replace("{agent}", foreign.args.agent!).replace("{owner}", foreign.args.owner!);
    expect(problems.querySelector('[data-code="team_foreign_agent"] code')?.textContent).toBe(`${foreign.path}:${foreign.line}: ${zh}`);
    expect(problems.querySelector('[data-code="team_bad_line"] code')?.textContent).toMatch(/^team\/results\/laowang\.jsonl:4: 已跳过这一行/);
    expect(rowIds()).toHaveLength(4);

    // Findings: the core's sentences, each with its drills.
    expect(Array.from(document.querySelectorAll(".finding-text")).map((p) => p.textContent)).toEqual(v.findings.map((f) => f.text_zh));
    const hong = v.findings.find((f) => f.agent === "xiaohong")!;
    expect(finding("xiaohong", "slow_response").querySelector(".finding-text")?.textContent?.startsWith("小红：")).toBe(true);
    expect(Array.from(finding("xiaohong", "slow_response").querySelectorAll(".drill-link")).map((b) => b.textContent)).toEqual(hong.drills.map((d) => d.title));

    // Assignments: what, for whom, due, note, by; each agent's progress, finished or overdue.
    const [refunds, opening] = v.assignments;
    const first = document.querySelector<HTMLElement>(`.assignment[data-id="${refunds!.assignment.id}"]`)!;
    expect(first.querySelector(".assignment-title")?.textContent).toBe("「退款」类全部练习");
    expect(first.textContent).toContain("2026-11-23 到期");
    expect(first.textContent).toContain("给 小明");
    expect(first.textContent).toContain("王组长 布置");
    expect(first.textContent).toContain("“退款进度要说清楚时间”");
    const ming = first.querySelector<HTMLElement>('.agent-progress[data-agent="xiaoming"]')!;
    expect(ming.dataset.state).toBe("overdue");
    const mingDone = refunds!.agents.find((g) => g.agent === "xiaoming")!;
    expect(mingDone.done).toBe(3);
    expect(ming.textContent).toContain(`3/${mingDone.total}`);
    expect(ming.textContent).toContain("已逾期");
    const all = document.querySelector<HTMLElement>(`.assignment[data-id="${opening!.assignment.id}"]`)!;
    expect(all.textContent).toContain("给 全体");
    expect(all.querySelector('.agent-progress[data-agent="xiaoli"]')?.getAttribute("data-state")).toBe("finished");
    expect(all.querySelector('.agent-progress[data-agent="xiaoli"]')?.textContent).toContain("2026-11-22 完成");
    expect(all.querySelector('.agent-progress[data-agent="xiaohong"]')?.getAttribute("data-state")).toBe("open");

    // Phrase usage: the most used (uses, sent, agents), and how many nobody used.
    const used = v.usage.most_used[0]!;
    const row = document.querySelector(`.usage-table tr[data-doc="${used.doc_id}"]`)!;
    expect(Array.from(row.querySelectorAll("td")).map((td) => td.textContent?.trim())).toEqual([
      `${used.title} ${used.phrase_code}`,
      String(used.uses),
      String(used.sent),
      String(used.agents),
    ]);
    expect(document.querySelector(".usage-panel")?.textContent).toContain(`近30天没人用过：${v.usage.never_used_total} 条`);
    expect(screen.queryByTestId("usage-empty")).toBeNull();
  });

  test("a header click sorts the agents, a second reverses; empty cells go last; the team average stays last", async () => {
    setup();
    await openTeam();
    const v = teamView();
    const byScore = [...v.agents].sort((a, b) => b.overall.score! - a.overall.score!).map((a) => a.id);
    await fireEvent.click(header("得分"));
    expect(rowIds()).toEqual(byScore);
    expect(header("得分").closest("th")?.getAttribute("aria-sort")).toBe("descending");
    await fireEvent.click(header("得分"));
    expect(rowIds()).toEqual([...byScore].reverse());
    expect(header("得分").closest("th")?.getAttribute("aria-sort")).toBe("ascending");
    // A category: the two who practised it, highest first, then those who did not.
    await fireEvent.click(header("退款"));
    expect(rowIds()).toEqual(["xiaohong", "xiaoming", "laowang", "xiaoli"]);
    await fireEvent.click(header("退款"));
    expect(rowIds()).toEqual(["xiaoming", "xiaohong", "laowang", "xiaoli"]);
    await fireEvent.click(header("首次响应"));
    expect(rowIds()[0]).toBe("xiaohong");
    await fireEvent.click(header("客服"));
    expect(rowIds()).toEqual([...v.agents].sort((a, b) => a.name.localeCompare(b.name, "zh-CN")).map((a) => a.id));
    expect(matrix().querySelector("tfoot th")?.textContent).toBe("团队平均");
  });

  test("clicking an agent loads their trend: weekly charts against the team, last attempts, findings", async () => {
    const { backend } = setup();
    await openTeam();
    await fireEvent.click(within(matrix()).getByRole("button", { name: "小红" }));
    const panel = await screen.findByTestId("agent-trend");
    expect(backend.argsOf("team_agent")).toEqual([{ id: "xiaohong" }]);
    const trend = fixture("team_agent", { id: "xiaohong" });
    expect(within(panel).getByRole("heading", { name: "小红 的趋势" })).toBeTruthy();
    expect(Array.from(panel.querySelectorAll(".chart-title")).map((c) => c.textContent)).toEqual(["每周平均得分", "每周首次响应（秒）"]);
    const rows = panel.querySelectorAll(".recent-table tbody tr");
    expect(rows).toHaveLength(trend.recent.length);
    expect(rows[0]?.getAttribute("data-drill")).toBe(trend.recent[0]!.drill_id);
    expect(rows[0]?.textContent).toContain(trend.recent[0]!.title);
    expect(Array.from(panel.querySelectorAll(".agent-findings li")).map((l) => l.textContent)).toEqual(trend.findings.map((f) => f.text_zh));
    expect(matrix().querySelector('tr[data-agent="xiaohong"]')?.classList.contains("selected")).toBe(true);
    // The same name again closes it.
    await fireEvent.click(within(matrix()).getByRole("button", { name: "小红" }));
    await waitFor(() => expect(screen.queryByTestId("agent-trend")).toBeNull());
  });

  test("a finding's 布置 assigns its drills to that agent, due a week after the view; the view reloads with it", async () => {
    const backend = new StubBackend().on("team_assign", (args) => fixture("team_assign", args));
    setup(backend);
    await openTeam();
    const hong = teamView().findings.find((f) => f.agent === "xiaohong")!;
    const item = finding("xiaohong", "slow_response");
    expect(within(item).getByRole("button", { name: "布置" }).getAttribute("title")).toBe("把这些练习布置给小红，2026-12-01 到期");
    await fireEvent.click(within(item).getByRole("button", { name: "布置" }));
    await screen.findByText("已布置给 小红，2026-12-01 到期");
    expect(backend.argsOf("team_assign")).toEqual([
      { req: { to: ["xiaohong"], target: { kind: "drills", ids: hong.drills.map((d) => d.id) }, due: "2026-12-01" } },
    ]);
    // The view after it, with the new assignment and 小红's 0/5.
    const created = fixture("team_assign", backend.argsOf("team_assign")[0]!);
    const shown = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(`.assignment[data-id="${created.id}"]`);
      expect(el).not.toBeNull();
      return el!;
    });
    expect(backend.argsOf("team_view")).toHaveLength(2);
    expect(shown.querySelector(".assignment-title")?.textContent).toBe(teamView(1).assignments.find((a) => a.assignment.id === created.id)!.title_zh);
    expect(shown.querySelector('.agent-progress[data-agent="xiaohong"]')?.textContent).toContain("0/5");
    expect(shown.textContent).toContain("林晓 布置");
  });

  test("a finding's drill opens a practice session of it, in the mode the finding suggests", async () => {
    setup();
    await openTeam();
    const drill = teamView().findings.find((f) => f.agent === "xiaohong")!.drills[0]!;
    await fireEvent.click(within(finding("xiaohong", "slow_response")).getByRole("button", { name: drill.title }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 1/1 题"));
    expect(document.querySelector(".session-mode")?.textContent).toBe("回复练习");
    await screen.findByText("在吗");
  });

  test("the form: a category for two chosen agents with a due date and a note", async () => {
    let views = 0;
    const backend = new StubBackend()
      .on("team_assign", (args) => fixture("team_assign", args))
      .on("team_view", () => teamView(views++ === 0 ? 0 : 2));
    setup(backend);
    await openTeam();
    await fireEvent.click(screen.getByRole("button", { name: /新建布置/ }));
    const form = screen.getByRole("form", { name: "新建布置" });
    // Drills are offered from the content's drill list (what search lists of kind drill).
    const drills = fixture("search", { req: { query: "", limit: 500, kinds: ["drill"], platforms: [] } });
    await waitFor(() => expect(form.querySelectorAll(".drill-choices input")).toHaveLength(drills.hits.length));
    // Nothing chosen: the form says so and sends nothing.
    await fireEvent.click(within(form).getByRole("button", { name: "布置" }));
    expect(within(form).getByRole("alert").textContent).toBe("至少选一道练习");
    expect(backend.argsOf("team_assign")).toEqual([]);

    await fireEvent.click(within(form).getByRole("radio", { name: "一个类别" }));
    await fireEvent.change(within(form).getByRole("combobox"), { target: { value: "催发货" } });
    await fireEvent.click(within(form).getByRole("radio", { name: "指定客服" }));
    await fireEvent.click(within(form).getByRole("checkbox", { name: "小明" }));
    await fireEvent.click(within(form).getByRole("checkbox", { name: "小李" }));
    const due = form.querySelector<HTMLInputElement>('input[name="assign-due"]')!;
    expect(due.value).toBe("2026-12-01");
    await fireEvent.input(due, { target: { value: "2026-12-05" } });
    await fireEvent.input(within(form).getByRole("textbox"), { target: { value: " 双十二前练熟 " } });
    await fireEvent.click(within(form).getByRole("button", { name: "布置" }));
    await screen.findByText("已布置给 小李、小明，2026-12-05 到期");
    expect(backend.argsOf("team_assign")).toEqual([
      { req: { to: ["xiaoli", "xiaoming"], target: { kind: "category", name: "催发货" }, due: "2026-12-05", note: "双十二前练熟" } },
    ]);
    const created = fixture("team_assign", backend.argsOf("team_assign")[0]!);
    await waitFor(() => expect(document.querySelector(`.assignment[data-id="${created.id}"] .assignment-title`)?.textContent).toBe("「催发货」类全部练习"));
    expect(screen.queryByRole("form", { name: "新建布置" })).toBeNull();
  });

  test("export: the save dialog proposes a name, the core writes the file, the path is said; cancelling writes nothing", async () => {
    const backend = new StubBackend().on("team_export", ({ path }) => path);
    setup(backend);
    await openTeam();
    await fireEvent.click(screen.getByRole("button", { name: /导出 CSV/ }));
    await waitFor(() => expect(backend.saveAsked).toEqual([{ defaultName: "kefu-team-2026-11-24.csv", extensions: ["csv"] }]));
    expect(backend.argsOf("team_export")).toEqual([]);
    backend.saveFile = "/home/lead/团队看板.xlsx";
    await fireEvent.click(screen.getByRole("button", { name: /导出 Excel/ }));
    await screen.findByText("已导出到 /home/lead/团队看板.xlsx");
    expect(backend.saveAsked[1]).toEqual({ defaultName: "kefu-team-2026-11-24.xlsx", extensions: ["xlsx"] });
    expect(backend.argsOf("team_export")).toEqual([{ format: "xlsx", path: "/home/lead/团队看板.xlsx" }]);
  });

  test("nobody shares yet: the empty state says how to start; assignments still show", async () => {
    const v = teamView();
    const empty: TeamView = {
      ...v,
      agents: [],
      findings: [],
      attempts: 0,
      usage: { ...v.usage, uses_30d: 0, agents: 0, most_used: [] },
    };
    setup(new StubBackend().on("team_view", () => empty));
    await openTeam();
    const box = screen.getByTestId("team-empty");
    expect(box.textContent).toContain("还没有客服共享练习结果");
    expect(box.textContent).toContain("设置 → 团队");
    expect(box.textContent).toContain("与团队共享练习结果");
    expect(box.textContent).toContain("同步");
    expect(screen.queryByTestId("team-matrix")).toBeNull();
    expect(screen.getByTestId("usage-empty").textContent).toContain("还没有人共享话术使用记录");
    expect(document.querySelectorAll(".assignment")).toHaveLength(v.assignments.length);
  });

  test("in the compact window 组长看板 is in 更多", async () => {
    const backend = new StubBackend().on("get_settings", () => ({ ...fixture("get_settings", {}), compact: true }));
    setup(backend);
    await waitFor(() => expect(document.documentElement.dataset.compact).toBe(""));
    expect(screen.queryByTestId("btn-team")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "更多" }));
    await fireEvent.click(screen.getByRole("menuitem", { name: "组长看板" }));
    await screen.findByTestId("team-matrix");
  });

  test("in English: the core's English findings and titles", async () => {
    setup();
    await openTeam();
    setLanguage("en");
    const v = teamView();
    await waitFor(() => expect(Array.from(document.querySelectorAll(".finding-text")).map((p) => p.textContent)).toEqual(v.findings.map((f) => f.text_en)));
    expect(document.querySelector(".assignment-title")?.textContent).toBe(v.assignments[0]!.title_en);
    expect(matrix().querySelector("tfoot th")?.textContent).toBe("Team average");
    expect(teamButton("Team").getAttribute("aria-current")).toBe("page");
  });
});

describe("settings → 团队", () => {
  async function openSettings() {
    await fireEvent.click(screen.getByRole("button", { name: "设置" }));
    await screen.findByTestId("team-settings");
    // The sharing state has arrived (the toggles are enabled).
    await waitFor(() => expect((shareBox() as HTMLInputElement).disabled).toBe(false));
  }
  const shareBox = () => screen.getByRole("checkbox", { name: /与团队共享练习结果/ }) as HTMLInputElement;
  const repliesBox = () => screen.getByRole("checkbox", { name: /同时共享回复原文/ }) as HTMLInputElement;
  const idBox = () => screen.getByRole("textbox", { name: "客服编号" }) as HTMLInputElement;
  const onReq = { share: true, agent_id: "linxiao", share_replies: false, delete_shared: false };

  test("off by default; turning sharing on sends the agent id; the file, counts and its last lines are shown exactly as written", async () => {
    const { backend } = setup();
    await openSettings();
    const before = fixture("share_status", {});
    expect(before.enabled).toBe(false);
    expect(shareBox().checked).toBe(false);
    expect(repliesBox().checked).toBe(false);
    expect(screen.queryByTestId("share-preview")).toBeNull();

    await fireEvent.input(idBox(), { target: { value: " linxiao " } });
    await fireEvent.click(shareBox());
    await screen.findByText("已开始共享");
    expect(backend.argsOf("set_sharing")).toEqual([{ req: onReq }]);
    const on = fixture("set_sharing", { req: onReq });
    expect(shareBox().checked).toBe(true);
    expect(screen.getByTestId("share-path").textContent).toBe("team/results/linxiao.jsonl");
    expect(screen.getByTestId("share-count").textContent).toBe(`已共享 ${on.attempts_shared}/${on.attempts_local} 次练习 · ${on.uses_shared} 次话术使用`);
    // The content folder of the recording is not a repository: nothing would reach the team.
    expect(on.in_repository).toBe(false);
    expect(screen.getByTestId("not-in-repo").textContent).toContain("不是 git 仓库");
    // The preview is the file's last lines, byte for byte, in a monospace block.
    const pre = screen.getByTestId("share-preview");
    expect(pre.tagName).toBe("PRE");
    expect(on.preview.length).toBeGreaterThan(0);
    expect(pre.textContent).toBe(on.preview.join("\n"));
    expect(pre.textContent!.split("\n")).toEqual(on.preview);
    expect(on.preview[0]).toMatch(/^\{"v":1,"type":"attempt","agent":"linxiao"/);

    // Reply texts too, applied at once while sharing is on.
    await fireEvent.click(repliesBox());
    await waitFor(() => expect(backend.argsOf("set_sharing")).toHaveLength(2));
    expect(backend.argsOf("set_sharing")[1]).toEqual({ req: { ...onReq, share_replies: true } });
    await waitFor(() => expect(repliesBox().checked).toBe(true));
  });

  test("an agent id the core refuses: its message is shown and sharing stays off", async () => {
    const { backend } = setup();
    await openSettings();
    await fireEvent.input(idBox(), { target: { value: "林 晓!" } });
    await fireEvent.click(shareBox());
    const refused = recordedError("set_sharing", { req: { ...onReq, agent_id: "林 晓!" } });
    const error = await screen.findByTestId("share-error");
    expect(error.textContent).toContain("输入有误");
    expect(error.textContent).toContain(refused.message);
    expect(backend.argsOf("set_sharing")).toHaveLength(1);
    await waitFor(() => expect(shareBox().checked).toBe(false));
  });

  test("turning off offers 停止共享 (the file stays) or 停止并删除已共享的结果 (after a confirm)", async () => {
    const { backend } = setup();
    await openSettings();
    await fireEvent.input(idBox(), { target: { value: "linxiao" } });
    await fireEvent.click(shareBox());
    await screen.findByTestId("share-preview");

    // Off: nothing is sent yet, the two ways are offered.
    await fireEvent.click(shareBox());
    expect(backend.argsOf("set_sharing")).toHaveLength(1);
    expect(shareBox().checked).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "停止共享" }));
    await screen.findByText("已停止共享");
    expect(backend.argsOf("set_sharing")[1]).toEqual({ req: { share: false, agent_id: "linxiao", share_replies: false, delete_shared: false } });
    expect(shareBox().checked).toBe(false);
    // What the team already has stays, and stays visible.
    expect(screen.getByTestId("share-preview").textContent).toBe(fixture("set_sharing", { req: onReq }).preview.join("\n"));

    // On again, then off deleting the file: a confirm first.
    await fireEvent.click(shareBox());
    await waitFor(() => expect(backend.argsOf("set_sharing")).toHaveLength(3));
    await waitFor(() => expect(shareBox().checked).toBe(true));
    await fireEvent.click(shareBox());
    await fireEvent.click(screen.getByRole("button", { name: "停止并删除已共享的结果" }));
    expect(screen.getByText("删除 team/results/linxiao.jsonl？下次“同步”之后，团队也看不到这些结果了。")).toBeTruthy();
    expect(backend.argsOf("set_sharing")).toHaveLength(3);
    await fireEvent.click(screen.getByRole("button", { name: "删除" }));
    await screen.findByText("已停止共享，并删除了结果文件");
    expect(backend.argsOf("set_sharing")[3]).toEqual({ req: { share: false, agent_id: "linxiao", share_replies: false, delete_shared: true } });
    expect(screen.getByTestId("share-count").textContent).toContain("已共享 0/");
    expect(screen.queryByTestId("share-preview")).toBeNull();
    expect(screen.getByText("文件里还没有内容")).toBeTruthy();
  });
});
