//! Customer messages against the shipped content with the real encoder (the model file from
//! `make model`, or `$KEFU_MODEL`). The content's vectors are cached under cargo's target
//! folder, so only the first run embeds them.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use kefu_core::semantic::{self, Semantic, SemanticStatus};
use kefu_core::{Library, MatchMode, SearchOptions};

use crate::util::{copy_tree, ids, open, repo_root, search};

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kefu-vectors")
}

/// One encoder for every test (loading takes a moment), with the shared vector cache.
pub(crate) fn shared() -> Arc<Semantic> {
    static S: OnceLock<Arc<Semantic>> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        let s = Arc::new(Semantic::new(Some(cache_dir())));
        let found = semantic::start(&s, &semantic::repo_model_dirs());
        assert!(
            found.is_some(),
            "the model file is missing ({:?}): run `make model`",
            s.status(&[])
        );
        s
    }))
}

/// The shipped content with every piece embedded.
fn shipped() -> Library {
    let mut lib = open(&repo_root().join("content"), None);
    let s = shared();
    lib.use_semantic(Arc::clone(&s));
    // Tests run in parallel: the first embeds, the others wait and find the vectors.
    static EMBEDDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = EMBEDDING.lock().unwrap_or_else(|e| e.into_inner());
    let todo = lib.embed_todo();
    s.embed_all(&todo).expect("embed");
    drop(guard);
    assert!(lib.embed_todo().is_empty());
    assert!(matches!(
        lib.status().semantic,
        SemanticStatus::Ready { .. }
    ));
    lib
}

fn first(lib: &Library, q: &str) -> String {
    ids(&search(lib, q)).into_iter().next().unwrap_or_default()
}

#[test]
fn pasted_messages_find_what_the_customer_means() {
    let lib = shipped();
    // Every chunk used to be required: these found nothing at all.
    assert_eq!(
        first(&lib, "在吗 我想问下 改地址"),
        "playbooks/xiugai-dizhi"
    );
    assert_eq!(
        first(&lib, "亲 快递一直不动 怎么回事"),
        "playbooks/wuliu-tingzhi"
    );
    let broken = ids(&search(&lib, "你好 请问 我买的东西坏了 怎么办"));
    assert!(
        broken
            .iter()
            .take(3)
            .any(|id| id == "playbooks/posun-bufa" || id == "playbooks/zhiliang-wenti"),
        "{broken:?}"
    );
    // The personal-information rule used to come first.
    let when = ids(&search(&lib, "什么时候能送到"));
    assert_ne!(when[0], "rules/law-personal-info");
    assert!(
        when.iter().take(3).any(|id| id == "playbooks/fahuo-shijian"
            || id == "playbooks/wuliu-tingzhi"
            || id == "playbooks/cuifahuo"),
        "{when:?}"
    );
    // An order card, a link and emoji around the question change nothing.
    let noisy = "[订单编号:3829104857291] 亲 快递一直不动😡😡 怎么回事？？？\n商品：加厚羽绒服 黑色 XL\n实付：¥389.00 https://item.taobao.com/item.htm?id=77";
    assert_eq!(first(&lib, noisy), "playbooks/wuliu-tingzhi");
}

#[test]
fn typed_keywords_stay_on_the_word_path() {
    let lib = shipped();
    for q in ["催单", "cfh", "cfh2"] {
        assert_eq!(first(&lib, q), "playbooks/cuifahuo", "{q}");
    }
    for q in [
        "催单",
        "cfh",
        "cfh2",
        "催",
        "cf",
        "c",
        "退款 破损",
        "\"仅退款\"",
        "退款 平台:拼多多",
    ] {
        let typed = lib
            .search_with(q, &SearchOptions::default(), MatchMode::Typed)
            .expect("search");
        assert_eq!(
            ids(&search(&lib, q)),
            ids(&typed),
            "{q} is not treated as a message"
        );
    }
}

#[test]
fn two_questions_show_both_intents_first() {
    let lib = shipped();
    let r = ids(&search(&lib, "我的快递到哪了？还有能开发票吗"));
    let top2 = &r[..2];
    assert!(
        top2.iter()
            .any(|id| id.contains("fapiao") || id == "rules/law-invoice"),
        "{r:?}"
    );
    assert!(
        top2.iter().any(|id| [
            "playbooks/wuliu-tingzhi",
            "playbooks/fahuo-shijian",
            "playbooks/qianshou-weishoudao",
            "playbooks/cuifahuo"
        ]
        .contains(&id.as_str())),
        "{r:?}"
    );
}

#[test]
fn the_card_phrase_is_the_one_whose_when_fits() {
    let lib = shipped();
    let r = search(&lib, "拍的预售款 什么时候能发货啊 等了好久了");
    let hit = r
        .hits
        .iter()
        .find(|h| h.id == "playbooks/cuifahuo")
        .expect("催发货 among the results");
    assert_eq!(
        hit.phrase.as_ref().map(|p| p.code.as_str()),
        Some("cfh4"),
        "the presale phrase"
    );
}

#[test]
fn hostile_pastes_give_a_clear_result_and_never_hang() {
    let lib = shipped();
    for q in [
        "😡😡😡🙏",
        "3829104857291",
        "你好，在吗？谢谢",
        "https://item.taobao.com/item.htm?id=1",
    ] {
        let r = search(&lib, q);
        assert_eq!(r.total, 0, "{q}: nothing to search for");
    }
    let huge = "快递为什么还不到，我都等了一个星期了！".repeat(6_000); // ≈ 120 KB
    let r = search(&lib, &huge);
    assert!(!r.hits.is_empty());
    let mixed = search(&lib, "Hello 我的 order 还没 ship 吗？size M 换 L 可以吗");
    assert!(!mixed.hits.is_empty());
}

#[test]
fn vectors_are_reused_and_only_changed_pieces_are_embedded_again() {
    let _ = shipped(); // fills the cache
    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    copy_tree(&repo_root().join("content"), &content);
    let mut lib = open(&content, None);
    lib.use_semantic(shared());
    assert!(lib.embed_todo().is_empty(), "a restart embeds nothing");
    let path = content.join("playbooks/cuifahuo.md");
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen(
        "when: 预售或定制商品，买家催发货",
        "when: 预售或定制商品，买家催发货并问具体哪天能到",
        1,
    );
    assert_ne!(text, edited);
    std::fs::write(&path, edited).expect("write");
    lib.reload().expect("reload");
    let todo = lib.embed_todo();
    assert_eq!(todo.len(), 1, "only the edited when: {todo:?}");
    assert!(todo[0].1.contains("具体哪天能到"));
}

#[test]
fn without_the_model_messages_are_matched_by_words_and_the_status_says_so() {
    let mut lib = open(&repo_root().join("content"), None);
    let off = Arc::new(Semantic::new(None));
    semantic::start(&off, &[PathBuf::from("/nonexistent")]);
    lib.use_semantic(off);
    match lib.status().semantic {
        SemanticStatus::Off { reason } => assert!(reason.contains("model"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let r = ids(&search(&lib, "亲 快递一直不动 怎么回事"));
    assert!(
        r.iter().take(5).any(|id| id == "playbooks/wuliu-tingzhi"),
        "{r:?}"
    );
}

#[test]
fn a_document_added_before_its_vectors_exist_is_still_found_first() {
    let _ = shipped(); // fills the cache
    let dir = tempfile::tempdir().expect("tmp");
    let content = dir.path().join("content");
    copy_tree(&repo_root().join("content"), &content);
    // A cache of its own (a copy of the shipped content's), so the new playbook's vectors never
    // reach the shared one and the next run starts without them again.
    let cache = dir.path().join("vectors");
    copy_tree(&cache_dir(), &cache);
    let own = Arc::new(Semantic::new(Some(cache)));
    own.set_encoder(shared().encoder().expect("encoder"));
    let mut lib = open(&content, None);
    lib.use_semantic(Arc::clone(&own));
    assert!(
        lib.embed_todo().is_empty(),
        "the shipped content's vectors are cached"
    );
    std::fs::write(
        content.join("playbooks/lanya-erji.md"),
        "---\nkind: playbook\ntitle: 蓝牙耳机断连\ntags: [售后]\nphrases:\n  - code: lyej1\n    when: 买家说耳机老断\n    text: 亲，麻烦您先把耳机放回充电仓重置一下~\n---\n先排除使用问题。\n",
    )
    .expect("write");
    lib.reload().expect("reload");
    assert!(
        !lib.embed_todo().is_empty(),
        "the new playbook has no vectors yet"
    );
    // Pasted as a message (matched by words and meaning): the encoder has not reached the new
    // playbook, and it must not be buried under documents that only the meaning side found.
    for q in ["蓝牙耳机断连", "亲 我的蓝牙耳机断连了"] {
        assert_eq!(first(&lib, q), "playbooks/lanya-erji", "{q}");
    }
    own.embed_all(&lib.embed_todo()).expect("embed");
    assert!(lib.embed_todo().is_empty());
    assert_eq!(first(&lib, "蓝牙耳机断连"), "playbooks/lanya-erji");
}
