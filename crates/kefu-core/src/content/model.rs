use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a document is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Ready-to-send reply phrases for one situation.
    Playbook,
    /// A solved hard case written up by a veteran.
    Case,
    /// A platform rule or law, with its source.
    Rule,
    /// A reply drill for new hires.
    Drill,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 4] = [Kind::Playbook, Kind::Case, Kind::Rule, Kind::Drill];

    /// The identifier used in front matter and queries (`playbook` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Playbook => "playbook",
            Kind::Case => "case",
            Kind::Rule => "rule",
            Kind::Drill => "drill",
        }
    }

    /// The Chinese label shown to agents.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Playbook => "话术",
            Kind::Case => "案例",
            Kind::Rule => "规则",
            Kind::Drill => "练习",
        }
    }

    /// Parses `playbook`/`话术`, `case`/`案例`, `rule`/`规则`, `drill`/`练习` (case-insensitive).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s) || k.label_zh() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Chinese e-commerce platform.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// 淘宝
    Taobao,
    /// 天猫
    Tmall,
    /// 拼多多
    Pdd,
    /// 京东
    Jd,
    /// 唯品会
    Vip,
    /// 抖音 (抖店)
    Douyin,
}

impl Platform {
    /// Every platform, in display order.
    pub const ALL: [Platform; 6] = [
        Platform::Taobao,
        Platform::Tmall,
        Platform::Pdd,
        Platform::Jd,
        Platform::Vip,
        Platform::Douyin,
    ];

    /// The code used in front matter and queries (`taobao`, `pdd` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Taobao => "taobao",
            Platform::Tmall => "tmall",
            Platform::Pdd => "pdd",
            Platform::Jd => "jd",
            Platform::Vip => "vip",
            Platform::Douyin => "douyin",
        }
    }

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Platform::Taobao => "淘宝",
            Platform::Tmall => "天猫",
            Platform::Pdd => "拼多多",
            Platform::Jd => "京东",
            Platform::Vip => "唯品会",
            Platform::Douyin => "抖音",
        }
    }

    /// Parses a code or a Chinese name, with a few common spellings
    /// (`pinduoduo`, `抖店`, `vipshop` …). Case-insensitive.
    pub fn parse(s: &str) -> Option<Platform> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        let p = match lower.as_str() {
            "taobao" | "淘宝" | "tb" => Platform::Taobao,
            "tmall" | "天猫" | "tm" => Platform::Tmall,
            "pdd" | "pinduoduo" | "拼多多" => Platform::Pdd,
            "jd" | "jingdong" | "京东" => Platform::Jd,
            "vip" | "vipshop" | "weipinhui" | "唯品会" => Platform::Vip,
            "douyin" | "抖音" | "抖店" | "dy" => Platform::Douyin,
            _ => return None,
        };
        Some(p)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ready-to-send reply of a playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Phrase {
    /// Short quick code typed to find it (like 千牛's phrase codes), e.g. `cfh1`.
    pub code: String,
    /// The reply text; may contain placeholders such as `{{买家}}`.
    pub text: String,
    /// When to use it.
    pub when: String,
}

impl Phrase {
    /// The placeholder names (`买家`, `订单号` …) in order of first appearance.
    pub fn placeholders(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut rest = self.text.as_str();
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            let name = after[..end].trim().to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
            rest = &after[end + 2..];
        }
        out
    }
}

/// Case-specific metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct CaseMeta {
    /// The platform the case happened on.
    pub platform: Option<Platform>,
    /// How it ended (free text, e.g. 买家撤销投诉).
    pub outcome: Option<String>,
}

/// Rule-specific metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// The platform the rule belongs to (`None` only when the file is invalid; `law` rules use
    /// `platforms: []` and the platform field `law` is mapped to `None` with `is_law`).
    pub platform: Option<Platform>,
    /// True for PRC laws and regulations, which apply on every platform.
    pub is_law: bool,
    /// Since when the rule applies.
    pub effective: Option<NaiveDate>,
    /// URL or document name the rule was taken from.
    pub source: Option<String>,
    /// When a person last checked the note against its source.
    pub reviewed: Option<NaiveDate>,
    /// How often it must be re-checked.
    pub review_every_days: Option<u32>,
}

impl RuleMeta {
    /// The date after which the rule note needs a new review, if it has a review cycle.
    pub fn review_due(&self) -> Option<NaiveDate> {
        let reviewed = self.reviewed?;
        let days = self.review_every_days?;
        reviewed.checked_add_days(chrono::Days::new(u64::from(days)))
    }

    /// True when `today` is past the review date (shown as 待复核).
    pub fn needs_review(&self, today: NaiveDate) -> bool {
        self.review_due().is_some_and(|due| today > due)
    }
}

/// A `[[id]]` reference from one document to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The target id.
    pub target: String,
    /// The label after `|`, if any.
    pub label: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
}

/// One loaded Markdown document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Unique id (front matter `id`, or the path without `.md`).
    pub id: String,
    /// What the document is.
    pub kind: Kind,
    /// The title.
    pub title: String,
    /// Path relative to the content root, with `/` separators.
    pub path: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Platforms it applies to; empty means all.
    pub platforms: Vec<Platform>,
    /// Extra search terms.
    pub aliases: Vec<String>,
    /// Who wrote it.
    pub author: Option<String>,
    /// Last substantive update.
    pub updated: Option<NaiveDate>,
    /// When it was first written (`created:`), if recorded.
    pub created: Option<NaiveDate>,
    /// Reply phrases (playbooks only).
    pub phrases: Vec<Phrase>,
    /// Case metadata (cases only).
    pub case: Option<CaseMeta>,
    /// Rule metadata (rules only).
    pub rule: Option<RuleMeta>,
    /// The drill (drills only).
    pub drill: Option<crate::drill::Drill>,
    /// Searchable text from front-matter fields (a drill's messages and replies).
    pub extra_text: String,
    /// The Markdown body.
    pub body: String,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
    /// `[[id]]` links in the body.
    pub links: Vec<Link>,
    /// Hash of the file's bytes; changes when the file changes.
    pub fingerprint: u64,
}

impl Document {
    /// True when the document applies on `p` (it lists `p`, or lists no platform at all).
    pub fn applies_to(&self, p: Platform) -> bool {
        self.platforms.is_empty() || self.platforms.contains(&p)
    }
}

/// How serious a [`Problem`](super::Problem) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Must be fixed; `kefu check` exits 1.
    Error,
    /// Worth fixing; the file still loaded.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD` and `YYYY年M月D日`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // chrono's `%Y` also takes a sign (`-2026-01-01`, `+2026…`); a date here starts with its year.
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Problem, ProblemCode};

    #[test]
    fn platforms_parse_codes_and_chinese_names() {
        assert_eq!(Platform::parse("拼多多"), Some(Platform::Pdd));
        assert_eq!(Platform::parse("PDD"), Some(Platform::Pdd));
        assert_eq!(Platform::parse("抖店"), Some(Platform::Douyin));
        assert_eq!(Platform::parse("amazon"), None);
    }

    #[test]
    fn kinds_parse_english_and_chinese() {
        assert_eq!(Kind::parse("Rule"), Some(Kind::Rule));
        assert_eq!(Kind::parse("话术"), Some(Kind::Playbook));
        assert_eq!(Kind::parse("faq"), None);
    }

    #[test]
    fn placeholders_are_listed_once_in_order() {
        let p = Phrase {
            code: "x".into(),
            text: "{{买家}}您好，订单{{订单号}}已发出，{{买家}}请留意".into(),
            when: String::new(),
        };
        assert_eq!(
            p.placeholders(),
            vec!["买家".to_string(), "订单号".to_string()]
        );
    }

    #[test]
    fn review_due_is_reviewed_plus_cycle() {
        let r = RuleMeta {
            reviewed: parse_date("2026-01-01"),
            review_every_days: Some(30),
            ..RuleMeta::default()
        };
        assert_eq!(r.review_due(), parse_date("2026-01-31"));
        assert!(!r.needs_review(parse_date("2026-01-31").unwrap_or_default()));
        assert!(r.needs_review(parse_date("2026-02-01").unwrap_or_default()));
    }

    #[test]
    fn dates_accept_common_chinese_forms() {
        assert_eq!(parse_date("2025年3月15日"), parse_date("2025-03-15"));
        assert_eq!(parse_date("2025/3/15"), parse_date("2025-03-15"));
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("-2026-01-01"), None, "a sign is not a year");
        assert_eq!(parse_date("+2026-01-01"), None);
    }

    #[test]
    fn problems_print_like_a_compiler() {
        let p =
            Problem::error("rules/a.md", 3, ProblemCode::UnknownPlatform).arg("value", "amazon");
        assert_eq!(
            p.to_string(),
            "rules/a.md:3: error: unknown platform `amazon` (hint: use taobao, tmall, pdd, jd, vip, douyin (or 淘宝, 天猫, 拼多多, 京东, 唯品会, 抖音))"
        );
    }
}
