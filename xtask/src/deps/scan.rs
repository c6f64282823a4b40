//! Reading a crate's module tree and the `crate::`/`super::` paths each module names,
//! from source text (no compiler, no dependencies).
//!
//! The scan is deliberately small: comments, strings and char literals are blanked,
//! the rest is split into tokens, and a single pass tracks `mod` declarations, inline
//! modules, `use` trees, paths starting with `crate`/`super`/`self`, and items gated
//! by a test-only `#[cfg(..)]`. It understands what this code base writes; a macro that
//! builds paths from strings would go unseen (there is none).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One module of the crate.
#[derive(Debug, Clone)]
pub(crate) struct Module {
    /// `a::b::c`; the crate root is the empty string.
    pub(crate) path: String,
    /// The file the module's text lives in.
    pub(crate) file: PathBuf,
    /// Compiled only for tests (`#[cfg(test)]` on its declaration or an ancestor's).
    pub(crate) test: bool,
}

/// A path one module names, resolved to the deepest module it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The naming module.
    pub(crate) from: String,
    /// The named module.
    pub(crate) to: String,
    /// Named from test-only code.
    pub(crate) test: bool,
    /// Where (file and 1-based line).
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
}

/// A crate's modules and the references between them.
#[derive(Debug, Default)]
pub(crate) struct Crate {
    pub(crate) modules: BTreeMap<String, Module>,
    pub(crate) references: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Replaces comments, string and char literals by spaces (newlines kept).
pub(crate) fn blank(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let keep = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b')
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| i > 0 && (p.is_alphanumeric() || *p == '_'))
            && raw_string_start(&chars, i).is_some()
        {
            let (hashes, body_start) = raw_string_start(&chars, i).unwrap_or((0, i));
            for ch in &chars[i..body_start] {
                out.push(keep(*ch));
            }
            i = body_start;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(keep(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(keep(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a): only the first
            // is blanked.
            if next == Some('\\') {
                out.push(' ');
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' {
                        out.push(' ');
                        i += 1;
                    }
                    if i < chars.len() {
                        out.push(keep(chars[i]));
                        i += 1;
                    }
                }
                out.push(' ');
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `r"`, `r#"`, `br"`, `b"`: the number of `#` and where the body starts.
fn raw_string_start(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let mut i = at;
    if chars.get(i) == Some(&'b') {
        i += 1;
        if chars.get(i) == Some(&'"') {
            return Some((0, i + 1));
        }
    }
    if chars.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    (chars.get(i) == Some(&'"')).then_some((hashes, i + 1))
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let word = word.strip_prefix("r#").map(str::to_string).unwrap_or(word);
            tokens.push(Token {
                tok: Tok::Ident(word),
                line,
            });
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else {
            tokens.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    tokens
}

/// Whether a `cfg` predicate (the text inside `cfg(..)`) holds only in test builds:
/// `test`, or `all(..)` with `test` among its direct terms.
pub(crate) fn cfg_is_test_only(predicate: &str) -> bool {
    let predicate: String = predicate.chars().filter(|c| !c.is_whitespace()).collect();
    if predicate == "test" {
        return true;
    }
    let Some(inner) = predicate
        .strip_prefix("all(")
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return false;
    };
    let mut depth = 0usize;
    let mut term = String::new();
    let mut terms = Vec::new();
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(core::mem::take(&mut term));
                continue;
            }
            _ => {}
        }
        term.push(c);
    }
    terms.push(term);
    terms.iter().any(|term| term == "test")
}

/// A `use` tree's leaves as full segment lists.
fn use_leaves(tokens: &[Token], prefix: &[String], leaves: &mut Vec<(Vec<String>, usize)>) {
    // Split at top-level commas.
    let mut depth = 0usize;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    for part in parts {
        let mut path = prefix.to_vec();
        let mut i = 0;
        let line = part.first().map(|t| t.line).unwrap_or(0);
        while i < part.len() {
            match &part[i].tok {
                Tok::Ident(word) if word == "as" => break,
                Tok::Ident(word) => path.push(word.clone()),
                Tok::PathSep => {}
                Tok::Punct('{') => {
                    let end = part.len().saturating_sub(1);
                    use_leaves(&part[i + 1..end.max(i + 1)], &path, leaves);
                    path.clear();
                    break;
                }
                Tok::Punct(_) => break,
            }
            i += 1;
        }
        if !path.is_empty() {
            leaves.push((path, line));
        }
    }
}

struct Scanned {
    /// `mod name;` declarations: name, test-only.
    children: Vec<(String, bool)>,
    /// Paths named: inline-module stack, segments, test-only, line.
    paths: Vec<(Vec<String>, Vec<String>, bool, usize)>,
}

fn scan(text: &str) -> Scanned {
    let tokens = tokenize(&blank(text));
    let mut children = Vec::new();
    let mut paths = Vec::new();
    // Brace stack: (inline module name, test-only).
    let mut braces: Vec<(Option<String>, bool)> = Vec::new();
    let mut nesting = 0usize; // ( and [
    let mut pending_test: Option<(usize, usize)> = None; // (brace depth, nesting)
    let mut next_block_mod: Option<String> = None;
    let mut i = 0;
    let in_test = |braces: &Vec<(Option<String>, bool)>, pending: &Option<(usize, usize)>| {
        pending.is_some() || braces.iter().any(|(_, test)| *test)
    };
    let inline = |braces: &Vec<(Option<String>, bool)>| -> Vec<String> {
        braces.iter().filter_map(|(name, _)| name.clone()).collect()
    };
    while i < tokens.len() {
        let token = &tokens[i];
        match &token.tok {
            Tok::Punct('#') => {
                let inner = matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Punct('!')));
                let open = if inner { i + 2 } else { i + 1 };
                if matches!(tokens.get(open).map(|t| &t.tok), Some(Tok::Punct('['))) {
                    let mut depth = 0usize;
                    let mut j = open;
                    let mut text = String::new();
                    while j < tokens.len() {
                        match &tokens[j].tok {
                            Tok::Punct('[') => depth += 1,
                            Tok::Punct(']') => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        if j > open {
                            match &tokens[j].tok {
                                Tok::Ident(word) => text.push_str(word),
                                Tok::PathSep => text.push_str("::"),
                                Tok::Punct(c) => text.push(*c),
                            }
                        }
                        j += 1;
                    }
                    if !inner {
                        if let Some(predicate) =
                            text.strip_prefix("cfg(").and_then(|t| t.strip_suffix(')'))
                        {
                            if cfg_is_test_only(predicate) && pending_test.is_none() {
                                pending_test = Some((braces.len(), nesting));
                            }
                        }
                    }
                    i = j + 1;
                    continue;
                }
            }
            Tok::Punct('(') | Tok::Punct('[') => nesting += 1,
            Tok::Punct(')') | Tok::Punct(']') => nesting = nesting.saturating_sub(1),
            Tok::Punct('{') => {
                let test = in_test(&braces, &pending_test);
                if pending_test.is_some_and(|(depth, n)| depth == braces.len() && n == nesting) {
                    pending_test = None;
                }
                braces.push((next_block_mod.take(), test));
            }
            Tok::Punct('}') => {
                braces.pop();
                if pending_test.is_some_and(|(depth, _)| depth > braces.len()) {
                    pending_test = None;
                }
            }
            Tok::Punct(';') | Tok::Punct(',') => {
                if pending_test.is_some_and(|(depth, n)| depth == braces.len() && n == nesting) {
                    pending_test = None;
                }
                next_block_mod = None;
            }
            Tok::Ident(word) if word == "mod" => {
                if let (Some(Tok::Ident(name)), Some(next)) = (
                    tokens.get(i + 1).map(|t| &t.tok),
                    tokens.get(i + 2).map(|t| &t.tok),
                ) {
                    match next {
                        Tok::Punct(';') if braces.is_empty() => {
                            children.push((name.clone(), in_test(&braces, &pending_test)));
                        }
                        Tok::Punct('{') => next_block_mod = Some(name.clone()),
                        _ => {}
                    }
                }
            }
            Tok::Ident(word) if word == "use" => {
                let end = tokens[i..]
                    .iter()
                    .position(|t| t.tok == Tok::Punct(';'))
                    .map(|p| i + p)
                    .unwrap_or(tokens.len());
                let mut leaves = Vec::new();
                use_leaves(&tokens[i + 1..end], &[], &mut leaves);
                let test = in_test(&braces, &pending_test);
                for (segments, line) in leaves {
                    paths.push((inline(&braces), segments, test, line));
                }
                if pending_test.is_some_and(|(depth, n)| depth == braces.len() && n == nesting) {
                    pending_test = None;
                }
                i = end + 1;
                continue;
            }
            Tok::Ident(word)
                if (word == "crate" || word == "super" || word == "self")
                    && tokens.get(i + 1).map(|t| &t.tok) == Some(&Tok::PathSep)
                    && !(i > 0 && tokens[i - 1].tok == Tok::PathSep) =>
            {
                let mut segments = vec![word.clone()];
                let mut j = i + 1;
                while tokens.get(j).map(|t| &t.tok) == Some(&Tok::PathSep) {
                    match tokens.get(j + 1).map(|t| &t.tok) {
                        Some(Tok::Ident(next)) => {
                            segments.push(next.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                let test = in_test(&braces, &pending_test);
                paths.push((inline(&braces), segments, test, token.line));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Scanned { children, paths }
}

/// The directory a module's children live in.
fn child_dir(file: &Path, is_root: bool) -> PathBuf {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if is_root || name == "mod.rs" {
        file.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        file.with_extension("")
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}::{name}")
    }
}

fn parent_of(path: &str) -> String {
    path.rsplit_once("::")
        .map(|(parent, _)| parent.to_string())
        .unwrap_or_default()
}

/// Reads the crate rooted at `root` (its `lib.rs`).
pub(crate) fn read_crate(root: &Path) -> Result<Crate, String> {
    let mut krate = Crate::default();
    let mut scanned: BTreeMap<String, Scanned> = BTreeMap::new();
    let mut queue = vec![(String::new(), root.to_path_buf(), false)];
    while let Some((path, file, test)) = queue.pop() {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let result = scan(&text);
        let dir = child_dir(&file, path.is_empty());
        for (name, child_test) in &result.children {
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(name).join("mod.rs");
            let child_file = if flat.exists() { flat } else { nested };
            queue.push((join(&path, name), child_file, test || *child_test));
        }
        krate.modules.insert(
            path.clone(),
            Module {
                path: path.clone(),
                file,
                test,
            },
        );
        scanned.insert(path, result);
    }
    // Names the crate root re-exports (`pub use config::{Config, ..}`), so that
    // `crate::Config` counts as naming `config`.
    let mut root_exports: BTreeMap<String, String> = BTreeMap::new();
    if let Some(root_scan) = scanned.get("") {
        for (_, segments, _, _) in &root_scan.paths {
            if let Some(last) = segments.last() {
                let target = resolve(&krate, "", segments);
                if let Some(target) = target {
                    if !target.is_empty() && !krate.modules.contains_key(&join("", last)) {
                        root_exports.insert(last.clone(), target);
                    }
                }
            }
        }
    }
    for (from, result) in &scanned {
        let module = &krate.modules[from];
        for (inline, segments, test, line) in &result.paths {
            let mut here = from.clone();
            for name in inline {
                here = join(&here, name);
            }
            let mut segments = segments.clone();
            if segments.first().map(String::as_str) == Some("crate") {
                if let Some(target) = segments.get(1).and_then(|s| root_exports.get(s)) {
                    let mut rewritten = vec!["crate".to_string()];
                    rewritten.extend(target.split("::").map(str::to_string));
                    segments = rewritten;
                }
            }
            let Some(to) = resolve_inline(&krate, &here, from, &segments) else {
                continue;
            };
            if to.is_empty() || &to == from {
                continue;
            }
            krate.references.push(Reference {
                from: from.clone(),
                to,
                test: *test || module.test,
                file: module.file.clone(),
                line: *line,
            });
        }
    }
    Ok(krate)
}

/// Resolves `segments` named in module `here` (which may be an inline module inside
/// the file of module `file_module`, so it need not be in the tree).
fn resolve_inline(
    krate: &Crate,
    here: &str,
    file_module: &str,
    segments: &[String],
) -> Option<String> {
    if here == file_module {
        return resolve(krate, here, segments);
    }
    // Walk `super`s from the inline module; once back inside the tree, resolve there.
    let mut module = here.to_string();
    let mut rest = segments;
    while rest.first().map(String::as_str) == Some("super") {
        module = parent_of(&module);
        rest = &rest[1..];
    }
    if rest.first().map(String::as_str) == Some("self") {
        rest = &rest[1..];
    }
    if krate.modules.contains_key(&module) || module.is_empty() {
        let mut full = vec!["self".to_string()];
        full.extend(rest.iter().cloned());
        return resolve(krate, &module, &full);
    }
    // Still inside an inline module: `crate::` paths resolve as usual, others stay local.
    if segments.first().map(String::as_str) == Some("crate") {
        return resolve(krate, file_module, segments);
    }
    None
}

/// The deepest module `segments` reaches from module `here`, or `None` for a path
/// outside the crate.
pub(crate) fn resolve(krate: &Crate, here: &str, segments: &[String]) -> Option<String> {
    let mut rest = segments;
    let mut module = match rest.first().map(String::as_str) {
        Some("crate") => {
            rest = &rest[1..];
            String::new()
        }
        Some("super") => {
            let mut module = here.to_string();
            while rest.first().map(String::as_str) == Some("super") {
                module = parent_of(&module);
                rest = &rest[1..];
            }
            module
        }
        Some("self") => {
            rest = &rest[1..];
            here.to_string()
        }
        Some(first) if krate.modules.contains_key(&join(here, first)) => here.to_string(),
        _ => return None,
    };
    for segment in rest {
        let child = join(&module, segment);
        if krate.modules.contains_key(&child) {
            module = child;
        } else {
            break;
        }
    }
    Some(module)
}
