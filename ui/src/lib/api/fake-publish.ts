// The publishing half of the fake backend: file texts with fingerprints, a small Markdown
// renderer (headings, lists, quotes, paragraphs, **bold**, [[links]], web links), the checks of
// `kefu check` that matter to the editor, the case template and drill drafts, and 待复核.
// Deliberately simple, but the shapes and messages follow the Rust core.

import { Document, isMap, isScalar, LineCounter, parseDocument, visit } from "yaml";
import type { Kind } from "../bindings/Kind";
import type { Platform } from "../bindings/Platform";
import type { Problem } from "../bindings/Problem";
import type { ReviewReason } from "../bindings/ReviewReason";
import { TO_STRING, hasConflictMarkers, splitFrontMatter } from "../editor/frontmatter";
import type { FakeDoc } from "./fake-data";

export const KINDS: readonly Kind[] = ["playbook", "case", "rule", "drill"];
export const PLATFORM_IDS: readonly Platform[] = ["taobao", "tmall", "pdd", "jd", "vip", "douyin"];

/** FNV-1a (64 bit) of the UTF-8 bytes, as hex: stands in for the SHA-256 fingerprint. */
export function fingerprint(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Inline Markdown of one (already HTML-escaped) line. */
function inline(line: string, title: (id: string) => string | null): string {
  return escapeHtml(line)
    .replace(/\[\[([^\]\s]+)\]\]/g, (_m, id: string) => {
      const t = title(id);
      return `<a href="#doc/${id}">${t === null ? id : escapeHtml(t)}</a>`;
    })
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" rel="noopener noreferrer">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

/** A small Markdown → HTML renderer (escapes everything; the Rust side uses pulldown-cmark + ammonia). */
export function renderMarkdown(body: string, title: (id: string) => string | null): string {
  const out: string[] = [];
  let para: string[] = [];
  let listTag: "ul" | "ol" | null = null;
  let quote: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${para.map((l) => inline(l, title)).join("<br>")}</p>`);
    para = [];
    if (listTag) out.push(`</${listTag}>`);
    listTag = null;
    if (quote.length) out.push(`<blockquote><p>${quote.map((l) => inline(l, title)).join("<br>")}</p></blockquote>`);
    quote = [];
  };
  for (const raw of body.split("\n")) {
    const line = raw.trimEnd();
    let m: RegExpExecArray | null;
    if (line.trim() === "") {
      flush();
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      flush();
      const n = m[1]!.length;
      out.push(`<h${n}>${inline(m[2]!, title)}</h${n}>`);
    } else if ((m = /^\s*>\s?(.*)$/.exec(line))) {
      if (para.length || listTag) flush();
      quote.push(m[1]!);
    } else if ((m = /^\s*(?:[-*]|(\d+)\.)(?:\s+(.*))?$/.exec(line))) {
      const tag = m[1] ? "ol" : "ul";
      if (para.length || quote.length || (listTag && listTag !== tag)) flush();
      if (!listTag) {
        out.push(`<${tag}>`);
        listTag = tag;
      }
      out.push(`<li>${inline(m[2] ?? "", title)}</li>`);
    } else {
      if (listTag || quote.length) flush();
      para.push(line);
    }
  }
  flush();
  return out.join("\n");
}

/** Markdown for a seed document's (sanitised) HTML, close enough to edit. */
export function htmlToMarkdown(html: string): string {
  const unescape = (s: string) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  let s = html
    .replace(/<a href="#doc\/([^"]+)">[^<]*<\/a>/g, "[[$1]]")
    .replace(/<a href="(https?:[^"]+)"[^>]*>([^<]*)<\/a>/g, "[$2]($1)")
    .replace(/<\/?strong>/g, "**")
    .replace(/<h(\d)>(.*?)<\/h\d>/g, (_m, n: string, t: string) => `\n${"#".repeat(Number(n))} ${t}\n`)
    .replace(/<blockquote><p>(.*?)<\/p><\/blockquote>/g, "\n> $1\n")
    .replace(/<ol>([\s\S]*?)<\/ol>/g, (_m, items: string) => {
      let n = 0;
      return "\n" + items.replace(/<li>(.*?)<\/li>/g, (_x, t: string) => `${++n}. ${t}\n`);
    })
    .replace(/<li>(.*?)<\/li>/g, "- $1\n")
    .replace(/<tr>(.*?)<\/tr>/g, (_m, cells: string) => "| " + cells.replace(/<t[hd]>(.*?)<\/t[hd]>/g, "$1 | ").trim() + "\n")
    .replace(/<p>(.*?)<\/p>/g, "\n$1\n")
    .replace(/<[^>]+>/g, "");
  s = unescape(s).replace(/\n{3,}/g, "\n\n").trim();
  return s + "\n";
}

/** Flow style for lists of plain values (`tags: [a, b]`), block style for lists of maps. */
function flowScalars(doc: Document): void {
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
}

/** The source file of a seed document. */
export function seedSource(d: FakeDoc): string {
  const fm: Record<string, unknown> = {};
  if (`${d.id}.md` !== d.path) fm["id"] = d.id;
  fm["kind"] = d.kind;
  fm["title"] = d.title;
  if (d.kind === "case") {
    fm["platform"] = d.case?.platform ?? null;
    fm["outcome"] = d.case?.outcome ?? null;
  } else if (d.kind === "rule" && d.rule) {
    fm["platform"] = d.rule.is_law ? "law" : d.rule.platform;
    if (d.rule.effective) fm["effective"] = d.rule.effective;
    if (d.rule.source) fm["source"] = d.rule.source;
    if (d.rule.reviewed) fm["reviewed"] = d.rule.reviewed;
    if (d.rule.review_due) fm["review_due"] = d.rule.review_due;
  } else if (d.platforms.length) {
    fm["platforms"] = [...d.platforms];
  }
  fm["tags"] = [...d.tags];
  if (d.aliases.length) fm["aliases"] = [...d.aliases];
  if (d.phrases.length) fm["phrases"] = d.phrases.map((p) => ({ code: p.code, when: p.when, text: p.text }));
  if (d.author) fm["author"] = d.author;
  if (d.updated) fm["updated"] = d.updated;
  const doc = new Document(fm);
  flowScalars(doc);
  return `---\n${doc.toString(TO_STRING)}---\n${htmlToMarkdown(d.html)}`;
}

export type Loaded = { doc: FakeDoc | null; problems: Problem[]; id: string | null };

const linkTargets = (body: string) => [...body.matchAll(/\[\[([^\]\s]+)\]\]/g)].map((m) => m[1]!);

/**
 * Loads a file as the Rust loader would (the subset the fake needs): front matter, the checks
 * of `kefu check` about it (messages verbatim), broken links, conflict markers.
 */
export function loadSource(
  path: string,
  text: string,
  opts: { exists: (id: string) => string | null; today: string; prev?: FakeDoc },
): Loaded {
  const problems: Problem[] = [];
  const err = (line: number, message: string, hint: string | null = null, field?: string) =>
    problems.push({ path, line, severity: "error", message, hint, ...(field ? { field } : {}) });
  const warn = (line: number, message: string, hint: string | null = null) =>
    problems.push({ path, line, severity: "warning", message, hint });

  const lines = text.split("\n");
  const marker = lines.findIndex((l) => /^<{7}(?: |$)/.test(l));
  if (marker >= 0 && hasConflictMarkers(text)) {
    err(marker + 1, "unresolved git merge conflict (`<<<<<<<` marker); the file was not loaded", "keep the version you want, delete the <<<<<<< ======= >>>>>>> lines, save");
    return { doc: null, problems, id: null };
  }
  const split = splitFrontMatter(text);
  if (split.fm === null) {
    if (split.unclosed) err(1, "front matter is not closed", "end the front matter with a line `---`");
    else err(1, "no front matter", "start the file with `---`, `kind:` and `title:`, then `---`");
    return { doc: null, problems, id: null };
  }
  const lc = new LineCounter();
  const ydoc = parseDocument(split.fm, { lineCounter: lc, prettyErrors: false });
  if (ydoc.errors.length) {
    const e = ydoc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line + 1;
    err(line, `malformed YAML front matter: ${e.message.split("\n")[0]}`);
    return { doc: null, problems, id: null };
  }
  const lineOf = (key: string): number => {
    if (!isMap(ydoc.contents)) return 1;
    for (const pair of ydoc.contents.items) {
      if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return lc.linePos(pair.key.range[0]).line + 1;
    }
    return 1;
  };
  const m = (ydoc.toJS() ?? {}) as Record<string, unknown>;
  const s = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  const kind = s(m["kind"]) as Kind;
  if (!m["kind"]) err(1, "missing `kind`", "add `kind:` (playbook, case, rule or drill)");
  else if (!KINDS.includes(kind)) err(lineOf("kind"), `unknown kind \`${kind}\``, "use playbook, case, rule or drill");
  const title = s(m["title"]).trim();
  if (!("title" in m)) err(1, "missing `title`", null, "title");
  else if (!title) err(lineOf("title"), "empty `title`", "give the document a title", "title");

  const platformOk = (p: string, key: string): Platform | null => {
    if ((PLATFORM_IDS as readonly string[]).includes(p)) return p as Platform;
    if (p !== "law") err(lineOf(key), `unknown platform \`${p}\``, "use taobao, tmall, pdd, jd, vip or douyin");
    return null;
  };
  let platforms: Platform[] = [];
  let casePlatform: Platform | null = null;
  const rawPlatform = s(m["platform"]).trim();
  if (kind === "case" || kind === "rule") {
    if (rawPlatform) casePlatform = platformOk(rawPlatform, "platform");
    if (casePlatform) platforms = [casePlatform];
    if (kind === "rule" && !rawPlatform) {
      err(1, "rule has no `platform`", "rules need `platform:` (taobao, tmall, pdd, jd, vip, douyin, or law for PRC laws)");
    }
  } else {
    const raw = Array.isArray(m["platforms"]) ? (m["platforms"] as unknown[]).map(s) : m["platforms"] ? [s(m["platforms"])] : [];
    for (const p of raw) {
      const ok = platformOk(p, "platforms");
      if (ok) platforms.push(ok);
    }
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.map(s).filter(Boolean) : v ? [s(v)] : []);
  const id = s(m["id"]).trim() || path.replace(/\.md$/, "");

  const phrases: FakeDoc["phrases"] = [];
  if (Array.isArray(m["phrases"])) {
    (m["phrases"] as Array<Record<string, unknown>>).forEach((p, i) => {
      const text = s(p?.["text"]);
      if (!text) err(lineOf("phrases"), `phrase ${i + 1} has no \`text\``);
      phrases.push({
        code: s(p?.["code"]),
        when: s(p?.["when"]),
        text,
        placeholders: [...new Set([...text.matchAll(/\{\{([^}]+)\}\}/g)].map((x) => x[1]!))],
      });
    });
  }
  if (kind === "drill") {
    const customer = list(m["customer"]);
    if (!customer.some((c) => c.trim())) err(1, "drill has no `customer` message");
    if (!list(m["references"]).some((c) => c.trim())) err(1, "drill has no `references`");
  }

  // Broken links, with body line numbers.
  const bodyLines = split.body.split("\n");
  bodyLines.forEach((l, i) => {
    for (const target of linkTargets(l)) {
      if (target !== id && opts.exists(target) === null) {
        err(split.bodyOffset + i + 1, `broken link [[${target}]]: no document has this id`, `create ${target}.md or fix the id`);
      }
    }
  });
  if (problems.some((p) => p.severity === "error")) return { doc: null, problems, id };

  const reviewDue = s(m["review_due"]) || null;
  const doc: FakeDoc = {
    id,
    kind,
    title,
    path,
    tags: list(m["tags"]),
    platforms,
    aliases: list(m["aliases"]),
    author: s(m["author"]) || null,
    updated: s(m["updated"]) || null,
    phrases,
    rule:
      kind === "rule"
        ? {
            platform: casePlatform,
            is_law: rawPlatform === "law",
            effective: s(m["effective"]) || null,
            source: s(m["source"]) || null,
            reviewed: s(m["reviewed"]) || null,
            review_due: reviewDue,
            needs_review: reviewDue !== null && reviewDue < opts.today,
          }
        : null,
    case: kind === "case" ? { platform: casePlatform, outcome: s(m["outcome"]) || null } : null,
    pinyin: opts.prev?.pinyin ?? [],
    linkIds: [...new Set(linkTargets(split.body))],
    html: renderMarkdown(split.body, opts.exists),
  };
  if (kind === "rule" && !doc.rule?.source) warn(1, "rule has no `source`", "say where the rule comes from");
  return { doc, problems, id };
}

// ------------------------------------------------------------------ new documents

/** The case template, as `kefu_core::publish::case_template` writes it. */
export function caseTemplate(author: string | null, today: string): string {
  return (
    `---\nkind: case\ntitle: \nplatform: \noutcome: \ntags: []\nauthor: ${author ?? ""}\ncreated: ${today}\nupdated: ${today}\n---\n` +
    "## 情况\n什么平台、什么商品、买家遇到了什么问题；订单数、金额、时间点等关键事实。\n\n" +
    "## 客户情绪\n> 买家：把买家的原话贴在这里，一行一条（“生成练习”会把它们变成练习题）\n\n" +
    "## 处理过程\n1. 第一步做了什么、为什么\n2. \n\n" +
    "## 关键话术\n- “最管用的一句回复，原话照写”\n\n" +
    "## 引用规则\n- 用双中括号写规则的 id 链接过去，例如 rules/ 下的文件名\n\n" +
    "## 结果\n结果如何，尽量用数字：和解与否、退款几单、评分变化。\n\n" +
    "## 心得\n- 下次遇到同类问题，先做什么\n"
  );
}

function sections(body: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of body.split("\n")) {
    if (line.startsWith("## ")) out.push([line.slice(3).trim(), ""]);
    else if (out.length) out[out.length - 1]![1] += line + "\n";
  }
  return out;
}

const isTemplatePrompt = (s: string) => caseTemplate(null, "").includes(s.trim());

/** 生成练习: a drill draft from a case (customer quotes → prompt, key phrases → references). */
export function drillFromCase(c: FakeDoc, caseText: string, author: string | null, today: string): string {
  const body = splitFrontMatter(caseText).body;
  const customer: string[] = [];
  const references: string[] = [];
  for (const [h, text] of sections(body)) {
    if (h.includes("情况") || h.includes("情绪") || h.includes("买家")) {
      for (const l of text.split("\n")) {
        const q = /^\s*>\s?(.*)$/.exec(l)?.[1]?.replace(/^(买家|顾客|客户)[:：]\s*/, "").trim();
        if (q && !isTemplatePrompt(q) && !customer.includes(q)) customer.push(q);
      }
    }
    if (h.includes("话术")) {
      for (const l of text.split("\n")) {
        const item = /^\s*[-*]\s+(.*)$/.exec(l)?.[1];
        if (!item || /\[\[/.test(item)) continue;
        const quoted = /[“"]([^”"]+)[”"]/.exec(item)?.[1] ?? item.replace(/^[^：:]*[:：]/, "");
        const p = quoted.trim();
        if (p && !isTemplatePrompt(p) && !isTemplatePrompt(`“${p}”`) && !references.includes(p)) references.push(p);
      }
    }
  }
  const y = (s: string) => JSON.stringify(s);
  const listOf = (items: string[], missing: string) =>
    items.length ? items.map((i) => `  - ${y(i)}\n`).join("") : `  - ""   # ${missing}\n`;
  const platform = c.case?.platform ?? c.platforms[0];
  const tags = [...c.tags, "案例改编"].join(", ");
  return (
    `---\nkind: drill\ntitle: ${y(`${c.title}（案例练习）`)}\ncategory: 售后\nplatforms: [${platform ?? ""}]\n` +
    `difficulty: 4\npersona: 着急\ntime_limit_s: 120\nallow_paste: false\ntags: [${tags}]\n` +
    `customer:\n${listOf(customer, "买家的原话：案例里没有找到引用（> 买家：…），请补上")}` +
    `references:\n${listOf(references, "好回复：案例的“关键话术”里没有找到，请补上")}` +
    `poor: []\nrubric:\n  elements: [称呼, 共情, 具体动作, 跟进承诺]\nauthor: ${author ?? ""}\ncreated: ${today}\nupdated: ${today}\n---\n` +
    `训练要点：改编自案例 [[${c.id}]]。\n`
  );
}

/** A path for a new document (the fake has no pinyin: a short hash stands in for the slug). */
export function newPath(kind: Kind, title: string, today: string, taken: (p: string) => boolean): string {
  const ascii = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const slug = ascii || `doc-${fingerprint(title).slice(0, 6)}`;
  const base = kind === "case" ? `cases/${today}-${slug}` : `${kind}s/${slug}`;
  let candidate = `${base}.md`;
  for (let n = 2; taken(candidate); n++) candidate = `${base}-${n}.md`;
  return candidate;
}

/** Sets `key` in the front matter (used to stamp saves). */
export function setKey(text: string, key: string, value: string | null, onlyIfEmpty = false): string {
  const split = splitFrontMatter(text);
  if (split.fm === null) return text;
  const doc = parseDocument(split.fm);
  if (doc.errors.length || !isMap(doc.contents)) return text;
  const old = doc.get(key);
  if (onlyIfEmpty && old !== undefined && old !== null && String(old) !== "") return text;
  if (value === null) doc.delete(key);
  else doc.set(key, value);
  return `---\n${doc.toString(TO_STRING)}---\n${split.body}`;
}

/** Why a document is 待复核. */
export function reviewReasons(d: FakeDoc, text: string, byId: (id: string) => FakeDoc | undefined): ReviewReason[] {
  const out: ReviewReason[] = [];
  if (d.rule?.needs_review && d.rule.review_due) out.push({ reason: "rule_overdue", due: d.rule.review_due });
  for (const l of d.linkIds) {
    const r = byId(l);
    if (!r || r.kind !== "rule" || !r.updated) continue;
    if (d.updated === null || r.updated > d.updated) {
      const lineIdx = text.split("\n").findIndex((x) => x.includes(`[[${l}]]`));
      out.push({
        reason: "rule_changed",
        rule_id: r.id,
        rule_title: r.title,
        rule_updated: r.updated,
        doc_updated: d.updated,
        line: lineIdx >= 0 ? lineIdx + 1 : 1,
      });
    }
  }
  return out;
}

