//! Thin handlers: a handler extracts, calls one use case and maps its result. A body over
//! 40 lines means a rule sits in `routes/` instead of `ops/`. Reads `src/routes/**/*.rs`.

use std::path::Path;

use crate::layers::rust_files;

const MAX_BODY_LINES: usize = 40;

/// Handlers not yet moved to `ops/` (empty: issue 10 moved them all). Each is
/// "file:function"; a listed handler that has become short fails the test too, so the list
/// only shrinks.
const NOT_YET_CONVERTED: &[&str] = &[];

/// One `async fn` in a routes file: where it is and how many lines its body has (from the
/// line after `{` to the line before the closing `}`).
#[derive(Debug)]
pub struct Handler {
    pub file: String,
    pub name: String,
    pub body_lines: usize,
}

/// Every `async fn` in the routes tree (handlers are the async ones; helpers beside them are
/// not, or are short). Braces inside strings and chars are rare enough here to ignore, but
/// `'{'` is skipped so a char literal does not unbalance the count.
pub fn handlers(root: &Path) -> Vec<Handler> {
    let mut files = Vec::new();
    rust_files(&root.join("src/routes"), &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim_start();
            let is_async_fn = line.starts_with("pub async fn ")
                || line.starts_with("async fn ")
                || line.starts_with("pub(crate) async fn ");
            if !is_async_fn {
                i += 1;
                continue;
            }
            let name = line
                .split("fn ")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>();
            // Find the line that opens the body, then its matching close.
            let mut depth = 0i32;
            let mut open_line = None;
            let mut close_line = None;
            'scan: for (j, l) in lines.iter().enumerate().skip(i) {
                let code = l
                    .split("//")
                    .next()
                    .unwrap_or("")
                    .replace("'{'", "")
                    .replace("'}'", "");
                for c in code.chars() {
                    match c {
                        '{' => {
                            if depth == 0 && open_line.is_none() {
                                open_line = Some(j);
                            }
                            depth += 1;
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 && open_line.is_some() {
                                close_line = Some(j);
                                break 'scan;
                            }
                        }
                        _ => {}
                    }
                }
            }
            let (Some(open), Some(close)) = (open_line, close_line) else {
                i += 1;
                continue;
            };
            out.push(Handler {
                file: rel.clone(),
                name,
                body_lines: close.saturating_sub(open + 1),
            });
            i = close + 1;
        }
    }
    out
}

#[test]
fn no_handler_body_is_over_40_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let all = handlers(root);
    assert!(
        all.len() > 20,
        "the scanner found only {} handlers",
        all.len()
    );
    let mut problems = Vec::new();
    for h in &all {
        let key = format!("{}:{}", h.file, h.name);
        let allowed = NOT_YET_CONVERTED.contains(&key.as_str());
        if h.body_lines > MAX_BODY_LINES && !allowed {
            problems.push(format!("{key}: {} lines", h.body_lines));
        }
        if h.body_lines <= MAX_BODY_LINES && allowed {
            problems.push(format!(
                "{key}: {} lines now; take it off NOT_YET_CONVERTED",
                h.body_lines
            ));
        }
    }
    for listed in NOT_YET_CONVERTED {
        if !all
            .iter()
            .any(|h| format!("{}:{}", h.file, h.name) == *listed)
        {
            problems.push(format!("{listed}: listed but not found"));
        }
    }
    assert!(
        problems.is_empty(),
        "handler bodies over {MAX_BODY_LINES} lines:\n{}",
        problems.join("\n")
    );
}

/// `cargo test --test api handler_size_report -- --nocapture` prints every handler's size,
/// longest first (the figures issue 10 asks for).
#[test]
fn handler_size_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = handlers(root);
    all.sort_by_key(|h| std::cmp::Reverse(h.body_lines));
    let over = all.iter().filter(|h| h.body_lines > MAX_BODY_LINES).count();
    println!(
        "handlers: {}, over {MAX_BODY_LINES} lines: {over}",
        all.len()
    );
    for h in &all {
        println!("{:4}  {}:{}", h.body_lines, h.file, h.name);
    }
}

/// What only a use case (or `db`) does: SQL, a write transaction, walking a JSON value by hand.
const WRITES: &[&str] = &[
    "diesel",
    ".write(",
    ".transaction(",
    "Value::Object",
    ".as_object(",
    ".as_object_mut(",
];

/// Route files that still run their own transaction (phase 2 of issue 10 empties this).
/// `input.rs` reads request bodies; `action_dto.rs` adds `allowed` to a problem document.
const STILL_WRITING: &[&str] = &["src/routes/input.rs", "src/routes/action_dto.rs"];

#[test]
fn routes_write_only_through_use_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/routes"), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let found: Vec<&str> = WRITES
            .iter()
            .copied()
            .filter(|w| {
                text.lines()
                    .any(|l| l.split("//").next().unwrap_or("").contains(w))
            })
            .collect();
        let allowed = STILL_WRITING.contains(&rel.as_str());
        if !found.is_empty() && !allowed {
            problems.push(format!("{rel}: {found:?} (move it into ops/)"));
        }
        if found.is_empty() && allowed {
            problems.push(format!("{rel}: clean now; take it off STILL_WRITING"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
