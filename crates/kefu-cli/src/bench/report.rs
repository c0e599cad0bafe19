//! The one table `kefu bench` prints, with the machine it ran on.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::metrics::{Latency, Scores};
use super::relevance::Relevance;
use super::{BenchResult, SizeRun, SystemRun};

/// Figures of the desktop app, written by `tests/desktop/bench.mjs`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AppFigures {
    /// Documents in the content folder the app opened.
    pub(crate) docs: Option<usize>,
    /// Process start → first search result painted, ms (median of runs).
    pub(crate) cold_start_ms: Option<f64>,
    /// Resident memory of the app process after start-up and a few searches, idle, MB.
    pub(crate) idle_rss_mb: Option<f64>,
    /// Same, including the WebKit web and network processes, MB.
    pub(crate) idle_rss_total_mb: Option<f64>,
    /// Key press → results painted in the window, ms.
    pub(crate) keystroke_p50_ms: Option<f64>,
    pub(crate) keystroke_p95_ms: Option<f64>,
    /// How it was measured.
    pub(crate) note: Option<String>,
}

impl AppFigures {
    pub(crate) fn load(path: &Path) -> BenchResult<AppFigures> {
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

const COLUMNS: [&str; 5] = [
    "Kefu",
    "FTS5 trigram",
    "FTS5 unicode61",
    "FTS5 jieba",
    "brute force",
];

/// The machine, from /proc and /etc/os-release.
pub(crate) fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.into());
    let kernel = read("/proc/sys/kernel/osrelease");
    format!(
        "{cpu}, {threads} logical CPUs, {mem_gib:.1} GiB RAM, {os}, Linux {}",
        kernel.trim()
    )
}

fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds with sensible precision.
fn ms(x: f64) -> String {
    if x < 1.0 {
        format!("{x:.3}")
    } else if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        thousands(x)
    }
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map_or_else(|| "—".to_string(), f)
}

fn system<'a>(size: &'a SizeRun, name: &str) -> Option<&'a SystemRun> {
    size.systems.iter().find(|s| s.name == name)
}

/// Best FTS5 value of a figure (`lower` = lower is better).
fn best_fts(values: &[(String, Option<f64>)], lower: bool) -> Option<(String, f64)> {
    values
        .iter()
        .filter(|(n, _)| n.starts_with("FTS5"))
        .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
        .reduce(|a, b| {
            let better = if lower { b.1 < a.1 } else { b.1 > a.1 };
            if better { b } else { a }
        })
}

struct Row {
    figure: String,
    size: String,
    values: Vec<(String, Option<f64>)>,
    fmt: fn(f64) -> String,
    lower_is_better: bool,
    target: String,
    met: Option<bool>,
}

impl Row {
    fn render(&self, out: &mut String) {
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| {
                opt(
                    self.values
                        .iter()
                        .find(|(n, _)| n == c)
                        .and_then(|(_, v)| *v),
                    self.fmt,
                )
            })
            .collect();
        let kefu = self
            .values
            .iter()
            .find(|(n, _)| n == "Kefu")
            .and_then(|(_, v)| *v);
        let factor = |b: f64| {
            if self.lower_is_better {
                kefu.map(|k| b / k)
            } else {
                kefu.map(|k| k / b)
            }
        };
        let jieba = self
            .values
            .iter()
            .find(|(n, _)| n == "FTS5 jieba")
            .and_then(|(_, v)| *v)
            .filter(|b| *b > 0.0 && kefu.is_some_and(|k| k > 0.0))
            .and_then(factor)
            .map_or_else(|| "—".to_string(), |r| format!("{r:.2}×"));
        let ratio = match best_fts(&self.values, self.lower_is_better) {
            Some((name, b)) if b > 0.0 && kefu.is_some_and(|k| k > 0.0) => factor(b).map_or_else(
                || "—".to_string(),
                |r| format!("{r:.2}× ({})", name.trim_start_matches("FTS5 ")),
            ),
            _ => "—".into(),
        };
        let met = match self.met {
            Some(true) => " ✅",
            Some(false) => " ❌",
            None => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {jieba} | {ratio} | {}{met} |",
            self.figure,
            self.size,
            cells.join(" | "),
            self.target
        );
    }
}

fn size_label(n: usize) -> String {
    if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// Reads one metric out of [`Scores`].
type Metric = fn(&Scores) -> f64;

fn relevance_rows(rows: &mut Vec<Row>, set: &str, scores: &[(String, Scores)], mrr_target: f64) {
    let n = scores.first().map_or(0, |(_, s)| s.queries);
    let kefu_mrr = scores
        .iter()
        .find(|(s, _)| s == "Kefu")
        .map_or(0.0, |(_, s)| s.mrr);
    let best_fts_mrr = scores
        .iter()
        .filter(|(s, _)| s.starts_with("FTS5"))
        .map(|(_, s)| s.mrr)
        .fold(0.0, f64::max);
    let pick: [(&str, Metric); 3] = [
        ("MRR@10", |s| s.mrr),
        ("nDCG@10", |s| s.ndcg),
        ("Recall@10", |s| s.recall),
    ];
    for (i, (label, get)) in pick.into_iter().enumerate() {
        let (target, met) = if i == 0 && mrr_target > 0.0 {
            let above = if set.starts_with("AFQMC") {
                " and above every FTS5"
            } else {
                ""
            };
            let ok = kefu_mrr >= mrr_target && (above.is_empty() || kefu_mrr > best_fts_mrr);
            (format!("≥ {mrr_target}{above}"), Some(ok))
        } else {
            (String::new(), None)
        };
        rows.push(Row {
            figure: format!("{set}: {label}"),
            size: format!("{n} q"),
            values: scores
                .iter()
                .map(|(s, v)| (s.clone(), Some(get(v))))
                .collect(),
            fmt: |x| format!("{x:.3}"),
            lower_is_better: false,
            target,
            met,
        });
    }
}

/// Kefu by part (words, meaning, the agent-keyword path) beside the plain baselines, per set.
fn relevance_by_part(out: &mut String, rel: &Relevance) {
    let cols = [
        "Kefu",
        "Kefu words only",
        "Kefu meaning only",
        "Kefu typed path",
        "char BM25",
        "FTS5 jieba",
    ];
    let mut sets: Vec<(&str, &[(String, Scores)])> = Vec::new();
    if let Some(a) = &rel.afqmc {
        sets.push(("AFQMC FAQ", a));
    }
    sets.push(("shipped content", &rel.shipped));
    for (label, systems) in &rel.customer {
        sets.push((label, systems));
    }
    let _ = writeln!(
        out,
        "\nRelevance by part (MRR@10 / Recall@10; \"typed path\" is Kefu's agent-keyword search alone, as before messages were recognised):\n"
    );
    let _ = writeln!(out, "| set | {} |", cols.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(cols.len()));
    for (label, systems) in sets {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| {
                systems
                    .iter()
                    .find(|(n, _)| n == c)
                    .map_or("—".to_string(), |(_, s)| {
                        format!("{:.3} / {:.3}", s.mrr, s.recall)
                    })
            })
            .collect();
        let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
    }
    for (label, n, both) in &rel.multi_intent {
        let _ = writeln!(
            out,
            "\n{label}: {n} messages ask two things; both documents in Kefu's first three results for {both} of them."
        );
    }
    if let Some(f) = &rel.semantic {
        let _ = writeln!(
            out,
            "\nEncoder: model load {:.0} ms, resident memory +{}; shipped content {} pieces embedded in {:.1} s from an empty cache ({:.0} pieces/s, all cores).",
            f.load_ms,
            f.rss_mb.map_or("?".to_string(), |m| format!("{m:.0} MB")),
            f.shipped_units,
            f.shipped_embed_s,
            f.units_per_s
        );
        let lines = [
            (
                &f.score_latency,
                "Drill replies scored by meaning, encoder warm",
                "every reference and poor reply of the shipped drills",
                f.scored,
            ),
            (
                &f.written_latency,
                "… and as trainees write them",
                "both sides of the hard pairs, paraphrases and copies with a clause changed",
                f.written,
            ),
        ];
        for (latency, what, which, n) in lines {
            if let Some(l) = latency {
                let p95 = l.p95 / 1000.0;
                let _ = writeln!(
                    out,
                    "{what} ({n} replies: {which}): p50 {:.1} ms, p95 {p95:.1} ms (target ≤ 100 ms {}).",
                    l.p50 / 1000.0,
                    if p95 <= 100.0 { "✅" } else { "❌" }
                );
            }
        }
    } else {
        let _ = writeln!(
            out,
            "\nEncoder: no model file — matching by meaning was off in this run."
        );
    }
}

pub(crate) fn render(
    sizes: &[SizeRun],
    rel: &Relevance,
    app: Option<&AppFigures>,
    took: Duration,
) -> String {
    let mut rows: Vec<Row> = Vec::new();
    let largest = sizes.iter().map(|s| s.docs).max().unwrap_or(0);
    for s in sizes {
        let vals = |f: fn(&SystemRun) -> Option<f64>| -> Vec<(String, Option<f64>)> {
            s.systems.iter().map(|r| (r.name.clone(), f(r))).collect()
        };
        let kefu = system(s, "Kefu");
        let files = kefu.and_then(|k| k.files_docs_per_s);
        rows.push(Row {
            figure: "index: files → searchable (docs/s)".into(),
            size: size_label(s.docs),
            values: vals(|r| r.files_docs_per_s),
            fmt: thousands,
            lower_is_better: false,
            target: "≥ 5,000".into(),
            met: files.map(|f| f >= 5000.0),
        });
        rows.push(Row {
            figure: "results per query of the mix (page of 20)".into(),
            size: size_label(s.docs),
            values: vals(|r| r.mean_hits),
            fmt: |x| format!("{x:.1}"),
            lower_is_better: false,
            target: String::new(),
            met: None,
        });
        let build = kefu.and_then(|k| k.build_docs_per_s);
        rows.push(Row {
            figure: "index: parsed docs → committed index (docs/s)".into(),
            size: size_label(s.docs),
            values: vals(|r| r.build_docs_per_s),
            fmt: thousands,
            lower_is_better: false,
            target: "≥ 5,000".into(),
            met: build.map(|f| f >= 5000.0),
        });
        rows.push(Row {
            figure: "update one document + commit (ms)".into(),
            size: size_label(s.docs),
            values: vals(|r| r.update_ms),
            fmt: ms,
            lower_is_better: true,
            target: String::new(),
            met: None,
        });
        let p = |f: fn(&Latency) -> f64| {
            s.systems
                .iter()
                .map(|r| (r.name.clone(), r.latency.as_ref().map(|l| f(l) / 1000.0)))
                .collect::<Vec<_>>()
        };
        for (label, values) in [
            ("query p50 (ms)", p(|l| l.p50)),
            ("query p95 (ms)", p(|l| l.p95)),
            ("query p99 (ms)", p(|l| l.p99)),
        ] {
            let (target, met) = if label.contains("p99") && s.docs == largest {
                let k = values
                    .iter()
                    .find(|(n, _)| n == "Kefu")
                    .and_then(|(_, v)| *v);
                let jieba = values
                    .iter()
                    .find(|(n, _)| n == "FTS5 jieba")
                    .and_then(|(_, v)| *v);
                let ok = match (k, jieba) {
                    (Some(k), Some(b)) => Some(k <= 2.0 && b / k >= 5.0),
                    _ => None,
                };
                ("≤ 2 ms and ≥ 5× FTS5 jieba".to_string(), ok)
            } else {
                (String::new(), None)
            };
            rows.push(Row {
                figure: label.into(),
                size: size_label(s.docs),
                values,
                fmt: ms,
                lower_is_better: true,
                target,
                met,
            });
        }
    }
    for s in sizes {
        let Some(m) = &s.semantic else { continue };
        let kefu = |v: f64| vec![("Kefu".to_string(), Some(v))];
        let is_10k = s.docs == 10_000;
        rows.push(Row {
            figure: "pasted customer message → results, encoding included, p50 (ms)".into(),
            size: size_label(s.docs),
            values: kefu(m.message.p50 / 1000.0),
            fmt: ms,
            lower_is_better: true,
            target: String::new(),
            met: None,
        });
        rows.push(Row {
            figure: "pasted customer message → results, encoding included, p95 (ms)".into(),
            size: size_label(s.docs),
            values: kefu(m.message.p95 / 1000.0),
            fmt: ms,
            lower_is_better: true,
            target: if is_10k {
                "≤ 50".into()
            } else {
                String::new()
            },
            met: is_10k.then_some(m.message.p95 / 1000.0 <= 50.0),
        });
        for (label, v) in [("p50", m.encode.p50), ("p95", m.encode.p95)] {
            rows.push(Row {
                figure: format!("… of which encoding the cleaned message, {label} (ms)"),
                size: size_label(s.docs),
                values: kefu(v / 1000.0),
                fmt: ms,
                lower_is_better: true,
                target: String::new(),
                met: None,
            });
        }
        rows.push(Row {
            figure: "exact cosine scan over every content piece, p50 (ms)".into(),
            size: size_label(s.docs),
            values: kefu(m.scan.p50 / 1000.0),
            fmt: ms,
            lower_is_better: true,
            target: String::new(),
            met: None,
        });
    }
    if let Some(a) = &rel.afqmc {
        relevance_rows(&mut rows, "AFQMC FAQ", a, 0.30);
    }
    relevance_rows(&mut rows, "shipped content", &rel.shipped, 0.98);
    for (label, systems) in &rel.customer {
        let target = if label.contains("dev") { 0.0 } else { 0.70 };
        relevance_rows(&mut rows, label, systems, target);
    }
    if let Some(a) = app {
        let docs = a.docs.map_or_else(String::new, size_label);
        let kefu_only = |v: Option<f64>| vec![("Kefu".to_string(), v)];
        rows.push(Row {
            figure: "app: cold start → first result painted (ms)".into(),
            size: docs.clone(),
            values: kefu_only(a.cold_start_ms),
            fmt: ms,
            lower_is_better: true,
            target: "≤ 1,000".into(),
            met: a.cold_start_ms.map(|v| v <= 1000.0),
        });
        rows.push(Row {
            figure: "app: idle RSS, app process (MB)".into(),
            size: docs.clone(),
            values: kefu_only(a.idle_rss_mb),
            fmt: |x| format!("{x:.0}"),
            lower_is_better: true,
            target: "≤ 150".into(),
            met: a.idle_rss_mb.map(|v| v <= 150.0),
        });
        rows.push(Row {
            figure: "app: idle RSS incl. WebKit processes (MB)".into(),
            size: docs.clone(),
            values: kefu_only(a.idle_rss_total_mb),
            fmt: |x| format!("{x:.0}"),
            lower_is_better: true,
            target: String::new(),
            met: None,
        });
        for (label, v) in [
            (
                "app: keystroke → results painted p50 (ms)",
                a.keystroke_p50_ms,
            ),
            (
                "app: keystroke → results painted p95 (ms)",
                a.keystroke_p95_ms,
            ),
        ] {
            rows.push(Row {
                figure: label.into(),
                size: docs.clone(),
                values: kefu_only(v),
                fmt: ms,
                lower_is_better: true,
                target: String::new(),
                met: None,
            });
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "## kefu bench\n");
    let _ = writeln!(out, "Machine: {}  ", machine());
    let _ = writeln!(
        out,
        "Run: {} s in all; Kefu {}; same corpus and queries for every column.\n",
        took.as_secs(),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "| figure | docs | {} | Kefu vs FTS5 jieba | Kefu vs best FTS5 | target |",
        COLUMNS.join(" | ")
    );
    let _ = writeln!(
        out,
        "|---|---|{}---:|---|---|",
        "---:|".repeat(COLUMNS.len())
    );
    for r in &rows {
        r.render(&mut out);
    }
    let _ = writeln!(out);
    for s in sizes {
        let _ = writeln!(
            out,
            "- {}: parsing the files (shared by every system) {:.2} s; Kefu `Library::reload` after one file changed (rescans the folder) {} ms.",
            size_label(s.docs),
            s.parse_s,
            ms(s.reload_ms)
        );
    }
    if let Some(s) = sizes.iter().find(|s| s.docs == largest) {
        let _ = writeln!(
            out,
            "\np99 by query class at {} (ms):\n",
            size_label(largest)
        );
        let classes: Vec<String> = s
            .systems
            .first()
            .map(|k| k.class_p99.iter().map(|(c, _)| c.clone()).collect())
            .unwrap_or_default();
        let _ = writeln!(out, "| class | {} |", COLUMNS.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(COLUMNS.len()));
        for c in classes {
            let cells: Vec<String> = COLUMNS
                .iter()
                .map(|name| {
                    opt(
                        system(s, name).and_then(|r| {
                            r.class_p99
                                .iter()
                                .find(|(cc, _)| *cc == c)
                                .map(|(_, v)| v / 1000.0)
                        }),
                        ms,
                    )
                })
                .collect();
            let _ = writeln!(out, "| {c} | {} |", cells.join(" | "));
        }
    }
    let semantic_sizes: Vec<&SizeRun> = sizes.iter().filter(|s| s.semantic.is_some()).collect();
    if !semantic_sizes.is_empty() {
        let _ = writeln!(
            out,
            "\nMatching by meaning per corpus (pieces = units embedded: head, each phrase's when, body passages):\n"
        );
        let _ = writeln!(
            out,
            "| docs | pieces | distinct texts | embedded now | seconds | pieces/s | recycled vectors | matrix MB |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for s in semantic_sizes {
            if let Some(m) = &s.semantic {
                let rate = if m.embed_s > 0.0 {
                    m.embedded as f64 / m.embed_s
                } else {
                    0.0
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {:.1} | {:.0} | {} | {:.1} |",
                    size_label(s.docs),
                    m.units,
                    m.distinct,
                    m.embedded,
                    m.embed_s,
                    rate,
                    m.recycled,
                    m.matrix_mb
                );
            }
        }
    }
    relevance_by_part(&mut out, rel);
    if !rel.shipped_misses.is_empty() {
        let _ = writeln!(
            out,
            "\nShipped-content queries where Kefu's first result is not a labelled document:\n"
        );
        for (q, rank, top) in &rel.shipped_misses {
            let where_ = if *rank == 0 {
                "not in the first 10".to_string()
            } else {
                format!("first relevant at rank {rank}")
            };
            let _ = writeln!(out, "- `{q}`: {where_}; first hit `{top}`");
        }
    }
    if let Some(note) = app.and_then(|a| a.note.as_ref()) {
        let _ = writeln!(out, "\nApp figures: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ms(0.1234), "0.123");
        assert_eq!(ms(12.34), "12.3");
        assert_eq!(ms(1234.0), "1,234");
    }

    #[test]
    fn best_fts_ignores_kefu_and_brute_force() {
        let v = vec![
            ("Kefu".to_string(), Some(0.1)),
            ("FTS5 trigram".to_string(), Some(3.0)),
            ("FTS5 jieba".to_string(), Some(2.0)),
            ("brute force".to_string(), Some(0.01)),
        ];
        assert_eq!(best_fts(&v, true), Some(("FTS5 jieba".to_string(), 2.0)));
        assert_eq!(best_fts(&v, false), Some(("FTS5 trigram".to_string(), 3.0)));
    }
}
