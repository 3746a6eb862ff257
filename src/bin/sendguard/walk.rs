//! Finding the files to scan: paths as given, folders recursively (sorted, so output is
//! stable), skipping version-control folders and not following symbolic links.

use std::path::{Path, PathBuf};

/// Folders never descended into.
const SKIP_DIRS: &[&str] = &[".git", ".hg", ".svn", "node_modules", "target"];

/// Every file under `roots`, in a stable order. Problems go to `error` and the walk goes on.
pub fn files(roots: &[String], error: &mut dyn FnMut(String)) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        let root = PathBuf::from(root);
        match std::fs::metadata(&root) {
            Ok(m) if m.is_file() => out.push(root),
            Ok(m) if m.is_dir() => walk_dir(&root, &mut out, error),
            Ok(_) => error(format!("{}: not a file or folder", root.display())),
            Err(e) => error(format!("{}: {e}", root.display())),
        }
    }
    out
}

fn walk_dir(root: &Path, out: &mut Vec<PathBuf>, error: &mut dyn FnMut(String)) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                error(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        // The entry's own type (from the folder listing where the file system gives it, as
        // `symlink_metadata` would otherwise): one system call less per file.
        let mut names: Vec<(PathBuf, std::fs::FileType)> =
            entries.filter_map(|e| e.ok().and_then(|e| Some((e.path(), e.file_type().ok()?)))).collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (p, kind) in names {
            if kind.is_dir() {
                let skip = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| SKIP_DIRS.contains(&n));
                if !skip {
                    subdirs.push(p);
                }
            } else if kind.is_file() {
                out.push(p);
            }
        }
        // Reverse so that the stack pops folders in sorted order.
        stack.extend(subdirs.into_iter().rev());
    }
}

/// A raw message: by extension, or by its header block.
pub fn is_eml(path: &Path, bytes: &[u8]) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("eml") | Some("msg") | Some("mbox")) || sendguard::decode::mime::looks_like_eml(bytes)
}

/// HTML by extension.
pub fn has_html_extension(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("html") | Some("htm") | Some("xhtml"))
}
