//! Rule freshness (待复核): rules past their review date, and documents that rely on a rule
//! changed after they were last updated.
//!
//! Both are computed from the files alone (front matter dates and `[[links]]`), so every copy of
//! a shared knowledge base flags the same documents, whoever pulled the change.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::{Document, Kind, Problem, ProblemCode};

/// Why a document is listed under 待复核.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[ts(export)]
pub enum ReviewReason {
    /// A rule whose review date (`reviewed` + `review_every_days`) has passed.
    RuleOverdue {
        /// `YYYY-MM-DD` the review was due.
        due: String,
    },
    /// The document links to a rule that was updated after the document was.
    RuleChanged {
        /// The rule's id.
        rule_id: String,
        /// The rule's title.
        rule_title: String,
        /// `YYYY-MM-DD` of the rule's `updated:`.
        rule_updated: String,
        /// `YYYY-MM-DD` of the document's `updated:` (`None`: never recorded).
        doc_updated: Option<String>,
        /// 1-based line of the first reference to the rule in the document.
        line: usize,
    },
}

/// A document that needs a look, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewItem {
    /// Document id.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Path relative to the content folder.
    pub path: String,
    /// Why (at least one).
    pub reasons: Vec<ReviewReason>,
}

/// Every rule a document relies on, with the line of the first reference: `[[links]]` in the
/// body and, for drills, the `rule:` of rubric facts.
fn rule_refs(doc: &Document) -> Vec<(&str, usize)> {
    let mut out: Vec<(&str, usize)> = Vec::new();
    for l in &doc.links {
        if !out.iter().any(|(t, _)| *t == l.target) {
            out.push((&l.target, l.line));
        }
    }
    if let Some(drill) = &doc.drill {
        for f in &drill.rubric.facts {
            if let Some(r) = f.rule.as_deref()
                && !out.iter().any(|(t, _)| *t == r)
            {
                out.push((r, drill.rubric_line));
            }
        }
    }
    out
}

/// The review reasons of every document that has any, by id.
pub fn compute<'a>(docs: impl Iterator<Item = &'a Document> + Clone, today: NaiveDate) -> Reasons {
    let rules: HashMap<&str, &Document> = docs
        .clone()
        .filter(|d| d.kind == Kind::Rule)
        .map(|d| (d.id.as_str(), d))
        .collect();
    let mut out: BTreeMap<String, Vec<ReviewReason>> = BTreeMap::new();
    for d in docs {
        let mut reasons = Vec::new();
        if let Some(r) = &d.rule
            && r.needs_review(today)
            && let Some(due) = r.review_due()
        {
            reasons.push(ReviewReason::RuleOverdue {
                due: due.to_string(),
            });
        }
        for (target, line) in rule_refs(d) {
            let Some(rule) = rules.get(target) else {
                continue;
            };
            if rule.id == d.id {
                continue;
            }
            let Some(changed) = rule.updated else {
                continue;
            };
            if d.updated.is_none_or(|u| u < changed) {
                reasons.push(ReviewReason::RuleChanged {
                    rule_id: rule.id.clone(),
                    rule_title: rule.title.clone(),
                    rule_updated: changed.to_string(),
                    doc_updated: d.updated.map(|u| u.to_string()),
                    line,
                });
            }
        }
        if !reasons.is_empty() {
            out.insert(d.id.clone(), reasons);
        }
    }
    out
}

/// The reasons by id, as [`compute`] returns them.
pub type Reasons = BTreeMap<String, Vec<ReviewReason>>;

/// `kefu check` warnings for the review reasons of `docs`.
pub fn problems(docs: &[Document], today: NaiveDate) -> Vec<Problem> {
    problems_from(docs, &compute(docs.iter(), today))
}

/// `kefu check` warnings for reasons already computed for `docs`.
pub fn problems_from(docs: &[Document], reasons: &Reasons) -> Vec<Problem> {
    let by_id: HashMap<&str, &Document> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut out = Vec::new();
    for (id, reasons) in reasons {
        let Some(doc) = by_id.get(id.as_str()) else {
            continue;
        };
        for r in reasons.iter().cloned() {
            out.push(match r {
                ReviewReason::RuleOverdue { due } => {
                    Problem::warning(&doc.path, 1, ProblemCode::RuleReviewOverdue).arg("due", due)
                }
                ReviewReason::RuleChanged {
                    rule_id,
                    rule_updated,
                    doc_updated,
                    line,
                    ..
                } => Problem::warning(&doc.path, line, ProblemCode::RuleChangedSince)
                    .arg("rule", rule_id)
                    .arg("rule_updated", rule_updated)
                    .arg(
                        "doc_updated",
                        doc_updated.as_deref().unwrap_or("no `updated:` date"),
                    ),
            });
        }
    }
    out
}

/// The 待复核 list: every document with a reason, rules first, then by title.
pub fn items<'a>(
    docs: impl Iterator<Item = &'a Document> + Clone,
    today: NaiveDate,
) -> Vec<ReviewItem> {
    items_from(docs.clone(), &compute(docs, today))
}

/// The 待复核 list from reasons already computed for `docs`.
pub fn items_from<'a>(
    docs: impl Iterator<Item = &'a Document>,
    reasons: &Reasons,
) -> Vec<ReviewItem> {
    let mut out: Vec<ReviewItem> = docs
        .filter_map(|d| {
            reasons.get(&d.id).map(|r| ReviewItem {
                id: d.id.clone(),
                kind: d.kind,
                title: d.title.clone(),
                path: d.path.clone(),
                reasons: r.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.kind == Kind::Rule)
            .cmp(&(a.kind == Kind::Rule))
            .then_with(|| a.title.cmp(&b.title))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_file_text;

    fn doc(path: &str, text: &str) -> Document {
        let (d, problems) = load_file_text(path, text.as_bytes());
        d.unwrap_or_else(|| panic!("{path} loads: {problems:?}"))
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn documents_older_than_a_changed_rule_are_flagged_and_newer_ones_are_not() {
        let rule = doc(
            "rules/r.md",
            "---\nkind: rule\ntitle: 七天无理由\nsource: 法规\nupdated: 2026-11-01\nreviewed: 2026-11-01\nreview_every_days: 365\n---\n正文\n",
        );
        let old = doc(
            "playbooks/old.md",
            "---\nkind: playbook\ntitle: 旧话术\nupdated: 2026-10-01\n---\n第一行\n见 [[rules/r]]\n",
        );
        let fresh = doc(
            "playbooks/new.md",
            "---\nkind: playbook\ntitle: 新话术\nupdated: 2026-11-02\n---\n见 [[rules/r]]\n",
        );
        let undated = doc(
            "cases/c.md",
            "---\nkind: case\ntitle: 案例\n---\n见 [[rules/r]]\n",
        );
        let unrelated = doc(
            "playbooks/u.md",
            "---\nkind: playbook\ntitle: 无关\nupdated: 2020-01-01\n---\n正文\n",
        );
        let docs = vec![rule, old, fresh, undated, unrelated];
        let got = compute(docs.iter(), date("2026-11-24"));
        let ids: Vec<&str> = got.keys().map(String::as_str).collect();
        assert_eq!(ids, ["cases/c", "playbooks/old"]);
        match &got["playbooks/old"][0] {
            ReviewReason::RuleChanged {
                rule_id,
                rule_updated,
                doc_updated,
                line,
                ..
            } => {
                assert_eq!(rule_id, "rules/r");
                assert_eq!(rule_updated, "2026-11-01");
                assert_eq!(doc_updated.as_deref(), Some("2026-10-01"));
                assert_eq!(*line, 7, "the line of the link in the file");
            }
            other => panic!("unexpected {other:?}"),
        }
        let warnings = problems(&docs, date("2026-11-24"));
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].to_string().contains("待复核"));
    }

    #[test]
    fn overdue_rules_come_first_in_the_list() {
        let rule = doc(
            "rules/r.md",
            "---\nkind: rule\ntitle: 规则\nsource: 法规\nreviewed: 2025-01-01\nreview_every_days: 90\nupdated: 2025-01-01\n---\n正文\n",
        );
        let pb = doc(
            "playbooks/a.md",
            "---\nkind: playbook\ntitle: 话术\nupdated: 2024-01-01\n---\n见 [[rules/r]]\n",
        );
        let list = items([pb, rule].iter(), date("2026-11-24"));
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, "rules/r");
        assert_eq!(
            list[0].reasons,
            vec![ReviewReason::RuleOverdue {
                due: "2025-04-01".into()
            }]
        );
        assert!(matches!(
            list[1].reasons[0],
            ReviewReason::RuleChanged { .. }
        ));
        // Before the review date nothing about the rule itself is due.
        let list = items(
            [doc(
                "rules/r.md",
                "---\nkind: rule\ntitle: 规则\nsource: 法规\nreviewed: 2026-11-01\nreview_every_days: 90\n---\n正文\n",
            )]
            .iter(),
            date("2026-11-24"),
        );
        assert!(list.is_empty());
    }
}
