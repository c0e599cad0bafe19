//! What can be wrong with a content file: a closed list of codes, each with its message and hint
//! in English and Simplified Chinese.
//!
//! A [`Problem`] carries its [`ProblemCode`] and the values that fill the code's `{name}`
//! placeholders, so a front end never reads the English message to decide anything and can show
//! every problem in its own language. `message` and `hint` are the English texts, rendered here
//! (for `kefu check` and logs). The Chinese templates are exported to the UI by
//! [`typescript`] (written by a test, drift-checked like the other bindings).
//!
//! Adding a problem: add a line to `problem_codes!` below (English and Chinese, with the same
//! placeholders) and construct it with `Problem::error(path, line, ProblemCode::X).arg(..)`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::Severity;

/// Texts of one code: message and optional hint, with `{name}` placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemTemplate {
    /// What is wrong.
    pub message: &'static str,
    /// How to fix it.
    pub hint: Option<&'static str>,
}

macro_rules! problem_codes {
    (@opt) => { None };
    (@opt $text:literal) => { Some($text) };
    ($(
        $(#[doc = $doc:literal])*
        $name:ident {
            en: $en:literal $(, hint: $hen:literal)?;
            zh: $zh:literal $(, 提示: $hzh:literal)?;
        }
    )*) => {
        /// What is wrong with a content file. Serialised in snake_case; the UI translates by it.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
        )]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum ProblemCode {
            $( $(#[doc = $doc])* $name, )*
        }

        impl ProblemCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$name),*];

            /// The English texts.
            pub fn english(self) -> ProblemTemplate {
                match self {
                    $(ProblemCode::$name => ProblemTemplate {
                        message: $en,
                        hint: problem_codes!(@opt $($hen)?),
                    },)*
                }
            }

            /// The Simplified Chinese texts.
            pub fn chinese(self) -> ProblemTemplate {
                match self {
                    $(ProblemCode::$name => ProblemTemplate {
                        message: $zh,
                        hint: problem_codes!(@opt $($hzh)?),
                    },)*
                }
            }
        }
    };
}

problem_codes! {
    /// The file could not be read from disk (`{detail}`: the system's reason).
    CannotRead {
        en: "cannot read: {detail}";
        zh: "无法读取：{detail}";
    }
    /// Over the size limit; skipped.
    FileTooLarge {
        en: "skipped: file is {size_mb} MB, over the 5 MB limit", hint: "split it into smaller documents";
        zh: "已跳过：文件大小 {size_mb} MB，超过 5 MB 上限", 提示: "把它拆成几篇较小的文档";
    }
    /// GB18030/GBK text, converted while loading.
    ConvertedFromGbk {
        en: "file is GB18030/GBK encoded, not UTF-8; it was converted while loading",
        hint: "save it as UTF-8 in your editor so every tool reads it the same way";
        zh: "文件是 GB18030/GBK 编码而不是 UTF-8，读取时已自动转换",
        提示: "在编辑器里另存为 UTF-8，所有工具读到的内容才一致";
    }
    /// A symbolic link (to a document or a folder): never followed, so what it points to is not loaded.
    SymlinkSkipped {
        en: "skipped: symbolic link; Kefu never follows links in the content folder",
        hint: "put the document itself in the folder (a link could point anywhere on each agent's machine)";
        zh: "已跳过：这是符号链接，客服宝典不会跟随内容文件夹里的链接",
        提示: "把文档本身放进文件夹（链接在每位客服的电脑上可能指向任何地方）";
    }
    /// A FIFO, socket or device named like a document.
    NotRegularFile {
        en: "skipped: not a regular file (a pipe, socket or device)",
        hint: "remove it from the content folder; only ordinary .md files are read";
        zh: "已跳过：不是普通文件（管道、套接字或设备）",
        提示: "把它移出内容文件夹，这里只读取普通的 .md 文件";
    }
    /// UTF-16 text, converted while loading.
    ConvertedFromUtf16 {
        en: "file is UTF-16 encoded, not UTF-8; it was converted while loading",
        hint: "save it as UTF-8 in your editor so git diffs and every tool read it";
        zh: "文件是 UTF-16 编码而不是 UTF-8，读取时已自动转换",
        提示: "在编辑器里另存为 UTF-8，git 对比和其他工具才能读懂";
    }
    /// Contains NUL bytes; skipped.
    BinaryFile {
        en: "skipped: file looks binary (contains NUL bytes)",
        hint: "a .md file must be text: rename an image or export so its name does not end in .md, or re-save the document as UTF-8";
        zh: "已跳过：文件看起来是二进制文件（含 NUL 字节）",
        提示: ".md 文件必须是文本：图片或导出文件请改名，不要以 .md 结尾；文档请另存为 UTF-8";
    }
    /// Neither UTF-8 nor GB18030; skipped.
    NotText {
        en: "skipped: file is neither UTF-8 nor GB18030 text", hint: "re-save the file as UTF-8";
        zh: "已跳过：文件既不是 UTF-8 也不是 GB18030 文本", 提示: "把文件另存为 UTF-8 编码";
    }
    /// A git conflict marker was left in the file.
    MergeConflict {
        en: "unresolved git merge conflict (`<<<<<<<` marker); the file was not loaded",
        hint: "keep the text you want, delete the `<<<<<<<`, `=======` and `>>>>>>>` lines, save, then sync again";
        zh: "有未解决的 git 合并冲突（`<<<<<<<` 标记），文件没有加载",
        提示: "保留需要的文字，删掉 `<<<<<<<`、`=======` 和 `>>>>>>>` 这几行，保存后再同步";
    }
    /// The file does not start with `---`.
    NoFrontMatter {
        en: "no front matter", hint: "start the file with a `---` line, then `kind:` and `title:`, then another `---` line";
        zh: "没有文件头（front matter）", 提示: "文件第一行写 `---`，接着写 `kind:` 和 `title:`，再写一行 `---`";
    }
    /// No closing `---` (or `...`).
    FrontMatterNotClosed {
        en: "front matter is not closed", hint: "add a line with `---` after the last front matter field";
        zh: "文件头没有结束", 提示: "在最后一个字段后面加一行 `---`";
    }
    /// The YAML between the markers does not parse (`{detail}`: the parser's message).
    MalformedFrontMatter {
        en: "malformed YAML front matter: {detail}",
        hint: "front matter is YAML between two `---` lines, e.g. `title: 催发货`; quote values that contain `:` or `#`";
        zh: "文件头 YAML 格式错误：{detail}",
        提示: "文件头是两行 `---` 之间的 YAML，例如 `title: 催发货`；值里有 `:` 或 `#` 时请加引号";
    }
    /// No `kind`.
    MissingKind {
        en: "missing `kind`", hint: "add `kind: playbook` (or case, rule, drill) to the front matter";
        zh: "缺少 `kind`（类型）", 提示: "在文件头加上 `kind: playbook`（或 case、rule、drill）";
    }
    /// `kind` is not one of the four.
    UnknownKind {
        en: "unknown kind `{value}`", hint: "kind is one of playbook, case, rule, drill";
        zh: "未知类型 `{value}`", 提示: "kind 只能是 playbook、case、rule、drill 之一";
    }
    /// The title has HTML in it.
    MarkupInTitle {
        en: "title contains HTML markup; it is shown as plain text", hint: "titles are plain text";
        zh: "标题里有 HTML 标记，会按纯文字显示", 提示: "标题只写纯文字";
    }
    /// `title:` is empty.
    EmptyTitle {
        en: "empty `title`", hint: "give the document a short title, e.g. `title: 催发货`";
        zh: "标题为空", 提示: "给文档起一个简短的标题，例如 `title: 催发货`";
    }
    /// No `title`.
    MissingTitle {
        en: "missing `title`", hint: "add `title: …` to the front matter";
        zh: "缺少标题", 提示: "在文件头加上 `title: …`";
    }
    /// `id` is not usable; the path is used.
    InvalidId {
        en: "invalid id `{value}`",
        hint: "ids may not be empty, start or end with `/`, or contain spaces, `[`, `]` or `|`; the file path is used instead";
        zh: "id `{value}` 不合法",
        提示: "id 不能为空，不能以 `/` 开头或结尾，不能含空格、`[`、`]` 或 `|`；已改用文件路径";
    }
    /// A date field does not parse.
    BadDate {
        en: "bad date in `{field}`: `{value}`", hint: "write dates as YYYY-MM-DD, e.g. 2025-03-01";
        zh: "`{field}` 的日期写法不对：`{value}`", 提示: "日期写成 YYYY-MM-DD，例如 2025-03-01";
    }
    /// `phrases` in a document that is not a playbook.
    PhrasesOutsidePlaybook {
        en: "`phrases` is only used in playbooks";
        zh: "只有话术（playbook）才用 `phrases`";
    }
    /// A phrase without `text`.
    PhraseWithoutText {
        en: "phrase {n} has no `text`", hint: "each phrase needs `text:` with the reply to send";
        zh: "第 {n} 条话术没有 `text`", 提示: "每条话术都要有 `text:`，写要发给顾客的话";
    }
    /// A phrase without a quick code.
    PhraseWithoutCode {
        en: "phrase {n} has no quick `code`", hint: "add a short code such as `cfh1` so agents can find it in two keystrokes";
        zh: "第 {n} 条话术没有快捷码 `code`", 提示: "加一个短码，例如 `cfh1`，客服敲两三个键就能找到";
    }
    /// Two phrases of one file share a code.
    DuplicatePhraseCode {
        en: "phrase code `{code}` is used twice in this file", hint: "quick codes must be unique so one code copies one phrase";
        zh: "快捷码 `{code}` 在这个文件里用了两次", 提示: "快捷码不能重复，一个码只对应一条话术";
    }
    /// A rule without `platform`.
    RuleWithoutPlatform {
        en: "rule has no `platform`", hint: "rules need `platform:` (taobao, tmall, pdd, jd, vip, douyin, or law for PRC laws)";
        zh: "规则没有写 `platform`（平台）", 提示: "规则要写 `platform:`（taobao、tmall、pdd、jd、vip、douyin，法律条文写 law）";
    }
    /// A platform that is not one of the six.
    UnknownPlatform {
        en: "unknown platform `{value}`", hint: "use taobao, tmall, pdd, jd, vip, douyin (or 淘宝, 天猫, 拼多多, 京东, 唯品会, 抖音)";
        zh: "未知平台 `{value}`", 提示: "可用 taobao、tmall、pdd、jd、vip、douyin（或 淘宝、天猫、拼多多、京东、唯品会、抖音）";
    }
    /// A rule without `source`.
    RuleWithoutSource {
        en: "rule has no `source`", hint: "name the law article, rule document or URL the note is based on";
        zh: "规则没有写 `source`（出处）", 提示: "写明依据的法条、平台规则文件或网址";
    }
    /// The drill-specific fields do not parse.
    MalformedDrillFields {
        en: "malformed drill fields: {detail}", hint: "see the drill example in docs/content-format.md";
        zh: "练习字段格式错误：{detail}", 提示: "参考 docs/content-format.md 里的练习示例";
    }
    /// A drill category that is not known.
    UnknownCategory {
        en: "unknown drill category `{value}`", hint: "known categories: {categories}";
        zh: "未知练习类别 `{value}`", 提示: "可用类别：{categories}";
    }
    /// A drill without `category`.
    DrillWithoutCategory {
        en: "drill has no `category`", hint: "one of {categories}";
        zh: "练习没有写 `category`（类别）", 提示: "从这些类别中选一个：{categories}";
    }
    /// `difficulty` outside 1–5.
    DifficultyOutOfRange {
        en: "difficulty {value} is not between 1 and 5", hint: "1 is the easiest, 5 the hardest";
        zh: "难度 {value} 不在 1 到 5 之间", 提示: "1 最容易，5 最难";
    }
    /// A persona that is not known.
    UnknownPersona {
        en: "unknown persona `{value}`", hint: "平和, 着急, 愤怒 or 犹豫";
        zh: "未知顾客类型 `{value}`", 提示: "可用 平和、着急、愤怒、犹豫";
    }
    /// `time_limit_s` outside 5–3600.
    TimeLimitOutOfRange {
        en: "time_limit_s {value} is not between 5 and 3600", hint: "seconds the trainee has to answer, e.g. 60";
        zh: "time_limit_s {value} 不在 5 到 3600 之间", 提示: "学员作答的秒数，例如 60";
    }
    /// A drill without a customer message.
    DrillWithoutCustomer {
        en: "drill has no `customer` message", hint: "add `customer:` with what the customer writes";
        zh: "练习没有顾客消息 `customer`", 提示: "加上 `customer:`，写顾客发来的话";
    }
    /// A drill without a good reply.
    DrillWithoutReferences {
        en: "drill has no `references`", hint: "add at least one good reply under `references:`";
        zh: "练习没有参考回复 `references`", 提示: "在 `references:` 下至少写一条好的回复";
    }
    /// A poor reply without `text`.
    PoorReplyWithoutText {
        en: "poor reply {n} has no `text`", hint: "each poor reply needs `text:` and `why:`";
        zh: "第 {n} 条反面回复没有 `text`", 提示: "每条反面回复都要有 `text:` 和 `why:`";
    }
    /// A rubric fact without `text`.
    FactWithoutText {
        en: "fact {n} has no `text`", hint: "each fact needs `text:` (and `match:` phrasings, `rule:` id)";
        zh: "第 {n} 条要点没有 `text`", 提示: "每条要点都要有 `text:`（以及 `match:` 说法、`rule:` 规则 id）";
    }
    /// A rubric mistake without `text` or `why`.
    MistakeIncomplete {
        en: "mistake {n} needs `text` and `why`", hint: "write the wrong statement as an agent would type it (`text:`), and why it is wrong (`why:`)";
        zh: "第 {n} 条常见错误缺少 `text` 或 `why`", 提示: "`text:` 写客服会打出来的错误说法，`why:` 写错在哪里";
    }
    /// A mistake's phrasing occurs in one of the drill's own references.
    MistakeInReference {
        en: "mistake {n}: `{phrase}` occurs in reference {reference}, which would lose points for it", hint: "make the phrasing specific to the mistake, or fix the reference";
        zh: "第 {n} 条常见错误的说法 `{phrase}` 出现在第 {reference} 条参考回复里，参考回复会因此被扣分", 提示: "把说法写得更具体，或者改正参考回复";
    }
    /// A mistake's `penalty` outside 1–100.
    MistakePenaltyOutOfRange {
        en: "mistake {n}: penalty {value} is outside 1–100", hint: "leave `penalty:` out to use the lexicon's `mistake_penalty`";
        zh: "第 {n} 条常见错误的扣分 {value} 不在 1–100 之间", 提示: "不写 `penalty:` 就使用词库的 `mistake_penalty`";
    }
    /// A rubric fact or mistake names a rule that is not in the folder.
    UnknownRubricRule {
        en: "rubric names rule `{rule}`, which is not a rule document", hint: "use the id of a rule (e.g. rules/taobao-late-shipment)";
        zh: "评分要点引用的规则 `{rule}` 不存在或不是规则文档", 提示: "写一条规则的 id（例如 rules/taobao-late-shipment）";
    }
    /// A 关联销售 drill that does not say what to recommend.
    UpsellWithoutTarget {
        en: "关联销售 drill without `upsell`", hint: "say what the agent should recommend";
        zh: "关联销售练习没有写 `upsell`", 提示: "写明客服应该推荐什么";
    }
    /// Script, event handler or `javascript:` link in the body.
    ScriptInBody {
        en: "script, event handler or javascript: link in the body; it is removed when shown", hint: "content cannot run code; remove it";
        zh: "正文里有脚本、事件处理或 javascript: 链接，显示时会被删掉", 提示: "内容里不能运行代码，请删掉";
    }
    /// A `<style>`, `<script>`, `<textarea>`, `<pre>`, `<!--`, `<?` … without its closer: shown
    /// as text.
    UnclosedRawHtml {
        en: "`<{tag}` is never closed; it is shown as text so the rest of the document stays visible",
        hint: "close it (`</{tag}>`; a comment with `-->`, `<?` with `?>`, `<![CDATA[` with `]]>`, `<!…` with `>`), or remove it";
        zh: "`<{tag}` 没有结束标记，已按文字显示，文档其余部分照常显示",
        提示: "补上结束标记（`</{tag}>`；注释用 `-->`，`<?` 用 `?>`，`<![CDATA[` 用 `]]>`，`<!…` 用 `>`），或者删掉它";
    }
    /// Markup nested deeper than the renderer keeps.
    NestingTooDeep {
        en: "markup nests more than {depth} levels deep here; deeper levels are shown as plain text",
        hint: "flatten the quotes, lists or HTML";
        zh: "这里的标记嵌套超过 {depth} 层，更深的部分按纯文字显示",
        提示: "减少引用、列表或 HTML 的嵌套层数";
    }
    /// Two files claim one id; the second is not loaded.
    DuplicateId {
        en: "duplicate id `{id}`: already used by {other}; this file was not loaded", hint: "give one of the two files a different `id:` (or remove `id:` to use the file path)";
        zh: "id `{id}` 重复：{other} 已经用了这个 id，本文件没有加载", 提示: "给其中一个文件换一个 `id:`（或删掉 `id:` 这一行，改用文件路径）";
    }
    /// `[[target]]` names no document.
    BrokenLink {
        en: "broken link [[{target}]]: no document has this id", hint: "a document's id is its `id:` or its path without `.md`, e.g. [[rules/law-7day-return]]";
        zh: "链接 [[{target}]] 失效：没有这个 id 的文档", 提示: "文档的 id 是它的 `id:`，没有的话是去掉 `.md` 的路径，例如 [[rules/law-7day-return]]";
    }
    /// A line of a new-document template was kept as it was.
    TemplatePromptUnchanged {
        en: "template prompt left unchanged", hint: "replace it with what happened, or delete the line";
        zh: "模板里的提示语没有改", 提示: "换成实际发生的情况，或者删掉这一行";
    }
    /// A drill's rubric names an element the lexicon does not define.
    UnknownRubricElement {
        en: "unknown rubric element `{name}`", hint: "define it under `elements:` in {lexicon}";
        zh: "评分要素 `{name}` 未定义", 提示: "在 {lexicon} 的 `elements:` 下定义它";
    }
    /// A rule past its review date (待复核).
    RuleReviewOverdue {
        en: "rule review overdue since {due} (待复核)", hint: "check the note against its source, then update `reviewed:`";
        zh: "规则自 {due} 起待复核", 提示: "对照出处核对内容，然后更新 `reviewed:`";
    }
    /// A document relies on a rule changed after it (待复核).
    RuleChangedSince {
        en: "relies on [[{rule}]], changed on {rule_updated} after this document was last updated ({doc_updated}) (待复核)",
        hint: "check the text against the changed rule, then set `updated:` to today";
        zh: "引用的规则 [[{rule}]] 在 {rule_updated} 改过，晚于本文档最后更新（{doc_updated}），待复核",
        提示: "对照改过的规则核对文字，然后把 `updated:` 改成今天";
    }
    /// `scoring/lexicon.yaml` is missing; a built-in one is used.
    NoLexicon {
        en: "no scoring lexicon; a minimal built-in one is used", hint: "add scoring/lexicon.yaml (see docs/content-format.md)";
        zh: "没有评分词库，改用内置的最小词库", 提示: "添加 scoring/lexicon.yaml（见 docs/content-format.md）";
    }
    /// The lexicon file is not text.
    LexiconNotText {
        en: "lexicon is not UTF-8 text";
        zh: "评分词库不是 UTF-8 文本";
    }
    /// The lexicon file is empty.
    LexiconEmpty {
        en: "lexicon is empty";
        zh: "评分词库是空的";
    }
    /// The lexicon does not parse.
    MalformedLexicon {
        en: "malformed lexicon: {detail}";
        zh: "评分词库格式错误：{detail}";
    }
    /// `default_elements` names an element that is not defined.
    UndefinedDefaultElement {
        en: "default element `{name}` is not defined under `elements`";
        zh: "默认要素 `{name}` 没有在 `elements` 下定义";
    }
    /// A user-dictionary frequency that is not a number.
    BadFrequency {
        en: "frequency `{value}` is not a number", hint: "write `词语 [频率] [词性]`, e.g. `催发货 2000 n`";
        zh: "词频 `{value}` 不是数字", 提示: "写成 `词语 [频率] [词性]`，例如 `催发货 2000 n`";
    }
    /// A synonym line with one term.
    SynonymTooShort {
        en: "a synonym line needs at least two terms", hint: "write `催发货, 催单, 什么时候发货` or `a => b`";
        zh: "一行同义词至少要有两个词", 提示: "写成 `催发货, 催单, 什么时候发货` 或 `a => b`";
    }
    /// `=>` with nothing on one side.
    SynonymArrowEmpty {
        en: "`=>` needs terms on both sides";
        zh: "`=>` 两边都要有词";
    }
    /// A dictionary file that is not text.
    DictionaryNotText {
        en: "dictionary file is not UTF-8 text; ignored";
        zh: "词典文件不是 UTF-8 文本，已忽略";
    }
    /// A line of a shared results file that is not a result (`{detail}`: why).
    TeamBadLine {
        en: "line skipped: {detail}";
        zh: "已跳过这一行：{detail}";
    }
    /// A line of one agent's results file that names another agent.
    TeamForeignAgent {
        en: "line skipped: it is a result of `{agent}`, written into the file of `{owner}`",
        hint: "each agent's app writes only its own team/results/<id>.jsonl";
        zh: "已跳过这一行：这是 `{agent}` 的结果，却写在 `{owner}` 的文件里",
        提示: "每位客服的 Kefu 只写自己的 team/results/<编号>.jsonl";
    }
    /// A results file whose name is not a valid agent id.
    TeamBadAgentId {
        en: "skipped: `{name}` is not a valid agent id",
        hint: "agent ids are 1–32 letters, digits, `-` or `_`";
        zh: "已跳过：`{name}` 不是有效的客服编号",
        提示: "客服编号由 1–32 个字母、数字、`-` 或 `_` 组成";
    }
    /// A results file over the size limit: only its start is read.
    TeamFileTooLarge {
        en: "only the first {limit_mb} MB were read: the file is {size_mb} MB";
        zh: "只读取了前 {limit_mb} MB：文件有 {size_mb} MB";
    }
    /// A results file that is not a regular file (a link, a folder).
    TeamNotAFile {
        en: "skipped: not a regular file (links are not followed)";
        zh: "已跳过：不是普通文件（不跟随链接）";
    }
    /// An assignment file that does not parse.
    AssignmentMalformed {
        en: "malformed assignment: {detail}";
        zh: "练习布置格式错误：{detail}";
    }
    /// An assignment with no drills, category or first-week path, or more than one.
    AssignmentNoTarget {
        en: "an assignment needs exactly one of `drills`, `category` or `first_week: true`";
        zh: "练习布置需要且只需要 `drills`、`category` 或 `first_week: true` 中的一项";
    }
    /// An assignment names a drill that is not in the content.
    AssignmentUnknownDrill {
        en: "no drill `{value}` in the content";
        zh: "内容里没有练习 `{value}`";
    }
    /// An assignment names a category no drill has.
    AssignmentUnknownCategory {
        en: "no drill has the category `{value}`";
        zh: "没有练习属于分类 `{value}`";
    }
    /// An assignment's `to` is missing or names an invalid agent id.
    AssignmentBadRecipient {
        en: "`to` must be `all` or a list of agent ids; `{value}` is not one",
        hint: "agent ids are 1–32 letters, digits, `-` or `_`";
        zh: "`to` 必须是 `all` 或客服编号列表；`{value}` 不是有效编号",
        提示: "客服编号由 1–32 个字母、数字、`-` 或 `_` 组成";
    }
    /// A date of an assignment that is not `YYYY-MM-DD`.
    AssignmentBadDate {
        en: "`{field}` must be a date like 2026-12-31, not `{value}`";
        zh: "`{field}` 必须是 2026-12-31 这样的日期，而不是 `{value}`";
    }
}

/// Something wrong with one content file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Problem {
    /// Path relative to the content root, `/`-separated.
    pub path: String,
    /// 1-based line (1 when the problem concerns the whole file).
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, as a code the UI translates.
    pub code: ProblemCode,
    /// The values of the code's placeholders (`value`, `field`, `n` …).
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// What is wrong, in English.
    pub message: String,
    /// How to fix it, in English.
    pub hint: Option<String>,
    /// The front-matter field it is about (`title`, `kind`, `platform` …), for the editor to put
    /// the message beside that field; `None` for the file as a whole or the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

/// Replaces each `{name}` of `template` with its value (unknown names are left as they are).
pub fn fill(template: &str, args: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                let name = &after[..close];
                match args.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with every control character but newline and tab, and every bidirectional control,
/// written as a visible `\u{…}` escape: for terminals (ESC recolours or retitles one, OSC 52
/// sets the clipboard) and screens (an override reverses what follows).
pub fn visible_text(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Problem {
    pub(crate) fn new(severity: Severity, path: &str, line: usize, code: ProblemCode) -> Self {
        let mut p = Problem {
            path: path.to_string(),
            line: line.max(1),
            severity,
            code,
            args: BTreeMap::new(),
            message: String::new(),
            hint: None,
            field: None,
        };
        p.render();
        p
    }

    pub(crate) fn error(path: &str, line: usize, code: ProblemCode) -> Self {
        Problem::new(Severity::Error, path, line, code)
    }

    pub(crate) fn warning(path: &str, line: usize, code: ProblemCode) -> Self {
        Problem::new(Severity::Warning, path, line, code)
    }

    /// Sets the value of one placeholder.
    pub(crate) fn arg(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.args.insert(name.to_string(), value.to_string());
        self.render();
        self
    }

    /// Names the front-matter field the problem is about.
    pub(crate) fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// The problem as a screen shows it: its path, values and messages with every control and
    /// bidirectional character written as a visible escape (see [`visible_text`]), so a file
    /// name with ESC, a NUL or a right-to-left override cannot hide or disguise itself.
    pub fn visible(&self) -> Problem {
        let v = |s: &str| visible_text(s).into_owned();
        Problem {
            path: v(&self.path),
            args: self.args.iter().map(|(k, x)| (k.clone(), v(x))).collect(),
            message: v(&self.message),
            hint: self.hint.as_deref().map(v),
            ..self.clone()
        }
    }

    fn render(&mut self) {
        let t = self.code.english();
        self.message = fill(t.message, &self.args);
        self.hint = t.hint.map(|h| fill(h, &self.args));
    }
}

impl fmt::Display for Problem {
    /// `path:line: error: message (hint)`, the format of compilers and linters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.path, self.line, self.severity, self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// `problemText.ts`: the Chinese template of every code, for the UI.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated by kefu-core (content/problem.rs); do not edit. `cargo test` rewrites it.\n\
         import type { ProblemCode } from \"./ProblemCode\";\n\n\
         /** Simplified Chinese message and hint of every problem code, `{name}` = `Problem.args[name]`. */\n\
         export const PROBLEM_ZH: Record<ProblemCode, { message: string; hint: string | null }> = {\n",
    );
    for code in ProblemCode::ALL {
        let t = code.chinese();
        let name = serde_json::to_value(code)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
        out.push_str(&format!(
            "  {name}: {{ message: {}, hint: {} }},\n",
            json(t.message),
            t.hint.map_or("null".to_string(), json)
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    out.insert(after[..close].to_string());
                    rest = &after[close + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn english_and_chinese_use_the_same_placeholders() {
        for code in ProblemCode::ALL {
            let (en, zh) = (code.english(), code.chinese());
            assert_eq!(
                placeholders(en.message),
                placeholders(zh.message),
                "{code:?} message"
            );
            assert_eq!(en.hint.is_some(), zh.hint.is_some(), "{code:?} hint");
            assert_eq!(
                placeholders(en.hint.unwrap_or("")),
                placeholders(zh.hint.unwrap_or("")),
                "{code:?} hint"
            );
            assert!(
                zh.message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code:?} has no Chinese text"
            );
        }
    }

    #[test]
    fn arguments_fill_message_and_hint() {
        let p = Problem::error("drills/a.md", 0, ProblemCode::UnknownCategory)
            .arg("value", "售后")
            .arg("categories", "催发货, 退换货");
        assert_eq!(p.line, 1);
        assert_eq!(p.message, "unknown drill category `售后`");
        assert_eq!(p.hint.as_deref(), Some("known categories: 催发货, 退换货"));
        assert_eq!(
            fill(ProblemCode::UnknownCategory.chinese().message, &p.args),
            "未知练习类别 `售后`"
        );
        // A placeholder without a value stays visible rather than vanishing.
        assert_eq!(fill("a {missing} b {", &BTreeMap::new()), "a {missing} b {");
    }

    #[test]
    fn codes_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_value(ProblemCode::FrontMatterNotClosed).ok(),
            Some(serde_json::json!("front_matter_not_closed"))
        );
        assert!(typescript().contains("  front_matter_not_closed: { message: \"文件头没有结束\""));
    }

    #[test]
    fn a_shown_problem_hides_no_control_or_bidi_character() {
        // Found by the real-app hostile test: names with ESC, NUL or U+202E reached the page raw.
        let p = Problem::error(
            "a\u{1b}[31m/\u{202e}dm.exe\u{0}.md",
            3,
            ProblemCode::BinaryFile,
        )
        .arg("value", "x\u{7}y");
        let v = p.visible();
        assert_eq!(v.path, "a\\u{1b}[31m/\\u{202e}dm.exe\\u{0}.md");
        assert_eq!(v.args.get("value").map(String::as_str), Some("x\\u{7}y"));
        for s in [&v.path, &v.message] {
            assert!(
                !s.chars()
                    .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "{s:?}"
            );
        }
        assert_eq!((v.line, v.code, v.severity), (3, p.code, p.severity));
        assert_eq!(visible_text("好的亲\n\t!"), "好的亲\n\t!");
    }
}
