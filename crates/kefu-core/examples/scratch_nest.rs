use std::time::Instant;
fn t(name: &str, body: &str) {
    let s = Instant::now();
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(body, kefu_core::markdown::options()),
    );
    let p = s.elapsed();
    let s2 = Instant::now();
    let clean = kefu_core::markdown::sanitize(&html);
    println!(
        "{name}: input {} KB, pulldown {:?} ({} KB html), ammonia {:?} ({} KB)",
        body.len() / 1024,
        p,
        html.len() / 1024,
        s2.elapsed(),
        clean.len() / 1024
    );
}
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20000);
    t("quotes", &(">".repeat(n) + " x\n"));
    t(
        "lists",
        &(0..n.min(5000))
            .map(|i| format!("{}- a\n", "  ".repeat(i)))
            .collect::<String>(),
    );
    t("divs", &("<div>".repeat(n) + "\n"));
    t("bolds", &("<b>".repeat(n) + "x\n"));
    t("emph", &"*a **a ".repeat(n));
    t("links", &"[[".repeat(n));
}
