//! Editing one template: subject, text and HTML; save, reset to the built-in text, and a
//! preview of the unsaved text against a real ticket.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{EmailTemplate, SaveTemplate, TemplatePreview};

use super::templates::event_label;
use crate::api::use_client;
use crate::components::loaded::FormStatus;

#[component]
pub fn TemplateEditor(template: EmailTemplate, on_changed: Callback<EmailTemplate>) -> impl IntoView {
    let client = use_client();
    let event = template.event;
    let subject = RwSignal::new(template.subject);
    let body_text = RwSignal::new(template.body_text);
    let body_html = RwSignal::new(template.body_html);
    let ticket_id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<TemplatePreview>);
    let preview_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let is_default = RwSignal::new(template.is_default);
    let draft = move || SaveTemplate {
        subject: subject.get_untracked(),
        body_text: body_text.get_untracked(),
        body_html: body_html.get_untracked(),
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = draft();
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
                    subject.set(t.subject.clone());
                    body_text.set(t.body_text.clone());
                    body_html.set(t.body_html.clone());
                    done.set(Some("Back to the built-in template.".into()));
                    on_changed.run(t);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let run_preview = move |_| {
        let Ok(id) = ticket_id.get_untracked().trim().parse::<i64>() else {
            preview_error.set(Some("Enter the id of a ticket to fill the template from.".into()));
            return;
        };
        let t = draft();
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
        <form class="card admin-form" on:submit=save novalidate data-testid="template-editor" data-event=event.as_str()>
            <h3>{event_label(event)}</h3>
            <Show when=move || is_default.get()>
                <p class="muted" data-testid="template-default">"The built-in template."</p>
            </Show>
            <div class="field">
                <label for="tpl-subject">"Subject"</label>
                <input id="tpl-subject" type="text" data-testid="template-subject" bind:value=subject />
            </div>
            <div class="field">
                <label for="tpl-text">"Plain text"</label>
                <textarea id="tpl-text" rows="10" class="mono" data-testid="template-text" bind:value=body_text></textarea>
            </div>
            <div class="field">
                <label for="tpl-html">"HTML"</label>
                <textarea id="tpl-html" rows="10" class="mono" data-testid="template-html" bind:value=body_html></textarea>
            </div>
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
        </form>
        {move || preview.get().map(|p| view! { <PreviewPane p /> })}
    }
}

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
