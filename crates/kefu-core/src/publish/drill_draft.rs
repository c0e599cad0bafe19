//! "生成练习": reading a case write-up (customer messages, key replies, mood) into a drill draft.

use chrono::NaiveDate;

use super::template::{Draft, is_template_prompt};
use super::yaml_lines::{yaml_list, yaml_scalar};
use crate::content::Document;
use crate::content::Kind;

/// The sections of a Markdown body by `## ` heading: (heading, text).
pub(super) fn sections(body: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.trim().to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Text inside Chinese or ASCII double quotes, in order.
pub(super) fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for c in text.chars() {
        match (c, current.as_mut()) {
            ('“', None) => current = Some(String::new()),
            ('”', Some(_)) => {
                if let Some(q) = current.take().filter(|q| !q.trim().is_empty()) {
                    out.push(q.trim().to_string());
                }
            }
            (c, Some(q)) => q.push(c),
            _ => {}
        }
    }
    out
}

/// Strips a speaker label such as `买家：`.
pub(super) fn strip_speaker(s: &str) -> &str {
    for label in ["买家", "顾客", "客户", "客人", "用户"] {
        if let Some(rest) = s.strip_prefix(label) {
            let rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':')) {
                return r.trim();
            }
        }
    }
    s.trim()
}

/// The customer's messages in a case: `> ` quote lines under 情况 / 客户情绪 (speaker labels
/// removed), else text in quotes attributed to the buyer in those sections.
pub fn customer_messages(case_body: &str) -> Vec<String> {
    let secs = sections(case_body);
    let relevant: Vec<&str> = secs
        .iter()
        .filter(|(h, _)| h.contains("情况") || h.contains("情绪") || h.contains("买家"))
        .map(|(_, t)| t.as_str())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for t in &relevant {
        for line in t.lines() {
            if let Some(q) = line.trim_start().strip_prefix('>') {
                let m = strip_speaker(q.trim());
                if !m.is_empty() && !is_template_prompt(m) && !out.iter().any(|o| o == m) {
                    out.push(m.to_string());
                }
            }
        }
    }
    if out.is_empty() {
        for t in &relevant {
            for q in quoted(t) {
                if !is_template_prompt(&q) && !out.contains(&q) {
                    out.push(q);
                }
            }
        }
    }
    out
}

/// The key replies of a case: list items under 关键话术, taking the quoted text when there is
/// one; items that only point elsewhere (`见 [[…]]`) are skipped.
pub fn key_phrases(case_body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (h, text) in sections(case_body) {
        if !h.contains("话术") {
            continue;
        }
        for line in text.lines() {
            let t = line.trim_start();
            let Some(item) = t
                .strip_prefix("- ")
                .or_else(|| t.strip_prefix("* "))
                .or_else(|| t.strip_prefix("> "))
            else {
                continue;
            };
            let q = quoted(item);
            let phrases = if q.is_empty() {
                let after = item.split_once('：').map_or(item, |(_, rest)| rest).trim();
                if after.contains("[[") || after.chars().count() < 6 {
                    Vec::new()
                } else {
                    vec![after.to_string()]
                }
            } else {
                q
            };
            for p in phrases {
                if !is_template_prompt(&p) && !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The drill category a case most likely trains, from its title and tags.
pub(super) fn guess_category(doc: &Document) -> &'static str {
    let hay = format!("{} {}", doc.title, doc.tags.join(" "));
    let table: &[(&[&str], &str)] = &[
        (&["差评", "评价"], "差评挽回"),
        (&["地址"], "修改地址"),
        (&["退货"], "退货退款"),
        (&["退款"], "退款"),
        (&["物流", "快递", "丢件", "破损"], "物流异常"),
        (&["发货", "催单", "缺货"], "催发货"),
        (&["质量", "售后"], "售后质量"),
        (&["投诉", "纠纷", "介入", "愤怒"], "安抚投诉"),
    ];
    table
        .iter()
        .find(|(words, _)| words.iter().any(|w| hay.contains(w)))
        .map_or("安抚投诉", |(_, c)| c)
}

/// The customer's mood as a drill persona, from the 客户情绪 section.
pub(super) fn guess_persona(case_body: &str) -> &'static str {
    let mood: String = sections(case_body)
        .into_iter()
        .filter(|(h, _)| h.contains("情绪"))
        .map(|(_, t)| t)
        .collect();
    if ["愤怒", "生气", "骂", "投诉", "火大", "气愤"]
        .iter()
        .any(|w| mood.contains(w))
    {
        "愤怒"
    } else if ["着急", "急", "催"].iter().any(|w| mood.contains(w)) {
        "着急"
    } else if ["犹豫", "纠结", "不确定"].iter().any(|w| mood.contains(w)) {
        "犹豫"
    } else {
        "平和"
    }
}

/// "生成练习": a drill draft from a case — the customer's messages as the prompt, the key
/// phrases as reference replies, the case linked from the body. Placeholders remain where the
/// case has nothing to offer, so validation points the author at them.
pub fn drill_from_case(case: &Document, author: Option<&str>, today: NaiveDate) -> Draft {
    let customer = customer_messages(&case.body);
    let references = key_phrases(&case.body);
    let platforms = case
        .case
        .as_ref()
        .and_then(|c| c.platform)
        .or_else(|| case.platforms.first().copied())
        .map(|p| format!("[{}]", p.as_str()))
        .unwrap_or_else(|| "[]".into());
    let customer = if customer.is_empty() {
        "  - \"\"   # 买家的原话：案例里没有找到引用（> 买家：…），请补上\n".to_string()
    } else {
        yaml_list(&customer)
    };
    let references = if references.is_empty() {
        "  - \"\"   # 好回复：案例的“关键话术”里没有找到，请补上\n".to_string()
    } else {
        yaml_list(&references)
    };
    let mut tags = case.tags.clone();
    tags.push("案例改编".into());
    let tags: Vec<String> = tags.iter().map(|t| yaml_scalar(t)).collect();
    let author = author
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(yaml_scalar)
        .unwrap_or_default();
    let text = format!(
        "---\nkind: drill\ntitle: {title}\ncategory: {category}\nplatforms: {platforms}\ndifficulty: 4\npersona: {persona}\ntime_limit_s: 120\nallow_paste: false\ntags: [{tags}]\ncustomer:\n{customer}references:\n{references}poor: []\nrubric:\n  elements: [称呼, 共情, 具体动作, 跟进承诺]\nauthor: {author}\ncreated: {today}\nupdated: {today}\n---\n训练要点：改编自案例 [[{id}]]。\n",
        title = yaml_scalar(&format!("{}（案例练习）", case.title)),
        category = guess_category(case),
        persona = guess_persona(&case.body),
        tags = tags.join(", "),
        id = case.id,
    );
    Draft {
        kind: Kind::Drill,
        text,
    }
}
