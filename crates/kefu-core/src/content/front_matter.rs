//! Splitting a file into YAML front matter and Markdown body, and turning the YAML into a
//! [`Document`] with problems reported at the line they concern.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::drill::{CATEGORIES, Drill, Fact, Mistake, Persona, PoorReply, Rubric};

use super::model::{CaseMeta, Document, Kind, Phrase, Platform, RuleMeta, parse_date};
use super::problem::{Problem, ProblemCode};

/// A file split at its front matter fences.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The YAML between the fences.
    pub(crate) yaml: &'a str,
    /// 1-based file line of the first YAML line.
    pub(crate) yaml_line: usize,
    /// The Markdown after the closing fence.
    pub(crate) body: &'a str,
    /// 1-based file line where the body starts.
    pub(crate) body_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The file does not start with `---`.
    Missing,
    /// `---` opens a block that never closes.
    Unclosed,
}

/// Lines that open a front matter (trailing whitespace ignored). The editor's splitter is built
/// from these two lists and checked against [`split`] on shared cases (`frontMatter.ts`).
pub(crate) const OPENING_FENCES: &[&str] = &["---"];
/// Lines that close it: YAML's document end `...` as well as `---`.
pub(crate) const CLOSING_FENCES: &[&str] = &["---", "..."];

fn is_fence(line: &str, closing: bool) -> bool {
    let t = line.trim_end();
    let fences = if closing {
        CLOSING_FENCES
    } else {
        OPENING_FENCES
    };
    fences.contains(&t)
}

/// Splits `text` (newlines already normalised) into front matter and body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if !is_fence(first, false) {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_fence(line, true) {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

/// A text value. YAML reads `12315` or `618` as numbers; in a text field they mean text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Text(String);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl serde::de::Visitor<'_> for TextVisitor {
    type Value = String;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a text value")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// How front matter is read: YAML 1.2's booleans only (`true`/`false`), so an id, title or tag
/// written `no`, `y` or `on` stays that text instead of becoming `false`/`true` (YAML 1.1).
fn yaml_options() -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.strict_booleans = true;
    o
}

/// A yes/no field: YAML's `true`/`false`, or the words authors write (`yes`, `no`, `on`, `off`,
/// `是`, `否`).
#[derive(Debug, Clone, Copy)]
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true or false (yes/no, 是/否)")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Flag, E> {
                match v {
                    0 | 1 => Ok(Flag(v == 1)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Flag, E> {
                match v {
                    0 | 1 => Ok(Flag(v == 1)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Flag, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" | "1" | "是" => Ok(Flag(true)),
                    "false" | "no" | "n" | "off" | "0" | "否" => Ok(Flag(false)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Accepts `tags: 物流` as well as `tags: [物流, 发货]`.
#[derive(Debug)]
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text or a list of texts, e.g. [物流, 发货]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<String>, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(t)) = seq.next_element::<Text>()? {
                    out.push(t);
                }
                Ok(out)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Vec<String>, E> {
                Ok(vec![v.to_string()])
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Vec<String>, E> {
                Ok(vec![v.to_string()])
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Vec<String>, E> {
                Ok(vec![v.to_string()])
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Vec<String>, E> {
                Ok(vec![v.to_string()])
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Vec<String>, E> {
                Ok(vec![v.to_string()])
            }
        }
        d.deserialize_any(V).map(OneOrMany)
    }
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        self.0
    }
}

#[derive(Debug, Deserialize)]
struct RawPhrase {
    #[serde(default)]
    code: Option<Text>,
    #[serde(default)]
    text: Option<Text>,
    #[serde(default)]
    when: Option<Text>,
}

/// The front matter as written. Everything is optional here; validation happens afterwards so
/// that one missing field yields one clear problem instead of a serde error.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawFrontMatter {
    kind: Option<Spanned<String>>,
    title: Option<Spanned<Text>>,
    id: Option<Spanned<Text>>,
    tags: Option<OneOrMany>,
    platforms: Option<OneOrMany>,
    aliases: Option<OneOrMany>,
    author: Option<Text>,
    updated: Option<Spanned<String>>,
    created: Option<Spanned<String>>,
    phrases: Option<Vec<Spanned<RawPhrase>>>,
    platform: Option<Spanned<String>>,
    outcome: Option<Text>,
    effective: Option<Spanned<String>>,
    source: Option<Text>,
    reviewed: Option<Spanned<String>>,
    review_every_days: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawPoor {
    text: Option<Text>,
    why: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawFact {
    text: Option<Text>,
    r#match: Option<OneOrMany>,
    rule: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawMistake {
    text: Option<Text>,
    r#match: Option<OneOrMany>,
    why: Option<Text>,
    rule: Option<Text>,
    penalty: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawRubric {
    elements: Option<OneOrMany>,
    facts: Option<Vec<RawFact>>,
    mistakes: Option<Vec<RawMistake>>,
}

/// The drill-specific front matter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawDrill {
    category: Option<Spanned<Text>>,
    difficulty: Option<Spanned<i64>>,
    persona: Option<Spanned<Text>>,
    time_limit_s: Option<Spanned<i64>>,
    allow_paste: Option<Flag>,
    customer: Option<OneOrMany>,
    references: Option<OneOrMany>,
    poor: Option<Vec<RawPoor>>,
    rubric: Option<Spanned<RawRubric>>,
    upsell: Option<Text>,
}

/// The result of reading one file's front matter.
pub(crate) struct Parsed {
    pub(crate) doc: Option<Document>,
    pub(crate) problems: Vec<Problem>,
}

/// Builds a document from a split file. `rel` is the path used in problems and as default id.
pub(crate) fn parse(rel: &str, split: &Split<'_>, fingerprint: u64) -> Parsed {
    let mut problems = Vec::new();
    let at = |line: u64| split.yaml_line + (line as usize).saturating_sub(1);
    let raw: RawFrontMatter = match serde_saphyr::from_str_with_options(split.yaml, yaml_options())
    {
        Ok(Some(raw)) => raw,
        Ok(None) => RawFrontMatter::default(),
        Err(e) => {
            let line = e.location().map(|l| at(l.line())).unwrap_or(1);
            problems.push(
                Problem::error(rel, line, ProblemCode::MalformedFrontMatter)
                    .arg("detail", yaml_message(&e)),
            );
            return Parsed {
                doc: None,
                problems,
            };
        }
    };

    // Kind and title are both checked before giving up, so an author fixes both at once.
    let kind = match raw.kind {
        None => {
            problems.push(Problem::error(rel, 1, ProblemCode::MissingKind).field("kind"));
            None
        }
        Some(kind_raw) => {
            let kind = Kind::parse(&kind_raw.value);
            if kind.is_none() {
                problems.push(
                    Problem::error(
                        rel,
                        at(kind_raw.referenced.line()),
                        ProblemCode::UnknownKind,
                    )
                    .arg("value", &kind_raw.value)
                    .field("kind"),
                );
            }
            kind
        }
    };
    let title = match raw.title {
        Some(t) if !t.value.0.trim().is_empty() => {
            if crate::markdown::looks_like_markup(&t.value.0) {
                problems.push(
                    Problem::warning(rel, at(t.referenced.line()), ProblemCode::MarkupInTitle)
                        .field("title"),
                );
            }
            Some(t.value.0.trim().to_string())
        }
        Some(t) => {
            problems.push(
                Problem::error(rel, at(t.referenced.line()), ProblemCode::EmptyTitle)
                    .field("title"),
            );
            None
        }
        None => {
            problems.push(Problem::error(rel, 1, ProblemCode::MissingTitle).field("title"));
            None
        }
    };
    let (Some(kind), Some(title)) = (kind, title) else {
        return Parsed {
            doc: None,
            problems,
        };
    };
    let id = match raw.id {
        Some(id) if valid_id(id.value.0.trim()) => id.value.0.trim().to_string(),
        Some(id) => {
            problems.push(
                Problem::error(rel, at(id.referenced.line()), ProblemCode::InvalidId)
                    .arg("value", &id.value.0)
                    .field("id"),
            );
            default_id(rel)
        }
        None => default_id(rel),
    };

    let date = |field: &str, v: Option<Spanned<String>>, problems: &mut Vec<Problem>| {
        date_field(rel, &at, field, v, problems)
    };
    let updated = date("updated", raw.updated, &mut problems);
    let created = date("created", raw.created, &mut problems);

    let mut platforms = Vec::new();
    for p in raw.platforms.map(OneOrMany::into_vec).unwrap_or_default() {
        match Platform::parse(&p) {
            Some(pl) if !platforms.contains(&pl) => platforms.push(pl),
            Some(_) => {}
            None => {
                let line = line_of_value(split.yaml, "platforms", &p).map_or(1, |l| at(l as u64));
                problems.push(unknown_platform(rel, line, &p));
            }
        }
    }
    platforms.sort();

    let phrases = raw
        .phrases
        .map(|list| phrases_of(rel, &at, kind, list, &mut problems))
        .unwrap_or_default();

    let mut case = None;
    let mut rule = None;
    let mut drill = None;
    let mut extra_text = String::new();
    match kind {
        Kind::Case => {
            let platform = raw.platform.and_then(|p| match Platform::parse(&p.value) {
                Some(pl) => Some(pl),
                None => {
                    problems.push(unknown_platform(rel, at(p.referenced.line()), &p.value));
                    None
                }
            });
            if let Some(pl) = platform
                && platforms.is_empty()
            {
                platforms.push(pl);
            }
            case = Some(CaseMeta {
                platform,
                outcome: raw.outcome.map(|o| o.trim().to_string()),
            });
        }
        Kind::Rule => {
            let fields = RawRule {
                platform: raw.platform,
                effective: raw.effective,
                reviewed: raw.reviewed,
                source: raw.source,
                review_every_days: raw.review_every_days,
            };
            rule = Some(rule_meta(rel, &at, fields, &mut platforms, &mut problems));
        }
        Kind::Drill => match serde_saphyr::from_str_with_options::<Option<RawDrill>>(
            split.yaml,
            yaml_options(),
        ) {
            Ok(raw_drill) => {
                let d = build_drill(rel, raw_drill.unwrap_or_default(), &at, &mut problems);
                if let Some(d) = &d {
                    for t in [&d.category]
                        .into_iter()
                        .chain(&d.customer)
                        .chain(&d.references)
                        .chain(d.poor.iter().map(|p| &p.text))
                        .chain(d.rubric.facts.iter().map(|f| &f.text))
                        .chain(d.upsell.iter())
                    {
                        extra_text.push_str(t);
                        extra_text.push('\n');
                    }
                }
                drill = d;
            }
            Err(e) => {
                let line = e.location().map(|l| at(l.line())).unwrap_or(1);
                problems.push(
                    Problem::error(rel, line, ProblemCode::MalformedDrillFields)
                        .arg("detail", yaml_message(&e)),
                );
                return Parsed {
                    doc: None,
                    problems,
                };
            }
        },
        Kind::Playbook => {}
    }

    let doc = Document {
        id,
        kind,
        title,
        path: rel.to_string(),
        tags: clean_list(raw.tags),
        platforms,
        aliases: clean_list(raw.aliases),
        author: raw
            .author
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        updated,
        created,
        phrases,
        case,
        rule,
        drill,
        extra_text,
        body: split.body.to_string(),
        body_line: split.body_line,
        links: Vec::new(),
        fingerprint,
    };
    Parsed {
        doc: Some(doc),
        problems,
    }
}

/// The reply phrases of a playbook, with a problem for each one that cannot be used.
fn phrases_of(
    rel: &str,
    at: &dyn Fn(u64) -> usize,
    kind: Kind,
    list: Vec<Spanned<RawPhrase>>,
    problems: &mut Vec<Problem>,
) -> Vec<Phrase> {
    let mut phrases = Vec::new();
    if kind != Kind::Playbook {
        problems.push(
            Problem::warning(
                rel,
                at(list.first().map(|p| p.referenced.line()).unwrap_or(1)),
                ProblemCode::PhrasesOutsidePlaybook,
            )
            .field("phrases"),
        );
    }
    for (i, p) in list.into_iter().enumerate() {
        let line = at(p.referenced.line());
        let RawPhrase { code, text, when } = p.value;
        let text = text.unwrap_or_default().0.trim().to_string();
        if text.is_empty() {
            problems.push(
                Problem::error(rel, line, ProblemCode::PhraseWithoutText)
                    .arg("n", i + 1)
                    .field("phrases"),
            );
            continue;
        }
        let code = code.unwrap_or_default().0.trim().to_string();
        if code.is_empty() {
            problems.push(
                Problem::warning(rel, line, ProblemCode::PhraseWithoutCode)
                    .arg("n", i + 1)
                    .field("phrases"),
            );
        } else if let Some(dup) = phrases
            .iter()
            .find(|q: &&Phrase| q.code.eq_ignore_ascii_case(&code))
        {
            problems.push(
                Problem::error(rel, line, ProblemCode::DuplicatePhraseCode)
                    .arg("code", &dup.code)
                    .field("phrases"),
            );
        }
        phrases.push(Phrase {
            code,
            text,
            when: when.unwrap_or_default().trim().to_string(),
        });
    }
    phrases
}

/// The front-matter fields only rules have.
struct RawRule {
    platform: Option<Spanned<String>>,
    effective: Option<Spanned<String>>,
    reviewed: Option<Spanned<String>>,
    source: Option<Text>,
    review_every_days: Option<Spanned<u32>>,
}

/// A rule's own fields: platform (or a PRC law), effective and review dates, source.
fn rule_meta(
    rel: &str,
    at: &dyn Fn(u64) -> usize,
    raw: RawRule,
    platforms: &mut Vec<Platform>,
    problems: &mut Vec<Problem>,
) -> RuleMeta {
    let mut meta = RuleMeta::default();
    match raw.platform {
        None => problems
            .push(Problem::error(rel, 1, ProblemCode::RuleWithoutPlatform).field("platform")),
        Some(p) if is_law(&p.value) => meta.is_law = true,
        Some(p) => match Platform::parse(&p.value) {
            Some(pl) => {
                meta.platform = Some(pl);
                if platforms.is_empty() {
                    platforms.push(pl);
                }
            }
            None => problems.push(unknown_platform(rel, at(p.referenced.line()), &p.value)),
        },
    }
    meta.effective = date_field(rel, at, "effective", raw.effective, problems);
    meta.reviewed = date_field(rel, at, "reviewed", raw.reviewed, problems);
    meta.source = raw
        .source
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if meta.source.is_none() {
        problems.push(Problem::warning(rel, 1, ProblemCode::RuleWithoutSource).field("source"));
    }
    meta.review_every_days = raw.review_every_days.map(|d| d.value);
    meta
}

/// A date field, with a problem when it does not parse.
fn date_field(
    rel: &str,
    at: &dyn Fn(u64) -> usize,
    field: &str,
    v: Option<Spanned<String>>,
    problems: &mut Vec<Problem>,
) -> Option<chrono::NaiveDate> {
    let v = v?;
    let d = parse_date(&v.value);
    if d.is_none() {
        problems.push(
            Problem::error(rel, at(v.referenced.line()), ProblemCode::BadDate)
                .arg("field", field)
                .arg("value", &v.value)
                .field(field),
        );
    }
    d
}

/// 1-based line (within the YAML) of the first line at or after `key:` that contains `value`.
/// Used where serde cannot give a span (values inside `tags: x` / `tags: [x]` either-forms).
fn line_of_value(yaml: &str, key: &str, value: &str) -> Option<usize> {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':'))?;
    let first = lines[start].split_once(':').map_or("", |(_, v)| v);
    if first.contains(value) {
        return Some(start + 1);
    }
    lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| l.contains(value))
        .map(|(i, _)| i + 1)
}

fn build_drill(
    rel: &str,
    raw: RawDrill,
    at: &dyn Fn(u64) -> usize,
    problems: &mut Vec<Problem>,
) -> Option<Drill> {
    let category = match raw.category {
        Some(c) => {
            let c_line = at(c.referenced.line());
            let c = c.value.trim().to_string();
            if !CATEGORIES.contains(&c.as_str()) {
                problems.push(
                    Problem::warning(rel, c_line, ProblemCode::UnknownCategory)
                        .arg("value", &c)
                        .arg("categories", CATEGORIES.join(", "))
                        .field("category"),
                );
            }
            c
        }
        None => {
            problems.push(
                Problem::error(rel, 1, ProblemCode::DrillWithoutCategory)
                    .arg("categories", CATEGORIES.join(", "))
                    .field("category"),
            );
            String::new()
        }
    };
    let difficulty = match raw.difficulty {
        Some(d) if (1..=5).contains(&d.value) => d.value as u8,
        Some(d) => {
            problems.push(
                Problem::error(
                    rel,
                    at(d.referenced.line()),
                    ProblemCode::DifficultyOutOfRange,
                )
                .arg("value", d.value)
                .field("difficulty"),
            );
            2
        }
        None => 2,
    };
    let persona = match raw.persona {
        Some(p) => Persona::parse(&p.value).unwrap_or_else(|| {
            problems.push(
                Problem::error(rel, at(p.referenced.line()), ProblemCode::UnknownPersona)
                    .arg("value", &p.value.0)
                    .field("persona"),
            );
            Persona::default()
        }),
        None => Persona::default(),
    };
    let time_limit_s = match raw.time_limit_s {
        Some(t) if (5..=3600).contains(&t.value) => t.value as u32,
        Some(t) => {
            problems.push(
                Problem::error(
                    rel,
                    at(t.referenced.line()),
                    ProblemCode::TimeLimitOutOfRange,
                )
                .arg("value", t.value)
                .field("time_limit_s"),
            );
            60
        }
        None => 60,
    };
    let customer = clean_list(raw.customer);
    let references = clean_list(raw.references);
    if customer.is_empty() {
        problems.push(Problem::error(rel, 1, ProblemCode::DrillWithoutCustomer).field("customer"));
    }
    if references.is_empty() {
        problems
            .push(Problem::error(rel, 1, ProblemCode::DrillWithoutReferences).field("references"));
    }
    let mut poor = Vec::new();
    for (i, p) in raw.poor.unwrap_or_default().into_iter().enumerate() {
        match (p.text, p.why) {
            (Some(t), w) if !t.trim().is_empty() => poor.push(PoorReply {
                text: t.trim().to_string(),
                why: w.map(|w| w.trim().to_string()).unwrap_or_default(),
            }),
            _ => problems.push(
                Problem::error(rel, 1, ProblemCode::PoorReplyWithoutText)
                    .arg("n", i + 1)
                    .field("poor"),
            ),
        }
    }
    let (rubric, rubric_line) = match raw.rubric {
        Some(r) => {
            let line = at(r.referenced.line());
            let RawRubric {
                elements,
                facts,
                mistakes,
            } = r.value;
            let mut out = Vec::new();
            for (i, f) in facts.unwrap_or_default().into_iter().enumerate() {
                let text = f.text.map(|t| t.trim().to_string()).unwrap_or_default();
                if text.is_empty() {
                    problems.push(
                        Problem::error(rel, line, ProblemCode::FactWithoutText).arg("n", i + 1),
                    );
                    continue;
                }
                out.push(Fact {
                    text,
                    r#match: clean_list(f.r#match),
                    rule: f
                        .rule
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty()),
                });
            }
            let mistakes = mistakes
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .filter_map(|(i, m)| mistake(m, i + 1, rel, line, &references, problems))
                .collect();
            (
                Rubric {
                    elements: clean_list(elements),
                    facts: out,
                    mistakes,
                },
                line,
            )
        }
        None => (Rubric::default(), 1),
    };
    let upsell = raw
        .upsell
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    if category == "关联销售" && upsell.is_none() {
        problems.push(Problem::warning(rel, 1, ProblemCode::UpsellWithoutTarget).field("upsell"));
    }
    Some(Drill {
        category,
        difficulty,
        persona,
        time_limit_s,
        allow_paste: raw.allow_paste.is_some_and(|f| f.0),
        customer,
        references,
        poor,
        rubric,
        upsell,
        rubric_line,
    })
}

fn yaml_message(e: &serde_saphyr::Error) -> String {
    let msg = e.without_snippet().to_string();
    // Keep the first line; the location is reported separately (as a file line).
    let first = msg.lines().next().unwrap_or("").trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

fn unknown_platform(rel: &str, line: usize, value: &str) -> Problem {
    Problem::error(rel, line, ProblemCode::UnknownPlatform)
        .arg("value", value)
        .field("platform")
}

fn is_law(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "law" | "法律" | "法规" | "国家法规"
    )
}

/// One `rubric.mistakes` entry (`n` from 1), or `None` with the problem recorded.
fn mistake(
    m: RawMistake,
    n: usize,
    rel: &str,
    line: usize,
    references: &[String],
    problems: &mut Vec<Problem>,
) -> Option<Mistake> {
    let text = m.text.map(|t| t.trim().to_string()).unwrap_or_default();
    let why = m.why.map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() || why.is_empty() {
        problems.push(Problem::error(rel, line, ProblemCode::MistakeIncomplete).arg("n", n));
        return None;
    }
    let r#match = clean_list(m.r#match);
    // A phrasing a reference contains would take points off the reference itself.
    for phrase in r#match.iter().chain(std::iter::once(&text)) {
        if let Some(r) = references.iter().position(|r| r.contains(phrase.as_str())) {
            problems.push(
                Problem::error(rel, line, ProblemCode::MistakeInReference)
                    .arg("n", n)
                    .arg("phrase", phrase)
                    .arg("reference", r + 1),
            );
            return None;
        }
    }
    let penalty = match m.penalty {
        None => None,
        Some(p @ 1..=100) => u32::try_from(p).ok(),
        Some(p) => {
            problems.push(
                Problem::error(rel, line, ProblemCode::MistakePenaltyOutOfRange)
                    .arg("n", n)
                    .arg("value", p),
            );
            return None;
        }
    };
    Some(Mistake {
        text,
        r#match,
        why,
        rule: m
            .rule
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        penalty,
    })
}

fn clean_list(v: Option<OneOrMany>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v.map(OneOrMany::into_vec).unwrap_or_default() {
        let s = s.trim().to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The id of a file without an explicit one: its path without `.md`.
pub(crate) fn default_id(rel: &str) -> String {
    rel.strip_suffix(".md")
        .or_else(|| rel.strip_suffix(".MD"))
        .unwrap_or(rel)
        .to_string()
}

/// Ids appear in `[[links]]` and URLs, so a few characters are reserved.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('/')
        && !id.ends_with('/')
        && !id
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '[' | ']' | '|' | '#' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Parsed {
        match split(text) {
            Ok(s) => parse("playbooks/x.md", &s, 0),
            Err(e) => panic!("split failed: {e:?}"),
        }
    }

    /// Writes `frontMatter.ts` for the editor: the fence lists and what [`split`] says on a set
    /// of cases, which the editor's splitter must reproduce (ui/src/lib/editor/frontmatter.test.ts;
    /// `make test` checks the file is committed).
    #[test]
    fn the_editor_gets_the_fences_and_the_cases() {
        let cases = [
            "---\nkind: rule\ntitle: 规则\n---\n正文\n",
            "---\nkind: rule\n...\n正文\n",
            "---   \nkind: rule\n---\t\nbody",
            "---\n---\n",
            "---\nkind: rule\n",
            "kind: rule\n---\n",
            "...\nkind: rule\n...\n",
            "",
            "---\r\nkind: rule\r\n---\r\nbody\r\n",
            "---\ntitle: a\n----\n---\nb\n",
            " ---\nkind: rule\n---\n",
        ];
        let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let list = |l: &[&str]| l.iter().map(|s| json(s)).collect::<Vec<_>>().join(", ");
        let mut ts = String::from(
            "// Generated by kefu-core (content/front_matter.rs); do not edit. `cargo test` rewrites it.\n\n",
        );
        ts.push_str(&format!(
            "/** Lines that open a front matter (trailing whitespace ignored). */\nexport const OPENING_FENCES: readonly string[] = [{}];\n",
            list(OPENING_FENCES)
        ));
        ts.push_str(&format!(
            "/** Lines that close it. */\nexport const CLOSING_FENCES: readonly string[] = [{}];\n\n",
            list(CLOSING_FENCES)
        ));
        ts.push_str("/** What core's splitter makes of each text: the YAML, the 1-based line where the body starts, or why it could not split. */\n");
        ts.push_str("export const SPLIT_CASES: ReadonlyArray<{ text: string; yaml: string | null; body: string | null; bodyLine: number; error: \"missing\" | \"unclosed\" | null }> = [\n");
        for text in cases {
            let entry = match split(text) {
                Ok(s) => format!(
                    "yaml: {}, body: {}, bodyLine: {}, error: null",
                    json(s.yaml),
                    json(s.body),
                    s.body_line
                ),
                Err(SplitError::Missing) => {
                    "yaml: null, body: null, bodyLine: 0, error: \"missing\"".into()
                }
                Err(SplitError::Unclosed) => {
                    "yaml: null, body: null, bodyLine: 0, error: \"unclosed\"".into()
                }
            };
            ts.push_str(&format!("  {{ text: {}, {entry} }},\n", json(text)));
        }
        ts.push_str("];\n");
        assert!(ts.contains("error: \"unclosed\""));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/bindings/frontMatter.ts");
        std::fs::write(path, ts).expect("write frontMatter.ts");
    }

    #[test]
    fn split_finds_body_and_lines() {
        let s = split("---\nkind: rule\n---\nbody\n").expect("splits");
        assert_eq!(s.yaml, "kind: rule\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
        assert_eq!(split("no front matter"), Err(SplitError::Missing));
        assert_eq!(split("---\nkind: rule\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn minimal_form_loads() {
        let p = parse_text(
            "---\nkind: playbook        # comment\ntitle: 催发货\ntags: [发货, 物流]\n---\nMarkdown body\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let d = p.doc.expect("doc");
        assert_eq!(d.id, "playbooks/x");
        assert_eq!(d.title, "催发货");
        assert_eq!(d.tags, vec!["发货", "物流"]);
        assert!(d.platforms.is_empty());
    }

    #[test]
    fn bad_platform_and_date_point_at_their_lines() {
        let p = parse_text(
            "---\nkind: playbook\ntitle: t\nplatforms:\n  - 淘宝\n  - amazon\nupdated: 2025-02-30\n---\n",
        );
        let msgs: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("playbooks/x.md:6: error: unknown platform `amazon`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("playbooks/x.md:7: error: bad date in `updated`")),
            "{msgs:?}"
        );
        let d = p.doc.expect("still loads");
        assert_eq!(d.platforms, vec![Platform::Taobao]);
    }

    #[test]
    fn malformed_yaml_reports_a_line_inside_the_file() {
        let p = parse_text("---\nkind: playbook\ntitle: [unclosed\n---\n");
        assert!(p.doc.is_none());
        assert_eq!(p.problems.len(), 1);
        assert!(
            p.problems[0].message.starts_with("malformed YAML"),
            "{:?}",
            p.problems
        );
        assert!(p.problems[0].line >= 3, "{:?}", p.problems);
    }

    #[test]
    fn unknown_kind_and_missing_title_are_errors() {
        let p = parse_text("---\nkind: faq\ntitle: t\n---\n");
        assert!(p.doc.is_none());
        assert_eq!(p.problems[0].line, 2);
        let p = parse_text("---\nkind: rule\n---\n");
        assert!(p.doc.is_none());
        assert!(p.problems[0].message.contains("title"));
    }

    #[test]
    fn rule_fields_are_typed() {
        let p = parse_text(
            "---\nkind: rule\ntitle: 七天无理由\nplatform: law\nsource: 《网络购买商品七日无理由退货暂行办法》第六条\neffective: 2017-03-15\nreviewed: 2026-01-10\nreview_every_days: 180\n---\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let r = p.doc.and_then(|d| d.rule).expect("rule");
        assert!(r.is_law);
        assert_eq!(r.review_due(), parse_date("2026-07-09"));
    }

    #[test]
    fn field_problems_name_their_field() {
        let p = parse_text("---\nkind: rule\ntitle: \"\"\nplatform: amazon\n---\n");
        let field_of = |needle: &str| {
            p.problems
                .iter()
                .find(|x| x.message.contains(needle))
                .and_then(|x| x.field.clone())
        };
        assert_eq!(
            field_of("empty `title`").as_deref(),
            Some("title"),
            "{:?}",
            p.problems
        );
        let platform = parse_text("---\nkind: rule\ntitle: t\nplatform: amazon\n---\n");
        assert!(
            platform
                .problems
                .iter()
                .any(|x| x.message.contains("unknown platform")
                    && x.field.as_deref() == Some("platform")),
            "{:?}",
            platform.problems
        );
        let no_title = parse_text("---\nkind: case\n---\n");
        assert!(
            no_title
                .problems
                .iter()
                .any(|x| x.field.as_deref() == Some("title"))
        );
    }

    #[test]
    fn phrases_need_text_and_unique_codes() {
        let p = parse_text(
            "---\nkind: playbook\ntitle: t\nphrases:\n  - code: a1\n    text: 你好\n  - code: A1\n    text: 再见\n  - code: b\n---\n",
        );
        let msgs: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains(":7: error: phrase code `a1` is used twice")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":9: error: phrase 3 has no `text`")),
            "{msgs:?}"
        );
    }

    #[test]
    fn numbers_in_text_fields_are_text() {
        let p = parse_text(
            "---\nkind: playbook\ntitle: 618\naliases: [12315, 退一赔三]\ntags: 2025\n---\n",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let d = p.doc.expect("doc");
        assert_eq!(d.title, "618");
        assert_eq!(d.aliases, vec!["12315", "退一赔三"]);
        assert_eq!(d.tags, vec!["2025"]);
    }

    #[test]
    fn a_map_where_a_list_belongs_is_explained() {
        let p = parse_text("---\nkind: playbook\ntitle: t\ntags:\n  a: b\n---\n");
        assert!(
            p.problems[0].message.contains("a text or a list of texts"),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn ids_reserve_link_characters() {
        assert!(valid_id("playbooks/催发货"));
        assert!(!valid_id("a b"));
        assert!(!valid_id("a|b"));
        assert!(!valid_id("/abs"));
    }

    #[test]
    fn yaml_1_1_booleans_stay_text() {
        // Found by the property tests: `id: n` gave the id "false" (YAML 1.1 reads y/n/on/off as
        // booleans); YAML 1.2 does not.
        let p = parse_text("---\ntitle: no\nkind: playbook\nid: n\ntags: [on, off, Yes]\n---\nx\n");
        let doc = p.doc.unwrap_or_else(|| panic!("{:?}", p.problems));
        assert_eq!((doc.title.as_str(), doc.id.as_str()), ("no", "n"));
        assert_eq!(doc.tags, ["on", "off", "Yes"]);
    }

    #[test]
    fn allow_paste_takes_the_words_authors_write() {
        for (v, want) in [
            ("true", true),
            ("yes", true),
            ("是", true),
            ("no", false),
            ("off", false),
        ] {
            let text = format!(
                "---\ntitle: t\nkind: drill\ncategory: 催发货\ncustomer: 在吗\nreferences: [好的亲]\nallow_paste: {v}\n---\n"
            );
            let p = parse_text(&text);
            let drill = p
                .doc
                .and_then(|d| d.drill)
                .unwrap_or_else(|| panic!("{v}: {:?}", p.problems));
            assert_eq!(drill.allow_paste, want, "{v}");
        }
        let p = parse_text(
            "---\ntitle: t\nkind: drill\ncategory: 催发货\ncustomer: 在吗\nreferences: [好的亲]\nallow_paste: maybe\n---\n",
        );
        assert!(
            p.problems
                .iter()
                .any(|p| p.code == ProblemCode::MalformedDrillFields && p.line == 7),
            "{:?}",
            p.problems
        );
    }
}
