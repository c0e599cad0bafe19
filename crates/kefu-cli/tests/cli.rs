//! The `kefu` binary, run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn kefu(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .env("KEFU_DATA_DIR", data)
        .output()
        .expect("kefu runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_prints_compiler_style_lines_and_exits_1_on_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = fixture("bad");
    let o = kefu(
        &["check", "--content", bad.to_str().expect("utf8")],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("unknown-platform.md:6: error: unknown platform `amazon`")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("gbk-encoded.md:1: warning:")),
        "{out}"
    );

    let good = fixture("good");
    let o = kefu(
        &["check", "--content", good.to_str().expect("utf8"), "--json"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["errors"], 0);
    assert_eq!(v["documents"], 9);
}

#[test]
fn search_json_is_the_documented_contract() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = fixture("good");
    let g = good.to_str().expect("utf8");
    let o = kefu(
        &[
            "--content",
            g,
            "search",
            "--json",
            "--limit",
            "3",
            "退款",
            "-淘宝",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["query"], "退款 -淘宝");
    assert!(v["took_us"].is_u64());
    let hits = v["hits"].as_array().expect("hits");
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert!(hits.iter().all(|h| h["id"] != "playbooks/taobao-refund"));
    for key in [
        "id",
        "kind",
        "title",
        "platforms",
        "score",
        "snippet",
        "phrase",
    ] {
        assert!(hits[0].get(key).is_some(), "missing {key}");
    }

    let o = kefu(
        &[
            "--content",
            g,
            "search",
            "--kind",
            "rule",
            "--platform",
            "淘宝",
            "--json",
        ],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ids: Vec<&str> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"rules/taobao-late-shipment") && ids.contains(&"rules/law-7day"));
}

#[test]
fn queries_file_prints_json_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let queries = tmp.path().join("q.txt");
    std::fs::write(&queries, "催单\n\ncfh\nkind:rule\n").expect("write");
    let good = fixture("good");
    let o = kefu(
        &[
            "--content",
            good.to_str().expect("utf8"),
            "search",
            "--queries",
            queries.to_str().expect("utf8"),
        ],
        tmp.path(),
    );
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3, "blank lines are skipped");
    assert_eq!(lines[0]["query"], "催单");
    assert_eq!(lines[0]["hits"][0]["id"], "playbooks/cuifahuo");
    assert_eq!(lines[1]["hits"][0]["id"], "playbooks/cuifahuo");
    assert_eq!(lines[2]["total"], 2);
}

#[test]
fn index_reports_counts_and_show_renders_safely() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = fixture("good");
    let g = good.to_str().expect("utf8");
    let o = kefu(&["--content", g, "index"], tmp.path());
    let out = stdout(&o);
    assert!(out.starts_with("indexed 9 documents"), "{out}");
    assert!(out.contains("9 added"), "{out}");
    let o = kefu(&["--content", g, "index"], tmp.path());
    assert!(
        stdout(&o).contains("0 added, 0 updated, 0 removed, 9 unchanged"),
        "{}",
        stdout(&o)
    );

    let o = kefu(&["--content", g, "show", "playbooks/cuifahuo"], tmp.path());
    let out = stdout(&o);
    assert!(out.starts_with("# 催发货"), "{out}");
    assert!(out.contains("[cfh2]"), "{out}");

    let bad = fixture("bad");
    let o = kefu(
        &[
            "--content",
            bad.to_str().expect("utf8"),
            "show",
            "xss-body",
            "--html",
        ],
        tmp.path(),
    );
    let html = stdout(&o);
    assert!(o.status.success());
    assert!(
        html.contains("<p>") && !html.contains("<script") && !html.contains("onerror"),
        "{html}"
    );

    let o = kefu(&["--content", g, "show", "nope"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no document with id `nope`"));
}

#[test]
fn drill_list_and_score_print_the_documented_fields() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let c = content.to_str().expect("utf8");
    let o = kefu(&["--content", c, "drill", "list", "--json"], tmp.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let list = list.as_array().expect("array");
    assert!(list.len() >= 6);
    assert!(
        list.iter()
            .any(|d| d["id"] == "drills/cuifahuo-zhaoji" && d["category"] == "催发货")
    );

    let score = |reply: &str| -> serde_json::Value {
        let o = kefu(
            &[
                "--content",
                c,
                "drill",
                "score",
                "--drill",
                "drills/cuifahuo-zhaoji",
                "--reply",
                reply,
                "--json",
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str(&stdout(&o)).expect("json")
    };
    let good = score(
        "好的亲，我这边给您跟仓库说一下，给您插队优先发货，另外我也给您持续跟进发货进展，感谢您支持",
    );
    for key in [
        "score",
        "elements",
        "missing",
        "banned",
        "similarity",
        "closest_reference",
    ] {
        assert!(good.get(key).is_some(), "missing {key}");
    }
    let poor = score("好的，我给您催一下");
    let (g, p) = (
        good["score"].as_u64().expect("n"),
        poor["score"].as_u64().expect("n"),
    );
    assert!(g >= p + 30, "{g} vs {p}");
    assert!(
        good["elements"]
            .as_array()
            .expect("a")
            .iter()
            .any(|e| e["matched"] == "跟仓库说")
    );

    let o = kefu(
        &[
            "--content",
            c,
            "drill",
            "score",
            "--drill",
            "playbooks/cuifahuo",
            "--reply",
            "x",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a drill"));
}

#[test]
fn review_lists_documents_older_than_the_rules_they_rely_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(content.join("rules")).expect("mkdir");
    std::fs::create_dir_all(content.join("playbooks")).expect("mkdir");
    std::fs::write(
        content.join("rules/r.md"),
        "---\nkind: rule\ntitle: 规则\nplatform: law\nsource: 法规\nupdated: 2026-01-10\n---\n正文\n",
    )
    .expect("write");
    std::fs::write(
        content.join("playbooks/p.md"),
        "---\nkind: playbook\ntitle: 话术\nupdated: 2026-01-01\n---\n依据 [[rules/r]]\n",
    )
    .expect("write");
    let dir = content.to_str().expect("utf8");
    let o = kefu(&["review", "--content", dir], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("playbooks/p.md  话术  — relies on [[rules/r]] changed 2026-01-10"),
        "{out}"
    );
    // `kefu check` warns about it but does not fail a team's CI for it.
    let o = kefu(&["check", "--content", dir], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("playbooks/p.md:6: warning: relies on [[rules/r]]"));
}

#[test]
fn import_dry_run_writes_nothing_then_import_and_export_round_trip() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(content.join("playbooks")).expect("mkdir");
    std::fs::write(
        content.join("playbooks/cuifahuo.md"),
        "---\nkind: playbook\ntitle: 催发货\nphrases:\n  - code: cfh1\n    text: 亲，已经催了\n---\n正文\n",
    )
    .expect("write");
    let dir = content.to_str().expect("utf8");
    let src = fixture("import/shop-export-gbk.csv");
    let src = src.to_str().expect("utf8");

    let o = kefu(&["--content", dir, "import", src, "--dry-run"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("GB18030/GBK, header on line 2"), "{out}");
    assert!(
        out.contains("shop-export-gbk.csv:13: code `cfh1` is used by playbooks/cuifahuo (催发货)"),
        "{out}"
    );
    assert!(out.contains("【温馨提示】 kept as written"), "{out}");
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(!content.join("playbooks/imported").exists());

    // Wrong roles are refused; a map without a content column is reported (exit 1).
    let o = kefu(
        &["--content", dir, "import", src, "--map", "group,code"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let o = kefu(
        &[
            "--content",
            dir,
            "import",
            src,
            "--map",
            "group,code,tags,-,-",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("no column holds the phrases"));

    let o = kefu(
        &[
            "--content",
            dir,
            "import",
            src,
            "--json",
            "--skip-clashes",
            "--into",
            "playbooks/店铺",
        ],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let written: Vec<&str> = v["written"]
        .as_array()
        .expect("written")
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert_eq!(written.len(), 3);
    assert!(written.iter().all(|w| w.starts_with("playbooks/店铺/")));
    assert_eq!(v["phrases"], 6, "cfh1 and the second sh1 left out");
    let o = kefu(&["check", "--content", dir], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let out_file = tmp.path().join("phrases.xlsx");
    let o = kefu(
        &["--content", dir, "export", out_file.to_str().expect("utf8")],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("7 phrases written to"),
        "{}",
        stdout(&o)
    );
    assert!(std::fs::read(&out_file).expect("xlsx").starts_with(b"PK"));
}

#[test]
fn sync_outside_a_repository_fails_with_a_git_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = kefu(
        &["sync", "--content", tmp.path().to_str().expect("utf8")],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not in a git repository"));
}

/// A running `kefu serve` over the shipped content; killed on drop.
struct Served {
    child: std::process::Child,
    port: u16,
    token: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> Served {
    use std::io::BufRead;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "--no-semantic",
            "--content",
            content.to_str().expect("utf8"),
        ])
        .args(["--data", data.to_str().expect("utf8"), "serve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kefu serve starts");
    let mut line = String::new();
    let out = child.stdout.take().expect("stdout");
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("the URL line");
    // kefu serve: http://127.0.0.1:PORT/?token=TOKEN
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let port = url
        .split(':')
        .nth(2)
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port");
    let token = url.split("token=").nth(1).unwrap_or_default().to_string();
    Served { child, port, token }
}

/// One raw HTTP request; returns (status, body).
fn http(port: u16, raw: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(raw.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}

fn post(sv: &Served, host: &str, token: &str, command: &str, body: &str) -> (u16, String) {
    http(
        sv.port,
        &format!(
            "POST /api/{command} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn serve_answers_commands_only_with_the_token_on_loopback() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sv = serve(tmp.path());
    let host = format!("127.0.0.1:{}", sv.port);
    let (code, body) = post(
        &sv,
        &host,
        &sv.token,
        "search",
        r#"{"req":{"query":"催单"}}"#,
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("playbooks/cuifahuo"), "{body}");
    // No token, a wrong one, a foreign Host (DNS rebinding): refused.
    assert_eq!(post(&sv, &host, "", "status", "{}").0, 401);
    assert_eq!(post(&sv, &host, "0000", "status", "{}").0, 401);
    assert_eq!(
        post(&sv, "evil.example:80", &sv.token, "status", "{}").0,
        403
    );
    // An unknown command and bad arguments are clear errors, and the server keeps going.
    let (code, body) = post(&sv, &host, &sv.token, "rm_rf", "{}");
    assert_eq!(code, 400);
    assert!(body.contains("no command `rm_rf`"), "{body}");
    let (code, body) = post(&sv, &host, &sv.token, "document", r#"{"id":5}"#);
    assert_eq!(code, 400);
    assert!(body.contains("invalid_input"), "{body}");
    assert_eq!(post(&sv, &host, &sv.token, "status", "not json").0, 400);
    // Files outside the UI folder are never served.
    let get = |path: &str| {
        http(
            sv.port,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
        .0
    };
    assert_eq!(get("/../Cargo.toml"), 404);
    assert_eq!(get("/%2e%2e/Cargo.toml"), 404);
    assert_eq!(post(&sv, &host, &sv.token, "status", "{}").0, 200);
}

#[test]
fn serve_refuses_a_non_loopback_address() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = kefu(&["--no-semantic", "serve", "--bind", "0.0.0.0"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("loopback"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn usage_counts_sends_and_copies_and_lists_phrases_never_used() {
    use kefu_core::usage::{FoundBy, UseAction, UseRecord};
    let tmp = tempfile::tempdir().expect("tmp");
    let good = fixture("good");
    let g = good.to_str().expect("utf8");
    // No database yet: a clear error, not an empty report.
    let o = kefu(&["usage", "--content", g], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no practice database"));

    let clock = kefu_core::SystemClock;
    let (store, _) = kefu_core::store::Store::open(tmp.path(), &clock).expect("db");
    let record = |code: &str, action, found_by, query: &str| UseRecord {
        doc_id: "playbooks/cuifahuo".into(),
        phrase_code: Some(code.into()),
        query: query.into(),
        found_by,
        action,
    };
    store
        .record_use(
            &record("cfh1", UseAction::Sent, FoundBy::Typed, "cfh"),
            &clock,
        )
        .expect("1");
    store
        .record_use(
            &record(
                "cfh1",
                UseAction::Copied,
                FoundBy::Clipboard,
                "亲 还没发货吗",
            ),
            &clock,
        )
        .expect("2");
    drop(store);

    let o = kefu(&["usage", "--content", g, "--json"], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["total"], 2);
    assert_eq!(v["phrases"][0]["phrase_code"], "cfh1");
    assert_eq!(v["phrases"][0]["sent"], 1);
    assert_eq!(v["phrases"][0]["copied"], 1);
    assert_eq!(v["phrases"][0]["clipboard"], 1);
    assert_eq!(v["documents"][0]["doc_id"], "playbooks/cuifahuo");
    let never: Vec<&str> = v["never_used"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["phrase_code"].as_str())
        .collect();
    assert!(
        never.contains(&"cfh2") && never.contains(&"hy1"),
        "{never:?}"
    );
    assert!(!never.contains(&"cfh1"));
    assert!(
        !stdout(&o).contains("还没发货"),
        "no customer text in the log"
    );

    let o = kefu(
        &["usage", "--content", g, "--since", "2999-01-01"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).starts_with("0 use(s), since 2999-01-01"),
        "{}",
        stdout(&o)
    );
    let o = kefu(
        &["usage", "--content", g, "--since", "yesterday"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected YYYY-MM-DD"));
}

#[test]
fn the_cli_finds_the_desktop_apps_data_folder() {
    let conf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/tauri.conf.json"),
    )
    .expect("tauri.conf.json");
    let v: serde_json::Value = serde_json::from_str(&conf).expect("json");
    assert_eq!(v["identifier"], kefu_core::APP_IDENTIFIER);
}

/// Copies a folder tree (files only).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn recorded_attempts_are_shared_and_the_lead_sees_them_in_kefu_team() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content"),
        &content,
    );
    let c = content.to_str().expect("utf8");
    let drill = "drills/cuifahuo-zhaoji";
    let reply = "亲，非常抱歉让您久等了，我这边马上帮您联系仓库优先发货，今天下午五点前给您发出";
    // Two agents on two data folders (two machines); only one shares.
    for (data, name, id, first) in [
        ("a", "小红", "xiaohong", "50"),
        ("b", "小明", "xiaoming", "10"),
    ] {
        let data = tmp.path().join(data);
        if id == "xiaohong" {
            let o = kefu(&["--content", c, "team", "share", "on", "--as", id], &data);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        for _ in 0..3 {
            let o = kefu(
                &[
                    "--content",
                    c,
                    "--no-semantic",
                    "drill",
                    "score",
                    "--drill",
                    drill,
                    "--reply",
                    reply,
                    "--seconds",
                    "70",
                    "--first-response",
                    first,
                    "--record",
                    "--profile",
                    name,
                    "--json",
                ],
                &data,
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
            assert!(v["score"].as_u64().is_some());
        }
    }
    let file = content.join("team/results/xiaohong.jsonl");
    let text = std::fs::read_to_string(&file).expect("shared");
    assert_eq!(text.lines().count(), 4, "profile + 3 attempts: {text}");
    assert!(
        !text.contains("马上帮您联系仓库"),
        "replies are not shared unless asked"
    );
    assert!(
        !content.join("team/results/xiaoming.jsonl").exists(),
        "小明 does not share"
    );
    // The practice database has the attempts (the drills home counts them).
    let o = kefu(
        &["--content", c, "team", "--json"],
        &tmp.path().join("lead"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["agents"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["agents"][0]["name"], "小红");
    assert_eq!(v["agents"][0]["overall"]["attempts"], 3);
    assert_eq!(v["agents"][0]["overall"]["first_response_s"], 50.0);
    // An assignment for her, checked by `kefu check`, shown by `kefu team`.
    let o = kefu(
        &[
            "--content",
            c,
            "team",
            "assign",
            "--drill",
            drill,
            "--to",
            "xiaohong",
            "--due",
            "2030-01-31",
        ],
        &tmp.path().join("lead"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let path = stdout(&o).trim().to_string();
    assert!(
        path.starts_with("team/assignments/") && content.join(&path).exists(),
        "{path}"
    );
    let o = kefu(&["--content", c, "check"], &tmp.path().join("lead"));
    assert!(!stdout(&o).contains("team/"), "{}", stdout(&o));
    let o = kefu(&["--content", c, "team"], &tmp.path().join("lead"));
    let out = stdout(&o);
    assert!(out.contains("小红") && out.contains("assignments"), "{out}");
    // Bad requests are refused with a reason and write nothing.
    let o = kefu(
        &[
            "--content",
            c,
            "team",
            "assign",
            "--drill",
            "drills/none",
            "--to",
            "all",
            "--due",
            "2030-01-31",
        ],
        &tmp.path().join("lead"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("drills/none"));
    let o = kefu(
        &["--content", c, "team", "share", "on", "--as", "../x"],
        &tmp.path().join("c"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a valid agent id"));
    // Off keeps the file; off --delete removes it.
    let a = tmp.path().join("a");
    assert!(
        kefu(&["--content", c, "team", "share", "off"], &a)
            .status
            .success()
    );
    assert!(file.exists());
    assert!(
        kefu(&["--content", c, "team", "share", "off", "--delete"], &a)
            .status
            .success()
    );
    assert!(!file.exists());
    // CSV and XLSX exports.
    let csv = tmp.path().join("m.csv");
    let xlsx = tmp.path().join("m.xlsx");
    let o = kefu(
        &[
            "--content",
            c,
            "team",
            "--csv",
            csv.to_str().expect("u"),
            "--xlsx",
            xlsx.to_str().expect("u"),
        ],
        &tmp.path().join("lead"),
    );
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&csv)
            .expect("csv")
            .starts_with("\u{feff}客服编号")
    );
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"));
}

/// Before: `kefu check | head -1` panicked with exit 101 once `head` closed the pipe.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = fixture("bad");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["check", "--content", bad.to_str().expect("utf8")])
        .env("KEFU_DATA_DIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kefu runs");
    // Read nothing and close the pipe at once, as `head -0` would.
    drop(child.stdout.take());
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(status.code(), Some(141 | 1)), "{status:?}: {err}");
}

/// Before: escape sequences in a title (recolour, retitle, OSC 52 clipboard) reached the terminal.
#[test]
fn control_sequences_in_content_are_shown_not_obeyed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    std::fs::write(
        content.join("x.md"),
        "---\nkind: playbook\ntitle: \"退款\\e[31m红\\e]52;c;ZXZpbA==\\a\u{202e}反\"\n---\n退款说明\n",
    )
    .expect("w");
    let o = kefu(
        &[
            "--content",
            content.to_str().expect("utf8"),
            "search",
            "退款",
        ],
        tmp.path(),
    );
    let out = stdout(&o);
    assert!(out.contains("退款"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(out.contains("\\u{1b}[31m"), "{out}");
}

/// The generated hostile corpus (tests/fixtures/hostile): `kefu check` finishes, exits 1 (it has
/// errors), prints one line per problem with no raw control character, and never panics. Before
/// the boundary module, a link to `/proc/self/pagemap` grew it to gigabytes and a FIFO hung it.
#[cfg(unix)]
#[test]
fn check_survives_the_hostile_corpus() {
    let tmp = tempfile::tempdir().expect("tmp");
    let content = tmp.path().join("content");
    let made = Command::new("python3")
        .arg(fixture("hostile/make.py"))
        .arg(&content)
        .output()
        .expect("python3 runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["check", "--no-semantic", "--content"])
        .arg(&content)
        .env("KEFU_DATA_DIR", tmp.path().join("data"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kefu runs");
    let pid = child.id();
    // Output is read on another thread (a full pipe would stall kefu), with a time limit.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(o) = rx.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("kefu check did not finish on the hostile corpus");
    };
    let o = o.expect("output");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 500, "{} lines", lines.len());
    for l in &lines {
        assert!(
            !l.chars().any(|c| c.is_control() && c != '\t'),
            "a raw control character reached the terminal: {l:?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("symlinks/pagemap.md:1: error:")),
        "the link is reported, not read"
    );
}
