//! Times the encoder: `cargo run --release -p kefu-encoder --example speed -- MODEL`.
use std::time::Instant;

use kefu_encoder::{Model, Prefix};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/e5-small-q4.bin".into());
    let t = Instant::now();
    let model = match Model::load(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    println!("load {:?}", t.elapsed());
    let texts = [
        "什么时候能送到",
        "亲 快递一直不动 怎么回事",
        "你好，我上周买的羽绒服到现在还没发货，订单号是多少多少，能不能帮我催一下，急着穿",
        "买家说收到的杯子碎了，要求补发并赔偿，我们核实物流记录后同意补发，并且给买家道歉，承诺以后加强包装。",
        "你好 我想问两个事 一个是我上周买的那个电热水壶 底座插上没反应 换了插座也不行 第二个是我同时下的另一个订单 已经一周了还没发货 能不能帮我催一下",
    ];
    for text in texts {
        let n = model.token_count(text, Prefix::Query);
        let reps = 30;
        let mut times: Vec<std::time::Duration> = (0..reps)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(model.embed(text, Prefix::Query));
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "{n:4} tokens: min {:?}, median {:?} per text (all cores)",
            times[0],
            times[reps / 2]
        );
    }
    let batch: Vec<&str> = texts.iter().cycle().take(64).copied().collect();
    let t = Instant::now();
    let _ = model.embed_batch(&batch, Prefix::Passage);
    let e = t.elapsed();
    println!(
        "batch of 64: {:?} ({:.1} texts/s)",
        e,
        64.0 / e.as_secs_f64()
    );
}
