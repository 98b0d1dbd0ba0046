//! Notification settings (seed 002): every switch, the subject format and the loop cap. The
//! server validates on save; its message is shown as it is.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::NotificationSettings;

use crate::api::use_client;
use crate::components::loaded::{FormStatus, loaded};

type ReadFn = fn(&NotificationSettings) -> bool;
type WriteFn = fn(&mut NotificationSettings, bool);

/// The switches: field name (test id), label, read, write.
const SWITCHES: &[(&str, &str, ReadFn, WriteFn)] = &[
    (
        "enabled",
        "Send notifications (master switch; agents' replies are always mailed)",
        |s| s.enabled,
        |s, v| s.enabled = v,
    ),
    (
        "notify_admins_of_new_tickets",
        "Tell admins about new tickets",
        |s| s.notify_admins_of_new_tickets,
        |s, v| s.notify_admins_of_new_tickets = v,
    ),
    (
        "notify_category_agents_of_new_tickets",
        "Tell the category's agents about new tickets",
        |s| s.notify_category_agents_of_new_tickets,
        |s, v| s.notify_category_agents_of_new_tickets = v,
    ),
    (
        "notify_all_category_agents_on_customer_update",
        "On a customer's update, tell every agent of the category (not only the assignee)",
        |s| s.notify_all_category_agents_on_customer_update,
        |s, v| s.notify_all_category_agents_on_customer_update = v,
    ),
    (
        "notify_on_take",
        "Tell the other agents when someone takes a ticket",
        |s| s.notify_on_take,
        |s, v| s.notify_on_take = v,
    ),
    (
        "ticket_closed_notification",
        "Tell the requester when a ticket is closed",
        |s| s.ticket_closed_notification,
        |s, v| s.ticket_closed_notification = v,
    ),
    (
        "ticket_confirmation",
        "Confirm new tickets sent by email to their requester",
        |s| s.ticket_confirmation,
        |s, v| s.ticket_confirmation = v,
    ),
    (
        "attach_files",
        "Attach files to notification mails",
        |s| s.attach_files,
        |s, v| s.attach_files = v,
    ),
    (
        "autologin_links",
        "Customers get links that sign them in to the ticket (3 days)",
        |s| s.autologin_links,
        |s, v| s.autologin_links = v,
    ),
    (
        "subscribers_in_cc",
        "One mail to all subscribers in CC (turns off autologin and rating links)",
        |s| s.subscribers_in_cc,
        |s, v| s.subscribers_in_cc = v,
    ),
    (
        "subscriber_updates_only_from_staff",
        "Mail a customer's update to staff only, not to other subscribers",
        |s| s.subscriber_updates_only_from_staff,
        |s, v| s.subscriber_updates_only_from_staff = v,
    ),
    (
        "from_name_for_all",
        "Use the mailbox's From name for people's replies too",
        |s| s.from_name_for_all,
        |s, v| s.from_name_for_all = v,
    ),
];

#[component]
pub fn NotificationsTab() -> impl IntoView {
    let client = use_client();
    let settings = LocalResource::new(move || async move { client.notification_settings().await });
    view! {
        <section aria-labelledby="notifications-title">
            <h2 id="notifications-title">"Notification settings"</h2>
            {loaded(settings, "Loading settings…", |s: NotificationSettings| view! { <SettingsForm initial=s /> })}
        </section>
    }
}

#[component]
fn SettingsForm(initial: NotificationSettings) -> impl IntoView {
    let client = use_client();
    let draft = RwSignal::new(initial.clone());
    let cap_count = RwSignal::new(initial.auto_cap_count.to_string());
    let cap_minutes = RwSignal::new(initial.auto_cap_minutes.to_string());
    let subject_format = RwSignal::new(initial.subject_format);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let (Ok(count), Ok(minutes)) = (
            cap_count.get_untracked().trim().parse::<u32>(),
            cap_minutes.get_untracked().trim().parse::<u32>(),
        ) else {
            error.set(Some("The loop cap takes whole numbers.".into()));
            return;
        };
        let mut s = draft.get_untracked();
        s.auto_cap_count = count;
        s.auto_cap_minutes = minutes;
        s.subject_format = subject_format.get_untracked();
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            let result = client.save_notification_settings(&s).await;
            saving.set(false);
            match result {
                Ok(saved) => {
                    cap_count.set(saved.auto_cap_count.to_string());
                    cap_minutes.set(saved.auto_cap_minutes.to_string());
                    subject_format.set(saved.subject_format.clone());
                    draft.set(saved);
                    done.set(Some("Saved.".into()));
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };

    view! {
        <form class="card admin-form" on:submit=on_submit novalidate data-testid="notification-settings-form">
            <fieldset>
                <legend>"When to mail"</legend>
                {SWITCHES
                    .iter()
                    .map(|&(key, label, get, set)| {
                        let id = format!("ns-{key}");
                        view! {
                            <div class="field-check">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    data-testid=id.clone()
                                    prop:checked=move || draft.with(get)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|s| set(s, on));
                                    }
                                />
                                <label for=id>{label}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="form-grid">
                <div class="field">
                    <label for="ns-subject_format">"Subject of every mail"</label>
                    <input id="ns-subject_format" type="text" data-testid="ns-subject_format" bind:value=subject_format aria-describedby="ns-subject-help" />
                    <small id="ns-subject-help" class="muted">"{number} and {subject} are filled in, e.g. [#{number}] {subject}"</small>
                </div>
                <div class="field">
                    <label for="ns-auto_cap_count">"Loop cap: automatic mails per address and ticket"</label>
                    <input id="ns-auto_cap_count" type="number" min="0" data-testid="ns-auto_cap_count" bind:value=cap_count />
                </div>
                <div class="field">
                    <label for="ns-auto_cap_minutes">"…within minutes"</label>
                    <input id="ns-auto_cap_minutes" type="number" min="0" data-testid="ns-auto_cap_minutes" bind:value=cap_minutes />
                </div>
            </div>
            <FormStatus error done />
            <button type="submit" class="btn btn-primary" data-testid="notification-settings-save" disabled=move || saving.get()>
                "Save settings"
            </button>
        </form>
    }
}
