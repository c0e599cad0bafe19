// The fake backend's drills: a handful of realistic reply drills, a small copy of the scoring
// lexicon, and deterministic stand-ins for what Rust computes (kefu-core drill::{score, metrics,
// schedule} and practice::char_diff). Close enough to produce realistic result screens; Rust is the
// authority in the app.

import type { BannedHit } from "../bindings/BannedHit";
import type { CategoryStats } from "../bindings/CategoryStats";
import type { Component } from "../bindings/Component";
import type { DiffPart } from "../bindings/DiffPart";
import type { DrillMode } from "../bindings/DrillMode";
import type { ElementHit } from "../bindings/ElementHit";
import type { FactHit } from "../bindings/FactHit";
import type { InputEvent } from "../bindings/InputEvent";
import type { Missing } from "../bindings/Missing";
import type { PathStep } from "../bindings/PathStep";
import type { Persona } from "../bindings/Persona";
import type { PlannedDrill } from "../bindings/PlannedDrill";
import type { PoorReply } from "../bindings/PoorReply";
import type { Progress } from "../bindings/Progress";
import type { ScoreBreakdown } from "../bindings/ScoreBreakdown";
import type { TypingMetrics } from "../bindings/TypingMetrics";

export type FakeFact = { text: string; match: string[]; rule: string | null };

export type FakeDrill = {
  id: string;
  title: string;
  category: string;
  difficulty: number;
  persona: Persona;
  time_limit_s: number;
  allow_paste: boolean;
  customer: string[];
  references: string[];
  poor: PoorReply[];
  elements: string[];
  facts: FakeFact[];
  upsell: string | null;
  /** Documents the drill links to (find-it: a phrase from one of these is the right find). */
  links: string[];
};

export const FAKE_DRILLS: FakeDrill[] = [
  {
    id: "drills/kaichang",
    title: "买家只发了一句“在吗”",
    category: "开场",
    difficulty: 1,
    persona: "平和",
    time_limit_s: 20,
    allow_paste: false,
    customer: ["在吗"],
    references: [
      "亲，您好~欢迎光临小店，我是客服小美，很高兴为您服务！尺码、材质、发货时间、售后都可以问我，您有什么需要尽管说~",
      "在的亲！欢迎光临，我是客服小美~您是看中了哪一款吗？发个链接给我，我帮您详细介绍~",
    ],
    poor: [
      { text: "在", why: "太冷淡，没有称呼、没有欢迎、没有引导，买家不知道下一步说什么" },
      { text: "亲亲在的呢", why: "没有自我介绍，也没有把话题引向买家的需求" },
    ],
    elements: ["称呼", "欢迎", "自我介绍", "引导需求"],
    facts: [],
    upsell: null,
    links: [],
  },
  {
    id: "drills/cuifahuo-zhaoji",
    title: "买家下单三天还没发货（着急）",
    category: "催发货",
    difficulty: 2,
    persona: "着急",
    time_limit_s: 60,
    allow_paste: false,
    customer: ["我都下单三天了怎么还不发货？？", "再不发我就退款了"],
    references: [
      "好的亲，让您久等了，真的抱歉！您还需要的话，我这边给您跟仓库说一下，给您插队优先发货，今天下班前把单号同步给您，另外我也给您持续跟进发货进展，感谢您支持",
      "真的抱歉让您久等了亲！已经超过我们承诺的发货时间，是我们没做好。您还需要的话，我马上跟仓库主管申请给您插队加急，今天下班前给您准确答复；不想等了也可以直接告诉我，马上给您退款。我会一直跟进，谢谢您的耐心~",
    ],
    poor: [
      { text: "好的，我给您催一下", why: "只回答了问题，没有具体动作和跟进承诺，买家感受不到被重视" },
      { text: "仓库都是按顺序发的，您耐心等等吧", why: "把责任推给仓库、让买家干等，没有道歉、没有时间点，容易把催单变成退款或投诉" },
      { text: "今天一定给您发出！", why: "没核实就打包票，做不到会让买家更生气；应先跟仓库确认，再给能兑现的时间点" },
    ],
    elements: ["称呼", "共情", "具体动作", "时间点", "跟进承诺", "致谢"],
    facts: [
      {
        text: "超过承诺发货时间后先征得买家同意再发货",
        match: ["还需要的话", "还要不要", "征得您同意", "您同意的话", "还需要我们发"],
        rule: "rules/taobao-late-shipment",
      },
    ],
    upsell: null,
    links: ["playbooks/cuifahuo", "rules/taobao-late-shipment"],
  },
  {
    id: "drills/cuifahuo-jiyong",
    title: "买家急用，问明天能不能收到",
    category: "催发货",
    difficulty: 3,
    persona: "着急",
    time_limit_s: 60,
    allow_paste: false,
    customer: ["我后天出差要用，明天能收到吗？", "还没发货的话我就不要了"],
    references: [
      "明白亲，急用的心情我特别理解！我先给您的订单备注加急，马上跟仓库确认今天能不能安排发出，同时看看换更快的快递能不能赶上，半小时内给您准确答复；万一赶不上，也可以直接给您退款，不耽误您另外安排，感谢您的信任~",
    ],
    poor: [
      { text: "明天肯定到！", why: "没核实就承诺时效，做不到会直接变成投诉" },
      { text: "快递的事我们也没办法", why: "推责，没有任何动作，也没有回应买家的急用" },
    ],
    elements: ["称呼", "共情", "具体动作", "时间点", "兜底方案", "致谢"],
    facts: [],
    upsell: null,
    links: ["playbooks/cuifahuo"],
  },
  {
    id: "drills/wuliu-tingzhi",
    title: "快递三天没动，买家怀疑丢件",
    category: "物流异常",
    difficulty: 3,
    persona: "着急",
    time_limit_s: 90,
    allow_paste: false,
    customer: ["快递三天都没更新了，是不是丢了？", "我是买来送人的，下周就要用"],
    references: [
      "亲，包裹三天没动，换我也着急！我已经向快递公司提交了查件工单，要求他们尽快给明确答复，我每天给您同步一次进展；您下周要用，如果明天还没有动静，我直接给您补发一份新的，保证不耽误您送人。不用您去找快递，这事我负责到底，谢谢您的耐心~",
    ],
    poor: [
      { text: "物流的问题您可以打快递电话问一下", why: "把问题推给买家，运输中的风险本来就由商家承担，买家会觉得被踢皮球" },
      { text: "没丢的，再等等就到了", why: "没有查就下结论，没有动作和时间点，买家的“下周要用”也没回应" },
    ],
    elements: ["共情", "具体动作", "时间点", "兜底方案", "跟进承诺"],
    facts: [
      {
        text: "运输途中的风险由商家负责，不需要买家找快递",
        match: ["不用您去找快递", "不需要您去找快递", "不用您找快递", "快递那边我来", "我负责到底"],
        rule: null,
      },
    ],
    upsell: null,
    links: ["playbooks/wuliu-tingzhi"],
  },
  {
    id: "drills/taobao-zaitu-tuikuan",
    title: "淘宝已发货未签收，买家不想要了",
    category: "退款",
    difficulty: 2,
    persona: "平和",
    time_limit_s: 60,
    allow_paste: false,
    customer: ["我刚看到已经发货了，但是我不想要了，能退吗？"],
    references: [
      "可以的亲~包裹刚发出，我这边马上联系快递给您拦截退回，您在订单里申请退款就行；万一拦截没赶上，包裹到了您直接拒收就好。我们收到退回后马上给您退款，有进展第一时间告诉您，感谢您的理解~",
    ],
    poor: [
      { text: "已经发货了退不了，您收到再说吧", why: "错误，发货后签收前买家合理申请退款的，卖家应及时通知快递拦截" },
      { text: "可以，您自己拒收吧", why: "把操作全推给买家，没有主动拦截，也没说退款什么时候到" },
    ],
    elements: ["称呼", "具体动作", "兜底方案", "跟进承诺", "致谢"],
    facts: [
      {
        text: "发货后签收前申请退款，及时通知快递拦截",
        match: ["拦截退回", "快递拦截", "给您拦截", "拦截包裹", "拦截回来"],
        rule: null,
      },
    ],
    upsell: null,
    links: ["playbooks/pdd-jintuikuan"],
  },
  {
    id: "drills/anfu-tousu",
    title: "收到坏货又等不到回复，买家扬言投诉",
    category: "安抚投诉",
    difficulty: 4,
    persona: "愤怒",
    time_limit_s: 90,
    allow_paste: false,
    customer: ["你们什么垃圾店！收到的东西是坏的，客服半天不回！", "我要投诉你们，12315见！"],
    references: [
      "亲，看到您的消息，非常理解您现在的心情，收到坏的东西又等了这么久没人回，换成我也一样生气，真的对不起！从现在起由我负责跟进：麻烦您拍一下坏的地方发我，核实后马上给您换新或者退款，来回运费都由我们承担，今天之内一定给您处理好。投诉是您的权利，我只希望先把您的问题实实在在解决好~",
    ],
    poor: [
      { text: "请您文明用语，否则我们无法为您服务", why: "在情绪最高的时候讲规矩，等于火上浇油；先接住情绪，再谈事实" },
      { text: "您投诉也没用，我们是按规则来的", why: "激化矛盾，而且协商解决本来就是法定途径之一，应先把问题解决" },
    ],
    elements: ["共情", "道歉", "承担责任", "要凭证", "给方案", "时间点", "跟进承诺"],
    facts: [
      {
        text: "质量问题退换货的运费由商家承担",
        match: ["运费都由我们", "运费全由我们", "运费由我们", "运费我们承担", "运费我们出"],
        rule: null,
      },
    ],
    upsell: null,
    links: ["playbooks/anfu-fennu"],
  },
  {
    id: "drills/guanlian-xiaoshou",
    title: "买家拍了99元的手冲壶，做关联推荐",
    category: "关联销售",
    difficulty: 3,
    persona: "犹豫",
    time_limit_s: 120,
    allow_paste: false,
    customer: ["我刚拍了那个99的手冲壶，第一次玩手冲，还需要买什么吗？"],
    references: [
      "亲，第一次玩手冲的话，壶只是第一步哦~建议再带一个手摇磨豆机（59元），现磨现冲香气差别特别明显；再加一包滤纸（39元）就齐了。三样加起来197元，再加一把9.9元的清洁刷就能用店铺满199减20，算下来比分开买划算。需要的话我把链接发您，您自己看看合不合适，不需要也完全没关系~",
    ],
    poor: [
      { text: "不用了，壶就够了", why: "错过了买家主动问的推荐机会，也没帮新手想到真正用得上的东西" },
      { text: "给您推荐我们店的爆款套装，299元，全网最低！", why: "不问需求直接推高价，还用了“全网最低”这种绝对化用语" },
    ],
    elements: ["称呼", "推荐理由", "价格说明", "满减计算", "买家自主决定"],
    facts: [],
    upsell: "磨豆机 滤纸 清洁刷",
    links: [],
  },
];

// ---------------------------------------------------------------- lexicon (a subset of content/scoring)

type ElementDef = { label: string; patterns: string[] };

export const FAKE_LEXICON: {
  elements: Record<string, ElementDef>;
  banned: Record<string, { penalty: number; patterns: string[] }>;
  upsell: string[];
} = {
  elements: {
    称呼: { label: "称呼/问候", patterns: ["亲", "您好", "亲爱的", "宝宝"] },
    共情: {
      label: "共情/安抚（含致歉）",
      patterns: ["理解您", "我理解", "特别理解", "着急", "心情", "抱歉", "不好意思", "对不起", "让您久等", "让您担心", "您放心", "换我", "换成我", "生气"],
    },
    道歉: { label: "道歉", patterns: ["抱歉", "对不起", "不好意思", "是我们没做好", "致歉"] },
    具体动作: {
      label: "具体动作",
      patterns: ["跟仓库说", "跟仓库", "插队", "补发", "登记", "给您申请", "联系快递", "快递网点", "拦截", "加急", "核实", "备注", "查件", "工单", "给您退款", "换新", "马上处理"],
    },
    跟进承诺: {
      label: "跟进承诺",
      patterns: ["跟进", "第一时间", "同步给您", "同步一次", "有进展", "有结果", "负责到底", "跟到底", "给您答复", "准确答复", "通知您"],
    },
    致谢: { label: "致谢", patterns: ["感谢", "谢谢", "辛苦您", "多谢"] },
    时间点: { label: "明确时间点", patterns: ["今天", "明天", "今晚", "小时", "下班前", "分钟", "中午前", "之内"] },
    兜底方案: {
      label: "兜底方案（万一不行怎么办）",
      patterns: ["万一", "如果还", "还没有动静", "没赶上", "直接拒收", "实在不行", "不耽误您", "赶不上"],
    },
    给方案: { label: "替代方案/给方案", patterns: ["您来选", "您选", "哪种", "或者退款", "换新或者", "补发或者", "也可以直接"] },
    承担责任: { label: "承担责任（不甩锅）", patterns: ["是我们没做好", "我们的问题", "由我负责", "我负责", "由我们承担", "我们承担"] },
    要凭证: { label: "要凭证/要照片", patterns: ["照片", "拍一下", "拍张", "视频", "凭证"] },
    欢迎: { label: "欢迎语", patterns: ["欢迎", "很高兴为您服务", "为您服务"] },
    自我介绍: { label: "自我介绍", patterns: ["我是", "客服小", "本店客服"] },
    引导需求: { label: "引导需求", patterns: ["有什么需要", "有什么可以帮", "哪一款", "哪款", "发个链接", "可以问我", "尽管说", "看中了"] },
    推荐理由: { label: "推荐理由（为什么用得上）", patterns: ["建议", "效果", "差别", "实用", "用得上", "必备", "适合", "第一次", "就齐了"] },
    价格说明: { label: "价格说明", patterns: ["0元", "1元", "2元", "3元", "4元", "5元", "6元", "7元", "8元", "9元", "块钱", "一共", "加起来", "到手", "价格"] },
    满减计算: { label: "满减/优惠计算", patterns: ["满减", "店铺满", "凑满", "凑单", "比分开买", "划算", "能省", "优惠券"] },
    买家自主决定: { label: "买家自主决定（不强推、不默认）", patterns: ["需要的话", "不需要也", "也没关系", "由您决定", "您考虑", "合不合适", "您看需要"] },
  },
  banned: {
    极限词: { penalty: 15, patterns: ["全网最低", "全网第一", "最便宜", "最好的", "绝对", "百分之百", "最低价"] },
    "推责/冷漠": {
      penalty: 20,
      patterns: ["你自己看", "自己去查", "不归我管", "跟我没关系", "不是我们的问题", "我也不知道", "也没办法", "您可以打快递电话", "投诉也没用", "催也没用", "等着吧", "无法为您服务"],
    },
    诱导评价: { penalty: 15, patterns: ["好评返现", "返现", "五星好评", "给个好评", "改成好评"] },
    替买家做主: { penalty: 15, patterns: ["帮您加到购物车", "加到购物车了", "已经给您加上", "帮您加购了"] },
  },
  upsell: ["搭配", "一起", "凑单", "满减", "加购", "顺手", "同款", "套装", "推荐您", "建议再", "再带", "再加", "配一个"],
};

// ---------------------------------------------------------------- metrics (drill::metrics)

const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "OS", "AltGraph", "Fn"]);
const cpCount = (s: string | undefined): number => (s ? Array.from(s).length : 0);

/** The metrics of one answer from its event log (the Rust rules). */
export function fakeMetrics(events: InputEvent[]): TypingMetrics {
  const ev = [...events].sort((a, b) => a.t_ms - b.t_ms);
  const shown = ev.find((e) => e.kind === "shown")?.t_ms;
  const start = shown ?? ev[0]?.t_ms ?? 0;
  const first = ev.find(
    (e) => e.t_ms >= start && ["key_down", "input", "composition_start", "paste"].includes(e.kind),
  )?.t_ms;
  const submit = [...ev].reverse().find((e) => e.kind === "submit")?.t_ms;
  const end = submit ?? ev[ev.length - 1]?.t_ms ?? start;
  const m: TypingMetrics = {
    response_ms: first === undefined ? null : first - start,
    compose_ms: first === undefined ? 0 : Math.max(0, end - first),
    total_ms: Math.max(0, end - start),
    committed_chars: 0,
    cpm: 0,
    keystrokes: 0,
    keystrokes_per_char: 0,
    backspaces: 0,
    pasted_chars: 0,
  };
  for (const e of ev) {
    if (e.kind === "key_down") {
      const key = e.key ?? "";
      if (!MODIFIERS.has(key)) m.keystrokes += 1;
      if (key === "Backspace") m.backspaces += 1;
    } else if (e.kind === "composition_end") {
      m.committed_chars += cpCount(e.data);
    } else if (e.kind === "input" && !e.is_composing && e.input_type === "insertText") {
      m.committed_chars += cpCount(e.data);
    } else if (e.kind === "paste") {
      m.pasted_chars += cpCount(e.data);
    }
  }
  if (m.compose_ms > 0) m.cpm = m.committed_chars / (m.compose_ms / 60_000);
  if (m.committed_chars > 0) m.keystrokes_per_char = m.keystrokes / m.committed_chars;
  return m;
}

// ---------------------------------------------------------------- scoring (drill::score)

const normalise = (s: string): string[] =>
  Array.from(s.toLowerCase()).filter((c) => /[\p{L}\p{N}]/u.test(c));

function bigrams(chars: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const k = chars[i]! + chars[i + 1]!;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Character-bigram F1 between two texts. */
export function bigramF1(a: string, b: string): number {
  const [ba, bb] = [bigrams(normalise(a)), bigrams(normalise(b))];
  const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
  const [na, nb] = [sum(ba), sum(bb)];
  if (na === 0 || nb === 0) return 0;
  let overlap = 0;
  for (const [k, v] of ba) overlap += Math.min(v, bb.get(k) ?? 0);
  if (overlap === 0) return 0;
  const p = overlap / na;
  const r = overlap / nb;
  return (2 * p * r) / (p + r);
}

/** The longest pattern found in `reply` (as it appears there), or null. */
function findAny(reply: string, patterns: string[]): string | null {
  const lower = reply.toLowerCase();
  let best: { at: number; len: number } | null = null;
  for (const raw of patterns) {
    const p = raw.toLowerCase();
    if (!p) continue;
    const at = lower.indexOf(p);
    if (at >= 0 && (!best || p.length > best.len)) best = { at, len: p.length };
  }
  return best ? reply.slice(best.at, best.at + best.len) : null;
}

export type Timing = { total_ms: number; pasted_chars: number };

export function fakeScore(d: FakeDrill, reply: string, timing: Timing | null): ScoreBreakdown {
  const elements: ElementHit[] = [];
  const missing: Missing[] = [];
  let required = 0;
  for (const name of d.elements) {
    const def = FAKE_LEXICON.elements[name];
    if (!def) continue;
    required += 1;
    const m = findAny(reply, def.patterns);
    if (m !== null) elements.push({ name, label: def.label, matched: m });
    else missing.push({ kind: "element", name, hint: def.patterns.slice(0, 4).join(" / "), rule: null });
  }
  if (d.upsell) {
    required += 1;
    const patterns = [
      ...FAKE_LEXICON.upsell,
      ...d.upsell.split(/[ ,，、/]/).filter((w) => Array.from(w).length >= 2),
    ];
    const m = findAny(reply, patterns);
    if (m !== null) elements.push({ name: "关联推荐", label: "关联推荐", matched: m });
    else missing.push({ kind: "upsell", name: "关联推荐", hint: d.upsell, rule: null });
  }
  const facts: FactHit[] = [];
  for (const f of d.facts) {
    const phrasings = f.match.length ? f.match : [f.text];
    const m = findAny(reply, phrasings);
    if (m !== null) facts.push({ text: f.text, matched: m, rule: f.rule });
    else missing.push({ kind: "fact", name: f.text, hint: phrasings.join(" / "), rule: f.rule });
  }
  const banned: BannedHit[] = [];
  for (const [group, b] of Object.entries(FAKE_LEXICON.banned)) {
    const m = findAny(reply, b.patterns);
    if (m !== null) banned.push({ group, word: m, penalty: b.penalty });
  }
  let similarity = 0;
  let closest = d.references[0] ?? "";
  for (const r of d.references) {
    const f = bigramF1(reply, r);
    if (f > similarity) {
      similarity = f;
      closest = r;
    }
  }
  const share = (found: number, of: number) => (of === 0 ? 1 : found / of);
  const hasFacts = d.facts.length > 0;
  const elMax = hasFacts ? 40 : 55;
  const components: Component[] = [{ name: "elements", points: elMax * share(elements.length, required), max: elMax }];
  if (hasFacts) components.push({ name: "facts", points: 15 * share(facts.length, d.facts.length), max: 15 });
  components.push({ name: "similarity", points: 30 * Math.min(1, similarity / 0.5), max: 30 });
  if (timing) {
    const limit = d.time_limit_s * 1000;
    let points = 15;
    if (timing.pasted_chars > 0 && !d.allow_paste) points = 0;
    else if (timing.total_ms > limit) points = Math.min(15, Math.max(0, 15 * (2 - timing.total_ms / limit)));
    components.push({ name: "speed", points, max: 15 });
  }
  const earned = components.reduce((s, c) => s + c.points, 0);
  const possible = components.reduce((s, c) => s + c.max, 0);
  const penalty = banned.reduce((s, b) => s + b.penalty, 0);
  if (penalty > 0) components.push({ name: "penalty", points: -penalty, max: 0 });
  const empty = normalise(reply).length === 0;
  const scaled = possible > 0 && !empty ? (earned / possible) * 100 : 0;
  const score = Math.min(100, Math.max(0, Math.round(scaled - penalty)));
  return { score, elements, facts, missing, banned, similarity, closest_reference: closest, components };
}

// ---------------------------------------------------------------- accuracy (practice::char_diff)

/** Share of `target` typed correctly and the character diff (LCS over code points). */
export function charDiff(target: string, typed: string): { accuracy: number; parts: DiffPart[] } {
  const a = Array.from(target);
  const b = Array.from(typed);
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const parts: DiffPart[] = [];
  const push = (op: string, text: string) => {
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else parts.push({ op, text });
  };
  let i = 0;
  let j = 0;
  let equal = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push("equal", a[i]!);
      equal += 1;
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      push("missing", a[i]!);
      i++;
    } else {
      push("extra", b[j]!);
      j++;
    }
  }
  const longest = Math.max(n, m);
  return { accuracy: longest === 0 ? 1 : equal / longest, parts };
}

// ---------------------------------------------------------------- schedule (drill::schedule)

export const FIRST_WEEK = ["开场", "催发货", "物流异常", "退款", "安抚投诉", "关联销售"];
export const PATH_TARGET_SCORE = 70;
export const PATH_TARGET_ATTEMPTS = 2;
export const RESPONSE_TARGET_S = 30;

export type FakeAttempt = {
  id: number;
  drill_id: string;
  category: string;
  mode: DrillMode;
  session_id: string | null;
  submitted_at: string;
  reply: string;
  score: number;
  metrics: TypingMetrics;
};

/** Fake spaced repetition: the next review from the score and time (no FSRS here). */
export function nextInterval(score: number, totalMs: number, limitS: number): number {
  const minute = 60_000;
  const day = 24 * 60 * minute;
  if (score < 50) return 10 * minute;
  if (score < 70 || totalMs > limitS * 1000) return day;
  if (score >= 85 && totalMs <= 0.6 * limitS * 1000) return 7 * day;
  return 3 * day;
}

export function firstWeekPath(attempts: FakeAttempt[]): PathStep[] {
  let unlocked = true;
  return FIRST_WEEK.map((category) => {
    const passed = attempts.filter(
      (a) => a.category === category && a.mode === "reply" && a.score >= PATH_TARGET_SCORE,
    ).length;
    const done = passed >= PATH_TARGET_ATTEMPTS;
    const step: PathStep = {
      category,
      passed: Math.min(passed, PATH_TARGET_ATTEMPTS),
      needed: PATH_TARGET_ATTEMPTS,
      target_score: PATH_TARGET_SCORE,
      unlocked,
      done,
    };
    unlocked = unlocked && done;
    return step;
  });
}

export function plan(
  drills: FakeDrill[],
  attempts: FakeAttempt[],
  due: Map<string, number>,
  now: number,
  n: number,
): PlannedDrill[] {
  const out: PlannedDrill[] = [];
  const practised = new Set(attempts.map((a) => a.drill_id));
  const push = (id: string, reason: PlannedDrill["reason"]) => {
    if (out.length < n && !out.some((p) => p.drill_id === id)) out.push({ drill_id: id, reason });
  };
  [...due.entries()]
    .filter(([id, t]) => t <= now && drills.some((d) => d.id === id))
    .sort((a, b) => a[1] - b[1])
    .forEach(([id]) => push(id, "due"));
  const byDifficulty = (cat: string | null) =>
    drills
      .filter((d) => cat === null || d.category === cat)
      .sort(
        (a, b) =>
          Number(practised.has(a.id)) - Number(practised.has(b.id)) ||
          a.difficulty - b.difficulty ||
          a.id.localeCompare(b.id),
      );
  const step = firstWeekPath(attempts).find((s) => s.unlocked && !s.done);
  if (step) byDifficulty(step.category).forEach((d) => push(d.id, "path"));
  const recent = new Map<string, number[]>();
  for (const a of attempts.filter((x) => x.mode === "reply")) {
    recent.set(a.category, [...(recent.get(a.category) ?? []), a.score]);
  }
  const weak = [...recent.entries()]
    .map(([cat, scores]) => {
      const last = scores.slice(-3);
      return { cat, mean: last.reduce((s, x) => s + x, 0) / last.length };
    })
    .sort((a, b) => a.mean - b.mean);
  for (const w of weak) {
    if (w.mean >= 85) continue;
    byDifficulty(w.cat).forEach((d) => push(d.id, "weak"));
  }
  byDifficulty(null)
    .filter((d) => !practised.has(d.id))
    .forEach((d) => push(d.id, "new"));
  return out;
}

export function progress(attempts: FakeAttempt[]): Progress {
  const replies = attempts.filter((a) => a.mode === "reply");
  const by = new Map<string, FakeAttempt[]>();
  for (const a of replies) by.set(a.category, [...(by.get(a.category) ?? []), a]);
  const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);
  const categories: CategoryStats[] = [...by.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([category, list]) => {
      const recent = list.slice(-5);
      return {
        category,
        attempts: list.length,
        recent_score: mean(recent.map((a) => a.score)),
        best_score: Math.max(...list.map((a) => a.score)),
        recent_response_ms: mean(recent.flatMap((a) => (a.metrics.response_ms === null ? [] : [a.metrics.response_ms]))),
        recent_cpm: mean(recent.map((a) => a.metrics.cpm)),
      };
    });
  const last10 = replies.slice(-10);
  const met = last10.filter((a) => a.metrics.response_ms !== null && a.metrics.response_ms <= RESPONSE_TARGET_S * 1000).length;
  const responses = replies.flatMap((a) => (a.metrics.response_ms === null ? [] : [a.metrics.response_ms]));
  const cpms = replies.map((a) => a.metrics.cpm).filter((c) => c > 0);
  return {
    points: replies.map((a) => ({
      at: a.submitted_at,
      category: a.category,
      score: a.score,
      response_ms: a.metrics.response_ms,
      cpm: a.metrics.cpm,
    })),
    categories,
    best_score: replies.length ? Math.max(...replies.map((a) => a.score)) : null,
    fastest_response_ms: responses.length ? Math.min(...responses) : null,
    best_cpm: cpms.length ? Math.max(...cpms) : null,
    response_target_s: RESPONSE_TARGET_S,
    response_target_rate: last10.length ? met / last10.length : 0,
  };
}

/** A week of earlier practice, so the home screen and the charts have something to show. */
export function seedAttempts(now: number): FakeAttempt[] {
  const day = 24 * 3600 * 1000;
  const rows: Array<[number, string, number, number, number]> = [
    // days ago, drill, score, first response (s), CPM
    [7.2, "drills/kaichang", 45, 38, 28],
    [7.1, "drills/kaichang", 62, 26, 34],
    [6, "drills/kaichang", 78, 22, 41],
    [5.2, "drills/kaichang", 84, 15, 46],
    [5.1, "drills/cuifahuo-zhaoji", 41, 35, 30],
    [4, "drills/cuifahuo-zhaoji", 55, 31, 36],
    [3, "drills/cuifahuo-zhaoji", 72, 24, 44],
    [2.2, "drills/wuliu-tingzhi", 48, 40, 33],
    [2.1, "drills/kaichang", 88, 9, 52],
    [1.2, "drills/cuifahuo-zhaoji", 66, 18, 49],
    [1.1, "drills/wuliu-tingzhi", 52, 29, 47],
  ];
  return rows.map(([ago, drillId, score, resp, cpm], i) => {
    const d = FAKE_DRILLS.find((x) => x.id === drillId)!;
    const committed = Math.round(cpm * 0.8);
    return {
      id: i + 1,
      drill_id: drillId,
      category: d.category,
      mode: "reply" as const,
      session_id: null,
      submitted_at: new Date(now - ago * day).toISOString(),
      reply: d.references[0] ?? "",
      score,
      metrics: {
        response_ms: resp * 1000,
        compose_ms: (committed / cpm) * 60_000,
        total_ms: resp * 1000 + (committed / cpm) * 60_000,
        committed_chars: committed,
        cpm,
        keystrokes: committed * 3,
        keystrokes_per_char: 3,
        backspaces: Math.round(committed / 10),
        pasted_chars: 0,
      },
    };
  });
}
