//! The editor's side of a library: a document's source, checking a text as it would load,
//! saving through `publish`, new cases and drill drafts.

use std::path::Path;

use super::{Library, rubric_problems};
use crate::api::SourceCheck;
use crate::content::{self, Document, Kind, Problem};
use crate::error::{Error, Result};
use crate::markdown;
use crate::publish::{self, Draft, SaveOutcome, SaveRequest, Source, Stamp};

impl Library {
    /// A document's file, for the editor.
    pub fn source(&self, id: &str) -> Result<Source> {
        let doc = self.document(id)?;
        publish::read_source(&self.config.content_dir, &doc.path)
    }

    /// Checks `text` as it would load at `rel` in this library: the file's own problems plus
    /// duplicate ids, broken links and unknown rubric elements — the messages of `kefu check`.
    pub fn validate(&self, rel: &str, text: &str) -> (Option<Document>, Vec<Problem>) {
        let (doc, mut problems) = content::load_file_text(rel, text.as_bytes());
        if let Some(d) = &doc {
            if let Some(other) = self.entries.get(&d.id).filter(|o| o.doc.path != rel) {
                problems.push(content::duplicate_id_problem(rel, &d.id, &other.doc.path));
            }
            for link in &d.links {
                if link.target != d.id && !self.entries.contains_key(&link.target) {
                    problems.push(content::broken_link_problem(rel, link));
                }
            }
            if d.kind == Kind::Drill {
                problems.extend(rubric_problems(std::slice::from_ref(d), &self.lexicon));
            }
            problems.extend(publish::template_leftovers(d));
        }
        problems.sort_by_key(|p| p.line);
        (doc, problems)
    }

    /// Live preview and validation of an editor buffer. `rel` is `None` for a new document,
    /// whose path is then made from its kind and title.
    pub fn check_source(&self, rel: Option<&str>, text: &str) -> SourceCheck {
        let path = match rel {
            Some(r) => Some(r.to_string()),
            None => content::load_file_text(publish::NEW_DOCUMENT, text.as_bytes())
                .0
                .filter(|d| !d.title.is_empty())
                .map(|d| {
                    publish::new_path(
                        &self.config.content_dir,
                        d.kind,
                        &d.title,
                        self.clock.today(),
                    )
                }),
        };
        let (doc, problems) = self.validate(path.as_deref().unwrap_or(publish::NEW_DOCUMENT), text);
        let body = doc
            .as_ref()
            .map_or_else(|| content::body_of(text), |d| d.body.as_str());
        let html = markdown::render_html(body, &|t: &str| {
            self.entries.get(t).map(|e| e.doc.title.clone())
        });
        SourceCheck {
            path,
            id: doc.map(|d| d.id),
            html,
            problems,
        }
    }

    /// Saves an editor buffer (never over a file changed on disk), then re-reads the folder so
    /// the document is searchable at once. `author` fills an empty `author:`.
    pub fn save_source(&mut self, req: &SaveRequest, author: Option<&str>) -> Result<SaveOutcome> {
        self.write_through(req, author, publish::save)
    }

    /// "Keep both" after a conflict: saves the buffer as a copy beside the original.
    pub fn save_copy(&mut self, req: &SaveRequest, author: Option<&str>) -> Result<SaveOutcome> {
        self.write_through(req, author, publish::save_copy)
    }

    /// Runs a `publish` writer with today's stamp and this library's validation, then reloads.
    fn write_through(
        &mut self,
        req: &SaveRequest,
        author: Option<&str>,
        writer: fn(&Path, &SaveRequest, &Stamp<'_>, &publish::Validate<'_>) -> Result<SaveOutcome>,
    ) -> Result<SaveOutcome> {
        let stamp = Stamp {
            today: self.clock.today(),
            author,
        };
        let out = writer(&self.config.content_dir, req, &stamp, &|r, t| {
            self.validate(r, t)
        })?;
        if matches!(out, SaveOutcome::Saved { .. }) {
            self.reload()?;
        }
        Ok(out)
    }

    /// A new case from the template ("发布案例").
    pub fn new_case(&self, author: Option<&str>) -> Draft {
        Draft {
            kind: Kind::Case,
            text: publish::case_template(author, self.clock.today()),
        }
    }

    /// A drill draft made from a case ("生成练习").
    pub fn drill_draft(&self, case_id: &str, author: Option<&str>) -> Result<Draft> {
        let doc = self.document(case_id)?;
        if doc.kind != Kind::Case {
            return Err(Error::InvalidInput(format!("`{case_id}` is not a case")));
        }
        Ok(publish::drill_from_case(doc, author, self.clock.today()))
    }
}
