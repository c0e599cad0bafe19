// Real-app team flow through one bare git repository, no server: the lead (the `kefu` CLI on the
// lead's clone) assigns a drill to 小红 and pushes it; 小红's app (sharing on) pulls it with 同步,
// shows it first in 练习, she practises it in the real window, 同步 pushes her shared result; the
// lead pulls and `kefu team` shows the assignment done and her attempt against the team.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { startApp, repo, shotsDir } from "./harness.mjs";

const KEFU = process.env.KEFU_CLI ?? join(repo, "target/debug/kefu");
const DRILL = "drills/kaichang";

let app;
let work;

const git = (cwd, ...args) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });
const kefu = (...args) => execFileSync(KEFU, args, { encoding: "utf8", env: { ...process.env, KEFU_DATA_DIR: join(work, "lead-data") } });

async function shot(name) {
  const png = await app.driver.takeScreenshot();
  writeFileSync(join(shotsDir, `${name}.png`), Buffer.from(png, "base64"));
}

/** Clicks 同步 and waits until the team repository's main has moved past `before`. */
async function syncAndWait(before, what) {
  await app.driver.findElement(By.css("[data-testid=btn-sync]")).click();
  await app.driver.wait(
    () => git(work, "--git-dir", join(work, "team.git"), "rev-parse", "main").trim() !== before,
    30_000,
    what,
  );
}

before(async () => {
  mkdirSync(shotsDir, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "kefu-team-test-"));
  const seed = join(work, "seed");
  mkdirSync(seed);
  git(work, "init", "-q", "--bare", "-b", "main", "team.git");
  git(seed, "init", "-q", "-b", "main");
  cpSync(join(repo, "content"), join(seed, "content"), { recursive: true });
  git(seed, "add", ".");
  git(seed, "commit", "-qm", "seed");
  git(seed, "push", "-q", join(work, "team.git"), "main");
  git(work, "clone", "-q", join(work, "team.git"), "agent");
  git(work, "clone", "-q", join(work, "team.git"), "lead");
  assert.ok(existsSync(join(work, "lead/content", `${DRILL}.md`)), `${DRILL} is a shipped drill`);

  // The lead assigns the drill to 小红 and pushes it.
  const path = kefu("--content", join(work, "lead/content"), "team", "assign", "--drill", DRILL, "--to", "xiaohong", "--due", "2030-01-31", "--note", "先练开场").trim();
  assert.match(path, /^team\/assignments\/.+\.yaml$/);
  kefu("--content", join(work, "lead/content"), "sync", "--author", "王组长");

  // 小红's machine: sharing on as xiaohong (as 设置 → 团队 leaves it), her clone as the content.
  const data = join(work, "agent-data");
  mkdirSync(data);
  writeFileSync(join(data, "settings.json"), JSON.stringify({ team: { agent_id: "xiaohong", share: true, share_replies: false } }));
  app = await startApp({ content: join(work, "agent/content"), data });
});

after(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("an assignment reaches the agent's app through 同步, is practised there, and its completion reaches the lead", async () => {
  const { driver } = app;
  // Her clone predates the assignment: 同步 pulls it (and pushes her profile line).
  const beforePull = git(work, "--git-dir", join(work, "team.git"), "rev-parse", "main").trim();
  // The window may still be rendering its first frame: wait for the button, not just the session.
  const sync = await driver.wait(until.elementLocated(By.css("[data-testid=btn-sync]")), 20_000);
  await driver.wait(until.elementIsEnabled(sync), 20_000);
  await sync.click();
  await driver.wait(
    () => existsSync(join(work, "agent/content/team/assignments")),
    30_000,
    "the assignment is pulled into the agent's clone",
  );
  assert.ok(beforePull);

  await driver.findElement(By.xpath("//nav//button[contains(., '练习')]")).click();
  const item = await driver.wait(until.elementLocated(By.css("[data-testid=my-assignments] .assigned-item")), 15_000);
  const text = await item.getText();
  assert.match(text, /先练开场/, text);
  assert.match(text, /0\s*\/\s*1/, text);
  await shot("team-agent-assignment");

  // The session starts with the assigned drill.
  await driver.findElement(By.css(".btn-start")).click();
  const player = await driver.wait(until.elementLocated(By.css(".player[data-mode=reply]")), 10_000);
  assert.equal(await player.getAttribute("data-drill"), DRILL, "the assigned drill comes first");
  const answer = await driver.findElement(By.css("textarea.answer"));
  await driver.sleep(800);
  await answer.sendKeys("亲，您好，欢迎光临小店，我是客服小红，请问有什么可以帮您的吗？", Key.CONTROL, Key.ENTER);
  await driver.wait(until.elementLocated(By.css("[data-testid=drill-result]")), 10_000);

  // Her attempt is in her results file at once (sharing is on); 同步 pushes it.
  const results = join(work, "agent/content/team/results/xiaohong.jsonl");
  assert.ok(readFileSync(results, "utf8").includes(`"drill":"${DRILL}"`), "the attempt is shared");
  assert.ok(!readFileSync(results, "utf8").includes("欢迎光临小店"), "the reply text is not shared");
  const head = git(work, "--git-dir", join(work, "team.git"), "rev-parse", "main").trim();
  await syncAndWait(head, "the shared result reaches the team repository");

  // The lead pulls and sees the assignment done and her attempt.
  kefu("--content", join(work, "lead/content"), "sync", "--author", "王组长");
  const view = JSON.parse(kefu("--content", join(work, "lead/content"), "team", "--json"));
  assert.deepEqual(
    view.agents.map((a) => a.id),
    ["xiaohong"],
  );
  assert.equal(view.agents[0].overall.attempts, 1);
  const progress = view.assignments[0].agents[0];
  assert.equal(progress.agent, "xiaohong");
  assert.equal(`${progress.done}/${progress.total}`, "1/1");
  assert.ok(progress.finished_at, "finished");
  console.log(`lead sees: ${view.assignments[0].title_zh} → ${progress.name} ${progress.done}/${progress.total}`);

  // Back in 练习 the assignment is gone from her list.
  await driver.findElement(By.xpath("//nav//button[contains(., '练习')]")).click();
  await driver.wait(until.elementLocated(By.css("[data-testid=due-today]")), 10_000);
  assert.equal((await driver.findElements(By.css("[data-testid=my-assignments]"))).length, 0, "nothing left assigned");
});
