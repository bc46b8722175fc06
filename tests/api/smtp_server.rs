//! A small but real SMTP server for the tests: speaks SMTP over TCP on 127.0.0.1, records what
//! it receives, can answer temporary (4xx) or permanent (5xx) errors on demand, and can be
//! down (port closed) and come up again on the same port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// 550 to every MAIL FROM.
    PermFail,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

struct State {
    mode: Mode,
    /// Temporary failures to answer before accepting again.
    temp_failures_left: usize,
    /// Once this many messages have arrived, the end of a message's DATA gets no answer until
    /// unset: a server that hangs in the middle of a batch.
    stall_after: Option<usize>,
    received: Vec<Received>,
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpServer {
    /// A server that is down: its port is chosen but closed.
    pub fn down() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        SmtpServer {
            port,
            state: Arc::new(Mutex::new(State {
                mode: Mode::Accept,
                temp_failures_left: 0,
                stall_after: None,
                received: Vec::new(),
            })),
            tasks: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub async fn start() -> SmtpServer {
        let server = SmtpServer::down();
        server.up().await;
        server
    }

    /// Opens the port and serves.
    pub async fn up(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind SMTP port");
        let state = self.state.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                let conn = tokio::spawn(async move {
                    let _ = session(stream, state).await;
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the port and drops every connection.
    pub fn down_now(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    /// After `n` messages, leaves every further message unanswered (`None`: answer again).
    pub fn stall_after(&self, n: Option<usize>) {
        self.state.lock().unwrap().stall_after = n;
    }

    pub fn fail_temporarily(&self, times: usize) {
        self.state.lock().unwrap().temp_failures_left = times;
    }

    /// How many messages have arrived (cheap: no copies).
    pub fn count(&self) -> usize {
        self.state.lock().unwrap().received.len()
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` messages have arrived (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "expected {n} mail(s) within {secs} s, got {}: {:?}",
                    got.len(),
                    got.iter().map(|m| (&m.to, m.subject())).collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The messages to one address.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.down_now();
    }
}

fn addr(arg: &str) -> String {
    let start = arg.find('<').map(|i| i + 1).unwrap_or(0);
    let end = arg.rfind('>').unwrap_or(arg.len());
    arg[start..end.max(start)].to_owned()
}

async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 test.local ESMTP tillbud-test\r\n")
        .await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            "250-test.local\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n".into()
        } else if upper.starts_with("HELO") {
            "250 test.local\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            let mut s = state.lock().unwrap();
            if s.temp_failures_left > 0 {
                s.temp_failures_left -= 1;
                "451 4.3.0 Try again later\r\n".into()
            } else {
                match s.mode {
                    Mode::PermFail => "550 5.1.1 Mailbox unavailable\r\n".into(),
                    Mode::Accept => {
                        from = addr(&cmd[10..]);
                        to.clear();
                        "250 2.1.0 Ok\r\n".into()
                    }
                }
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(addr(&cmd[8..]));
            "250 2.1.5 Ok\r\n".into()
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                // Dot-unstuffing (RFC 5321 4.5.2).
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            // Stalled: no answer to the final dot until released; a client that goes away
            // meanwhile (a killed worker) has not delivered the message.
            loop {
                let stalled = {
                    let s = state.lock().unwrap();
                    s.stall_after.is_some_and(|n| s.received.len() >= n)
                };
                if !stalled {
                    break;
                }
                let mut probe = String::new();
                tokio::select! {
                    r = lines.read_line(&mut probe) => {
                        if matches!(r, Ok(0) | Err(_)) {
                            return Ok(());
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                }
            }
            state.lock().unwrap().received.push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            "250 2.0.0 Ok: queued\r\n".into()
        } else if upper == "RSET" {
            to.clear();
            "250 2.0.0 Ok\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 Ok\r\n".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 5.5.2 Command not recognized\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

fn decode_words(value: &str) -> String {
    // RFC 2047 encoded words, as lettre writes them for non-ASCII subjects.
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !before.trim().is_empty() {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        if parts.len() < 3 {
            out.push_str(&rest[start..]);
            return out;
        }
        let (enc, text_and_rest) = (parts[1], parts[2]);
        let Some(end) = text_and_rest.find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &text_and_rest[..end];
        let decoded = if enc.eq_ignore_ascii_case("b") {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else {
            let mut bytes = Vec::new();
            let raw = text.replace('_', " ");
            let mut it = raw.bytes();
            while let Some(b) = it.next() {
                if b == b'=' {
                    let h: Vec<u8> = it.by_ref().take(2).collect();
                    if let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&h), 16) {
                        bytes.push(v);
                    }
                } else {
                    bytes.push(b);
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        out.push_str(&decoded);
        rest = &text_and_rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn split_head(raw: &str) -> (String, &str) {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    (head.replace("\r\n ", " ").replace("\r\n\t", " "), body)
}

fn header_in(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = split_head(&self.data);
        header_in(&head, name)
    }

    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }

    fn part(&self, mime: &str) -> String {
        let (head, body) = split_head(&self.data);
        let ct = header_in(&head, "Content-Type").unwrap_or_default();
        let Some(b) = ct.split("boundary=").nth(1) else {
            return String::new();
        };
        let boundary = b
            .trim_matches('"')
            .split(';')
            .next()
            .unwrap_or("")
            .trim_matches('"');
        for part in body.split(&format!("--{boundary}")) {
            let (phead, pbody) = split_head(part.trim_start_matches("\r\n"));
            let pct = header_in(&phead, "Content-Type").unwrap_or_default();
            if pct.starts_with(mime) {
                let clean: String = pbody.chars().filter(|c| !c.is_whitespace()).collect();
                return base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_else(|_| pbody.to_owned());
            }
        }
        String::new()
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(prefix)?;
        Some(
            text[start..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned(),
        )
    }
}
