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
    let on_changed = Callback::new(move |()| templates.refetch());

    view! {
        <section aria-labelledby="templates-title">
            <h2 id="templates-title">"Mail templates"</h2>
            {loaded(templates, "Loading templates…", move |list: Vec<EmailTemplate>| {
                let chosen = move || selected.get().and_then(|e| list.iter().find(|t| t.event == e).cloned());
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
