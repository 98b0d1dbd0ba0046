//! `/admin/custom-fields`: the custom ticket fields (admins). The list, the form that creates
//! or edits one, and deleting with a confirmation.

mod form;
mod labels;
mod list;

use leptos::prelude::*;
use protocol::CustomField;

use self::form::CustomFieldForm;
use self::list::CustomFieldList;
use super::admin_list::SectionHead;
use super::sla::Editing;
use crate::api::use_client;

#[component]
pub fn CustomFieldsTab() -> impl IntoView {
    let client = use_client();
    let fields = LocalResource::new(move || async move { client.custom_fields().await });
    let editing = RwSignal::new(Editing::<CustomField>::None);
    let done = RwSignal::new(None::<String>);
    let open = Callback::new(move |next: Editing<CustomField>| {
        done.set(None);
        editing.set(next);
    });
    let on_saved = Callback::new(move |message: String| {
        editing.set(Editing::None);
        done.set(Some(message));
        fields.refetch();
    });
    let on_cancel = Callback::new(move |()| editing.set(Editing::None));
    let on_new = Callback::new(move |()| open.run(Editing::New));

    view! {
        <section class="custom-fields-admin" aria-labelledby="custom-fields-title" data-testid="custom-fields-admin">
            <SectionHead title_id="custom-fields-title" title="Custom fields" testid="custom-field-new" new="New field" on_new
                intro="Extra fields on every ticket. Public fields are shown to customers too; agents-only and admins-only fields are not." />
            {move || editing.get().form().map(|existing| view! { <CustomFieldForm existing on_saved on_cancel /> })}
            <CustomFieldList fields open done />
        </section>
    }
}
