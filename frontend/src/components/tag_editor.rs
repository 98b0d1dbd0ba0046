//! The ticket's tags as chips: remove one with its ×, add one or several (comma-separated).
//! Every change saves the whole list, as `PATCH` replaces it.

use leptos::prelude::*;
use protocol::UpdateTicket;

use crate::components::list_editor::{ChipRemove, InlineAdd};
use crate::pages::ticket_live::TicketContext;

/// The server's limit on one tag.
const MAX_TAG_CHARS: usize = 50;

#[component]
pub fn TagEditor(ctx: TicketContext) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = Callback::new(move |()| add_tags(ctx, draft, problem));

    view! {
        <div class="action-field tag-editor" role="group" aria-labelledby="tag-editor-title">
            <span id="tag-editor-title" class="action-label">"Tags"</span>
            <TagChips ctx />
            <InlineAdd
                testid="tag"
                kind="text"
                label="New tag (several separated by commas)"
                placeholder="Add a tag"
                maxlength="200"
                draft
                problem
                disabled=ctx.editing
                on_add=add
            />
        </div>
    }
}

/// The ticket's tags as a list of chips, each with its × to remove it.
#[component]
fn TagChips(ctx: TicketContext) -> impl IntoView {
    view! {
        <ul class="chip-list" aria-label="Tags of this ticket">
            {move || {
                let list = ticket_tags(ctx);
                if list.is_empty() {
                    return view! { <li class="muted">"No tags"</li> }.into_any();
                }
                list.into_iter()
                    .map(|tag| {
                        let label = format!("Remove tag {tag}");
                        let value = tag.clone();
                        let key = tag.clone();
                        view! {
                            <li class="chip" data-testid="tag-chip" data-tag=key>
                                <span class="chip-text">{tag}</span>
                                <ChipRemove
                                    testid="tag-remove"
                                    label
                                    disabled=ctx.editing
                                    on_click=Callback::new(move |()| remove_tag(ctx, &value))
                                />
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
    }
}

/// The ticket's tags as on screen (reactive); none while it is not loaded.
fn ticket_tags(ctx: TicketContext) -> Vec<String> {
    ctx.with_detail(|d| d.ticket.tags.clone()).unwrap_or_default()
}

/// Stores `next` as the ticket's whole tag list; `saved` runs once it is stored.
fn save_tags(ctx: TicketContext, next: Vec<String>, saved: Box<dyn FnOnce()>) {
    ctx.edit(
        "Tags",
        move |version| UpdateTicket {
            version,
            tags: Some(next),
            ..Default::default()
        },
        saved,
    );
}

/// Adds the tags typed in `draft` (or shows why they cannot be), emptying it once stored.
fn add_tags(ctx: TicketContext, draft: RwSignal<String>, problem: RwSignal<Option<String>>) {
    let new = match parse_tags(&draft.get_untracked()) {
        Ok(new) => new,
        Err(why) => {
            problem.set(Some(why));
            return;
        }
    };
    problem.set(None);
    let mut next = ticket_tags(ctx);
    let before = next.len();
    for tag in new {
        if !next.contains(&tag) {
            next.push(tag);
        }
    }
    if next.len() == before {
        draft.set(String::new());
        return;
    }
    // The draft stays until the tags are stored: a refused change loses no typing.
    save_tags(ctx, next, Box::new(move || draft.set(String::new())));
}

/// Removes `tag` from the ticket.
fn remove_tag(ctx: TicketContext, tag: &str) {
    let next: Vec<String> = ticket_tags(ctx).into_iter().filter(|t| t != tag).collect();
    save_tags(ctx, next, Box::new(|| {}));
}

/// The tags typed: comma-separated, trimmed and lower-cased as the server stores them.
fn parse_tags(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for tag in text
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("A tag has at most {MAX_TAG_CHARS} characters."));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.is_empty() {
        return Err("Type a tag first.".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_tags;

    #[test]
    fn tags_are_split_on_commas_trimmed_and_lowercased() {
        assert_eq!(parse_tags(" VIP, billing ,vip,, ").unwrap(), vec!["vip", "billing"]);
        assert!(parse_tags(" , ").is_err());
        assert!(parse_tags(&"x".repeat(51)).is_err());
    }
}
