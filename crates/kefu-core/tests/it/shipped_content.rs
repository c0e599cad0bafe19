//! The default knowledge base in the repo's `content/` must load cleanly and answer the
//! queries agents rely on.

use kefu_core::drill::Persona;
use kefu_core::{Kind, Severity};

use crate::util::{clock, ids, open, repo_root, search};

#[test]
fn shipped_content_is_clean_and_complete() {
    let content = repo_root().join("content");
    let (loaded, problems) = kefu_core::check(&content, clock().as_ref()).expect("loads");
    let errors: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "content errors:\n{}", errors.join("\n"));
    let count = |k: Kind| loaded.docs.iter().filter(|d| d.kind == k).count();
    // The default knowledge base's minimums.
    assert!(
        count(Kind::Playbook) >= 40,
        "playbooks: {}",
        count(Kind::Playbook)
    );
    assert!(count(Kind::Case) >= 15, "cases: {}", count(Kind::Case));
    assert!(count(Kind::Rule) >= 25, "rules: {}", count(Kind::Rule));
    assert!(count(Kind::Drill) >= 60, "drills: {}", count(Kind::Drill));
    // Drills cover every category and persona.
    let drills: Vec<&kefu_core::drill::Drill> = loaded
        .docs
        .iter()
        .filter_map(|d| d.drill.as_ref())
        .collect();
    for cat in kefu_core::drill::CATEGORIES {
        assert!(
            drills.iter().any(|d| d.category == *cat),
            "no drill in category {cat}"
        );
    }
    for p in [
        Persona::Calm,
        Persona::Anxious,
        Persona::Angry,
        Persona::Hesitant,
    ] {
        assert!(
            drills.iter().any(|d| d.persona == p),
            "no drill with persona {p:?}"
        );
    }
    // Every playbook has 2–6 phrases.
    for d in loaded.docs.iter().filter(|d| d.kind == Kind::Playbook) {
        assert!(
            (2..=6).contains(&d.phrases.len()),
            "{} has {} phrases",
            d.path,
            d.phrases.len()
        );
    }
    // Quick codes are unique across the whole knowledge base.
    let mut codes: Vec<String> = loaded
        .docs
        .iter()
        .flat_map(|d| d.phrases.iter().map(|p| p.code.to_lowercase()))
        .collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "duplicate quick codes");
    // Every rule cites a source.
    for d in loaded.docs.iter().filter(|d| d.kind == Kind::Rule) {
        assert!(
            d.rule.as_ref().and_then(|r| r.source.as_ref()).is_some(),
            "{} has no source",
            d.path
        );
    }
}

#[test]
fn shipped_content_answers_what_agents_type() {
    let lib = open(&repo_root().join("content"), None);
    for q in ["催单", "cfh", "催发货", "cuifahuo", "什么时候发货"] {
        assert_eq!(
            ids(&search(&lib, q)).first().map(String::as_str),
            Some("playbooks/cuifahuo"),
            "query {q}"
        );
    }
    // Found by an alias that neither the title nor the snippet shows: the card says which.
    let top = search(&lib, "催单").hits.remove(0);
    assert!(top.snippet.highlights.is_empty());
    assert_eq!(top.matched_alias.as_deref(), Some("催单"));
    // Found by the title: nothing to explain.
    assert_eq!(search(&lib, "催发货").hits[0].matched_alias, None);
    let r = search(&lib, "退款 platform:pdd");
    assert!(ids(&r).contains(&"playbooks/pdd-refund".to_string()));
    assert!(
        r.hits
            .iter()
            .all(|h| h.platforms.is_empty() || h.platforms.contains(&kefu_core::Platform::Pdd))
    );
    let r = search(&lib, "退款 -淘宝");
    assert!(!ids(&r).contains(&"playbooks/taobao-refund".to_string()));
}
