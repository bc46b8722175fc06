//! Keeps the module arrows pointing down: a module may use its own layer and the ones below,
//! never one above. Reads `src/**/*.rs` as text; every `crate::…` path (in `use` lines and
//! inline, braces expanded) is an edge from the file's top-level module to the named one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, from the bottom. Every top-level module of `src/` must be named here, so a new
/// one has to be placed on purpose.
const LAYERS: &[(u8, &[&str])] = &[
    // Pure types and rules; the clock and the language of a request are plain values too.
    // `metrics` holds the counters and renders the text format; it knows no storage.
    (0, &["domain", "clock", "i18n", "metrics"]),
    // Settings as parsed from the environment; read by every layer above.
    (1, &["config"]),
    // All SQL; the outbox, templates and transport; the OpenID Connect provider (HTTP).
    (2, &["db", "mail", "oidc"]),
    // Use cases: one function per operation that writes. `error` (ApiError and its
    // problem+json) sits here because `ops::photos` still returns it; the demo data is
    // written through `db` like any use case.
    (3, &["ops", "error", "demo", "demo_costs"]),
    // What every handler may use: the Caller extractor, sessions, CSRF, and AppState (which
    // holds auth's login rate limiter, so it sits beside auth).
    (4, &["auth", "state"]),
    // HTTP handlers and the pages.
    (5, &["routes", "web"]),
    // Wiring: Application::build, logging setup, the CLI.
    (6, &["startup", "telemetry", "main"]),
];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(_, mods)| mods.contains(&module))
        .map(|(rank, _)| *rank)
}

/// Every `.rs` file below `dir`.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/db/x.rs` → `db`, `src/error.rs` → `error`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a line without its `//` comment (doc comments included). Good enough for this
/// tree: no string literal in `src/` holds `//` before a `crate::` path.
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn ident_at(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level modules named by `crate::` paths in `code` (comments already removed).
fn targets(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        // `$crate::` inside macros and `tillbud::` from main are the same root.
        let after = &rest[i + "crate::".len()..];
        let before = rest[..i].chars().last();
        let is_path = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if is_path {
            if let Some(group) = after.strip_prefix('{') {
                // `crate::{a, b::c, d::{e, f}}`: the first segment of each item at depth 1.
                let mut depth = 1;
                let mut expect_item = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => expect_item = true,
                        c if depth == 1 && expect_item && (c.is_alphabetic() || c == '_') => {
                            let name = ident_at(&group[j..]);
                            if name != "self" {
                                found.insert(name);
                            }
                            expect_item = false;
                        }
                        _ => {}
                    }
                }
            } else {
                let name = ident_at(after);
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
        rest = after;
    }
    found
}

/// Every upward edge in the tree under `src`, as "file: a (layer n) -> b (layer m)", plus a
/// line for each module missing from the table.
pub fn upward_edges(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in files {
        let module = module_of(src, &file);
        if module == "lib" {
            continue; // The crate root declares the modules; it is not a layer.
        }
        let rel = file
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(&file);
        let Some(from) = layer_of(&module) else {
            problems.push(format!(
                "{}: module `{module}` is not in the LAYERS table",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        // Joined so a `use crate::{…}` spread over lines is one group.
        let code: String = text.lines().map(code_of).collect::<Vec<_>>().join(" ");
        for target in targets(&code) {
            if target == module {
                continue;
            }
            match layer_of(&target) {
                Some(to) if to > from => problems.push(format!(
                    "{}: {module} (layer {from}) -> {target} (layer {to})",
                    rel.display()
                )),
                Some(_) => {}
                None => problems.push(format!(
                    "{}: uses `crate::{target}`, which is not in the LAYERS table",
                    rel.display()
                )),
            }
        }
    }
    problems
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = upward_edges(&src);
    assert!(
        problems.is_empty(),
        "{} upward edge(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let code = "use crate::{db::x, auth::{Caller, Roles}, self}; let s = crate::startup::AppState;";
    let found: Vec<String> = targets(code).into_iter().collect();
    assert_eq!(found, ["auth", "db", "startup"]);
    // A `$crate::` in a macro names the same root.
    assert_eq!(
        targets("$crate::domain::x").into_iter().collect::<Vec<_>>(),
        ["domain"]
    );
}
