//! Which column is what: the header row found among the first rows by the names teams give
//! their columns (分组, 编码/快捷编码, 标题, 内容/短语, 标签 and their variants), or, without a
//! header, by what the cells look like. The user confirms or changes the guess in the preview.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::table::{Row, Table};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ColumnRole {
    /// The phrase's group (one playbook per group). Several group columns (一级/二级分组)
    /// are joined with ` / `.
    Group,
    /// The quick code typed to find the phrase.
    Code,
    /// A short title: becomes the phrase's `when`.
    Title,
    /// The phrase text itself (exactly one column).
    Content,
    /// Tags or keywords: become the playbook's tags.
    Tags,
    /// Not imported.
    Ignore,
}

/// Header names, compared after removing spaces, brackets and case. Longer, more specific
/// names are tried first so that 短语内容 is content and 短语分组 is group.
const NAMES: &[(ColumnRole, &[&str])] = &[
    (
        ColumnRole::Group,
        &[
            "分组",
            "分组名",
            "分组名称",
            "组名",
            "组",
            "分类",
            "类别",
            "类目",
            "目录",
            "一级分组",
            "二级分组",
            "三级分组",
            "一级分类",
            "二级分类",
            "短语分组",
            "话术分组",
            "分组路径",
            "group",
            "category",
            "folder",
        ],
    ),
    (
        ColumnRole::Code,
        &[
            "编码",
            "快捷编码",
            "快捷码",
            "快捷键",
            "快捷短语编码",
            "短语编码",
            "缩写",
            "短码",
            "代码",
            "触发码",
            "快捷词",
            "code",
            "shortcut",
            "abbr",
            "abbreviation",
            "key",
        ],
    ),
    (
        ColumnRole::Title,
        &[
            "标题",
            "短语标题",
            "话术标题",
            "名称",
            "短语名称",
            "主题",
            "场景",
            "问题",
            "title",
            "name",
            "subject",
            "question",
        ],
    ),
    (
        ColumnRole::Content,
        &[
            "内容",
            "短语",
            "短语内容",
            "话术",
            "话术内容",
            "回复",
            "回复内容",
            "快捷短语",
            "文本",
            "正文",
            "答案",
            "回答",
            "content",
            "text",
            "reply",
            "answer",
            "phrase",
            "body",
        ],
    ),
    (
        ColumnRole::Tags,
        &[
            "标签",
            "关键词",
            "关键字",
            "tag",
            "tags",
            "keyword",
            "keywords",
        ],
    ),
];

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '(' | ')'
                        | '（'
                        | '）'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '*'
                        | ':'
                        | '：'
                        | '_'
                        | '-'
                )
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The role a header names, if any.
pub fn role_of_header(header: &str) -> Option<ColumnRole> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    NAMES
        .iter()
        .find(|(_, names)| names.iter().any(|n| *n == h))
        .map(|(r, _)| *r)
        .or_else(|| {
            // 客服短语内容, 回复内容(必填): a known name inside a longer header (not a sentence
            // such as a title row's "快捷短语导出 2024-05-01").
            if h.chars().count() > 10 {
                return None;
            }
            NAMES
                .iter()
                .flat_map(|(r, names)| names.iter().map(move |n| (*r, *n)))
                .filter(|(_, n)| n.chars().count() >= 2 && h.contains(n))
                .max_by_key(|(_, n)| n.chars().count())
                .map(|(r, _)| r)
        })
}

/// The guess: the header row's index in `table.rows` (if any) and one role per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    /// Index into `table.rows` of the header row.
    pub header: Option<usize>,
    /// One role per column.
    pub roles: Vec<ColumnRole>,
}

/// Finds the header among the first ten non-empty rows (a title row such as "快捷短语导出
/// 2024-05-01" may come first): the row naming the most known roles, if it names a content
/// column or at least two roles. Without one, roles are guessed from the data.
pub fn guess(table: &Table) -> Guess {
    let width = table.width();
    let mut best: Option<(usize, Vec<Option<ColumnRole>>, usize)> = None;
    for (i, row) in table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.cells.iter().any(|c| !c.is_empty()))
        .take(10)
    {
        let roles: Vec<Option<ColumnRole>> = (0..width)
            .map(|c| row.cells.get(c).and_then(|h| role_of_header(h)))
            .collect();
        let known = roles.iter().flatten().count();
        let content = roles.contains(&Some(ColumnRole::Content));
        if (content || known >= 2) && best.as_ref().is_none_or(|(_, _, k)| known > *k) {
            best = Some((i, roles, known));
        }
    }
    let Some((i, roles, _)) = best else {
        return Guess {
            header: None,
            roles: guess_from_data(&table.rows, width),
        };
    };
    let content = roles.contains(&Some(ColumnRole::Content));
    let mut roles: Vec<ColumnRole> = roles
        .into_iter()
        .map(|r| r.unwrap_or(ColumnRole::Ignore))
        .collect();
    if !content {
        // 标题 + 编码 but no 内容: the longest unnamed column is the content.
        if let Some(c) = longest_column(&table.rows[i + 1..], width, &roles) {
            roles[c] = ColumnRole::Content;
        }
    }
    one_of(&mut roles, ColumnRole::Content);
    one_of(&mut roles, ColumnRole::Code);
    one_of(&mut roles, ColumnRole::Title);
    Guess {
        header: Some(i),
        roles,
    }
}

/// Keeps only the first column of `role` (two 内容 columns: the second is ignored).
fn one_of(roles: &mut [ColumnRole], role: ColumnRole) {
    let mut seen = false;
    for r in roles.iter_mut().filter(|r| **r == role) {
        if seen {
            *r = ColumnRole::Ignore;
        }
        seen = true;
    }
}

fn non_empty(rows: &[Row], c: usize) -> impl Iterator<Item = &str> {
    rows.iter()
        .filter_map(move |r| r.cells.get(c).map(String::as_str))
        .filter(|s| !s.is_empty())
}

fn mean_chars(rows: &[Row], c: usize) -> f64 {
    let (n, total) =
        non_empty(rows, c).fold((0usize, 0usize), |(n, t), s| (n + 1, t + s.chars().count()));
    if n == 0 { 0.0 } else { total as f64 / n as f64 }
}

fn longest_column(rows: &[Row], width: usize, roles: &[ColumnRole]) -> Option<usize> {
    (0..width)
        .filter(|c| roles.get(*c) == Some(&ColumnRole::Ignore))
        .filter(|c| non_empty(rows, *c).next().is_some())
        .max_by(|a, b| mean_chars(rows, *a).total_cmp(&mean_chars(rows, *b)))
}

/// Without a header: the column with the longest texts is the content; a column of short
/// ASCII tokens, mostly distinct, is the code; a column of a few values repeated down the rows is
/// the group.
fn guess_from_data(rows: &[Row], width: usize) -> Vec<ColumnRole> {
    let mut roles = vec![ColumnRole::Ignore; width];
    let sample = &rows[..rows.len().min(500)];
    let Some(content) = longest_column(sample, width, &roles) else {
        return roles;
    };
    roles[content] = ColumnRole::Content;
    let mut code_taken = false;
    let mut group_taken = false;
    for (c, role) in roles.iter_mut().enumerate() {
        if c == content {
            continue;
        }
        let values: Vec<&str> = non_empty(sample, c).collect();
        if values.is_empty() {
            continue;
        }
        let mut distinct = values.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let short_ascii = values
            .iter()
            .all(|v| v.chars().count() <= 12 && v.chars().all(|ch| ch.is_ascii_graphic()));
        if !code_taken && short_ascii && distinct.len() * 10 >= values.len() * 9 {
            *role = ColumnRole::Code;
            code_taken = true;
        } else if !group_taken && values.len() >= 4 && distinct.len() * 2 <= values.len() {
            *role = ColumnRole::Group;
            group_taken = true;
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            format: super::super::table::SourceFormat::Csv,
            encoding: None,
            sheets: Vec::new(),
            sheet: None,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    line: i + 1,
                    cells: r.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn header_names_and_their_variants() {
        use ColumnRole::*;
        for (h, r) in [
            ("分组", Some(Group)),
            ("一级分组", Some(Group)),
            ("快捷编码", Some(Code)),
            ("快捷短语编码", Some(Code)),
            ("短语内容", Some(Content)),
            ("回复内容（必填）", Some(Content)),
            ("Content", Some(Content)),
            (" 标 签 ", Some(Tags)),
            ("短语标题", Some(Title)),
            ("创建时间", None),
            ("快捷短语导出（店铺短语） 导出时间：2026-11-28", None),
            ("", None),
        ] {
            assert_eq!(role_of_header(h), r, "{h}");
        }
    }

    #[test]
    fn the_header_may_follow_a_title_row() {
        let t = table(&[
            &["快捷短语导出 2024-05-01"],
            &[],
            &["分组名称", "快捷编码", "短语内容", "创建时间"],
            &["售后", "sh1", "亲，您好", "2024-01-01"],
        ]);
        let g = guess(&t);
        assert_eq!(g.header, Some(2));
        use ColumnRole::*;
        assert_eq!(g.roles, vec![Group, Code, Content, Ignore]);
    }

    #[test]
    fn without_a_content_header_the_longest_column_is_content() {
        let t = table(&[
            &["标题", "编码", "备注"],
            &["催发货", "cfh", "亲，已经帮您催仓库了，今天一定发出"],
        ]);
        use ColumnRole::*;
        assert_eq!(guess(&t).roles, vec![Title, Code, Content]);
    }

    #[test]
    fn without_any_header_roles_come_from_the_data() {
        let t = table(&[
            &["售前", "a1", "亲，在的，请问有什么可以帮您"],
            &["售前", "a2", "亲，这款现货，今天下单今天发"],
            &["售后", "b1", "亲，非常抱歉给您带来不便"],
            &["售后", "b2", "亲，麻烦拍一下破损的照片给我"],
        ]);
        let g = guess(&t);
        assert_eq!(g.header, None);
        use ColumnRole::*;
        assert_eq!(g.roles, vec![Group, Code, Content]);
    }
}
