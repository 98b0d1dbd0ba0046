//! The mailbox form's part for screening inbound mail: what sender authentication decides
//! (enforce or only watch), the receiving hosts whose `Authentication-Results` it trusts (for
//! mail fetched from Microsoft 365 or Google), what a flagged attachment does, and redaction.

use leptos::prelude::*;
use protocol::{Mailbox, MailboxSettings, MalwareAction, SenderPolicy};

use crate::components::form_fields::CheckField;

/// The screening fields while they are edited.
#[derive(Debug, Clone, Copy)]
pub struct Screening {
    policy: RwSignal<String>,
    trusted: RwSignal<String>,
    malware: RwSignal<String>,
    redact: RwSignal<bool>,
    patterns: RwSignal<String>,
}

impl Screening {
    pub fn new(m: Option<&Mailbox>) -> Self {
        Self {
            policy: RwSignal::new(m.map_or(SenderPolicy::Enforce, |m| m.sender_policy).as_str().to_owned()),
            trusted: RwSignal::new(m.map(|m| m.trusted_auth_hosts.clone()).unwrap_or_default()),
            malware: RwSignal::new(m.map_or(MalwareAction::Strip, |m| m.malware_action).as_str().to_owned()),
            redact: RwSignal::new(m.is_some_and(|m| m.redact)),
            patterns: RwSignal::new(m.map(|m| m.redact_patterns.clone()).unwrap_or_default()),
        }
    }

    /// Writes the fields into `settings`.
    pub fn apply(self, settings: &mut MailboxSettings) {
        settings.sender_policy = SenderPolicy::parse(&self.policy.get_untracked());
        settings.trusted_auth_hosts = Some(self.trusted.get_untracked());
        settings.malware_action = MalwareAction::parse(&self.malware.get_untracked());
        settings.redact = Some(self.redact.get_untracked());
        settings.redact_patterns = Some(self.patterns.get_untracked());
    }
}

#[component]
pub fn MailboxScreening(fields: Screening) -> impl IntoView {
    let Screening {
        policy,
        trusted,
        malware,
        redact,
        patterns,
    } = fields;
    view! {
        <h4>"Screening incoming mail"</h4>
        <div class="form-grid">
            <div class="field">
                <label for="mb-sender-policy">"Sender authentication (SPF, DKIM, DMARC)"</label>
                <select id="mb-sender-policy" bind:value=policy data-testid="mb-sender-policy">
                    <option value=SenderPolicy::Enforce.as_str()>
                        "Enforce: only verified senders act as staff or join by ticket number"
                    </option>
                    <option value=SenderPolicy::Monitor.as_str()>"Monitor: show the verdict, decide nothing"</option>
                </select>
            </div>
            <div class="field">
                <label for="mb-malware">"An attachment with malware"</label>
                <select id="mb-malware" bind:value=malware data-testid="mb-malware">
                    <option value=MalwareAction::Strip.as_str()>"Remove the file, keep the mail"</option>
                    <option value=MalwareAction::Quarantine.as_str()>"Quarantine the whole mail"</option>
                </select>
            </div>
            <div class="field">
                <label for="mb-trusted-hosts">
                    "Trust the verdict of these receiving hosts (one per line: mx.google.com; microsoft365)"
                </label>
                <textarea id="mb-trusted-hosts" rows="2" bind:value=trusted data-testid="mb-trusted-hosts"></textarea>
            </div>
        </div>
        <CheckField id="mb-redact" label="Mask card numbers (and the patterns below) before mail is stored" value=redact />
        <Show when=move || redact.get()>
            <div class="field">
                <label for="mb-redact-patterns">"Also mask (one regular expression a line)"</label>
                <textarea id="mb-redact-patterns" rows="2" bind:value=patterns data-testid="mb-redact-patterns"></textarea>
            </div>
        </Show>
    }
}
