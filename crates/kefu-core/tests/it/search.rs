use kefu_core::{Kind, Platform, SearchOptions};

use crate::util::{fixture, ids, open, search};

fn lib() -> kefu_core::Library {
    open(&fixture("good"), None)
}

#[test]
fn synonym_finds_the_playbook_first_with_its_phrase() {
    let lib = lib();
    let r = search(&lib, "催单");
    assert_eq!(ids(&r)[0], "playbooks/cuifahuo");
    assert_eq!(
        r.hits[0].phrase.as_ref().map(|p| p.code.as_str()),
        Some("cfh1")
    );
    let r = search(&lib, "什么时候发货");
    assert_eq!(ids(&r)[0], "playbooks/cuifahuo");
}

#[test]
fn pinyin_initials_codes_and_prefixes_find_it() {
    let lib = lib();
    for q in ["cfh", "cuifahuo", "cuifa", "CFH", "cfh2"] {
        let r = search(&lib, q);
        assert_eq!(
            ids(&r).first().map(String::as_str),
            Some("playbooks/cuifahuo"),
            "query {q}"
        );
    }
    let r = search(&lib, "cfh2");
    assert_eq!(
        r.hits[0].phrase.as_ref().map(|p| p.code.as_str()),
        Some("cfh2")
    );
    // A word followed by a space is not a prefix any more: `cuif` is no pinyin key.
    assert_eq!(
        ids(&search(&lib, "cuif")).first().map(String::as_str),
        Some("playbooks/cuifahuo")
    );
    assert!(search(&lib, "cuif ").hits.is_empty());
}

#[test]
fn platform_filter_keeps_that_platform_and_all_platform_docs() {
    let lib = lib();
    let r = search(&lib, "退款 platform:pdd");
    let got = ids(&r);
    assert!(got.contains(&"playbooks/pdd-refund".to_string()), "{got:?}");
    assert!(
        got.contains(&"playbooks/refund-general".to_string()),
        "{got:?}"
    );
    assert!(
        !got.contains(&"playbooks/taobao-refund".to_string()),
        "{got:?}"
    );
    for h in &r.hits {
        assert!(
            h.platforms.is_empty() || h.platforms.contains(&Platform::Pdd),
            "{h:?}"
        );
    }
    // Chinese platform names and CLI-style options give the same answer.
    assert_eq!(ids(&search(&lib, "退款 platform:拼多多")), got);
    let opts = SearchOptions {
        platforms: vec![Platform::Pdd],
        ..SearchOptions::default()
    };
    assert_eq!(ids(&lib.search("退款", &opts).expect("ok")), got);
}

#[test]
fn exclusion_removes_documents_mentioning_or_limited_to_it() {
    let lib = lib();
    let all = ids(&search(&lib, "退款"));
    assert!(all.contains(&"playbooks/taobao-refund".to_string()));
    let r = search(&lib, "退款 -淘宝");
    assert!(!ids(&r).contains(&"playbooks/taobao-refund".to_string()));
    assert!(!r.hits.is_empty());
    for h in &r.hits {
        let d = lib.document(&h.id).expect("doc");
        assert!(
            !d.body.contains("淘宝") && !d.title.contains("淘宝"),
            "{}",
            h.id
        );
        assert!(!d.platforms.contains(&Platform::Taobao), "{}", h.id);
    }
}

#[test]
fn phrases_kinds_and_tags() {
    let lib = lib();
    let r = search(&lib, "\"仅退款\"");
    assert_eq!(ids(&r), vec!["playbooks/pdd-refund"]);
    let r = search(&lib, "kind:rule");
    assert_eq!(r.total, 2);
    assert!(r.hits.iter().all(|h| h.kind == Kind::Rule));
    let r = search(&lib, "tag:物流 kind:case");
    assert_eq!(ids(&r), vec!["cases/signed-not-received"]);
}

#[test]
fn title_outweighs_body() {
    let lib = lib();
    // 欢迎 is in one title; other documents never mention it.
    let r = search(&lib, "欢迎");
    assert_eq!(ids(&r)[0], "playbooks/welcome");
    // 退货退款 is the title of the Taobao playbook and only body text elsewhere.
    let r = search(&lib, "退货退款");
    assert_eq!(ids(&r)[0], "playbooks/taobao-refund");
}

#[test]
fn snippets_mark_the_query_words() {
    let lib = lib();
    let r = search(&lib, "驿站");
    let hit = &r.hits[0];
    assert_eq!(hit.id, "cases/signed-not-received");
    let marked: Vec<String> = hit
        .snippet
        .highlights
        .iter()
        .map(|[a, b]| hit.snippet.text.chars().skip(*a).take(b - a).collect())
        .collect();
    assert_eq!(marked, vec!["驿站"]);
}

#[test]
fn malformed_queries_degrade_instead_of_failing() {
    let lib = lib();
    for q in [
        "",
        " ",
        "\"unclosed",
        "platform:",
        "platform:amazon",
        "-",
        "--",
        "kind:xyz",
        "((",
        "*?",
        "tag:",
        "\u{3000}",
        "-\"\"",
    ] {
        let r = lib.search(q, &SearchOptions::default());
        assert!(r.is_ok(), "query {q:?} failed: {r:?}");
    }
    // An empty query lists documents; an unknown filter value is searched as text.
    assert_eq!(search(&lib, "").total, 9);
    assert!(search(&lib, "platform:amazon").hits.is_empty());
}

#[test]
fn json_field_names_are_the_contract() {
    let lib = lib();
    let r = search(&lib, "催单");
    let v = serde_json::to_value(&r).expect("json");
    for key in ["query", "total", "took_us", "hits"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let hit = &v["hits"][0];
    for key in [
        "id",
        "kind",
        "title",
        "platforms",
        "score",
        "snippet",
        "phrase",
    ] {
        assert!(hit.get(key).is_some(), "missing hit.{key}");
    }
    assert_eq!(hit["kind"], "playbook");
    assert_eq!(hit["phrase"]["code"], "cfh1");
}

#[test]
fn excluding_a_phrase_no_document_holds_does_not_panic() {
    // Found by the property tests: tantivy's exclusion asked a phrase scorer about a document
    // behind it and a debug assertion fired (`-发货AND`).
    let lib = lib();
    for q in [
        "-发货AND",
        "-七天无理由x 退款",
        "退款 -\"运费 险\"",
        "-退款AND -发货OR",
    ] {
        let r = lib.search(q, &SearchOptions::default());
        assert!(r.is_ok(), "{q}: {r:?}");
    }
    let all = search(&lib, "退款");
    let without = search(&lib, "退款 -核对物流状态");
    assert!(
        without.hits.len() < all.hits.len(),
        "the exclusion still excludes"
    );
    assert!(!ids(&without).contains(&"playbooks/pdd-refund".to_string()));
}
