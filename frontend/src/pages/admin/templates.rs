//! Templates: the one in force for every event (the admin's or the built-in), and the editor.

use leptos::prelude::*;
use protocol::{EmailTemplate, TemplateEvent};

use super::template_editor::TemplateEditor;
use super::template_help::PlaceholderHelp;
use crate::api::use_client;
use crate::components::loaded::loaded;

#[component]
pub fn TemplatesTab() -> impl IntoView {
    let client = use_client();
    let templates = LocalResource::new(move || async move { client.templates().await });
    let selected = RwSignal::new(None::<TemplateEvent>);
    // Saved texts are patched in here rather than refetched, so the open editor (with its
    // "Saved." and preview) is not drawn afresh.
    let list = RwSignal::new(Vec::<EmailTemplate>::new());
    Effect::new(move |_| {
        if let Some(Ok(fetched)) = templates.get() {
            list.set(fetched);
        }
    });
    let on_changed = Callback::new(move |saved: EmailTemplate| {
        list.update(|l| {
            if let Some(t) = l.iter_mut().find(|t| t.event == saved.event) {
                *t = saved;
            }
        });
    });

    view! {
        <section aria-labelledby="templates-title">
            <h2 id="templates-title">"Mail templates"</h2>
            {loaded(templates, "Loading templates…", move |fetched: Vec<EmailTemplate>| {
                let chosen = move || {
                    let event = selected.get()?;
                    let find = |l: &Vec<EmailTemplate>| l.iter().find(|t| t.event == event).cloned();
                    list.with_untracked(find).or_else(|| find(&fetched))
                };
                view! {
                    <div class="templates-layout">
                        <ul class="plain-list template-list" aria-label="Templates" data-testid="template-list">
                            {TemplateEvent::ALL
                                .iter()
                                .map(|&event| {
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="btn btn-ghost template-pick"
                                                data-testid="template-row"
                                                data-event=event.as_str()
                                                aria-pressed=move || (selected.get() == Some(event)).to_string()
                                                on:click=move |_| selected.set(Some(event))
                                            >
                                                {event_label(event)}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        <div class="template-main">
                            {move || match chosen() {
                                Some(t) => view! { <TemplateEditor template=t on_changed /> }.into_any(),
                                None => view! { <p class="muted">"Pick a template to edit it."</p> }.into_any(),
                            }}
                            <PlaceholderHelp />
                        </div>
                    </div>
                }
            })}
        </section>
    }
}

pub fn event_label(e: TemplateEvent) -> &'static str {
    match e {
        TemplateEvent::NewTicketConfirmation => "New ticket: confirmation to the requester",
        TemplateEvent::NewTicketAlert => "New ticket: alert to agents",
        TemplateEvent::Reply => "Reply to the requester",
        TemplateEvent::CustomerUpdateAlert => "Customer update: alert to agents",
        TemplateEvent::AssignmentAlert => "Assigned: alert to the agent",
        TemplateEvent::TicketTaken => "Taken: note to the other agents",
        TemplateEvent::TicketClosed => "Closed: mail to the requester (rating links)",
        TemplateEvent::OverdueAlert => "Overdue: alert",
    }
}
