//! `kefu serve`: the real kefu-core behind HTTP+JSON on a loopback address, for the browser
//! tests and UI development. The built UI is served from `--ui`; the same commands as the
//! desktop app answer at `POST /api/<command>` (`kefu_core::commands::dispatch`), and
//! `GET /api/_events?after=N` long-polls the events the desktop shell would emit.
//!
//! Not a server for people: it refuses any non-loopback address, checks the `Host` header
//! (against DNS rebinding), and every API call must carry the per-run random token printed at
//! start (`Authorization: Bearer <token>`). tiny_http is used because it is small, synchronous
//! like the core, and needs no async runtime.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use kefu_core::api::ApiError;
use kefu_core::{ErrorKind, Event, Paths, Settings, Shell, SystemClock, Workspace};
use serde_json::{Value, json};
use tiny_http::{Header, Method, Request, Response, Server};

/// Options of `kefu serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address to listen on; only loopback addresses are accepted.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port (0: a free one, printed at start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The built UI to serve (`npm run build` writes ui/dist).
    #[arg(long, default_value = "ui/dist", value_name = "DIR")]
    ui: PathBuf,
    /// Content-Security-Policy header for HTML pages (the browser tests pass the app's).
    #[arg(long, value_name = "POLICY")]
    csp: Option<String>,
}

/// Events kept for late pollers.
const KEPT: usize = 512;
/// How long `/api/_events` waits for something new.
const POLL: Duration = Duration::from_secs(15);
/// Largest request body accepted.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// The shell of `kefu serve`: no window, no hotkey; events queue for `/api/_events`.
#[derive(Default)]
struct Queue {
    events: Mutex<(u64, VecDeque<(u64, Value)>)>,
    cv: Condvar,
}

impl Shell for Queue {
    fn emit(&self, event: Event) {
        let payload = serde_json::to_value(&event).unwrap_or(Value::Null);
        if let Ok(mut q) = self.events.lock() {
            q.0 += 1;
            let seq = q.0;
            q.1.push_back((
                seq,
                json!({"seq": seq, "event": event.name(), "payload": payload}),
            ));
            while q.1.len() > KEPT {
                q.1.pop_front();
            }
        }
        self.cv.notify_all();
    }
}

impl Queue {
    /// Events after `after`, waiting up to [`POLL`] for one.
    fn after(&self, after: u64) -> Vec<Value> {
        let deadline = Instant::now() + POLL;
        let Ok(mut q) = self.events.lock() else {
            return Vec::new();
        };
        loop {
            let new: Vec<Value> =
                q.1.iter()
                    .filter(|(s, _)| *s > after)
                    .map(|(_, v)| v.clone())
                    .collect();
            let now = Instant::now();
            if !new.is_empty() || now >= deadline {
                return new;
            }
            q = match self.cv.wait_timeout(q, deadline - now) {
                Ok((g, _)) => g,
                Err(_) => return Vec::new(),
            };
        }
    }
}

fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source for the token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs until killed.
pub(crate) fn run(
    content: PathBuf,
    data: PathBuf,
    model_dirs: Vec<PathBuf>,
    semantic: bool,
    args: &ServeArgs,
) -> Result<(), String> {
    if !args.bind.is_loopback() {
        return Err(format!(
            "kefu serve listens on loopback addresses only (127.0.0.1, ::1), not {}: it is for tests and development",
            args.bind
        ));
    }
    let server = Server::http((args.bind, args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("no port")?;
    let token = random_token()?;
    kefu_core::logging::init(&data);
    let (settings, note) = Settings::load(&data);
    if let Some(note) = note {
        log::warn!("{note}");
    }
    let queue = Arc::new(Queue::default());
    let ws = Workspace::new(
        Paths {
            data_dir: data,
            bundled_content: content,
            model_dirs,
        },
        settings,
        Arc::new(SystemClock),
        Arc::clone(&queue) as Arc<dyn Shell>,
    );
    ws.start(semantic);
    let host = match args.bind {
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    };
    println!("kefu serve: http://{host}:{port}/?token={token}");
    let _ = std::io::stdout().flush();
    let ctx = Arc::new(Ctx {
        ws,
        queue,
        token,
        port,
        ui: args.ui.clone(),
        csp: args.csp.clone(),
    });
    for req in server.incoming_requests() {
        let ctx = Arc::clone(&ctx);
        std::thread::spawn(move || ctx.handle(req));
    }
    Ok(())
}

struct Ctx {
    ws: Arc<Workspace>,
    queue: Arc<Queue>,
    token: String,
    port: u16,
    ui: PathBuf,
    csp: Option<String>,
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn json_response(status: u16, body: &Value) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_data(body.to_string().into_bytes()).with_status_code(status);
    if let Some(h) = header("Content-Type", "application/json; charset=utf-8") {
        r.add_header(h);
    }
    if let Some(h) = header("Cache-Control", "no-store") {
        r.add_header(h);
    }
    r
}

fn api_error(kind: ErrorKind, message: impl Into<String>) -> Value {
    serde_json::to_value(ApiError {
        kind,
        message: message.into(),
    })
    .unwrap_or(Value::Null)
}

/// Constant-time comparison (the token is a secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Ctx {
    fn header<'r>(req: &'r Request, name: &'static str) -> Option<&'r str> {
        req.headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str())
    }

    /// `Host` must name this server by a loopback name (DNS rebinding defence).
    fn host_ok(&self, req: &Request) -> bool {
        let Some(host) = Self::header(req, "Host") else {
            return false;
        };
        let port = self.port.to_string();
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|h| host == format!("{h}:{port}"))
    }

    fn authorised(&self, req: &Request) -> bool {
        let given = Self::header(req, "Authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        same(given.as_bytes(), self.token.as_bytes())
    }

    fn handle(&self, mut req: Request) {
        let url = req.url().to_string();
        let path = url.split('?').next().unwrap_or("/").to_string();
        let reply = |req: Request, r: Response<std::io::Cursor<Vec<u8>>>| {
            let _ = req.respond(r);
        };
        if !self.host_ok(&req) {
            return reply(
                req,
                json_response(403, &api_error(ErrorKind::InvalidInput, "wrong Host")),
            );
        }
        if let Some(command) = path.strip_prefix("/api/") {
            if !self.authorised(&req) {
                return reply(
                    req,
                    json_response(
                        401,
                        &api_error(ErrorKind::InvalidInput, "missing or wrong token"),
                    ),
                );
            }
            if command == "_events" && *req.method() == Method::Get {
                let after = url
                    .split_once("after=")
                    .and_then(|(_, n)| n.split('&').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let events = self.queue.after(after);
                return reply(req, json_response(200, &Value::Array(events)));
            }
            if *req.method() != Method::Post {
                return reply(
                    req,
                    json_response(
                        405,
                        &api_error(ErrorKind::InvalidInput, "POST a JSON object"),
                    ),
                );
            }
            let mut body = Vec::new();
            let read = req.as_reader().take(MAX_BODY + 1).read_to_end(&mut body);
            if read.is_err() || body.len() as u64 > MAX_BODY {
                return reply(
                    req,
                    json_response(413, &api_error(ErrorKind::InvalidInput, "body too large")),
                );
            }
            let args: Value = if body.is_empty() {
                Value::Null
            } else {
                match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    Err(e) => {
                        return reply(
                            req,
                            json_response(
                                400,
                                &api_error(ErrorKind::InvalidInput, format!("not JSON: {e}")),
                            ),
                        );
                    }
                }
            };
            let command = command.to_string();
            let out = kefu_core::commands::dispatch(&self.ws, &command, args);
            let r = match out {
                Ok(v) => json_response(200, &v),
                Err(e) => json_response(400, &serde_json::to_value(e).unwrap_or(Value::Null)),
            };
            return reply(req, r);
        }
        if *req.method() != Method::Get {
            return reply(req, Response::from_data(Vec::new()).with_status_code(405));
        }
        self.static_file(req, &path);
    }

    /// A file of the built UI; `/` is `index.html`. Paths are decoded segments under `ui`,
    /// never `..`.
    fn static_file(&self, req: Request, path: &str) {
        let rel = if path == "/" { "/index.html" } else { path };
        let rel = Path::new(rel.trim_start_matches('/'));
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        let file = self.ui.join(rel);
        let data = if safe {
            std::fs::read(&file).ok()
        } else {
            None
        };
        let Some(data) = data else {
            let _ = req.respond(Response::from_data(b"not found".to_vec()).with_status_code(404));
            return;
        };
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        let kind = match ext {
            "html" => "text/html; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "woff2" => "font/woff2",
            "json" => "application/json",
            _ => "application/octet-stream",
        };
        let mut r = Response::from_data(data);
        for (k, v) in [("Content-Type", kind), ("Cache-Control", "no-store")] {
            if let Some(h) = header(k, v) {
                r.add_header(h);
            }
        }
        if ext == "html"
            && let Some(csp) = &self.csp
            && let Some(h) = header("Content-Security-Policy", csp)
        {
            r.add_header(h);
        }
        let _ = req.respond(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_compared_in_full() {
        let a = random_token().expect("token");
        let b = random_token().expect("token");
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        assert!(same(a.as_bytes(), a.as_bytes()));
        assert!(!same(a.as_bytes(), b.as_bytes()));
        assert!(!same(a.as_bytes(), &a.as_bytes()[..47]));
    }

    #[test]
    fn events_queue_and_wait() {
        let q = Arc::new(Queue::default());
        q.emit(Event::Semantic(
            kefu_core::semantic::SemanticStatus::Loading,
        ));
        let got = q.after(0);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["event"], "kefu://semantic");
        let q2 = Arc::clone(&q);
        let waiter = std::thread::spawn(move || q2.after(1));
        std::thread::sleep(Duration::from_millis(50));
        q.emit(Event::Semantic(
            kefu_core::semantic::SemanticStatus::Loading,
        ));
        let later = waiter.join().expect("join");
        assert_eq!(later.len(), 1);
        assert_eq!(later[0]["seq"], 2);
    }
}
