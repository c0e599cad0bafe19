//! The new-case template and the warnings for its prompts left in a published case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::yaml_lines::yaml_scalar;
use crate::content::{self, Document, Kind, Problem, ProblemCode};

/// An editor buffer for a document that is not saved yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Draft {
    /// What it will be.
    pub kind: Kind,
    /// The text to start from.
    pub text: String,
}

/// The sections of a case write-up, in order.
pub const CASE_SECTIONS: &[&str] = &[
    "情况",
    "客户情绪",
    "处理过程",
    "关键话术",
    "引用规则",
    "结果",
    "心得",
];

/// A new case: front matter for the form and the seven sections with short prompts.
/// The title is left empty for the author to fill in.
pub fn case_template(author: Option<&str>, today: NaiveDate) -> String {
    let author = author
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(yaml_scalar)
        .unwrap_or_default();
    format!(
        "---\nkind: case\ntitle: \nplatform: \noutcome: \ntags: []\nauthor: {author}\ncreated: {today}\nupdated: {today}\n---\n\
## 情况\n什么平台、什么商品、买家遇到了什么问题；订单数、金额、时间点等关键事实。\n\n\
## 客户情绪\n> 买家：把买家的原话贴在这里，一行一条（“生成练习”会把它们变成练习题）\n\n\
## 处理过程\n1. 第一步做了什么、为什么\n2. \n\n\
## 关键话术\n- “最管用的一句回复，原话照写”\n\n\
## 引用规则\n- 用双中括号写规则的 id 链接过去，例如 rules/ 下的文件名\n\n\
## 结果\n结果如何，尽量用数字：和解与否、退款几单、评分变化。\n\n\
## 心得\n- 下次遇到同类问题，先做什么\n"
    )
}

/// Warnings for the template's prompt lines left unchanged in a case ("发布案例" fills the
/// sections with short prompts that are meant to be replaced).
pub fn template_leftovers(doc: &Document) -> Vec<Problem> {
    if doc.kind != Kind::Case {
        return Vec::new();
    }
    let prompts: Vec<&str> = content::body_of(&BLANK_TEMPLATE)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("## ") && l.chars().count() > 4)
        .collect();
    doc.body
        .lines()
        .enumerate()
        .filter(|(_, l)| prompts.contains(&l.trim()))
        .map(|(i, _)| {
            Problem::warning(
                &doc.path,
                doc.body_line + i,
                ProblemCode::TemplatePromptUnchanged,
            )
        })
        .collect()
}

/// A template prompt left in place (the author did not replace it).
pub(super) fn is_template_prompt(s: &str) -> bool {
    BLANK_TEMPLATE.contains(s.trim())
}

/// The case template without author and dates, built once: its prompt lines are compared with
/// every case on each load.
pub(super) static BLANK_TEMPLATE: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| case_template(None, NaiveDate::MIN));
