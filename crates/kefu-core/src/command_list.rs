// The one list of the commands the UI can call: `name(argument: Type, …) -> Result;`, each a
// method of `Workspace` with the same name and arguments. Everything else is generated from it:
// the dispatcher (`commands::dispatch`, used by the Tauri shell and `kefu serve`), the Tauri
// permissions (src-tauri/build.rs includes this file), the capability file and the TypeScript
// command map (`cargo test` writes both; `make test` checks they are committed).
//
// Adding a command: write the `Workspace` method, add its line here. Plain `//` comments only:
// build.rs includes this file as items.

/// Calls `$then! { … }` with every command (doc comments first, then `name(args) -> Result;`).
#[macro_export]
macro_rules! kefu_commands {
    ($then:ident) => {
        $then! {
            /// Counts, content folder, last sync and the state of matching by meaning.
            status() -> LibraryStatus;
            /// Searches (typed keywords, or a pasted customer message).
            search(req: SearchRequest) -> SearchResults;
            /// Records a copy of a phrase in the usage log (typed keywords kept, never a customer's message).
            record_use(record: UseRecord) -> ();
            /// Pastes a phrase into the chat window Kefu was summoned from, restoring the clipboard; logs it.
            send_to_chat(req: SendRequest) -> SendOutcome;
            /// 最近使用 and 常用: what the empty search box shows.
            usage_home() -> UsageHome;
            /// Other queries to try when one finds nothing.
            suggest(query: String) -> Vec<Suggestion>;
            /// One document, ready to show.
            document(id: String) -> DocumentView;
            /// Content problems (file:line messages).
            problems() -> Vec<Problem>;
            /// Re-reads the content folder and updates the index.
            reload() -> LibraryStatus;
            /// The settings in force.
            get_settings() -> Settings;
            /// The native folder dialog; the folder picked may become the content folder.
            choose_folder() -> Option<String>;
            /// The native open dialog; the file picked may be imported.
            choose_open_file(extensions: Vec<String>) -> Option<String>;
            /// The native save dialog; an export may write the file picked.
            choose_save_file(default_name: String, extensions: Vec<String>) -> Option<String>;
            /// Saves and applies settings (content folder, hotkey); returns the settings in force.
            /// A new content folder must have been picked with `choose_folder`.
            save_settings(settings: Settings) -> Settings;
            /// Compact mode: small always-on-top window; false restores the normal window.
            set_compact(compact: bool) -> ();
            /// Drills home: profile, due today, first-week path, suggested next session.
            drill_home() -> DrillHome;
            /// A drill as the trainee sees it before answering (no references).
            drill_prompt(id: String) -> DrillPrompt;
            /// Scores, stores and schedules an answer; returns the result screen.
            drill_submit(req: SubmitRequest) -> DrillResult;
            /// Progress charts and personal bests.
            drill_progress() -> Progress;
            /// Sets the trainee's name.
            set_profile_name(name: String) -> ();
            /// A document's file text and fingerprint, for editing.
            source(id: String) -> Source;
            /// The same by path relative to the content folder (files that do not load).
            source_at(path: String) -> Source;
            /// 发布案例: a new case from the template.
            new_case() -> Draft;
            /// 生成练习: a drill draft from a case.
            drill_draft(id: String) -> Draft;
            /// Live preview and validation of an editor buffer (`path` null for a new document).
            check_source(path: Option<String>, text: String) -> SourceCheck;
            /// Saves an editor buffer; never overwrites a file changed on disk since it was opened.
            save_source(req: SaveRequest) -> SaveOutcome;
            /// 两份都保留 after a conflict: writes the text as a copy beside the original.
            save_copy(req: SaveRequest) -> SaveOutcome;
            /// The 待复核 list (rules first).
            review_items() -> Vec<ReviewItem>;
            /// The content folder's git state.
            git_status() -> GitStatus;
            /// 同步: commit local changes, pull --rebase, push. Rejects with kind `git`.
            git_sync() -> SyncReport;
            /// 组长看板: every sharing agent against the team average, findings, assignments, usage.
            team_view() -> TeamView;
            /// One agent's weekly trend and recent attempts, for the lead.
            team_agent(id: String) -> AgentTrend;
            /// Writes a new assignment file under team/assignments (validated as `kefu check` does).
            team_assign(req: NewAssignment) -> Assignment;
            /// Exports the matrix as CSV or XLSX to an absolute path; returns the path.
            team_export(format: ExportFormat, path: String) -> String;
            /// 导入短语: reads a phrase export (CSV/XLSX …) and plans the import; writes nothing.
            import_preview(req: ImportRequest) -> ImportPreview;
            /// Writes the import as previewed with these choices: new files only.
            import_apply(req: ImportRequest) -> ImportOutcome;
            /// 导出短语: every playbook phrase to an absolute path as CSV or XLSX; returns the count.
            export_phrases(format: PhraseFormat, path: String) -> u32;
            /// What this agent shares with the team, and the file's last lines as written.
            share_status() -> ShareStatus;
            /// 与团队共享练习结果 on or off (off deletes the shared file only when asked).
            set_sharing(req: SharingRequest) -> ShareStatus;
        }
    };
}
