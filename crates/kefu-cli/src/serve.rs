//! `kefu serve`: the real kefu-core behind HTTP+JSON on a loopback address, for the browser
//! tests and UI development. The built UI is served from `--ui`; the same commands as the
//! desktop app answer at `POST /api/<command>` (`kefu_core::commands::dispatch`), and
//! `GET /api/_events?after=N` long-polls the events the desktop shell would emit, and
//! `POST /api/_choose {"path": …}` sets what the next native dialog "picks" (the desktop shell
//! asks the user; here the test is the user).
//!
//! Not a server for people: it refuses any non-loopback address, checks the `Host` header
//! (against DNS rebinding), and every API call must carry the per-run random token printed at
//! start (`Authorization: Bearer <token>`).
//!
//! The HTTP side is a few dozen lines on `std::net`: one thread and one request per connection
//! (`Connection: close`), bounded headers and body. tiny_http was tried first and stalled when
//! two handlers blocked (long-polls) while five requests arrived; hyper or axum would bring an
//! async runtime into the CLI for a test server.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use kefu_core::api::ApiError;
use kefu_core::{ErrorKind, Event, Paths, Settings, Shell, SystemClock, Workspace};
use serde_json::{Value, json};

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
    /// What the next dialog answers (`_choose`); taken by it.
    chosen: Mutex<Option<PathBuf>>,
}

impl Shell for Queue {
    fn choose_path(&self, _ask: &kefu_core::grants::PathAsk) -> Option<PathBuf> {
        self.chosen.lock().ok().and_then(|mut c| c.take())
    }

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
    let server = TcpListener::bind((args.bind, args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let port = server.local_addr().map_err(|e| e.to_string())?.port();
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
    for stream in server.incoming() {
        let Ok(stream) = stream else { continue };
        let ctx = Arc::clone(&ctx);
        std::thread::spawn(move || ctx.connection(stream));
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

/// Largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;

/// One parsed request.
struct Request {
    method: String,
    /// Path and query, as sent.
    url: String,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response: status, headers, body.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, kind: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", kind.to_string()),
                ("Cache-Control", "no-store".into()),
            ],
            body,
        }
    }

    fn json(status: u16, body: &Value) -> Reply {
        Reply::new(
            status,
            "application/json; charset=utf-8",
            body.to_string().into_bytes(),
        )
    }

    fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, &api_error(ErrorKind::InvalidInput, message))
    }

    fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let reason = match self.status {
            200 => "OK",
            204 => "No Content",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Payload Too Large",
            _ => "Error",
        };
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status);
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

/// Reads one request; `Err` carries the reply for a malformed or oversized one.
fn read_request(stream: &TcpStream) -> Result<Request, Reply> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD as u64 + MAX_BODY));
    let mut head_len = 0;
    let mut line = String::new();
    let mut next_line = |line: &mut String| -> Result<(), Reply> {
        line.clear();
        let n = reader
            .read_line(line)
            .map_err(|_| Reply::error(400, "unreadable request"))?;
        head_len += n;
        if n == 0 || head_len > MAX_HEAD {
            return Err(Reply::error(400, "incomplete or oversized request head"));
        }
        Ok(())
    };
    next_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (Some(method), Some(url)) = (parts.next(), parts.next()) else {
        return Err(Reply::error(400, "bad request line"));
    };
    let (method, url) = (method.to_string(), url.to_string());
    let mut headers = Vec::new();
    loop {
        next_line(&mut line)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length: u64 = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(Reply::error(413, "body too large"));
    }
    let mut body = vec![0; length as usize];
    reader
        .read_exact(&mut body)
        .map_err(|_| Reply::error(400, "body shorter than Content-Length"))?;
    Ok(Request {
        method,
        url,
        headers,
        body,
    })
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
    /// Serves one connection: one request, one reply, then close.
    fn connection(&self, stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let reply = match read_request(&stream) {
            Ok(req) => self.handle(&req),
            Err(reply) => reply,
        };
        let mut out = &stream;
        let _ = reply.write(&mut out);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }

    /// `Host` must name this server by a loopback name (DNS rebinding defence).
    fn host_ok(&self, req: &Request) -> bool {
        let Some(host) = req.header("host") else {
            return false;
        };
        let port = self.port.to_string();
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|h| host == format!("{h}:{port}"))
    }

    fn authorised(&self, req: &Request) -> bool {
        let given = req
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        same(given.as_bytes(), self.token.as_bytes())
    }

    fn handle(&self, req: &Request) -> Reply {
        let path = req.url.split('?').next().unwrap_or("/");
        if !self.host_ok(req) {
            return Reply::error(403, "wrong Host");
        }
        let Some(command) = path.strip_prefix("/api/") else {
            if req.method != "GET" {
                return Reply::error(405, "GET files, POST commands to /api/");
            }
            return self.static_file(path);
        };
        if !self.authorised(req) {
            return Reply::error(401, "missing or wrong token");
        }
        if command == "_events" && req.method == "GET" {
            let after = req
                .url
                .split_once("after=")
                .and_then(|(_, n)| n.split('&').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            return Reply::json(200, &Value::Array(self.queue.after(after)));
        }
        if req.method != "POST" {
            return Reply::error(405, "POST a JSON object");
        }
        let args: Value = if req.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return Reply::error(400, &format!("not JSON: {e}")),
            }
        };
        if command == "_choose" {
            let path = args.get("path").and_then(Value::as_str).map(PathBuf::from);
            if let Ok(mut c) = self.queue.chosen.lock() {
                *c = path;
            }
            return Reply::json(200, &Value::Null);
        }
        match kefu_core::commands::dispatch(&self.ws, command, args) {
            Ok(v) => Reply::json(200, &v),
            Err(e) => Reply::json(400, &serde_json::to_value(e).unwrap_or(Value::Null)),
        }
    }

    /// A file of the built UI; `/` is `index.html`. Only plain path segments under `ui`.
    fn static_file(&self, path: &str) -> Reply {
        if path == "/favicon.ico" {
            return Reply::new(204, "image/x-icon", Vec::new());
        }
        let rel = if path == "/" { "/index.html" } else { path };
        let rel = Path::new(rel.trim_start_matches('/'));
        let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
        let file = self.ui.join(rel);
        let Some(data) = safe.then(|| std::fs::read(&file).ok()).flatten() else {
            return Reply::new(404, "text/plain; charset=utf-8", b"not found".to_vec());
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
        let mut reply = Reply::new(200, kind, data);
        if ext == "html"
            && let Some(csp) = &self.csp
        {
            reply.headers.push(("Content-Security-Policy", csp.clone()));
        }
        reply
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
