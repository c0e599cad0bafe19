//! `kefu bench --worst-only`: hostile documents at the size limit (issue 18). Each input is a
//! file of [`MAX_FILE_BYTES`] built to hit one text algorithm's worst case (the `[[` line that
//! used to take minutes, 1M nested quotes, a line of backticks …), timed through what every
//! document goes through:
//!
//! - **load**: decoding, front matter, links, and the markup checks (`kefu check`, start-up,
//!   every watcher reload and editor keystroke);
//! - **render**: sanitised HTML (opening the document);
//! - **text**: the plain text indexed and searched;
//! - **index+search**: a library of that one file opened (tantivy) and searched, snippet and
//!   highlighting included.
//!
//! Each stage is the best of 3 runs. Two ratios per input, from the same run: against an *ordinary* document of the same size
//! (the content folder's own bodies repeated), and against the same input at a quarter of the
//! size. A linear algorithm grows about 4× from a quarter to the whole; a quadratic one 16×.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use kefu_core::content::MAX_FILE_BYTES;
use kefu_core::{Library, LibraryConfig, SearchOptions, SystemClock, markdown};

use super::BenchResult;

/// One hostile body: how it is made, and what to search for in it.
struct Input {
    name: &'static str,
    /// Builds a body of about `bytes` bytes.
    make: fn(usize) -> String,
    /// Words in the body (or the title, `最坏情况`, for a body without text).
    query: &'static str,
}

fn repeat_to(unit: &str, bytes: usize) -> String {
    unit.repeat((bytes / unit.len()).max(1))
}

const INPUTS: &[Input] = &[
    Input {
        name: "one line of `[[`",
        make: |n| repeat_to("[[", n),
        query: "最坏情况",
    },
    Input {
        name: "`[[a]]` links, one line",
        make: |n| repeat_to("[[a]]", n),
        query: "最坏情况",
    },
    Input {
        name: "nested `>` quotes",
        make: |n| format!("{}最深处", repeat_to("> ", n)),
        query: "最深处",
    },
    Input {
        name: "nested `<div>`",
        make: |n| format!("{}最深处", repeat_to("<div>", n)),
        query: "最深处",
    },
    Input {
        name: "nested list items",
        make: |n| format!("{}最深处", repeat_to("- ", n)),
        query: "最深处",
    },
    Input {
        name: "unclosed `<style>` × N",
        make: |n| repeat_to("<style>退款\n", n),
        query: "退款",
    },
    Input {
        name: "unclosed `<!--` and `<?` × N",
        make: |n| repeat_to("<!--退款<?x\n", n),
        query: "退款",
    },
    Input {
        // Runs of 1, 2, 3 … backticks that never close one another: each run looks for its
        // closer (the classic quadratic code-span search). Not at a line start, which would
        // open a fenced block instead.
        name: "backtick runs of growing length",
        make: |n| {
            let mut s = String::from("退款 ");
            let mut k = 1;
            while s.len() < n {
                s.push_str(&"`".repeat(k));
                s.push('x');
                k = k % 2000 + 1;
            }
            s.truncate(n); // ASCII after the first word: any cut is a char boundary
            s
        },
        query: "退款",
    },
    Input {
        name: "emphasis delimiters `*_`",
        make: |n| repeat_to("*_退", n),
        query: "退",
    },
    Input {
        name: "brackets `[`",
        make: |n| repeat_to("[退", n),
        query: "退",
    },
    Input {
        name: "table, many columns",
        make: |n| {
            // Header, delimiter and body rows with the same number of cells (or it is no table).
            let cells = n / 3 / "|退款".len();
            let row = "|退款".repeat(cells);
            format!("{row}|\n{}|\n{row}|\n", "|-".repeat(cells))
        },
        query: "退款",
    },
    Input {
        name: "handlers `<a onclick=`",
        make: |n| repeat_to("<a onclick=x title=\"", n),
        query: "最坏情况",
    },
    Input {
        name: "quoted values never closed `<a title=\"`",
        make: |n| repeat_to("<a title=\"<b title='", n),
        query: "最坏情况",
    },
    Input {
        name: "many small HTML blocks",
        make: |n| repeat_to("<div>退款</div>\n\n", n),
        query: "退款",
    },
    Input {
        name: "one CJK line, no break",
        make: |n| repeat_to("亲您好退款已经处理", n),
        query: "退款",
    },
];

/// Timings of one body, ms: load, render, text, index+search.
#[derive(Clone, Copy, Default)]
struct Stages([f64; 4]);

const STAGES: [&str; 4] = ["load", "render", "text", "index+search"];

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// The best of `reps` runs of each stage on a file of `header` + `body`.
fn measure(dir: &Path, header: &str, body: &str, query: &str, reps: usize) -> BenchResult<Stages> {
    let text = format!("{header}{body}");
    let bytes = text.as_bytes();
    let title_of = |_: &str| None;
    let mut best = [f64::INFINITY; 4];
    for _ in 0..reps {
        let t = Instant::now();
        let (doc, _) = kefu_core::content::load_file_text("worst.md", bytes);
        best[0] = best[0].min(ms(t));
        let body = doc.map(|d| d.body).unwrap_or_default();
        let t = Instant::now();
        std::hint::black_box(markdown::render_html(&body, &title_of));
        best[1] = best[1].min(ms(t));
        let t = Instant::now();
        std::hint::black_box(markdown::plain_text(&body, &title_of));
        best[2] = best[2].min(ms(t));
    }
    // Index + search: a fresh library each time (one is opened once per file in real use).
    for _ in 0..reps {
        super::fresh_dir(dir)?;
        let content = dir.join("content");
        std::fs::create_dir_all(&content)?;
        std::fs::write(content.join("worst.md"), bytes)?;
        let t = Instant::now();
        let lib = Library::open(
            LibraryConfig {
                content_dir: content,
                data_dir: Some(dir.join("data")),
            },
            Arc::new(SystemClock),
        )?;
        let found = lib.search(query, &SearchOptions::default())?;
        best[3] = best[3].min(ms(t));
        // The document loaded: a file over the limit would be skipped, and the figure would
        // time an empty library. (A body of one 700,000-character word is not found by its
        // words, as any search engine caps its terms; its title still is.)
        if found.hits.is_empty()
            && lib
                .search("最坏情况", &SearchOptions::default())?
                .hits
                .is_empty()
        {
            return Err(format!("the worst-case document was not found by {query:?}").into());
        }
    }
    Ok(Stages(best))
}

/// The content folder's bodies, repeated to `bytes`: an ordinary document of that size.
fn ordinary(content: &Path, bytes: usize) -> BenchResult<String> {
    let loaded = kefu_core::content::load(content)?;
    let mut all = String::new();
    for d in &loaded.docs {
        all.push_str(&d.body);
        all.push_str("\n\n");
    }
    if all.is_empty() {
        all.push_str("亲，您好，退款已经处理。\n\n");
    }
    let mut out = String::with_capacity(bytes + all.len());
    while out.len() < bytes {
        out.push_str(&all);
    }
    let mut cut = bytes.min(out.len());
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    Ok(out)
}

pub(crate) fn run(content: &Path, out: &Path) -> BenchResult<()> {
    const HEADER: &str = "---\nkind: playbook\ntitle: 最坏情况\n---\n";
    let limit = usize::try_from(MAX_FILE_BYTES)? - HEADER.len() - 64;
    let quarter = limit / 4;
    let work = out.join("worst");
    let reps = 3;
    eprintln!("kefu bench: worst cases at {limit} bytes (and a quarter of it)");
    let base = measure(&work, HEADER, &ordinary(content, limit)?, "退款", reps)?;
    let base_q = measure(&work, HEADER, &ordinary(content, quarter)?, "退款", reps)?;
    let mut rows = Vec::new();
    for input in INPUTS {
        let full = (input.make)(limit);
        let part = (input.make)(quarter);
        eprintln!("kefu bench: worst case: {}", input.name);
        let whole = measure(&work, HEADER, &full, input.query, reps)?;
        let small = measure(&work, HEADER, &part, input.query, reps)?;
        rows.push((input.name, full.len(), whole, small));
    }
    let _ = std::fs::remove_dir_all(&work);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Worst-case documents at the size limit ({:.1} MiB)\n",
        limit as f64 / (1024.0 * 1024.0)
    );
    let _ = writeln!(
        md,
        "Release build, best of {reps} of each stage. `×ord` = time ÷ the same stage on an \
         ordinary document of the same size (the content folder's bodies repeated); `×¼` = time ÷ the \
         same input at a quarter of the size (≈4 linear, ≈16 quadratic).\n"
    );
    let mut head = String::from("| input | bytes |");
    let mut rule = String::from("|---|---:|");
    for s in STAGES {
        let _ = write!(head, " {s} ms | ×ord | ×¼ |");
        rule.push_str("---:|---:|---:|");
    }
    let _ = writeln!(md, "{head}\n{rule}");
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let mut line = |name: &str, bytes: usize, w: Stages, s: Stages| {
        let mut l = format!("| {name} | {bytes} |");
        for i in 0..4 {
            let _ = write!(
                l,
                " {:.1} | {:.1} | {:.1} |",
                w.0[i],
                ratio(w.0[i], base.0[i]),
                ratio(w.0[i], s.0[i])
            );
        }
        let _ = writeln!(md, "{l}");
    };
    line("ordinary document (baseline)", limit, base, base_q);
    for (name, bytes, w, s) in rows {
        line(name, bytes, w, s);
    }
    println!("{md}");
    let path = out.join("worst.md");
    std::fs::write(&path, &md)?;
    eprintln!("kefu bench: written to {}", path.display());
    Ok(())
}
