//! The pieces the admin lists share: a section's heading with its "New …" button, the list
//! itself, the actions at the end of a row (↑ ↓ for ordered lists, Edit, Delete after a
//! confirmation), and [`ListChanges`], which runs the changes made from the list one at a time.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::components::button::Button;
use crate::components::confirm_delete::ConfirmDelete;

/// A section's `<h2>` (`title_id` its id, for `aria-labelledby`) with its "New …" button
/// (`new` its words), then what the section is for (`intro`), if it says.
#[component]
pub fn SectionHead(
    title_id: &'static str,
    title: &'static str,
    testid: &'static str,
    new: &'static str,
    #[prop(optional)] intro: Option<&'static str>,
    #[prop(optional, into)] disabled: Signal<bool>,
    on_new: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="page-head">
            <h2 id=title_id>{title}</h2>
            <Button class="btn btn-primary" testid disabled on_click=on_new>
                {new}
            </Button>
        </div>
        {intro.map(|intro| view! { <p class="muted">{intro}</p> })}
    }
}

/// An unordered admin list (`ul.plain-list.admin-list`), `row` drawing each item.
pub fn list_of<T, V: IntoView>(testid: &'static str, items: Vec<T>, row: impl FnMut(T) -> V) -> impl IntoView {
    view! { <ul class="plain-list admin-list" data-testid=testid>{items.into_iter().map(row).collect_view()}</ul> }
}

/// Where a row stands in an ordered list, and what moves it (`shift` gets `true` for up).
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub first: bool,
    pub last: bool,
    pub shift: Callback<bool>,
}

/// The end of a row: `children` first (a switch), then ↑ ↓ when the list is ordered, Edit and
/// Delete. The test ids are `{testid}-up`, `-down`, `-edit` and `-delete`; `name` names the
/// row in the buttons' accessible names (Edit's too when `name_edit`).
#[component]
pub fn RowActions(
    testid: &'static str,
    #[prop(into)] name: String,
    #[prop(optional)] order: Option<Order>,
    #[prop(optional)] name_edit: bool,
    /// While true the buttons that change the list are disabled.
    #[prop(into)]
    busy: Signal<bool>,
    on_edit: Callback<()>,
    /// What Delete asks first.
    question: &'static str,
    on_delete: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let moves = order.map(|Order { first, last, shift }| {
        view! {
            <Button
                class="btn btn-small"
                testid=format!("{testid}-up")
                aria_label=format!("Move {name} up")
                disabled=move || first || busy.get()
                on_click=Callback::new(move |()| shift.run(true))
            >
                "↑"
            </Button>
            <Button
                class="btn btn-small"
                testid=format!("{testid}-down")
                aria_label=format!("Move {name} down")
                disabled=move || last || busy.get()
                on_click=Callback::new(move |()| shift.run(false))
            >
                "↓"
            </Button>
        }
    });
    let edit_label = name_edit.then(|| format!("Edit {name}"));
    view! {
        <div class="row-actions">
            {children.map(|c| c())}
            {moves}
            <Button class="btn btn-small" testid=format!("{testid}-edit") aria_label=edit_label on_click=on_edit>
                "Edit"
            </Button>
            <ConfirmDelete testid=format!("{testid}-delete") question busy on_confirm=on_delete />
        </div>
    }
}

/// Changes made from a list computed from what is on screen (moves, switches, deletes), one at
/// a time: while one runs the others are ignored. Each ends saying what it did, or why not,
/// and with the list loaded again.
#[derive(Clone, Copy)]
pub struct ListChanges {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub done: RwSignal<Option<String>>,
    reload: Callback<()>,
}

impl ListChanges {
    /// `done` shows the confirmation; `reload` loads the list again.
    pub fn new(done: RwSignal<Option<String>>, reload: Callback<()>) -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            done,
            reload,
        }
    }

    /// Runs `job` unless a change runs already; `what` says what it did.
    pub fn run(self, what: String, job: impl Future<Output = Result<(), ApiError>> + 'static) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        self.done.set(None);
        spawn_local(async move {
            match job.await {
                Ok(()) => self.done.set(Some(what)),
                Err(e) => self.error.set(Some(e.user_message())),
            }
            self.busy.set(false);
            self.reload.run(());
        });
    }

    /// Moves the item `is_it` picks in `list` one place (`up` or down) and saves, with `save`,
    /// each item whose position changes (see `ordering`) at its new position.
    pub fn shift<T, F, Fut>(
        self,
        list: Vec<T>,
        is_it: impl Fn(&T) -> bool,
        up: bool,
        position: impl Fn(&T) -> i32,
        save: F,
    ) where
        T: 'static,
        F: Fn(T, i32) -> Fut + 'static,
        Fut: Future<Output = Result<(), ApiError>>,
    {
        let moved = crate::ordering::moved(list, is_it, up, position);
        let job = async move {
            for (item, position) in moved {
                save(item, position).await?;
            }
            Ok(())
        };
        self.run("The order is saved.".to_owned(), job);
    }
}
