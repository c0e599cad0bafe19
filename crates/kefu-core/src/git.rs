//! Team sharing through git ("同步"): when the content folder is inside a git repository, commit
//! local changes, `git pull --rebase`, push. The system `git` does the work (no libgit2: the
//! team's own credentials, hooks and config apply exactly as on the command line).
//!
//! Nothing is lost: local edits are committed before pulling; when the rebase stops on a
//! conflict it is left in place with git's markers in the files, the files are listed, and the
//! loader reports them (so the app shows them in the problems panel). Once the user has
//! resolved them, the next sync continues the rebase and pushes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::conflict_marker_line;
use crate::error::{Error, Result};

/// The content folder's git state, for the "同步" button.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GitStatus {
    /// True when the content folder is inside a git work tree (and git is installed).
    pub repo: bool,
    /// The current branch.
    pub branch: Option<String>,
    /// Its upstream, e.g. `origin/main` (`None`: nothing to pull from or push to).
    pub upstream: Option<String>,
    /// Changed, added or deleted files in the content folder not yet committed (relative paths).
    pub changes: Vec<String>,
    /// Files with unresolved conflicts (relative paths).
    pub conflicts: Vec<String>,
    /// A rebase stopped on a conflict and waits for the user.
    pub rebasing: bool,
}

/// How a sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncOutcome {
    /// Up to date with the shared repository (changes, if any, pulled and pushed).
    Synced,
    /// Committed locally; there is no upstream to pull from or push to.
    CommittedOnly,
    /// The rebase stopped on conflicts: the files are listed and left for the user.
    Conflict,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// How it ended.
    pub outcome: SyncOutcome,
    /// Local files committed by this sync (relative paths).
    pub committed: Vec<String>,
    /// Commits received from the shared repository.
    pub pulled: u32,
    /// True when local commits were pushed.
    pub pushed: bool,
    /// Files with conflicts (relative paths), when `outcome` is `conflict`.
    pub conflicts: Vec<String>,
    /// What git said last, for the details view.
    pub message: String,
}

/// A git runner for one content folder.
pub struct Git {
    dir: PathBuf,
    program: PathBuf,
}

impl Git {
    /// Git for `content_dir`, using `git` from `PATH`.
    pub fn new(content_dir: &Path) -> Git {
        Git {
            dir: content_dir.to_path_buf(),
            program: PathBuf::from("git"),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.current_dir(&self.dir)
            // Never wait for a password or an editor: there is nobody at a terminal.
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_EDITOR", "true")
            .env("GIT_SEQUENCE_EDITOR", "true")
            .env("GIT_MERGE_AUTOEDIT", "no")
            .env(
                "GIT_SSH_COMMAND",
                std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh -o BatchMode=yes".into()),
            )
            .args(["-c", "core.quotepath=false", "-c", "color.ui=false"]);
        c
    }

    fn output(&self, args: &[&str]) -> Result<Output> {
        self.command()
            .args(args)
            .output()
            .map_err(|e| Error::Git(format!("cannot run git ({e}); install git to sync")))
    }

    /// Runs git; stdout on success, an error with git's message otherwise.
    fn run(&self, args: &[&str]) -> Result<String> {
        let out = self.output(args)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Error::Git(format!(
                "`git {}` failed: {}",
                args.join(" "),
                said(&out)
            )))
        }
    }

    /// Runs git; stdout when it succeeds, `None` when it fails.
    fn try_run(&self, args: &[&str]) -> Option<String> {
        let out = self.output(args).ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Whether the folder is in a work tree.
    pub fn is_repo(&self) -> bool {
        self.try_run(&["rev-parse", "--is-inside-work-tree"])
            .is_some_and(|s| s == "true")
    }

    fn prefix(&self) -> String {
        self.try_run(&["rev-parse", "--show-prefix"])
            .unwrap_or_default()
    }

    fn rebasing(&self) -> bool {
        ["rebase-merge", "rebase-apply"].iter().any(|d| {
            self.try_run(&["rev-parse", "--git-path", d])
                .is_some_and(|p| self.dir.join(p).is_dir())
        })
    }

    /// The branch a stopped rebase is rebasing (`rebase-merge/head-name`), e.g. `main`.
    fn rebasing_branch(&self) -> Option<String> {
        ["rebase-merge", "rebase-apply"].iter().find_map(|d| {
            let p = self.try_run(&["rev-parse", "--git-path", &format!("{d}/head-name")])?;
            let name = std::fs::read_to_string(self.dir.join(p)).ok()?;
            name.trim().strip_prefix("refs/heads/").map(str::to_string)
        })
    }

    /// Files of the content folder with unresolved conflicts, relative to the folder.
    fn unmerged(&self) -> Vec<String> {
        self.try_run(&["diff", "--name-only", "--relative", "--diff-filter=U", "-z"])
            .map(|s| split_z(&s))
            .unwrap_or_default()
    }

    /// Uncommitted changes in the content folder, relative to it.
    fn changes(&self) -> Vec<String> {
        let prefix = self.prefix();
        // Not `try_run`: its trim would eat the leading space of the first entry's status code
        // (" M path"), and with it the first character of the path.
        let Some(out) = self
            .output(&[
                "status",
                "--porcelain=v1",
                "-z",
                "-uall",
                "--",
                ".",
                EXCLUDE_TEMPS,
                EXCLUDE_OLD_TEMPS,
            ])
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        else {
            return Vec::new();
        };
        let mut files = Vec::new();
        let mut entries = out.split('\0').filter(|e| !e.is_empty());
        while let Some(e) = entries.next() {
            if e.len() < 4 {
                continue;
            }
            let (code, path) = e.split_at(3);
            // Renames and copies are followed by the old path.
            if code.starts_with('R') || code.starts_with('C') {
                entries.next();
            }
            let rel = path.strip_prefix(prefix.as_str()).unwrap_or(path);
            files.push(rel.to_string());
        }
        files
    }

    /// The state for the UI. Never fails: a folder outside git (or no git) is `repo: false`.
    pub fn status(&self) -> GitStatus {
        if !self.is_repo() {
            return GitStatus::default();
        }
        // While a pull stopped on conflicts, HEAD is detached: the branch is the one being rebased.
        let branch = self
            .try_run(&["symbolic-ref", "--short", "-q", "HEAD"])
            .filter(|b| !b.is_empty())
            .or_else(|| self.rebasing_branch());
        let upstream = self.upstream().or_else(|| {
            let b = branch.as_deref()?;
            self.try_run(&[
                "rev-parse",
                "--abbrev-ref",
                "--symbolic-full-name",
                &format!("{b}@{{upstream}}"),
            ])
            .filter(|s| !s.is_empty())
        });
        GitStatus {
            repo: true,
            branch,
            upstream,
            changes: self.changes(),
            conflicts: self.unmerged(),
            rebasing: self.rebasing(),
        }
    }

    fn upstream(&self) -> Option<String> {
        self.try_run(&[
            "rev-parse",
            "--abbrev-ref",
            "--symbolic-full-name",
            "@{upstream}",
        ])
        .filter(|s| !s.is_empty())
    }

    /// `-c user.name=… -c user.email=…` when the repository has no identity configured.
    fn identity_args(&self, author: Option<&str>) -> Vec<String> {
        let mut args = Vec::new();
        if self
            .try_run(&["config", "user.name"])
            .is_none_or(|s| s.is_empty())
        {
            let name = author
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .unwrap_or("Kefu");
            args.extend(["-c".to_string(), format!("user.name={name}")]);
        }
        if self
            .try_run(&["config", "user.email"])
            .is_none_or(|s| s.is_empty())
        {
            args.extend(["-c".to_string(), "user.email=kefu@localhost".to_string()]);
        }
        args
    }

    /// Commits every change in the content folder; returns the files committed.
    fn commit_local(&self, author: Option<&str>) -> Result<Vec<String>> {
        let files = self.changes();
        if files.is_empty() {
            return Ok(files);
        }
        self.run(&["add", "-A", "--", ".", EXCLUDE_TEMPS, EXCLUDE_OLD_TEMPS])?;
        let staged = self.output(&["diff", "--cached", "--quiet", "--", "."])?;
        if staged.status.success() {
            return Ok(Vec::new());
        }
        let who = author.map(str::trim).filter(|a| !a.is_empty());
        let mut message = format!(
            "Kefu: update {} file{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
        if let Some(w) = who {
            message.push_str(&format!(" ({w})"));
        }
        message.push_str("\n\n");
        for f in &files {
            message.push_str(&format!("- {f}\n"));
        }
        let mut args: Vec<String> = self.identity_args(author);
        // `-- .`: only the content folder, even if something else in the repository is staged.
        args.extend([
            "commit".into(),
            "-q".into(),
            "-m".into(),
            message,
            "--".into(),
            ".".into(),
        ]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs)?;
        Ok(files)
    }

    fn conflict_report(&self, committed: Vec<String>, pulled: u32, message: String) -> SyncReport {
        SyncReport {
            outcome: SyncOutcome::Conflict,
            committed,
            pulled,
            pushed: false,
            conflicts: self.unmerged(),
            message,
        }
    }

    /// "同步": commit local changes, pull with rebase, push. `author` names the commit when
    /// the repository has no identity of its own.
    pub fn sync(&self, author: Option<&str>) -> Result<SyncReport> {
        if !self.is_repo() {
            return Err(Error::Git(format!(
                "{} is not in a git repository",
                self.dir.display()
            )));
        }
        let mut committed = Vec::new();
        if self.rebasing() {
            // A previous sync stopped on conflicts: continue once the user resolved them.
            let unresolved: Vec<String> = self
                .unmerged()
                .into_iter()
                .filter(|f| {
                    // Deleted (the user took the delete side of a modify/delete conflict):
                    // resolved. Unreadable otherwise: not resolved.
                    match std::fs::read_to_string(self.dir.join(f)) {
                        Ok(t) => conflict_marker_line(&t).is_some(),
                        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
                    }
                })
                .collect();
            if !unresolved.is_empty() {
                return Ok(SyncReport {
                    outcome: SyncOutcome::Conflict,
                    committed,
                    pulled: 0,
                    pushed: false,
                    conflicts: unresolved,
                    message: "conflicts are not resolved yet".into(),
                });
            }
            self.run(&["add", "-A", "--", ".", EXCLUDE_TEMPS, EXCLUDE_OLD_TEMPS])?;
            let mut args = self.identity_args(author);
            args.extend(["rebase".into(), "--continue".into()]);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = self.output(&refs)?;
            if !out.status.success() {
                if !self.unmerged().is_empty() {
                    return Ok(self.conflict_report(committed, 0, said(&out)));
                }
                return Err(Error::Git(format!(
                    "`git rebase --continue` failed: {}",
                    said(&out)
                )));
            }
        } else {
            committed = self.commit_local(author)?;
        }
        // Commands name the upstream as `@{upstream}`, never by its name: a remote or branch
        // called like an option (`--exec=…`) must not reach git's command line.
        let Some(_) = self.upstream() else {
            return Ok(SyncReport {
                outcome: SyncOutcome::CommittedOnly,
                committed,
                pulled: 0,
                pushed: false,
                conflicts: Vec::new(),
                message: "no upstream branch: committed locally only".into(),
            });
        };
        let mut pulled = 0;
        let mut pushed = false;
        let mut last = String::new();
        // Twice at most: a push can lose a race with a teammate's push; pull again, then push.
        for _ in 0..2 {
            let before = self.try_run(&["rev-parse", "--verify", "-q", UPSTREAM]);
            let mut args = self.identity_args(author);
            // --autostash: a result appended by the app between the commit and the pull (sharing is
            // on) must not stop the rebase.
            args.extend([
                "pull".into(),
                "--rebase".into(),
                "--autostash".into(),
                "--no-stat".into(),
            ]);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = self.output(&refs)?;
            last = said(&out);
            let after = self.try_run(&["rev-parse", "--verify", "-q", UPSTREAM]);
            if let (Some(b), Some(a)) = (&before, &after)
                && b != a
            {
                pulled += self
                    .try_run(&["rev-list", "--count", &format!("{b}..{a}")])
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(0);
            }
            if !out.status.success() {
                if self.rebasing() || !self.unmerged().is_empty() {
                    return Ok(self.conflict_report(committed, pulled, last));
                }
                return Err(Error::Git(format!("`git pull --rebase` failed: {last}")));
            }
            let ahead = self
                .try_run(&["rev-list", "--count", &format!("{UPSTREAM}..HEAD")])
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            if ahead == 0 {
                break;
            }
            let out = self.output(&["push", "--porcelain"])?;
            last = said(&out);
            if out.status.success() {
                pushed = true;
                break;
            }
        }
        let ahead = self
            .try_run(&["rev-list", "--count", &format!("{UPSTREAM}..HEAD")])
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        if ahead > 0 && !pushed {
            return Err(Error::Git(format!("`git push` failed: {last}")));
        }
        Ok(SyncReport {
            outcome: SyncOutcome::Synced,
            committed,
            pulled,
            pushed,
            conflicts: Vec::new(),
            message: last,
        })
    }
}

/// The current branch's upstream, as git resolves it (see `sync`).
const UPSTREAM: &str = "@{upstream}";

/// Pathspecs that keep `write_atomic`'s temporary files (and those of older versions,
/// `.<name>.tmp-<pid>`) out of every commit, whatever a crash left behind.
const EXCLUDE_TEMPS: &str = ":(exclude,glob)**/.kefu-tmp-*";
const EXCLUDE_OLD_TEMPS: &str = ":(exclude,glob)**/.*.tmp-*";

/// What git printed (stderr, else stdout), trimmed.
fn said(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if err.is_empty() {
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    } else {
        err
    }
}

fn split_z(s: &str) -> Vec<String> {
    s.split('\0')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn have_git() -> bool {
        Command::new("git").arg("--version").output().is_ok()
    }

    /// A bare "team" repository with one case, and two clones (two agents' machines) whose
    /// content folder is `content/` inside the clone.
    fn team() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let tmp = tempfile::tempdir().expect("tmp");
        let bare = tmp.path().join("team.git");
        git(
            tmp.path(),
            &["init", "-q", "--bare", "-b", "main", "team.git"],
        );
        let seed = tmp.path().join("seed");
        git(tmp.path(), &["clone", "-q", "team.git", "seed"]);
        std::fs::create_dir_all(seed.join("content/cases")).expect("mkdir");
        std::fs::write(
            seed.join("content/cases/a.md"),
            "---\nkind: case\ntitle: 案例\n---\n第一行\n第二行\n",
        )
        .expect("write");
        git(
            &seed,
            &["-c", "user.name=seed", "-c", "user.email=s@x", "add", "."],
        );
        git(
            &seed,
            &[
                "-c",
                "user.name=seed",
                "-c",
                "user.email=s@x",
                "commit",
                "-qm",
                "seed",
            ],
        );
        git(&seed, &["push", "-q", "origin", "HEAD:main"]);
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        git(
            tmp.path(),
            &["clone", "-q", bare.to_str().expect("utf8"), "a"],
        );
        git(
            tmp.path(),
            &["clone", "-q", bare.to_str().expect("utf8"), "b"],
        );
        (tmp, a.join("content"), b.join("content"))
    }

    #[test]
    fn a_folder_outside_git_is_not_a_repo() {
        let tmp = tempfile::tempdir().expect("tmp");
        let g = Git::new(tmp.path());
        assert!(!g.status().repo);
        assert!(matches!(g.sync(None), Err(Error::Git(_))));
    }

    #[test]
    fn publishing_on_one_machine_reaches_the_other() {
        if !have_git() {
            return;
        }
        let (_tmp, a, b) = team();
        std::fs::write(
            a.join("cases/new.md"),
            "---\nkind: case\ntitle: 新案例\n---\n正文\n",
        )
        .expect("write");
        let ga = Git::new(&a);
        let st = ga.status();
        assert!(st.repo);
        assert_eq!(st.branch.as_deref(), Some("main"));
        assert_eq!(st.upstream.as_deref(), Some("origin/main"));
        assert_eq!(st.changes, ["cases/new.md"]);
        let r = ga.sync(Some("老王")).expect("sync a");
        assert_eq!(r.outcome, SyncOutcome::Synced);
        assert_eq!(r.committed, ["cases/new.md"]);
        assert!(r.pushed);
        assert!(ga.status().changes.is_empty());
        let rb = Git::new(&b).sync(Some("小李")).expect("sync b");
        assert_eq!(rb.outcome, SyncOutcome::Synced);
        assert_eq!(rb.pulled, 1);
        assert!(!rb.pushed);
        assert!(b.join("cases/new.md").is_file());
        // Nothing to do: still fine.
        let again = Git::new(&b).sync(None).expect("sync b again");
        assert_eq!(again.outcome, SyncOutcome::Synced);
        assert!(again.committed.is_empty());
    }

    #[test]
    fn a_conflict_is_listed_left_for_the_user_and_continued_after_resolving() {
        if !have_git() {
            return;
        }
        let (_tmp, a, b) = team();
        let file = "cases/a.md";
        std::fs::write(
            a.join(file),
            "---\nkind: case\ntitle: 案例\n---\nA 的修改\n第二行\n",
        )
        .expect("write");
        Git::new(&a).sync(Some("A")).expect("sync a");
        std::fs::write(
            b.join(file),
            "---\nkind: case\ntitle: 案例\n---\nB 的修改\n第二行\n",
        )
        .expect("write");
        let gb = Git::new(&b);
        let r = gb.sync(Some("B")).expect("sync b");
        assert_eq!(r.outcome, SyncOutcome::Conflict);
        assert_eq!(r.conflicts, [file]);
        assert!(!r.pushed);
        // Nothing lost: both versions are in the file, and the loader refuses it with a line.
        let text = std::fs::read_to_string(b.join(file)).expect("read");
        assert!(
            text.contains("A 的修改") && text.contains("B 的修改"),
            "{text}"
        );
        assert!(conflict_marker_line(&text).is_some());
        let st = gb.status();
        assert!(st.rebasing);
        assert_eq!(st.conflicts, [file]);
        // HEAD is detached mid-rebase, yet the branch and its upstream are still known.
        assert_eq!(st.branch.as_deref(), Some("main"), "{st:?}");
        assert!(st.upstream.is_some(), "{st:?}");
        // Syncing again before resolving changes nothing.
        let r = gb.sync(Some("B")).expect("sync b again");
        assert_eq!(r.outcome, SyncOutcome::Conflict);
        // The user keeps both lines and saves; the next sync finishes and pushes.
        std::fs::write(
            b.join(file),
            "---\nkind: case\ntitle: 案例\n---\nA 的修改\nB 的修改\n第二行\n",
        )
        .expect("write");
        let r = gb.sync(Some("B")).expect("sync b resolved");
        assert_eq!(r.outcome, SyncOutcome::Synced, "{r:?}");
        assert!(r.pushed);
        assert!(!gb.status().rebasing);
        Git::new(&a).sync(Some("A")).expect("sync a again");
        let merged = std::fs::read_to_string(a.join(file)).expect("read");
        assert!(merged.contains("A 的修改\nB 的修改"), "{merged}");
    }

    #[test]
    fn without_an_upstream_changes_are_committed_locally() {
        if !have_git() {
            return;
        }
        let tmp = tempfile::tempdir().expect("tmp");
        git(tmp.path(), &["init", "-q", "-b", "main"]);
        // Whatever the machine's global identity, this repository has none of its own.
        git(tmp.path(), &["config", "user.name", ""]);
        git(tmp.path(), &["config", "user.email", ""]);
        std::fs::write(tmp.path().join("x.md"), "---\nkind: case\ntitle: x\n---\n").expect("write");
        let r = Git::new(tmp.path()).sync(Some("组长")).expect("sync");
        assert_eq!(r.outcome, SyncOutcome::CommittedOnly);
        assert_eq!(r.committed, ["x.md"]);
        let log = Command::new("git")
            .current_dir(tmp.path())
            .args(["log", "-1", "--format=%an|%s"])
            .output()
            .expect("log");
        let log = String::from_utf8_lossy(&log.stdout);
        assert!(log.starts_with("组长|Kefu: update 1 file"), "{log}");
    }

    fn log(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("git runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn the_commit_message_names_a_modified_first_file_whole() {
        if !have_git() {
            return;
        }
        let (_tmp, a, _b) = team();
        // A modified tracked file is the first status entry, " M content/cases/a.md".
        std::fs::write(
            a.join("cases/a.md"),
            "---\nkind: case\ntitle: 改\n---\n新\n",
        )
        .expect("w");
        assert_eq!(Git::new(&a).status().changes, ["cases/a.md"]);
        let r = Git::new(&a).sync(Some("A")).expect("sync");
        assert_eq!(r.committed, ["cases/a.md"]);
        let msg = log(&a, &["log", "-1", "--format=%B"]);
        assert!(msg.contains("- cases/a.md\n"), "{msg}");
    }

    #[test]
    fn resolving_a_modify_delete_conflict_by_deleting_finishes_the_sync() {
        if !have_git() {
            return;
        }
        let (_tmp, a, b) = team();
        std::fs::remove_file(a.join("cases/a.md")).expect("rm");
        Git::new(&a).sync(Some("A")).expect("sync a");
        std::fs::write(
            b.join("cases/a.md"),
            "---\nkind: case\ntitle: 案例\n---\nB 改了\n",
        )
        .expect("w");
        let gb = Git::new(&b);
        let r = gb.sync(Some("B")).expect("sync b");
        assert_eq!(r.outcome, SyncOutcome::Conflict, "{r:?}");
        // The user agrees with the deletion.
        let _ = std::fs::remove_file(b.join("cases/a.md"));
        let r = gb.sync(Some("B")).expect("sync b resolved");
        assert_eq!(r.outcome, SyncOutcome::Synced, "{r:?}");
        assert!(!gb.status().rebasing);
        assert!(!b.join("cases/a.md").exists());
    }

    #[test]
    fn crash_leftovers_and_files_outside_the_folder_are_never_committed() {
        if !have_git() {
            return;
        }
        let (_tmp, a, b) = team();
        let repo_a = a.parent().expect("repo");
        // Outside the content folder: a tracked file modified, one staged, one untracked.
        std::fs::write(repo_a.join("notes.txt"), "private").expect("w");
        git(repo_a, &["add", "notes.txt"]);
        std::fs::write(repo_a.join("other.txt"), "untracked").expect("w");
        // Inside: leftovers of crashed saves (this version's and an older one's), and a document.
        std::fs::write(a.join("cases/.kefu-tmp-0123456789abcdef-99-0"), "half").expect("w");
        std::fs::write(a.join(".kefu-tmp-0123456789abcdef-98-0.old"), "old").expect("w");
        std::fs::write(a.join("cases/.a.md.tmp-4242"), "half").expect("w");
        std::fs::write(
            a.join("cases/new.md"),
            "---\nkind: case\ntitle: 新\n---\n正文\n",
        )
        .expect("w");
        assert_eq!(Git::new(&a).status().changes, ["cases/new.md"]);
        // A teammate pushed meanwhile, so the sync pulls too.
        std::fs::write(b.join("cases/b.md"), "---\nkind: case\ntitle: B\n---\nb\n").expect("w");
        Git::new(&b).sync(Some("B")).expect("sync b");
        let r = Git::new(&a).sync(Some("A")).expect("sync a");
        assert_eq!(r.outcome, SyncOutcome::Synced, "{r:?}");
        assert_eq!(r.committed, ["cases/new.md"]);
        assert_eq!(r.pulled, 1);
        let files = log(repo_a, &["ls-tree", "-r", "--name-only", "HEAD"]);
        assert_eq!(
            files.lines().collect::<Vec<_>>(),
            [
                "content/cases/a.md",
                "content/cases/b.md",
                "content/cases/new.md"
            ],
        );
        // What was outside is as the user left it.
        assert_eq!(
            std::fs::read_to_string(repo_a.join("notes.txt")).expect("r"),
            "private"
        );
        assert!(log(repo_a, &["diff", "--cached", "--name-only"]).contains("notes.txt"));
        assert!(repo_a.join("other.txt").is_file());
    }

    #[test]
    fn an_upstream_named_like_an_option_is_never_passed_as_one() {
        if !have_git() {
            return;
        }
        let (tmp, a, b) = team();
        let repo_a = a.parent().expect("repo");
        let bare = tmp.path().join("team.git");
        // Before, `rev-list --count --upload-pack=x/main..HEAD` failed, so nothing was pushed.
        let remote = "--upload-pack=x";
        git(
            repo_a,
            &[
                "config",
                &format!("remote.{remote}.url"),
                bare.to_str().expect("u"),
            ],
        );
        git(
            repo_a,
            &[
                "config",
                &format!("remote.{remote}.fetch"),
                &format!("+refs/heads/*:refs/remotes/{remote}/*"),
            ],
        );
        git(repo_a, &["fetch", "-q", "--", remote]);
        git(
            repo_a,
            &["branch", &format!("--set-upstream-to={remote}/main")],
        );
        git(repo_a, &["config", "remote.pushDefault", remote]);
        std::fs::write(b.join("cases/b.md"), "---\nkind: case\ntitle: B\n---\nb\n").expect("w");
        Git::new(&b).sync(Some("B")).expect("sync b");
        std::fs::write(
            a.join("cases/new.md"),
            "---\nkind: case\ntitle: 新\n---\n正文\n",
        )
        .expect("w");
        let ga = Git::new(&a);
        assert_eq!(
            ga.status().upstream.as_deref(),
            Some("--upload-pack=x/main")
        );
        let r = ga.sync(Some("A")).expect("sync a");
        assert_eq!(
            (r.outcome, r.pulled, r.pushed),
            (SyncOutcome::Synced, 1, true),
            "{r:?}"
        );
        assert_eq!(
            log(repo_a, &["status", "-sb"]).lines().next(),
            Some("## main...--upload-pack=x/main")
        );
    }
}
