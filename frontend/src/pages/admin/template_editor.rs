//! Editing one template: subject, text and HTML; save, reset to the built-in text, and a
//! preview of the unsaved text against a real ticket.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{EmailTemplate, SaveTemplate, TemplateEvent, TemplatePreview};

use super::templates::event_label;
use crate::api::use_client;
use crate::components::loaded::FormStatus;

#[component]
pub fn TemplateEditor(template: EmailTemplate, on_changed: Callback<EmailTemplate>) -> impl IntoView {
    let client = use_client();
    let event = template.event;
    let draft = TemplateDraft {
        subject: RwSignal::new(template.subject),
        body_text: RwSignal::new(template.body_text),
        body_html: RwSignal::new(template.body_html),
    };
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<TemplatePreview>);
    let busy = RwSignal::new(false);
    let is_default = RwSignal::new(template.is_default);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = draft.to_save();
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let result = client.save_template(event, &t).await;
            busy.set(false);
            match result {
                Ok(saved) => {
                    is_default.set(saved.is_default);
                    done.set(Some("Saved.".into()));
                    on_changed.run(saved);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let reset = move |_| {
        busy.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let result = client.reset_template(event).await;
            busy.set(false);
            match result {
                Ok(t) => {
                    is_default.set(t.is_default);
                    draft.fill(&t);
                    done.set(Some("Back to the built-in template.".into()));
                    on_changed.run(t);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <form class="card admin-form" on:submit=save novalidate data-testid="template-editor" data-event=event.as_str()>
            <h3>{event_label(event)}</h3>
            <Show when=move || is_default.get()>
                <p class="muted" data-testid="template-default">"The built-in template."</p>
            </Show>
            <TemplateFields draft />
            <p class="muted">"All three empty: this mail is not sent."</p>
            <FormStatus error done />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="template-save" disabled=move || busy.get()>
                    "Save template"
                </button>
                <button type="button" class="btn" data-testid="template-reset" disabled=move || busy.get() on:click=reset>
                    "Reset to default"
                </button>
            </div>
            <PreviewControls event draft preview />
        </form>
        {move || preview.get().map(|p| view! { <PreviewPane p /> })}
    }
}

/// The template as being edited: subject, plain text and HTML.
#[derive(Debug, Clone, Copy)]
struct TemplateDraft {
    subject: RwSignal<String>,
    body_text: RwSignal<String>,
    body_html: RwSignal<String>,
}

impl TemplateDraft {
    /// The draft as it would be saved.
    fn to_save(self) -> SaveTemplate {
        SaveTemplate {
            subject: self.subject.get_untracked(),
            body_text: self.body_text.get_untracked(),
            body_html: self.body_html.get_untracked(),
        }
    }

    /// Puts the texts of `t` into the draft.
    fn fill(self, t: &EmailTemplate) {
        self.subject.set(t.subject.clone());
        self.body_text.set(t.body_text.clone());
        self.body_html.set(t.body_html.clone());
    }
}

/// The three texts of the template: subject, plain text and HTML.
#[component]
fn TemplateFields(draft: TemplateDraft) -> impl IntoView {
    view! {
        <div class="field">
            <label for="tpl-subject">"Subject"</label>
            <input id="tpl-subject" type="text" data-testid="template-subject" bind:value=draft.subject />
        </div>
        <div class="field">
            <label for="tpl-text">"Plain text"</label>
            <textarea id="tpl-text" rows="10" class="mono" data-testid="template-text" bind:value=draft.body_text></textarea>
        </div>
        <div class="field">
            <label for="tpl-html">"HTML"</label>
            <textarea id="tpl-html" rows="10" class="mono" data-testid="template-html" bind:value=draft.body_html></textarea>
        </div>
    }
}

/// "Preview": fills the unsaved draft from the ticket whose id is typed.
#[component]
fn PreviewControls(
    event: TemplateEvent,
    draft: TemplateDraft,
    preview: RwSignal<Option<TemplatePreview>>,
) -> impl IntoView {
    let client = use_client();
    let ticket_id = RwSignal::new(String::new());
    let preview_error = RwSignal::new(None::<String>);
    let run_preview = move |_| {
        let Ok(id) = ticket_id.get_untracked().trim().parse::<i64>() else {
            preview_error.set(Some("Enter the id of a ticket to fill the template from.".into()));
            return;
        };
        let t = draft.to_save();
        preview_error.set(None);
        spawn_local(async move {
            match client.preview_template(event, id, &t).await {
                Ok(p) => preview.set(Some(p)),
                Err(e) => {
                    preview.set(None);
                    preview_error.set(Some(e.user_message()));
                }
            }
        });
    };
    view! {
        <fieldset class="preview-controls">
            <legend>"Preview"</legend>
            <div class="field-inline">
                <label for="tpl-ticket">"Ticket id"</label>
                <input id="tpl-ticket" type="number" min="1" data-testid="template-preview-ticket" bind:value=ticket_id />
                <button type="button" class="btn" data-testid="template-preview-run" on:click=run_preview>
                    "Preview"
                </button>
            </div>
            {move || {
                preview_error
                    .get()
                    .map(|e| view! { <p class="form-error" role="alert" data-testid="template-preview-error">{e}</p> })
            }}
        </fieldset>
    }
}

/// The preview filled from a ticket: subject, plain text, and the HTML in a sandboxed frame.
#[component]
fn PreviewPane(p: TemplatePreview) -> impl IntoView {
    let html = (!p.body_html.trim().is_empty()).then(|| {
        // A sandboxed frame: the HTML is shown as the mail would be, and no script in it runs.
        view! { <iframe class="preview-html" title="HTML preview" sandbox="" srcdoc=p.body_html></iframe> }
    });
    view! {
        <section class="card template-preview" data-testid="template-preview" aria-label="Preview">
            <p><strong>"Subject: "</strong><span data-testid="template-preview-subject">{p.subject}</span></p>
            <pre class="preview-text" data-testid="template-preview-text">{p.body_text}</pre>
            {html}
        </section>
    }
}
