//! "Delete" that asks first: the button turns into a short question with Delete / Keep, so
//! one slip of the mouse never removes a rule, a policy or a field.

use leptos::prelude::*;

/// `testid` names the first button; the others are `<testid>-confirm` and `<testid>-keep`.
#[component]
pub fn ConfirmDelete(
    #[prop(into)] testid: String,
    /// The question, in words that say what goes with it.
    question: &'static str,
    /// While true the confirming button is disabled (a change is being saved).
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<()>,
    /// The word on both deleting buttons.
    #[prop(default = "Delete")]
    label: &'static str,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let confirm_id = format!("{testid}-confirm");
    let keep_id = format!("{testid}-keep");
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button type="button" class="btn btn-small" data-testid=testid.clone() on:click=move |_| confirming.set(true)>
                        {label}
                    </button>
                }
            }
        >
            <span class="confirm-delete" role="group" aria-label="Confirm deletion">
                <span>{question}</span>
                <button
                    type="button"
                    class="btn btn-small btn-danger"
                    data-testid=confirm_id.clone()
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {label}
                </button>
                <button type="button" class="btn btn-small" data-testid=keep_id.clone() on:click=move |_| confirming.set(false)>
                    "Keep"
                </button>
            </span>
        </Show>
    }
}
