//! The real `tillbud` binary as a child process: for what only another process shows — its
//! memory (measured apart from the test process), its log lines, and how it starts or
//! refuses to.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test. `TILLBUD_TEST_BINARY` runs another build (e.g. an older one, to
/// see a test fail before a fix).
pub fn path() -> String {
    std::env::var("TILLBUD_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_tillbud").into())
}

/// `tillbud serve` on `database_url`, port 0, JSON logs on stdout.
pub struct Server {
    child: Child,
    pub address: String,
    lines: Arc<Mutex<Vec<String>>>,
    _mail_dir: crate::helpers::Cleanup,
}

impl Server {
    pub fn start(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        Self::try_start(database_url, args, env).unwrap_or_else(|exit| {
            panic!("tillbud did not start:\n{}", exit.lines.join("\n"));
        })
    }

    /// Starts the server; `Err` with its exit code and output if it exits (or does not
    /// listen within 60 s).
    pub fn try_start(
        database_url: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Server, Exit> {
        let mail_dir = std::env::temp_dir().join(format!(
            "tillbud-test-mail-{}",
            uuid::Uuid::new_v4().simple()
        ));
        // A free port, found by binding it once: the log line that names the port may be
        // filtered out by the level a test chooses.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(path());
        command
            .arg("serve")
            .args(args)
            .env_remove("TILLBUD_CONFIG")
            .env("TILLBUD_DATABASE_URL", database_url)
            .env("TILLBUD_LISTEN", format!("127.0.0.1:{port}"))
            .env("TILLBUD_LOG_FORMAT", "json")
            .env("TILLBUD_MAIL_DIR", &mail_dir)
            .env("TILLBUD_BASE_URL", "http://tillbud.test")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start tillbud");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Server {
                    child,
                    address: format!("http://127.0.0.1:{port}"),
                    lines,
                    _mail_dir: crate::helpers::Cleanup::Dir(mail_dir),
                });
            }
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let _ = child.kill();
                let status = child.wait().ok();
                // Let the readers take the last lines.
                std::thread::sleep(Duration::from_millis(200));
                let _ = std::fs::remove_dir_all(&mail_dir);
                return Err(Exit {
                    code: exited.and(status).and_then(|s| s.code()),
                    lines: lines.lock().unwrap().clone(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every line the server has written so far.
    pub fn logs(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The most memory the server has held resident (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmHWM in /proc/<pid>/status")
            * 1024
    }
}

/// How a server that did not come up ended.
#[derive(Debug)]
pub struct Exit {
    /// Its exit code; `None` if it was still running and had to be stopped.
    pub code: Option<i32>,
    pub lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
